/// ASCII byte constants and classes for the byte scanners (the checks, the test counter).
enum Byte {
    static let tab: UInt8 = 0x09, nl: UInt8 = 0x0A, cr: UInt8 = 0x0D, sp: UInt8 = 0x20
    static let bang: UInt8 = 0x21, dq: UInt8 = 0x22, hash: UInt8 = 0x23, dollar: UInt8 = 0x24, sq: UInt8 = 0x27
    static let lp: UInt8 = 0x28, rp: UInt8 = 0x29, star: UInt8 = 0x2A, comma: UInt8 = 0x2C, minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E, slash: UInt8 = 0x2F, colon: UInt8 = 0x3A, semicolon: UInt8 = 0x3B
    static let lt: UInt8 = 0x3C, eq: UInt8 = 0x3D, gt: UInt8 = 0x3E, question: UInt8 = 0x3F, at: UInt8 = 0x40
    static let lb: UInt8 = 0x5B, bs: UInt8 = 0x5C, rb: UInt8 = 0x5D, underscore: UInt8 = 0x5F, bt: UInt8 = 0x60
    static let lc: UInt8 = 0x7B, pipe: UInt8 = 0x7C, rc: UInt8 = 0x7D

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    /// Identifier bytes: ASCII letters, digits, `_`, `$`, and every byte of a multi-byte UTF-8 scalar.
    @inline(__always) static func isIdent(_ b: UInt8) -> Bool {
        isLetter(b) || isDigit(b) || b == underscore || b == dollar || b >= 0x80
    }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }

    /// True when `text` holds `needle` (exact bytes): the cheap prefilter every check runs first.
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { h in
            needle.withUTF8Buffer { n in byteSearch(h, n) != nil }
        }
    }

    /// True when `text` holds `needle` ignoring ASCII case; `needle` must be lowercase.
    static func containsIgnoringCase(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { h in
            needle.withUTF8Buffer { n in
                guard let first = n.first, h.count >= n.count else { return false }
                var i = 0
                while i <= h.count - n.count {
                    if lower(h[i]) == first {
                        var j = 1
                        while j < n.count && lower(h[i + j]) == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// True when `bytes[k...]` starts with `prefix` ignoring ASCII case and the prefix ends at a word
    /// boundary (no letter or digit right after it); `prefix` must be lowercase.
    static func startsWord(_ bytes: [UInt8], at k: Int, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { p in
            guard k >= 0, k + p.count <= bytes.count else { return false }
            for i in 0..<p.count where lower(bytes[k + i]) != p[i] { return false }
            let after = k + p.count < bytes.count ? bytes[k + p.count] : 0
            return !(isLetter(after) || isDigit(after))
        }
    }

    /// The line without leading and trailing spaces and tabs.
    static func trimmed(_ line: String) -> String {
        var s = Substring(line)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }

    /// True when the line, trimmed, is only a comment: it starts with `//`, `/*`, `*` (a block
    /// comment's continuation), `--`, or `#` (in languages where `#` opens a comment).
    static func isCommentOnly(_ line: String, hashComments: Bool) -> Bool {
        let t = trimmed(line).utf8
        guard let first = t.first else { return false }
        let second = t.dropFirst().first ?? 0
        switch first {
        case slash: return second == slash || second == star
        case star: return second == sp || second == slash || second == tab || t.count == 1
        case minus: return second == minus
        case hash: return hashComments
        default: return false
        }
    }

    /// The index of the bracket closing the one at `open` (any of `()[]{}`), nil when unbalanced.
    static func matching(_ bytes: [UInt8], _ open: Int) -> Int? {
        var depth = 0
        var k = open
        while k < bytes.count {
            switch bytes[k] {
            case lp, lb, lc: depth += 1
            case rp, rb, rc:
                depth -= 1
                if depth == 0 { return k }
            default: break
            }
            k += 1
        }
        return nil
    }
}
