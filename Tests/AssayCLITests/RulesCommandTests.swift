import AssayTestSupport
import Foundation
import Testing

@Suite struct RulesCommandTests {
    static let ruleIDs = ["stub-marker", "todo-added", "test-without-assertion", "test-skipped", "conflict-marker",
                          "large-binary", "claim-contradicted"]

    @Test func listsEveryRuleWithItsDefaultSeverity() throws {
        let r = try runProcess(assayExecutable(), ["rules"])
        #expect(r.status == 0)
        for id in Self.ruleIDs { #expect(r.out.contains(id), "\(id)") }
        #expect(r.out.contains("stub-marker") && r.out.split(separator: "\n").first { $0.hasPrefix("stub-marker") }?.contains("block") == true)
    }

    @Test func explainsOneRuleWithItsExamples() throws {
        let r = try runProcess(assayExecutable(), ["rules", "stub-marker"])
        #expect(r.status == 0)
        #expect(r.out.contains("Triggers:"))
        #expect(r.out.contains("Does not trigger:"))
        #expect(r.out.contains("→ "))
        let unknown = try runProcess(assayExecutable(), ["rules", "no-such-rule"])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("stub-marker"))
    }

    @Test func jsonListsTheExamples() throws {
        let r = try runProcess(assayExecutable(), ["rules", "--format", "json"])
        let rules = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]])
        #expect(rules.compactMap { $0["id"] as? String } == Self.ruleIDs)
        for rule in rules {
            #expect(((rule["triggering"] as? [Any]) ?? []).count >= 2)
            #expect(((rule["non_triggering"] as? [Any]) ?? []).count >= 2)
        }
    }

    /// docs/rules.md is generated from the rules' examples; it must match what the binary prints.
    @Test func generatedRuleReferenceIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let r = try runProcess(assayExecutable(), ["rules", "--format", "markdown"])
        #expect(r.status == 0)
        #expect(committed == r.out, "docs/rules.md is out of date: run `assay rules --format markdown > docs/rules.md`")
    }
}
