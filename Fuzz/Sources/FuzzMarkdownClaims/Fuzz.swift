import AssayRules
import MarkdownKit
import FuzzDriver

/// One input is read two ways: as a Markdown doc and as a commit message. The count and
/// commit-reference extractors run on each block's text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let document = MarkdownDocument.parse(bytes)
    _ = DocClaimExtractor.claims(in: document, path: "docs/PRD.md", commit: nil)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = DocClaimExtractor.claims(inCommitMessage: text, commit: String(repeating: "a", count: 40))
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzMarkdownClaims_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzMarkdownClaims_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
