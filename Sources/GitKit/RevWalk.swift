internal import CLibGit2

/// Which commits to walk: everything reachable from `include` and not from `exclude`.
public struct RevisionSelection: Hashable, Sendable {
    public var include: [ObjectID]
    public var exclude: [ObjectID]
    /// True when every spec was a plain revision (no range, no `^`): then `include` are complete tips.
    public var isPlain: Bool

    public init(include: [ObjectID], exclude: [ObjectID] = [], isPlain: Bool = true) {
        self.include = include; self.exclude = exclude; self.isPlain = isPlain
    }
}

/// The order of a walk.
public enum WalkOrder: Sendable {
    /// Children before parents, newest first among unrelated commits (like `git log --topo-order`).
    case topological
    /// Parents before children (the order to replay history in).
    case reverseTopological
}

extension Repository {
    /// Turns revision specs into a selection: plain revs (`HEAD`, `main`, a SHA), exclusions (`^A`),
    /// ranges `A..B` (reachable from B, not from A; an empty side means HEAD) and symmetric ranges
    /// `A...B` (either side, not their merge bases). `all` adds local branches and tags (never
    /// `refs/pull/*` or remotes).
    public func select(_ specs: [String], all: Bool = false) throws(GitError) -> RevisionSelection {
        var selection = RevisionSelection(include: [], exclude: [], isPlain: true)
        for spec in specs {
            if let range = spec.range(of: "...") {
                let left = String(spec[..<range.lowerBound]), right = String(spec[range.upperBound...])
                let a = try resolveCommit(left.isEmpty ? "HEAD" : left)
                let b = try resolveCommit(right.isEmpty ? "HEAD" : right)
                selection.include += [a, b]
                if let base = try mergeBase(a, b) { selection.exclude.append(base) }
                selection.isPlain = false
            } else if let range = spec.range(of: "..") {
                let left = String(spec[..<range.lowerBound]), right = String(spec[range.upperBound...])
                selection.exclude.append(try resolveCommit(left.isEmpty ? "HEAD" : left))
                selection.include.append(try resolveCommit(right.isEmpty ? "HEAD" : right))
                selection.isPlain = false
            } else if spec.hasPrefix("^") {
                selection.exclude.append(try resolveCommit(String(spec.dropFirst())))
                selection.isPlain = false
            } else {
                selection.include.append(try resolveCommit(spec))
            }
        }
        if all {
            for glob in ["refs/heads/*", "refs/tags/*"] {
                selection.include += try references(glob: glob).map(\.target)
            }
        }
        var seen = Set<ObjectID>()
        selection.include = selection.include.filter { seen.insert($0).inserted }
        return selection
    }

    /// Every commit in the selection, each once. Exclusions whose objects are missing are skipped
    /// when `ignoreMissingExcludes` is set (a cache of old tips may name commits gc has removed).
    public func walk(_ selection: RevisionSelection, order: WalkOrder = .topological,
                     hidingIfPresent: [ObjectID] = []) throws(GitError) -> [ObjectID] {
        if !shallowBoundary.isEmpty {
            return try shallowWalk(selection, order: order, hidingIfPresent: hidingIfPresent.filter { contains($0) })
        }
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walker) }
        var mode = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue
        if order == .reverseTopological { mode |= GIT_SORT_REVERSE.rawValue }
        try check(git_revwalk_sorting(walker, mode), "git_revwalk_sorting")
        for id in selection.include {
            var oid = id.gitOID
            try check(git_revwalk_push(walker, &oid), "git_revwalk_push(\(id.short))")
        }
        for id in selection.exclude {
            var oid = id.gitOID
            try check(git_revwalk_hide(walker, &oid), "git_revwalk_hide(\(id.short))")
        }
        for id in hidingIfPresent where contains(id) {
            var oid = id.gitOID
            _ = git_revwalk_hide(walker, &oid)
        }
        var out: [ObjectID] = []
        var oid = git_oid()
        while true {
            let result = git_revwalk_next(&oid, walker)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "git_revwalk_next")
            out.append(ObjectID(oid))
        }
        return out
    }

    /// Commits for specs, e.g. `commits(["main..feature"])`; see `select` and `walk`.
    public func commits(_ specs: [String], all: Bool = false, order: WalkOrder = .topological) throws(GitError) -> [ObjectID] {
        try walk(select(specs, all: all), order: order)
    }
}

extension Repository {
    /// The parents a walk follows: none for a shallow clone's boundary commits (their parents were
    /// never fetched), as git itself treats them.
    public func walkParents(of id: ObjectID) throws(GitError) -> [ObjectID] {
        shallowBoundary.contains(id) ? [] : try commitHeader(id).parents
    }

    /// A walk for shallow clones, which libgit2 1.5's revwalk cannot do (it tries to load the missing
    /// parents): everything reachable from `include` and not from `exclude`, children before parents,
    /// newer committer time first among commits that are ready.
    func shallowWalk(_ selection: RevisionSelection, order: WalkOrder, hidingIfPresent: [ObjectID]) throws(GitError) -> [ObjectID] {
        var hidden = Set<ObjectID>()
        var stack = selection.exclude + hidingIfPresent
        while let id = stack.popLast() {
            guard hidden.insert(id).inserted else { continue }
            stack += try walkParents(of: id)
        }
        var parents: [ObjectID: [ObjectID]] = [:]
        var time: [ObjectID: Int64] = [:]
        stack = selection.include.filter { !hidden.contains($0) }
        while let id = stack.popLast() {
            guard parents[id] == nil else { continue }
            let ps = try walkParents(of: id).filter { !hidden.contains($0) }
            parents[id] = ps
            time[id] = try commit(id).committer.time
            stack += ps
        }
        var children: [ObjectID: Int] = [:]
        for ps in parents.values { for p in ps { children[p, default: 0] += 1 } }
        var ready = parents.keys.filter { children[$0] == nil }
        var out: [ObjectID] = []
        out.reserveCapacity(parents.count)
        while !ready.isEmpty {
            // The newest ready commit next (ties by id, so the order is stable).
            let i = ready.indices.max { (time[ready[$0]]!, ready[$0]) < (time[ready[$1]]!, ready[$1]) }!
            let id = ready.remove(at: i)
            out.append(id)
            for p in parents[id]! {
                children[p]! -= 1
                if children[p] == 0 { ready.append(p) }
            }
        }
        return order == .reverseTopological ? out.reversed() : out
    }
}
