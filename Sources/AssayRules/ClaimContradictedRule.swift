/// The audit rule for claims a change makes that the audited content contradicts: a checked item
/// naming a file that is not there, a count that does not match, a commit message saying a path was
/// added when it was not. Its examples are docs checked against `exampleTree`.
public enum ClaimContradictedRule {
    public static let id = "claim-contradicted"

    /// The files (and contents) present when the rule's examples are checked.
    public static let exampleTree: [String: String] = [
        "src/ports/evidence.ts": "export interface EvidencePort { read(): string }\n",
        "src/app.ts": "import { EvidencePort } from './ports/evidence.js'\n",
        "tests/app.test.ts": "test('reads', () => { expect(1).toBe(1) })\ntest('writes', () => { expect(2).toBe(2) })\n",
    ]

    public static let description = RuleDescription(
        id: id,
        name: "Contradicted claims",
        summary: "A claim the change makes (in a doc it edits, a commit message, the PR body) is false in the audited content.",
        rationale: """
            Ship-claims drift: a task list says a file exists, a commit says "12 tests", a PR body says a \
            module is done. When the change itself writes a claim that its own content contradicts, the \
            claim is false from the start. Fix the claim or finish the work; `assay claims` shows the \
            evidence for each verdict.
            """,
        defaultSeverity: .block,
        triggering: [
            RuleExample("PLAN.md", """
                # Plan
                ↓- [x] `src/ports/storage.ts` — storage port
                - [x] `src/ports/evidence.ts` — evidence port
                """),
            RuleExample("docs/progress.md", """
                ## Done
                ↓✅ Phase 2 complete: `src/ports/evidence.ts`, `src/ports/ledger.ts`
                """),
            RuleExample("STATUS.md", """
                # Status
                ↓The suite has 5 tests in `tests/app.test.ts`.
                """),
        ],
        nonTriggering: [
            RuleExample("PLAN.md", """
                # Plan
                - [x] `src/ports/evidence.ts` — evidence port
                """),
            RuleExample("PLAN.md", """
                # Plan
                - [ ] `src/ports/storage.ts` — storage port, next
                """),
            RuleExample("docs/progress.md", """
                ## Next steps
                - Add `src/ports/ledger.ts` once the schema settles.
                """),
            RuleExample("STATUS.md", """
                # Status
                The suite has 2 tests in `tests/app.test.ts`.
                """),
        ])
}
