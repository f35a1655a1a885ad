internal import CLibGit2
import Foundation

/// Every file of a tree as one flat, path-sorted list (path bytes, blob id, mode). Comparing the
/// index with `HEAD` needs this list; building it reads every tree (thousands in a large repository),
/// so callers cache it by tree id and derive the next one from a tree diff (`applying`).
public struct FileListing: Sendable, Equatable {
    public let tree: ObjectID
    /// All paths, back to back; entry `i` is `paths[starts[i] ..< starts[i + 1]]`.
    private var paths: [UInt8]
    private var starts: [Int32]
    public private(set) var ids: [ObjectID]
    public private(set) var modes: [UInt32]

    public var count: Int { ids.count }

    public func path(at i: Int) -> GitPath { GitPath(bytes: Array(pathBytes(i))) }

    func pathBytes(_ i: Int) -> ArraySlice<UInt8> { paths[Int(starts[i])..<Int(starts[i + 1])] }

    /// Every column at once (paths, start offsets, ids, modes), for loops over all entries.
    func withColumns<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<ObjectID>,
                                 UnsafeBufferPointer<UInt32>) -> R) -> R {
        paths.withUnsafeBufferPointer { p in starts.withUnsafeBufferPointer { s in
            ids.withUnsafeBufferPointer { i in modes.withUnsafeBufferPointer { m in body(p, s, i, m) } }
        } }
    }

    init(tree: ObjectID) {
        self.tree = tree; paths = []; starts = [0]; ids = []; modes = []
    }

    mutating func append(_ path: some Collection<UInt8>, _ id: ObjectID, _ mode: UInt32) {
        paths.append(contentsOf: path)
        starts.append(Int32(paths.count))
        ids.append(id)
        modes.append(mode)
    }

    /// The entry for `path`, by binary search.
    public func entry(_ path: GitPath) -> (id: ObjectID, mode: UInt32)? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pathBytes(mid).lexicographicallyPrecedes(path.bytes) { lo = mid + 1 } else { hi = mid }
        }
        guard lo < count, pathBytes(lo).elementsEqual(path.bytes) else { return nil }
        return (ids[lo], modes[lo])
    }

    /// The listing of the tree `changes` lead to (from a diff of this listing's tree to `tree`).
    public func applying(_ changes: [FileChange], tree: ObjectID) -> FileListing {
        var removed = Set<GitPath>()
        var upserts: [(GitPath, ObjectID, UInt32)] = []
        for change in changes {
            switch change.status {
            case .deleted: removed.insert(change.path)
            case .renamed, .copied:
                if change.status == .renamed, let old = change.oldPath { removed.insert(old) }
                upserts.append((change.path, change.newID, change.newMode))
            default:
                removed.insert(change.path)
                upserts.append((change.path, change.newID, change.newMode))
            }
        }
        upserts.sort { $0.0 < $1.0 }
        var out = FileListing(tree: tree)
        out.paths.reserveCapacity(paths.count)
        var i = 0, k = 0
        while i < count || k < upserts.count {
            if k < upserts.count && (i == count || upserts[k].0.bytes.lexicographicallyPrecedes(pathBytes(i))) {
                out.append(upserts[k].0.bytes, upserts[k].1, upserts[k].2)
                k += 1
            } else {
                let bytes = pathBytes(i)
                if !removed.contains(GitPath(bytes: Array(bytes))) { out.append(bytes, ids[i], modes[i]) }
                i += 1
            }
        }
        return out
    }

    // MARK: Serialization (a cache file format private to assay)

    private static let magic = Array("ASSAYFL1".utf8)

    public func serialized() -> [UInt8] {
        var out = FileListing.magic
        out.reserveCapacity(paths.count + count * 28 + 40)
        out += tree.bytes
        func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        u32(UInt32(count))
        for i in 0..<count {
            out += ids[i].bytes
            u32(modes[i])
            u32(UInt32(starts[i + 1] - starts[i]))
        }
        out += paths
        return out
    }

    /// Reads a serialized listing; nil when the bytes are not one (a truncated or foreign file).
    public init?(serialized bytes: [UInt8]) {
        guard let listing = bytes.withUnsafeBytes({ FileListing(serializedBuffer: $0) }) else { return nil }
        self = listing
    }

    /// Reads a serialized listing from memory (a mapped cache file), copying only what it keeps.
    public init?(serializedBuffer raw: UnsafeRawBufferPointer) {
        let m = FileListing.magic.count
        guard raw.count >= m + 24, raw.prefix(m).elementsEqual(FileListing.magic),
              let base = raw.baseAddress else { return nil }
        let tree = ObjectID(raw: base + m)
        func u32(_ at: Int) -> UInt32 { UInt32(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        let n = Int(u32(m + 20))
        let table = m + 24
        guard raw.count >= table + n * 28 else { return nil }
        self.init(tree: tree)
        ids.reserveCapacity(n); modes.reserveCapacity(n); starts.reserveCapacity(n + 1)
        var total = 0
        for i in 0..<n {
            let at = base + table + i * 28
            ids.append(ObjectID(raw: at))
            modes.append(UInt32(bigEndian: at.loadUnaligned(fromByteOffset: 20, as: UInt32.self)))
            total += Int(UInt32(bigEndian: at.loadUnaligned(fromByteOffset: 24, as: UInt32.self)))
            starts.append(Int32(total))
        }
        let pathsAt = table + n * 28
        guard raw.count == pathsAt + total else { return nil }
        paths = Array(UnsafeRawBufferPointer(rebasing: raw[pathsAt...]))
    }
}

extension Repository {
    /// The flat listing of every file in `tree` (reads every subtree once).
    public func fileListing(ofTree tree: ObjectID) throws(GitError) -> FileListing {
        var listing = FileListing(tree: tree)
        var oid = tree.gitOID
        var root: OpaquePointer?
        try check(git_tree_lookup(&root, pointer, &oid), "git_tree_lookup(\(tree.short))")
        // Depth-first in tree order, which for files is the order of their full paths' bytes.
        func visit(_ prefix: [UInt8], _ t: OpaquePointer) throws(GitError) {
            defer { git_tree_free(t) }
            for i in 0..<git_tree_entrycount(t) {
                let e = git_tree_entry_byindex(t, i)!
                let name = git_tree_entry_name(e)!
                var path = prefix
                path.append(contentsOf: UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self),
                                                            count: strlenC(name)))
                let mode = UInt32(git_tree_entry_filemode(e).rawValue)
                if mode == 0o040000 {
                    var sub: OpaquePointer?
                    try check(git_tree_lookup(&sub, pointer, git_tree_entry_id(e)), "git_tree_lookup")
                    path.append(UInt8(ascii: "/"))
                    try visit(path, sub!)
                } else {
                    listing.append(path, ObjectID(git_tree_entry_id(e)!), mode)
                }
            }
        }
        try visit([], root!)
        return listing
    }

    /// Opens the index once, for several questions (staged changes, the working tree's changes).
    /// `GIT_INDEX_FILE` is honoured as git honours it: in a hook of `git commit -a` or
    /// `git commit PATH`, the staged content is in a temporary index that variable names.
    public func openIndex() throws(GitError) -> IndexSnapshot {
        if let path = IndexSnapshot.environmentIndexFile() { return try IndexSnapshot.load(path) }
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        let r = git_index_read(index, 0)
        if r < 0 {
            let error = lastError(r, "git_index_read")
            git_index_free(index)
            throw error
        }
        return IndexSnapshot(pointer: index!)
    }

    /// The index file this repository uses: `GIT_INDEX_FILE`, or `index` in the git directory.
    public var indexFilePath: String {
        IndexSnapshot.environmentIndexFile() ?? gitDirectory.appendingPathComponent("index").path
    }
}

/// The index as it is on disk, opened once. Not thread-safe.
public final class IndexSnapshot: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_index_free(pointer) }

    /// Reads an index file on its own (no repository handle), so it can be loaded on another
    /// thread while the caller does other work: loading a large index is the slowest step of a
    /// staged audit. A missing file is an empty index (a repository with nothing staged yet).
    public static func load(_ path: String) throws(GitError) -> IndexSnapshot {
        _ = LibGit2.initialized
        var index: OpaquePointer?
        try check(git_index_open(&index, path), "git_index_open(\(path))")
        return IndexSnapshot(pointer: index!)
    }

    static func environmentIndexFile() -> String? {
        guard let value = ProcessInfo.processInfo.environment["GIT_INDEX_FILE"], !value.isEmpty else { return nil }
        if value.hasPrefix("/") { return value }
        return FileManager.default.currentDirectoryPath + "/" + value
    }

    public var count: Int { git_index_entrycount(pointer) }

    /// True when the stage-0 entry for `path` is outside a sparse checkout (skip-worktree) or
    /// marked assume-unchanged: its absence from the working tree is not a deletion.
    public func isNotCheckedOut(_ path: GitPath) -> Bool {
        guard let e = path.withCString({ git_index_get_bypath(pointer, $0, 0) }) else { return false }
        let skip = UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
        let valid = UInt16(GIT_INDEX_ENTRY_VALID.rawValue)
        return e.pointee.flags_extended & skip != 0 || e.pointee.flags & valid != 0
    }

    /// Paths with unresolved merge conflicts (entries at stages 1–3).
    public var conflictedPaths: [GitPath] { compare(with: nil).conflicted }

    /// The changes staged relative to `base` (a listing of `HEAD`'s tree; nil on an unborn branch),
    /// as `git diff --cached --no-renames` reports them: added, deleted, modified and type changes.
    /// Intent-to-add entries (`git add -N`) are not staged content and are left out, as
    /// `git write-tree` leaves them out; conflicted paths are left out (see `conflictedPaths`).
    public func changes(from base: FileListing?) -> [FileChange] { compare(with: base).changes }

    /// `changes(from:)` and `conflictedPaths` in one pass over the index (50,000 entries: about a
    /// millisecond, on the way to a pre-commit verdict).
    public func compare(with base: FileListing?) -> (changes: [FileChange], conflicted: [GitPath]) {
        (base ?? FileListing(tree: .zero)).withColumns { paths, starts, ids, modes in
            compare(paths, starts, ids, modes)
        }
    }

    private func compare(_ paths: UnsafeBufferPointer<UInt8>, _ starts: UnsafeBufferPointer<Int32>,
                         _ ids: UnsafeBufferPointer<ObjectID>, _ modes: UnsafeBufferPointer<UInt32>)
        -> (changes: [FileChange], conflicted: [GitPath]) {
        var out: [FileChange] = []
        var conflicted: [GitPath] = []
        let n = count
        let m = ids.count
        var i = 0, j = 0
        let intentToAdd = UInt16(GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue)
        let nameMask = UInt16(GIT_INDEX_ENTRY_NAMEMASK)
        func basePath(_ j: Int) -> UnsafeBufferPointer<UInt8> {
            let start = Int(starts[j])
            return UnsafeBufferPointer(start: paths.baseAddress.map { $0 + start }, count: Int(starts[j + 1]) - start)
        }
        func deletion(_ j: Int) -> FileChange {
            FileChange(status: .deleted, path: GitPath(bytes: Array(basePath(j))), oldPath: nil, oldID: ids[j], newID: .zero,
                       oldMode: modes[j], newMode: 0, similarity: nil, stats: nil)
        }
        while i < n || j < m {
            var entry: UnsafePointer<git_index_entry>?
            var path = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            if i < n {
                let e = git_index_get_byindex(pointer, i)!
                entry = e
                let flags = e.pointee.flags
                // The entry's flags hold its path length, unless the path is too long for them.
                let length = flags & nameMask == nameMask ? strlenC(e.pointee.path) : Int(flags & nameMask)
                path = UnsafeBufferPointer(start: UnsafeRawPointer(e.pointee.path).assumingMemoryBound(to: UInt8.self), count: length)
                let stage = (Int(flags) >> 12) & 0x3
                if stage != 0 || e.pointee.flags_extended & intentToAdd != 0 {
                    // Conflict stages and intent-to-add entries are not staged content. HEAD entries
                    // before them are deletions; a conflicted path's own HEAD entry is neither
                    // deleted nor changed.
                    while j < m, compareBytes(basePath(j), path) < 0 { out.append(deletion(j)); j += 1 }
                    if stage != 0 {
                        if j < m, compareBytes(basePath(j), path) == 0 { j += 1 }
                        if conflicted.last.map({ !$0.bytes.elementsEqual(path) }) ?? true {
                            conflicted.append(GitPath(bytes: Array(path)))
                        }
                    }
                    i += 1
                    continue
                }
            }
            let order: Int  // <0: index entry first, >0: base entry first, 0: same path
            if i >= n { order = 1 } else if j >= m { order = -1 } else { order = compareBytes(path, basePath(j)) }
            if order < 0 {
                let e = entry!
                out.append(FileChange(status: .added, path: GitPath(bytes: Array(path)), oldPath: nil, oldID: .zero,
                                      newID: ObjectID(e.pointee.id), oldMode: 0, newMode: e.pointee.mode, similarity: nil, stats: nil))
                i += 1
            } else if order > 0 {
                out.append(deletion(j))
                j += 1
            } else {
                let e = entry!
                let mode = modes[j]
                if e.pointee.mode != mode || !sameID(e, ids[j]) {
                    let kindChanged = (e.pointee.mode & 0o170000) != (mode & 0o170000)
                    out.append(FileChange(status: kindChanged ? .typeChanged : .modified, path: GitPath(bytes: Array(path)),
                                          oldPath: nil, oldID: ids[j], newID: ObjectID(e.pointee.id), oldMode: mode,
                                          newMode: e.pointee.mode, similarity: nil, stats: nil))
                }
                i += 1; j += 1
            }
        }
        return (out, conflicted)
    }

    private func sameID(_ e: UnsafePointer<git_index_entry>, _ id: ObjectID) -> Bool {
        ObjectID(raw: UnsafeRawPointer(e) + MemoryLayout<git_index_entry>.offset(of: \git_index_entry.id)!) == id
    }

    /// What is not staged: the working tree against this index (untracked files too when asked).
    public func diffToWorkdir(in repo: Repository, options: DiffOptions = .init()) throws(GitError) -> DiffResult {
        try repo.diffIndexToWorkdir(pointer, options: options)
    }
}

/// Byte order of two paths (memcmp, then the shorter first).
private func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(a.count, b.count)
    if common > 0 {
        let r = memcmp(a.baseAddress!, b.baseAddress!, common)
        if r != 0 { return r < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
