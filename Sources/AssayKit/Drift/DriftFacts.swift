import AssayCore
import AssayLedger
import AssayRules
import Foundation
import GitKit

/// What a verification asked the repository: the inputs its verdict depends on. Two commits that give
/// the same answers (the same tree entries for the same paths) give the same verdict.
enum DriftInput: Hashable {
    /// The tree entry at a path (its kind, its content, the tests in it).
    case entry(String)
    /// Every file under a directory ("" for the whole tree).
    case listing(String)
    /// Where a symbol is defined.
    case definition(String)
    /// The newest deletion of a path at or before the commit.
    case deletion(String)
    /// The files the commit itself changed.
    case changedFiles
}

/// The history `DriftFacts` answer deletions from: the first-parent chain's depths and the ledger.
final class DriftHistory {
    let repo: Repository
    let ledger: Ledger?
    /// Depth along the first-parent chain (a root is 0), for commits on the judged branch.
    var depth: [ObjectID: Int] = [:]
    private var events: [String: [Ledger.PathEvent]] = [:]

    init(repo: Repository, ledger: Ledger?) { self.repo = repo; self.ledger = ledger }

    /// Every recorded change of `path`, newest first (cached).
    func changes(of path: String) -> [Ledger.PathEvent] {
        if let cached = events[path] { return cached }
        let found = (try? ledger?.events(of: Data(GitPath(escaped: path).bytes))) ?? []
        events[path] = found
        return found
    }

    private var renames: [String: String?] = [:]

    /// Where a path deleted in `commit` went (GitFacts' answer, once per path and commit).
    func renameTarget(of path: String, in commit: ObjectID, _ facts: GitFacts) -> String? {
        let key = path + "\0" + commit.hex
        if let hit = renames[key] { return hit }
        let found = facts.renameTarget(of: path, in: commit)
        renames[key] = .some(found)
        return found
    }

    /// True when `ancestor` is `commit` or reachable from it: by depth when both are on the chain
    /// (the usual case), else through libgit2.
    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) -> Bool {
        if ancestor == commit { return true }
        if let a = depth[ancestor], let c = depth[commit] { return a <= c }
        return (try? repo.isAncestor(ancestor, of: commit)) ?? false
    }
}

/// Tree listings by tree id, shared by every commit an engine looks at: a path is resolved by walking
/// dictionaries instead of asking libgit2 (which does not cache trees of more than a few kilobytes and
/// inflates them again on every lookup). Bounded: emptied when it holds too many trees.
final class TreeCache {
    let repo: Repository
    private var listings: [ObjectID: [String: (id: ObjectID, mode: UInt32)]] = [:]
    private let capacity: Int

    init(repo: Repository, capacity: Int = 20_000) { self.repo = repo; self.capacity = capacity }

    /// The entry at `path` in `tree`: `.some(nil)` when nothing is there, nil when a tree could not be
    /// read (the caller asks libgit2 itself, which notes the missing object).
    func entry(_ path: String, in tree: ObjectID) -> (id: ObjectID, mode: UInt32)?? {
        var current = tree
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { return .some((tree, 0o040000)) }
        for (i, part) in parts.enumerated() {
            guard let listing = listing(current) else { return nil }
            guard let found = listing[String(part)] else { return .some(nil) }
            if i == parts.count - 1 { return .some(found) }
            guard found.mode == 0o040000 else { return .some(nil) }
            current = found.id
        }
        return .some(nil)
    }

    private func listing(_ tree: ObjectID) -> [String: (id: ObjectID, mode: UInt32)]? {
        if let hit = listings[tree] { return hit }
        guard let entries = try? repo.entries(ofTree: tree) else { return nil }
        var out: [String: (id: ObjectID, mode: UInt32)] = [:]
        out.reserveCapacity(entries.count)
        for e in entries { out[e.name.escapedString] = (e.id, e.mode) }
        if listings.count >= capacity { listings.removeAll(keepingCapacity: true) }
        listings[tree] = out
        return out
    }
}

/// Answers the verifier's questions at one commit, remembering each answer (so the many claims that
/// ask about the same path, and every later point that judges at this commit, ask git once), and,
/// while `recording` is set, which inputs were asked for.
final class DriftFacts: RepositoryFacts {
    let base: GitFacts
    let history: DriftHistory
    var sha: String { base.sha }
    var commit: ObjectID { base.commit }
    var tree: ObjectID { base.tree }

    /// Inputs asked for since `recording` was set.
    var recording: [DriftInput]?

    private var kinds: [String: PathKind?] = [:]
    private var contentsByPath: [String: [UInt8]?] = [:]
    private var listings: [String: [String]] = [:]
    private var definitions: [String: String?] = [:]
    private var deletions: [String: DeletionAnswer] = [:]
    private var tests: [String: FileTests] = [:]
    private var parentTests: [String: FileTests?] = [:]
    private var entries: [String: EntryAnswer] = [:]

    struct DeletionAnswer: Hashable { var commit: String; var subject: String; var renamedTo: String? }
    struct EntryAnswer: Hashable { var id: ObjectID?; var mode: UInt32 }

    /// Set for the commits a report judges (consecutive points share most trees); probes into history
    /// ask libgit2 for single entries, which is cheaper for trees seen once.
    var trees: TreeCache?

    init(base: GitFacts, history: DriftHistory) { self.base = base; self.history = history }

    private func note(_ input: DriftInput) { recording?.append(input) }

    /// Runs a lookup on the underlying facts; an answer reached while an object was missing is not
    /// remembered (it is asked again, so each verdict that depends on it is marked unverifiable).
    private func memo<T>(_ cache: inout [String: T], _ key: String, _ body: () -> T) -> T {
        if let hit = cache[key] { return hit }
        let before = base.missingObjects.count
        let value = body()
        if base.missingObjects.count == before { cache[key] = value }
        return value
    }

    func kind(of path: String) -> PathKind? {
        note(.entry(path))
        return memo(&kinds, path) {
            guard let found = trees?.entry(path, in: tree) else { return base.kind(of: path) }
            guard let found else { return nil }
            return found.mode == 0o040000 ? .directory : .file
        }
    }

    func contents(of path: String) -> [UInt8]? {
        note(.entry(path))
        return memo(&contentsByPath, path) {
            guard let found = trees?.entry(path, in: tree) else { return base.contents(of: path) }
            guard let found, found.mode != 0o040000, found.mode != 0o160000 else { return nil }
            // A blob that cannot be read goes through GitFacts, which notes the missing object.
            return (try? base.repo.blob(found.id)) ?? base.contents(of: path)
        }
    }

    func files(under path: String) -> [String] {
        note(.listing(path))
        return memo(&listings, path) { base.files(under: path) }
    }

    var pathIndex: TreePathIndex {
        note(.listing(""))
        if let index = index { return index }
        let built = TreePathIndex(files: files(under: ""))
        index = built
        return built
    }
    private var index: TreePathIndex?

    func tests(in path: String) -> FileTests {
        note(.entry(path))
        return memo(&tests, path) { base.tests(in: path) }
    }

    func testsAtParent(in path: String) -> FileTests? {
        note(.changedFiles)
        return memo(&parentTests, path) { base.testsAtParent(in: path) }
    }

    func definition(of name: String) -> String? {
        note(.definition(name))
        return memo(&definitions, name) { base.definition(of: name) }
    }

    func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)? {
        note(.deletion(path))
        if let hit = deletions[path] { return hit.commit.isEmpty ? nil : (hit.commit, hit.subject, hit.renamedTo) }
        var answer = DeletionAnswer(commit: "", subject: "", renamedTo: nil)
        for event in history.changes(of: path) where event.status == "D" {
            guard let id = ObjectID(hex: event.commit), history.isAncestor(id, of: commit) else { continue }
            answer = DeletionAnswer(commit: event.commit, subject: event.subject, renamedTo: history.renameTarget(of: path, in: id, base))
            break
        }
        deletions[path] = answer
        return answer.commit.isEmpty ? nil : (answer.commit, answer.subject, answer.renamedTo)
    }

    func isIgnored(_ path: String) -> Bool { base.isIgnored(path) }

    var changedFiles: [String] {
        note(.changedFiles)
        return base.changedFiles
    }

    func commit(named id: String) -> (sha: String, subject: String)? { base.commit(named: id) }

    var isShallow: Bool { base.isShallow }

    var shallowBoundary: [String] { base.shallowBoundary }

    func submodule(containing path: String) -> (path: String, commit: String)? { base.submodule(containing: path) }

    /// The tree entry at a path ("" is the root tree), remembered.
    func entry(_ path: String) -> EntryAnswer {
        if path.isEmpty { return EntryAnswer(id: tree, mode: 0o040000) }
        if let hit = entries[path] { return hit }
        let found: (id: ObjectID, mode: UInt32)?
        if let cached = trees?.entry(path, in: tree) { found = cached } else {
            found = (try? base.repo.treeEntry(GitPath(escaped: path), inTree: tree)).flatMap { $0.map { ($0.id, $0.mode) } }
        }
        let answer = EntryAnswer(id: found?.id, mode: found?.mode ?? 0)
        entries[path] = answer
        return answer
    }

    /// What an input is at this commit, compared between commits to reuse a verdict: tree entries for
    /// paths and directories, the answer itself for history and symbols.
    func fingerprint(_ input: DriftInput) -> AnyHashable {
        switch input {
        case .entry(let p), .listing(let p): return entry(p)
        case .definition(let name): return AnyHashable(definition(of: name))
        case .deletion(let p):
            let d = deletion(of: p)
            return AnyHashable([d?.commit ?? "", d?.renamedTo ?? ""])
        case .changedFiles: return AnyHashable(commit)
        }
    }
}
