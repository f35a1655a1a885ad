import AssayCore
import AssayKit
import AssayLedger
import AssayTestSupport
import Foundation
import Testing

/// Drift on real repositories whose histories are built for each case.
@Suite struct DriftServiceTests {
    func drift(_ fx: GitFixture, at: String? = nil, since: String? = nil, backfill: Int = 0, record: Bool = false,
               progress: ((String) -> Void)? = nil) throws -> DriftReport {
        let service = DriftService()
        service.progress = progress
        return try service.run(DriftRequest(repositoryPath: fx.path.path, at: at, since: since, backfill: backfill, record: record))
    }

    func claim(_ r: DriftReport, _ scope: String) throws -> DriftClaim {
        try #require(r.claims.first { ($0.scope.first ?? $0.subject) == scope }, "no claim about \(scope) in \(r.claims.map(\.scope))")
    }

    @Test func aClaimFalseWhenWrittenIsToldApartFromOneThatWentStaleAtAKnownCommit() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Ship the parser", files: [
            "src/a.ts": "export const a = 1\n", "src/b.ts": "export const b = 2\n",
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` parser\n- [x] `src/ghost.ts` ghost mode\n- [x] `src/b.ts` lexer\n",
        ])
        try fx.commit("Add c", files: ["src/c.ts": "c\n"])
        let c3 = try fx.commit("Add d", files: ["src/d.ts": "d\n"])
        let c4 = try fx.commit("Remove the parser", deleting: ["src/a.ts"])
        try fx.commit("Add e", files: ["src/e.ts": "e\n"])
        let c6 = try fx.commit("Add f", files: ["src/f.ts": "f\n"])

        let r = try drift(fx)
        #expect(r.schema == "assay.drift/v1")
        #expect(r.ref == "main" && r.sha == c6)

        let a = try claim(r, "src/a.ts")
        #expect(a.verdict == "stale")
        #expect(a.origin == "went-stale")
        #expect(a.introduced?.sha == c1 && a.introduced?.verdict == "verified")
        #expect(a.since?.sha == c4, "the report names the commit that broke it")
        #expect(a.since?.subject == "Remove the parser")
        #expect(a.lastVerified == c3)
        #expect(a.firstSeen == c1)
        #expect(a.drift?.commits == 3)  // c4, c5, c6
        #expect(a.drift?.days == 0.0)

        let ghost = try claim(r, "src/ghost.ts")
        #expect(ghost.verdict == "contradicted")
        #expect(ghost.origin == "false-when-written")
        #expect(ghost.introduced?.sha == c1 && ghost.introduced?.verdict == "contradicted")
        #expect(ghost.since?.sha == c1)
        #expect(ghost.lastVerified == nil)
        #expect(ghost.drift?.commits == 6)

        let b = try claim(r, "src/b.ts")
        #expect(b.verdict == "verified" && b.origin == nil && b.since == nil && b.lastVerified == c6)
        #expect(r.summary.drifting == 2 && r.summary.falseWhenWritten == 1 && r.summary.wentStale == 1)
        // git's own blame agrees on the commit that wrote the stale claim's line.
        let blame = try fx.git("blame", "--root", "--first-parent", "-l", "-s", "-L", "3,3", "HEAD", "--", "PROGRESS.md")
        #expect(blame.hasPrefix(c1))
    }

    @Test func theStaleCommitIsFoundAcrossALongHistoryAndAMergedBranch() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Ship", files: ["src/a.ts": "a\n", "TASKS.md": "- [x] `src/a.ts` done\n"])
        for i in 0..<12 { try fx.commit("change \(i)", files: ["src/n\(i % 3).ts": "\(i)\n"]) }
        // A side branch deletes the file; the merge brings the deletion to main.
        try fx.git("checkout", "-q", "-b", "side")
        try fx.commit("Delete a on a branch", deleting: ["src/a.ts"])
        try fx.git("checkout", "-q", "main")
        for i in 12..<15 { try fx.commit("change \(i)", files: ["src/n\(i % 3).ts": "\(i)\n"]) }
        try fx.gitData(["merge", "-q", "--no-ff", "-m", "Merge side", "side"], environment: fx.dateEnvironment())
        let merge = try fx.head()
        for i in 15..<20 { try fx.commit("change \(i)", files: ["src/n\(i % 3).ts": "\(i)\n"]) }
        let r = try drift(fx)
        let a = try claim(r, "src/a.ts")
        #expect(a.verdict == "stale")
        #expect(a.introduced?.sha == c1)
        // First-parent history: on main, the claim broke at the merge.
        #expect(a.since?.sha == merge)
        #expect(a.lastVerified == (try fx.rev("\(merge)^1")))
        #expect(a.drift?.commits == 6)
    }

    @Test func driftResolvedBetweenTwoReportsIsReportedWithSince() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Plan", files: [
            "src/b.ts": "b\n", "src/c.ts": "c\n",
            "STATUS.md": "# Status\n\n- [x] `src/a.ts` ahead of the code\n- [x] `src/b.ts` lexer\n- [x] `src/c.ts` parser\n- [x] `src/ghost.ts` never\n",
        ])
        try fx.commit("Write a, drop b", files: ["src/a.ts": "a\n"], deleting: ["src/b.ts"])
        let r = try drift(fx, since: c1)
        let cmp = try #require(r.comparison)
        #expect(cmp.base.sha == c1)
        #expect(cmp.resolved.map(\.text) == ["`src/a.ts` ahead of the code"])
        #expect(cmp.resolved.first?.before == "contradicted" && cmp.resolved.first?.after == "verified")
        #expect(cmp.new.map(\.text) == ["`src/b.ts` lexer"])
        #expect(cmp.new.first?.before == "verified" && cmp.new.first?.after == "stale")
        #expect(cmp.persistent.map(\.text) == ["`src/ghost.ts` never"])

        // The same, with the earlier point given as a date (the newest commit at or before it).
        let date = try fx.git("show", "-s", "--format=%cI", c1).trimmingCharacters(in: .whitespacesAndNewlines)
        let byDate = try drift(fx, since: date)
        #expect(byDate.comparison?.base.sha == c1)
        #expect(byDate.comparison?.resolved.count == 1)
        // A date before the first commit is an error that says so.
        #expect(throws: AssayError.self) { try drift(fx, since: "2001-01-01") }
    }

    @Test func aSectionWhoseFilesChangedAfterItWasEditedIsPossiblyStale() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Design", files: [
            "src/parser.ts": "export function parse() {}\n", "src/lexer.ts": "export function lex() {}\n",
            "docs/design.md": "# Design\n\n## Parser\n\nThe parser lives in `src/parser.ts`.\n\n## Lexer\n\nThe lexer lives in `src/lexer.ts`.\n",
        ])
        let c2 = try fx.commit("Rework the parser", files: ["src/parser.ts": "export function parse(input: string) {}\n"])
        let r = try drift(fx)
        #expect(r.possiblyStale.count == 1)
        let s = try #require(r.possiblyStale.first)
        #expect(s.path == "docs/design.md" && s.section == "Parser" && s.line == 3)
        #expect(s.lastTouched.sha == c1)
        #expect(s.changed.map(\.path) == ["src/parser.ts"] && s.changed.first?.commit.sha == c2)
        #expect(r.summary.drifting == 0, "possibly stale is information, not drift")

        // Editing the section brings it up to date.
        try fx.commit("Document the input", files: [
            "docs/design.md": "# Design\n\n## Parser\n\nThe parser lives in `src/parser.ts` and takes a string.\n\n## Lexer\n\nThe lexer lives in `src/lexer.ts`.\n",
        ])
        #expect(try drift(fx).possiblyStale.isEmpty)
    }

    @Test func backfillGivesTheSameVerdictsAsSeparateRunsAndReusesWork() throws {
        let fx = try GitFixture()
        try fx.commit("Start", files: [
            "src/a.ts": "a\n", "src/b.ts": "b\nb\n", "src/c.ts": "c\n",
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` a\n- [x] `src/b.ts` b\n- Lexer done: `src/b.ts` (2 lines)\n",
            "docs/notes.md": "# Notes\n\nCreated `src/c.ts` for the cache.\n",
        ])
        try fx.commit("Grow b", files: ["src/b.ts": "b\nb\nb\n"])
        try fx.commit("More progress", files: [
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` a\n- [x] `src/b.ts` b\n- Lexer done: `src/b.ts` (2 lines)\n- [x] `src/d.ts` d\n",
        ])
        try fx.commit("Unrelated", files: ["README.md": "hello\n"])
        try fx.commit("Remove c", deleting: ["src/c.ts"])
        try fx.commit("Add d", files: ["src/d.ts": "d\n"])
        try fx.commit("Remove a", deleting: ["src/a.ts"])
        try fx.commit("Unrelated again", files: ["README.md": "hello again\n"])

        var lines: [String] = []
        let report = try drift(fx, backfill: 6, record: true) { lines.append($0) }
        #expect(report.history.count == 7)
        #expect(report.history.filter { $0.origin == "backfill" }.count == 6)
        #expect(report.history.map(\.drifting) != Array(repeating: report.history[0].drifting, count: 7), "the trend moves")
        let reuse = try #require(lines.first { $0.hasPrefix("reuse:") })
        #expect(reuse.contains("reused"), "\(reuse)")
        #expect(reuse.contains("blames 3 (reused 11)"), "an unchanged doc is not blamed again: \(reuse)")

        let repo = try RepositoryAccess.open(fx.path.path)
        let ledger = try RepositoryAccess.openLedger(for: repo)
        let runs = try ledger.driftRuns()
        #expect(runs.filter { $0.origin == "backfill" }.count == 6)
        for run in runs where run.origin == "backfill" {
            let separate = try drift(fx, at: run.sha)
            let recorded = try ledger.driftClaims(run: try #require(run.id))
            func key(_ id: String, _ path: String, _ line: Int?) -> String { "\(path):\(line ?? 0):\(id)" }
            let fromBackfill = Dictionary(uniqueKeysWithValues: recorded.map {
                (key($0.claimID, $0.path, $0.line), [$0.verdict, $0.verdictClass ?? "", $0.introduced ?? "", $0.since ?? ""])
            })
            let fromRun = Dictionary(uniqueKeysWithValues: separate.claims.map {
                (key($0.id, $0.path, $0.line), [$0.verdict, $0.verdictClass ?? "", $0.introduced?.sha ?? "", $0.since?.sha ?? ""])
            })
            #expect(fromBackfill == fromRun, "at \(run.sha)")
            #expect(run.contradicted == separate.summary.contradicted && run.stale == separate.summary.stale)
        }
        // A second backfill finds every point recorded and computes only the report's own.
        var again: [String] = []
        _ = try drift(fx, backfill: 6, record: true) { again.append($0) }
        #expect(!again.contains { $0.hasPrefix("backfill ") })
    }

    @Test func reportsLinkToTheForgeAndEscapeDocText() throws {
        let fx = try GitFixture()
        try fx.git("remote", "add", "origin", "git@github.com:acme/widgets.git")
        let sha = try fx.commit("Ship", files: [
            "src/a.ts": "a\n",
            "PROGRESS.md": "# Progress <img src=x onerror=alert(1)>\n\n- [x] `src/a.ts` <script>alert('a')</script> done\n- [x] `src/ghost.ts` \"><svg onload=alert(2)> ghost\n",
        ])
        let r = try drift(fx)
        #expect(r.remote == DriftRemote(host: "github", webURL: "https://github.com/acme/widgets"))
        let html = DriftHTML.render(r)
        #expect(html.contains("href=\"https://github.com/acme/widgets/blob/\(sha)/PROGRESS.md#L3\""))
        #expect(html.contains("href=\"https://github.com/acme/widgets/commit/\(sha)\""))
        #expect(html.components(separatedBy: "<script").count == 2, "only the report's own script")
        #expect(!html.contains("<img") && !html.contains("<svg onload"))
        #expect(html.contains("&lt;script&gt;alert(&#39;a&#39;)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("src=\"http"), "no external assets")
        let md = DriftText.markdown(r)
        #expect(!md.contains("<svg") && !md.contains("<script"))
        #expect(md.contains("[`\(sha.prefix(12))`](https://github.com/acme/widgets/commit/\(sha))"))
    }

    @Test(arguments: [
        ("git@github.com:acme/widgets.git", "github", "https://github.com/acme/widgets"),
        ("https://github.com/acme/widgets", "github", "https://github.com/acme/widgets"),
        ("ssh://git@gitlab.com:2222/group/sub/proj.git", "gitlab", "https://gitlab.com/group/sub/proj"),
        ("https://user:token@gitlab.example.org/g/p.git", "gitlab", "https://gitlab.example.org/g/p"),
    ])
    func remotesOnGitHubAndGitLabAreRecognised(url: String, host: String, web: String) {
        #expect(DriftRemote.parse(url) == DriftRemote(host: host, webURL: web))
    }

    @Test func otherRemotesGetNoLinks() {
        #expect(DriftRemote.parse("/srv/git/repo.git") == nil)
        #expect(DriftRemote.parse("https://bitbucket.org/a/b.git") == nil)
        #expect(DriftRemote.parse("https://github.com/a/b\"onmouseover=x") == nil)
        #expect(DriftRemote(host: "gitlab", webURL: "https://gitlab.com/g/p").fileURL("docs/a b.md", sha: "abc", line: 4)
            == "https://gitlab.com/g/p/-/blob/abc/docs/a%20b.md#L4")
    }
}
