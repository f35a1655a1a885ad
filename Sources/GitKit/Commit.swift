internal import CLibGit2
import Foundation

/// Who made a commit, and when (seconds since the epoch plus the offset they wrote it in).
public struct Signature: Hashable, Sendable {
    public var name: String
    public var email: String
    public var time: Int64
    /// Offset from UTC in minutes.
    public var offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32 = 0) {
        self.name = name; self.email = email; self.time = time; self.offsetMinutes = offsetMinutes
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(time)) }

    init(_ sig: UnsafePointer<git_signature>) {
        name = sig.pointee.name.map { lenientString(cString: $0) } ?? ""
        email = sig.pointee.email.map { lenientString(cString: $0) } ?? ""
        time = sig.pointee.when.time
        offsetMinutes = sig.pointee.when.offset
    }
}

/// A commit trailer line such as `Co-Authored-By: Name <mail>`.
public struct Trailer: Hashable, Sendable {
    public var key: String
    public var value: String
}

/// A commit as a value, copied out of libgit2.
public struct Commit: Hashable, Sendable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    /// The message exactly as stored, which need not be UTF-8 (see `encoding`).
    public var rawMessage: [UInt8]
    /// The `encoding` header, when the commit has one.
    public var encoding: String?

    /// The message decoded leniently: invalid UTF-8 becomes U+FFFD, never a crash.
    public var message: String { String(decoding: rawMessage, as: UTF8.self) }
    /// The first paragraph's first line, as `git log --oneline` shows it.
    public var subject: String {
        let text = message
        let trimmed = text.drop(while: { $0 == "\n" })
        return String(trimmed.prefix(while: { $0 != "\n" }))
    }
    public var isMerge: Bool { parents.count > 1 }

    /// Trailers parsed by libgit2 (`git interpret-trailers` rules), e.g. `Co-Authored-By`.
    public var trailers: [Trailer] { parseTrailers(rawMessage) }
}

/// Parses the trailer block at the end of a commit message.
public func parseTrailers(_ message: [UInt8]) -> [Trailer] {
    var arr = assay_git_trailer_array_init()
    var bytes = message
    bytes.append(0)
    let ok = bytes.withUnsafeBufferPointer { buf in
        buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { git_message_trailers(&arr, $0) }
    }
    guard ok == 0 else { return [] }
    defer { git_message_trailer_array_free(&arr) }
    var out: [Trailer] = []
    for i in 0..<arr.count {
        let t = arr.trailers[i]
        out.append(Trailer(key: lenientString(cString: t.key), value: lenientString(cString: t.value)))
    }
    return out
}

func lenientString(cString: UnsafePointer<CChar>) -> String {
    let n = strlenC(cString)
    return cString.withMemoryRebound(to: UInt8.self, capacity: n) {
        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }
}

extension Repository {
    /// Reads a commit; a missing commit object throws a `GitError` whose `isMissingObject` is true.
    public func commit(_ id: ObjectID) throws(GitError) -> Commit {
        try withCommit(id) { c in
            var parents: [ObjectID] = []
            let n = git_commit_parentcount(c)
            parents.reserveCapacity(Int(n))
            for i in 0..<n { parents.append(ObjectID(git_commit_parent_id(c, i)!)) }
            let raw = git_commit_message_raw(c)
            let rawMessage: [UInt8] = raw.map { p in
                let len = strlenC(p)
                return p.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
            } ?? []
            return Commit(
                id: id,
                tree: ObjectID(git_commit_tree_id(c)!),
                parents: parents,
                author: Signature(git_commit_author(c)!),
                committer: Signature(git_commit_committer(c)!),
                rawMessage: rawMessage,
                encoding: git_commit_message_encoding(c).map { String(cString: $0) }
            )
        }
    }

    /// The tree and parents of a commit, without copying the message: the fast path for walks.
    public func commitHeader(_ id: ObjectID) throws(GitError) -> (tree: ObjectID, parents: [ObjectID]) {
        try withCommit(id) { c in
            let n = git_commit_parentcount(c)
            var parents: [ObjectID] = []
            for i in 0..<n { parents.append(ObjectID(git_commit_parent_id(c, i)!)) }
            return (ObjectID(git_commit_tree_id(c)!), parents)
        }
    }

    func withCommit<R>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
        var oid = id.gitOID
        var c: OpaquePointer?
        try check(git_commit_lookup(&c, pointer, &oid), "git_commit_lookup(\(id.short))")
        defer { git_commit_free(c) }
        return try body(c!)
    }
}
