import AssayKit
import Foundation
import FuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    _ = try? TestReport.parse(Data(UnsafeBufferPointer(start: data, count: size)), at: "report.xml")
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzJUnit_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzJUnit_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
