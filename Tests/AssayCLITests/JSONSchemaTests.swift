import AssayTestSupport
import Foundation
import Testing

/// Checks a JSON document against a schema in docs/schemas with Python's `jsonschema` (Draft 2020-12):
/// the schema itself is checked first, then the document. Prints one line per error: `PATH: MESSAGE`.
private let validator = """
    import json, sys
    from jsonschema import Draft202012Validator
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    doc = json.load(open(sys.argv[2]))
    errors = sorted(Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for e in errors:
        print("/".join(map(str, e.absolute_path)) + ": " + e.message)
    sys.exit(1 if errors else 0)
    """

private let schemaDirectory = sourceRoot.appendingPathComponent("docs/schemas")

/// The validator's complaints about `json` under `docs/schemas/NAME.schema.json` (empty: valid).
private func schemaErrors(_ name: String, _ json: Data) throws -> [String] {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("assay-schema-\(UUID().uuidString).json")
    try json.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let schema = schemaDirectory.appendingPathComponent("\(name).schema.json")
    let r = try runProcess("python3", ["-c", validator, schema.path, file.path], timeout: 60)
    if r.status != 0 && r.status != 1 { throw FixtureError(description: "the validator could not run (\(r.status)): \(r.err)") }
    let errors = r.out.split(separator: "\n").map(String.init)
    if r.status == 1 && errors.isEmpty { throw FixtureError(description: "invalid without a reason: \(r.err)") }
    return errors
}

/// Runs assay, expects `status`, and returns its standard output (the JSON document).
private func run(_ fx: GitFixture, _ args: [String], status: Int32 = 0, environment: [String: String] = [:]) throws -> Data {
    // `assay rules` reads no repository (it takes no --repo); every other command is pointed at the fixture.
    let repo = args.first == "rules" ? [] : ["--repo", fx.path.path]
    let r = try runProcess(assayExecutable(), repo + args, in: fx.path, environment: environment, timeout: 120)
    guard r.status == status else {
        throw FixtureError(description: "assay \(args.joined(separator: " ")) exited \(r.status), not \(status): \(r.err)\(r.out)")
    }
    return r.stdout
}

private func object(_ data: Data) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

private func data(_ value: Any) throws -> Data { try JSONSerialization.data(withJSONObject: value) }

/// A repository whose outputs fill most optional members: a GitHub remote, a claim that went stale,
/// one false when written, a verified one, a section whose files changed later, and an uncommitted
/// change with a blocking stub, a TODO, a suppressed stub and a contradicted claim.
private func richRepository() throws -> GitFixture {
    let fx = try GitFixture()
    try fx.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    try fx.commit("Ship", files: [
        "src/a.ts": "export const a = 1\n", "src/b.ts": "export const b = 2\n",
        "PROGRESS.md": "# Progress\n\n## Parser\n\n- [x] `src/a.ts` parser\n- [x] `src/ghost.ts` ghost mode\n- [x] `src/b.ts` lexer\n",
    ])
    try fx.commit("Grow", files: ["src/c.ts": "export const c = 3\n"])
    try fx.commit("Change b", files: ["src/b.ts": "export const b = 22\n"])   // the Parser section is possibly stale
    try fx.commit("Remove a", deleting: ["src/a.ts"])
    try fx.write("src/d.rs", "fn d() { todo!() }\n// TODO: later\nfn e() { todo!() } // assay:allow stub-marker kept on purpose for the demo\n")
    try fx.write("docs/status.md", "# Status\n\n- [x] `src/phantom.rs` is done\n")
    return fx
}

@Suite struct JSONSchemaTests {
    /// Every `--format json` output and its schema; hooks install and uninstall share one.
    static let schemas = ["audit", "ci", "claims", "drift", "snapshot", "rules", "receipts-show", "receipts-list",
                          "receipts-verify", "receipts-keygen", "receipts-sync", "receipts-write", "hooks", "init"]

    @Test func everySchemaIsDraft2020WithAnIDAndEveryJSONOptionHasOne() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.path).filter { $0.hasSuffix(".schema.json") }
        #expect(Set(files) == Set(Self.schemas.map { "\($0).schema.json" }))
        for name in Self.schemas {
            let doc = try object(Data(contentsOf: schemaDirectory.appendingPathComponent("\(name).schema.json")))
            #expect(doc["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema", "\(name)")
            #expect(doc["$id"] as? String == "https://assay.dev/schemas/\(name).schema.json", "\(name)")
        }
        // The tags the code writes are the ones the schemas pin.
        let tags = ["audit": "assay.audit/v1", "ci": "assay.ci/v1", "claims": "assay.claims/v1", "drift": "assay.drift/v1",
                    "snapshot": "assay.snapshot/v1", "receipts-show": "assay.receipts.show/v1", "receipts-verify": "assay.receipts.verify/v1",
                    "init": "assay.init/v1"]
        for (name, tag) in tags {
            let doc = try object(Data(contentsOf: schemaDirectory.appendingPathComponent("\(name).schema.json")))
            let schemaMember = ((doc["properties"] as? [String: Any])?["schema"] as? [String: Any])?["const"] as? String
            #expect(schemaMember == tag, "\(name)")
            #expect((doc["required"] as? [String])?.contains("schema") == true, "\(name)")
        }
        // One `--format` option per command that prints JSON (hooks install and uninstall share a
        // schema): a new command with JSON output and no schema fails here.
        var options = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: sourceRoot.appendingPathComponent("Sources/assay").path) {
            let text = try String(contentsOf: sourceRoot.appendingPathComponent("Sources/assay/\(file)"), encoding: .utf8)
            options += text.components(separatedBy: "var format:").count - 1
        }
        #expect(options == Self.schemas.count + 1)
    }

    @Test func auditOutputsMatchTheSchema() throws {
        let fx = try richRepository()
        let failing = try run(fx, ["audit", "--format", "json"], status: 1)
        let report = try object(failing)
        // The document exercises what the schema constrains: findings, a suppression, claims, the rubric.
        #expect(!((report["findings"] as? [Any]) ?? []).isEmpty)
        #expect(((report["suppressed"] as? [[String: Any]]) ?? []).contains { $0["suppression"] != nil })
        #expect(((report["claims"] as? [[String: Any]]) ?? []).contains { $0["verdict"] as? String == "contradicted" })
        #expect(try schemaErrors("audit", failing) == [])
        #expect(try schemaErrors("audit", try run(fx, ["audit", "--format", "json", "--staged"])) == [])
        let range = try run(fx, ["audit", "--format", "json", "--range", "HEAD~2..HEAD"])
        #expect(try object(range)["base"] is String)
        #expect(try schemaErrors("audit", range) == [])
    }

    @Test func ciOutputMatchesTheSchema() throws {
        let fx = try GitFixture()
        let base = try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("checkout", "-q", "-b", "feature")
        let head = try fx.commit("feature", files: ["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let event = fx.root.appendingPathComponent("event.json")
        try data(["number": 7, "pull_request": ["number": 7, "body": "Adds `src/feature.rs`.",
                                                "base": ["sha": base, "ref": "main"], "head": ["sha": head, "ref": "feature"]]]).write(to: event)
        let env = ["GITHUB_ACTIONS": "true", "GITLAB_CI": "", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event.path,
                   "GITHUB_REPOSITORY": "octo/widgets", "GITHUB_SHA": head, "GITHUB_HEAD_REF": "feature",
                   "GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "555",
                   "GITHUB_STEP_SUMMARY": fx.root.appendingPathComponent("summary.md").path]
        let out = try run(fx, ["ci", "--no-post", "--format", "json"], status: 1, environment: env)
        // Annotations come first; the JSON document is the last line.
        let last = try #require(String(decoding: out, as: UTF8.self).split(separator: "\n").last)
        let doc = Data(last.utf8)
        #expect(try object(doc)["report"] is [String: Any])
        #expect(try object(doc)["pull_request"] as? Int == 7)
        #expect(try schemaErrors("ci", doc) == [])
    }

    @Test func claimsDriftSnapshotAndRulesOutputsMatchTheirSchemas() throws {
        let fx = try richRepository()
        #expect(try schemaErrors("claims", try run(fx, ["claims", "--format", "json"])) == [])
        #expect(try schemaErrors("claims", try run(fx, ["claims", "--format", "json", "--range", "HEAD~2..HEAD"])) == [])
        let drift = try run(fx, ["drift", "--format", "json", "--since", "HEAD~1", "--backfill", "2"])
        let report = try object(drift)
        #expect(report["comparison"] is [String: Any] && report["remote"] is [String: Any])
        #expect(((report["claims"] as? [[String: Any]]) ?? []).contains { $0["origin"] as? String == "went-stale" })
        #expect(((report["claims"] as? [[String: Any]]) ?? []).contains { $0["origin"] as? String == "false-when-written" })
        #expect(!((report["possibly_stale"] as? [Any]) ?? []).isEmpty)
        #expect(((report["history"] as? [Any]) ?? []).count >= 2)
        #expect(try schemaErrors("drift", drift) == [])
        #expect(try schemaErrors("snapshot", try run(fx, ["snapshot", "--format", "json", "--stats"])) == [])
        #expect(try schemaErrors("rules", try run(fx, ["rules", "--format", "json"])) == [])
        #expect(try schemaErrors("rules", try run(fx, ["rules", "stub-marker", "--format", "json"])) == [])
    }

    @Test func initOutputMatchesItsSchema() throws {
        let fx = try richRepository()
        let first = try run(fx, ["init", "--format", "json", "--no-hooks"])
        let report = try object(first)
        #expect(report["head"] as? String == (try fx.head()))
        #expect(try schemaErrors("init", first) == [])
        // A second run with --force replaces the file; the report says so and still fits.
        let again = try run(fx, ["init", "--format", "json", "--no-hooks", "--force"])
        #expect(try object(again)["replaced"] as? Bool == true)
        #expect(try schemaErrors("init", again) == [])
    }

    @Test func receiptsAndHooksOutputsMatchTheirSchemas() throws {
        let fx = try richRepository()
        let keys = fx.root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        let keygen = try run(fx, ["receipts", "keygen", "--output", keys.appendingPathComponent("ci").path, "--format", "json"])
        #expect(try schemaErrors("receipts-keygen", keygen) == [])
        #expect(try schemaErrors("receipts-write", try run(fx, ["receipts", "write", "--command", "score", "--input", "src/b.ts",
                                                                 "--output", "src/c.ts", "--format", "json",
                                                                 "--sign", keys.appendingPathComponent("ci.key").path])) == [])
        _ = try run(fx, ["audit", "--staged", "--format", "json"])   // a receipt with mode and subject_kind
        try fx.git("notes", "--ref=assay/receipts", "append", "-m", "not a receipt", "HEAD")
        let shown = try run(fx, ["receipts", "show", "--format", "json"])
        let receipts = try #require(try object(shown)["receipts"] as? [[String: Any]])
        #expect(receipts.count == 3 && receipts.contains { $0["problem"] != nil } && receipts.contains { $0["keyids"] != nil })
        #expect(try schemaErrors("receipts-show", shown) == [])
        let listed = try run(fx, ["receipts", "list", "--format", "json"])
        #expect(((try JSONSerialization.jsonObject(with: listed) as? [[String: Any]]) ?? []).contains { $0["subject_kind"] as? String == "index" })
        #expect(try schemaErrors("receipts-list", listed) == [])
        let verified = try run(fx, ["receipts", "verify", "--format", "json", "--key", keys.appendingPathComponent("ci.pub").path], status: 1)
        #expect(try schemaErrors("receipts-verify", verified) == [])
        #expect(try schemaErrors("receipts-sync", try run(fx, ["receipts", "sync", "--format", "json"])) == [])
        let installed = try run(fx, ["hooks", "install", "--format", "json"])
        #expect(try schemaErrors("hooks", installed) == [])
        #expect(try schemaErrors("hooks", try run(fx, ["hooks", "uninstall", "--format", "json"])) == [])
    }

    /// The schemas are strict enough to catch a change of the output: a missing required member, a
    /// member of the wrong type, an unknown member of a closed object, a wrong tag.
    @Test func aMutatedOutputIsRejected() throws {
        let fx = try richRepository()
        let audit = try object(try run(fx, ["audit", "--format", "json"], status: 1))
        #expect(try schemaErrors("audit", try data(audit)) == [])
        var missing = audit
        missing["verdict"] = nil
        #expect(try schemaErrors("audit", try data(missing)).contains { $0.contains("'verdict' is a required property") })
        var retyped = audit
        var findings = try #require(audit["findings"] as? [[String: Any]])
        findings[0]["line"] = "1"
        retyped["findings"] = findings
        #expect(try schemaErrors("audit", try data(retyped)).contains { $0.hasPrefix("findings/0/line:") })
        var extra = audit
        var summary = try #require(audit["summary"] as? [String: Any])
        summary["errors"] = 0
        extra["summary"] = summary
        #expect(try schemaErrors("audit", try data(extra)).contains { $0.hasPrefix("summary:") && $0.contains("errors") })
        var retagged = audit
        retagged["schema"] = "assay.audit/v2"
        #expect(try schemaErrors("audit", try data(retagged)).contains { $0.hasPrefix("schema:") })

        _ = try run(fx, ["receipts", "write", "--command", "score", "--format", "json"])
        var rows = try #require(try JSONSerialization.jsonObject(with: try run(fx, ["receipts", "list", "--format", "json"])) as? [[String: Any]])
        #expect(try schemaErrors("receipts-list", try data(rows)) == [])
        rows[0]["digest"] = nil
        #expect(try schemaErrors("receipts-list", try data(rows)).contains { $0.contains("'digest' is a required property") })
    }
}
