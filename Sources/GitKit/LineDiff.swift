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
