import AssayTestSupport
import Foundation
import Testing

/// A mistyped rule id gets the rule it most likely meant.
@Suite struct RuleSuggestionTests {
    @Test(arguments: [
        ("stubb", "did you mean `stub-marker`?"),
        ("stub-markr", "did you mean `stub-marker`?"),
        ("todo", "did you mean `todo-added`?"),
        ("Conflict-Marker", "did you mean `conflict-marker`?"),
        ("marker", "did you mean `stub-marker` or `conflict-marker`?"),
    ])
    func mistypedRuleGetsASuggestion(_ typed: String, _ expected: String) throws {
        let r = try runProcess(assayExecutable(), ["rules", typed])
        #expect(r.status == 2)
        #expect(r.err.contains("no rule named `\(typed)`; \(expected)"), "\(r.err)")
        #expect(r.err.contains("the rules are: stub-marker"))
    }

    @Test func farFromEveryRuleGetsTheListOnly() throws {
        let r = try runProcess(assayExecutable(), ["rules", "qqqqqqqq"])
        #expect(r.status == 2)
        #expect(!r.err.contains("did you mean"), "\(r.err)")
        #expect(r.err.contains("the rules are: stub-marker"))
    }
}
