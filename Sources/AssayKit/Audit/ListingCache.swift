import AssayCore
import Foundation
import GitKit

/// Flat file listings of `HEAD`'s tree, cached under `$GIT_DIR/assay/cache/` (machine-local, never in
/// the working tree). Comparing the index with `HEAD` needs the listing; building it reads every tree
/// of a large repository (tens of milliseconds), so it is built once and then carried from one `HEAD`
/// to the next by a tree diff, which reads only the subtrees that changed.
enum ListingCache {
    static let keep = 2

    static func directory(_ repo: Repository) -> URL {
        repo.gitDirectory.appendingPathComponent("assay").appendingPathComponent("cache")
    }

    /// The listing of `tree`: from the cache, from a cached listing of another tree plus a diff, or
    /// built from scratch. A cache that cannot be written (a read-only repository) costs speed only.
    static func listing(of tree: ObjectID, in repo: Repository) throws(GitError) -> FileListing {
        let dir = directory(repo)
        let fm = FileManager.default
        let file = dir.appendingPathComponent("listing-\(tree.hex)")
        if let data = try? Data(contentsOf: file, options: .alwaysMapped),
           let cached = data.withUnsafeBytes({ FileListing(serializedBuffer: $0) }), cached.tree == tree {
            return cached
        }
        var listing: FileListing?
        // The newest other listing, carried forward by a diff of the two trees.
        let others = ((try? fm.contentsOfDirectory(at: dir, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("listing-") }
            .sorted { modified($0) > modified($1) }
        if let newest = others.first, let data = fm.contents(atPath: newest.path),
           let old = data.withUnsafeBytes({ FileListing(serializedBuffer: $0) }), repo.contains(old.tree),
           let diff = try? repo.diffTrees(old.tree, tree) {
            listing = old.applying(diff.changes, tree: tree)
        }
        let result: FileListing
        if let listing { result = listing } else { result = try repo.fileListing(ofTree: tree) }
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let temp = dir.appendingPathComponent(".listing-\(tree.hex)-\(getpid())")
        if fm.createFile(atPath: temp.path, contents: Data(result.serialized())) {
            _ = rename(temp.path, file.path)
        }
        for stale in others.dropFirst(keep - 1) where stale != file { try? fm.removeItem(at: stale) }
        return result
    }

    private static func modified(_ url: URL) -> Date {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
    }
}
