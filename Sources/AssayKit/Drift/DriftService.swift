import AssayCore
import AssayLedger
import Foundation
import GitKit

/// What `assay drift` is asked to report.
public struct DriftRequest: Sendable {
    public var repositoryPath: String
    /// The commit to judge; nil for the default branch (origin/HEAD's target, else main, master, HEAD).
    public var at: String?
    /// An earlier point to compare with: a revision, or a date (`2026-01-31`, ISO 8601) meaning the
    /// newest first-parent commit of the judged branch at or before it.
    public var since: String?
    /// Also judge this many earlier first-parent commits (`backfillEvery` apart), so a first report has
    /// a trend. Points the ledger already holds are not computed again.
    public var backfill: Int
    public var backfillEvery: Int
    /// Record the points in the ledger (the history the chart is drawn from).
    public var record: Bool

    public init(repositoryPath: String, at: String? = nil, since: String? = nil, backfill: Int = 0,
                backfillEvery: Int = 1, record: Bool = true) {
        self.repositoryPath = repositoryPath; self.at = at; self.since = since
        self.backfill = backfill; self.backfillEvery = max(1, backfillEvery); self.record = record
    }
}

/// Judges the claims of every claim-bearing doc at the default branch (or `--at`): which no longer
/// match the code, since which commit, and whether that is getting better or worse.
public final class DriftService {
    /// Called with one line per step when set (`--verbose`).
    public var progress: ((String) -> Void)?

    public init() {}

    public func run(_ request: DriftRequest) throws(AssayError) -> DriftReport {
        let started = Date()
        let repo = try RepositoryAccess.open(request.repositoryPath)
        let (sha, ref) = try Self.target(repo, request.at)
        var sinceID: ObjectID?
        var sinceIsDate = false
        if let since = request.since, Self.parseDate(since) == nil {
            sinceID = try Self.resolve(repo, since)
        } else if request.since != nil {
            sinceIsDate = true
        }
        // Deletions, renames and chains come from the ledger: bring it up to date first (incremental).
        _ = try SnapshotService().run(SnapshotRequest(repositoryPath: request.repositoryPath,
                                                      revisions: [sha.hex] + (sinceID.map { [$0.hex] } ?? [])))
        progress?("ledger up to date at \(elapsedMs(since: started)) ms")
        let ledger = try RepositoryAccess.openLedger(for: repo)
        let engine = DriftEngine(repo: repo, ledger: ledger)
        try engine.prepareChain(tip: sha)
        guard let atDepth = engine.depth(of: sha) else {
            throw AssayError("cannot walk the history of \(sha.hex)", fix: "fetch the full history (git fetch --unshallow)")
        }

        // Backfill: earlier points of the chain, oldest first, each computed with what the last one learnt.
        let recorded = Set(((try? ledger.driftRuns()) ?? []).map(\.sha))
        var depths: [Int] = []
        var d = atDepth - request.backfillEvery
        while depths.count < request.backfill, d >= 0 {
            depths.append(d)
            d -= request.backfillEvery
        }
        for point in depths.reversed() where !recorded.contains(engine.chain[point].hex) {
            let t0 = Date()
            let snapshot = try engine.snapshot(at: engine.chain[point])
            if request.record { try Self.record(snapshot, ref: ref, origin: "backfill", ms: elapsedMs(since: t0), in: ledger) }
            progress?("backfill \(engine.chain[point].short): \(snapshot.summary.drifting) drifting of \(snapshot.claims.count) claims in \(elapsedMs(since: t0)) ms")
        }

        let t0 = Date()
        let snapshot = try engine.snapshot(at: sha)
        progress?("\(sha.short): \(snapshot.claims.count) claims judged in \(elapsedMs(since: t0)) ms")
        if request.record { try Self.record(snapshot, ref: ref, origin: "run", ms: elapsedMs(since: t0), in: ledger) }

        var comparison: DriftComparison?
        if let since = request.since {
            let baseID: ObjectID
            if sinceIsDate, let date = Self.parseDate(since) {
                guard let found = engine.chain[...atDepth].last(where: { engine.committerTime($0) <= Int64(date.timeIntervalSince1970) }) else {
                    throw AssayError("no commit of \(ref) at or before \(since)", fix: "pass --since with a later date or a revision")
                }
                baseID = found
            } else {
                baseID = sinceID!
            }
            let base: DriftSnapshot
            if engine.depth(of: baseID) != nil {
                base = try engine.snapshot(at: baseID)
            } else {
                // Not on this branch's first-parent chain: judge it along its own.
                let other = DriftEngine(repo: repo, ledger: ledger)
                try other.prepareChain(tip: baseID)
                base = try other.snapshot(at: baseID)
            }
            comparison = Self.compare(base, snapshot, base: engine.describe(baseID))
        }

        let history = Self.history(ledger: ledger, engine: engine, atDepth: atDepth, current: snapshot)
        progress?("reuse: \(engine.stats)")
        let info = engine.info(sha)
        let remote = ((try? repo.configString("remote.origin.url")) ?? nil).flatMap(DriftRemote.parse)
        return DriftReport(sha: sha.hex, ref: ref, date: isoDate(info.time), subject: info.subject, remote: remote,
                           summary: snapshot.summary, sources: snapshot.sources, claims: snapshot.claims,
                           possiblyStale: snapshot.possiblyStale, comparison: comparison, history: history,
                           warnings: snapshot.warnings, notices: snapshot.notices)
    }

    /// The commit to judge and what to call it: `--at`, else the default branch.
    static func target(_ repo: Repository, _ at: String?) throws(AssayError) -> (ObjectID, String) {
        if let at { return (try resolve(repo, at), at) }
        for (name, ref) in [("origin/HEAD", "refs/remotes/origin/HEAD"), ("main", "refs/heads/main"), ("master", "refs/heads/master")] {
            if let id = try? repo.resolveCommit(ref) { return (id, name) }
        }
        let head: ObjectID?
        do { head = try repo.head() } catch { throw RepositoryAccess.explain(error, doing: "read HEAD") }
        guard let head else { throw AssayError("the repository has no commits yet", fix: "commit something, or pass --at") }
        return (head, "HEAD")
    }

    static func resolve(_ repo: Repository, _ spec: String) throws(AssayError) -> ObjectID {
        let selection = try RepositoryAccess.select(repo, [spec], all: false)
        guard let id = selection.include.first else {
            throw AssayError("nothing to check at \(spec)", fix: "pass a commit")
        }
        return id
    }

    /// `2026-01-31`, `2026-01-31T12:00:00Z`: a date; anything else is a revision.
    static func parseDate(_ text: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: text) { return d }
        guard text.count == 10, text.allSatisfy({ $0.isNumber || $0 == "-" }) else { return nil }
        iso.formatOptions = [.withFullDate]
        // A day means its end: the commits of that day count as at or before it.
        return iso.date(from: text).map { $0.addingTimeInterval(86_399) }
    }

    static func record(_ s: DriftSnapshot, ref: String, origin: String, ms: Int, in ledger: Ledger) throws(AssayError) {
        let sum = s.summary
        let run = DriftRunRecord(sha: s.sha, ref: ref, commitTime: s.commitTime, origin: origin, claims: sum.claims,
                                 verified: sum.verified, contradicted: sum.contradicted, stale: sum.stale,
                                 unverifiable: sum.unverifiable, abstain: sum.abstain, possiblyStale: sum.possiblyStale,
                                 durationMs: ms)
        let claims = s.claims.map {
            DriftClaimRecord(claimID: $0.id, path: $0.path, line: $0.line, kind: $0.kind, verdict: $0.verdict,
                             verdictClass: $0.verdictClass, introduced: $0.introduced?.sha, since: $0.since?.sha)
        }
        try ledger.recordDriftRun(run, claims: claims)
    }

    /// New, resolved and persistent drift between two points. Claims are matched by id (stable across
    /// edits elsewhere in the doc) and occurrence.
    static func compare(_ before: DriftSnapshot, _ after: DriftSnapshot, base: DriftCommit) -> DriftComparison {
        func keyed(_ claims: [DriftClaim]) -> [(String, DriftClaim)] {
            var seen: [String: Int] = [:]
            return claims.sorted { ($0.path, $0.line ?? 0) < ($1.path, $1.line ?? 0) }.map { c in
                let n = seen[c.id, default: 0]
                seen[c.id] = n + 1
                return (c.id + "#" + String(n), c)
            }
        }
        let old = Dictionary(keyed(before.claims), uniquingKeysWith: { a, _ in a })
        let now = keyed(after.claims)
        let current = Dictionary(now, uniquingKeysWith: { a, _ in a })
        var new: [DriftChange] = [], resolved: [DriftChange] = [], persistent: [DriftChange] = []
        for (key, c) in now where c.isDrifting {
            let was = old[key]
            let change = DriftChange(id: c.id, path: c.path, line: c.line, text: c.text, before: was?.verdict, after: c.verdict)
            if was?.isDrifting == true { persistent.append(change) } else { new.append(change) }
        }
        for (key, c) in keyed(before.claims) where c.isDrifting {
            guard current[key]?.isDrifting != true else { continue }
            resolved.append(DriftChange(id: c.id, path: c.path, line: c.line, text: c.text, before: c.verdict,
                                        after: current[key]?.verdict))
        }
        return DriftComparison(base: base, new: new, resolved: resolved, persistent: persistent)
    }

    /// The recorded points on this branch up to the judged commit, one per commit (its newest record),
    /// oldest first.
    static func history(ledger: Ledger, engine: DriftEngine, atDepth: Int, current: DriftSnapshot) -> [DriftPoint] {
        var newest: [String: DriftRunRecord] = [:]
        for run in (try? ledger.driftRuns()) ?? [] { newest[run.sha] = run }
        var points: [(Int, DriftPoint)] = []
        for (sha, run) in newest {
            guard let id = ObjectID(hex: sha), let d = engine.depth(of: id), d <= atDepth, sha != current.sha else { continue }
            points.append((d, DriftPoint(sha: sha, date: isoDate(run.commitTime), claims: run.claims, verified: run.verified,
                                         contradicted: run.contradicted, stale: run.stale, drifting: run.drifting, origin: run.origin)))
        }
        let s = current.summary
        points.append((atDepth, DriftPoint(sha: current.sha, date: isoDate(current.commitTime), claims: s.claims, verified: s.verified,
                                           contradicted: s.contradicted, stale: s.stale, drifting: s.drifting, origin: "run")))
        return points.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
