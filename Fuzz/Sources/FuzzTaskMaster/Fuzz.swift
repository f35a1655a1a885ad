import AssayRules
import FuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = TaskMasterExtractor.claims(in: bytes, path: ".taskmaster/tasks/tasks.json", commit: nil)
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzTaskMaster_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzTaskMaster_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
