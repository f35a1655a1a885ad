import AssayCore
import AssayLedger
import Foundation
import Testing

/// A ledger file in a fresh temporary directory.
private func temporaryLedgerPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("assay-ledger-\(UUID().uuidString)/ledger.sqlite").path
}

private func commit(_ sha: String, parents: [String] = [], paths: [LedgerPathChange] = [], stats: Bool = false,
                    complete: Bool = true) -> LedgerCommit {
    LedgerCommit(sha: sha, tree: String(repeating: "e", count: 40), parents: parents, authorName: "A", authorEmail: "a@x",
                 authorTime: 1, authorOffset: 0, committerName: "A", committerEmail: "a@x", committerTime: 1,
                 committerOffset: 0, subject: "s", message: Data("s\n".utf8), hasStats: stats, complete: complete,
                 paths: paths, missingObjects: [])
}

private let a = String(repeating: "a", count: 40), b = String(repeating: "b", count: 40), c = String(repeating: "c", count: 40)

@Suite struct LedgerTests {
    @Test func migrationsRecordTheSchemaVersionAndReopeningIsANoOp() throws {
        let path = temporaryLedgerPath()
        _ = try Ledger(path: path)
        let again = try Ledger(path: path)
        // One version per named migration: initial, stats, drift runs, receipts.
        #expect(Ledger.schemaVersion == 4)
        #expect(try again.commitCount() == 0)
        // The version is readable by any SQLite client (ground truth outside GRDB).
        let r = Process()
        r.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        r.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])", path]
        let out = Pipe()
        r.standardOutput = out
        try r.run()
        r.waitUntilExit()
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test func aCommitIsRecordedOnceAndOnlyABetterRecordReplacesIt() throws {
        let ledger = try Ledger(path: temporaryLedgerPath())
        let p = LedgerPathChange(path: Data("x.txt".utf8), oldPath: nil, status: "A", additions: nil, deletions: nil, binary: false)
        #expect(try ledger.record([commit(a, paths: [p])]) == 1)
        #expect(try ledger.record([commit(a, paths: [])]) == 0)  // same quality: kept as it was
        #expect(try ledger.paths(of: a).count == 1)
        let withStats = LedgerPathChange(path: Data("x.txt".utf8), oldPath: nil, status: "A", additions: 3, deletions: 0, binary: false)
        #expect(try ledger.record([commit(a, paths: [withStats], stats: true)]) == 0)  // upgraded, not new
        #expect(try ledger.paths(of: a).first?.additions == 3)
        #expect(try ledger.recorded([a, b], withStats: true) == [a])
    }

    @Test func ancestryAndPathEventsComeFromRecordedCommits() throws {
        let ledger = try Ledger(path: temporaryLedgerPath())
        let gone = LedgerPathChange(path: Data("old.rs".utf8), oldPath: nil, status: "D", additions: nil, deletions: nil, binary: false)
        try ledger.record([commit(a), commit(b, parents: [a], paths: [gone]), commit(c, parents: [b])])
        #expect(try ledger.ancestors(of: c) == [a, b, c])
        #expect(try ledger.ancestors(of: a) == [a])
        #expect(try ledger.ancestors(of: String(repeating: "f", count: 40)) == nil)
        #expect(try ledger.events(of: Data("old.rs".utf8)).map(\.commit) == [b])
    }

    @Test func aFileThatIsNotADatabaseIsACorruptLedgerError() throws {
        let path = temporaryLedgerPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: path))
        do {
            _ = try Ledger(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .couldNotRun)
            #expect(error.description.contains("corrupt"))
            #expect(error.description.contains(path))
        }
    }
}
