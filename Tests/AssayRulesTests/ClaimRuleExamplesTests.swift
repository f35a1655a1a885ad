import AssayCore
@testable import AssayRules
import MarkdownKit
import Testing

/// The claim rule's examples, checked against the rule's example tree: contradicted claims land on
/// the marked lines, and nowhere else.
@Suite struct ClaimRuleExamplesTests {
    func contradictedLines(_ example: RuleExample) -> [Int] {
        let (text, _) = example.unmarked
        let facts = FakeFacts(files: ClaimContradictedRule.exampleTree)
        let claims = DocClaimExtractor.claims(in: MarkdownDocument.parse(Array(text.utf8)), path: example.path, commit: facts.sha)
        return claims.map { ClaimVerifier.verify($0, facts: facts) }
            .filter { $0.verdict == .contradicted }
            .compactMap(\.claim.source.line).sorted()
    }

    @Test(arguments: ClaimContradictedRule.description.triggering.indices)
    func triggering(_ index: Int) {
        let example = ClaimContradictedRule.description.triggering[index]
        #expect(contradictedLines(example) == example.unmarked.marked,
                sourceLocation: SourceLocation(fileID: "AssayRules/ClaimContradictedRule.swift", filePath: example.sourceFile,
                                               line: example.sourceLine, column: 1))
    }

    @Test(arguments: ClaimContradictedRule.description.nonTriggering.indices)
    func nonTriggering(_ index: Int) {
        let example = ClaimContradictedRule.description.nonTriggering[index]
        #expect(contradictedLines(example).isEmpty,
                sourceLocation: SourceLocation(fileID: "AssayRules/ClaimContradictedRule.swift", filePath: example.sourceFile,
                                               line: example.sourceLine, column: 1))
    }

    @Test func admissionsNameTheirPathsOrCoverTheChange() {
        let found = StubAdmission.find(in: [
            ("docs/NOTES.md:3", "`src/ports/evidence.rs` is a skeleton with TODO markers for now."),
            ("PR body", "This PR scaffolds the storage layer."),
            ("docs/NOTES.md:9", "No stubs remain in `src/core/`."),
            ("docs/NOTES.md:10", "The parser handles every case."),
            ("docs/NOTES.md:11", "All stubs are now implemented."),
            ("docs/NOTES.md:12", "Update the placeholder text on the login page."),
        ])
        #expect(found.map(\.source) == ["docs/NOTES.md:3", "PR body"])
        #expect(found[0].covers("src/ports/evidence.rs"))
        #expect(!found[0].covers("src/ports/other.rs"))
        #expect(found[1].paths.isEmpty && found[1].covers("anything/at/all.rs"))
    }
}
