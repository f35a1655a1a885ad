import AssayRules
import MarkdownKit
import FuzzDriver

/// One input is read three ways: as a Markdown doc, as a commit message, and as plain text for the
/// count and commit-reference extractors (which also run on PR bodies).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let document = MarkdownDocument.parse(bytes)
    _ = DocClaimExtractor.claims(in: document, path: "docs/PRD.md", commit: nil)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = DocClaimExtractor.claims(inCommitMessage: text, commit: String(repeating: "a", count: 40))
    _ = CountClaimExtractor.counts(in: text, paths: ["src/a.py"])  // one path: line and file counts too
    for reference in CommitReferenceExtractor.references(in: text) {
        _ = CommitReferenceExtractor.fits(reference.description ?? "", subject: text)
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzMarkdownClaims_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzMarkdownClaims_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
