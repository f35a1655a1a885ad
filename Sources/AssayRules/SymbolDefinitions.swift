import Foundation

/// A programming language whose definitions assay can read.
public enum SourceLanguage: String, Sendable, CaseIterable {
    case swift, rust, typescript, javascript, python, go
}

/// Which names a source file defines, for claims like "✅ `ContextDoc` - Document store" or
/// "implemented `parse_manifest`". Pure and byte-oriented: comments and string literals are blanked by a
/// small state machine per language family, the rest is cut into tokens, and a hand-written pass per
/// language reads declarations from the tokens. Precision first: a call, an import, a type annotation or a
/// local variable inside a function body is not a definition.
public enum SymbolDefinitions {
    /// The language of a file, by extension (.swift; .rs; .ts .tsx .mts .cts; .js .jsx .mjs .cjs; .py .pyi; .go), or nil.
    public static func language(forPath path: String) -> SourceLanguage? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "swift": return .swift
        case "rs": return .rust
        case "ts", "tsx", "mts", "cts": return .typescript
        case "js", "jsx", "mjs", "cjs": return .javascript
        case "py", "pyi": return .python
        case "go": return .go
        default: return nil
        }
    }

    /// Every name the file defines (declarations, not uses), for the languages above.
    ///
    /// - Swift: `class|struct|enum|protocol|actor|typealias|func|macro|associatedtype NAME`, enum cases, and
    ///   `var`/`let` bindings at file or type level (not locals inside function bodies); `extension` and `init`
    ///   define nothing.
    /// - Rust: `fn|struct|enum|trait|type|mod|union NAME`, `const|static NAME:`, `macro_rules! NAME`, enum variants.
    /// - TypeScript/JavaScript: functions, classes, interfaces, `type NAME =`, enums, namespaces, module-level
    ///   `const|let|var` (with destructuring; `require(…)`/`import(…)` bindings are imports), class methods and fields.
    /// - Python: `def`, `async def`, `class`, and assignments/annotations at module or class level.
    /// - Go: package-level `func`, methods, `type`, `var`, `const` (also grouped).
    public static func definitions(in source: String, language: SourceLanguage) -> Set<String> {
        var blanker = Blanker(Array(source.utf8), language)
        let tokens = tokenize(blanker.run(), language)
        switch language {
        case .swift: return swiftDefinitions(tokens)
        case .rust: return rustDefinitions(tokens)
        case .typescript, .javascript: return scriptDefinitions(tokens)
        case .python: return pythonDefinitions(tokens)
        case .go: return goDefinitions(tokens)
        }
    }

    /// True when a backticked token reads as a symbol name a claim could be about: an identifier
    /// (letters, digits, `_`, optionally `$` for JS), optionally qualified with `.` or `::` (e.g. `Ledger.record`,
    /// `store::open`) or with a trailing `()`; not a path, not a keyword or literal (`true`, `nil`, `null`, `self`,
    /// `let`, `fn`, `async`, …), not `KEY=value` environment settings (plain `MAX_SIZE` constants are symbols),
    /// not a single lowercase word of 1–2 letters, not a number, not a file name such as `README.md`.
    public static func looksLikeSymbol(_ token: String) -> Bool {
        var s = token.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty, s.utf8.count <= 200 else { return false }
        if s.hasSuffix("()") { s.removeLast(2) }
        guard let parts = components(of: s), let last = parts.last else { return false }
        guard parts.allSatisfy(isIdentifier) else { return false }
        if parts.count == 1 {
            if keywords.contains(last) { return false }
            if last.utf8.count <= 2 && last.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { return false }
        } else {
            if qualifiers.contains(last) { return false }  // `x.self`
            // `README.md`, `index.ts`: file names, not members; `e.g`, `x.y`: prose and placeholders.
            if PathSyntax.knownExtensions.contains(last.lowercased()) { return false }
            if parts.allSatisfy({ $0.utf8.count == 1 }) { return false }
        }
        // `$HOME`, `$PATH`: shell variables.
        if s.hasPrefix("$"), s.utf8.dropFirst().allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F || isDigit($0) }) {
            return false
        }
        return true
    }

    /// The names to look up for a token, in order of preference (the last component first):
    /// `Ledger.record` → `["record", "Ledger"]`; `store::open()` → `["open", "store"]`; `self`, `Self`, `this`,
    /// `super` and `crate` qualifiers are dropped.
    public static func lookupNames(for token: String) -> [String] {
        var s = token.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("()") { s.removeLast(2) }
        guard let parts = components(of: s), parts.allSatisfy(isIdentifier) else { return [] }
        var out: [String] = []
        for part in parts.reversed() where !qualifiers.contains(part) && !out.contains(part) {
            out.append(part)
        }
        return out
    }
}

// MARK: - Symbol syntax

extension SymbolDefinitions {
    /// Keywords and literals of the six languages, and primitive type names: never a claim's symbol.
    static let keywords: Set<String> = [
        "true", "false", "nil", "null", "undefined", "None", "True", "False", "NaN", "Infinity",
        "self", "Self", "this", "super", "crate",
        "let", "var", "const", "fn", "func", "function", "def", "class", "struct", "enum", "protocol", "actor",
        "extension", "interface", "type", "trait", "impl", "mod", "use", "pub", "import", "from", "export",
        "default", "package", "return", "if", "else", "elif", "for", "while", "do", "loop", "in", "of", "is", "as",
        "switch", "case", "break", "continue", "match", "where", "async", "await", "yield", "try", "catch", "throw",
        "throws", "rethrows", "finally", "new", "delete", "typeof", "instanceof", "void", "static", "public",
        "private", "protected", "internal", "fileprivate", "final", "override", "mut", "ref", "move", "dyn",
        "unsafe", "extern", "lambda", "pass", "raise", "with", "and", "or", "not", "global", "nonlocal", "assert",
        "del", "go", "defer", "chan", "select", "guard", "repeat", "fallthrough", "typealias", "associatedtype",
        "inout", "some", "any", "readonly", "declare", "namespace", "abstract", "implements", "extends",
        "int", "str", "string", "number", "boolean", "bool", "never", "unknown", "object", "float", "double",
        "char", "byte", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "rune",
    ]
    /// Qualifiers that name no symbol of their own.
    static let qualifiers: Set<String> = ["self", "Self", "this", "super", "crate"]

    /// `a.b`, `a::b` → `["a", "b"]`; nil when a component is empty or the token holds other punctuation.
    static func components(of s: String) -> [String]? {
        var parts: [String] = []
        var current: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == A.dot || (c == A.colon && i + 1 < bytes.count && bytes[i + 1] == A.colon) {
                guard !current.isEmpty else { return nil }
                parts.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
                i += c == A.dot ? 1 : 2
                continue
            }
            current.append(c)
            i += 1
        }
        guard !current.isEmpty else { return nil }
        parts.append(String(decoding: current, as: UTF8.self))
        return parts
    }

    /// ASCII letters, digits, `_` and `$`, not starting with a digit.
    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, !isDigit(first) else { return false }
        return s.utf8.allSatisfy { isASCIILetter($0) || isDigit($0) || $0 == A.underscore || $0 == A.dollar }
    }
}

// MARK: - Bytes

extension SymbolDefinitions {
    enum A {
        static let nl: UInt8 = 0x0A, cr: UInt8 = 0x0D, tab: UInt8 = 0x09, space: UInt8 = 0x20
        static let quote: UInt8 = 0x22, hash: UInt8 = 0x23, dollar: UInt8 = 0x24, apos: UInt8 = 0x27
        static let lparen: UInt8 = 0x28, rparen: UInt8 = 0x29, star: UInt8 = 0x2A, dot: UInt8 = 0x2E
        static let slash: UInt8 = 0x2F, colon: UInt8 = 0x3A, backslash: UInt8 = 0x5C, underscore: UInt8 = 0x5F
        static let backtick: UInt8 = 0x60, lbrace: UInt8 = 0x7B, rbrace: UInt8 = 0x7D
        static let b: UInt8 = 0x62, c: UInt8 = 0x63, r: UInt8 = 0x72
    }

    @inline(__always) static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    /// Identifier bytes: ASCII letters, `_`, `$`, and every byte of a multi-byte UTF-8 scalar.
    @inline(__always) static func isIdentStart(_ c: UInt8) -> Bool {
        isASCIILetter(c) || c == A.underscore || c == A.dollar || c >= 0x80
    }
    @inline(__always) static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
}

// MARK: - Blanking comments and string literals

extension SymbolDefinitions {
    /// Replaces comments and string literals with spaces. Newlines inside comments stay (line structure);
    /// newlines inside string literals become spaces (a literal is one expression).
    struct Blanker {
        let s: [UInt8]
        var out: [UInt8]
        let n: Int
        let lang: SourceLanguage

        init(_ s: [UInt8], _ lang: SourceLanguage) {
            self.s = s
            self.out = s
            self.n = s.count
            self.lang = lang
        }

        mutating func run() -> [UInt8] {
            if lang == .python { runPython() } else { runCLike() }
            return out
        }

        mutating func blank(_ a: Int, _ b: Int, keepNewlines: Bool) {
            var k = a
            let e = min(b, n)
            while k < e {
                if !(keepNewlines && s[k] == A.nl) { out[k] = A.space }
                k += 1
            }
        }

        func lineEnd(_ i: Int) -> Int {
            var j = i
            while j < n && s[j] != A.nl { j += 1 }
            return j
        }

        func matchesHashes(_ p: Int, _ count: Int) -> Bool {
            guard count > 0 else { return true }
            guard p + count <= n else { return false }
            for q in p..<(p + count) where s[q] != A.hash { return false }
            return true
        }

        // MARK: C-like: Swift, Rust, Go, TypeScript/JavaScript

        mutating func runCLike() {
            let script = lang == .typescript || lang == .javascript
            var i = 0
            var lastSig = -1  // index of the last significant code byte, for the JS regex heuristic
            while i < n {
                let c = s[i]
                if c == A.slash, i + 1 < n {
                    let d = s[i + 1]
                    if d == A.slash {
                        let e = lineEnd(i)
                        blank(i, e, keepNewlines: true)
                        i = e
                        continue
                    }
                    if d == A.star {
                        let e = blockCommentEnd(i)
                        blank(i, e, keepNewlines: true)
                        i = e
                        continue
                    }
                    if script, regexAllowed(after: lastSig), let e = regexEnd(i) {
                        blank(i, e, keepNewlines: false)
                        lastSig = e - 1
                        i = e
                        continue
                    }
                }
                var end: Int?
                switch lang {
                case .swift:
                    if c == A.quote || c == A.hash { end = swiftString(i) }
                case .rust:
                    end = rustLiteral(i)
                case .go:
                    if c == A.quote || c == A.apos {
                        end = escapedString(i, stopAtNewline: true)
                    } else if c == A.backtick {
                        var j = i + 1
                        while j < n && s[j] != A.backtick { j += 1 }
                        end = min(j + 1, n)
                    }
                case .typescript, .javascript:
                    if c == A.quote || c == A.apos {
                        // `Don't` in JSX text: a quote glued to a word opens no string in code.
                        if i == 0 || !isIdentChar(s[i - 1]) { end = escapedString(i, stopAtNewline: true) }
                    } else if c == A.backtick {
                        end = templateEnd(i)
                    }
                case .python:
                    break
                }
                if let e = end {
                    blank(i, e, keepNewlines: false)
                    lastSig = e - 1
                    i = e
                    continue
                }
                if c != A.space && c != A.tab && c != A.nl && c != A.cr { lastSig = i }
                i += 1
            }
        }

        func blockCommentEnd(_ i: Int) -> Int {
            let nested = lang == .swift || lang == .rust
            var depth = 0
            var j = i
            while j + 1 < n {
                if s[j] == A.slash && s[j + 1] == A.star {
                    if nested || depth == 0 { depth += 1 }
                    j += 2
                    continue
                }
                if s[j] == A.star && s[j + 1] == A.slash {
                    depth -= 1
                    j += 2
                    if depth <= 0 { return j }
                    continue
                }
                j += 1
            }
            return n
        }

        /// A `"…"` or `'…'` literal with backslash escapes, from the quote at `i`; returns the end (exclusive).
        func escapedString(_ i: Int, stopAtNewline: Bool) -> Int {
            let q = s[i]
            var j = i + 1
            while j < n {
                let c = s[j]
                if c == A.backslash { j += 2; continue }
                if c == q { return j + 1 }
                if c == A.nl && stopAtNewline { return j }
                j += 1
            }
            return n
        }

        /// Swift `"…"`, `"""…"""`, raw `#"…"#` strings with `\(…)` interpolation, and `#/…/#` regex literals.
        func swiftString(_ start: Int) -> Int? {
            var k = start
            var hashes = 0
            while k < n && s[k] == A.hash { hashes += 1; k += 1 }
            guard k < n else { return nil }
            if hashes > 0 && s[k] == A.slash {
                var j = k + 1
                while j < n {
                    if s[j] == A.slash && matchesHashes(j + 1, hashes) { return j + 1 + hashes }
                    j += 1
                }
                return nil
            }
            guard s[k] == A.quote else { return nil }
            let multi = k + 2 < n && s[k + 1] == A.quote && s[k + 2] == A.quote
            var j = k + (multi ? 3 : 1)
            while j < n {
                let c = s[j]
                if c == A.backslash {
                    if matchesHashes(j + 1, hashes) {
                        let after = j + 1 + hashes
                        if after < n && s[after] == A.lparen {
                            j = swiftInterpolationEnd(after)
                            continue
                        }
                        j = after + 1
                        continue
                    }
                    j += 1
                    continue
                }
                if c == A.quote {
                    if multi {
                        if j + 2 < n && s[j + 1] == A.quote && s[j + 2] == A.quote && matchesHashes(j + 3, hashes) {
                            return min(j + 3 + hashes, n)
                        }
                    } else if matchesHashes(j + 1, hashes) {
                        return min(j + 1 + hashes, n)
                    }
                    j += 1
                    continue
                }
                if c == A.nl && !multi { return j }
                j += 1
            }
            return n
        }

        func swiftInterpolationEnd(_ open: Int) -> Int {
            var depth = 0
            var j = open
            while j < n {
                let c = s[j]
                if c == A.lparen {
                    depth += 1
                } else if c == A.rparen {
                    depth -= 1
                    if depth == 0 { return j + 1 }
                } else if c == A.quote || c == A.hash, let e = swiftString(j) {
                    j = e
                    continue
                }
                j += 1
            }
            return n
        }

        /// Rust `"…"`, raw `r#"…"#` / `br"…"`, and char literals `'a'`, `'\n'` (a lifetime `'a` is left alone).
        func rustLiteral(_ i: Int) -> Int? {
            let c = s[i]
            if c == A.quote { return escapedString(i, stopAtNewline: false) }
            if (c == A.r || c == A.b || c == A.c) && (i == 0 || !isIdentChar(s[i - 1])) {
                var k = i
                if c != A.r {
                    k += 1
                    guard k < n, s[k] == A.r else { return nil }
                }
                var p = k + 1
                var hashes = 0
                while p < n && s[p] == A.hash { hashes += 1; p += 1 }
                guard p < n, s[p] == A.quote else { return nil }
                var j = p + 1
                while j < n {
                    if s[j] == A.quote && matchesHashes(j + 1, hashes) { return min(j + 1 + hashes, n) }
                    j += 1
                }
                return n
            }
            if c == A.apos {
                guard i + 1 < n else { return nil }
                if s[i + 1] == A.backslash {
                    var j = i + 3
                    while j < n && j < i + 16 && s[j] != A.apos && s[j] != A.nl { j += 1 }
                    return j < n && s[j] == A.apos ? j + 1 : nil
                }
                let lead = s[i + 1]
                guard lead != A.nl && lead != A.apos else { return nil }
                let len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                let close = i + 1 + len
                return close < n && s[close] == A.apos ? close + 1 : nil
            }
            return nil
        }

        /// A template literal from the backtick at `i`, with `${…}` expressions (nested strings and templates).
        func templateEnd(_ i: Int) -> Int {
            var j = i + 1
            while j < n {
                let c = s[j]
                if c == A.backslash { j += 2; continue }
                if c == A.backtick { return j + 1 }
                if c == A.dollar && j + 1 < n && s[j + 1] == A.lbrace {
                    j = templateExpressionEnd(j + 1)
                    continue
                }
                j += 1
            }
            return n
        }

        func templateExpressionEnd(_ open: Int) -> Int {
            var depth = 0
            var j = open
            while j < n {
                let c = s[j]
                if c == A.lbrace {
                    depth += 1
                } else if c == A.rbrace {
                    depth -= 1
                    if depth == 0 { return j + 1 }
                } else if c == A.quote || c == A.apos {
                    j = escapedString(j, stopAtNewline: true)
                    continue
                } else if c == A.backtick {
                    j = templateEnd(j)
                    continue
                }
                j += 1
            }
            return n
        }

        static let regexPrecedingBytes: Set<UInt8> = Set("(,=:[!&|?{;+-*%~^".utf8)  // not `)`, `]`, `}`, `<`, `>`: JSX closing tags
        static let regexPrecedingWords: Set<String> = [
            "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
            "yield", "await",
        ]

        /// Whether a `/` after the byte at `last` starts a regex literal rather than a division.
        func regexAllowed(after last: Int) -> Bool {
            guard last >= 0 else { return true }
            let p = s[last]
            if Self.regexPrecedingBytes.contains(p) { return true }
            guard isIdentChar(p) else { return false }
            var k = last
            while k > 0 && isIdentChar(s[k - 1]) { k -= 1 }
            return Self.regexPrecedingWords.contains(String(decoding: s[k...last], as: UTF8.self))
        }

        /// The end of a regex literal starting at the `/` at `i`, or nil when the line holds no closing `/`.
        func regexEnd(_ i: Int) -> Int? {
            var j = i + 1
            var inClass = false
            while j < n {
                let c = s[j]
                if c == A.nl { return nil }
                if c == A.backslash { j += 2; continue }
                if c == 0x5B { inClass = true } else if c == 0x5D { inClass = false } else if c == A.slash && !inClass {
                    return j + 1
                }
                j += 1
            }
            return nil
        }

        // MARK: Python

        mutating func runPython() {
            var i = 0
            while i < n {
                let c = s[i]
                if c == A.hash {
                    let e = lineEnd(i)
                    blank(i, e, keepNewlines: true)
                    i = e
                    continue
                }
                if c == A.quote || c == A.apos {
                    let triple = i + 2 < n && s[i + 1] == c && s[i + 2] == c
                    var j = i + (triple ? 3 : 1)
                    var end = n
                    while j < n {
                        let d = s[j]
                        if d == A.backslash { j += 2; continue }
                        if triple {
                            if d == c && j + 2 < n && s[j + 1] == c && s[j + 2] == c { end = j + 3; break }
                        } else {
                            if d == c { end = j + 1; break }
                            if d == A.nl { end = j; break }
                        }
                        j += 1
                    }
                    blank(i, end, keepNewlines: false)
                    i = end
                    continue
                }
                i += 1
            }
        }
    }
}

// MARK: - Tokens

extension SymbolDefinitions {
    struct Tok {
        enum Kind { case ident, number, punct, newline }
        let kind: Kind
        let text: String
        /// Byte offset from the start of the line.
        let column: Int

        func isPunct(_ p: String) -> Bool { kind == .punct && text == p }
    }

    static let threeCharOps: [[UInt8]] = ["===", "!==", "**=", "<<=", ">>=", "...", "..<", "??=", "||=", "&&=", "//="]
        .map { Array($0.utf8) }
    static let twoCharOps: [[UInt8]] = [
        "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", ":=", "->", "=>", "::", "&&", "||",
        "??", "?.",
    ].map { Array($0.utf8) }

    /// Identifiers (Swift `` `name` `` and Rust `r#name` unwrapped, Rust lifetimes dropped), numbers, punctuation
    /// (a few multi-byte operators kept whole) and newlines; a backslash-newline continues the line.
    static func tokenize(_ b: [UInt8], _ lang: SourceLanguage) -> [Tok] {
        var toks: [Tok] = []
        toks.reserveCapacity(b.count / 5)
        let n = b.count
        var i = 0
        var lineStart = 0
        func ident(_ from: Int, _ to: Int) -> Tok {
            Tok(kind: .ident, text: String(decoding: b[from..<to], as: UTF8.self), column: from - lineStart)
        }
        while i < n {
            let c = b[i]
            if c == A.nl {
                toks.append(Tok(kind: .newline, text: "\n", column: i - lineStart))
                i += 1
                lineStart = i
                continue
            }
            if c == A.space || c == A.tab || c == A.cr || c == 0x0B || c == 0x0C { i += 1; continue }
            if c == A.backslash && i + 1 < n && (b[i + 1] == A.nl || (b[i + 1] == A.cr && i + 2 < n && b[i + 2] == A.nl)) {
                i += b[i + 1] == A.nl ? 2 : 3
                lineStart = i
                continue
            }
            if isIdentStart(c) {
                var j = i + 1
                while j < n && isIdentChar(b[j]) { j += 1 }
                if lang == .rust, j == i + 1, c == A.r, j + 1 < n, b[j] == A.hash, isIdentStart(b[j + 1]) {
                    var k = j + 1
                    while k < n && isIdentChar(b[k]) { k += 1 }
                    toks.append(ident(j + 1, k))
                    i = k
                    continue
                }
                toks.append(ident(i, j))
                i = j
                continue
            }
            if isDigit(c) {
                var j = i + 1
                while j < n && (isIdentChar(b[j]) || (b[j] == A.dot && j + 1 < n && isDigit(b[j + 1]))) { j += 1 }
                toks.append(Tok(kind: .number, text: String(decoding: b[i..<j], as: UTF8.self), column: i - lineStart))
                i = j
                continue
            }
            if lang == .swift && c == A.backtick {
                var j = i + 1
                while j < n && isIdentChar(b[j]) { j += 1 }
                if j < n && b[j] == A.backtick && j > i + 1 {
                    toks.append(ident(i + 1, j))
                    i = j + 1
                    continue
                }
            }
            if lang == .rust && c == A.apos && i + 1 < n && isIdentStart(b[i + 1]) {  // a lifetime: 'a, 'static
                var j = i + 2
                while j < n && isIdentChar(b[j]) { j += 1 }
                i = j
                continue
            }
            var len = 1
            if i + 2 < n, threeCharOps.contains(where: { $0[0] == c && $0[1] == b[i + 1] && $0[2] == b[i + 2] }) {
                len = 3
            } else if i + 1 < n, twoCharOps.contains(where: { $0[0] == c && $0[1] == b[i + 1] }) {
                len = 2
            }
            toks.append(Tok(kind: .punct, text: String(decoding: b[i..<(i + len)], as: UTF8.self), column: i - lineStart))
            i += len
        }
        return toks
    }

    /// The index of the bracket closing the one at `open` (any of `(`, `[`, `{`), or the last index.
    static func matchingClose(_ t: [Tok], _ open: Int) -> Int {
        var depth = 0
        var k = open
        while k < t.count {
            let x = t[k]
            if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    depth -= 1
                    if depth <= 0 { return k }
                default: break
                }
            }
            k += 1
        }
        return t.count - 1
    }

    @inline(__always) static func identText(_ t: [Tok], _ k: Int) -> String? {
        k >= 0 && k < t.count && t[k].kind == .ident ? t[k].text : nil
    }

    static func add(_ name: String, to defs: inout Set<String>) {
        guard !name.isEmpty, name != "_" else { return }
        defs.insert(name)
    }
}

// MARK: - Swift

extension SymbolDefinitions {
    static let swiftReserved: Set<String> = [
        "class", "struct", "enum", "protocol", "actor", "extension", "func", "var", "let", "case", "static", "final",
        "override", "public", "private", "internal", "fileprivate", "open", "required", "convenience", "dynamic",
        "lazy", "weak", "unowned", "mutating", "nonmutating", "subscript", "init", "deinit", "typealias",
        "associatedtype", "indirect", "nonisolated", "async", "throws", "rethrows", "where", "in", "is", "as", "some",
        "any", "inout", "import", "return", "if", "else", "guard", "for", "while", "repeat", "switch", "default",
        "do", "try", "catch", "throw", "defer", "break", "continue", "fallthrough", "true", "false", "nil", "self",
        "Self", "super", "package", "consuming", "borrowing", "distributed", "macro", "isolated",
    ]
    /// Tokens before `let`/`var` that make it a pattern binding (`if let`, `case let`), not a declaration.
    static let swiftBindingPrefixes: Set<String> = ["if", "guard", "while", "case", "for", "catch", "in", ",", "(", "="]

    enum SwiftBody { case type, enumType, code }
    enum SwiftOpen { case paren, bracket, brace(SwiftBody) }

    static func swiftDefinitions(_ t: [Tok]) -> Set<String> {
        var defs = Set<String>()
        var stack: [SwiftOpen] = []
        var pending: SwiftBody?
        let n = t.count
        var i = 0
        while i < n {
            let tok = t[i]
            if tok.kind == .punct {
                switch tok.text {
                case "{":
                    stack.append(.brace(pending ?? .code))
                    pending = nil
                case "}":
                    while let top = stack.popLast() { if case .brace = top { break } }
                    pending = nil
                case "(": stack.append(.paren)
                case "[": stack.append(.bracket)
                case ")": if case .paren? = stack.last { stack.removeLast() }
                case "]": if case .bracket? = stack.last { stack.removeLast() }
                default: break
                }
            } else if tok.kind == .ident, i == 0 || t[i - 1].text != "import" {  // `import struct Foo.Bar`
                switch tok.text {
                case "class", "struct", "enum", "protocol", "actor", "extension":
                    // `class func`, `class var`: a modifier; `protocol P: class`: a constraint;
                    if let name = identText(t, i + 1), !swiftReserved.contains(name) {
                        if tok.text != "extension" { add(name, to: &defs) }
                        pending = tok.text == "enum" ? .enumType : .type
                    }
                case "func", "typealias", "associatedtype", "macro":
                    if let name = identText(t, i + 1) { add(name, to: &defs) }
                    if tok.text == "func" { pending = nil }
                case "init", "deinit", "subscript":
                    pending = nil
                case "var", "let":
                    pending = nil
                    let declLevel: Bool
                    switch stack.last {
                    case nil: declLevel = true
                    case .brace(let body)?: declLevel = body != .code
                    default: declLevel = false
                    }
                    let prev = i > 0 ? t[i - 1].text : ""
                    if declLevel && !swiftBindingPrefixes.contains(prev) { swiftBindings(t, from: i + 1, into: &defs) }
                case "case":
                    if case .brace(.enumType)? = stack.last { swiftCases(t, from: i + 1, into: &defs) }
                default: break
                }
            }
            i += 1
        }
        return defs
    }

    /// `let a = 1, b = 2`, `var x, y: Int`, `let (a, b) = t`.
    static func swiftBindings(_ t: [Tok], from start: Int, into defs: inout Set<String>) {
        let n = t.count
        var k = start
        guard k < n else { return }
        if let name = identText(t, k) {
            add(name, to: &defs)
            k += 1
        } else if t[k].isPunct("(") {
            let close = matchingClose(t, k)
            var m = k + 1
            while m < close {
                if t[m].kind == .ident && (t[m - 1].isPunct("(") || t[m - 1].isPunct(",")) { add(t[m].text, to: &defs) }
                m += 1
            }
            k = close + 1
        } else {
            return
        }
        var depth = 0
        var angle = 0
        while k < n {
            let x = t[k]
            if x.kind == .newline {
                if depth == 0 && angle == 0 { return }
            } else if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    if depth == 0 { return }
                    depth -= 1
                case "<": if depth == 0 { angle += 1 }
                case ">": if angle > 0 { angle -= 1 }
                case ";": if depth == 0 { return }
                case ",":
                    if depth == 0 && angle == 0 {
                        var m = k + 1
                        while m < n && t[m].kind == .newline { m += 1 }
                        if let name = identText(t, m) { add(name, to: &defs) }
                        k = m
                    }
                default: break
                }
            }
            k += 1
        }
    }

    /// `case a, b(Int), c = 3` inside an enum body.
    static func swiftCases(_ t: [Tok], from start: Int, into defs: inout Set<String>) {
        var k = start
        var depth = 0
        var expectName = true
        while k < t.count {
            let x = t[k]
            switch x.kind {
            case .newline:
                if depth == 0 && !expectName { return }
            case .punct:
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    if depth == 0 { return }
                    depth -= 1
                case ",": if depth == 0 { expectName = true }
                case ";": if depth == 0 { return }
                default: break
                }
            case .ident:
                if depth == 0 && expectName {
                    if x.text != "let" && x.text != "var" { add(x.text, to: &defs) }
                    expectName = false
                }
            case .number:
                break
            }
            k += 1
        }
    }
}

// MARK: - Rust

extension SymbolDefinitions {
    static func rustDefinitions(_ t: [Tok]) -> Set<String> {
        var defs = Set<String>()
        func define(_ name: String) {
            if !name.hasPrefix("$") { add(name, to: &defs) }  // `fn $name` inside macro_rules! bodies
        }
        let n = t.count
        for i in 0..<n where t[i].kind == .ident {
            let prev = i > 0 ? t[i - 1].text : ""
            if prev == "." || prev == "::" { continue }
            switch t[i].text {
            case "fn", "struct", "trait", "type", "mod":
                if let name = identText(t, i + 1) { define(name) }
            case "union":
                if let name = identText(t, i + 1), i + 2 < n, t[i + 2].isPunct("{") || t[i + 2].isPunct("<") { define(name) }
            case "enum":
                guard let name = identText(t, i + 1) else { continue }
                define(name)
                var k = i + 2
                while k < n && !t[k].isPunct("{") && !t[k].isPunct(";") { k += 1 }
                if k < n && t[k].isPunct("{") { rustVariants(t, open: k, into: &defs) }
            case "const", "static":
                // `const N: usize` generics and `*const T` pointers are not items.
                if prev == "<" || prev == "," || prev == "*" || prev == "&" { continue }
                var k = i + 1
                if let word = identText(t, k), word == "mut" || word == "ref" { k += 1 }
                if let name = identText(t, k), !["fn", "unsafe", "async", "extern"].contains(name),
                   k + 1 < n, t[k + 1].isPunct(":") {
                    define(name)
                }
            case "macro_rules":
                if i + 2 < n, t[i + 1].isPunct("!"), let name = identText(t, i + 2) { define(name) }
            default: break
            }
        }
        return defs
    }

    /// `enum X { A, B(u8), C { .. }, #[attr] D = 4 }` → A, B, C, D.
    static func rustVariants(_ t: [Tok], open: Int, into defs: inout Set<String>) {
        var k = open + 1
        var depth = 0
        var expectName = true
        while k < t.count {
            let x = t[k]
            if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    if depth == 0 { return }
                    depth -= 1
                case ",": if depth == 0 { expectName = true }
                default: break
                }
            } else if x.kind == .ident && depth == 0 && expectName {
                add(x.text, to: &defs)
                expectName = false
            }
            k += 1
        }
    }
}

// MARK: - TypeScript / JavaScript

extension SymbolDefinitions {
    enum ScriptBody { case classBody, namespace, code }
    enum ScriptOpen { case paren, bracket, brace(ScriptBody) }

    static let scriptMemberModifiers: Set<String> = [
        "public", "private", "protected", "static", "readonly", "abstract", "async", "override", "declare",
        "accessor", "get", "set",
    ]
    static let scriptNotMethods: Set<String> = ["constructor", "if", "for", "while", "switch", "catch", "return", "function"]
    /// A class-level line ending in one of these continues on the next line.
    static let scriptContinuations: Set<String> = [
        "=", ",", ":", "|", "&", "?", "=>", ".", "?.", "+", "-", "*", "/", "&&", "||", "??", "<", "(", "[",
    ]
    static let scriptStatementStarts: Set<String> = ["\n", ";", "{", "}", "export", "declare", "default"]

    static func scriptDefinitions(_ t: [Tok]) -> Set<String> {
        var defs = Set<String>()
        var stack: [ScriptOpen] = []
        var pending: ScriptBody?
        var memberStart = false
        var lastClassTok: String?
        let n = t.count
        var i = 0

        func isClassLevel() -> Bool {
            if case .brace(.classBody)? = stack.last { return true }
            return false
        }
        func isModuleLevel() -> Bool {
            stack.allSatisfy { if case .brace(.namespace) = $0 { return true } else { return false } }
        }

        while i < n {
            let tok = t[i]
            if isClassLevel() {
                if tok.kind == .newline {
                    if let last = lastClassTok, scriptContinuations.contains(last) {} else { memberStart = true }
                    i += 1
                    continue
                }
                if memberStart {
                    if tok.isPunct("@") {  // a decorator: `@Input()`, `@observable.ref`
                        var k = i + 1
                        if identText(t, k) != nil { k += 1 }
                        while k + 1 < n, t[k].isPunct("."), identText(t, k + 1) != nil { k += 2 }
                        if k < n, t[k].isPunct("(") { k = matchingClose(t, k) + 1 }
                        lastClassTok = nil
                        i = k
                        continue
                    }
                    if tok.kind == .ident || tok.isPunct("#") || tok.isPunct("*"),
                       let name = scriptMemberName(t, i) {
                        add(name, to: &defs)
                    }
                    memberStart = false
                }
            }
            switch tok.kind {
            case .newline, .number:
                break
            case .punct:
                switch tok.text {
                case "{":
                    let body = pending ?? .code
                    stack.append(.brace(body))
                    pending = nil
                    if case .classBody = body {
                        memberStart = true
                        lastClassTok = nil
                    }
                case "}":
                    while let top = stack.popLast() { if case .brace = top { break } }
                    pending = nil
                    if isClassLevel() {
                        memberStart = true
                        lastClassTok = "}"
                    }
                case "(": stack.append(.paren)
                case "[": stack.append(.bracket)
                case ")": if case .paren? = stack.last { stack.removeLast() }
                case "]": if case .bracket? = stack.last { stack.removeLast() }
                case ";": if isClassLevel() { memberStart = true }
                default: break
                }
            case .ident:
                let prev = i > 0 ? t[i - 1] : nil
                if let p = prev, p.isPunct(".") || p.isPunct("?.") { break }  // a property access
                let atStatementStart = prev.map { scriptStatementStarts.contains($0.text) } ?? true
                switch tok.text {
                case "function":
                    var k = i + 1
                    if k < n && t[k].isPunct("*") { k += 1 }
                    if let name = identText(t, k) { add(name, to: &defs) }
                case "class":
                    if let name = identText(t, i + 1) {
                        if name != "extends" && name != "implements" { add(name, to: &defs) }
                        pending = .classBody
                    } else if i + 1 < n, t[i + 1].isPunct("{") {
                        pending = .classBody
                    }
                case "interface":
                    if let name = identText(t, i + 1), i + 2 < n,
                       t[i + 2].isPunct("{") || t[i + 2].isPunct("<") || t[i + 2].text == "extends" {
                        add(name, to: &defs)
                    }
                case "enum":
                    if let name = identText(t, i + 1), i + 2 < n, t[i + 2].isPunct("{") { add(name, to: &defs) }
                case "type":
                    if atStatementStart, let name = identText(t, i + 1), i + 2 < n,
                       t[i + 2].isPunct("=") || t[i + 2].isPunct("<") {
                        add(name, to: &defs)
                    }
                case "namespace", "module":
                    if atStatementStart, let name = identText(t, i + 1), i + 2 < n,
                       t[i + 2].isPunct("{") || t[i + 2].isPunct(".") {
                        add(name, to: &defs)
                        pending = .namespace
                    }
                case "const", "let", "var":
                    if isModuleLevel(), identText(t, i + 1) != "enum" {
                        scriptDeclarators(t, from: i + 1, into: &defs)
                    }
                default: break
                }
            }
            if tok.kind != .newline && isClassLevel() { lastClassTok = tok.text }
            i += 1
        }
        return defs
    }

    /// The member a class-body line declares: `[modifiers] name(` (a method) or `name =`, `name:`, `name;` (a field).
    static func scriptMemberName(_ t: [Tok], _ start: Int) -> String? {
        let n = t.count
        var k = start
        while k < n {
            let x = t[k]
            if x.kind == .ident, scriptMemberModifiers.contains(x.text), k + 1 < n {
                let y = t[k + 1]
                if y.kind == .ident || y.isPunct("*") || y.isPunct("#") || y.isPunct("[") {
                    k += 1
                    continue
                }
            }
            if x.isPunct("*") { k += 1; continue }
            break
        }
        guard k < n else { return nil }
        let name: String
        if t[k].isPunct("#"), let id = identText(t, k + 1) {
            name = id
            k += 2
        } else if let id = identText(t, k) {
            name = id
            k += 1
        } else {
            return nil
        }
        guard k < n else { return name }
        let next = t[k]
        if next.kind == .newline { return name }
        guard next.kind == .punct else { return nil }
        switch next.text {
        case "(", "<": return scriptNotMethods.contains(name) ? nil : name
        case "=", ":", "?", "!", ";", "}": return name
        default: return nil
        }
    }

    /// `const a = 1, { b, c: d } = o, [e, ...f] = g`; names bound to `require(…)` or `import(…)` are imports.
    static func scriptDeclarators(_ t: [Tok], from start: Int, into defs: inout Set<String>) {
        let n = t.count
        var k = start
        while k < n {
            var names: [String] = []
            let after = scriptPattern(t, k, &names)
            guard after != k else { return }
            k = after
            // The initializer: is it `require(…)`, `import(…)`, `await import(…)`?
            var m = k
            while m < n && t[m].kind != .newline && !t[m].isPunct("=") && !t[m].isPunct(",") && !t[m].isPunct(";") {
                m += 1
            }
            var isImport = false
            if m < n && t[m].isPunct("=") {
                var v = m + 1
                while v < n && t[v].kind == .newline { v += 1 }
                if identText(t, v) == "await" { v += 1 }
                if let word = identText(t, v), word == "require" || word == "import", v + 1 < n, t[v + 1].isPunct("(") {
                    isImport = true
                }
            }
            if !isImport { for name in names { add(name, to: &defs) } }
            // Skip the type and initializer to the next declarator.
            var depth = 0
            var angle = 0
            var seenEquals = false
            var last: String?
            var nextDeclarator: Int?
            scan: while k < n {
                let x = t[k]
                if x.kind == .newline {
                    if depth == 0 && angle == 0 && !(last.map(scriptContinuations.contains) ?? false) { return }
                    k += 1
                    continue
                }
                if x.kind == .punct {
                    switch x.text {
                    case "(", "[", "{": depth += 1
                    case ")", "]", "}":
                        if depth == 0 { return }
                        depth -= 1
                    case "<": if depth == 0 && !seenEquals { angle += 1 }
                    case ">": if angle > 0 { angle -= 1 }
                    case "=": if depth == 0 && angle == 0 { seenEquals = true }
                    case ";": if depth == 0 { return }
                    case ",":
                        if depth == 0 && angle == 0 {
                            var v = k + 1
                            while v < n && t[v].kind == .newline { v += 1 }
                            if scriptDeclaratorStarts(t, v) {
                                nextDeclarator = v
                                break scan
                            }
                        }
                    default: break
                    }
                }
                last = x.text
                k += 1
            }
            guard let next = nextDeclarator else { return }
            k = next
        }
    }

    /// After a `,` in a declaration: does a new declarator (`b = 2`, `b,`, `{ c } =`) start at `k`?
    static func scriptDeclaratorStarts(_ t: [Tok], _ k: Int) -> Bool {
        guard k < t.count else { return false }
        if t[k].isPunct("{") || t[k].isPunct("[") { return true }
        guard t[k].kind == .ident else { return false }
        guard k + 1 < t.count else { return true }
        let next = t[k + 1]
        if next.kind == .newline { return true }
        return next.kind == .punct && ["=", ":", ",", ";", "!"].contains(next.text)
    }

    /// A binding pattern at `k` (an identifier, `{ … }` or `[ … ]`); returns the index after it (`k` when none).
    static func scriptPattern(_ t: [Tok], _ start: Int, _ names: inout [String]) -> Int {
        let n = t.count
        var k = start
        while k < n && t[k].kind == .newline { k += 1 }
        guard k < n else { return start }
        if let name = identText(t, k) {
            names.append(name)
            return k + 1
        }
        let isObject = t[k].isPunct("{")
        guard isObject || t[k].isPunct("[") else { return start }
        let closer = isObject ? "}" : "]"
        k += 1
        while k < n {
            while k < n && t[k].kind == .newline { k += 1 }
            guard k < n else { return n }
            if t[k].isPunct(closer) { return k + 1 }
            if t[k].isPunct(",") { k += 1; continue }  // an array hole
            if t[k].isPunct("...") { k += 1 }
            if isObject {
                var m = k
                if t[m].isPunct("[") {  // a computed key
                    m = matchingClose(t, m) + 1
                } else if t[m].kind == .ident || t[m].kind == .number {
                    m += 1
                }
                var colon = m
                while colon < n && t[colon].kind == .newline { colon += 1 }
                if colon < n && t[colon].isPunct(":") {
                    let after = scriptPattern(t, colon + 1, &names)
                    if after == colon + 1 { return after }
                    k = after
                } else if t[k].kind == .ident {
                    names.append(t[k].text)
                    k += 1
                } else if m == k {
                    return k  // not a pattern we understand; a string key is blank here
                } else {
                    k = m
                }
            } else {
                let after = scriptPattern(t, k, &names)
                if after == k { return k }
                k = after
            }
            // A default value: skip to the next `,` or the closer.
            while k < n && t[k].kind == .newline { k += 1 }
            if k < n && t[k].isPunct("=") {
                var depth = 0
                k += 1
                while k < n {
                    let x = t[k]
                    if x.kind == .punct {
                        if depth == 0 && (x.text == "," || x.text == closer) { break }
                        if ["(", "[", "{"].contains(x.text) { depth += 1 }
                        if [")", "]", "}"].contains(x.text) { depth -= 1 }
                    }
                    k += 1
                }
            }
            while k < n && t[k].kind == .newline { k += 1 }
            if k < n && t[k].isPunct(",") { k += 1; continue }
            if k < n && t[k].isPunct(closer) { return k + 1 }
            return k
        }
        return n
    }
}

// MARK: - Python

extension SymbolDefinitions {
    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "print",
    ]

    static func pythonDefinitions(_ t: [Tok]) -> Set<String> {
        var defs = Set<String>()
        var blocks: [(isClass: Bool, indent: Int)] = []
        var depth = 0
        var atStart = true
        let n = t.count
        for i in 0..<n {
            let x = t[i]
            if x.kind == .newline {
                if depth == 0 { atStart = true }
                continue
            }
            if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                default: break
                }
            }
            guard atStart else { continue }
            atStart = false
            let indent = x.column
            while let top = blocks.last, indent <= top.indent { blocks.removeLast() }
            var k = i
            if x.text == "async", identText(t, i + 1) == "def" { k += 1 }
            switch identText(t, k) {
            case "def"?:
                if let name = identText(t, k + 1) { add(name, to: &defs) }
                blocks.append((false, indent))
            case "class"?:
                if let name = identText(t, k + 1) { add(name, to: &defs) }
                blocks.append((true, indent))
            default:
                let inFunction = blocks.last.map { !$0.isClass } ?? false
                if !inFunction { pythonAssignment(t, i, into: &defs) }
            }
        }
        return defs
    }

    /// `NAME = …`, `NAME: T = …`, `NAME: T`, `A, B = …`, `(A, B) = …`, `type NAME = …` at a statement start.
    static func pythonAssignment(_ t: [Tok], _ start: Int, into defs: inout Set<String>) {
        let n = t.count
        if t[start].text == "type", let name = identText(t, start + 1), start + 2 < n,
           t[start + 2].isPunct("=") || t[start + 2].isPunct("[") {
            add(name, to: &defs)
            return
        }
        var k = start
        var closer: String?
        if t[k].isPunct("(") { closer = ")"; k += 1 } else if t[k].isPunct("[") { closer = "]"; k += 1 }
        var names: [String] = []
        func skipNewlinesInsideBrackets() {
            while closer != nil && k < n && t[k].kind == .newline { k += 1 }
        }
        while k < n {
            skipNewlinesInsideBrackets()
            if k < n && t[k].isPunct("*") { k += 1 }
            guard let name = identText(t, k), !pythonKeywords.contains(name) else { return }
            names.append(name)
            k += 1
            skipNewlinesInsideBrackets()
            if k < n && t[k].isPunct(",") {
                k += 1
                skipNewlinesInsideBrackets()
                if let c = closer, k < n, t[k].isPunct(c) { break }  // a trailing comma
                continue
            }
            break
        }
        if let c = closer {
            guard k < n, t[k].isPunct(c) else { return }
            k += 1
        }
        guard k < n, !names.isEmpty else { return }
        if t[k].isPunct("=") || (t[k].isPunct(":") && names.count == 1 && closer == nil) {
            for name in names { add(name, to: &defs) }
        }
    }
}

// MARK: - Go

extension SymbolDefinitions {
    static func goDefinitions(_ t: [Tok]) -> Set<String> {
        var defs = Set<String>()
        var depth = 0
        var lineStart = true
        let n = t.count
        for i in 0..<n {
            let x = t[i]
            if x.kind == .newline {
                lineStart = true
                continue
            }
            let isStart = lineStart
            lineStart = false
            if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                default: break
                }
                continue
            }
            guard isStart, depth == 0, x.kind == .ident else { continue }
            switch x.text {
            case "func":
                if let name = identText(t, i + 1) {
                    add(name, to: &defs)
                } else if i + 1 < n, t[i + 1].isPunct("(") {  // a method: func (r *T) Name(
                    let k = matchingClose(t, i + 1) + 1
                    if let name = identText(t, k), k + 1 < n, t[k + 1].isPunct("(") || t[k + 1].isPunct("[") {
                        add(name, to: &defs)
                    }
                }
            case "type", "var", "const":
                let firstOnly = x.text == "type"
                if i + 1 < n, t[i + 1].isPunct("(") {
                    goGroup(t, open: i + 1, firstOnly: firstOnly, into: &defs)
                } else if identText(t, i + 1) != nil {
                    goNames(t, i + 1, firstOnly: firstOnly, into: &defs)
                }
            default: break
            }
        }
        return defs
    }

    /// `A, B = 1, 2` → A, B (only A when `firstOnly`).
    static func goNames(_ t: [Tok], _ start: Int, firstOnly: Bool, into defs: inout Set<String>) {
        guard let first = identText(t, start) else { return }
        add(first, to: &defs)
        guard !firstOnly else { return }
        var k = start + 1
        while k + 1 < t.count, t[k].isPunct(","), let name = identText(t, k + 1) {
            add(name, to: &defs)
            k += 2
        }
    }

    /// `const ( A = iota; B; C )`, `var ( … )`, `type ( … )`: the names starting each line of the group.
    static func goGroup(_ t: [Tok], open: Int, firstOnly: Bool, into defs: inout Set<String>) {
        var k = open + 1
        var depth = 1
        var lineFirst = true
        while k < t.count {
            let x = t[k]
            if x.kind == .newline {
                lineFirst = true
                k += 1
                continue
            }
            if x.kind == .punct {
                switch x.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    depth -= 1
                    if depth == 0 { return }
                case ";": if depth == 1 { lineFirst = true; k += 1; continue }
                default: break
                }
            } else if lineFirst && depth == 1 && x.kind == .ident {
                goNames(t, k, firstOnly: firstOnly, into: &defs)
            }
            lineFirst = false
            k += 1
        }
    }
}
