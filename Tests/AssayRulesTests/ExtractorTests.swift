import AssayCore
@testable import AssayRules
import MarkdownKit
import Testing

/// Sentences and the claims they must (or must not) yield: kind and subject.
@Suite struct ExtractorTests {
    static let cases: [(String, [String])] = [
        ("- [x] Remove `src/legacy.ts`", ["absence src/legacy.ts"]),
        ("- [x] Moved `src/a.ts` to `src/b.ts`", ["absence src/a.ts", "status src/b.ts"]),
        ("Fixed `src/app.ts`: remove unused import", []),
        ("`src/app.ts`: removed the unused import", []),
        ("`src/tmux.rs` deleted, replaced by the PTY backend", ["absence src/tmux.rs"]),
        ("`src/tmux.rs` was removed", ["absence src/tmux.rs"]),
        ("Created `src/cli/index.ts`", ["path src/cli/index.ts"]),
        ("Built with `Next.js` and `src/app.tsx` added", ["path src/app.tsx"]),
        ("- [ ] Add `src/later.ts`", []),
    ]

    @Test(arguments: cases)
    func sentence(_ text: String, _ expected: [String]) {
        let claims = DocClaimExtractor.claims(in: MarkdownDocument.parse(text), path: "NOTES.md", commit: nil)
            .filter { $0.abstainReason == nil }
        let got = claims.map { c in "\(c.claim.kind.rawValue) \(c.claim.kind == .status ? c.claim.scope.joined(separator: ",") : c.claim.subject)" }
        #expect(got.sorted() == expected.sorted(), "\(text)")
    }

    /// Found by fuzzing (FuzzMarkdownClaims): a long digit run before a word that is not "lines"
    /// made every digit a start of the line-count expression, each backtracking over the rest of
    /// the run: 4,000 digits took seconds, enough to stall a commit-msg hook.
    @Test func longDigitRunIsQuick() {
        let text = "`src/a.py` " + String(repeating: "1", count: 4000) + " x line"
        // (Its speed is the fuzzer's to watch, under `-timeout=1`; a test asserts what it finds.)
        let claims = DocClaimExtractor.claims(in: MarkdownDocument.parse(text), path: "NOTES.md", commit: nil)
        #expect(claims.allSatisfy { $0.count == nil })
    }

    /// Line and file counts still start at the number, with or without a hedge before it.
    @Test(arguments: [
        ("`tui/app.rs` (1,772 lines)", "tui/app.rs", "lines 1772 exact"),
        ("`tui/app.rs` is ~1,800 lines", "tui/app.rs", "lines 1800 approximate"),
        ("`tui/app.rs`: about 900+ lines", "tui/app.rs", "lines 900 approximate"),
        ("12 files under `src/ports/`", "src/ports/", "files 12 exact"),
        ("over 30 files in `src/`", "src/", "files 30 approximate"),
        ("`tui/app.rs` has 12 lines", "tui/app.rs", "lines 12 exact"),
    ])
    func lineAndFileCounts(_ text: String, _ path: String, _ expected: String) {
        let got = CountClaimExtractor.counts(in: text, paths: [path]).compactMap { c -> String? in
            switch c.counted {
            case .lines: return "lines \(c.value) \(c.approximate ? "approximate" : "exact")"
            case .files: return "files \(c.value) \(c.approximate ? "approximate" : "exact")"
            case .tests, .tasks, .changedFiles, .other: return nil
            }
        }
        #expect(got == [expected], "\(text)")
    }
}
