/// A path as git stores it: bytes, not necessarily UTF-8. Shown leniently, kept exactly.
public struct GitPath: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    init(cString: UnsafePointer<CChar>) {
        let length = strlenC(cString)
        self.bytes = cString.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The path as a string, invalid UTF-8 replaced by U+FFFD. Use `bytes` to keep it exactly.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    /// The path as a string that keeps every byte: valid UTF-8 reads as itself, and each other
    /// byte becomes the private-use scalar U+10FF00 + byte (see `escapingInvalidUTF8`).
    /// `GitPath(escaped:)` gives the bytes back, so paths compare byte for byte.
    public var escapedString: String { String(decoding: Self.escapingInvalidUTF8(bytes), as: UTF8.self) }

    /// The bytes of a string made by `escapedString` (or by text run through `escapingInvalidUTF8`).
    public init(escaped string: String) {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            if scalar.value & 0xFFFF00 == Self.escapeBase {
                out.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        bytes = out
    }

    /// Where escaped bytes live: U+10FF00 + byte (the last private-use plane, unused in practice).
    static let escapeBase: UInt32 = 0x10FF00

    /// `bytes` as valid UTF-8 in which each byte that is not part of a well-formed sequence
    /// is written as U+10FF00 + byte. A sequence that already encodes a scalar in U+10FF00…U+10FFFF
    /// is escaped byte by byte too, so the mapping is reversible. Valid text comes back unchanged.
    public static func escapingInvalidUTF8(_ bytes: [UInt8]) -> [UInt8] {
        // Most text is plain: find the first byte that needs escaping before copying anything.
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            let length = keptLength(bytes, at: i)
            if length == 0 { break }
            i += length
        }
        if i == bytes.count { return bytes }
        var out = Array(bytes[..<i])
        out.reserveCapacity(bytes.count + 8)
        while i < bytes.count {
            let length = bytes[i] < 0x80 ? 1 : keptLength(bytes, at: i)
            if length > 0 {
                out.append(contentsOf: bytes[i..<i + length])
                i += length
            } else {
                out.append(contentsOf: String(Unicode.Scalar(escapeBase + UInt32(bytes[i]))!).utf8)
                i += 1
            }
        }
        return out
    }

    /// The length of the sequence at `i` to keep as it is: a well-formed UTF-8 sequence that does
    /// not encode an escape scalar; 0 when the byte must be escaped.
    private static func keptLength(_ bytes: [UInt8], at i: Int) -> Int {
        let length = wellFormedLength(bytes, at: i)
        if length == 4 && bytes[i] == 0xF4 && bytes[i + 1] == 0x8F && bytes[i + 2] >= 0xBC { return 0 }
        return length
    }

    /// The length of the well-formed UTF-8 sequence starting at `i` (1 to 4), or 0 when there is none.
    private static func wellFormedLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b = bytes[i]
        func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i + k < bytes.count && bytes[i + k] >= low && bytes[i + k] <= high
        }
        switch b {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    /// An escaped string for people: escaped bytes shown as U+FFFD, as `string` shows them.
    public static func displayString(_ escaped: String) -> String {
        guard escaped.unicodeScalars.contains(where: { $0.value & 0xFFFF00 == escapeBase }) else { return escaped }
        var out = String.UnicodeScalarView()
        for scalar in escaped.unicodeScalars {
            out.append(scalar.value & 0xFFFF00 == escapeBase ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }

    /// True when the bytes are valid UTF-8.
    public var isValidUTF8: Bool { String(validatingUTF8Bytes: bytes) != nil }
    public var description: String { string }

    /// Path components split on `/`.
    public var components: [GitPath] { bytes.split(separator: UInt8(ascii: "/")).map { GitPath(bytes: Array($0)) } }
    public var lastComponent: GitPath { components.last ?? self }

    public func appending(_ child: GitPath) -> GitPath {
        if bytes.isEmpty { return child }
        return GitPath(bytes: bytes + [UInt8(ascii: "/")] + child.bytes)
    }

    /// Byte order, as git sorts index entries.
    public static func < (l: GitPath, r: GitPath) -> Bool { l.bytes.lexicographicallyPrecedes(r.bytes) }

    /// Calls `body` with a NUL-terminated C string of the path.
    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var copy = bytes
        copy.append(0)
        return try copy.withUnsafeBufferPointer { buf in
            try buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { try body($0) }
        }
    }
}

extension String {
    /// Strict UTF-8 decoding: nil when the bytes are not valid UTF-8.
    public init?(validatingUTF8Bytes bytes: some Collection<UInt8>) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }
}

@inline(__always)
func strlenC(_ p: UnsafePointer<CChar>) -> Int {
    var n = 0
    while p[n] != 0 { n += 1 }
    return n
}
