internal import CLibGit2
import Foundation

/// How a file changed, with git's one-letter codes.
public enum ChangeStatus: String, Hashable, Sendable, Codable {
    case added = "A", deleted = "D", modified = "M", renamed = "R", copied = "C", typeChanged = "T"
    case untracked = "?", conflicted = "U"
}

/// Lines added and deleted in one file, as `git log --numstat` counts them; binary files have none.
public enum LineStats: Hashable, Sendable {
    case text(added: Int, deleted: Int)
    case binary
}

/// One file's change in a diff.
public struct FileChange: Hashable, Sendable {
    public var status: ChangeStatus
    /// The path after the change (for a deletion: the deleted path).
    public var path: GitPath
    /// The path before the change, when it differs (renames, copies).
    public var oldPath: GitPath?
    public var oldID: ObjectID
    public var newID: ObjectID
    public var oldMode: UInt32
    public var newMode: UInt32
    /// Rename/copy similarity, 0–100.
    public var similarity: Int?
    /// Line counts, present when asked for (nil also when a blob was missing).
    public var stats: LineStats?

    public init(status: ChangeStatus, path: GitPath, oldPath: GitPath? = nil, oldID: ObjectID, newID: ObjectID,
                oldMode: UInt32, newMode: UInt32, similarity: Int? = nil, stats: LineStats? = nil) {
        self.status = status; self.path = path; self.oldPath = oldPath; self.oldID = oldID; self.newID = newID
        self.oldMode = oldMode; self.newMode = newMode; self.similarity = similarity; self.stats = stats
    }
}

/// What to compute in a diff.
public struct DiffOptions: Hashable, Sendable {
    /// Pair deletions and additions into renames (and copies), as `git diff -M` does.
    public var detectRenames: Bool
    /// Count added and deleted lines per file, as `--numstat` does (reads blobs).
    public var lineStats: Bool
    /// Include untracked files in working-tree diffs.
    public var includeUntracked: Bool

    public init(detectRenames: Bool = false, lineStats: Bool = false, includeUntracked: Bool = false) {
        self.detectRenames = detectRenames; self.lineStats = lineStats; self.includeUntracked = includeUntracked
    }
}

/// The changes between two states, and the objects that could not be read while computing them.
public struct DiffResult: Hashable, Sendable {
    public var changes: [FileChange]
    /// Objects absent from the object database (partial clones); their files have `stats == nil`.
    public var missingObjects: [ObjectID]
}

extension Repository {
    /// Changes from the tree `old` to the tree `new` (nil: the empty tree).
    public func diffTrees(_ old: ObjectID?, _ new: ObjectID?, options: DiffOptions = .init()) throws(GitError) -> DiffResult {
        if !options.detectRenames {
            return try walkTreeDiff(old, new, lineStats: options.lineStats)
        }
        let oldTree = try lookupTree(old)
        defer { git_tree_free(oldTree) }
        let newTree = try lookupTree(new)
        defer { git_tree_free(newTree) }
        var opts = makeOptions(options)
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &opts), "git_diff_tree_to_tree")
        defer { git_diff_free(diff) }
        return try collect(diff!, options)
    }

    /// Changes a commit made relative to one parent (`parent` 0 is the first parent, as `git log`
    /// shows with `--diff-merges=first-parent`); a root commit is compared with the empty tree.
    public func diffCommit(_ id: ObjectID, parent: Int = 0, options: DiffOptions = .init()) throws(GitError) -> DiffResult {
        let header = try commitHeader(id)
        // A shallow clone's boundary commit is compared with the empty tree, as `git log` does there.
        let parents = shallowBoundary.contains(id) ? [] : header.parents
        let base: ObjectID? = parents.indices.contains(parent) ? try commitHeader(parents[parent]).tree : nil
        return try diffTrees(base, header.tree, options: options)
    }

    /// What is staged: the index compared with `HEAD`'s tree (everything, on an unborn branch).
    public func diffIndexToHead(options: DiffOptions = .init()) throws(GitError) -> DiffResult {
        var headTree: OpaquePointer?
        defer { git_tree_free(headTree) }
        if let head = try head() {
            var oid = try commitHeader(head).tree.gitOID
            try check(git_tree_lookup(&headTree, pointer, &oid), "git_tree_lookup(HEAD^{tree})")
        }
        return try withIndex { index throws(GitError) in
            var opts = makeOptions(options)
            var diff: OpaquePointer?
            try check(git_diff_tree_to_index(&diff, pointer, headTree, index, &opts), "git_diff_tree_to_index")
            defer { git_diff_free(diff) }
            return try collect(diff!, options)
        }
    }

    /// What is not staged: the working tree compared with the index.
    public func diffWorkdirToIndex(options: DiffOptions = .init()) throws(GitError) -> DiffResult {
        try withIndex { index throws(GitError) in try diffIndexToWorkdir(index, options: options) }
    }

    func diffIndexToWorkdir(_ index: OpaquePointer, options: DiffOptions) throws(GitError) -> DiffResult {
        var opts = makeOptions(options)
        var diff: OpaquePointer?
        try check(git_diff_index_to_workdir(&diff, pointer, index, &opts), "git_diff_index_to_workdir")
        defer { git_diff_free(diff) }
        return try collect(diff!, options, newSideInWorkdir: true)
    }

    private func makeOptions(_ options: DiffOptions) -> git_diff_options {
        var opts = assay_git_diff_options_init()
        // Report a file that becomes a symlink (or back) as `T`, as git does, not as a deletion plus an addition.
        var flags = GIT_DIFF_NORMAL.rawValue | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        if !options.lineStats { flags |= GIT_DIFF_SKIP_BINARY_CHECK.rawValue }
        if options.includeUntracked {
            flags |= GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
            flags |= GIT_DIFF_SHOW_UNTRACKED_CONTENT.rawValue
        }
        opts.flags = flags
        return opts
    }

    private func collect(_ diff: OpaquePointer, _ options: DiffOptions, newSideInWorkdir: Bool = false) throws(GitError) -> DiffResult {
        if options.detectRenames {
            var find = assay_git_diff_find_options_init()
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue
            try check(git_diff_find_similar(diff, &find), "git_diff_find_similar")
        }
        let count = git_diff_num_deltas(diff)
        var changes: [FileChange] = []
        changes.reserveCapacity(count)
        var missing: [ObjectID] = []
        for i in 0..<count {
            guard let delta = git_diff_get_delta(diff, i) else { continue }
            guard var change = fileChange(delta.pointee) else { continue }
            if options.lineStats, change.status == .typeChanged, !change.oldID.isZero, !change.newID.isZero || newSideInWorkdir,
               change.oldMode != 0o160000, change.newMode != 0o160000 {
                // libgit2 gives a file <-> symlink change no hunks; git's --numstat diffs the two contents.
                do {
                    change.stats = try typeChangeStats(change, options, newSideInWorkdir: newSideInWorkdir)
                } catch {
                    guard error.isMissingObject else { throw error }
                    for id in [change.oldID, change.newID] where !id.isZero && !contains(id) { missing.append(id) }
                }
            } else if options.lineStats {
                var patch: OpaquePointer?
                let result = git_patch_from_diff(&patch, diff, i)
                if result < 0 {
                    let error = lastError(result, "git_patch_from_diff")
                    guard error.isMissingObject else { throw error }
                    for id in [change.oldID, change.newID] where !id.isZero && !contains(id) { missing.append(id) }
                } else {
                    defer { git_patch_free(patch) }
                    change.stats = try patchStats(patch!)
                }
            }
            changes.append(change)
        }
        return DiffResult(changes: changes, missingObjects: missing)
    }

    private func patchStats(_ patch: OpaquePointer) throws(GitError) -> LineStats {
        let flags = git_patch_get_delta(patch)!.pointee.flags
        if flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 { return .binary }
        var context = 0, added = 0, deleted = 0
        try check(git_patch_line_stats(&context, &added, &deleted, patch), "git_patch_line_stats")
        return .text(added: added, deleted: deleted)
    }

    /// Line stats between the old blob of a type change and its new content: a blob, or (for a
    /// working-tree diff, where libgit2 leaves the new id unset) the file's bytes or the symlink's target.
    /// Nil when the working-tree side cannot be read.
    private func typeChangeStats(_ change: FileChange, _ options: DiffOptions, newSideInWorkdir: Bool) throws(GitError) -> LineStats? {
        var oldOID = change.oldID.gitOID, newOID = change.newID.gitOID
        var oldBlob: OpaquePointer?, newBlob: OpaquePointer?, patch: OpaquePointer?
        defer { git_patch_free(patch); git_blob_free(oldBlob); git_blob_free(newBlob) }
        try check(git_blob_lookup(&oldBlob, pointer, &oldOID), "git_blob_lookup(\(change.oldID.short))")
        var opts = makeOptions(options)
        if newSideInWorkdir && change.newID.isZero {
            guard let root = workingDirectory else { return nil }
            let file = root.appendingPathComponent(change.path.string).path
            let content: [UInt8]?
            if change.newMode == 0o120000 {
                content = (try? FileManager.default.destinationOfSymbolicLink(atPath: file)).map { Array($0.utf8) }
            } else {
                content = FileManager.default.contents(atPath: file).map { Array($0) }
            }
            guard let content else { return nil }
            let result = content.withUnsafeBytes { buf in
                git_patch_from_blob_and_buffer(&patch, oldBlob, nil, buf.baseAddress, buf.count, nil, &opts)
            }
            try check(result, "git_patch_from_blob_and_buffer")
        } else {
            try check(git_blob_lookup(&newBlob, pointer, &newOID), "git_blob_lookup(\(change.newID.short))")
            try check(git_patch_from_blobs(&patch, oldBlob, nil, newBlob, nil, &opts), "git_patch_from_blobs")
        }
        return try patchStats(patch!)
    }

    private func fileChange(_ d: git_diff_delta) -> FileChange? {
        let status: ChangeStatus
        switch d.status {
        case GIT_DELTA_ADDED: status = .added
        case GIT_DELTA_DELETED: status = .deleted
        case GIT_DELTA_MODIFIED: status = .modified
        case GIT_DELTA_RENAMED: status = .renamed
        case GIT_DELTA_COPIED: status = .copied
        case GIT_DELTA_TYPECHANGE: status = .typeChanged
        case GIT_DELTA_UNTRACKED: status = .untracked
        case GIT_DELTA_CONFLICTED: status = .conflicted
        default: return nil
        }
        let newPath = d.new_file.path.map { GitPath(cString: $0) } ?? GitPath(bytes: [])
        let oldPath = d.old_file.path.map { GitPath(cString: $0) } ?? newPath
        let path = status == .deleted ? oldPath : newPath
        return FileChange(
            status: status, path: path,
            oldPath: (status == .renamed || status == .copied) ? oldPath : nil,
            oldID: ObjectID(d.old_file.id), newID: ObjectID(d.new_file.id),
            oldMode: UInt32(d.old_file.mode), newMode: UInt32(d.new_file.mode),
            similarity: (status == .renamed || status == .copied) ? Int(d.similarity) : nil,
            stats: nil)
    }
}
