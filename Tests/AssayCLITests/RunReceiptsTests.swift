import AssayTestSupport
import Foundation
import Testing

/// `assay audit`, `assay ci` and `assay claims` each leave one receipt on the commit they decided
/// about, unless `--no-receipt`; the git CLI reads them back.
@Suite struct RunReceiptsTests {
    /// The receipt lines git holds on `rev` (none: an empty list).
    func receipts(_ fx: GitFixture, _ rev: String) throws -> [[String: Any]] {
        let r = try runProcess("git", ["-C", fx.path.path, "notes", "--ref=assay/receipts", "show", rev])
        guard r.status == 0 else { return [] }
        return r.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func predicate(_ receipt: [String: Any]) -> [String: Any] { receipt["predicate"] as? [String: Any] ?? [:] }

    @Test func anAuditOfACommitLeavesOneReceiptOnIt() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        let head = try fx.commit("stub", files: ["src/s.rs": "fn s() { todo!() }\n"])
        let sarif = fx.root.appendingPathComponent("out.sarif")
        let r = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--commit", "HEAD", "--format", "sarif",
                                                   "--output", sarif.path], timeout: 60)
        #expect(r.status == 1, "\(r.err)")
        let lines = try receipts(fx, head)
        #expect(lines.count == 1)
        let receipt = try #require(lines.first)
        #expect(receipt["_type"] as? String == "https://in-toto.io/Statement/v1")
        let p = predicate(receipt)
        #expect(p["command"] as? String == "audit")
        #expect(p["git_sha"] as? String == head)
        #expect(p["git_tree"] as? String == (try fx.rev("HEAD^{tree}")))
        #expect(p["git_dirty"] as? Bool == false)
        #expect(p["verdict"] as? String == "fail")
        #expect(p["validation_pass"] as? Bool == false)
        #expect(p["exit_code"] as? Int == 1)
        #expect(((p["record_counts"] as? [String: Any])?["by_category"] as? [String: Any])?["block"] as? Int == 1)
        // The SARIF file is the subject, with the digests sha256sum and git compute.
        let subject = try #require((receipt["subject"] as? [[String: Any]])?.first)
        let digest = try #require(subject["digest"] as? [String: String])
        let sha = try runProcess("sha256sum", [sarif.path]).out.split(separator: " ").first.map(String.init)
        #expect(digest["sha256"] == sha)
        let blob = try runProcess("git", ["hash-object", "--no-filters", sarif.path]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest["gitBlob"] == blob)
        // assay verifies it; an edited output no longer matches.
        let verify = try runProcess(assayExecutable(), ["receipts", "verify", "--repo", fx.path.path, "HEAD"], in: fx.root, timeout: 60)
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
        try Data("{}".utf8).write(to: sarif)
        let edited = try runProcess(assayExecutable(), ["receipts", "verify", "--repo", fx.path.path, "HEAD"], in: fx.root, timeout: 60)
        #expect(edited.status == 1)
        #expect((edited.out + edited.err).contains("out.sarif"), "\(edited.out)\(edited.err)")
    }

    @Test func noReceiptLeavesNoneAndAStagedAuditIsMarkedDirty() throws {
        let fx = try GitFixture()
        let head = try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 2 }\n")
        try fx.git("add", "-A")
        let none = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--staged", "--no-receipt"], timeout: 60)
        #expect(none.status == 0, "\(none.err)")
        #expect(try receipts(fx, head).isEmpty)
        #expect(try runProcess("git", ["-C", fx.path.path, "rev-parse", "-q", "--verify", "refs/notes/assay/receipts"]).status != 0)
        let one = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--staged"], timeout: 60)
        #expect(one.status == 0, "\(one.err)")
        let lines = try receipts(fx, head)
        #expect(lines.count == 1)
        #expect(predicate(lines[0])["git_dirty"] as? Bool == true)
        // The index was not touched by writing the note.
        #expect(try fx.git("diff", "--cached", "--name-only").trimmingCharacters(in: .whitespacesAndNewlines) == "src/lib.rs")
    }

    @Test func claimsAndCILeaveTheirOwnReceipts() throws {
        let fx = try GitFixture()
        let base = try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        let head = try fx.commit("Add `src/parser.rs`", files: ["src/parser.rs": "pub fn parse() {}\n"])
        let claims = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--commit", "HEAD"], timeout: 60)
        #expect(claims.status == 0, "\(claims.err)")
        let event = fx.root.appendingPathComponent("event.json")
        try JSONSerialization.data(withJSONObject: ["before": base, "after": head]).write(to: event)
        let junit = fx.root.appendingPathComponent("junit.xml")
        let ci = try runProcess(assayExecutable(), ["ci", "--repo", fx.path.path, "--junit", junit.path],
                                environment: ["GITHUB_ACTIONS": "true", "GITLAB_CI": "", "GITHUB_EVENT_NAME": "push",
                                              "GITHUB_EVENT_PATH": event.path, "GITHUB_SHA": head, "GITHUB_TOKEN": "",
                                              "GITHUB_STEP_SUMMARY": ""], timeout: 60)
        #expect(ci.status == 0, "\(ci.err)")
        let lines = try receipts(fx, head)
        #expect(lines.map { predicate($0)["command"] as? String } == ["claims", "ci"])
        let ciReceipt = try #require(lines.last)
        // Outside the working tree, a path is absolute.
        #expect((ciReceipt["subject"] as? [[String: Any]])?.first?["name"] as? String == junit.path)
        #expect(predicate(lines[0])["verdict"] as? String == "pass")
    }

    @Test func aDriftReportLeavesAReceiptWithItsOutputAsSubject() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n",
                                      "PHASES.md": "# Phases\n\n- [x] `src/lib.rs` written\n- [x] `src/gone.rs` written\n"])
        let head = try fx.head()
        let html = fx.root.appendingPathComponent("drift.html")
        let r = try runProcess(assayExecutable(), ["drift", "--repo", fx.path.path, "--format", "html", "--output", html.path], timeout: 120)
        #expect(r.status == 0, "\(r.err)")
        let lines = try receipts(fx, head)
        #expect(lines.count == 1)
        let p = predicate(try #require(lines.first))
        #expect(p["command"] as? String == "drift")
        #expect(p["verdict"] as? String == "drifting")
        #expect(((p["record_counts"] as? [String: Any])?["by_category"] as? [String: Any])?["contradicted"] as? Int == 1)
        let subject = try #require((lines.first?["subject"] as? [[String: Any]])?.first)
        #expect(subject["name"] as? String == html.path)
        let sha = try runProcess("sha256sum", [html.path]).out.split(separator: " ").first.map(String.init)
        #expect((subject["digest"] as? [String: String])?["sha256"] == sha)
    }
}
