internal import CLibGit2
import Foundation

/// A change to apply to a tree: put a blob (or subtree) at a path, or remove the path.
public enum TreeUpdate: Hashable, Sendable {
    case upsert(GitPath, ObjectID, mode: UInt32 = 0o100644)
    case remove(GitPath)
}

extension Repository {
    /// Writes bytes as a blob object; the index and working tree are untouched.
    @discardableResult
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { buf in git_blob_create_from_buffer(&oid, pointer, buf.baseAddress, buf.count) }
        try check(result, "git_blob_create_from_buffer")
        return ObjectID(oid)
    }

    /// Writes a working-tree file as a blob the way `git add` would: through the clean filters
    /// (`core.autocrlf`, `eol`, `ident`, filter drivers); a symlink's target for a symlink.
    public func writeBlobFromWorkdir(_ path: GitPath) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let r = path.withCString { git_blob_create_from_workdir(&oid, pointer, $0) }
        try check(r, "git_blob_create_from_workdir(\(path))")
        return ObjectID(oid)
    }

    /// Writes a tree made from `base` (nil: empty) with `updates` applied; nested paths create
    /// intermediate trees. The index and working tree are untouched.
    public func writeTree(base: ObjectID?, updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        var baseTree: OpaquePointer?
        defer { git_tree_free(baseTree) }
        if let base {
            var oid = base.gitOID
            try check(git_tree_lookup(&baseTree, pointer, &oid), "git_tree_lookup(\(base.short))")
        } else {
            var builder: OpaquePointer?
            try check(git_treebuilder_new(&builder, pointer, nil), "git_treebuilder_new")
            var empty = git_oid()
            let r = git_treebuilder_write(&empty, builder)
            git_treebuilder_free(builder)
            try check(r, "git_treebuilder_write")
            try check(git_tree_lookup(&baseTree, pointer, &empty), "git_tree_lookup(empty)")
        }
        // C strings for the paths must outlive the call.
        let cPaths: [UnsafeMutablePointer<CChar>] = updates.map { update in
            let path: GitPath
            switch update { case .upsert(let p, _, _): path = p; case .remove(let p): path = p }
            let buf = UnsafeMutablePointer<CChar>.allocate(capacity: path.bytes.count + 1)
            for (i, b) in path.bytes.enumerated() { buf[i] = CChar(bitPattern: b) }
            buf[path.bytes.count] = 0
            return buf
        }
        defer { cPaths.forEach { $0.deallocate() } }
        var raw: [git_tree_update] = []
        for (i, update) in updates.enumerated() {
            var u = git_tree_update()
            u.path = UnsafePointer(cPaths[i])
            switch update {
            case .upsert(_, let id, let mode):
                u.action = GIT_TREE_UPDATE_UPSERT
                u.id = id.gitOID
                u.filemode = git_filemode_t(rawValue: mode)
            case .remove:
                u.action = GIT_TREE_UPDATE_REMOVE
            }
            raw.append(u)
        }
        var out = git_oid()
        try check(git_tree_create_updated(&out, pointer, baseTree, raw.count, raw), "git_tree_create_updated")
        return ObjectID(out)
    }

    /// The signature git would use here (`user.name`/`user.email`), or `assay <assay@localhost>`.
    public func defaultSignature(time: Date = Date()) -> Signature {
        var sig: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&sig, pointer) == 0, let sig {
            defer { git_signature_free(sig) }
            var s = Signature(UnsafePointer(sig))
            s.time = Int64(time.timeIntervalSince1970)
            s.offsetMinutes = 0
            return s
        }
        return Signature(name: "assay", email: "assay@localhost", time: Int64(time.timeIntervalSince1970))
    }

    /// Writes a commit object and, when `updating` names a ref, moves that ref with a compare-and-swap:
    /// it must currently point at `expected` (nil: must not exist), else `GitError.Code.modified` or
    /// `.exists` is thrown and nothing moves. Index, HEAD and working tree are never touched.
    @discardableResult
    public func writeCommit(tree: ObjectID, parents: [ObjectID], message: String,
                            author: Signature? = nil, committer: Signature? = nil,
                            updating ref: String? = nil, expected: ObjectID? = nil) throws(GitError) -> ObjectID {
        let authorSig = author ?? defaultSignature()
        let committerSig = committer ?? authorSig
        var treeOID = tree.gitOID
        var treeObj: OpaquePointer?
        try check(git_tree_lookup(&treeObj, pointer, &treeOID), "git_tree_lookup(\(tree.short))")
        defer { git_tree_free(treeObj) }
        var parentObjs: [OpaquePointer?] = []
        defer { parentObjs.forEach { git_commit_free($0) } }
        for p in parents {
            var oid = p.gitOID
            var c: OpaquePointer?
            try check(git_commit_lookup(&c, pointer, &oid), "git_commit_lookup(\(p.short))")
            parentObjs.append(c)
        }
        let a = try makeSignature(authorSig)
        defer { git_signature_free(a) }
        let c = try makeSignature(committerSig)
        defer { git_signature_free(c) }
        var out = git_oid()
        // No `encoding` header: UTF-8 is the default and git never writes one for it.
        let result = parentObjs.withUnsafeMutableBufferPointer { buf in
            git_commit_create(&out, pointer, nil, a, c, nil, message, treeObj, parents.count,
                              UnsafeMutablePointer(mutating: buf.baseAddress).map { UnsafeMutablePointer($0) })
        }
        try check(result, "git_commit_create")
        let id = ObjectID(out)
        if let ref {
            try updateReference(ref, to: id, expected: expected, message: "assay: \(message.prefix(60))")
        }
        return id
    }

    private func makeSignature(_ s: Signature) throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var sig: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&sig, s.name, s.email, s.time, s.offsetMinutes), "git_signature_new")
        return sig
    }

    /// Moves (or creates) a direct reference atomically, only if it still points at `expected`
    /// (nil: only if it does not exist). Throws `.modified`/`.exists` when another writer got there first.
    public func updateReference(_ name: String, to id: ObjectID, expected: ObjectID?, message: String) throws(GitError) {
        var ref: OpaquePointer?
        var target = id.gitOID
        // "Does not exist" is the all-zero id: libgit2 then checks it under the ref's lock, where a
        // plain create checks before taking the lock (two creators could both succeed).
        var current = (expected ?? .zero).gitOID
        do {
            try check(git_reference_create_matching(&ref, pointer, name, &target, 1, &current, message),
                      "git_reference_create_matching(\(name))")
        } catch {
            // A ref that was to be created but exists: `.exists`, as a plain create says it.
            guard expected == nil, error.code == .modified else { throw error }
            throw GitError(code: .exists, errorClass: error.errorClass, message: error.message, function: error.function)
        }
        git_reference_free(ref)
    }

    // MARK: - Notes

    /// The note attached to `target` under `notesRef` (e.g. `refs/notes/assay/receipts`), or nil.
    public func note(_ notesRef: String, on target: ObjectID) throws(GitError) -> [UInt8]? {
        var note: OpaquePointer?
        var oid = target.gitOID
        let result = git_note_read(&note, pointer, notesRef, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_note_read(\(notesRef))")
        defer { git_note_free(note) }
        guard let message = git_note_message(note) else { return [] }
        let n = strlenC(message)
        return message.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
    }

    /// Appends one line to the note on `target` under `notesRef`, keeping what is there. Concurrent
    /// writers are safe: the notes ref moves by compare-and-swap and a writer that loses the race
    /// re-reads and retries (up to `attempts` times).
    public func appendNote(_ notesRef: String, on target: ObjectID, line: String,
                           signature: Signature? = nil, attempts: Int = 50) throws(GitError) {
        let sig = signature ?? defaultSignature()
        var lastFailure: GitError?
        for attempt in 0..<attempts {
            let parent = try referenceTarget(notesRef)
            var existing: [UInt8] = []
            if let parent {
                var notesCommit: OpaquePointer?
                var poid = parent.gitOID
                try check(git_commit_lookup(&notesCommit, pointer, &poid), "git_commit_lookup(\(notesRef))")
                defer { git_commit_free(notesCommit) }
                var note: OpaquePointer?
                var toid = target.gitOID
                let r = git_note_commit_read(&note, pointer, notesCommit, &toid)
                if r == 0 {
                    if let m = git_note_message(note) {
                        let n = strlenC(m)
                        existing = m.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
                    }
                    git_note_free(note)
                } else if r != GIT_ENOTFOUND.rawValue {
                    try check(r, "git_note_commit_read")
                }
            }
            if !existing.isEmpty && existing.last != UInt8(ascii: "\n") { existing.append(UInt8(ascii: "\n")) }
            let text = String(decoding: existing, as: UTF8.self) + line + (line.hasSuffix("\n") ? "" : "\n")
            let newCommit = try writeNotesCommit(parent: parent, target: target, text: text, signature: sig)
            do {
                try updateReference(notesRef, to: newCommit, expected: parent, message: "assay: append note")
                return
            } catch {
                guard error.code == .modified || error.code == .exists || error.code == .locked else { throw error }
                lastFailure = error
                usleep(UInt32(1000 + (attempt * 997) % 7000))
            }
        }
        throw lastFailure ?? GitError(code: .locked, message: "could not update \(notesRef)", function: "appendNote")
    }

    private func writeNotesCommit(parent: ObjectID?, target: ObjectID, text: String, signature: Signature) throws(GitError) -> ObjectID {
        var parentCommit: OpaquePointer?
        defer { git_commit_free(parentCommit) }
        if let parent {
            var poid = parent.gitOID
            try check(git_commit_lookup(&parentCommit, pointer, &poid), "git_commit_lookup(notes)")
        }
        let sig = try makeSignature(signature)
        defer { git_signature_free(sig) }
        var commitOut = git_oid(), blobOut = git_oid()
        var toid = target.gitOID
        try check(git_note_commit_create(&commitOut, &blobOut, pointer, parentCommit, sig, sig, &toid, text, 1),
                  "git_note_commit_create")
        return ObjectID(commitOut)
    }
}
