import AssayTestSupport
import Foundation
import Testing

/// Issue 13's security items, end to end: the built binary against a real repository and the
/// loopback GitHub of `CICommandTests`.
@Suite struct HardeningSecurityTests {
    let ci = CICommandTests()

    /// Every byte of every file under `directory`, recursively (the ledger and its WAL).
    func allBytes(under directory: URL) throws -> [(String, Data)] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [(String, Data)] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            out.append((url.path, try Data(contentsOf: url)))
        }
        return out
    }

    /// The receipt notes as git itself shows them.
    func notes(_ fx: GitFixture) throws -> String {
        var text = ""
        for line in try fx.lines("notes", "--ref=assay/receipts", "list") {
            guard let commit = line.split(separator: " ").last else { continue }
            text += try fx.git("notes", "--ref=assay/receipts", "show", String(commit))
        }
        return text
    }

    @Test func aTokenOnTheCommandLineIsInNoReceiptNoteLedgerOrOutput() throws {
        let (fx, base, head) = try ci.repo(["src/feature.rs": "pub fn feature() {}\n"])
        let github = try FakeGitHub()
        var env = try ci.pullRequestEnvironment(fx, github, base: base, head: head)
        env["GITHUB_TOKEN"] = nil
        let token = "ghp_" + "R3dact10nTestT0ken0123456789abcdefghij"
        let other = "glpat-" + "N0tInAnyReceipt42xyz"
        let separate = try ci.ci(fx, ["--token", token, "--verbose"], env)
        #expect(separate.status == 0, "\(separate.err)")
        // The token was used: the posts carried it.
        #expect(github.requests("POST", containing: "/statuses/").first?.header("authorization") == "Bearer \(token)")
        let joined = try ci.ci(fx, ["--token=\(token)", "--http-timeout", "20"], env)
        #expect(joined.status == 0, "\(joined.err)")
        // The stage of a pipeline records its own argv: assignments and token shapes are hidden too.
        let recorded = try runProcess(assayExecutable(), ["receipts", "write", "--repo", fx.path.path, "--command", "deploy",
                                                         "--warning", "logged in with \(other)", "--",
                                                         "GITLAB_TOKEN=\(other)", "--api-key", other, "Authorization: Bearer \(token)"],
                                      timeout: 60)
        #expect(recorded.status == 0, "\(recorded.err)")

        let noteText = try notes(fx)
        // The receipts were written, with the argv, and the values masked.
        #expect(noteText.contains("\"--token\",\"***\""), "\(noteText)")
        #expect(noteText.contains("--token=***"), "\(noteText)")
        #expect(noteText.contains("GITLAB_TOKEN=***"), "\(noteText)")
        #expect(noteText.contains("\"--api-key\",\"***\""), "\(noteText)")
        #expect(noteText.contains("Bearer ***"), "\(noteText)")
        #expect(noteText.contains("logged in with glpat-***"), "\(noteText)")
        for secret in [token, other] {
            #expect(!noteText.contains(secret))
            for r in [separate, joined, recorded] { #expect(!(r.out + r.err).contains(secret)) }
            let stored = try allBytes(under: fx.path.appendingPathComponent(".git/assay"))
            #expect(!stored.isEmpty, "no ledger under .git/assay")
            for (path, bytes) in stored {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(path) holds the token")
            }
            // Nor anywhere in git's objects as git prints them (the notes ref's history).
            let log = try fx.git("log", "-p", "refs/notes/assay/receipts")
            #expect(!log.contains(secret))
        }
    }
}

extension HardeningSecurityTests {
    /// A usage error quotes the argument it could not take: a secret given there by mistake, or
    /// the value of a secret option, is hidden.
    @Test func aUsageErrorDoesNotEchoASecret() throws {
        let shaped = "ghp_" + "UsageErr0r0123456789abcdefghij"
        let misplaced = try runProcess(assayExecutable(), ["ci", "--http-timeout", shaped], environment: ["GITHUB_ACTIONS": ""], timeout: 30)
        #expect(misplaced.status == 2)
        #expect(misplaced.err.contains("is invalid for '--http-timeout"), "\(misplaced.err)")
        #expect(!(misplaced.out + misplaced.err).contains(shaped), "\(misplaced.err)")
        let plain = "plain-" + "s3cret-value"
        let repeated = try runProcess(assayExecutable(), ["ci", "--token", plain, "--format", plain], environment: ["GITHUB_ACTIONS": ""], timeout: 30)
        #expect(repeated.status == 2)
        #expect(repeated.err.contains("is invalid for '--format"), "\(repeated.err)")
        #expect(!(repeated.out + repeated.err).contains(plain), "\(repeated.err)")
    }

    /// Someone plants `<!-- assay:audit -->` in their own comment: `assay ci` must not put its
    /// report there (they could edit it afterwards), but post its own, and update only that one.
    @Test(arguments: [false, true])
    func aPlantedMarkerIsNotTakenOver(personalToken: Bool) throws {
        let (fx, base, head) = try ci.repo(["src/feature.rs": "pub fn feature() {}\n"])
        let github = try FakeGitHub(me: personalToken ? ["id": 42, "login": "assay-bot", "type": "User"] : nil)
        let planted = "<!-- assay:audit -->\n✅ **assay audit: pass** (written by hand)"
        let mallory = github.seedComment(planted, by: ["id": 666, "login": "mallory", "type": "User"])
        let otherApp = github.seedComment(planted, by: ["id": 99, "login": "other-app[bot]", "type": "Bot"])
        let env = try ci.pullRequestEnvironment(fx, github, base: base, head: head)

        let first = try ci.ci(fx, [], env)
        #expect(first.status == 0, "\(first.err)")
        #expect(github.requests("PATCH", containing: "/issues/comments/").isEmpty)
        #expect(github.requests("POST", containing: "/issues/7/comments").count == 1)
        #expect(first.err.contains("pull request comment") && first.err.contains("created"), "\(first.err)")
        let ours = try #require(github.allComments.last)
        #expect(ours.id != mallory && ours.id != otherApp)

        // The next run updates our comment, and only it.
        let second = try ci.ci(fx, [], env)
        #expect(second.status == 0, "\(second.err)")
        #expect(github.requests("PATCH", containing: "/issues/comments/").map(\.path) == ["/repos/octo/widgets/issues/comments/\(ours.id)"])
        #expect(github.requests("POST", containing: "/issues/7/comments").count == 1)
        let after = github.allComments
        #expect(after.first { $0.id == mallory }?.body == planted)
        #expect(after.first { $0.id == otherApp }?.body == planted)
        #expect(after.count == 3)
    }
}

extension HardeningSecurityTests {
    /// The workflow-command property decoding the Actions runner applies (`%25` last, as it does).
    func runnerUnescape(_ value: Substring) -> String {
        value.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",")
            .replacingOccurrences(of: "%25", with: "%")
    }

    /// A file named with the Latin-1 byte 0xE9 (not UTF-8): reports name it by its bytes,
    /// percent-encoded, never with U+FFFD, so code scanning and annotations find the file.
    @Test func aNonUTF8FileNameIsPercentEncodedInSARIFAndAnnotations() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        let made = try runProcess("python3", ["-c", "import os, sys; open(os.path.join(os.fsencode(sys.argv[1]), b'src/caf\\xe9.rs'), 'wb').write(b'pub fn cafe() { todo!() }\\n')",
                                              fx.path.path], timeout: 30)
        #expect(made.status == 0, "\(made.err)")
        try fx.git("add", "-A")
        try fx.git("commit", "-q", "-m", "adds a Latin-1 file name")
        // git itself holds the raw byte.
        let listed = try fx.gitData(["ls-files", "-z"])
        #expect(listed.stdout.range(of: Data("src/caf\u{E9}".utf8)) == nil)
        #expect(listed.stdout.range(of: Data([UInt8](Array("src/caf".utf8)) + [0xE9] + Array(".rs".utf8))) != nil)

        func audit(_ format: String) throws -> ProcessResult {
            try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--commit", "HEAD", "--format", format, "--no-receipt"],
                           timeout: 120)
        }
        let sarif = try audit("sarif")
        #expect(sarif.status == 1, "\(sarif.err)")
        #expect(!sarif.out.contains("\u{FFFD}"))
        let doc = try #require(try JSONSerialization.jsonObject(with: sarif.stdout) as? [String: Any])
        let results = ((doc["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        let uris = results.compactMap { r -> String? in
            (((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
        }
        #expect(uris == ["src/caf%E9.rs"], "\(sarif.out)")
        // The URI decodes to the file's bytes, and the official schema accepts the document.
        let file = fx.root.appendingPathComponent("latin1.sarif")
        try sarif.stdout.write(to: file)
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/sarif/sarif-schema-2.1.0.json")
        let checked = try runProcess("python3", ["-c", """
            import json, os, sys, urllib.parse, jsonschema
            schema = json.load(open(sys.argv[1]))
            doc = json.load(open(sys.argv[2]))
            jsonschema.validators.validator_for(schema)(schema).validate(doc)
            uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            path = os.path.join(os.fsencode(sys.argv[3]), urllib.parse.unquote_to_bytes(uri))
            print("valid", os.path.isfile(path))
            """, schema.path, file.path, fx.path.path], timeout: 120)
        #expect(checked.out.trimmingCharacters(in: .whitespacesAndNewlines) == "valid True", "\(checked.out) \(checked.err)")

        let github = try audit("github")
        #expect(github.status == 1, "\(github.err)")
        let line = try #require(github.out.split(separator: "\n").first { $0.hasPrefix("::error ") }, "\(github.out)")
        #expect(!line.contains("\u{FFFD}"))
        // `::error PROPERTIES::MESSAGE`; escaped properties hold no `:` or `,`.
        let properties = try #require(String(line.dropFirst("::error ".count)).components(separatedBy: "::").first)
        let fileProperty = try #require(properties.split(separator: ",").first { $0.hasPrefix("file=") })
        // What the runner reads once it has decoded the property.
        #expect(runnerUnescape(fileProperty.dropFirst("file=".count)) == "src/caf%E9.rs", "\(line)")

        let markdown = try audit("markdown")
        #expect(markdown.out.contains("`src/caf%E9.rs:1`"), "\(markdown.out)")
    }
}
