import AssayCore
import Foundation
import GRDB

/// One receipt as the ledger indexes it. The receipt itself lives in git (`refs/notes/assay/receipts`);
/// this row finds it by commit, command or time without reading the notes.
public struct ReceiptIndexRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "receipts"
    /// SHA-256 of the receipt's statement line (64 hex).
    public var digest: String
    /// The commit the receipt is attached to (40 hex).
    public var sha: String
    public var command: String
    public var verdict: String
    /// RFC 3339, UTC.
    public var startedAt: String
    public var signed: Bool
    public var recordedAt: String

    public init(digest: String, sha: String, command: String, verdict: String, startedAt: String, signed: Bool,
                recordedAt: String = "") {
        self.digest = digest; self.sha = sha; self.command = command; self.verdict = verdict
        self.startedAt = startedAt; self.signed = signed; self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case digest, sha, command, verdict, startedAt = "started_at", signed, recordedAt = "recorded_at"
    }
}

extension Ledger {
    /// `v4-receipts`: the index of receipts, by digest and by commit.
    static let receiptsMigration: @Sendable (Database) throws -> Void = { db in
        // The schema version is this migration's place in the list (other migrations may sit before it).
        let version = (Ledger.migrations.firstIndex { $0.0 == "v4-receipts" } ?? 3) + 1
        try db.execute(sql: """
            CREATE TABLE receipts (
                digest TEXT NOT NULL PRIMARY KEY,
                sha TEXT NOT NULL,
                command TEXT NOT NULL,
                verdict TEXT NOT NULL,
                started_at TEXT NOT NULL,
                signed INTEGER NOT NULL,
                recorded_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX receipts_by_sha ON receipts(sha);
            PRAGMA user_version = \(version);
            """)
    }

    /// Indexes receipts; one already indexed (same digest) is left as it is. Returns how many were new.
    @discardableResult
    public func recordReceipts(_ receipts: [ReceiptIndexRecord]) throws(AssayError) -> Int {
        guard !receipts.isEmpty else { return 0 }
        let now = Ledger.timestamp()
        return try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO receipts (digest, sha, command, verdict, started_at, signed, recorded_at)
                VALUES (?,?,?,?,?,?,?)
                """)
            var inserted = 0
            for r in receipts {
                try insert.execute(arguments: [r.digest, r.sha, r.command, r.verdict, r.startedAt, r.signed, now])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// The indexed receipts of one commit (all of them when `sha` is nil), oldest first.
    public func receipts(on sha: String? = nil) throws(AssayError) -> [ReceiptIndexRecord] {
        try read { db in
            var request = ReceiptIndexRecord.order(Column("started_at"), Column("digest"))
            if let sha { request = request.filter(Column("sha") == sha) }
            return try request.fetchAll(db)
        }
    }

    /// The indexed receipt with this digest, or nil.
    public func receipt(digest: String) throws(AssayError) -> ReceiptIndexRecord? {
        try read { try ReceiptIndexRecord.fetchOne($0, key: digest) }
    }
}
