/// Counts Rust doc tests: each fenced code block in `///` or `//!` doc comments whose info string is
/// empty or only Rust attributes (`rust`, `ignore`, `no_run`, `should_panic`, `compile_fail`,
/// `edition2021`…) is one test `cargo test` runs (and reports, `ignore` ones as ignored).
/// A block marked with another language (```` ```text ````, ```` ```sh ````, ```` ```toml ````) is not.
///
/// Examples (each a file `src/lib.rs`):
/// - `/// ```\n/// assert!(true);\n/// ```` → 1
/// - `/// ```rust,no_run\n/// f();\n/// ```` → 1
/// - `/// ```text\n/// output\n/// ```` → 0
/// - `// ```\n// not a doc comment\n// ```` → 0
public enum RustDoctestCounter {
    static let rustAttributes: Set<String> = ["rust", "ignore", "no_run", "should_panic", "compile_fail", "test_harness",
                                              "allow_fail", "edition2015", "edition2018", "edition2021", "edition2024"]

    /// `cargo test` runs doc tests of library targets: a `.rs` file under a `src/` folder that is not a
    /// binary's (`main.rs`, `src/bin/`) nor a build script, test, example or bench.
    public static func runsDoctests(path: String) -> Bool {
        let parts = path.split(separator: "/")
        guard let name = parts.last, name.hasSuffix(".rs"), name != "main.rs", name != "build.rs" else { return false }
        let dirs = parts.dropLast()
        guard dirs.contains("src") else { return false }
        return !dirs.contains("bin") && !dirs.contains("tests") && !dirs.contains("examples") && !dirs.contains("benches")
    }

    /// Doc tests in one file's source.
    public static func count(utf8 bytes: [UInt8]) -> Int {
        var total = 0
        var fence: [UInt8]? = nil   // the open fence's marker (``` or ~~~, possibly longer), while inside a block
        for line in bytes.split(separator: Byte.nl, omittingEmptySubsequences: false) {
            guard let body = docCommentBody(line) else {
                fence = nil  // a doc comment ends with its lines; so does any block open in it
                continue
            }
            var k = body.startIndex
            while k < body.endIndex, Byte.isSpace(body[k]) { k += 1 }
            let rest = body[k...]
            guard let first = rest.first, first == Byte.bt || first == 0x7E else { continue }
            let marker = rest.prefix { $0 == first }
            guard marker.count >= 3 else { continue }
            if let open = fence {
                if marker.count >= open.count && open.first == first
                    && rest.dropFirst(marker.count).allSatisfy(Byte.isSpace) { fence = nil }
                continue
            }
            fence = Array(marker)
            let info = String(decoding: rest.dropFirst(marker.count), as: UTF8.self)
            let words = info.split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }
                .map { $0.lowercased() }.filter { !$0.isEmpty }
            if words.allSatisfy({ rustAttributes.contains($0) }) { total += 1 }
        }
        return total
    }

    /// The text after `///` or `//!` (not `////`), or nil when the line is not a doc comment.
    static func docCommentBody(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var k = line.startIndex
        while k < line.endIndex, line[k] == Byte.sp || line[k] == Byte.tab { k += 1 }
        let rest = line[k...]
        guard rest.count >= 3, rest[k] == Byte.slash, rest[k + 1] == Byte.slash else { return nil }
        let third = rest[k + 2]
        if third == Byte.bang { return rest.dropFirst(3) }
        if third == Byte.slash, rest.count == 3 || rest[k + 3] != Byte.slash { return rest.dropFirst(3) }
        return nil
    }
}
