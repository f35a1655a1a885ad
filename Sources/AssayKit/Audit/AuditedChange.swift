import AssayCore
import Foundation
import GitKit

/// What `assay audit` looks at.
public enum AuditMode: Sendable, Equatable {
    /// The uncommitted change: index and working tree (untracked files that are not ignored count
    /// as added) against `HEAD`.
    case workingTree
    /// The staged content, read from the index (not the working tree), against `HEAD`.
    case staged
    /// One commit against its first parent.
    case commit(String)
    /// `A..B` (or `A...B`): `B` against the merge-base of `A` and `B`, with every commit's message.
    case range(String)
    /// The commits reachable from `head` and from none of `excluding` (a pushed branch that is new
    /// to the remote): `head` against the first parent of the oldest of them, with their messages.
    case pushed(head: String, excluding: [String])

    public var name: String {
        switch self {
        case .workingTree: "working-tree"
        case .staged: "staged"
        case .commit: "commit"
        case .range: "range"
        case .pushed: "pushed"
        }
    }
}

/// A change resolved against the repository: where it starts, the files it touches (with their old
/// and new blob ids), and the commit messages it carries.
final class AuditedChange {
    let repo: Repository
    let mode: AuditMode
    /// `HEAD`, the first parent, or the merge-base (nil on an unborn branch or for a root commit).
    let baseCommit: ObjectID?
    let baseTree: ObjectID?
    /// The audited commit (commit and range modes); nil for staged and working-tree content.
    let targetCommit: ObjectID?
    /// Files the change touches, with the ids of their old and new content. Working-tree content is
    /// written as blobs into the repository handle's in-memory object store.
    let changes: [FileChange]
    /// Commit messages in the change (commit and range modes), oldest first.
    let messages: [(id: ObjectID, message: String)]
    /// Notes on content left out on purpose.
    var notes: [String] = []
    /// Working-tree files that could not be read: the audit is partial (exit 3).
    var unreadable: [String] = []

    /// The commit findings are tied to: the audited commit, or the commit the change sits on.
    var sha: String { (targetCommit ?? baseCommit)?.hex ?? String(repeating: "0", count: 40) }

    private var changed: [GitPath: FileChange] = [:]

    init(repo: Repository, mode: AuditMode, baseCommit: ObjectID?, baseTree: ObjectID?, targetCommit: ObjectID?,
         changes: [FileChange], messages: [(id: ObjectID, message: String)], notes: [String] = []) {
        self.repo = repo; self.mode = mode; self.baseCommit = baseCommit; self.baseTree = baseTree
        self.targetCommit = targetCommit; self.changes = changes; self.messages = messages; self.notes = notes
        for c in changes { changed[c.path] = c }
    }

    /// The blob id of `path` in the audited content; nil when the path is absent there.
    func blobID(of path: GitPath) throws(GitError) -> ObjectID? {
        if let c = changed[path] { return c.status == .deleted ? nil : c.newID }
        if targetCommit != nil {
            guard let entry = try repo.treeEntry(path, inTree: try targetTree()), entry.kind == .blob else { return nil }
            return entry.id
        }
        guard let baseTree, let entry = try repo.treeEntry(path, inTree: baseTree), entry.kind == .blob else { return nil }
        return entry.id
    }

    /// The bytes of `path` in the audited content, or nil when it is absent.
    func contents(of path: String) throws(GitError) -> [UInt8]? {
        guard let id = try blobID(of: GitPath(path)) else { return nil }
        return try repo.blob(id)
    }

    /// Where settings come from: the base of the change instead of the change (see
    /// `AuditRequest.settingsFromBase`).
    var settingsFromBase = false

    /// The bytes of a settings file (`.assay.yml`, `.assayignore`, a policy or rubric it names): from
    /// the audited content, or from the base when `settingsFromBase` (nil when there is no base).
    func settingsContents(of path: String) throws(GitError) -> [UInt8]? {
        guard settingsFromBase else { return try contents(of: path) }
        guard let baseTree, let entry = try repo.treeEntry(GitPath(path), inTree: baseTree), entry.kind == .blob else { return nil }
        return try repo.blob(entry.id)
    }

    /// The audited content as a tree: the commit's tree, or (staged and working-tree content) a tree
    /// written into the in-memory object store from the base tree and the change.
    func targetTree() throws(GitError) -> ObjectID {
        if let cached = builtTree { return cached }
        let tree: ObjectID
        if let targetCommit {
            tree = try repo.commitHeader(targetCommit).tree
        } else {
            // Removals first, then additions: a file that replaces a directory (or the reverse)
            // must not collide with the entries it replaces.
            let removals: [TreeUpdate] = changes.filter { $0.status == .deleted || $0.status == .typeChanged }.map { .remove($0.path) }
            let additions: [TreeUpdate] = changes.filter { $0.status != .deleted }.map { .upsert($0.path, $0.newID, mode: $0.newMode) }
            let pruned = removals.isEmpty ? baseTree : try repo.writeTree(base: baseTree, updates: removals)
            tree = try repo.writeTree(base: pruned, updates: additions)
        }
        builtTree = tree
        return tree
    }

    private var builtTree: ObjectID?

    // MARK: Resolving a mode

    /// `meanwhile` runs while a large index loads on another thread (work that does not need it).
    static func resolve(_ mode: AuditMode, in repo: Repository, meanwhile: () -> Void = {}) throws(AssayError) -> AuditedChange {
        switch mode {
        case .staged, .workingTree:
            return try uncommitted(mode, repo, meanwhile)
        case .commit(let spec):
            guard !spec.contains(".."), !spec.hasPrefix("^") else {
                throw AssayError("--commit takes one commit, not `\(spec)`", fix: "use --range A..B for a range of commits")
            }
            let id = try RepositoryAccess.select(repo, [spec], all: false).include.first
            guard let id else { throw AssayError("nothing to audit at \(spec)", fix: "pass --commit with a commit") }
            if repo.shallowBoundary.contains(id) {
                throw AssayError("\(spec) is the oldest commit of this shallow clone: its parent, the base of the change, is not here",
                                 fix: "fetch one more commit (`git fetch --deepen=1`, or `fetch-depth: 2` in actions/checkout)")
            }
            do {
                let header = try repo.commitHeader(id)
                let parent = header.parents.first
                let parentTree = try parent.map { p throws(GitError) in try repo.commitHeader(p).tree }
                let diff = try repo.diffTrees(parentTree, header.tree)
                let message = try repo.commit(id).message
                return AuditedChange(repo: repo, mode: mode, baseCommit: parent, baseTree: parentTree, targetCommit: id,
                                     changes: diff.changes, messages: [(id, message)])
            } catch {
                throw RepositoryAccess.explain(error, doing: "read the change of \(spec)")
            }
        case .range(let spec):
            return try range(spec, repo)
        case .pushed(let head, let excluding):
            return try pushed(head, excluding, repo)
        }
    }

    private static func pushed(_ head: String, _ excluding: [String], _ repo: Repository) throws(AssayError) -> AuditedChange {
        guard let tip = try RepositoryAccess.select(repo, [head], all: false).include.first else {
            throw AssayError("nothing to audit at \(head)", fix: "name a commit")
        }
        let ids: [ObjectID]
        var hidden: [ObjectID] = []
        do {
            for spec in excluding { if let id = try? repo.resolveCommit(spec) { hidden.append(id) } }
            ids = try repo.walk(RevisionSelection(include: [tip], exclude: []), hidingIfPresent: hidden)
        } catch {
            throw RepositoryAccess.explain(error, doing: "walk the commits of \(head)")
        }
        if let oldest = ids.last, repo.shallowBoundary.contains(oldest) {
            throw AssayError("the base of \(head) is not in this shallow clone",
                             fix: "fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")
        }
        do {
            let tree = try repo.commitHeader(tip).tree
            guard let oldest = ids.last else {
                // Every commit is already there (a branch made from one that was pushed before).
                return AuditedChange(repo: repo, mode: .pushed(head: head, excluding: excluding), baseCommit: tip, baseTree: tree,
                                     targetCommit: tip, changes: [], messages: [], notes: ["no new commits in \(head)"])
            }
            // The base is where the new commits leave what the remote has: the newest merge-base
            // with its tips (a branch that merged main is not charged with main's changes), else
            // the parent of the oldest new commit.
            var base: ObjectID?
            for other in hidden {
                guard let candidate = try repo.mergeBase(tip, other) else { continue }
                if let current = base, try repo.mergeBase(current, candidate) != current { continue }
                base = candidate
            }
            if base == nil { base = try repo.commitHeader(oldest).parents.first }
            let baseTree = try base.map { b throws(GitError) in try repo.commitHeader(b).tree }
            let diff = try repo.diffTrees(baseTree, tree)
            var messages: [(ObjectID, String)] = []
            for id in ids.reversed() { messages.append((id, try repo.commit(id).message)) }
            return AuditedChange(repo: repo, mode: .pushed(head: head, excluding: excluding), baseCommit: base, baseTree: baseTree,
                                 targetCommit: tip, changes: diff.changes, messages: messages)
        } catch {
            throw RepositoryAccess.explain(error, doing: "read the commits of \(head)")
        }
    }

    private static func range(_ spec: String, _ repo: Repository) throws(AssayError) -> AuditedChange {
        let separator = spec.contains("...") ? "..." : ".."
        let parts = spec.components(separatedBy: separator)
        guard parts.count == 2 else {
            throw AssayError("`\(spec)` is not a range", fix: "write it as BASE..HEAD, for example main..feature")
        }
        let from = parts[0].isEmpty ? "HEAD" : parts[0], to = parts[1].isEmpty ? "HEAD" : parts[1]
        guard !from.hasPrefix("^"), !to.hasPrefix("^"),
              let a = try RepositoryAccess.select(repo, [from], all: false).include.first,
              let b = try RepositoryAccess.select(repo, [to], all: false).include.first else {
            throw AssayError("`\(spec)` is not a range of two revisions", fix: "write it as BASE..HEAD, for example main..feature")
        }
        let found: ObjectID?
        do { found = try repo.mergeBase(a, b) } catch {
            if repo.isShallow {
                throw AssayError("the merge-base of \(from) and \(to) is not in this shallow clone (\(error.message))",
                                 fix: "fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")
            }
            throw RepositoryAccess.explain(error, doing: "find the merge-base of \(from) and \(to)")
        }
        guard let base = found else {
            if repo.isShallow {
                throw AssayError("\(from) and \(to) have no merge-base in this shallow clone",
                                 fix: "fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")
            }
            throw AssayError("\(from) and \(to) have no common ancestor",
                             fix: "audit one commit with --commit, or pick a base that shares history")
        }
        do {
            let baseTree = try repo.commitHeader(base).tree
            let tree = try repo.commitHeader(b).tree
            let diff = try repo.diffTrees(baseTree, tree)
            let selection = try repo.select(["\(base.hex)..\(b.hex)"], all: false)
            let ids = try repo.walk(selection).reversed()
            var messages: [(ObjectID, String)] = []
            for id in ids { messages.append((id, try repo.commit(id).message)) }
            return AuditedChange(repo: repo, mode: .range(spec), baseCommit: base, baseTree: baseTree, targetCommit: b,
                                 changes: diff.changes, messages: messages)
        } catch {
            throw RepositoryAccess.explain(error, doing: "read the change \(spec)")
        }
    }

    private static func uncommitted(_ mode: AuditMode, _ repo: Repository, _ meanwhile: () -> Void) throws(AssayError) -> AuditedChange {
        guard let root = repo.workingDirectory else {
            throw AssayError("a bare repository has no index or working tree to audit",
                             fix: "audit a commit (--commit REV) or a range (--range A..B)")
        }
        // Loading a large index is the slowest step: it started at start-up (a command line's
        // prefetch) or starts now on another thread, while HEAD is listed here.
        let indexPath = repo.indexFilePath
        let prefetched = IndexLoad.claim(indexPath)
        trace(prefetched != nil ? "audit: index loading since start-up" : "audit: index loading from now")
        let loading = prefetched ?? IndexLoad.start(indexPath)
        func read() throws(GitError) -> Uncommitted {
            let started = Date()
            let head = try repo.head()
            let headTree = try head.map { h throws(GitError) in try repo.commitHeader(h).tree }
            let listing = try headTree.map { t throws(GitError) in try ListingCache.listing(of: t, in: repo) }
            trace("audit: listing of HEAD (\(listing?.count ?? 0) files) at \(elapsedMs(since: started)) ms")
            meanwhile()
            let index = try loading.snapshot()
            trace("audit: index read (\(index.count) entries) at \(elapsedMs(since: started)) ms")
            let compared = index.compare(with: listing)
            var changes = compared.changes
            trace("audit: staged changes compared at \(elapsedMs(since: started)) ms")
            var unreadable: [String] = []
            if mode == .staged, !compared.conflicted.isEmpty { return .conflicts(compared.conflicted) }
            // Freeing 50,000 index entries takes milliseconds nobody needs to wait for.
            if mode == .staged { IndexLoad.release(index) }
            if mode == .workingTree {
                let unstaged = try index.diffToWorkdir(in: repo, options: DiffOptions(includeUntracked: true))
                var byPath: [GitPath: FileChange] = [:]
                for c in changes { byPath[c.path] = c }
                for c in unstaged.changes {
                    let headEntry = listing?.entry(c.path)
                    // Submodules are audited in their own repositories.
                    if c.newMode == 0o160000 || c.oldMode == 0o160000 { continue }
                    // Outside a sparse checkout (or assume-unchanged), a missing file is not deleted.
                    if c.status == .deleted && index.isNotCheckedOut(c.path) { continue }
                    if c.status == .deleted {
                        if let headEntry {
                            byPath[c.path] = FileChange(status: .deleted, path: c.path, oldPath: nil, oldID: headEntry.id, newID: .zero,
                                                        oldMode: headEntry.mode, newMode: 0, similarity: nil, stats: nil)
                        } else {
                            byPath[c.path] = nil  // staged as new, then removed from disk: not part of the change
                        }
                        continue
                    }
                    guard let fileMode = workingFileMode(root, c.path) else {
                        unreadable.append("\(c.path): not a regular file or symlink in the working tree; not audited")
                        continue
                    }
                    let id: ObjectID
                    do { id = try repo.writeBlobFromWorkdir(c.path) } catch {
                        unreadable.append("\(c.path): cannot be read from the working tree (\(error.message)); check its permissions")
                        continue
                    }
                    if let headEntry, headEntry.id == id, headEntry.mode == fileMode {
                        byPath[c.path] = nil  // back to what HEAD has
                        continue
                    }
                    let status: ChangeStatus = headEntry == nil ? .added
                        : ((headEntry!.mode & 0o170000) != (fileMode & 0o170000) ? .typeChanged : .modified)
                    byPath[c.path] = FileChange(status: status, path: c.path, oldPath: nil, oldID: headEntry?.id ?? .zero,
                                                newID: id, oldMode: headEntry?.mode ?? 0, newMode: fileMode, similarity: nil, stats: nil)
                }
                changes = byPath.values.sorted { $0.path < $1.path }
                IndexLoad.release(index)
            }
            let change = AuditedChange(repo: repo, mode: mode, baseCommit: head, baseTree: headTree, targetCommit: nil,
                                       changes: changes, messages: [])
            change.unreadable = unreadable
            return .change(change)
        }
        let result: Uncommitted
        let began = Date()
        defer { trace("audit: uncommitted change read in \(elapsedMs(since: began)) ms") }
        do { result = try read() } catch {
            throw RepositoryAccess.explain(error, doing: mode == .staged ? "read the staged change" : "read the working-tree change")
        }
        switch result {
        case .change(let change): return change
        case .conflicts(let paths):
            throw AssayError("the index has unresolved conflicts: \(paths.prefix(5).map(\.string).joined(separator: ", "))",
                             fix: "resolve them and `git add` the result, then audit again")
        }
    }

    private enum Uncommitted { case change(AuditedChange), conflicts([GitPath]) }

    /// The git mode of a working-tree file (regular, executable or symlink), or nil for anything
    /// else (a directory, a FIFO, a socket) or when it cannot be examined. The path is bytes: a name
    /// that is not UTF-8 is examined as it is.
    static func workingFileMode(_ root: URL, _ path: GitPath) -> UInt32? {
        var full = Array(root.path.utf8)
        if full.last != UInt8(ascii: "/") { full.append(UInt8(ascii: "/")) }
        full += path.bytes
        full.append(0)
        return full.withUnsafeBufferPointer { buf -> UInt32? in
            let cpath = UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self)
            var st = stat()
            guard lstat(cpath, &st) == 0 else { return nil }
            switch st.st_mode & S_IFMT {
            case S_IFLNK: return 0o120000
            case S_IFREG: return (st.st_mode & 0o111) != 0 ? 0o100755 : 0o100644
            default: return nil
            }
        }
    }
}
