import AssayCore
import Foundation
import GRDB

/// One `assay drift` point, as recorded in `drift_runs`: the commit it judged, how many claims were
/// in each verdict there, and whether a run or a backfill computed it. The series of these draws the
/// report's drift-over-time chart.
public struct DriftRunRecord: Sendable, Hashable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "drift_runs"
    public var id: Int64?
    public var sha: String
    /// What the point was asked for: `origin/HEAD`, `main`, a revision given with `--at`.
    public var ref: String
    /// The judged commit's committer time (seconds since the epoch).
    public var commitTime: Int64
    public var recordedAt: String
    /// `run` (the report's own point) or `backfill` (an earlier commit computed by `--backfill`).
    public var origin: String
    public var claims: Int
    public var verified: Int
    public var contradicted: Int
    public var stale: Int
    public var unverifiable: Int
    public var abstain: Int
    public var possiblyStale: Int
    public var durationMs: Int

    public init(sha: String, ref: String, commitTime: Int64, recordedAt: String = "", origin: String,
                claims: Int, verified: Int, contradicted: Int, stale: Int, unverifiable: Int, abstain: Int,
                possiblyStale: Int, durationMs: Int) {
        self.sha = sha; self.ref = ref; self.commitTime = commitTime; self.recordedAt = recordedAt; self.origin = origin
        self.claims = claims; self.verified = verified; self.contradicted = contradicted; self.stale = stale
        self.unverifiable = unverifiable; self.abstain = abstain; self.possiblyStale = possiblyStale; self.durationMs = durationMs
    }

    /// Claims that no longer match the code: contradicted plus stale.
    public var drifting: Int { contradicted + stale }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, sha, ref, commitTime = "commit_time", recordedAt = "recorded_at", origin, claims, verified
        case contradicted, stale, unverifiable, abstain, possiblyStale = "possibly_stale", durationMs = "duration_ms"
    }
}

/// One claim's verdict at a recorded drift point (`drift_claims`).
public struct DriftClaimRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "drift_claims"
    public var runID: Int64
    public var claimID: String
    public var path: String
    public var line: Int?
    public var kind: String
    public var verdict: String
    public var verdictClass: String?
    /// The commit that wrote the claim's line.
    public var introduced: String?
    /// The commit since which the claim drifts (where it went stale, or where it was written false).
    public var since: String?

    public init(runID: Int64 = 0, claimID: String, path: String, line: Int?, kind: String, verdict: String,
                verdictClass: String?, introduced: String?, since: String?) {
        self.runID = runID; self.claimID = claimID; self.path = path; self.line = line; self.kind = kind
        self.verdict = verdict; self.verdictClass = verdictClass; self.introduced = introduced; self.since = since
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", claimID = "claim_id", path, line, kind, verdict, verdictClass = "class", introduced, since
    }
}

extension Ledger {
    /// `v3-drift-runs`: the points `assay drift` judged, and each claim's verdict there.
    static let driftRunsMigration: @Sendable (Database) throws -> Void = { db in
        // The schema version is this migration's place in the list (other migrations may sit before it).
        let version = (Ledger.migrations.firstIndex { $0.0 == "v3-drift-runs" } ?? 2) + 1
        try db.execute(sql: """
            CREATE TABLE drift_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sha TEXT NOT NULL,
                ref TEXT NOT NULL,
                commit_time INTEGER NOT NULL,
                recorded_at TEXT NOT NULL,
                origin TEXT NOT NULL,
                claims INTEGER NOT NULL,
                verified INTEGER NOT NULL,
                contradicted INTEGER NOT NULL,
                stale INTEGER NOT NULL,
                unverifiable INTEGER NOT NULL,
                abstain INTEGER NOT NULL,
                possibly_stale INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL
            );
            CREATE INDEX drift_runs_by_sha ON drift_runs(sha);
            CREATE TABLE drift_claims (
                run_id INTEGER NOT NULL REFERENCES drift_runs(id) ON DELETE CASCADE,
                claim_id TEXT NOT NULL,
                path TEXT NOT NULL,
                line INTEGER,
                kind TEXT NOT NULL,
                verdict TEXT NOT NULL,
                class TEXT,
                introduced TEXT,
                since TEXT
            );
            CREATE INDEX drift_claims_by_run ON drift_claims(run_id);
            PRAGMA user_version = \(version);
            """)
    }

    // MARK: - Drift runs

    /// Records one drift point and its claims in one transaction; returns the run's id.
    @discardableResult
    public func recordDriftRun(_ run: DriftRunRecord, claims: [DriftClaimRecord]) throws(AssayError) -> Int64 {
        try write { db in
            var run = run
            if run.recordedAt.isEmpty { run.recordedAt = Ledger.timestamp() }
            try run.insert(db)
            let id = run.id ?? db.lastInsertedRowID
            for var claim in claims {
                claim.runID = id
                try claim.insert(db)
            }
            return id
        }
    }

    /// Every recorded drift point, oldest record first.
    public func driftRuns() throws(AssayError) -> [DriftRunRecord] {
        try read { try DriftRunRecord.order(Column("id")).fetchAll($0) }
    }

    /// The claims recorded with one drift point.
    public func driftClaims(run id: Int64) throws(AssayError) -> [DriftClaimRecord] {
        try read { try DriftClaimRecord.filter(Column("run_id") == id).fetchAll($0) }
    }

    /// Committer times of every recorded commit, by sha (for dates along a branch).
    public func committerTimes() throws(AssayError) -> [String: Int64] {
        try read { db in
            var out: [String: Int64] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT sha, committer_time FROM commits")
            while let row = try rows.next() { out[row[0]] = row[1] }
            return out
        }
    }
}

extension CommitGraph {
    /// The first-parent chain from `sha` back to a root, newest first; nil when `sha` is not recorded.
    /// Stops early where a parent is not recorded (a shallow boundary).
    public func firstParentChain(from sha: String) -> [String]? {
        guard parents[sha] != nil else { return nil }
        var out = [sha]
        var current = sha
        while let first = parents[current]?.first {
            current = String(first)
            out.append(current)
            if parents[current] == nil { break }
        }
        return out
    }
}
