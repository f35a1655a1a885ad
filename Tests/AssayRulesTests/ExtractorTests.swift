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
}
