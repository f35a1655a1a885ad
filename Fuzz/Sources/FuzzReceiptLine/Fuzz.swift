import AssayCore
import FuzzDriver

/// A receipts note line. Whatever the JSON reader accepts, its canonical text must read back to the
/// same value (receipt digests rest on that).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONValue.parse(bytes) {
        let canonical = value.canonicalBytes
        guard let again = try? JSONValue.parse(canonical) else {
            fatalError("canonical text does not parse: \(String(decoding: canonical, as: UTF8.self))")
        }
        if again.canonicalBytes != canonical {
            fatalError("canonical text is not stable: \(String(decoding: canonical, as: UTF8.self))")
        }
    }
    _ = try? ReceiptLine.parse(String(decoding: bytes, as: UTF8.self))
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzReceiptLine_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzReceiptLine_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
