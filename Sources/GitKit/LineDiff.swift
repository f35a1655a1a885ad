internal import CLibGit2

/// Line-level diffs of two contents, as `git diff` computes them (Myers, no context lines).
public enum LineDiff {
    /// The 1-based line numbers, in `new`, of the lines `new` adds relative to `old` (nil: every
    /// line of `new` is added). Contents are diffed as text whatever bytes they hold.
    public static func addedLines(old: [UInt8]?, new: [UInt8]) throws(GitError) -> [Int] {
        guard let old, !old.isEmpty else {
            let n = lineCount(new)
            return n == 0 ? [] : Array(1...n)
        }
        let patch = try textPatch(old, new)
        defer { git_patch_free(patch) }
        var out: [Int] = []
        for h in 0..<git_patch_num_hunks(patch) {
            let lines = git_patch_num_lines_in_hunk(patch, h)
            guard lines > 0 else { continue }
            for l in 0..<Int(lines) {
                var line: UnsafePointer<git_diff_line>?
                try check(git_patch_get_line_in_hunk(&line, patch, h, l), "git_patch_get_line_in_hunk")
                if let line, line.pointee.origin == CChar(GIT_DIFF_LINE_ADDITION.rawValue) {
                    out.append(Int(line.pointee.new_lineno))
                }
            }
        }
        return out
    }

    /// Lines in `bytes`: newline count, plus one for a last line without a newline.
    public static func lineCount(_ bytes: [UInt8]) -> Int {
        var n = 0
        for b in bytes where b == UInt8(ascii: "\n") { n += 1 }
        if let last = bytes.last, last != UInt8(ascii: "\n") { n += 1 }
        return n
    }
}

extension LineDiff {
    /// The patch from `old` to `new` with no context lines, diffed as text whatever bytes they hold.
    /// The caller frees it (`git_patch_free`).
    static func textPatch(_ old: [UInt8], _ new: [UInt8]) throws(GitError) -> OpaquePointer {
        _ = LibGit2.initialized
        var opts = assay_git_diff_options_init()
        opts.context_lines = 0
        opts.flags |= GIT_DIFF_FORCE_TEXT.rawValue
        var patch: OpaquePointer?
        let r = old.withUnsafeBytes { o in
            new.withUnsafeBytes { n in
                git_patch_from_buffers(&patch, o.baseAddress, o.count, nil, n.baseAddress, n.count, nil, &opts)
            }
        }
        try check(r, "git_patch_from_buffers")
        return patch!
    }

    /// A changed region: `oldLines` lines from `oldStart` in old became `newLines` lines from `newStart`
    /// in new (1-based; a count of 0 means the region is empty on that side).
    public struct Hunk: Hashable, Sendable {
        public var oldStart: Int
        public var oldLines: Int
        public var newStart: Int
        public var newLines: Int
    }

    /// The changed regions between two contents, in order (Myers, no context lines), diffed as text.
    public static func hunks(old: [UInt8], new: [UInt8]) throws(GitError) -> [Hunk] {
        let patch = try textPatch(old, new)
        defer { git_patch_free(patch) }
        var out: [Hunk] = []
        for h in 0..<git_patch_num_hunks(patch) {
            var hunk: UnsafePointer<git_diff_hunk>?
            var lines = 0
            try check(git_patch_get_hunk(&hunk, &lines, patch, h), "git_patch_get_hunk")
            guard let hunk else { continue }
            out.append(Hunk(oldStart: Int(hunk.pointee.old_start), oldLines: Int(hunk.pointee.old_lines),
                            newStart: Int(hunk.pointee.new_start), newLines: Int(hunk.pointee.new_lines)))
        }
        return out
    }
}
