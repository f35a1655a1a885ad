import AssayKit
import AssayTestSupport
import Foundation
import Testing

@Suite struct WhenWrittenTests {
    @Test func docClaimsAreJudgedAtTheCommitThatWroteThemAndNow() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Ship a and b", files: [
            "src/a.ts": "export const a = 1\n", "src/b.ts": "export const b = 2\n",
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` parser\n- [x] `src/ghost.ts` ghost mode\n",
        ])
        let c2 = try fx.commit("Remove a", deleting: ["src/a.ts"])
        let c3 = try fx.commit("Note b", files: [
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` parser\n- [x] `src/ghost.ts` ghost mode\n- [x] `src/b.ts` lexer\n",
        ])
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        let byScope = Dictionary(uniqueKeysWithValues: report.claims.map { ($0.scope.first ?? $0.subject, $0) })

        let a = try #require(byScope["src/a.ts"])
        #expect(a.verdict == "stale")  // true when written in c1, deleted in c2
        #expect(a.source.commit == c1)
        #expect(a.evidence.contains { $0.contains(String(c2.prefix(12))) })

        let ghost = try #require(byScope["src/ghost.ts"])
        #expect(ghost.verdict == "contradicted")  // false when written
        #expect(ghost.source.commit == c1)

        let b = try #require(byScope["src/b.ts"])
        #expect(b.verdict == "verified")
        #expect(b.source.commit == c3)
        // git blame agrees on who wrote each line.
        let blame = try fx.git("blame", "--root", "--first-parent", "-l", "-s", "HEAD", "--", "PROGRESS.md")
        let shas = blame.split(separator: "\n").map { String($0.prefix(40)) }
        #expect(shas[2] == c1 && shas[4] == c3)
    }
    @Test func symbolClaimsAreStaleWhenTheDefinitionWentAwayAndProseWhenItNeverExisted() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Legacy parser", files: [
            "src/legacy.rs": "pub fn parse_legacy(input: &str) -> usize { input.len() }\n",
            "src/store.ts": "export class DocumentStore { open() {} }\n",
            "STATUS.md": "# Status\n\n- ✅ `parse_legacy` handles v1 files\n- ✅ `DocumentStore.open` opens the store\n- ✅ `ContextDoc` - Document store\n",
        ])
        try fx.commit("Drop the legacy parser", deleting: ["src/legacy.rs"])
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        let symbols = Dictionary(uniqueKeysWithValues: report.claims.filter { $0.kind == "symbol" }.map { ($0.subject, $0) })
        let legacy = try #require(symbols["parse_legacy"])
        #expect(legacy.verdict == "stale")
        #expect(legacy.source.commit == c1)
        #expect(legacy.evidence.contains { $0.contains("src/legacy.rs") })
        #expect(symbols["DocumentStore.open"]?.verdict == "verified")
        #expect(symbols["ContextDoc"]?.verdict == "abstain")
    }
    @Test func aCountGoesStaleAndAClaimAheadOfTheCodeIsFalseWhenWrittenButHoldsNow() throws {
        let fx = try GitFixture()
        let c1 = try fx.commit("Lexer", files: [
            "src/a.ts": "export const a = 1\nexport const b = 2\n",
            "PROGRESS.md": "# Progress\n\n- Lexer done: `src/a.ts` (2 lines)\n- [x] `src/b.ts` parser\n",
        ])
        try fx.commit("Grow the lexer, add the parser", files: [
            // Two lines more: one more could be the trailing newline an editor counts (±1 holds).
            "src/a.ts": "export const a = 1\nexport const b = 2\nexport const c = 3\nexport const d = 4\n", "src/b.ts": "export {}\n",
        ])
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        let count = try #require(report.claims.first { $0.kind == "count" })
        #expect(count.verdict == "stale")
        #expect(count.verdictClass == "count-mismatch")
        #expect(count.source.commit == c1)
        let ahead = try #require(report.claims.first { $0.kind == "status" })
        #expect(ahead.verdict == "verified")
        #expect(ahead.verdictClass == "false-when-written")
        #expect(ahead.evidence.contains { $0.hasPrefix("when written:") && $0.contains("src/b.ts") })
    }

    @Test func claimsWorkOnABareRepository() throws {
        let fx = try GitFixture()
        try fx.commit("Ship", files: ["src/a.ts": "x\n", "TASKS.md": "- [x] `src/a.ts`\n- [x] `src/nope.ts`\n"])
        let bare = fx.root.appendingPathComponent("bare.git")
        let cloned = try runProcess("git", ["clone", "-q", "--bare", fx.path.path, bare.path])
        try #require(cloned.status == 0)
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: bare.path))
        #expect(report.claims.map(\.verdict).sorted() == ["contradicted", "verified"])
        #expect(FileManager.default.fileExists(atPath: bare.appendingPathComponent("assay/ledger.sqlite").path))
    }
}
