import AssayCore
import Foundation
import GRDB

/// One commit as the ledger records it: its header, its message bytes, and the paths it changed
/// relative to its first parent (with line counts when `hasStats`).
public struct LedgerCommit: Sendable, Hashable {
    public var sha: String
    public var tree: String
    public var parents: [String]
    public var authorName: String
    public var authorEmail: String
    public var authorTime: Int64
    public var authorOffset: Int32
    public var committerName: String
    public var committerEmail: String
    public var committerTime: Int64
    public var committerOffset: Int32
    public var subject: String
    public var message: Data
    public var hasStats: Bool
    /// False when an object needed to compute the changes was missing; such commits are retried.
    public var complete: Bool
    public var paths: [LedgerPathChange]
    public var missingObjects: [String]

    public init(sha: String, tree: String, parents: [String], authorName: String, authorEmail: String,
                authorTime: Int64, authorOffset: Int32, committerName: String, committerEmail: String,
                committerTime: Int64, committerOffset: Int32, subject: String, message: Data,
                hasStats: Bool, complete: Bool, paths: [LedgerPathChange], missingObjects: [String]) {
        self.sha = sha; self.tree = tree; self.parents = parents
        self.authorName = authorName; self.authorEmail = authorEmail; self.authorTime = authorTime; self.authorOffset = authorOffset
        self.committerName = committerName; self.committerEmail = committerEmail
        self.committerTime = committerTime; self.committerOffset = committerOffset
        self.subject = subject; self.message = message; self.hasStats = hasStats; self.complete = complete
        self.paths = paths; self.missingObjects = missingObjects
    }
}

/// One changed path of a commit. Paths are bytes (git paths need not be UTF-8).
public struct LedgerPathChange: Sendable, Hashable {
    public var path: Data
    public var oldPath: Data?
    /// git's one-letter status: A, M, D, R, C, T.
    public var status: String
    public var additions: Int?
    public var deletions: Int?
    public var binary: Bool

    public init(path: Data, oldPath: Data?, status: String, additions: Int?, deletions: Int?, binary: Bool) {
        self.path = path; self.oldPath = oldPath; self.status = status
        self.additions = additions; self.deletions = deletions; self.binary = binary
    }
}

/// Recorded commits and their parents.
public struct CommitGraph: Sendable {
    let parents: [String: [Substring]]

    /// The commits reachable from `sha` (itself included), following recorded parents; nil when
    /// `sha` is not recorded.
    public func ancestors(of sha: String) -> Set<String>? {
        guard parents[sha] != nil else { return nil }
        var seen: Set<String> = [sha]
        var stack = [sha]
        while let next = stack.popLast() {
            for p in parents[next] ?? [] where seen.insert(String(p)).inserted { stack.append(String(p)) }
        }
        return seen
    }
}

/// A finished snapshot run, as recorded in `snapshot_runs`.
public struct SnapshotRunRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "snapshot_runs"
    public var startedAt: String
    public var endedAt: String
    public var revs: String
    public var head: String?
    public var withStats: Bool
    public var newCommits: Int
    public var knownCommits: Int
    public var missingObjects: Int
    public var durationMs: Int

    public init(startedAt: String, endedAt: String, revs: String, head: String?, withStats: Bool,
                newCommits: Int, knownCommits: Int, missingObjects: Int, durationMs: Int) {
        self.startedAt = startedAt; self.endedAt = endedAt; self.revs = revs; self.head = head
        self.withStats = withStats; self.newCommits = newCommits; self.knownCommits = knownCommits
        self.missingObjects = missingObjects; self.durationMs = durationMs
    }

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", endedAt = "ended_at", revs, head, withStats = "with_stats"
        case newCommits = "new_commits", knownCommits = "known_commits", missingObjects = "missing_objects"
        case durationMs = "duration_ms"
    }
}

/// The SQLite ledger at `$GIT_COMMON_DIR/assay/ledger.sqlite`: an index of what assay has seen.
/// Deleting it loses nothing a re-run cannot rebuild. WAL mode; several processes may use it at once.
public final class Ledger: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the ledger at `path` and applies pending migrations.
    /// Errors are `AssayError`s naming the file and what to do (locked, corrupt, unwritable, too new).
    public init(path: String, busyTimeout: TimeInterval = Ledger.defaultBusyTimeout) throws(AssayError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AssayError("cannot create the ledger directory", at: directory,
                             fix: "check that the git directory is writable")
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "assay.ledger"
        config.prepareDatabase { db in
            // WAL with synchronous=NORMAL stays consistent after a crash; it may only lose the last
            // transactions, which the next run records again (the ledger is an index).
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8000")
        }
        do {
            pool = try Ledger.withBusyRetry { try DatabasePool(path: path, configuration: config) }
            try Ledger.migrate(pool)
        } catch let error as AssayError {
            throw error
        } catch {
            throw Ledger.explain(error, path: path)
        }
    }

    /// How long to wait for another process's write lock: `ASSAY_LOCK_TIMEOUT` seconds, default 30.
    public static var defaultBusyTimeout: TimeInterval {
        ProcessInfo.processInfo.environment["ASSAY_LOCK_TIMEOUT"].flatMap(TimeInterval.init) ?? 30
    }

    /// The schema version this build writes: the number of named migrations.
    public static var schemaVersion: Int { migrations.count }

    /// The named, append-only migrations. Never edit one that has shipped: add a new one.
    static let migrations: [(String, @Sendable (Database) throws -> Void)] = [
        ("v1-commits", { db in
            try db.execute(sql: """
                CREATE TABLE commits (
                    id INTEGER PRIMARY KEY,
                    sha TEXT NOT NULL UNIQUE,
                    tree TEXT NOT NULL,
                    parents TEXT NOT NULL,
                    author_name TEXT NOT NULL,
                    author_email TEXT NOT NULL,
                    author_time INTEGER NOT NULL,
                    author_offset INTEGER NOT NULL,
                    committer_name TEXT NOT NULL,
                    committer_email TEXT NOT NULL,
                    committer_time INTEGER NOT NULL,
                    committer_offset INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    message BLOB NOT NULL,
                    has_stats INTEGER NOT NULL,
                    complete INTEGER NOT NULL,
                    recorded_at TEXT NOT NULL
                );
                CREATE TABLE commit_paths (
                    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
                    path BLOB NOT NULL,
                    old_path BLOB,
                    status TEXT NOT NULL,
                    additions INTEGER,
                    deletions INTEGER,
                    binary INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (commit_id, path)
                ) WITHOUT ROWID;
                CREATE TABLE missing_objects (
                    commit_sha TEXT NOT NULL,
                    object_id TEXT NOT NULL,
                    PRIMARY KEY (commit_sha, object_id)
                ) WITHOUT ROWID;
                CREATE TABLE snapshot_tips (
                    sha TEXT NOT NULL,
                    with_stats INTEGER NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (sha, with_stats)
                ) WITHOUT ROWID;
                CREATE TABLE snapshot_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    revs TEXT NOT NULL,
                    head TEXT,
                    with_stats INTEGER NOT NULL,
                    new_commits INTEGER NOT NULL,
                    known_commits INTEGER NOT NULL,
                    missing_objects INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL
                );
                PRAGMA user_version = 1;
                """)
        }),
        ("v2-paths-by-path", { db in
            // History lookups for claims ("when was this path deleted?") go by path.
            try db.execute(sql: """
                CREATE INDEX commit_paths_by_path ON commit_paths(path);
                PRAGMA user_version = 2;
                """)
        }),
        ("v3-drift-runs", Ledger.driftRunsMigration),
        ("v4-receipts", Ledger.receiptsMigration),
    ]

    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        for (name, body) in migrations { m.registerMigration(name, migrate: body) }
        return m
    }()

    static func migrate(_ pool: DatabasePool) throws {
        let (done, version) = try pool.read { db in
            (try migrator.hasCompletedMigrations(db), try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
        }
        if version > schemaVersion {
            throw AssayError("the ledger was written by a newer assay (schema \(version), this build knows \(schemaVersion))",
                             at: pool.path, fix: "upgrade assay, or delete the ledger: it is an index and the next run rebuilds it")
        }
        if done { return }
        // Two processes may race to create the schema. GRDB reads what is applied before it takes the
        // write lock, so the loser can fail with "table already exists" (or BUSY): whatever it failed
        // with, if the migrations are complete now, the other process did the work.
        for attempt in 0..<5 {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if attempt == 4 { throw error }
                usleep(UInt32(50_000 * (attempt + 1)))
            }
        }
    }

    /// Retries `body` when SQLite reports a lock conflict that waiting cannot resolve (two deferred
    /// transactions racing to upgrade); ordinary waiting is the busy timeout's job.
    static func withBusyRetry<T>(attempts: Int = 5, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            let started = Date()
            do { return try body() } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && attempt < attempts {
                // A conflict reported at once is a race worth retrying; one reported after waiting out
                // the busy timeout is a lock someone holds: give up and say so.
                if Date().timeIntervalSince(started) >= min(1, defaultBusyTimeout * 0.5) { throw error }
                attempt += 1
                usleep(UInt32(20_000 + (attempt * 7_919) % 30_000))
            }
        }
    }

    static func explain(_ error: Error, path: String) -> AssayError {
        if let error = error as? AssayError { return error }
        guard let db = error as? DatabaseError else {
            return AssayError("ledger error: \(error)", at: path)
        }
        switch db.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return AssayError("the ledger is locked by another process", at: path,
                              fix: "wait for the other assay run to finish and retry")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return AssayError("the ledger is corrupt (\(db.message ?? "not a database"))", at: path,
                              fix: "delete it: it is an index, and the next run rebuilds it")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            return AssayError("cannot write the ledger (\(db.message ?? "\(db.resultCode)"))", at: path,
                              fix: "check the permissions of the git directory")
        case .SQLITE_FULL:
            return AssayError("the disk is full while writing the ledger", at: path, fix: "free some space and retry")
        default:
            return AssayError("ledger error: \(db.message ?? "\(db.resultCode)")", at: path)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(AssayError) -> T {
        do {
            var result: T?
            try pool.writeInTransaction(.immediate) { db in
                result = try body(db)
                return .commit
            }
            return result!
        } catch {
            throw Ledger.explain(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(AssayError) -> T {
        do { return try pool.read(body) } catch { throw Ledger.explain(error, path: path) }
    }

    // MARK: - Commits

    /// How many commits the ledger holds.
    public func commitCount() throws(AssayError) -> Int {
        try read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commits") ?? 0 }
    }

    /// Of `shas`, those already recorded completely (and with line stats, when `withStats`).
    public func recorded(_ shas: [String], withStats: Bool) throws(AssayError) -> Set<String> {
        try read { db in
            var out = Set<String>()
            let sql = "SELECT sha FROM commits WHERE complete = 1 AND has_stats >= ? AND sha IN "
            for chunk in stride(from: 0, to: shas.count, by: 500) {
                let part = Array(shas[chunk..<min(chunk + 500, shas.count)])
                let marks = "(" + Array(repeating: "?", count: part.count).joined(separator: ",") + ")"
                var args: [DatabaseValueConvertible] = [withStats ? 1 : 0]
                args += part
                for sha in try String.fetchAll(db, sql: sql + marks, arguments: StatementArguments(args)) { out.insert(sha) }
            }
            return out
        }
    }

    /// Records commits in one transaction. A commit already present is kept unless this record is
    /// better (complete where it was not, or with stats where it had none). Returns how many commits
    /// were newly inserted.
    @discardableResult
    public func record(_ commits: [LedgerCommit]) throws(AssayError) -> Int {
        let now = Ledger.timestamp()
        return try write { db in
            var inserted = 0
            // Commit ids grow with each insert, so the path rows are appended in key order.
            let find = try db.cachedStatement(sql: "SELECT id, complete, has_stats FROM commits WHERE sha = ?")
            let insertCommit = try db.cachedStatement(sql: """
                INSERT INTO commits (sha, tree, parents, author_name, author_email, author_time, author_offset,
                    committer_name, committer_email, committer_time, committer_offset, subject, message,
                    has_stats, complete, recorded_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            let upgrade = try db.cachedStatement(sql: "UPDATE commits SET has_stats = ?, complete = ?, recorded_at = ? WHERE id = ?")
            let deletePaths = try db.cachedStatement(sql: "DELETE FROM commit_paths WHERE commit_id = ?")
            let deleteMissing = try db.cachedStatement(sql: "DELETE FROM missing_objects WHERE commit_sha = ?")
            let insertPath = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO commit_paths (commit_id, path, old_path, status, additions, deletions, binary)
                VALUES (?,?,?,?,?,?,?)
                """)
            let insertMissing = try db.cachedStatement(sql: "INSERT OR IGNORE INTO missing_objects (commit_sha, object_id) VALUES (?,?)")
            for c in commits {
                let id: Int64
                if let row = try Row.fetchOne(find, arguments: [c.sha]) {
                    // Another run recorded it: keep that unless this record is better.
                    let complete: Bool = row["complete"], hasStats: Bool = row["has_stats"]
                    let better = (c.complete && !complete) || (c.complete == complete && c.hasStats && !hasStats)
                    guard better else { continue }
                    id = row["id"]
                    try upgrade.execute(arguments: [c.hasStats, c.complete, now, id])
                    try deletePaths.execute(arguments: [id])
                    try deleteMissing.execute(arguments: [c.sha])
                } else {
                    try insertCommit.execute(arguments: [
                        c.sha, c.tree, c.parents.joined(separator: " "), c.authorName, c.authorEmail, c.authorTime,
                        c.authorOffset, c.committerName, c.committerEmail, c.committerTime, c.committerOffset,
                        c.subject, c.message, c.hasStats, c.complete, now,
                    ])
                    id = db.lastInsertedRowID
                    inserted += 1
                }
                for p in c.paths {
                    try insertPath.execute(arguments: [id, p.path, p.oldPath, p.status, p.additions, p.deletions, p.binary])
                }
                for m in c.missingObjects { try insertMissing.execute(arguments: [c.sha, m]) }
            }
            return inserted
        }
    }

    /// The changed paths the ledger holds for a commit, in byte order.
    public func paths(of sha: String) throws(AssayError) -> [LedgerPathChange] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT path, old_path, status, additions, deletions, binary FROM commit_paths JOIN commits ON commits.id = commit_paths.commit_id WHERE commits.sha = ? ORDER BY path",
                             arguments: [sha]).map { row in
                LedgerPathChange(path: row["path"], oldPath: row["old_path"], status: row["status"],
                                 additions: row["additions"], deletions: row["deletions"], binary: row["binary"])
            }
        }
    }

    /// One change of a path in a recorded commit.
    public struct PathEvent: Sendable, Hashable {
        public var commit: String
        public var status: String
        public var committerTime: Int64
        public var subject: String
    }

    /// Every recorded change of `path`, newest first (by committer time).
    public func events(of path: Data) throws(AssayError) -> [PathEvent] {
        try read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT c.sha, p.status, c.committer_time, c.subject FROM commit_paths p
                JOIN commits c ON c.id = p.commit_id WHERE p.path = ? ORDER BY c.committer_time DESC, c.id DESC
                """)
            return try Row.fetchAll(statement, arguments: [path]).map {
                PathEvent(commit: $0[0], status: $0[1], committerTime: $0[2], subject: $0[3])
            }
        }
    }

    /// The parent links of every recorded commit, read in one pass: for repeated ancestry questions.
    public func commitGraph() throws(AssayError) -> CommitGraph {
        try read { db in
            var map: [String: [Substring]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT sha, parents FROM commits")
            while let row = try rows.next() {
                let p: String = row[1]
                map[row[0]] = p.split(separator: " ")
            }
            return CommitGraph(parents: map)
        }
    }

    /// The commits recorded as reachable from `sha` (itself included); nil when `sha` is not recorded.
    public func ancestors(of sha: String) throws(AssayError) -> Set<String>? {
        try commitGraph().ancestors(of: sha)
    }

    /// Every recorded commit sha, sorted.
    public func allCommitShas() throws(AssayError) -> [String] {
        try read { try String.fetchAll($0, sql: "SELECT sha FROM commits ORDER BY sha") }
    }

    /// Objects found missing while recording, with the commit that needed them.
    public func missingObjects() throws(AssayError) -> [(commit: String, object: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT commit_sha, object_id FROM missing_objects ORDER BY commit_sha, object_id")
                .map { ($0["commit_sha"], $0["object_id"]) }
        }
    }

    // MARK: - Tips and runs

    /// Tips of earlier complete snapshots: every commit reachable from them is recorded.
    public func snapshotTips(withStats: Bool) throws(AssayError) -> [String] {
        try read { try String.fetchAll($0, sql: "SELECT DISTINCT sha FROM snapshot_tips WHERE with_stats >= ?", arguments: [withStats]) }
    }

    /// Remembers tips whose whole history is now recorded, so the next run can stop walking there.
    public func recordTips(_ shas: [String], withStats: Bool) throws(AssayError) {
        let now = Ledger.timestamp()
        try write { db in
            for sha in shas {
                try db.execute(sql: "INSERT OR IGNORE INTO snapshot_tips (sha, with_stats, recorded_at) VALUES (?,?,?)",
                               arguments: [sha, withStats, now])
            }
        }
    }

    public func recordRun(_ run: SnapshotRunRecord) throws(AssayError) {
        try write { db in try run.insert(db) }
    }

    public func runs() throws(AssayError) -> [SnapshotRunRecord] {
        try read { try SnapshotRunRecord.order(Column("id")).fetchAll($0) }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
