import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Staged changes, file listings, line diffs")
struct StagingTests {
    /// A repository with files in nested folders, then a staged change of every kind.
    func stagedRepository() throws -> GitFixture {
        let f = try GitFixture()
        try f.commit("root", files: [
            "a.txt": "a\n", "b.txt": "b\n", "dir/c.txt": "c\n", "dir/sub/d.txt": "d\n", "dir.x": "x\n",
            "e/f/g.txt": "g\n", "link-target.txt": "t\n",
        ])
        try f.write("a.txt", "a changed\n")              // modified
        try f.write("dir/sub/new.txt", "new\n")          // added in a folder
        try f.write("dir-0.txt", "sorts after dir/\n")   // added, sorting next to a folder
        try f.remove("b.txt")                            // deleted
        try f.remove("e/f/g.txt")                        // a folder emptied
        try f.git("add", "-A")
        try f.write("a.txt", "working tree only\n")      // unstaged: must not show
        try f.write("untracked.txt", "u\n")              // untracked: must not show
        return f
    }

    @Test func stagedChangesMatchGitDiffCached() throws {
        let f = try stagedRepository()
        let repo = try f.repository()
        let head = try #require(try repo.head())
        let listing = try repo.fileListing(ofTree: try repo.commitHeader(head).tree)
        let changes = try repo.openIndex().changes(from: listing)
        let ours = changes.map { "\($0.status.rawValue) \($0.path)" }.sorted()
        let expected = try f.lines("diff", "--cached", "--no-renames", "--name-status")
            .map { $0.replacingOccurrences(of: "\t", with: " ") }.sorted()
        #expect(ours == expected)
        // The new ids are what the index holds.
        for c in changes where c.status != .deleted {
            let staged = try f.git("rev-parse", ":\(c.path)").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(c.newID.hex == staged, "\(c.path)")
        }
    }

    @Test func listingMatchesLsTreeAndSurvivesSerialization() throws {
        let f = try stagedRepository()
        try f.git("commit", "-qm", "second")
        let repo = try f.repository()
        let tree = try repo.commitHeader(try #require(try repo.head())).tree
        let listing = try repo.fileListing(ofTree: tree)
        let lsTree = try f.lines("ls-tree", "-r", "HEAD").map { line -> String in
            let parts = line.split(separator: "\t", maxSplits: 1)
            let meta = parts[0].split(separator: " ")
            return "\(meta[2]) \(parts[1])"
        }
        #expect((0..<listing.count).map { "\(listing.ids[$0].hex) \(listing.path(at: $0))" } == lsTree)
        #expect(FileListing(serialized: listing.serialized()) == listing)
        #expect(FileListing(serialized: Array(listing.serialized().dropLast())) == nil)
        // Carried from the root commit's listing by a tree diff, it is the same listing.
        let rootTree = try repo.commitHeader(try repo.resolveCommit("HEAD~1")).tree
        let old = try repo.fileListing(ofTree: rootTree)
        let carried = old.applying(try repo.diffTrees(rootTree, tree).changes, tree: tree)
        #expect(carried == listing)
    }

    @Test func intentToAddAndUnbornBranch() throws {
        let f = try GitFixture()
        try f.write("one.txt", "1\n")
        try f.write("later.txt", "later\n")
        try f.git("add", "one.txt")
        try f.git("add", "-N", "later.txt")
        let repo = try f.repository()
        #expect(try repo.head() == nil)
        let changes = try repo.openIndex().changes(from: nil)
        // `git add -N` is not staged content (write-tree leaves it out).
        #expect(changes.map(\.path.string) == ["one.txt"])
        #expect(changes.first?.status == .added)
    }

    @Test func pathsTooLongForTheEntryFlagsAreReadWhole() throws {
        // An index entry's flags hold its path length only up to 4,094 bytes; longer paths are
        // measured from the path itself. Staged with --cacheinfo (no such file can exist on disk).
        let f = try GitFixture()
        try f.commit("root", files: ["a.txt": "a\n"])
        let blob = try f.git("hash-object", "-w", "--stdin", input: Data("long\n".utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let long = (0..<20).map { String(repeating: Character(UnicodeScalar(UInt8(97 + $0))), count: 230) }.joined(separator: "/")
        #expect(long.utf8.count > 4095)
        try f.git("update-index", "--add", "--cacheinfo", "100644,\(blob),\(long)")
        let repo = try f.repository()
        let head = try #require(try repo.head())
        let listing = try repo.fileListing(ofTree: try repo.commitHeader(head).tree)
        let changes = try repo.openIndex().changes(from: listing)
        let expected = try f.lines("diff", "--cached", "--no-renames", "--name-only")
        #expect(changes.map(\.path.string) == expected)
        #expect(changes.map(\.path.string) == [long])
        #expect(changes.first?.newID.hex == blob)
    }

    @Test func addedLinesMatchGitDiff() throws {
        let f = try GitFixture()
        let old = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = old.split(separator: "\n").map(String.init)
        lines.insert("inserted A", at: 3)
        lines[10] = "changed 10"
        lines.append("appended")
        let new = lines.joined(separator: "\n") + "\n"
        try f.commit("old", files: ["f.txt": old])
        try f.commit("new", files: ["f.txt": new])
        // Ground truth: the `+` lines of git's zero-context diff, numbered in the new file.
        let diff = try f.lines("diff", "-U0", "HEAD~1", "HEAD", "--", "f.txt")
        var expected: [Int] = []
        var next = 0
        for line in diff {
            if line.hasPrefix("@@") {
                let plus = line.split(separator: " ")[2].dropFirst()
                next = Int(plus.split(separator: ",")[0])!
            } else if line.hasPrefix("+") && !line.hasPrefix("+++") {
                expected.append(next); next += 1
            }
        }
        #expect(try LineDiff.addedLines(old: Array(old.utf8), new: Array(new.utf8)) == expected)
        #expect(try LineDiff.addedLines(old: nil, new: Array("a\nb".utf8)) == [1, 2])
        #expect(try LineDiff.addedLines(old: nil, new: []) == [])
    }

    @Test func objectsWrittenInMemoryNeverReachTheDisk() throws {
        let f = try GitFixture()
        try f.commit("root", files: ["a.txt": "a\n"])
        let before = try f.lines("count-objects", "-v")
        let repo = try Repository(discoveringFrom: f.path.path, objectsInMemory: true)
        let blob = try repo.writeBlob(Array("only in memory\n".utf8))
        let tree = try repo.writeTree(base: try repo.commitHeader(try #require(try repo.head())).tree,
                                      updates: [.upsert(GitPath("b.txt"), blob)])
        #expect(try repo.blob(blob) == Array("only in memory\n".utf8))
        #expect(try repo.treeEntry(GitPath("b.txt"), inTree: tree)?.id == blob)
        #expect(try f.lines("count-objects", "-v") == before)
        let probe = try runProcess("/usr/bin/git", ["-C", f.path.path, "cat-file", "-e", blob.hex])
        #expect(probe.status != 0)
    }
}
