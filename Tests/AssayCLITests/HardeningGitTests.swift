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

    // MARK: - Item 7: paths are bytes

    @Test func nonUTF8PathNamedInALatin1DocIsVerifiedByteForByte() throws {
        let fx = try GitFixture()
        let latin1 = Array("src/caf".utf8) + [0xE9] + Array(".rs".utf8)      // "café.rs" in Latin-1
        let other = Array("src/caf".utf8) + [0xE8] + Array(".rs".utf8)       // "cafè.rs": not in the tree
        let blob = try fx.git("hash-object", "-w", "--stdin", input: Data("pub fn cafe() {}\n".utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try fx.git("update-index", "--add", "--index-info", input: Data(Array("100644 blob \(blob)\t".utf8) + latin1 + [0x0A]))
        let doc = Array("# Tasks\n\n- [x] T001 `".utf8) + latin1 + Array("` done\n- [x] T002 `".utf8) + other + Array("` done\n".utf8)
        try fx.write("TASKS.md", Data(doc))
        try fx.git("add", "TASKS.md")
        try fx.gitData(["commit", "-q", "-m", "Ship the cafe"], environment: fx.dateEnvironment())
        // Ground truth: the tree holds the raw byte 0xE9.
        let listed = try fx.gitData(["ls-tree", "-r", "-z", "--name-only", "HEAD"]).stdout
        #expect(Array(listed).split(separator: 0).contains { Array($0) == latin1 })

        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"], timeout: 30)
        let all = try claims(r)
        let t1 = try #require(all.first { ($0["text"] as? String)?.contains("T001") == true }, "\(all)")
        #expect(t1["verdict"] as? String == "verified", "\(t1)")
        // The byte next to it is a different path: still contradicted, so the match is exact.
        let t2 = try #require(all.first { ($0["text"] as? String)?.contains("T002") == true }, "\(all)")
        #expect(t2["verdict"] as? String == "contradicted", "\(t2)")
        // Output stays valid UTF-8 (the byte shows as U+FFFD, as git paths do elsewhere).
        #expect((t1["text"] as? String)?.contains("caf\u{FFFD}.rs") == true, "\(t1)")
        // Drift reads the doc the same way: the claim about the file that exists is not drifting.
        let drift = try runProcess(assayExecutable(), ["drift", "--repo", fx.path.path, "--format", "json"], timeout: 30)
        let report = try #require(try JSONSerialization.jsonObject(with: drift.stdout) as? [String: Any], "\(drift.err)")
        let driftClaims = try #require(report["claims"] as? [[String: Any]])
        let d1 = try #require(driftClaims.first { ($0["text"] as? String)?.contains("T001") == true }, "\(driftClaims)")
        #expect(d1["verdict"] as? String == "verified", "\(d1)")
        #expect((d1["text"] as? String)?.contains("caf\u{FFFD}.rs") == true, "\(d1)")
    }

    // MARK: - Item 8: submodules and shallow clones

    @Test func claimInsideASubmoduleIsUnverifiableNamingTheSubmodule() throws {
        let library = try GitFixture()
        try library.commit("Library", files: ["src/lib.rs": "pub fn lib() {}\n"])
        let fx = try GitFixture()
        try fx.commit("Start", files: ["README.md": "app\n"])
        try fx.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", library.path.path, "vendor/lib")
        try fx.commit("Vendor the library", files: ["TASKS.md": "# Tasks\n\n- [x] T001 `vendor/lib/src/lib.rs` vendored\n- [x] T002 `src/none.rs`\n"])
        let pinned = try fx.rev("HEAD:vendor/lib")
        #expect(try fx.git("ls-tree", "HEAD", "vendor/lib").hasPrefix("160000 commit \(pinned)"))

        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"], timeout: 30)
        let all = try claims(r)
        let t1 = try #require(all.first { ($0["text"] as? String)?.contains("T001") == true }, "\(all)")
        #expect(t1["verdict"] as? String == "unverifiable", "\(t1)")
        #expect(t1["class"] as? String == "inside a submodule")
        let evidence = (t1["evidence"] as? [String] ?? []).joined(separator: " ")
        #expect(evidence.contains("vendor/lib") && evidence.contains(String(pinned.prefix(12))), "\(evidence)")
        let text = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path], timeout: 30)
        #expect(text.err.contains("inside submodules"), "\(text.err)")
        // A path outside the submodule is judged as before.
        let t2 = try #require(all.first { ($0["text"] as? String)?.contains("T002") == true })
        #expect(t2["verdict"] as? String == "contradicted")
        #expect(t2["class"] as? String == "never-existed")
    }

    /// A doc claims a file that a later commit deleted. The full clone knows it was deleted; a
    /// depth-1 clone cannot see that history, so the claim is unverifiable, not "never existed".
    @Test func shallowCloneCannotSayAPathNeverExisted() throws {
        let origin = try GitFixture()
        try origin.commit("Ship old", files: ["src/old.rs": "pub fn old() {}\n", "TASKS.md": "# Tasks\n\n- [x] T001 `src/old.rs` shipped\n"])
        try origin.commit("Remove old", files: ["src/new.rs": "pub fn new() {}\n"], deleting: ["src/old.rs"])
        let full = try claims(try runProcess(assayExecutable(), ["claims", "--repo", origin.path.path, "--format", "json"], timeout: 30))
        #expect(full.first?["verdict"] as? String == "stale", "\(full)")

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-shallow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let clonePath = root.appendingPathComponent("clone")
        let cloned = try runProcess("git", ["clone", "-q", "--depth", "1", "file://" + origin.path.path, clonePath.path],
                                    environment: ["GIT_CONFIG_NOSYSTEM": "1"], timeout: 60)
        #expect(cloned.status == 0, "\(cloned.err)")
        let clone = GitFixture(existing: clonePath, root: root)
        let boundary = try String(contentsOf: clonePath.appendingPathComponent(".git/shallow"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(boundary == (try clone.head()))

        let r = try runProcess(assayExecutable(), ["claims", "--repo", clonePath.path, "--format", "json", "--fail-on", "contradicted"], timeout: 30)
        #expect(r.status == 0, "\(r.status) \(r.err)")
        let t1 = try #require(try claims(r).first)
        #expect(t1["verdict"] as? String == "unverifiable", "\(t1)")
        #expect(t1["class"] as? String == "shallow clone")
        let evidence = (t1["evidence"] as? [String] ?? []).joined(separator: " ")
        #expect(evidence.contains(String(boundary.prefix(12))), "\(evidence)")
        #expect(evidence.contains("git fetch --unshallow"), "\(evidence)")
        #expect(!evidence.contains("any earlier commit"), "\(evidence)")
        // The text report says so too, on stderr, without failing the run.
        let text = try runProcess(assayExecutable(), ["claims", "--repo", clonePath.path], timeout: 30)
        #expect(text.status == 0, "\(text.err)")
        #expect(text.err.contains("shallow") && text.err.contains("git fetch --unshallow"), "\(text.err)")
    }

    // MARK: - Item 9: messages

    @Test func emptyRepositorySaysNoCommitYet() throws {
        let fx = try GitFixture()
        let audit = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path], timeout: 30)
        #expect(audit.status == 0, "\(audit.err)")
        #expect(audit.err.contains("no commit yet"), "\(audit.err)")
        #expect(!audit.err.contains("0000000000"), "\(audit.err)")
        let claims = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path], timeout: 30)
        #expect(claims.status == 2)
        #expect(claims.err.contains("no commit yet"), "\(claims.err)")
    }

    @Test func rangeBeyondTheShallowBoundarySaysHowToFetchIt() throws {
        let origin = try GitFixture()
        for i in 1...4 { try origin.commit("c\(i)", files: ["f\(i).txt": "\(i)\n"]) }
        let old = try origin.rev("HEAD~2")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-shallow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let clonePath = root.appendingPathComponent("clone")
        let cloned = try runProcess("git", ["clone", "-q", "--depth", "1", "file://" + origin.path.path, clonePath.path],
                                    environment: ["GIT_CONFIG_NOSYSTEM": "1"], timeout: 60)
        #expect(cloned.status == 0, "\(cloned.err)")
        let clone = GitFixture(existing: clonePath, root: root)
        // Ground truth: git cannot find the old commit in the clone.
        #expect(try runProcess("git", ["-C", clonePath.path, "cat-file", "-e", old]).status != 0)
        for spec in ["\(old)..HEAD", "HEAD~2..HEAD"] {
            let r = try runProcess(assayExecutable(), ["audit", "--repo", clonePath.path, "--range", spec], timeout: 30)
            #expect(r.status == 2, "\(spec): \(r.err)")
            #expect(r.err.contains("shallow"), "\(spec): \(r.err)")
            #expect(r.err.contains("git fetch --unshallow") && r.err.contains("fetch-depth: 0"), "\(spec): \(r.err)")
            #expect(r.err.contains(String(try clone.head().prefix(12))), "\(spec): \(r.err)")
        }
    }
}
