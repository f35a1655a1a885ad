import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Opening repositories")
struct OpeningTests {
    /// What `git rev-parse` says about a directory.
    struct GitView {
        var isBare: Bool
        var toplevel: String?
        var gitDir: String
        var commonDir: String
        var head: ObjectID

        init(_ dir: URL) throws {
            isBare = try git(in: dir, ["rev-parse", "--is-bare-repository"]).out.trimmed == "true"
            toplevel = isBare ? nil : try git(in: dir, ["rev-parse", "--show-toplevel"]).out.trimmed
            gitDir = try git(in: dir, ["rev-parse", "--path-format=absolute", "--git-dir"]).out.trimmed
            commonDir = try git(in: dir, ["rev-parse", "--path-format=absolute", "--git-common-dir"]).out.trimmed
            head = try oid(git(in: dir, ["rev-parse", "HEAD"]).out)
        }
    }

    func expectMatches(_ repo: Repository, _ view: GitView, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(repo.isBare == view.isBare, sourceLocation: sourceLocation)
        #expect(canonicalPath(repo.workingDirectory) == view.toplevel.map(canonicalPath), sourceLocation: sourceLocation)
        #expect(canonicalPath(repo.gitDirectory) == canonicalPath(view.gitDir), sourceLocation: sourceLocation)
        #expect(canonicalPath(repo.commonDirectory) == canonicalPath(view.commonDir), sourceLocation: sourceLocation)
        #expect(try repo.head() == view.head, sourceLocation: sourceLocation)
    }

    @Test func fromWorkTreeRootAndSubdirectory() throws {
        let f = try GitFixture()
        try f.commit("one", files: ["a.txt": "a\n", "sub/dir/b.txt": "b\n"])
        try f.commit("two", files: ["a.txt": "a2\n"])
        for dir in [f.path, f.path.appendingPathComponent("sub"), f.path.appendingPathComponent("sub/dir")] {
            let repo = try Repository(discoveringFrom: dir.path)
            let view = try GitView(dir)
            #expect(view.isBare == false)
            try expectMatches(repo, view)
        }
    }

    @Test func bareClone() throws {
        let f = try GitFixture()
        try f.commit("one", files: ["a.txt": "a\n"])
        try f.commit("two", files: ["b.txt": "b\n"])
        let bare = f.root.appendingPathComponent("clone.git")
        try f.git("clone", "-q", "--bare", f.path.path, bare.path)
        let repo = try Repository(discoveringFrom: bare.path)
        let view = try GitView(bare)
        #expect(view.isBare)
        #expect(repo.workingDirectory == nil)
        try expectMatches(repo, view)
        #expect(canonicalPath(repo.commonDirectory) == canonicalPath(bare.path))
    }

    @Test func linkedWorktree() throws {
        let f = try GitFixture()
        try f.commit("one", files: ["a.txt": "a\n"])
        let mainHead = try f.id("HEAD")
        let wt = f.root.appendingPathComponent("wt")
        try f.git("worktree", "add", "-q", "-b", "wt-branch", wt.path)
        try "wt\n".write(to: wt.appendingPathComponent("w.txt"), atomically: true, encoding: .utf8)
        try git(in: wt, ["add", "-A"])
        try git(in: wt, ["commit", "-q", "-m", "in worktree"], environment: f.dateEnvironment())

        let view = try GitView(wt)
        #expect(view.head != mainHead)
        #expect(canonicalPath(view.commonDir) == canonicalPath(f.path.appendingPathComponent(".git").path))
        for dir in [wt, f.path] {
            let repo = try Repository(discoveringFrom: dir.path)
            try expectMatches(repo, try GitView(dir))
        }
        // The worktree's repository shares the main repository's common directory but has its own HEAD.
        let repo = try Repository(discoveringFrom: wt.path)
        #expect(canonicalPath(repo.gitDirectory) != canonicalPath(repo.commonDirectory))
        #expect(try repo.head() == view.head)
        #expect(try repo.resolveCommit("main") == mainHead)
    }

    @Test func nonRepositoryThrowsNotFound() throws {
        let f = try GitFixture()
        let plain = f.root.appendingPathComponent("plain/inner")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        // Ground truth: git agrees this is not a repository.
        let probe = try gitUnchecked(in: plain, ["rev-parse", "--git-dir"])
        #expect(probe.status != 0)
        let error = #expect(throws: GitError.self) { try Repository(discoveringFrom: plain.path) }
        #expect(error?.code == .notFound)
    }

    @Test func configString() throws {
        let f = try GitFixture()
        try f.git("config", "assay.test-key", "some value")
        let repo = try f.repository()
        #expect(try repo.configString("assay.test-key") == f.git("config", "assay.test-key").trimmed)
        #expect(try repo.configString("user.email") == f.git("config", "user.email").trimmed)
        #expect(try f.gitUnchecked(["config", "assay.absent-key"]).status != 0)
        #expect(try repo.configString("assay.absent-key") == nil)
    }
}
