import AssayCore
import AssayLedger
import Foundation
import Testing

@Suite struct DriftRunsTests {
    func ledger() throws -> Ledger {
        try Ledger(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("assay-drift-ledger-\(UUID().uuidString)/ledger.sqlite").path)
    }

    @Test func aDriftRunIsRecordedWithItsClaimsAndReadBackInOrder() throws {
        let l = try ledger()
        #expect(try l.driftRuns().isEmpty)
        let sha1 = String(repeating: "1", count: 40), sha2 = String(repeating: "2", count: 40)
        let first = try l.recordDriftRun(
            DriftRunRecord(sha: sha1, ref: "main", commitTime: 100, origin: "backfill", claims: 3, verified: 1,
                           contradicted: 1, stale: 1, unverifiable: 0, abstain: 0, possiblyStale: 2, durationMs: 5),
            claims: [
                DriftClaimRecord(claimID: "a", path: "PRD.md", line: 3, kind: "status", verdict: "stale",
                                 verdictClass: "deleted", introduced: sha1, since: sha2),
                DriftClaimRecord(claimID: "a", path: "PRD.md", line: 9, kind: "status", verdict: "verified",
                                 verdictClass: nil, introduced: sha1, since: nil),
            ])
        let second = try l.recordDriftRun(
            DriftRunRecord(sha: sha2, ref: "main", commitTime: 200, origin: "run", claims: 0, verified: 0,
                           contradicted: 0, stale: 0, unverifiable: 0, abstain: 0, possiblyStale: 0, durationMs: 1),
            claims: [])
        #expect(second > first)
        let runs = try l.driftRuns()
        #expect(runs.map(\.sha) == [sha1, sha2])
        #expect(runs[0].drifting == 2 && runs[0].origin == "backfill" && !runs[0].recordedAt.isEmpty)
        let claims = try l.driftClaims(run: first)
        #expect(claims.count == 2, "the same claim id twice in one doc is kept twice")
        #expect(claims.first { $0.line == 3 }?.since == sha2)
        #expect(try l.driftClaims(run: second).isEmpty)
    }

    @Test func theDriftMigrationIsNamedAndCountedInTheSchemaVersion() throws {
        let l = try ledger()
        let r = Process()
        r.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        r.arguments = ["python3", "-c", """
            import sqlite3,sys
            db=sqlite3.connect(sys.argv[1])
            print(db.execute('PRAGMA user_version').fetchone()[0])
            print(','.join(r[0] for r in db.execute('SELECT identifier FROM grdb_migrations ORDER BY rowid')))
            """, l.path]
        let out = Pipe()
        r.standardOutput = out
        try r.run()
        r.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == String(Ledger.schemaVersion))
        #expect(lines.last?.split(separator: ",").contains("v3-drift-runs") == true)
    }

    @Test func theFirstParentChainFollowsFirstParentsOnly() throws {
        let l = try ledger()
        func c(_ sha: Character, _ parents: [Character]) -> LedgerCommit {
            LedgerCommit(sha: String(repeating: sha, count: 40), tree: String(repeating: "e", count: 40),
                         parents: parents.map { String(repeating: $0, count: 40) }, authorName: "A", authorEmail: "a@x",
                         authorTime: 1, authorOffset: 0, committerName: "A", committerEmail: "a@x", committerTime: 1,
                         committerOffset: 0, subject: "s", message: Data("s\n".utf8), hasStats: false, complete: true,
                         paths: [], missingObjects: [])
        }
        // a ← b ← d (merge of b and c), c ← a
        try l.record([c("a", []), c("b", ["a"]), c("c", ["a"]), c("d", ["b", "c"])])
        let chain = try l.commitGraph().firstParentChain(from: String(repeating: "d", count: 40))
        #expect(chain?.map { String($0.prefix(1)) } == ["d", "b", "a"])
        #expect(try l.commitGraph().firstParentChain(from: String(repeating: "f", count: 40)) == nil)
    }
}
