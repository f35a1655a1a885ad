import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Diffs")
struct DiffTests {
    /// Adds, modifications, deletes, a rename with content kept, a chmod +x, a merge, an empty commit.
    func makeChangeHistory() throws -> GitFixture {
        let f = try GitFixture()
        let kept = (1...20).map { "line \($0) of the file that moves\n" }.joined()
        try f.commit("root", files: [
            "a.txt": "a1\n", "b.txt": "bee\n", "dir/c.txt": "c1\n", "dir/nested/e.txt": "e\n",
            "script.sh": "#!/bin/sh\necho hi\n", "keep.txt": kept,
        ])
        try f.commit("modify add delete", files: ["a.txt": "a2\n", "dir/d.txt": "something else entirely\n"], deleting: ["b.txt"])
        try f.git("checkout", "-q", "-b", "side")
        try f.commit("side", files: ["dir/c.txt": "c2\n", "side.txt": "side\n"])
        try f.git("checkout", "-q", "main")
        try f.commit("rename", files: ["moved/kept.txt": kept], deleting: ["keep.txt"])
        try f.chmod("script.sh", 0o755)
        try f.commitAll("chmod +x")
        try f.merge("side", message: "merge side")
        try f.commit("delete a directory", deleting: ["dir"])
        try f.commit("empty")
        try f.commit("modify after merge", files: ["side.txt": "side 2\n", "moved/kept.txt": kept + "one more\n"])
        return f
    }

    @Test func changedPathsMatchDiffTree() throws {
        let f = try makeChangeHistory()
        let repo = try f.repository()
        let parents = try f.parentMap(["--branches"])
        #expect(parents.values.contains { $0.isEmpty })
        #expect(parents.values.contains { $0.count == 2 })
        var sawRename = false, sawModeChange = false
        for (commit, ps) in parents {
            let args = ps.count > 1
                ? ["diff-tree", "-r", "--no-renames", "--name-status", "-z", ps[0].hex, commit.hex]
                : ["diff-tree", "-r", "--no-renames", "--name-status", "-z", "--no-commit-id", "--root", commit.hex]
            let expected = parseNameStatusZ(try f.gitData(args).stdout)
            let actual = try repo.diffCommit(commit)
            #expect(nameStatus(actual) == expected, "commit \(commit.short)")
            #expect(actual.missingObjects.isEmpty)
            if actual.changes.contains(where: { $0.oldMode != $0.newMode && $0.status == .modified }) { sawModeChange = true }

            // With rename detection, like `git diff-tree -M`.
            let renameArgs = ps.count > 1
                ? ["diff-tree", "-r", "-M", "--name-status", "-z", ps[0].hex, commit.hex]
                : ["diff-tree", "-r", "-M", "--name-status", "-z", "--no-commit-id", "--root", commit.hex]
            let expectedRenames = parseNameStatusZ(try f.gitData(renameArgs).stdout)
            let withRenames = try repo.diffCommit(commit, options: DiffOptions(detectRenames: true))
            #expect(nameStatus(withRenames) == expectedRenames, "commit \(commit.short) -M")
            if let r = withRenames.changes.first(where: { $0.status == .renamed }) {
                sawRename = true
                #expect(r.oldPath == "keep.txt")
                #expect(r.path == "moved/kept.txt")
                #expect(r.similarity == 100)
                #expect(r.oldID == r.newID)
            }
        }
        #expect(sawRename)
        #expect(sawModeChange)

        // The chmod commit: mode 100644 → 100755, same blob, as git's raw diff says.
        let raw = try f.lines("log", "--format=%H", "--grep=chmod", "main")
        let chmodCommit = try oid(try #require(raw.first))
        let change = try #require(try repo.diffCommit(chmodCommit).changes.first)
        let rawLine = try f.git("diff-tree", "-r", "--no-commit-id", "--raw", chmodCommit.hex).trimmed
        // ":100644 100755 <old> <new> M\tscript.sh"
        let fields = rawLine.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" })
        #expect(change.oldMode == UInt32(fields[0], radix: 8))
        #expect(change.newMode == UInt32(fields[1], radix: 8))
        #expect(change.oldID == (try oid(fields[2])))
        #expect(change.newID == (try oid(fields[3])))
        #expect(change.path == GitPath(String(fields[5])))

        // diffTrees between arbitrary trees, and against the empty tree.
        let expected = parseNameStatusZ(try f.gitData(["diff-tree", "-r", "--no-renames", "--name-status", "-z", "main~4", "main"]).stdout)
        let actual = try repo.diffTrees(repo.commit(f.id("main~4")).tree, repo.commit(f.id("main")).tree)
        #expect(nameStatus(actual) == expected)
        let deletions = try repo.diffTrees(repo.commit(f.id("main")).tree, nil)
        #expect(deletions.changes.allSatisfy { $0.status == .deleted })
        #expect(Set(deletions.changes.map(\.path.string)) == Set(try f.lines("ls-tree", "-r", "--name-only", "main")))
    }

    /// A file that becomes a symlink and back: git reports `T`, and `--numstat` diffs the two contents.
    @Test func typeChangeMatchesDiffTree() throws {
        let f = try GitFixture()
        try f.commit("root", files: ["target.txt": "t\n", "link": "a regular file\nwith two lines\n", "same": "target.txt"])
        try f.remove("link")
        try FileManager.default.createSymbolicLink(atPath: f.path.appendingPathComponent("link").path, withDestinationPath: "target.txt")
        // A symlink whose target equals the old file's content: same blob, only the type changes.
        try f.remove("same")
        try FileManager.default.createSymbolicLink(atPath: f.path.appendingPathComponent("same").path, withDestinationPath: "target.txt")
        let c1 = try f.commitAll("files become symlinks")
        try f.remove("link")
        try f.commit("symlink becomes a file again", files: ["link": "target.txt\nand more\n"])
        let repo = try f.repository()
        for c in try f.lines("rev-list", "main") {
            let expected = parseNameStatusZ(try f.gitData(["diff-tree", "-r", "--no-renames", "--name-status", "-z", "--no-commit-id", "--root", c]).stdout)
            let actual = nameStatus(try repo.diffCommit(try oid(c)))
            #expect(actual == expected, "\(c)")
            // Line stats as `git diff-tree --numstat` counts them.
            let numstat = try f.lines("diff-tree", "-r", "--no-renames", "--numstat", "--no-commit-id", "--root", c).sorted()
            let stats = numstatLines(try repo.diffCommit(try oid(c), options: DiffOptions(lineStats: true)))
            #expect(stats == numstat, "\(c)")
        }
        let expected = parseNameStatusZ(try f.gitData(["diff-tree", "-r", "--name-status", "-z", "--no-commit-id", c1]).stdout)
        #expect(expected.map(\.status) == ["T", "T"])

        // In the working tree: a file replaced by a symlink, unstaged.
        try f.remove("target.txt")
        try FileManager.default.createSymbolicLink(atPath: f.path.appendingPathComponent("target.txt").path, withDestinationPath: "link")
        let unstaged = parseNameStatusZ(try f.gitData(["diff", "--name-status", "--no-renames", "-z"]).stdout)
        #expect(unstaged.map(\.status) == ["T"])
        #expect(nameStatus(try repo.diffWorkdirToIndex()) == unstaged)
        let workStats = numstatLines(try repo.diffWorkdirToIndex(options: DiffOptions(lineStats: true)))
        let gitWorkStats = try f.lines("diff", "--numstat", "--no-renames")
        #expect(workStats == gitWorkStats)
        // Staged.
        try f.git("add", "target.txt")
        let staged = parseNameStatusZ(try f.gitData(["diff", "--cached", "--name-status", "--no-renames", "-z"]).stdout)
        #expect(nameStatus(try repo.diffIndexToHead()) == staged)
        #expect(numstatLines(try repo.diffIndexToHead(options: DiffOptions(lineStats: true)))
                == (try f.lines("diff", "--cached", "--numstat", "--no-renames")))
    }

    @Test func lineStatsMatchNumstat() throws {
        let f = try GitFixture()
        var binary = Data([0x00, 0x01, 0x02, 0x00, 0xFF, 0xFE])
        binary.append(Data("some text after NULs\n".utf8))
        try f.write("bin.dat", binary)
        try f.write("becomes-text.dat", Data([0x41, 0x00, 0x42, 0x0A]))
        try f.commit("root", files: [
            "text.txt": "one\ntwo\nthree\nfour\nfive\n", "nonl.txt": "x\ny", "crlf.txt": "a\r\nb\r\nc\r\n",
            "empty.txt": "", "script.sh": "#!/bin/sh\n",
        ])
        var binary2 = binary
        binary2.append(contentsOf: [0x00, 0x07])
        try f.write("bin.dat", binary2)
        try f.write("new.bin", Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x00, 0x0D]))
        try f.commit("modify", files: [
            "text.txt": "one\nTWO\nthree\nfour\nfive\nsix\nseven\n", "nonl.txt": "x\ny\nz", "crlf.txt": "a\r\nB\r\nc\r\nd\r\n",
            "becomes-text.dat": "now text\n",
        ])
        try f.git("checkout", "-q", "-b", "side")
        try f.commit("side", files: ["text.txt": "zero\none\nTWO\nthree\nfour\nfive\nsix\nseven\n", "side.txt": "s\n"])
        try f.git("checkout", "-q", "main")
        try f.chmod("script.sh", 0o755)
        try f.commit("delete and chmod", files: ["nonl.txt": "x\ny\nz\n", "empty.txt": "no longer empty\n"],
                     deleting: ["bin.dat", "crlf.txt"])
        try f.merge("side", message: "merge side")
        try f.commit("rename without detection", files: ["renamed.txt": "s\n"], deleting: ["side.txt"])
        try f.commit("empty commit")

        // Ground truth: numstat per commit from one `git log`.
        var expected: [ObjectID: [String]] = [:]
        var current: ObjectID?
        let log = try f.git("log", "--numstat", "--no-renames", "--diff-merges=first-parent", "--format=%H", "--branches")
        for line in log.split(separator: "\n") {
            if line.count == 40, !line.contains("\t"), let id = ObjectID(hex: line) {
                current = id
                expected[id, default: []] = []
            } else if let current {
                expected[current, default: []].append(String(line))
            }
        }
        let all = try f.ids(["rev-list", "--branches"])
        #expect(Set(expected.keys) == Set(all))
        #expect(expected.values.contains { $0.contains("-\t-\tbin.dat") })
        #expect(expected.values.contains { $0.contains("-\t-\tbecomes-text.dat") })

        let repo = try f.repository()
        for id in all {
            let result = try repo.diffCommit(id, options: DiffOptions(lineStats: true))
            #expect(numstatLines(result) == expected[id]!.sorted(), "commit \(id.short)")
            #expect(result.missingObjects.isEmpty)
        }
    }

    @Test func missingBlobIsReportedNotFatal() throws {
        let f = try GitFixture()
        try f.commit("one", files: ["a.txt": "a\nb\n"])
        let c2 = try f.commit("two", files: ["a.txt": "a\nb\nc\n", "big.txt": "the payload that goes missing\n"])
        let blob = try f.rev("\(c2):big.txt")
        let loose = f.path.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        #expect(FileManager.default.fileExists(atPath: loose.path), "objects must be loose")
        // What git can still say about a.txt, before and after removing the blob.
        let aStats = try f.git("diff", "--numstat", "\(c2)~1", c2, "--", "a.txt").trimmed
        try FileManager.default.removeItem(at: loose)
        #expect(try f.gitUnchecked(["cat-file", "-e", blob]).status != 0)

        let repo = try f.repository()
        let id = try oid(blob)
        #expect(repo.contains(id) == false)
        let error = #expect(throws: GitError.self) { try repo.blob(id) }
        #expect(error?.isMissingObject == true)

        // Names and statuses need no blobs.
        let expected = parseNameStatusZ(try f.gitData(["diff-tree", "-r", "--no-renames", "--name-status", "-z", "\(c2)~1", c2]).stdout)
        #expect(nameStatus(try repo.diffCommit(try oid(c2))) == expected)

        let result = try repo.diffCommit(try oid(c2), options: DiffOptions(lineStats: true))
        #expect(nameStatus(result) == expected)
        let big = try #require(result.changes.first { $0.path == "big.txt" })
        #expect(big.status == .added)
        #expect(big.stats == nil)
        #expect(big.newID == id)
        #expect(result.missingObjects.contains(id))
        let a = try #require(result.changes.first { $0.path == "a.txt" })
        #expect(numstatLines([a]) == [aStats])
    }
}
