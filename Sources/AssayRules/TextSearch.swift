import Foundation

/// Byte-wise substring search over UTF-8: the rules run it on every sentence of every doc and on
/// whole files, where Foundation's locale-aware `contains` costs a bridge to NSString per call.
@usableFromInline
func byteSearch(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let n = needle.baseAddress, !needle.isEmpty else { return 0 }
    guard let h = haystack.baseAddress, haystack.count >= needle.count else { return nil }
    let last = haystack.count - needle.count
    var i = 0
    while i <= last {
        guard let hit = memchr(h + i, Int32(n.pointee), last - i + 1) else { return nil }
        let index = h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        if memcmp(h + index, n, needle.count) == 0 { return index }
        i = index + 1
    }
    return nil
}

extension StringProtocol {
    /// True when `needle` occurs in the string, compared byte for byte.
    func has(_ needle: String) -> Bool {
        var haystack = String(self)
        var needle = needle
        return haystack.withUTF8 { h in needle.withUTF8 { n in byteSearch(h, n) != nil } }
    }
}

extension Array where Element == UInt8 {
    /// The offset of the first occurrence of `needle`.
    func offset(of needle: [UInt8]) -> Int? {
        withUnsafeBufferPointer { h in needle.withUnsafeBufferPointer { n in byteSearch(h, n) } }
    }
}
