import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Trees, blobs, index and working tree")
struct TreeIndexTests {
    @Test func treesAndBlobsMatchLsTree() throws {
        let f = try GitFixture()
        try f.write("exec.sh", "#!/bin/sh\necho run\n")
        try f.chmod("exec.sh", 0o755)
        try f.write("bin.dat", Data([0x00, 0xFF, 0x10, 0x00]))
        try f.write("empty.txt", "")
        try FileManager.default.createSymbolicLink(atPath: f.path.appendingPathComponent("link").path, withDestinationPath: "a.txt")
        let c = try f.commit("tree", files: [
            "a.txt": "alpha\n", "dir/b.txt": "beta\n", "dir/sub/c.txt": "gamma\n", "dir/sub/d.txt": "delta",
            "dir-sibling.txt": "sorts between dir and dir/", "z/last.txt": "last\n",
        ])
        let repo = try f.repository()
        let commitID = try oid(c)
        let tree = try repo.commit(commitID).tree
        #expect(tree == (try f.id("\(c)^{tree}")))

        // Directory listings, in git's order, for the root and nested directories.
        for (dir, spec) in [("", c), ("dir", "\(c):dir"), ("dir/sub", "\(c):dir/sub"), ("z", "\(c):z")] {
            let expected = try parseLsTreeZ(try f.gitData(["ls-tree", "-z", spec]).stdout)
            let actual = try #require(try repo.listDirectory(GitPath(dir), inTree: tree), "\(dir)")
            #expect(actual.map(\.name.bytes) == expected.map(\.name), "\(dir)")
            #expect(actual.map(\.mode) == expected.map(\.mode), "\(dir)")
            #expect(actual.map(\.id) == expected.map(\.id), "\(dir)")
            #expect(actual.map { $0.kind == .tree } == expected.map { $0.type == "tree" }, "\(dir)")
        }

        // Every path (recursive) by treeEntry, and every blob's bytes.
        let all = try parseLsTreeZ(try f.gitData(["ls-tree", "-r", "-t", "-z", c]).stdout)
        #expect(all.contains { $0.mode == 0o100755 })
        #expect(all.contains { $0.mode == 0o120000 })
        for e in all {
            let path = GitPath(bytes: e.name)
            let entry = try #require(try repo.treeEntry(path, atCommit: commitID), "\(path)")
            #expect(entry.id == e.id, "\(path)")
            #expect(entry.mode == e.mode, "\(path)")
            #expect(entry.name == path.lastComponent)
            #expect(try repo.treeEntry(path, inTree: tree) == entry)
            if e.type == "blob" {
                let bytes = Array(try f.gitData(["cat-file", "blob", e.id.hex]).stdout)
                #expect(try repo.blob(e.id) == bytes, "\(path)")
                #expect(try repo.file(path, atCommit: commitID) == bytes, "\(path)")
                #expect(try repo.listDirectory(path, inTree: tree) == nil, "\(path) is not a directory")
            } else {
                #expect(try repo.file(path, atCommit: commitID) == nil)
                #expect(try repo.entries(ofTree: e.id).map(\.id) == (try parseLsTreeZ(try f.gitData(["ls-tree", "-z", e.id.hex]).stdout)).map(\.id))
            }
        }
        let link = try #require(try repo.treeEntry("link", atCommit: commitID))
        #expect(link.isSymlink && link.kind == .blob)
        #expect(try repo.treeEntry("exec.sh", atCommit: commitID)?.isExecutable == true)

        // Missing paths: git has nothing there, GitKit returns nil.
        for missing in ["nope.txt", "dir/nope.txt", "dir/sub/c.txt/deeper", "a.txt/x", "nodir/x.txt"] {
            #expect(try f.gitUnchecked(["rev-parse", "--verify", "-q", "\(c):\(missing)"]).status != 0, "\(missing)")
            #expect(try repo.treeEntry(GitPath(missing), atCommit: commitID) == nil, "\(missing)")
            #expect(try repo.file(GitPath(missing), atCommit: commitID) == nil, "\(missing)")
            #expect(try repo.listDirectory(GitPath(missing), inTree: tree) == nil, "\(missing)")
        }
    }

    @Test func stagedAndUnstagedChangesMatchGitDiff() throws {
        let f = try GitFixture()
        try f.commit("base", files: [
            "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n", "d.txt": "d\n", "dir/e.txt": "e\n", "mode.sh": "#!/bin/sh\n",
        ])
        // Staged: modify, delete, add, and a file added then edited again.
        try f.write("a.txt", "a modified and staged\n")
        try f.git("add", "a.txt")
        try f.git("rm", "-q", "b.txt")
        try f.write("new.txt", "new\n")
        try f.write("dir/new2.txt", "new 2\n")
        try f.git("add", "new.txt", "dir/new2.txt")
        // Unstaged: modify, delete from disk, edit the staged new file, chmod, and an untracked file.
        try f.write("c.txt", "c modified, not staged\n")
        try f.remove("d.txt")
        try f.write("new.txt", "new, edited after staging\n")
        try f.chmod("mode.sh", 0o755)
        try f.write("untracked.txt", "u\n")
        try f.write("untracked-dir/deep.txt", "u\n")

        let repo = try f.repository()
        let staged = parseNameStatusZ(try f.gitData(["diff", "--cached", "--name-status", "--no-renames", "-z"]).stdout)
        #expect(staged.count == 4)
        #expect(nameStatus(try repo.diffIndexToHead()) == staged)

        let unstaged = parseNameStatusZ(try f.gitData(["diff", "--name-status", "--no-renames", "-z"]).stdout)
        #expect(unstaged.count == 4)
        #expect(nameStatus(try repo.diffWorkdirToIndex()) == unstaged)

        // With untracked files: git's untracked list, marked `?`.
        let untracked = zFields(try f.gitData(["ls-files", "--others", "--exclude-standard", "-z"]).stdout)
            .map { NameStatus(status: "?", paths: [$0]) }
        #expect(untracked.count == 2)
        #expect(nameStatus(try repo.diffWorkdirToIndex(options: DiffOptions(includeUntracked: true))) == (unstaged + untracked).sorted())

        // Line stats of staged changes, like `git diff --cached --numstat`.
        let numstat = try f.lines("diff", "--cached", "--numstat", "--no-renames").sorted()
        #expect(numstatLines(try repo.diffIndexToHead(options: DiffOptions(lineStats: true))) == numstat)
        let workNumstat = try f.lines("diff", "--numstat", "--no-renames").sorted()
        #expect(numstatLines(try repo.diffWorkdirToIndex(options: DiffOptions(lineStats: true))) == workNumstat)

        // The index, entry by entry.
        let expected = try parseLsFilesStageZ(try f.gitData(["ls-files", "-s", "-z"]).stdout).sorted()
        let actual = try repo.indexEntries().map { StagedEntry(mode: $0.mode, id: $0.id, stage: $0.stage, path: $0.path.bytes) }
        #expect(actual == expected, "index entries in git's order")
        for e in expected {
            let entry = try #require(try repo.indexEntry(GitPath(bytes: e.path)))
            #expect(entry.id == e.id && entry.mode == e.mode && entry.stage == e.stage)
        }
        #expect(try repo.indexEntry("b.txt") == nil)
        #expect(try repo.indexEntry("untracked.txt") == nil)
    }

    @Test func unbornBranch() throws {
        let f = try GitFixture()
        try f.write("first.txt", "1\n")
        try f.git("add", "first.txt")
        let repo = try f.repository()
        #expect(try f.gitUnchecked(["rev-parse", "--verify", "-q", "HEAD"]).status != 0)
        #expect(try repo.head() == nil)
        let staged = parseNameStatusZ(try f.gitData(["diff", "--cached", "--name-status", "--no-renames", "-z"]).stdout)
        #expect(nameStatus(try repo.diffIndexToHead()) == staged)
        #expect(try repo.commits([], all: true).isEmpty)
    }

    @Test func conflictedIndexStages() throws {
        let f = try GitFixture()
        try f.commit("base", files: ["x.txt": "base\n", "y.txt": "y\n"])
        try f.git("checkout", "-q", "-b", "other")
        try f.commit("other", files: ["x.txt": "other\n"])
        try f.git("checkout", "-q", "main")
        try f.commit("ours", files: ["x.txt": "ours\n"])
        let merge = try f.gitUnchecked(["merge", "-q", "other"], environment: f.dateEnvironment())
        #expect(merge.status != 0, "the merge must conflict")

        let expected = try parseLsFilesStageZ(try f.gitData(["ls-files", "-s", "-z"]).stdout).sorted()
        #expect(Set(expected.map(\.stage)) == [0, 1, 2, 3])
        let actual = try f.repository().indexEntries().map { StagedEntry(mode: $0.mode, id: $0.id, stage: $0.stage, path: $0.path.bytes) }
        #expect(actual == expected)
    }
}
