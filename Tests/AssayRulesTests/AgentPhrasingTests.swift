import AssayCore
@testable import AssayRules
import MarkdownKit
import Testing

/// Shapes agents write claims in, beyond backticked paths: each with the claims it must yield.
@Suite struct AgentPhrasingTests {
    func claims(_ markdown: String, kind: String = "doc", path: String = "NOTES.md") -> [String] {
        let source = ClaimSource(kind: kind, path: kind == "doc" ? path : nil, commit: nil)
        return DocClaimExtractor.claims(in: MarkdownDocument.parse(markdown), source: source)
            .filter { $0.abstainReason == nil }
            .map { c in "\(c.claim.kind.rawValue) \(c.claim.kind == .status ? c.claim.scope.joined(separator: ",") : c.claim.subject)" }
    }

    @Test func bareSymbolsInShipLines() {
        #expect(claims("- [X] T026 Implement PluginRegistry struct in crush-core/src/plugin/registry.rs")
                    .sorted() == ["status crush-core/src/plugin/registry.rs", "symbol PluginRegistry"])
        #expect(claims("- [x] Implement the parser and the lexer") == ["status "])
    }

    @Test func removedSymbolsAndPaths() {
        #expect(claims("Remove obsolete hello() placeholder", kind: "commit") == ["absence hello()"])
        #expect(claims("- Remove core generator files (gen.ts, templates.ts)", kind: "commit").sorted()
                    == ["absence gen.ts", "absence templates.ts"])
        // Removed *from* a file: the file stays.
        #expect(!claims("Removed the import from src/app.ts", kind: "commit").contains("absence src/app.ts"))
    }

    @Test func shipLinesThatNameNothingCheckableAreStillClaims() {
        #expect(claims("- ✅ Cross-platform release workflow") == ["status "])
        #expect(claims("- Added retry with backoff", kind: "commit") == ["status "])
        #expect(claims("- Retry with backoff is planned") == [])
    }

    @Test func deliverableListsAndRemovedSections() {
        #expect(claims("- **COVERAGE.md** - Code coverage analysis") == ["path COVERAGE.md"])
        #expect(claims("### Files Removed\n\n- src/flow/types/action-step.ts\n").contains("absence src/flow/types/action-step.ts"))
        #expect(claims("### Files Removed\n\n```\nsrc/a.ts\nsrc/b.ts\n```\n").sorted() == ["absence src/a.ts", "absence src/b.ts"])
    }

    @Test func treeListingsCarryLineCounts() {
        let got = claims("```\ntests/\n├── core.test.ts        # 262→87 lines (-67%)\n└── other.test.ts  # 131→104 lines\n```\n")
        #expect(got == ["count 87 lines in core.test.ts", "count 104 lines in other.test.ts"])
    }

    @Test func rowCountsCountTheNamedFileOrTheDoc() {
        #expect(claims("**Row Count:** 159", path: "memory-bank/learnings.md") == ["count 159 lines in memory-bank/learnings.md"])
        #expect(claims("### history-001.md\n\n- **Row Count:** ~520 (approx)\n") == ["count 520 lines in history-001.md"])
    }

    @Test func taskCountsAndOtherCounts() {
        #expect(claims("### Tasks Completed: 174/174 (100%)") == ["count 174/174 tasks"])
        #expect(claims("**Progress**: 77/78 tasks complete", kind: "commit") == ["count 77/78 tasks"])
        #expect(claims("All 14 pre-commit hooks pass") == ["count 14 hooks"])
        #expect(claims("52 files changed (160 insertions, 223 deletions)", kind: "commit") == ["count 52 files changed"])
    }
}

@Suite struct TaskCountReadingsTests {
    @Test func theTaskListBesideTheDocDecides() {
        var facts = FakeFacts()
        facts.files = ["specs/005/tasks.md": "- [x] T1\n- [x] T2\n- [ ] T3\n```\n- [x] not a task\n```\n",
                       "specs/005/SUMMARY.md": "Tasks Completed: 3/3"]
        #expect(TaskCountReadings.checkboxes(Array(facts.files["specs/005/tasks.md"]!.utf8)) == (2, 3))
        let claim = Claim(kind: .count, text: "t", subject: "3/3 tasks", source: ClaimSource(kind: "doc", path: "specs/005/SUMMARY.md"))
        let wrong = TaskCountReadings.verify(claim, done: 3, total: 3, docPath: "specs/005/SUMMARY.md", facts: facts)
        #expect(wrong.verdict == .contradicted)
        #expect(wrong.evidence.first == "specs/005/tasks.md has 2 of 3 items checked at 0123456789ab")
        #expect(TaskCountReadings.verify(claim, done: 2, total: 3, docPath: "specs/005/SUMMARY.md", facts: facts).verdict == .verified)
        // No task list beside it: nothing to count against.
        #expect(TaskCountReadings.verify(claim, done: 3, total: 3, docPath: "docs/STATUS.md", facts: facts).verdict == .unverifiable)
    }
}

@Suite struct TasksYAMLExtractorTests {
    @Test func completedTasksClaimLikeCheckedItems() {
        let yaml = """
            phases:
                - number: 1
                  tasks:
                    - id: "T001"
                      title: "Create check.go file with command skeleton"
                      status: "Completed"
                      file_path: "internal/cli/util/check.go"
                      acceptance_criteria:
                        - "File exists at internal/cli/util/check.go"
                    - id: "T006"
                      title: "Remove startAsyncUpdateCheck from version command"
                      status: "Completed"
                    - id: "T007"
                      title: "Add cleanupCache helper"
                      status: "Pending"
                      file_path: "internal/cache.go"
            """
        let claims = TasksYAMLExtractor.claims(in: Array(yaml.utf8), path: "specs/072/tasks.yaml", commit: nil)
        let active = claims.filter { $0.abstainReason == nil }.map { "\($0.claim.kind.rawValue) \($0.claim.kind == .status ? $0.claim.scope.joined() : $0.claim.subject) @\($0.claim.source.line ?? 0)" }
        #expect(active.sorted() == ["absence startAsyncUpdateCheck @10", "status internal/cli/util/check.go @4"])
        #expect(claims.contains { $0.abstainReason == "task status is pending" })
    }
}

@Suite struct BareSymbolExtractorTests {
    static let cases: [(String, [String])] = [
        ("Implement PluginRegistry struct in crush-core/src/plugin/registry.rs", ["PluginRegistry"]),
        ("Create check.go with ckCmd skeleton using RunE pattern", ["ckCmd", "RunE"]),
        ("Add gen_sum_code_v0 and with_plugin() method", ["gen_sum_code_v0", "with_plugin()"]),
        ("Implement the parser. Update README", []),
        ("`ContextDoc` is backticked", []),
    ]

    @Test(arguments: cases)
    func symbols(_ text: String, _ expected: [String]) {
        #expect(BareSymbolExtractor.symbols(in: text) == expected, "\(text)")
    }
}
