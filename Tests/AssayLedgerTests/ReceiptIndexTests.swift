import AssayCore
import AssayLedger
import Foundation
import Testing

private func temporaryLedgerPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("assay-ledger-\(UUID().uuidString)/ledger.sqlite").path
}

/// Runs SQL with Python's sqlite3 (a client outside GRDB) and returns the printed result.
private func sqlite(_ path: String, _ script: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n" + script + "\nc.commit()", path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    p.waitUntilExit()
    return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

private let sha = String(repeating: "a", count: 40)

private func receipt(_ n: Int, sha: String = sha, startedAt: String) -> ReceiptIndexRecord {
    ReceiptIndexRecord(digest: String(repeating: String(n), count: 64), sha: sha, command: "audit", verdict: "pass",
                       startedAt: startedAt, signed: n % 2 == 0)
}

@Suite struct ReceiptIndexTests {
    @Test func receiptsAreIndexedOncePerDigestAndFoundByCommit() throws {
        let ledger = try Ledger(path: temporaryLedgerPath())
        let r1 = receipt(1, startedAt: "2026-01-01T00:00:02.000Z"), r2 = receipt(2, startedAt: "2026-01-01T00:00:01.000Z")
        #expect(try ledger.recordReceipts([r1, r2]) == 2)
        #expect(try ledger.recordReceipts([r1]) == 0)  // the same receipt again: nothing new
        let other = receipt(3, sha: String(repeating: "b", count: 40), startedAt: "2026-01-01T00:00:00.000Z")
        try ledger.recordReceipts([other])
        #expect(try ledger.receipts(on: sha).map(\.digest) == [r2.digest, r1.digest])  // oldest first
        #expect(try ledger.receipts().count == 3)
        #expect(try ledger.receipt(digest: r2.digest)?.signed == true)
        #expect(try ledger.receipt(digest: String(repeating: "f", count: 64)) == nil)
    }

    @Test func aLedgerWrittenBeforeReceiptsGainsTheTableAndKeepsWhatItHeld() throws {
        let path = temporaryLedgerPath()
        _ = try Ledger(path: path)
        // Roll the file back to what a build without the receipts migration left: no table, an older
        // user_version, the migration not recorded.
        let version = Int(try sqlite(path, "print(c.execute('PRAGMA user_version').fetchone()[0])")) ?? 0
        #expect(version == Ledger.schemaVersion)
        _ = try sqlite(path, """
            c.execute("INSERT INTO snapshot_runs (started_at, ended_at, revs, head, with_stats, new_commits, known_commits, missing_objects, duration_ms) VALUES ('a','b','HEAD',NULL,0,1,0,0,5)")
            c.execute('DROP TABLE receipts')
            c.execute("DELETE FROM grdb_migrations WHERE identifier = 'v4-receipts'")
            c.execute('PRAGMA user_version = \(version - 1)')
            """)
        let reopened = try Ledger(path: path)
        #expect(try reopened.runs().count == 1)
        #expect(try reopened.recordReceipts([receipt(4, startedAt: "2026-01-01T00:00:00.000Z")]) == 1)
        #expect(try sqlite(path, "print(c.execute(\"SELECT count(*) FROM grdb_migrations WHERE identifier = 'v4-receipts'\").fetchone()[0])") == "1")
        #expect(try sqlite(path, "print(c.execute('SELECT count(*) FROM receipts').fetchone()[0])") == "1")
    }
}
