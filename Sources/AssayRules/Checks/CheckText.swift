/// A changed file's new content as UTF-8 bytes, with a twin in which comments and string literals
/// are blanked to spaces at the same offsets, so a check can tell code from prose by looking at one
/// byte. Shared by the checks that must not fire on a marker written in a comment or a string.
///
/// The blanking is `SymbolDefinitions.Blanker`'s (per language family); Java and Kotlin, which it
/// does not know, use its Go mode (`"…"`, `'…'`, `//`, `/* */`), close enough for annotations.
struct CheckText {
    /// The lines joined by `\n`, with a final `\n`.
    let bytes: [UInt8]
    /// `bytes` with comments and string literals (quotes included) replaced by spaces; equal to
    /// `bytes` when the language is unknown.
    let code: [UInt8]
    /// Where each line starts in `bytes`; line `n` (1-based) starts at `starts[n - 1]`.
    let starts: [Int]

    init(_ file: ChangedFile, blanking language: SourceLanguage?) {
        let lines = CheckText.contentLines(of: file)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        var starts: [Int] = []
        starts.reserveCapacity(lines.count)
        for line in lines {
            starts.append(bytes.count)
            bytes.append(contentsOf: line.utf8)
            bytes.append(Byte.nl)
        }
        self.bytes = bytes
        self.starts = starts
        if let language {
            var blanker = SymbolDefinitions.Blanker(bytes, language)
            code = blanker.run()
        } else {
            code = bytes
        }
    }

    /// The file's lines; when a caller gave only the added lines, those at their numbers (blank elsewhere).
    static func contentLines(of file: ChangedFile) -> [String] {
        guard file.lines.isEmpty, let last = file.addedLines.map(\.number).max(), last > 0 else { return file.lines }
        var lines = [String](repeating: "", count: last)
        for added in file.addedLines where added.number >= 1 { lines[added.number - 1] = added.text }
        return lines
    }

    /// The language whose comments and strings a check blanks for `path`: the ones `SymbolDefinitions`
    /// knows, and Java/Kotlin read in its Go mode.
    static func blankingLanguage(forPath path: String) -> SourceLanguage? {
        if let language = SymbolDefinitions.language(forPath: path) { return language }
        let ext = Self.fileExtension(path)
        return ext == "java" || ext == "kt" || ext == "kts" ? .go : nil
    }

    /// The lowercased extension of the file's name (`"rs"`), or "" without one.
    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    var lineCount: Int { starts.count }

    /// The byte range of line `n` (1-based), without its `\n`.
    func range(ofLine n: Int) -> Range<Int> {
        let start = starts[n - 1]
        let end = n < starts.count ? starts[n] - 1 : bytes.count - 1
        return start..<end
    }

    /// The 1-based line holding byte `offset`.
    func line(at offset: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    @inline(__always) subscript(code k: Int) -> UInt8 { k >= 0 && k < code.count ? code[k] : 0 }
    @inline(__always) subscript(text k: Int) -> UInt8 { k >= 0 && k < bytes.count ? bytes[k] : 0 }

    /// The first offset at or after `k` whose original byte is not a space, tab or line end (the
    /// code's blanks also stand for comments and strings, so this is the way to reach a literal).
    func skipSpaceInText(_ k: Int) -> Int {
        var k = k
        while k < bytes.count && Byte.isSpace(bytes[k]) { k += 1 }
        return k
    }

    /// The first offset at or after `k` whose code byte is not a space, tab or line end.
    func skipSpace(_ k: Int) -> Int {
        var k = k
        while k < code.count && Byte.isSpace(code[k]) { k += 1 }
        return k
    }

    /// The first offset at or after `k` whose code byte is not a space or tab (stays on the line).
    func skipBlank(_ k: Int) -> Int {
        var k = k
        while k < code.count && (code[k] == Byte.sp || code[k] == Byte.tab) { k += 1 }
        return k
    }

    /// The end of the identifier that starts at `k`.
    /// Visits the identifiers that start in the code of line `n`, in order (`k` where one starts,
    /// `end` just after it), until `body` returns a value.
    func firstMatch<T>(identifiersOnLine n: Int, _ body: (_ k: Int, _ end: Int) -> T?) -> T? {
        let range = range(ofLine: n)
        var k = range.lowerBound
        while k < range.upperBound {
            guard Byte.isIdent(code[k]), k == 0 || !Byte.isIdent(code[k - 1]) else { k += 1; continue }
            let end = identEnd(k)
            if let found = body(k, end) { return found }
            k = max(k + 1, end)
        }
        return nil
    }

    func identEnd(_ k: Int) -> Int {
        var k = k
        while k < code.count && Byte.isIdent(code[k]) { k += 1 }
        return k
    }

    /// True when `word` is in the code at `k` as a whole identifier.
    func isWord(_ k: Int, _ word: StaticString) -> Bool {
        starts(k, word) && !Byte.isIdent(self[code: k + word.utf8CodeUnitCount]) && (k == 0 || !Byte.isIdent(code[k - 1]))
    }

    /// True when the code at `k` starts with `word`.
    func starts(_ k: Int, _ word: StaticString) -> Bool {
        guard k >= 0, k + word.utf8CodeUnitCount <= code.count else { return false }
        return word.withUTF8Buffer { w in
            for i in 0..<w.count where code[k + i] != w[i] { return false }
            return true
        }
    }

    /// The index of the bracket that closes the one at `open` (counting `(`/`[`/`{` alike), nil when unbalanced.
    func matching(_ open: Int) -> Int? { Byte.matching(code, open) }

    /// The first `{` after `start` outside parentheses and brackets (a declaration's body), nil when a `;`
    /// or an unbalanced closer comes first, or nothing is found within `limit` bytes.
    func bodyOpen(after start: Int, limit: Int = 4_000) -> Int? {
        var k = start
        let end = min(code.count, start + limit)
        while k < end {
            switch code[k] {
            case Byte.lc: return k
            case Byte.lp, Byte.lb:
                guard let close = matching(k) else { return nil }
                k = close + 1
                continue
            case Byte.semicolon, Byte.rp, Byte.rb, Byte.rc: return nil
            default: break
            }
            k += 1
        }
        return nil
    }

    /// For a JavaScript template literal whose backtick is at `k` (`` it.each`a | b` ``), the offset past
    /// its closing backtick, read from the original text (the code has the literal blanked); `${…}`
    /// expressions are skipped by brace counting. Nil when `k` holds no backtick or the literal never ends.
    func templateLiteralEnd(_ k: Int) -> Int? {
        guard self[text: k] == Byte.bt else { return nil }
        var j = k + 1
        var depth = 0
        while j < bytes.count {
            switch bytes[j] {
            case Byte.bs: j += 1
            case Byte.bt where depth == 0: return j + 1
            case Byte.lc where depth > 0 || self[text: j - 1] == Byte.dollar: depth += 1
            case Byte.rc where depth > 0: depth -= 1
            default: break
            }
            j += 1
        }
        return nil
    }

    /// The identifier that ends at the last non-space code byte before `k`, with its start.
    func word(before k: Int) -> (start: Int, end: Int)? {
        var e = k - 1
        while e >= 0 && Byte.isSpace(code[e]) { e -= 1 }
        guard e >= 0, Byte.isIdent(code[e]) else { return nil }
        var a = e
        while a > 0 && Byte.isIdent(code[a - 1]) { a -= 1 }
        return (a, e + 1)
    }

    /// The code between `a` and `b` as a `String`.
    func codeText(_ a: Int, _ b: Int) -> String {
        let lo = max(0, a), hi = min(code.count, b)
        return lo < hi ? String(decoding: code[lo..<hi], as: UTF8.self) : ""
    }

    /// The code of line `n` holds nothing but whitespace (it is blank, a comment, or inside a string).
    func isBlankCode(line n: Int) -> Bool {
        range(ofLine: n).allSatisfy { Byte.isSpace(code[$0]) }
    }

    /// The indentation width of line `n`'s code (a tab advances to the next multiple of 8), nil when blank.
    func codeIndent(line n: Int) -> Int? {
        var width = 0
        for k in range(ofLine: n) {
            let c = code[k]
            if c == Byte.sp { width += 1 } else if c == Byte.tab { width = (width / 8 + 1) * 8 } else if Byte.isSpace(c) {
                continue
            } else {
                return width
            }
        }
        return nil
    }

    /// The offset of the first non-space code byte on line `n`, nil when blank.
    func firstCode(line n: Int) -> Int? {
        range(ofLine: n).first { !Byte.isSpace(code[$0]) }
    }
}
