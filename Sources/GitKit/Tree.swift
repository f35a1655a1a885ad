internal import CLibGit2

/// What a tree entry or index entry points at.
public enum EntryKind: Hashable, Sendable {
    case blob, tree, submodule, other
}

/// One entry of a tree: a name, the object it points to, and its file mode.
public struct TreeEntry: Hashable, Sendable {
    public var name: GitPath
    public var id: ObjectID
    /// The git file mode: 0o100644, 0o100755, 0o120000 (symlink), 0o040000 (tree), 0o160000 (submodule).
    public var mode: UInt32
    public var kind: EntryKind {
        switch mode {
        case 0o040000: return .tree
        case 0o160000: return .submodule
        case 0o100644, 0o100755, 0o120000, 0o100664: return .blob
        default: return .other
        }
    }
    public var isExecutable: Bool { mode == 0o100755 }
    public var isSymlink: Bool { mode == 0o120000 }
}

/// One entry of the index (the staging area).
public struct IndexEntry: Hashable, Sendable {
    public var path: GitPath
    public var id: ObjectID
    public var mode: UInt32
    /// 0 for a normal entry; 1–3 for the sides of an unresolved merge conflict.
    public var stage: Int
    public var fileSize: UInt32
}

extension Repository {
    /// The entry at `path` inside the tree `tree`, or nil when nothing is there.
    public func treeEntry(_ path: GitPath, inTree tree: ObjectID) throws(GitError) -> TreeEntry? {
        if path.bytes.isEmpty { return TreeEntry(name: "", id: tree, mode: 0o040000) }
        return try withTree(tree) { t throws(GitError) in
            var entry: OpaquePointer?
            let result = path.withCString { git_tree_entry_bypath(&entry, t, $0) }
            if result == GIT_ENOTFOUND.rawValue {
                let e = lastError(result, "git_tree_entry_bypath")
                // A missing path is "nothing there"; a missing subtree object is a missing object.
                if e.errorClass == .odb { throw e }
                return nil
            }
            try check(result, "git_tree_entry_bypath(\(path))")
            defer { git_tree_entry_free(entry) }
            return TreeEntry(name: path.lastComponent, id: ObjectID(git_tree_entry_id(entry)!),
                             mode: UInt32(git_tree_entry_filemode(entry).rawValue))
        }
    }

    /// The entry at `path` in a commit's tree.
    public func treeEntry(_ path: GitPath, atCommit commit: ObjectID) throws(GitError) -> TreeEntry? {
        try treeEntry(path, inTree: commitHeader(commit).tree)
    }

    /// The entries of the directory at `path` (empty path: the root), or nil when `path` is not a directory.
    public func listDirectory(_ path: GitPath, inTree tree: ObjectID) throws(GitError) -> [TreeEntry]? {
        guard let dir = try treeEntry(path, inTree: tree), dir.kind == .tree else { return nil }
        return try entries(ofTree: dir.id)
    }

    /// The entries of one tree object, in git's order.
    public func entries(ofTree tree: ObjectID) throws(GitError) -> [TreeEntry] {
        try withTree(tree) { t in
            let n = git_tree_entrycount(t)
            var out: [TreeEntry] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                let e = git_tree_entry_byindex(t, i)!
                out.append(TreeEntry(name: GitPath(cString: git_tree_entry_name(e)), id: ObjectID(git_tree_entry_id(e)!),
                                     mode: UInt32(git_tree_entry_filemode(e).rawValue)))
            }
            return out
        }
    }

    /// Every blob (file, symlink) under `tree`, with its path (order unspecified). Submodules
    /// are listed as entries of kind `.submodule`; nothing is read below them.
    /// With `skippingMissing`, a subtree absent from the object database (a treeless or partial clone)
    /// is passed to it and skipped instead of failing the whole listing.
    public func files(inTree tree: ObjectID, under prefix: GitPath = GitPath(bytes: []),
                      skippingMissing: ((GitPath, ObjectID) -> Void)? = nil) throws(GitError) -> [(path: GitPath, entry: TreeEntry)] {
        var out: [(GitPath, TreeEntry)] = []
        var stack: [(GitPath, ObjectID)] = [(prefix, tree)]
        if !prefix.bytes.isEmpty {
            guard let dir = try treeEntry(prefix, inTree: tree), dir.kind == .tree else { return [] }
            stack = [(prefix, dir.id)]
        }
        while let (path, id) = stack.popLast() {
            let listed: [TreeEntry]
            do { listed = try entries(ofTree: id) } catch {
                guard error.isMissingObject, let skip = skippingMissing else { throw error }
                skip(path, id)
                continue
            }
            for entry in listed.reversed() {
                let child = path.appending(entry.name)
                if entry.kind == .tree { stack.append((child, entry.id)) } else { out.append((child, entry)) }
            }
        }
        return out
    }

    /// True when git's ignore rules (`.gitignore` files, `info/exclude`, `core.excludesFile`) ignore
    /// `path`; always false in a bare repository, which has no working tree to ignore files in.
    public func isIgnored(_ path: GitPath) -> Bool {
        guard workingDirectory != nil else { return false }
        var ignored: Int32 = 0
        let result = path.withCString { git_ignore_path_is_ignored(&ignored, pointer, $0) }
        return result == 0 && ignored == 1
    }

    /// A tree handle the caller frees with `git_tree_free`; nil for nil (the empty tree).
    func lookupTree(_ id: ObjectID?) throws(GitError) -> OpaquePointer? {
        guard let id else { return nil }
        var oid = id.gitOID
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, pointer, &oid), "git_tree_lookup(\(id.short))")
        return tree
    }

    func withTree<R>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
        var oid = id.gitOID
        var t: OpaquePointer?
        try check(git_tree_lookup(&t, pointer, &oid), "git_tree_lookup(\(id.short))")
        defer { git_tree_free(t) }
        return try body(t!)
    }

    /// The bytes of a blob. A blob absent from the object database (partial clone) throws a
    /// `GitError` whose `isMissingObject` is true.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var oid = id.gitOID
        var b: OpaquePointer?
        try check(git_blob_lookup(&b, pointer, &oid), "git_blob_lookup(\(id.short))")
        defer { git_blob_free(b) }
        let size = Int(git_blob_rawsize(b))
        guard size > 0, let raw = git_blob_rawcontent(b) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// The bytes of the file at `path` in a commit, or nil when no blob is there.
    public func file(_ path: GitPath, atCommit commit: ObjectID) throws(GitError) -> [UInt8]? {
        guard let entry = try treeEntry(path, atCommit: commit), entry.kind == .blob else { return nil }
        return try blob(entry.id)
    }

    // MARK: - Index

    /// Every entry of the index, read fresh from disk.
    public func indexEntries() throws(GitError) -> [IndexEntry] {
        try withIndex { index in
            let n = git_index_entrycount(index)
            var out: [IndexEntry] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                guard let e = git_index_get_byindex(index, i) else { continue }
                out.append(indexEntry(e))
            }
            return out
        }
    }

    /// The stage-0 index entry at `path`, or nil.
    public func indexEntry(_ path: GitPath) throws(GitError) -> IndexEntry? {
        try withIndex { index in
            guard let e = path.withCString({ git_index_get_bypath(index, $0, 0) }) else { return nil }
            return indexEntry(e)
        }
    }

    private func indexEntry(_ e: UnsafePointer<git_index_entry>) -> IndexEntry {
        let flags = Int(e.pointee.flags)
        return IndexEntry(path: GitPath(cString: e.pointee.path), id: ObjectID(e.pointee.id), mode: e.pointee.mode,
                          stage: (flags >> 12) & 0x3, fileSize: e.pointee.file_size)
    }

    func withIndex<R>(_ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        defer { git_index_free(index) }
        try check(git_index_read(index, 0), "git_index_read")
        return try body(index!)
    }
}
