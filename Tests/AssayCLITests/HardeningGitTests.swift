import AssayTestSupport
import Foundation
import Testing

/// Damaged, partial, shallow and unusual repositories, built with the git CLI: assay must neither
/// hang, nor pass what it did not read, nor block on what it cannot see.
@Suite struct HardeningGitTests {
    /// Runs assay with a hard time limit; a run still going after `limit` seconds is killed (status 9).
    func assay(_ fx: GitFixture, _ args: [String], limit: Double = 5) throws -> (result: ProcessResult, seconds: Double) {
        let started = Date()
        let r = try runProcess(assayExecutable(), args + ["--repo", fx.path.path], timeout: limit)
        return (r, Date().timeIntervalSince(started))
    }

    /// Cuts a loose object file down to its first five bytes (git makes them read-only).
    func truncateLooseObject(_ fx: GitFixture, _ id: String) throws {
        let file = fx.path.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 5)
        try handle.close()
    }

    func shipped() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Ship the parser", files: [
            "src/a.ts": "export const a = 1\n",
            "TASKS.md": "# Tasks\n\n- [x] T001 `src/a.ts` parser\n",
        ])
        return fx
    }

    // MARK: - Item 3: a truncated loose object is an error, at once

    @Test func truncatedLooseBlobIsExitTwoNamingTheObject() throws {
        let fx = try shipped()
        let blob = try fx.rev("HEAD:TASKS.md")
        try truncateLooseObject(fx, blob)
        // git itself refuses it at once.
        #expect(try runProcess("git", ["-C", fx.path.path, "cat-file", "-p", blob], timeout: 5).status != 0)
        // Every command that reads the doc stops with exit 2; snapshot records trees only, so it
        // never reads the blob, but it must not hang either.
        for args in [["claims"], ["audit", "--commit", "HEAD"], ["drift"]] {
            let (r, seconds) = try assay(fx, args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.err)")
            #expect(seconds < 5, "\(args) took \(seconds) s")
            #expect(r.err.contains(blob), "\(args): \(r.err)")
            #expect(r.err.contains("git fsck"), "\(args): \(r.err)")
        }
        let (snapshot, seconds) = try assay(fx, ["snapshot"])
        #expect(snapshot.status == 0, "\(snapshot.err)")
        #expect(seconds < 5)
    }

    @Test func truncatedLooseCommitIsExitTwoNamingTheObject() throws {
        let fx = try shipped()
        let commit = try fx.head()
        try truncateLooseObject(fx, commit)
        #expect(try runProcess("git", ["-C", fx.path.path, "cat-file", "-p", commit], timeout: 5).status != 0)
        for args in [["claims"], ["audit", "--commit", "HEAD"], ["drift"], ["snapshot"]] {
            let (r, seconds) = try assay(fx, args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.err)")
            #expect(seconds < 5, "\(args) took \(seconds) s")
            #expect(r.err.contains(commit), "\(args): \(r.err)")
            #expect(r.err.contains("git fsck"), "\(args): \(r.err)")
        }
    }

    // MARK: - Item 6: a doc that is not there is not a pass

    /// Claims of one commit, from `assay claims --format json`.
    func claims(_ r: ProcessResult) throws -> [[String: Any]] {
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "\(r.out) \(r.err)")
        return try #require(json["claims"] as? [[String: Any]])
    }

    @Test func partialCloneWithoutTheDocBlobIsPartialNotPass() throws {
        let origin = try GitFixture()
        try origin.commit("Ship", files: [
            "src/a.ts": "export const a = 1\n",
            "TASKS.md": "# Tasks\n\n- [x] T001 `src/a.ts`\n- [x] T002 `src/never.ts`\n",
        ])
        try origin.git("config", "uploadpack.allowFilter", "true")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let clonePath = root.appendingPathComponent("clone")
        let cloned = try runProcess("git", ["clone", "-q", "--no-checkout", "--filter=blob:none", "file://" + origin.path.path, clonePath.path],
                                    environment: ["GIT_CONFIG_NOSYSTEM": "1"], timeout: 60)
        #expect(cloned.status == 0, "\(cloned.err)")
        let clone = GitFixture(existing: clonePath, root: root)
        let doc = try origin.rev("HEAD:TASKS.md")
        // Ground truth: git says the doc's blob is not in the clone.
        let missing = try clone.git("rev-list", "--objects", "--missing=print", "HEAD")
        #expect(missing.contains("?" + doc))
        let r = try runProcess(assayExecutable(), ["claims", "--repo", clonePath.path, "--fail-on", "contradicted"], timeout: 30)
        #expect(r.status == 3, "\(r.status) \(r.out) \(r.err)")
        #expect(r.err.contains("TASKS.md"), "\(r.err)")
        #expect(r.err.contains("missing"), "\(r.err)")
    }
}
