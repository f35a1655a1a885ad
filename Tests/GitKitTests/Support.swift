import AssayTestSupport
import Foundation
import GitKit
import Testing

// Helpers for the GitKit tests. Ground truth always comes from the git CLI; these only run git and
// parse what it prints.

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// A full SHA printed by git, as an ObjectID.
func oid(_ hex: some StringProtocol) throws -> ObjectID {
    let text = String(hex).trimmed
    guard let id = ObjectID(hex: text) else { throw TestFailure("not a full SHA: '\(text)'") }
    return id
}

/// Runs git with `-C dir`; throws on a non-zero exit.
@discardableResult
func git(in dir: URL, _ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let result = try gitUnchecked(in: dir, args, input: input, environment: environment)
    guard result.status == 0 else {
        throw TestFailure("git \(args.joined(separator: " ")) failed (\(result.status)): \(result.err)")
    }
    return result
}

/// Runs git with `-C dir` and returns whatever happened, exit status included.
func gitUnchecked(in dir: URL, _ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    var env = environment
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return try runProcess("git", ["-C", dir.path] + args, environment: env, input: input)
}

/// A path with symlinks resolved and no trailing slash, so git's and libgit2's spellings compare.
func canonicalPath(_ path: String) -> String {
    var p = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
}

func canonicalPath(_ url: URL?) -> String? { url.map { canonicalPath($0.path) } }

extension GitFixture {
    func repository() throws -> Repository { try Repository(discoveringFrom: path.path) }

    /// `git rev-parse spec` as an ObjectID.
    func id(_ spec: String) throws -> ObjectID { try oid(rev(spec)) }

    /// Full SHAs printed one per line by a git command (e.g. rev-list).
    func ids(_ args: [String]) throws -> [ObjectID] {
        try gitData(args).out.split(separator: "\n").map { try oid($0) }
    }

    /// Runs git and returns its exit status and output without throwing.
    func gitUnchecked(_ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try GitKitTests.gitUnchecked(in: path, args, input: input, environment: environment)
    }

    /// Parent lists for every commit reachable from `args` (default: all refs), from `git rev-list --parents`.
    func parentMap(_ args: [String] = ["--all"]) throws -> [ObjectID: [ObjectID]] {
        var map: [ObjectID: [ObjectID]] = [:]
        for line in try gitData(["rev-list", "--parents"] + args).out.split(separator: "\n") {
            let ids = try line.split(separator: " ").map { try oid($0) }
            map[ids[0]] = Array(ids.dropFirst())
        }
        return map
    }

    /// The message part of `git cat-file commit` (everything after the first blank line), as bytes.
    func rawCommitMessage(_ sha: String) throws -> [UInt8] {
        let bytes = Array(try gitData(["cat-file", "commit", sha]).stdout)
        guard let split = firstIndex(of: [0x0A, 0x0A], in: bytes) else { return [] }
        return Array(bytes[(split + 2)...])
    }

    /// The header part of `git cat-file commit`, one line each.
    func commitHeaders(_ sha: String) throws -> [String] {
        let bytes = Array(try gitData(["cat-file", "commit", sha]).stdout)
        let end = firstIndex(of: [0x0A, 0x0A], in: bytes) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Stages everything and commits with a deterministic date; returns the new SHA.
    @discardableResult
    func commitAll(_ message: String) throws -> String {
        try git("add", "-A")
        try gitData(["commit", "-q", "--allow-empty", "-m", message], environment: dateEnvironment())
        return try head()
    }

    /// `git merge --no-ff` with a deterministic date; returns the merge commit.
    @discardableResult
    func merge(_ branch: String, message: String) throws -> String {
        try gitData(["merge", "-q", "--no-ff", "-m", message, branch], environment: dateEnvironment())
        return try head()
    }

    func chmod(_ relative: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode],
                                              ofItemAtPath: path.appendingPathComponent(relative).path)
    }
}

func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle {
        return i
    }
    return nil
}

/// Splits NUL-terminated `-z` output into raw byte fields.
func zFields(_ data: Data) -> [[UInt8]] {
    var fields = Array(data).split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
    if fields.last?.isEmpty == true { fields.removeLast() }
    return fields
}

/// One entry of `--name-status -z` output: the status letter (scores dropped) and its path(s), raw.
struct NameStatus: Hashable, Comparable, CustomStringConvertible {
    var status: String
    var paths: [[UInt8]]

    var description: String {
        ([status] + paths.map { String(decoding: $0, as: UTF8.self) }).joined(separator: "\t")
    }
    static func < (l: NameStatus, r: NameStatus) -> Bool { l.description < r.description }
}

/// Parses `git diff… --name-status -z`: `S\0path\0`, or `R100\0old\0new\0` for renames and copies.
func parseNameStatusZ(_ data: Data) -> [NameStatus] {
    var fields = zFields(data)[...]
    var out: [NameStatus] = []
    while let statusField = fields.popFirst() {
        let status = String(decoding: statusField.prefix(1), as: UTF8.self)
        let count = (status == "R" || status == "C") ? 2 : 1
        var paths: [[UInt8]] = []
        for _ in 0..<count { if let p = fields.popFirst() { paths.append(p) } }
        out.append(NameStatus(status: status, paths: paths))
    }
    return out.sorted()
}

/// GitKit's changes in the same shape as `parseNameStatusZ`.
func nameStatus(_ result: DiffResult) -> [NameStatus] {
    result.changes.map { c in
        if let old = c.oldPath {
            return NameStatus(status: c.status.rawValue, paths: [old.bytes, c.path.bytes])
        }
        return NameStatus(status: c.status.rawValue, paths: [c.path.bytes])
    }.sorted()
}

/// `git ls-tree -z` entries: mode, type, id and raw name.
struct LsTreeEntry: Hashable {
    var mode: UInt32
    var type: String
    var id: ObjectID
    var name: [UInt8]
}

func parseLsTreeZ(_ data: Data) throws -> [LsTreeEntry] {
    try zFields(data).map { field in
        guard let tab = field.firstIndex(of: 0x09) else { throw TestFailure("bad ls-tree line") }
        let meta = String(decoding: field[..<tab], as: UTF8.self).split(separator: " ")
        guard meta.count == 3, let mode = UInt32(meta[0], radix: 8) else { throw TestFailure("bad ls-tree meta \(meta)") }
        return LsTreeEntry(mode: mode, type: String(meta[1]), id: try oid(meta[2]), name: Array(field[(tab + 1)...]))
    }
}

/// `git ls-files -s -z` entries: mode, id, stage, raw path.
struct StagedEntry: Hashable, Comparable, CustomStringConvertible {
    var mode: UInt32
    var id: ObjectID
    var stage: Int
    var path: [UInt8]
    var description: String { "\(String(mode, radix: 8)) \(id) \(stage)\t\(String(decoding: path, as: UTF8.self))" }
    static func < (l: StagedEntry, r: StagedEntry) -> Bool {
        l.path != r.path ? l.path.lexicographicallyPrecedes(r.path) : l.stage < r.stage
    }
}

func parseLsFilesStageZ(_ data: Data) throws -> [StagedEntry] {
    try zFields(data).map { field in
        guard let tab = field.firstIndex(of: 0x09) else { throw TestFailure("bad ls-files line") }
        let meta = String(decoding: field[..<tab], as: UTF8.self).split(separator: " ")
        guard meta.count == 3, let mode = UInt32(meta[0], radix: 8), let stage = Int(meta[2]) else {
            throw TestFailure("bad ls-files meta \(meta)")
        }
        return StagedEntry(mode: mode, id: try oid(meta[1]), stage: stage, path: Array(field[(tab + 1)...]))
    }
}

/// `added\tdeleted\tpath` (or `-\t-\tpath`) for GitKit's line stats, sorted.
func numstatLines(_ result: DiffResult) -> [String] { numstatLines(result.changes) }

func numstatLines(_ changes: [FileChange]) -> [String] {
    changes.map { c in
        switch c.stats {
        case .text(let added, let deleted)?: return "\(added)\t\(deleted)\t\(c.path.string)"
        case .binary?: return "-\t-\t\(c.path.string)"
        case nil: return "?\t?\t\(c.path.string)"
        }
    }.sorted()
}
