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
