import Foundation

/// The tree's paths indexed for the lookups claims need, built once per tree: files by name (a bare
/// name or the tail of a path finds its file without a scan of the whole tree), folders by name,
/// and names as templates compare them (without case, dashes or underscores).
public final class TreePathIndex: @unchecked Sendable {
    let filesByName: [String: [String]]
    let foldersByName: [String: [String]]
    let normalizedNames: [String: String]

    public init(files: [String]) {
        var byName: [String: [String]] = [:]
        var folders: [String: Set<String>] = [:]
        var normalized: [String: String] = [:]
        for path in files {
            let parts = path.split(separator: "/")
            guard let name = parts.last else { continue }
            byName[String(name), default: []].append(path)
            let n = TreePathIndex.normal(name)
            if normalized[n] == nil { normalized[n] = path }
            var prefix = ""
            for part in parts.dropLast() {
                prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
                folders[String(part), default: []].insert(prefix)
            }
        }
        filesByName = byName
        foldersByName = folders.mapValues { $0.sorted() }
        normalizedNames = normalized
    }

    static func normal(_ s: Substring) -> String { s.lowercased().filter { $0 != "-" && $0 != "_" } }

    /// Files whose path is `tail` or ends with "/" + `tail`.
    public func files(endingWith tail: String) -> [String] {
        guard let name = tail.split(separator: "/").last else { return [] }
        return (filesByName[String(name)] ?? []).filter { $0 == tail || $0.hasSuffix("/" + tail) }
    }

    /// Folders whose path is `tail` or ends with "/" + `tail`.
    public func folders(endingWith tail: String) -> [String] {
        guard let name = tail.split(separator: "/").last else { return [] }
        return (foldersByName[String(name)] ?? []).filter { $0 == tail || $0.hasSuffix("/" + tail) }
    }

    /// A file whose name, compared without case, dashes or underscores, is `name` + one of `suffixes`.
    public func file(namedLike name: Substring, withSuffixes suffixes: [String]) -> String? {
        let base = TreePathIndex.normal(name)
        for s in suffixes { if let hit = normalizedNames[base + s] { return hit } }
        return nil
    }
}
