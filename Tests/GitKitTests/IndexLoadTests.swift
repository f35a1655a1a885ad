import AssayTestSupport
import Foundation
import GitKit
import Testing

/// The index loaded ahead of time (a staged audit's prefetch at start-up): the same entries as a
/// load made later, handed out once and only for its own file, and never older than the file.
@Suite("Index loaded ahead", .serialized)
struct IndexLoadTests {
    func repository(files: Int) throws -> GitFixture {
        let f = try GitFixture()
        var tree: [String: String] = [:]
        for i in 0..<files { tree["dir\(i % 7)/file\(i).txt"] = "content \(i)\n" }
        try f.commit("root", files: tree)
        return f
    }

    /// Entries as `git ls-files --stage` prints them, from the snapshot (ground truth: git's own).
    func stagedCount(_ f: GitFixture) throws -> Int { try f.lines("ls-files", "--stage").count }

    @Test func aPrefetchedIndexIsClaimedOnceForItsOwnFile() throws {
        let f = try repository(files: 40)
        try f.write("new.txt", "staged\n")
        try f.git("add", "new.txt")
        IndexLoad.prefetch(repositoryAt: f.path.path)
        let path = try f.repository().indexFilePath
        // A claim for another file does not take it.
        #expect(IndexLoad.claim(path + ".other") == nil)
        let load = try #require(IndexLoad.claim(path))
        #expect(IndexLoad.claim(path) == nil, "handed out twice")
        let snapshot = try load.snapshot()
        #expect(snapshot.count == (try stagedCount(f)))
        #expect(snapshot.count == 41)
        // What it reports is what a later load reports.
        let head = try #require(try f.repository().head())
        let repo = try f.repository()
        let listing = try repo.fileListing(ofTree: try repo.commitHeader(head).tree)
        let early = snapshot.changes(from: listing).map { "\($0.status.rawValue) \($0.path)" }
        let late = try repo.openIndex().changes(from: listing).map { "\($0.status.rawValue) \($0.path)" }
        #expect(early == late)
        #expect(early == ["A new.txt"])
    }

    @Test func anIndexReplacedAfterThePrefetchIsReadAgain() throws {
        let f = try repository(files: 40)
        IndexLoad.prefetch(repositoryAt: f.path.path)
        let path = try f.repository().indexFilePath
        let load = try #require(IndexLoad.claim(path))
        // git writes a new index (a lock file renamed over the old one) after loading began.
        try f.write("late.txt", "staged later\n")
        try f.git("add", "late.txt")
        let snapshot = try load.snapshot()
        #expect(snapshot.count == 41)
        #expect(snapshot.count == (try stagedCount(f)))
    }

    @Test func nothingIsPrefetchedForABareRepositoryOrOutsideOne() throws {
        let bare = try GitFixture(bare: true)
        IndexLoad.prefetch(repositoryAt: bare.path.path)
        #expect(IndexLoad.claim(bare.path.appendingPathComponent("index").path) == nil)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("assay-no-repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        IndexLoad.prefetch(repositoryAt: outside.path)
        #expect(IndexLoad.claim(outside.appendingPathComponent(".git/index").path) == nil)
    }

    @Test func aLoadStartedBesideOtherWorkMatchesGit() throws {
        let f = try repository(files: 25)
        try f.remove("dir0/file0.txt")
        try f.git("add", "-A")
        let load = IndexLoad.start(try f.repository().indexFilePath)
        let snapshot = try load.snapshot()
        #expect(snapshot.count == 24)
        #expect(snapshot.count == (try stagedCount(f)))
    }
}
