import AssayCore
@testable import AssayReport
import AssayTestSupport
import Foundation
import Testing

/// A fixed audit outcome with every shape of finding: each severity, a whole-file finding, a path
/// that needs percent-encoding, a commit-message finding, and suppressed findings.
func sampleInput() -> ReportInput {
    let sha = "0123456789abcdef0123456789abcdef01234567"
    func finding(_ rule: String, _ severity: Severity, _ path: String, _ line: Int, _ message: String,
                 suppression: Suppression? = nil) -> Finding {
        Finding(rule: rule, severity: severity, path: path, line: line, sha: sha, message: message,
                evidence: ["evidence for \(rule)"], fingerprint: Fingerprint.make(rule: rule, path: path, text: message),
                suppression: suppression)
    }
    return ReportInput(
        toolVersion: "0.0.0-test", sha: sha, verdict: "fail", gateReasons: ["2 blocking findings at or above block"],
        decision: "REJECT", utility: 50, risk: 85,
        summaryLine: "staged change: 4 files, 31 added lines — 2 block · 2 warn · 1 info · 2 suppressed",
        rules: [
            .init(id: "stub-marker", name: "Stub markers", summary: "Finds stub markers.", defaultSeverity: .block),
            .init(id: "todo-added", name: "TODO notes", summary: "Finds TODO | FIXME notes.", defaultSeverity: .warn),
            .init(id: "large-binary", name: "Large binaries", summary: "Finds big binaries.", defaultSeverity: .warn),
            .init(id: "claim-contradicted", name: "Contradicted claims", summary: "Finds false claims.", defaultSeverity: .block),
        ],
        findings: [
            finding("stub-marker", .block, "src/café & co/main.rs", 12, "stub marker `todo!()` added"),
            finding("claim-contradicted", .block, "commit 0123456", 3, "claim contradicted: `src/x.ts` added"),
            finding("todo-added", .warn, "src/a b.ts", 4, "`TODO` added: 50% done, a <b> & \"c\""),
            finding("large-binary", .warn, "assets/model.bin", 0, "binary file of 3.0 MiB added (limit 1.0 MiB)"),
            finding("todo-added", .info, "docs/notes.md", 9, "`FIXME` added\nsecond line"),
        ],
        suppressed: [
            finding("stub-marker", .block, "src/legacy.rs", 2, "stub marker `unimplemented!()` added",
                    suppression: Suppression(kind: "inline", reason: "tracked in #12", location: "src/legacy.rs:1")),
            finding("todo-added", .warn, "src/b.ts", 7, "`XXX` added",
                    suppression: Suppression(kind: "ignore-file", reason: "vendored", location: ".assayignore:3")),
        ])
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

/// Compares `output` with the golden file; `RECORD_GOLDEN=1` rewrites the file on purpose.
func assertGolden(_ output: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = goldenDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] != nil {
        try output.write(to: file, atomically: true, encoding: .utf8)
    }
    let golden = try String(contentsOf: file, encoding: .utf8)
    #expect(output == golden, "\(name) differs from its golden file (RECORD_GOLDEN=1 rewrites it)", sourceLocation: sourceLocation)
}

/// Runs a Python snippet with arguments; the real validators live there.
func python(_ script: String, _ args: [String]) throws -> ProcessResult {
    try runProcess("python3", ["-c", script] + args, timeout: 120)
}

@Suite struct ReporterTests {
    @Test func goldenFiles() throws {
        let input = sampleInput()
        try assertGolden(SARIFReporter.report(input), "audit.sarif")
        try assertGolden(SARIFReporter.report(input, forGitHub: true), "audit.github.sarif")
        try assertGolden(JUnitReporter.report(input), "audit.junit.xml")
        try assertGolden(MarkdownReporter.report(input), "audit.md")
        try assertGolden(GitHubAnnotations.report(input), "audit.annotations.txt")
    }

    /// The official OASIS SARIF 2.1.0 schema, checked by the `jsonschema` package (installed by .ci/run).
    @Test func sarifValidatesAgainstTheOfficialSchema() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in [("full.sarif", SARIFReporter.report(sampleInput())),
                             ("github.sarif", SARIFReporter.report(sampleInput(), forGitHub: true))] {
            let file = dir.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let r = try python("""
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1]))
                doc = json.load(open(sys.argv[2]))
                jsonschema.validators.validator_for(schema)(schema).validate(doc)
                print("valid", len(doc["runs"][0]["results"]))
                """, [root.appendingPathComponent("fixtures/sarif/sarif-schema-2.1.0.json").path, file.path])
            #expect(r.status == 0, "\(name): \(r.err)")
            #expect(r.out.hasPrefix("valid"), "\(name): \(r.out) \(r.err)")
        }
    }

    @Test func sarifFollowsGitHubsSubset() throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(SARIFReporter.report(sampleInput()).utf8)) as? [String: Any])
        let run = try #require((doc["runs"] as? [[String: Any]])?.first)
        #expect((run["automationDetails"] as? [String: Any])?["id"] as? String == "assay/audit/")
        let rules = (((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]) ?? []
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == ids.count)
        let results = (run["results"] as? [[String: Any]]) ?? []
        #expect(results.count == 7)
        let uris = results.compactMap { r -> String? in
            (((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
        }
        #expect(uris.contains("src/caf%C3%A9%20%26%20co/main.rs"))
        #expect(uris.contains("src/a%20b.ts"))
        #expect(results.allSatisfy { (($0["partialFingerprints"] as? [String: String])?[SARIFReporter.fingerprintKey])?.hasPrefix("v1:") == true })
        // The GitHub copy leaves out suppressed results, and keeps the finding about a commit message.
        let github = try #require(try JSONSerialization.jsonObject(with: Data(SARIFReporter.report(sampleInput(), forGitHub: true).utf8)) as? [String: Any])
        let ghRun = try #require((github["runs"] as? [[String: Any]])?.first)
        let ghResults = (ghRun["results"] as? [[String: Any]]) ?? []
        #expect(ghResults.count == 5)
        #expect(ghResults.allSatisfy { $0["suppressions"] == nil })
        // Every result has a physical location (code scanning drops one without); the commit
        // message's is an artifact the run describes.
        for r in ghResults {
            let location = try #require((r["locations"] as? [[String: Any]])?.first)
            let artifact = try #require((location["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])
            #expect((artifact["uri"] as? String)?.isEmpty == false)
        }
        let message = try #require(ghResults.first { $0["ruleId"] as? String == "claim-contradicted" })
        let location = try #require((message["locations"] as? [[String: Any]])?.first)
        let physical = try #require(location["physicalLocation"] as? [String: Any])
        let artifact = try #require(physical["artifactLocation"] as? [String: Any])
        #expect(artifact["uri"] as? String == ".assay/messages/commit-0123456.txt")
        #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 3)
        #expect((location["logicalLocations"] as? [[String: Any]])?.first?["name"] as? String == "commit 0123456")
        let artifacts = try #require(ghRun["artifacts"] as? [[String: Any]])
        let index = try #require(artifact["index"] as? Int)
        #expect((artifacts[index]["location"] as? [String: Any])?["uri"] as? String == ".assay/messages/commit-0123456.txt")
        #expect(((artifacts[index]["description"] as? [String: Any])?["text"] as? String)?.contains("message of commit 0123456") == true)
    }

    /// JUnit as a real JUnit parser reads it (`junitparser`, installed by .ci/run).
    @Test func junitParsesWithAJUnitParser() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString).xml")
        try JUnitReporter.report(sampleInput(), failOn: .block).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try python("""
            import sys
            from junitparser import JUnitXml, Failure, Skipped
            xml = JUnitXml.fromfile(sys.argv[1])
            cases = [c for suite in xml for c in suite]
            failed = sum(1 for c in cases if any(isinstance(x, Failure) for x in c.result))
            skipped = sum(1 for c in cases if any(isinstance(x, Skipped) for x in c.result))
            print(len(cases), failed, skipped)
            """, [file.path])
        #expect(r.status == 0, "\(r.err)")
        // 5 findings (2 block = failures, 3 below the gate = skipped) + 2 suppressed (skipped).
        #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "7 2 5")
    }

    @Test func markdownIsCutAtItsLimitWithANote() {
        var input = sampleInput()
        input.findings = (1...500).map { i in
            Finding(rule: "todo-added", severity: .warn, path: "src/f\(i).ts", line: i, sha: input.sha,
                    message: "`TODO` added", fingerprint: "v1:\(i)")
        }
        let md = MarkdownReporter.report(input, limit: 4_000)
        #expect(md.utf8.count <= 4_000)
        #expect(md.hasPrefix(MarkdownReporter.marker))
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ⚠️") }.count
        #expect(rows > 10 && rows < 500)
        #expect(md.contains("\(500 - rows) more findings are not shown"))
    }

    @Test func annotationsAreCappedPerKindWithOneNoticeForTheRest() {
        var input = sampleInput()
        func f(_ s: Severity, _ i: Int) -> Finding {
            Finding(rule: "r", severity: s, path: "src/x.rs", line: i, sha: input.sha, message: "m\(i)", fingerprint: "v1:\(i)")
        }
        input.findings = (1...25).map { f(.block, $0) } + (1...12).map { f(.warn, $0) } + (1...3).map { f(.info, $0) }
        let lines = GitHubAnnotations.report(input).split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 10)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 10)
        #expect(lines.filter { $0.hasPrefix("::notice file=") }.count == 3)
        #expect(lines.last == "::notice title=assay::17 more findings — see the job summary")
        // Errors come first.
        #expect(lines.first?.hasPrefix("::error ") == true)
    }

    @Test func evidenceCellsStayInsideTheirCell() {
        let cell = MarkdownReporter.evidence(["let a = b | c;", "say `hi` <now>", String(repeating: "x", count: 300), "fourth"])
        let parts = cell.components(separatedBy: "<br>")
        #expect(parts.count == 4)
        #expect(parts[0] == "`let a = b \\| c;`")
        #expect(parts[1] == "say `hi` &lt;now&gt;")
        #expect(parts[2].count == MarkdownReporter.evidenceLength + 2 && parts[2].hasSuffix("…`"))
        #expect(parts[3] == "(+1 more)")
        #expect(!cell.contains("\n"))
    }

    @Test func escaping() {
        #expect(GitHubAnnotations.data("50% done\nnext") == "50%25 done%0Anext")
        #expect(GitHubAnnotations.property("a:b,c") == "a%3Ab%2Cc")
        #expect(JUnitReporter.escape("a<b & \"c\"\u{1}") == "a&lt;b &amp; &quot;c&quot;\u{FFFD}")
        #expect(percentEncodedPath("dir/a b#1?.rs") == "dir/a%20b%231%3F.rs")
        // Raw bytes that are not UTF-8: encoded as they are, never as U+FFFD.
        #expect(percentEncodedPath(bytes: Array("src/caf".utf8) + [0xE9] + Array(".rs".utf8)) == "src/caf%E9.rs")
        #expect(displayPathString(Array("é/caf".utf8) + [0xE9, 0xC3] + Array(".rs".utf8)) == "é/caf%E9%C3.rs")
    }
}
