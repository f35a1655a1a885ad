import AssayCore
import AssayPolicy
import FuzzDriver

/// The input is read as a policy and as a rubric. A policy's `extends` names load the same input
/// again under that name, so `extends` chains, cycles and the depth limit are reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let policy = try? Policy.parse(bytes, file: "policies/team.yml", knownRules: Policy.builtInRuleIDs,
                                      load: { (name: String) throws(AssayError) in (bytes, name) }) {
        let resolved = policy.resolved(forBranch: "release/1.0")
        _ = resolved.covers("Sources/a.swift")
        _ = resolved.gate(blocking: 1, warnings: 3)
    }
    if let rubric = try? Rubric.parse(bytes, file: "rubrics/team.yml") {
        _ = rubric.evaluate(RubricInput())
        // A few of each kind, so every criterion's weight, cap and the clamping are reached.
        let findings = Severity.allCases.flatMap { severity in
            ["stub-marker", "todo-added", "test-skipped"].map { RubricFinding(rule: $0, severity: severity) }
        }
        _ = rubric.evaluate(RubricInput(findings: findings + findings, claimVerdicts: Verdict.allCases + Verdict.allCases))
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzPolicy_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzPolicy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
