/// Path globs as `.assay.yml` writes them: `*` matches within one path component, `**` across
/// components (including none), `?` one character, and a trailing `/` a whole directory. Matching is
/// linear in the path times the pattern (no backtracking), so a user's pattern cannot hang a hook.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]

    /// `anyDirs` is `**/`: zero or more whole directories. `anyPath` is a `**` not followed by `/`
    /// (anything, slashes included).
    enum Token: Hashable, Sendable { case literal(UInt8), any, anyPath, anyDirs, one }

    public init(_ pattern: String) {
        self.pattern = pattern
        var p = Array(pattern.utf8)
        if p.last == UInt8(ascii: "/") { p += Array("**".utf8) }  // `dir/` means everything under it
        if p.first == UInt8(ascii: "/") { p.removeFirst() }
        var out: [Token] = []
        var i = 0
        while i < p.count {
            if p[i] == UInt8(ascii: "*") {
                if i + 1 < p.count && p[i + 1] == UInt8(ascii: "*") {
                    i += 2
                    if i < p.count && p[i] == UInt8(ascii: "/") {
                        out.append(.anyDirs)
                        i += 1
                    } else {
                        out.append(.anyPath)
                    }
                    continue
                }
                out.append(.any)
            } else if p[i] == UInt8(ascii: "?") {
                out.append(.one)
            } else {
                out.append(.literal(p[i]))
            }
            i += 1
        }
        tokens = out
    }

    public var description: String { pattern }

    /// True when `path` (repository-relative, `/`-separated) matches the whole pattern.
    public func matches(_ path: String) -> Bool {
        let s = Array(path.utf8)
        // reachable[j]: the tokens so far can consume exactly s[0..<j].
        var reachable = [Bool](repeating: false, count: s.count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: s.count + 1)
            switch token {
            case .literal(let c):
                for j in 0..<s.count where reachable[j] && s[j] == c { next[j + 1] = true }
            case .one:
                for j in 0..<s.count where reachable[j] && s[j] != UInt8(ascii: "/") { next[j + 1] = true }
            case .any:
                for j in 0...s.count where reachable[j] || (j > 0 && next[j - 1] && s[j - 1] != UInt8(ascii: "/")) {
                    next[j] = true
                }
            case .anyPath:
                var on = false
                for j in 0...s.count {
                    if reachable[j] { on = true }
                    next[j] = on
                }
            case .anyDirs:
                // From a reachable position at a component start, jump to any later component start.
                var on = false
                for j in 0...s.count {
                    let atStart = j == 0 || s[j - 1] == UInt8(ascii: "/")
                    if reachable[j] && atStart { on = true }
                    if on && atStart { next[j] = true }
                }
            }
            reachable = next
        }
        return reachable[s.count]
    }
}
