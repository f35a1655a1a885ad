import AssayCore
import AssayPolicy
import Foundation
import Testing

private func rubric(_ yaml: String, file: String = "r.yml") throws(AssayError) -> Rubric {
    try Rubric.parse(Array(yaml.utf8), file: file)
}

private func rubricError(_ yaml: String) -> AssayError? {
    do throws(AssayError) {
        _ = try rubric(yaml)
        return nil
    } catch {
        return error
    }
}

private func findings(_ items: [(String, Severity)]) -> [RubricFinding] {
    items.map { RubricFinding(rule: $0.0, severity: $0.1) }
}

private func repeated<T>(_ item: T, _ n: Int) -> [T] { Array(repeating: item, count: n) }

@Suite("Rubric: the built-in default")
struct DefaultRubricTests {
    let rubric = Rubric.builtInDefault()

    @Test func fileIsByteIdenticalToTheEmbeddedRubric() throws {
        let url = repositoryRoot().appendingPathComponent("rubrics/default.yml")
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(bytes == Array(Rubric.defaultYAML.utf8))
    }

    @Test func parsesAsDocumented() {
        #expect(rubric.name == "audit-default")
        #expect(rubric.warnings.isEmpty)
        #expect(rubric.riskBase == 0)
        #expect(rubric.utilityBase == 60)
        #expect(rubric.risk == [
            .init(id: "blocking-findings", description: "findings the policy blocks", selector: .severity(.block), weight: 40, max: 100),
            .init(id: "contradicted-claims", description: "claims the repository contradicts", selector: .claim(.contradicted), weight: 35),
            .init(id: "stale-claims", description: "claims that were true when written and are false now",
                  selector: .claim(.stale), weight: 10, max: 30),
            .init(id: "warnings", description: "findings the policy warns about", selector: .severity(.warn), weight: 5, max: 30),
            .init(id: "unverifiable-claims", description: "claims assay could not check", selector: .claim(.unverifiable),
                  weight: 3, max: 15),
        ])
        #expect(rubric.utility.map(\.id) == ["verified-claims", "tests-without-assertions", "skipped-tests", "todos-added"])
        #expect(rubric.utility.map(\.selector) == [.claim(.verified), .rule("test-without-assertion"), .rule("test-skipped"),
                                                  .rule("todo-added")])
        #expect(rubric.utility.map(\.weight) == [10, -10, -10, -5])
        #expect(rubric.utility.map(\.max) == [40, 30, 30, 20])
        #expect(rubric.reject == [.riskAtLeast(70)])
        #expect(rubric.hold == [.riskAtLeast(30), .utilityBelow(40)])
    }

    @Test func cleanChangeIsApproved() {
        let d = rubric.evaluate(RubricInput())
        #expect(d == RubricDecision(decision: "APPROVE", utility: 60, risk: 0,
                                    reasons: ["APPROVE: risk 0 < 30 and utility 60 ≥ 40"], rubric: "audit-default"))
    }

    @Test func approveWithContributions() {
        let d = rubric.evaluate(RubricInput(findings: findings([("todo-added", .warn)]),
                                            claimVerdicts: [.verified, .verified, .abstain]))
        // risk: 1 warning × 5 = 5; utility: 60 + 2 × 10 − 1 × 5 = 75.
        #expect(d.decision == "APPROVE")
        #expect(d.risk == 5)
        #expect(d.utility == 75)
        #expect(d.reasons == [
            "risk +5 (warnings): 1 warning × 5",
            "utility +20 (verified-claims): 2 verified claims × 10",
            "utility -5 (todos-added): 1 todo-added finding × -5",
            "APPROVE: risk 5 < 30 and utility 75 ≥ 40",
        ])
    }

    @Test func twoBlockingFindingsReject() {
        let d = rubric.evaluate(RubricInput(findings: findings([("stub-marker", .block), ("conflict-marker", .block)])))
        #expect(d == RubricDecision(decision: "REJECT", utility: 60, risk: 80, reasons: [
            "risk +80 (blocking-findings): 2 blocking findings × 40",
            "REJECT: risk 80 ≥ 70",
        ], rubric: "audit-default"))
    }

    @Test func aContradictedClaimHolds() {
        let d = rubric.evaluate(RubricInput(claimVerdicts: [.contradicted, .unverifiable]))
        // risk: 35 + 3 = 38.
        #expect(d.decision == "HOLD")
        #expect(d.risk == 38)
        #expect(d.reasons == [
            "risk +35 (contradicted-claims): 1 contradicted claim × 35",
            "risk +3 (unverifiable-claims): 1 unverifiable claim × 3",
            "HOLD: risk 38 ≥ 30",
        ])
    }

    @Test func lowUtilityHolds() {
        let d = rubric.evaluate(RubricInput(findings: findings(repeated(("test-skipped", .warn), 3))))
        // risk: 3 × 5 = 15; utility: 60 − 3 × 10 = 30.
        #expect(d.decision == "HOLD")
        #expect(d.risk == 15)
        #expect(d.utility == 30)
        #expect(d.reasons == [
            "risk +15 (warnings): 3 warnings × 5",
            "utility -30 (skipped-tests): 3 test-skipped findings × -10",
            "HOLD: utility 30 < 40",
        ])
    }

    @Test func capsApplyToTheAbsoluteContribution() {
        let d = rubric.evaluate(RubricInput(findings: findings(repeated(("todo-added", .warn), 5))))
        // risk: 5 × 5 = 25; utility: 60 − min(25, 20) = 40 — not below 40.
        #expect(d.decision == "APPROVE")
        #expect(d.risk == 25)
        #expect(d.utility == 40)
        #expect(d.reasons == [
            "risk +25 (warnings): 5 warnings × 5",
            "utility -20 (todos-added): 5 todo-added findings × -5 = -25, capped at 20",
            "APPROVE: risk 25 < 30 and utility 40 ≥ 40",
        ])
    }

    @Test func riskIsCappedThenClamped() {
        let d = rubric.evaluate(RubricInput(findings: findings(repeated(("stub-marker", .block), 3)),
                                            claimVerdicts: [.contradicted]))
        // 3 × 40 = 120 capped at 100, + 35 = 135, clamped to 100.
        #expect(d.risk == 100)
        #expect(d.reasons == [
            "risk +100 (blocking-findings): 3 blocking findings × 40 = 120, capped at 100",
            "risk +35 (contradicted-claims): 1 contradicted claim × 35",
            "risk 135 clamped to 100",
            "REJECT: risk 100 ≥ 70",
        ])
    }

    @Test func inputFromAuditResultsLeavesSuppressedFindingsOut() {
        let kept = Finding(rule: "stub-marker", severity: .block, path: "a.rs", line: 2, sha: "abc", message: "todo!()",
                           fingerprint: "v1:0")
        var suppressed = kept
        suppressed.suppression = Suppression(kind: "baseline", reason: "known")
        let claim = Claim(kind: .path, text: "`a.rs` exists", subject: "a.rs", source: ClaimSource(kind: "doc", path: "README.md"))
        let input = RubricInput(findings: [kept, suppressed],
                                claims: [ClaimResult(claim: claim, verdict: .stale, evidence: [])])
        #expect(input.findings == [RubricFinding(rule: "stub-marker", severity: .block)])
        #expect(input.claimVerdicts == [.stale])
        let d = rubric.evaluate(input)
        #expect(d.risk == 50)  // 40 + 10
        #expect(d.decision == "HOLD")
    }
}

@Suite("Rubric: custom files")
struct CustomRubricTests {
    @Test func listFormNegativeWeightsFractionsAndClampingAtZero() throws {
        let r = try rubric("""
        version: 1
        name: tiny
        risk:
          - id: info
            count: { severity: info }
            weight: 2.5
        utility:
          base: 10
          criteria:
            - id: skipped
              count: { rule: test-skipped }
              weight: -10
        decision:
          reject: { risk_at_least: 90, utility_below: 5 }
        """)
        #expect(r.riskBase == 0)
        let d = r.evaluate(RubricInput(findings: findings([("a", .info), ("b", .info), ("c", .info),
                                                          ("test-skipped", .warn), ("test-skipped", .warn)])))
        // risk: 3 × 2.5 = 7.5 → 8; utility: 10 − 20 = −10 → 0.
        #expect(d == RubricDecision(decision: "REJECT", utility: 0, risk: 8, reasons: [
            "risk +8 (info): 3 info findings × 2.5",
            "utility -20 (skipped): 2 test-skipped findings × -10",
            "utility -10 clamped to 0",
            "REJECT: utility 0 < 5",
        ], rubric: "tiny"))
    }

    @Test func riskBaseAndSeveralConditionsHolding() throws {
        let r = try rubric("""
        risk: { base: 75 }
        utility: { base: 20 }
        decision:
          reject: { risk_at_least: 70, utility_below: 30 }
        """)
        #expect(r.name == "r.yml")
        let d = r.evaluate(RubricInput())
        #expect(d.reasons == ["REJECT: risk 75 ≥ 70 and utility 20 < 30"])
        #expect(d.risk == 75)
        #expect(d.utility == 20)
    }

    @Test func noConditionsApprove() throws {
        let d = try rubric("utility: { base: 150 }\n").evaluate(RubricInput())
        #expect(d == RubricDecision(decision: "APPROVE", utility: 100, risk: 0, reasons: [
            "utility 150 clamped to 100",
            "APPROVE: the rubric sets no reject or hold condition",
        ], rubric: "r.yml"))
    }

    @Test func zeroCountsAndZeroWeightsSayNothing() throws {
        let r = try rubric("""
        risk:
          - { id: a, count: { claim: stale }, weight: 50 }
          - { id: b, count: { severity: warn }, weight: 0 }
        decision:
          hold: { risk_at_least: 1 }
        """)
        #expect(r.evaluate(RubricInput(findings: findings([("x", .warn)]))).reasons == ["APPROVE: risk 0 < 1"])
    }

    @Test func unknownKeysAreWarnings() throws {
        let r = try rubric("""
        version: 1
        flavour: mild
        risk:
          - id: a
            count: { severity: block }
            weight: 1
            wieght: 2
        """)
        #expect(r.warnings == [
            "r.yml:2: unknown key `flavour` ignored",
            "r.yml:7: unknown key `risk.wieght` ignored (did you mean `weight`?)",
        ])
    }

    @Test(arguments: [
        // (yaml, line, fragment)
        ("risk:\n  - id: a\n    count: { severity: critical }\n    weight: 1\n", 3, "`critical` is not a severity"),
        ("risk:\n  - id: a\n    count: { file: a.c }\n    weight: 1\n", 3, "unknown selector `file`"),
        ("risk:\n  - id: a\n    count: { severity: warn, rule: x }\n    weight: 1\n", 3, "exactly one selector, not 2"),
        ("risk:\n  - id: a\n    count: { claim: wrong }\n    weight: 1\n", 3, "`wrong` is not a claim verdict"),
        ("risk:\n  - id: a\n    count: block\n    weight: 1\n", 3, "`risk.count` must be a mapping"),
        ("risk:\n  - id: a\n    count: { severity: warn }\n    weight: heavy\n", 4, "`risk.weight` must be a number, not `heavy`"),
        ("risk:\n  - id: a\n    count: { severity: warn }\n", 2, "criterion `a` has no `weight`"),
        ("risk:\n  - id: a\n    weight: 1\n", 2, "criterion `a` has no `count`"),
        ("risk:\n  - count: { severity: warn }\n    weight: 1\n", 2, "has no `id`"),
        ("risk:\n  - { id: a, count: { severity: warn }, weight: 1 }\n  - { id: a, count: { severity: info }, weight: 1 }\n",
         3, "criterion id `a` is used twice (first at line 2)"),
        ("risk:\n  - { id: a, count: { severity: warn }, weight: 1, max: -3 }\n", 2, "`risk.max` must not be negative"),
        ("decision:\n  approve: { risk_below: 10 }\n", 2, "`decision.approve` is not a decision"),
        ("decision:\n  hold: { risk_over: 10 }\n", 2, "`decision.hold.risk_over` is not a condition"),
        ("decision:\n  hold: { risk_at_least: high }\n", 2, "`decision.hold.risk_at_least` must be a whole number"),
        ("version: 2\n", 1, "rubric version `2`"),
        ("risk: 5\n", 1, "`risk` must be a list of criteria"),
        ("risk: [oops\n", 2, "invalid YAML"),
        ("- a\n", 1, "a rubric must be a mapping"),
        // Found by fuzzing (FuzzPolicy): a base or weight past Int's range trapped converting to Int.
        ("risk:\n  base: 1e300\n  criteria: []\n", 2, "`risk.base` must be between -1000000 and 1000000, not `1e300`"),
        ("utility:\n  base: -9.3e18\n", 2, "`utility.base` must be between -1000000 and 1000000"),
        ("risk:\n  - { id: a, count: { severity: warn }, weight: 1e300 }\n", 2, "`risk.weight` must be between"),
        ("risk:\n  - { id: a, count: { severity: warn }, weight: 1, max: 1e300 }\n", 2, "`risk.max` must be between"),
    ])
    func errorsNameTheLine(yaml: String, line: Int, fragment: String) throws {
        let error = try #require(rubricError(yaml))
        #expect(error.what.hasPrefix("r.yml:\(line):"), "\(error.what)")
        #expect(error.what.contains(fragment), "\(error.what)")
        #expect(error.fix != nil)
        #expect(error.status == .couldNotRun)
    }

    @Test func emptyFileIsAnError() throws {
        let error = try #require(rubricError(""))
        #expect(error.what == "r.yml: the rubric is empty")
    }

    @Test func decisionEncodesAsJSON() throws {
        let d = RubricDecision(decision: "HOLD", utility: 30, risk: 15, reasons: ["HOLD: utility 30 < 40"], rubric: "x")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(d), as: UTF8.self)
        #expect(json == #"{"decision":"HOLD","reasons":["HOLD: utility 30 < 40"],"risk":15,"rubric":"x","utility":30}"#)
    }
}
