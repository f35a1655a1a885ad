import AssayCore
import AssayKit
import AssayTestSupport
import Foundation
import Testing

@Suite struct CommitClaimsTests {
    /// A: adds a.ts (claims a.ts and b.ts); B: deletes a.ts and old.rs, saying so.
    func history() throws -> (GitFixture, a: String, b: String) {
        let fx = try GitFixture()
        try fx.commit("Scaffold", files: ["src/old.rs": "fn main() {}\n", "README.md": "# x\n"])
        let a = try fx.commit("Add the parser\n\nCreated `src/a.ts` and added `src/b.ts` for the lexer.\n",
                              files: ["src/a.ts": "export const a = 1\n"])
        let b = try fx.commit("Drop the old backend\n\n- `src/old.rs` deleted\n- `src/a.ts` removed as well\n",
                              deleting: ["src/a.ts", "src/old.rs"])
        return (fx, a, b)
    }

    @Test func falseWhenWrittenIsContradictedAndTrueThenFalseNowIsStale() throws {
        let (fx, a, _) = try history()
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path, commits: [a]))
        let bySubject = Dictionary(grouping: report.claims, by: \.subject)
        let claimA = try #require(bySubject["src/a.ts"]?.first)
        let claimB = try #require(bySubject["src/b.ts"]?.first)
        #expect(claimA.source.kind == "commit")
        #expect(claimA.source.commit == a)
        // a.ts existed when the message was written; it was deleted later: stale, with when and where.
        #expect(claimA.verdict == "stale")
        #expect(claimA.verdictClass == "deleted")
        #expect(claimA.evidence.contains { $0.hasPrefix("when written:") })
        #expect(claimA.evidence.contains { $0.contains("deleted in") })
        // b.ts never existed: false when written.
        #expect(claimB.verdict == "contradicted")
        #expect(claimB.verdictClass == "never-existed")
    }

    @Test func deletionClaimsInAMessageAreAbsenceClaims() throws {
        let (fx, _, b) = try history()
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path, commits: [b]))
        let absences = report.claims.filter { $0.kind == "absence" }
        #expect(Set(absences.map(\.subject)) == ["src/old.rs", "src/a.ts"])
        #expect(absences.allSatisfy { $0.verdict == "verified" })
    }

    @Test func rangeReadsEveryMessageInIt() throws {
        let (fx, a, b) = try history()
        let first = try fx.rev("HEAD~2")
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path, commits: ["\(first)..HEAD"]))
        #expect(Set(report.claims.compactMap(\.source.commit)) == [a, b])
    }

    @Test func prBodyClaimsAreJudgedAtTheAuditedCommit() throws {
        let (fx, _, _) = try history()
        let body = fx.root.appendingPathComponent("pr.md")
        try Data("## Summary\n\n- [x] `README.md` updated\n- [x] `src/c.ts` implemented\n- [ ] `src/d.ts` later\n".utf8).write(to: body)
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path, prBodyPath: body.path))
        let verdicts = Dictionary(uniqueKeysWithValues: report.claims.map { ($0.scope.first ?? $0.subject, $0.verdict) })
        #expect(verdicts["README.md"] == "verified")
        #expect(verdicts["src/c.ts"] == "contradicted")
        #expect(verdicts["src/d.ts"] == "abstain")
        #expect(report.claims.allSatisfy { $0.source.kind == "pr-body" })
    }
    @Test func testCountsInAMessageAreCountedInTheTestFilesTheCommitChanged() throws {
        let fx = try GitFixture()
        try fx.commit("Base", files: ["tests/old.test.ts": "it('a', () => {})\nit('b', () => {})\n"])
        let right = try fx.commit("Add the lexer tests\n\n3 tests passing (2 lexer + 1 go)\n", files: [
            "tests/lexer.test.ts": "describe('lexer', () => {\n  it('reads', () => {})\n  test('skips', () => {})\n})\n",
            "pkg/lex_test.go": "package lex\n\nimport \"testing\"\n\nfunc TestLex(t *testing.T) {}\n",
        ])
        let wrong = try fx.commit("More tests\n\nAdded 4 new tests for the parser\n", files: [
            "tests/parser.test.ts": "it('one', () => {})\nit('two', () => {})\n",
        ])
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path, commits: [right, wrong]))
        let byCommit = Dictionary(grouping: report.claims.filter { $0.kind == "count" || $0.kind == "test-result" },
                                  by: { $0.source.commit ?? "" })
        let r = try #require(byCommit[right]?.first)
        #expect(r.kind == "test-result")
        #expect(r.verdict == "unverifiable")  // the count matches; "passing" needs a test report
        #expect(r.evidence.contains { $0.contains("counted 3 in the 2 test files the commit changed") })
        let w = try #require(byCommit[wrong]?.first)
        #expect(w.kind == "count")
        #expect(w.verdict == "contradicted")
        #expect(w.verdictClass == "count-mismatch")
        #expect(w.evidence.contains { $0.contains("counted 2") })
    }
    @Test func commitReferencesResolveAndTheirDescriptionMustFit() throws {
        let (fx, a, _) = try history()
        let short = String(a.prefix(9))
        try fx.commit("Notes", files: ["PROGRESS.md": """
            # Progress

            - Parser landed in `\(short)` (add the parser)
            - Backend removal is `\(short)` (drop the backend)
            - Lexer fix: commit `abcdef1234` (lexer)

            """])
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        let refs = report.claims.filter { $0.kind == "commit-reference" }.sorted { $0.source.line! < $1.source.line! }
        #expect(refs.map(\.verdict) == ["verified", "contradicted", "contradicted"])
        #expect(refs.map { $0.verdictClass ?? "" } == ["", "subject-mismatch", "unknown-commit"])
        #expect(refs[0].evidence.first?.contains(String(a.prefix(12))) == true)
        #expect(refs[0].evidence.first?.contains("Add the parser") == true)
    }
}
