import AssayTestSupport
import Foundation
import Testing

private func assay(_ args: [String], in dir: URL? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    try runProcess(assayExecutable(), args, in: dir, environment: environment)
}

private func json(_ result: ProcessResult) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: result.stdout)
    return try #require(object as? [String: Any], "stdout was: \(result.out)")
}

/// Counts rows in the ledger with Python's sqlite3 module: ground truth from outside assay.
private func sqlite(_ db: URL, _ query: String) throws -> String {
    let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])"
    let r = try runProcess("python3", ["-c", script, db.path, query])
    guard r.status == 0 else { throw FixtureError(description: r.err) }
    return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite struct SnapshotCommandTests {
    @Test func jsonReportHasTheVersionedSchema() throws {
        let fx = try GitFixture()
        try fx.importLinearHistory(count: 25)
        let r = try assay(["snapshot", "--repo", fx.path.path, "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let report = try json(r)
        #expect(report["schema"] as? String == "assay.snapshot/v1")
        #expect(report["head"] as? String == (try fx.head()))
        #expect(report["new_commits"] as? Int == 25)
        #expect(report["known_commits"] as? Int == 0)
        #expect(report["missing_objects"] as? Int == 0)
        let again = try json(try assay(["--repo", fx.path.path, "snapshot", "--format", "json"]))
        #expect(again["new_commits"] as? Int == 0)
        #expect(again["known_commits"] as? Int == 25)
    }

    @Test func twoConcurrentRunsBothSucceedAndRecordEachCommitOnce() throws {
        let fx = try GitFixture()
        try fx.importLinearHistory(count: 400)
        let exe = assayExecutable()
        let processes = (0..<2).map { _ -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["snapshot", "--repo", fx.path.path, "--stats", "--format", "json"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = Pipe()
            return p
        }
        for p in processes { try p.run() }
        for p in processes { p.waitUntilExit() }
        for p in processes {
            let err = (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
            #expect(p.terminationStatus == 0, "\(String(decoding: err, as: UTF8.self))")
        }
        let ledger = fx.path.appendingPathComponent(".git/assay/ledger.sqlite")
        #expect(try sqlite(ledger, "SELECT COUNT(*) FROM commits") == "400")
        #expect(try sqlite(ledger, "SELECT COUNT(DISTINCT sha) FROM commits") == "400")
        #expect(try sqlite(ledger, "PRAGMA integrity_check") == "ok")
        #expect(try sqlite(ledger, "PRAGMA journal_mode") == "wal")
    }

    @Test func notARepositoryIsExitTwoWithOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assay-norepo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try assay(["snapshot"], in: dir, environment: ["GIT_CEILING_DIRECTORIES": dir.deletingLastPathComponent().path])
        #expect(r.status == 2)
        #expect(r.err.contains("not a git repository"))
        #expect(r.err.split(separator: "\n").count == 1)
    }

    @Test func unknownRevisionIsExitTwo() throws {
        let fx = try GitFixture()
        try fx.commit("one", files: ["a": "1\n"])
        let r = try assay(["snapshot", "--repo", fx.path.path, "feature/nope"])
        #expect(r.status == 2)
        #expect(r.err.contains("unknown revision 'feature/nope'"))
    }

    @Test func corruptLedgerIsExitTwoNamingTheFileAndTheFix() throws {
        let fx = try GitFixture()
        try fx.commit("one", files: ["a": "1\n"])
        let ledger = fx.path.appendingPathComponent(".git/assay/ledger.sqlite")
        try FileManager.default.createDirectory(at: ledger.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4096).write(to: ledger)
        let r = try assay(["snapshot", "--repo", fx.path.path])
        #expect(r.status == 2)
        #expect(r.err.contains("corrupt"))
        #expect(r.err.contains(ledger.path))
        #expect(r.err.contains("delete it"))
        // Deleting it, as the message says, loses nothing: the next run rebuilds it.
        try FileManager.default.removeItem(at: ledger)
        #expect(try assay(["snapshot", "--repo", fx.path.path]).status == 0)
        #expect(try sqlite(ledger, "SELECT COUNT(*) FROM commits") == "1")
    }

    @Test func lockedLedgerIsExitTwoAfterTheLockTimeout() throws {
        let fx = try GitFixture()
        try fx.importLinearHistory(count: 3)
        #expect(try assay(["snapshot", "--repo", fx.path.path]).status == 0)
        try fx.importLinearHistory(count: 1, startAt: 3)
        let ledger = fx.path.appendingPathComponent(".git/assay/ledger.sqlite")
        // Another process holds the write lock.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN EXCLUSIVE')
            print('locked', flush=True)
            time.sleep(6)
            """, ledger.path]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        _ = out.fileHandleForReading.availableData  // wait for "locked"
        let r = try assay(["snapshot", "--repo", fx.path.path], environment: ["ASSAY_LOCK_TIMEOUT": "1"])
        #expect(r.status == 2)
        #expect(r.err.contains("locked"))
    }

    @Test func missingObjectIsExitThreeAndNamedWithVerbose() throws {
        let fx = try GitFixture()
        try fx.commit("one", files: ["a.txt": "alpha\n", "b.txt": "beta\n"])
        try fx.commit("two", files: ["a.txt": "alpha 2\n"])
        let blob = try fx.rev("HEAD:b.txt")
        try FileManager.default.removeItem(at: fx.path.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))"))
        let r = try assay(["snapshot", "--repo", fx.path.path, "--stats", "--verbose"])
        #expect(r.status == 3, "\(r.out)\(r.err)")
        #expect(r.out.contains(blob))
        let j = try json(try assay(["snapshot", "--repo", fx.path.path, "--stats", "--format", "json"]))
        #expect(j["missing_objects"] as? Int == 1)
    }

    @Test func helpTeachesTheCommands() throws {
        let root = try assay(["--help"])
        #expect(root.status == 0)
        #expect(root.out.contains("snapshot"))
        #expect(root.out.contains("Exit codes"))
        let sub = try assay(["snapshot", "--help"])
        #expect(sub.status == 0)
        for word in ["--stats", "--all", "--repo", "--format", "Examples"] { #expect(sub.out.contains(word), "\(word)") }
    }

    @Test func nonUTF8PathAndMessageAreKept() throws {
        let fx = try GitFixture()
        try fx.commit("base", files: ["ok.txt": "ok\n"])
        // A path and a message that are not UTF-8 (Latin-1 é), written with plumbing.
        let blob = try fx.gitData(["hash-object", "-w", "--stdin"], input: Data("bonjour\n".utf8)).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var line = Data("100644 \(blob)\t".utf8); line.append(contentsOf: [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x74, 0x78, 0x74, 0x0A])
        try fx.gitData(["update-index", "--add", "--index-info"], input: line)
        let tree = try fx.git("write-tree").trimmingCharacters(in: .whitespacesAndNewlines)
        // `git commit-tree` would re-encode the message, so write the commit object byte for byte.
        let parent = try fx.head()
        var object = Data("tree \(tree)\nparent \(parent)\nauthor A <a@example.com> 1700000000 +0000\n".utf8)
        object.append(Data("committer A <a@example.com> 1700000000 +0000\n\ncaf".utf8))
        object.append(contentsOf: [0xE9, 0x0A])
        let commit = try fx.gitData(["hash-object", "-t", "commit", "-w", "--stdin"], input: object)
            .out.trimmingCharacters(in: .whitespacesAndNewlines)
        try fx.git("update-ref", "refs/heads/main", commit)
        let r = try assay(["snapshot", "--repo", fx.path.path, "--stats", "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let ledger = fx.path.appendingPathComponent(".git/assay/ledger.sqlite")
        #expect(try sqlite(ledger, "SELECT hex(path) FROM commit_paths JOIN commits ON id = commit_id WHERE sha = '\(commit)'") == "636166E92E747874")
        #expect(try sqlite(ledger, "SELECT hex(message) FROM commits WHERE sha = '\(commit)'") == "636166E90A")
    }
    @Test func corruptObjectIsExitTwoWithOneLine() throws {
        let fx = try GitFixture()
        try fx.commit("one", files: ["src/a.txt": "alpha\n"])
        try fx.commit("two", files: ["src/a.txt": "alpha 2\n"])
        let tree = try fx.rev("HEAD~1:src")
        let file = fx.path.appendingPathComponent(".git/objects/\(tree.prefix(2))/\(tree.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try Data("not zlib at all\n".utf8).write(to: file)
        // git agrees the object is broken.
        #expect(try runProcess("git", ["-C", fx.path.path, "cat-file", "-p", tree]).status != 0)
        let r = try assay(["snapshot", "--repo", fx.path.path])
        #expect(r.status == 2)
        #expect(r.err.contains("corrupt"))
        #expect(r.err.contains("git fsck"))
        #expect(r.err.split(separator: "\n").count == 1)
    }
}
