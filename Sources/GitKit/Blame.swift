internal import CLibGit2

/// Which commit last changed each line of a file, as `git blame` tells.
public struct Blame: Hashable, Sendable {
    /// Runs of lines (1-based `start`, `count`) and the commit that wrote them.
    public struct Hunk: Hashable, Sendable {
        public var start: Int
        public var count: Int
        public var commit: ObjectID
    }

    public var hunks: [Hunk]

    /// The commit that wrote `line` (1-based), or nil past the end of the file.
    public func commit(forLine line: Int) -> ObjectID? {
        hunks.first { line >= $0.start && line < $0.start + $0.count }?.commit
    }
}

extension Repository {
    /// Blames the file at `path` as of `commit` (first-parent history, like `git blame --first-parent`,
    /// so a merge is credited with what it brought in).
    public func blame(_ path: GitPath, at commit: ObjectID) throws(GitError) -> Blame {
        var options = assay_git_blame_options_init()
        options.newest_commit = commit.gitOID
        options.flags = GIT_BLAME_FIRST_PARENT.rawValue
        var blame: OpaquePointer?
        let result = path.withCString { git_blame_file(&blame, pointer, $0, &options) }
        try check(result, "git_blame_file(\(path))")
        defer { git_blame_free(blame) }
        var hunks: [Blame.Hunk] = []
        let n = git_blame_get_hunk_count(blame)
        for i in 0..<n {
            guard let h = git_blame_get_hunk_byindex(blame, i) else { continue }
            hunks.append(Blame.Hunk(start: Int(h.pointee.final_start_line_number), count: Int(h.pointee.lines_in_hunk),
                                    commit: ObjectID(h.pointee.final_commit_id)))
        }
        return Blame(hunks: hunks)
    }
}
