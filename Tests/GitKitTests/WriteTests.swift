import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Writing objects, refs and notes")
struct WriteTests {
    /// `git fsck --strict` exits 0 and reports no errors or warnings.
    func expectFsckClean(_ f: GitFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fsck = try f.gitUnchecked(["fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.err)", sourceLocation: sourceLocation)
        let text = (fsck.out + fsck.err).lowercased()
        #expect(!text.contains("error") && !text.contains("warning") && !text.contains("missing")
                && !text.contains("broken"), "\(text)", sourceLocation: sourceLocation)
    }

    /// The tree git builds from `base` with the same updates, through a scratch index.
    func gitTree(_ f: GitFixture, base: String?, upserts: [(path: String, id: String, mode: String)], removes: [String]) throws -> String {
        let index = f.root.appendingPathComponent("scratch-index-\(UUID().uuidString)").path
        let env = ["GIT_INDEX_FILE": index]
        if let base {
            try f.gitData(["read-tree", base], environment: env)
        } else {
            try f.gitData(["read-tree", "--empty"], environment: env)
        }
        for u in upserts {
            try f.gitData(["update-index", "--add", "--cacheinfo", "\(u.mode),\(u.id),\(u.path)"], environment: env)
        }
        for r in removes {
            try f.gitData(["update-index", "--force-remove", r], environment: env)
        }
        return try f.gitData(["write-tree"], environment: env).out.trimmed
    }

    @Test func writesObjectsAndRefsWithoutTouchingTheWorktree() throws {
        let f = try GitFixture()
        try f.commit("base", files: ["a.txt": "a\n", "dir/b.txt": "b\n", "dir/c.txt": "c\n", "only/one.txt": "1\n"])
        let base = try f.head()
        // Some dirty state, so `git status` has something to say.
        try f.write("a.txt", "dirty\n")
        try f.write("untracked.txt", "u\n")
        try f.write("staged.txt", "s\n")
        try f.git("add", "staged.txt")
        _ = try f.git("status", "--porcelain") // let git refresh the index first
        let indexURL = f.path.appendingPathComponent(".git/index")
        let indexBefore = try Data(contentsOf: indexURL)
        let statusBefore = try f.git("status", "--porcelain")
        let headBefore = try f.git("symbolic-ref", "HEAD").trimmed
        let headCommitBefore = try f.head()
        #expect(!statusBefore.isEmpty)

        let repo = try f.repository()

        // Blobs: the same id git computes for the same bytes.
        let payloads: [[UInt8]] = [Array("hello\n".utf8), [], [0x00, 0xFF, 0x00, 0x0A, 0x0D], Array(repeating: 0x61, count: 100_000)]
        var blobs: [ObjectID] = []
        for bytes in payloads {
            let id = try repo.writeBlob(bytes)
            #expect(id == (try oid(f.gitData(["hash-object", "--stdin"], input: Data(bytes)).out)))
            #expect(Array(try f.gitData(["cat-file", "blob", id.hex]).stdout) == bytes)
            blobs.append(id)
        }

        // Trees: nested paths, an executable, replacing a file, removing paths (one empties `only/`).
        let baseTree = try f.rev("\(base)^{tree}")
        let updates: [TreeUpdate] = [
            .upsert("new/deep/file.txt", blobs[0]),
            .upsert("new/other.bin", blobs[2]),
            .upsert("a.txt", blobs[3]),
            .upsert("tool.sh", blobs[0], mode: 0o100755),
            .remove("dir/b.txt"),
            .remove("only/one.txt"),
        ]
        let tree = try repo.writeTree(base: try oid(baseTree), updates: updates)
        let expectedTree = try gitTree(f, base: baseTree, upserts: [
            ("new/deep/file.txt", blobs[0].hex, "100644"), ("new/other.bin", blobs[2].hex, "100644"),
            ("a.txt", blobs[3].hex, "100644"), ("tool.sh", blobs[0].hex, "100755"),
        ], removes: ["dir/b.txt", "only/one.txt"])
        #expect(tree.hex == expectedTree)
        #expect(try f.lines("ls-tree", "-r", tree.hex) == f.lines("ls-tree", "-r", expectedTree))
        #expect(try f.lines("ls-tree", "--name-only", tree.hex) == ["a.txt", "dir", "new", "tool.sh"])

        // From nothing.
        let fresh = try repo.writeTree(base: nil, updates: [.upsert("x/y/z.txt", blobs[1]), .upsert("top.txt", blobs[0])])
        #expect(fresh.hex == (try gitTree(f, base: nil, upserts: [("x/y/z.txt", blobs[1].hex, "100644"), ("top.txt", blobs[0].hex, "100644")], removes: [])))

        // Commits: the same object `git commit-tree` makes from the same inputs; the ref is created.
        let who = Signature(name: "Data Writer", email: "data@example.com", time: 1_700_000_000, offsetMinutes: 0)
        let first = try repo.writeCommit(tree: tree, parents: [try oid(base)], message: "snapshot data\n",
                                         author: who, committer: who, updating: "refs/heads/data", expected: nil)
        let gitEnv = ["GIT_AUTHOR_NAME": who.name, "GIT_AUTHOR_EMAIL": who.email, "GIT_AUTHOR_DATE": "1700000000 +0000",
                      "GIT_COMMITTER_NAME": who.name, "GIT_COMMITTER_EMAIL": who.email, "GIT_COMMITTER_DATE": "1700000000 +0000"]
        let gitFirst = try f.gitData(["commit-tree", tree.hex, "-p", base], input: Data("snapshot data\n".utf8), environment: gitEnv).out.trimmed
        let ours = try f.git("cat-file", "commit", first.hex), theirs = try f.git("cat-file", "commit", gitFirst)
        #expect(ours == theirs)
        #expect(first.hex == gitFirst)
        #expect(try f.rev("refs/heads/data") == first.hex)
        #expect(try f.rev("data^{tree}") == tree.hex)
        #expect(try f.rev("data^") == base)

        // A second commit with the wrong expectation: `.modified`, and the ref stays put.
        let second = try repo.writeTree(base: tree, updates: [.upsert("more.txt", blobs[0])])
        let wrong = #expect(throws: GitError.self) {
            try repo.writeCommit(tree: second, parents: [first], message: "second\n", author: who, committer: who,
                                 updating: "refs/heads/data", expected: try oid(base))
        }
        #expect(wrong?.code == .modified)
        #expect(try f.rev("refs/heads/data") == first.hex)
        // Expecting absence when the ref exists fails too.
        let exists = #expect(throws: GitError.self) {
            try repo.writeCommit(tree: second, parents: [first], message: "second\n", author: who, committer: who,
                                 updating: "refs/heads/data", expected: nil)
        }
        #expect(exists?.code == .exists)
        #expect(try f.rev("refs/heads/data") == first.hex)
        // The right expectation moves it.
        let moved = try repo.writeCommit(tree: second, parents: [first], message: "second\n", author: who, committer: who,
                                         updating: "refs/heads/data", expected: first)
        #expect(try f.rev("refs/heads/data") == moved.hex)
        #expect(try f.ids(["rev-list", "data"]).prefix(2) == [moved, first])
        #expect(try repo.referenceTarget("refs/heads/data") == moved)

        // Nothing the user sees has changed.
        #expect(try Data(contentsOf: indexURL) == indexBefore)
        #expect(try f.git("status", "--porcelain") == statusBefore)
        #expect(try f.git("symbolic-ref", "HEAD").trimmed == headBefore)
        #expect(try f.head() == headCommitBefore)
        try expectFsckClean(f)
    }

    @Test func notesAppendLines() throws {
        let f = try GitFixture()
        let c1 = try f.commit("one", files: ["a.txt": "a\n"])
        let c2 = try f.commit("two", files: ["a.txt": "b\n"])
        let repo = try f.repository()
        let ref = "refs/notes/assay/test"

        #expect(try repo.note(ref, on: try oid(c1)) == nil)
        try repo.appendNote(ref, on: try oid(c1), line: "first line")
        try repo.appendNote(ref, on: try oid(c1), line: "second line\n")
        let shown = try f.gitData(["notes", "--ref=assay/test", "show", c1]).stdout
        #expect(String(decoding: shown, as: UTF8.self) == "first line\nsecond line\n")
        // The note blob, straight from git.
        let noteBlob = try f.git("notes", "--ref=assay/test", "list", c1).trimmed
        let blobBytes = Array(try f.gitData(["cat-file", "blob", noteBlob]).stdout)
        #expect(try repo.note(ref, on: try oid(c1)) == blobBytes)
        #expect(blobBytes == Array(shown))
        // One notes commit per append.
        #expect(try f.ids(["rev-list", ref]).count == 2)

        // No note on the other commit; then append to a note git wrote.
        #expect(try f.gitUnchecked(["notes", "--ref=assay/test", "show", c2]).status != 0)
        #expect(try repo.note(ref, on: try oid(c2)) == nil)
        try f.git("notes", "--ref=assay/test", "add", "-m", "written by git", c2)
        try repo.appendNote(ref, on: try oid(c2), line: "appended")
        #expect(try f.git("notes", "--ref=assay/test", "show", c2) == "written by git\nappended\n")
        #expect(try f.git("notes", "--ref=assay/test", "show", c1) == "first line\nsecond line\n")
        #expect(try repo.note(ref, on: try oid(c2)) == Array("written by git\nappended\n".utf8))
        try expectFsckClean(f)
    }
}
