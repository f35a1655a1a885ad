internal import CLibGit2
import Foundation

/// A tree-to-tree diff that walks both trees in git's entry order and descends only into subtrees
/// whose ids differ — as `git diff-tree` does. libgit2's iterator-based diff visits every entry of
/// both trees, which on a 50,000-file tree is thousands of times more work per commit.
struct TreeDiffer {
    let repo: OpaquePointer
    var changes: [FileChange] = []

    init(repo: OpaquePointer) { self.repo = repo }

    mutating func diff(_ old: OpaquePointer?, _ new: OpaquePointer?, prefix: [UInt8]) throws(GitError) {
        let n1 = old.map { git_tree_entrycount($0) } ?? 0
        let n2 = new.map { git_tree_entrycount($0) } ?? 0
        var i = 0, j = 0
        while i < n1 || j < n2 {
            let e1 = i < n1 ? git_tree_entry_byindex(old, i) : nil
            let e2 = j < n2 ? git_tree_entry_byindex(new, j) : nil
            let order: Int32
            if let e1, let e2 { order = TreeDiffer.compare(e1, e2) } else { order = e1 == nil ? 1 : -1 }
            if order < 0 {
                try removed(e1!, prefix); i += 1
            } else if order > 0 {
                try added(e2!, prefix); j += 1
            } else {
                try changed(e1!, e2!, prefix); i += 1; j += 1
            }
        }
    }

    /// git's `base_name_compare`: names compared bytewise, a tree's name as if it ended in `/`.
    static func compare(_ a: OpaquePointer, _ b: OpaquePointer) -> Int32 {
        let na = git_tree_entry_name(a)!, nb = git_tree_entry_name(b)!
        let la = strlenC(na), lb = strlenC(nb)
        let common = min(la, lb)
        let c = memcmp(na, nb, common)
        if c != 0 { return c }
        let ca: UInt8 = la > common ? UInt8(bitPattern: na[common]) : (isTree(a) ? UInt8(ascii: "/") : 0)
        let cb: UInt8 = lb > common ? UInt8(bitPattern: nb[common]) : (isTree(b) ? UInt8(ascii: "/") : 0)
        return Int32(ca) - Int32(cb)
    }

    static func isTree(_ e: OpaquePointer) -> Bool { git_tree_entry_filemode(e) == GIT_FILEMODE_TREE }

    private func path(_ prefix: [UInt8], _ e: OpaquePointer) -> [UInt8] {
        let name = git_tree_entry_name(e)!
        let n = strlenC(name)
        var out = prefix
        out.reserveCapacity(prefix.count + n + 1)
        name.withMemoryRebound(to: UInt8.self, capacity: n) { out.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return out
    }

    private func subtree(_ e: OpaquePointer) throws(GitError) -> OpaquePointer {
        var t: OpaquePointer?
        try check(git_tree_lookup(&t, repo, git_tree_entry_id(e)), "git_tree_lookup")
        return t!
    }

    private mutating func removed(_ e: OpaquePointer, _ prefix: [UInt8]) throws(GitError) {
        if TreeDiffer.isTree(e) {
            let t = try subtree(e)
            defer { git_tree_free(t) }
            try diff(t, nil, prefix: path(prefix, e) + [UInt8(ascii: "/")])
        } else {
            changes.append(FileChange(status: .deleted, path: GitPath(bytes: path(prefix, e)), oldPath: nil,
                                      oldID: ObjectID(git_tree_entry_id(e)!), newID: .zero,
                                      oldMode: UInt32(git_tree_entry_filemode(e).rawValue), newMode: 0, similarity: nil, stats: nil))
        }
    }

    private mutating func added(_ e: OpaquePointer, _ prefix: [UInt8]) throws(GitError) {
        if TreeDiffer.isTree(e) {
            let t = try subtree(e)
            defer { git_tree_free(t) }
            try diff(nil, t, prefix: path(prefix, e) + [UInt8(ascii: "/")])
        } else {
            changes.append(FileChange(status: .added, path: GitPath(bytes: path(prefix, e)), oldPath: nil,
                                      oldID: .zero, newID: ObjectID(git_tree_entry_id(e)!),
                                      oldMode: 0, newMode: UInt32(git_tree_entry_filemode(e).rawValue), similarity: nil, stats: nil))
        }
    }

    private mutating func changed(_ a: OpaquePointer, _ b: OpaquePointer, _ prefix: [UInt8]) throws(GitError) {
        let ma = git_tree_entry_filemode(a), mb = git_tree_entry_filemode(b)
        if ma == mb && git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) == 1 { return }
        if TreeDiffer.isTree(a) {  // both are trees: the order puts a tree and a non-tree apart
            let ta = try subtree(a)
            defer { git_tree_free(ta) }
            let tb = try subtree(b)
            defer { git_tree_free(tb) }
            try diff(ta, tb, prefix: path(prefix, a) + [UInt8(ascii: "/")])
            return
        }
        // Regular file ↔ symlink ↔ submodule is a type change; 644 ↔ 755 is a modification.
        let kind = { (m: git_filemode_t) -> UInt32 in m.rawValue & 0o170000 }
        changes.append(FileChange(status: kind(ma) == kind(mb) ? .modified : .typeChanged,
                                  path: GitPath(bytes: path(prefix, b)), oldPath: nil,
                                  oldID: ObjectID(git_tree_entry_id(a)!), newID: ObjectID(git_tree_entry_id(b)!),
                                  oldMode: UInt32(ma.rawValue), newMode: UInt32(mb.rawValue), similarity: nil, stats: nil))
    }
}

extension Repository {
    /// The fast path of `diffTrees` (no rename detection): see `TreeDiffer`.
    func walkTreeDiff(_ old: ObjectID?, _ new: ObjectID?, lineStats: Bool) throws(GitError) -> DiffResult {
        let oldTree = try lookupTree(old)
        defer { git_tree_free(oldTree) }
        let newTree = try lookupTree(new)
        defer { git_tree_free(newTree) }
        var differ = TreeDiffer(repo: pointer)
        try differ.diff(oldTree, newTree, prefix: [])
        var result = DiffResult(changes: differ.changes, missingObjects: [])
        if lineStats {
            for k in result.changes.indices {
                do {
                    result.changes[k].stats = try blobLineStats(result.changes[k])
                } catch where error.isMissingObject {
                    let c = result.changes[k]
                    for id in [c.oldID, c.newID] where !id.isZero && !contains(id) { result.missingObjects.append(id) }
                }
            }
        }
        return result
    }

    /// Lines added and deleted between the two blobs of a change, counted as `git diff --numstat` does.
    func blobLineStats(_ change: FileChange) throws(GitError) -> LineStats {
        let gitlink: UInt32 = 0o160000
        if change.oldMode == gitlink || change.newMode == gitlink {
            // A submodule change shows as one "Subproject commit" line out and one in.
            return .text(added: change.newMode == gitlink ? 1 : 0, deleted: change.oldMode == gitlink ? 1 : 0)
        }
        var oldBlob: OpaquePointer?, newBlob: OpaquePointer?
        defer { git_blob_free(oldBlob); git_blob_free(newBlob) }
        if !change.oldID.isZero {
            var oid = change.oldID.gitOID
            try check(git_blob_lookup(&oldBlob, pointer, &oid), "git_blob_lookup(\(change.oldID.short))")
        }
        if !change.newID.isZero {
            var oid = change.newID.gitOID
            try check(git_blob_lookup(&newBlob, pointer, &oid), "git_blob_lookup(\(change.newID.short))")
        }
        var opts = assay_git_diff_options_init()
        var patch: OpaquePointer?
        let r: Int32
        if hasAttributeSources {
            r = change.path.withCString { p in git_patch_from_blobs(&patch, oldBlob, p, newBlob, p, &opts) }
        } else {
            // No attributes can apply: diff the bytes without a repository, so libgit2 does not look
            // up a diff driver (a dozen failed `stat`/`readlink` calls per file).
            r = git_patch_from_buffers(&patch, oldBlob.map { git_blob_rawcontent($0) } ?? nil,
                                       oldBlob.map { Int(git_blob_rawsize($0)) } ?? 0, nil,
                                       newBlob.map { git_blob_rawcontent($0) } ?? nil,
                                       newBlob.map { Int(git_blob_rawsize($0)) } ?? 0, nil, &opts)
        }
        try check(r, "git_patch_from_blobs")
        defer { git_patch_free(patch) }
        if git_patch_get_delta(patch)!.pointee.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 { return .binary }
        var context = 0, added = 0, deleted = 0
        try check(git_patch_line_stats(&context, &added, &deleted, patch), "git_patch_line_stats")
        return .text(added: added, deleted: deleted)
    }
}

