import AssayCore
import AssayKit
import AssayPolicy
import FuzzDriver

/// `.assay.yml`, then the policy it writes inline, read as an audit reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let config = try? AssayConfig.parse(bytes) else { return 0 }
    for glob in config.claimsInclude + config.claimsExclude { _ = glob.matches("docs/a/b.md") }
    if case .inline(let policy) = config.policy {
        _ = try? Policy.parse(policy, file: AssayConfig.fileName, knownRules: Policy.builtInRuleIDs,
                              load: { (_: String) throws(AssayError) in nil })
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzConfig_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzConfig_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
