internal import CLibGit2

/// A git object id (SHA-1), stored as three integers so hashing and comparing are cheap.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    @usableFromInline let a: UInt64
    @usableFromInline let b: UInt64
    @usableFromInline let c: UInt32

    /// The id as 20 raw bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i))) }
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * UInt64(i))) }
        for i in 0..<4 { out[16 + i] = UInt8(truncatingIfNeeded: c >> (24 - 8 * UInt32(i))) }
        return out
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 20 else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        for (i, byte) in bytes.enumerated() {
            if i < 8 { a = a << 8 | UInt64(byte) } else if i < 16 { b = b << 8 | UInt64(byte) } else { c = c << 8 | UInt32(byte) }
        }
        self.a = a; self.b = b; self.c = c
    }

    /// Parses a full 40-character hex id; nil for anything else.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40 else { return nil }
        var out = [UInt8](); out.reserveCapacity(20)
        var i = 0
        while i < 40 {
            guard let hi = ObjectID.nibble(utf8[i]), let lo = ObjectID.nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self.init(bytes: out)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The all-zero id git uses for "no object" (new branches, deletions).
    public static let zero = ObjectID(bytes: [UInt8](repeating: 0, count: 20))!
    public var isZero: Bool { a == 0 && b == 0 && c == 0 }

    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var chars = [UInt8](); chars.reserveCapacity(40)
        for byte in bytes {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// The first seven hex digits, as `git log --oneline` shows.
    public var short: String { String(hex.prefix(7)) }
    public var description: String { hex }

    public static func < (l: ObjectID, r: ObjectID) -> Bool {
        (l.a, l.b, l.c) < (r.a, r.b, r.c)
    }

    init(_ oid: git_oid) {
        var o = oid
        self = withUnsafeBytes(of: &o.id) { ObjectID(raw: $0.baseAddress!) }
    }

    /// Reads 20 raw bytes at `raw` (no alignment needed).
    init(raw: UnsafeRawPointer) {
        a = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
        b = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    init(_ pointer: UnsafePointer<git_oid>) { self.init(pointer.pointee) }

    var gitOID: git_oid {
        var oid = git_oid()
        let raw = bytes
        withUnsafeMutableBytes(of: &oid.id) { dst in
            for i in 0..<20 { dst[i] = raw[i] }
        }
        return oid
    }
}
