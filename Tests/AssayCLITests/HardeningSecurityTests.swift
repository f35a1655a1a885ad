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
