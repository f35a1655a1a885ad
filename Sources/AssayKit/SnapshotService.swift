import AssayCore
import AssayLedger
import Dispatch
import Foundation
import GitKit

/// What `assay snapshot` is asked to record.
public struct SnapshotRequest: Sendable {
    public var repositoryPath: String
    /// Revision specs (`HEAD`, `main`, `A..B`, `^A`); empty with `all` false means `HEAD`.
    public var revisions: [String]
    /// Add every local branch and tag.
    public var all: Bool
    /// Record added/deleted line counts per path (`--numstat`).
    public var withStats: Bool
    /// Threads (or, with `workerExecutable`, processes) computing diffs.
    public var workers: Int
    /// The `assay` executable, to start `assay snapshot-worker` processes for large histories.
    public var workerExecutable: String?

    public init(repositoryPath: String, revisions: [String] = [], all: Bool = false, withStats: Bool = false,
                workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount), workerExecutable: String? = nil) {
        self.repositoryPath = repositoryPath; self.revisions = revisions; self.all = all
        self.withStats = withStats; self.workers = workers; self.workerExecutable = workerExecutable
    }
}

/// What a snapshot run did; `--format json` prints it (schema `assay.snapshot/v1`).
public struct SnapshotReport: Codable, Sendable, Equatable {
    public struct Missing: Codable, Sendable, Equatable {
        public var commit: String
        public var object: String
    }

    public var schema = "assay.snapshot/v1"
    /// The commit the first revision resolved to (HEAD by default); nil on an unborn branch.
    public var head: String?
    public var revisions: [String]
    /// Commits this run recorded for the first time.
    public var newCommits: Int
    /// Commits the ledger already held before this run.
    public var knownCommits: Int
    /// Commits the walk visited (new ones and ones recorded without what was asked for, e.g. stats).
    public var walkedCommits: Int
    /// Distinct objects that could not be read (partial clones); their commits are marked incomplete.
    public var missingObjects: Int
    public var missing: [Missing]
    public var withStats: Bool
    public var ledger: String
    public var ledgerCommits: Int
    public var durationMs: Int

    enum CodingKeys: String, CodingKey {
        case schema, head, revisions, missing, ledger
        case newCommits = "new_commits", knownCommits = "known_commits", walkedCommits = "walked_commits"
        case missingObjects = "missing_objects", withStats = "with_stats", ledgerCommits = "ledger_commits"
        case durationMs = "duration_ms"
    }
}

/// Records every commit reachable from the requested revisions, with the paths it changed, into the
/// ledger — incrementally: commits already recorded are not read again.
public final class SnapshotService: Sendable {
    public init() {}

    /// Runs a snapshot. `progress` is called with (done, total) from worker threads.
    public func run(_ request: SnapshotRequest,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws(AssayError) -> SnapshotReport {
        let started = Date()
        let repo = try RepositoryAccess.open(request.repositoryPath)
        let ledger = try RepositoryAccess.openLedger(for: repo)
        let knownBefore = try ledger.commitCount()

        var specs = request.revisions
        if specs.isEmpty && !request.all {
            let head: ObjectID?
            do { head = try repo.head() } catch { throw RepositoryAccess.explain(error, doing: "read HEAD") }
            guard head != nil else {
                // An unborn branch: nothing to record yet.
                return SnapshotReport(head: nil, revisions: ["HEAD"], newCommits: 0, knownCommits: knownBefore,
                                      walkedCommits: 0, missingObjects: 0, missing: [], withStats: request.withStats,
                                      ledger: ledger.path, ledgerCommits: knownBefore, durationMs: elapsedMs(since: started))
            }
            specs = ["HEAD"]
        }
        let selection = try RepositoryAccess.select(repo, specs, all: request.all)
        let headID: ObjectID? = specs.isEmpty ? (try? repo.head()) ?? nil : selection.include.first

        let tips = try ledger.snapshotTips(withStats: request.withStats).compactMap { ObjectID(hex: $0) }
        let walked: [ObjectID]
        do { walked = try repo.walk(selection, hidingIfPresent: tips) } catch {
            throw RepositoryAccess.explain(error, doing: "walk the history of \(specs.joined(separator: " "))")
        }
        trace("walk: \(walked.count) commits at \(elapsedMs(since: started)) ms")
        let already = try ledger.recorded(walked.map(\.hex), withStats: request.withStats)
        trace("known-check at \(elapsedMs(since: started)) ms")
        let todo = walked.filter { !already.contains($0.hex) }

        let gitDir = repo.gitDirectory.path
        let processes = request.workerExecutable != nil && todo.count >= 1_500 ? max(1, request.workers) : 1
        var newCommits = 0
        var missing: [SnapshotReport.Missing] = []
        if processes > 1, let executable = request.workerExecutable {
            // libgit2 serialises pack reads across threads of one process, so the other cores get
            // worker processes, each with a contiguous share of the history; all write to the ledger.
            let share = (todo.count + processes - 1) / processes
            let shares = stride(from: 0, to: todo.count, by: share).map { Array(todo[$0..<min($0 + share, todo.count)]) }
            let children = try shares.dropFirst().map { ids throws(AssayError) in
                try WorkerProcess(executable: executable, gitDir: gitDir, withStats: request.withStats, commits: ids)
            }
            let done = Counter()
            let own = try recordCommits(shares[0], gitDir: gitDir, ledger: ledger, withStats: request.withStats,
                                        threads: 1) { _ in
                progress?(min(todo.count, done.increment() * processes), todo.count)
            }
            newCommits += own.inserted
            missing += own.missing
            for child in children {
                let result = try child.wait()
                newCommits += result.inserted
                missing += result.missing
            }
        } else {
            let done = Counter()
            let result = try recordCommits(todo, gitDir: gitDir, ledger: ledger, withStats: request.withStats,
                                           threads: request.workers) { _ in progress?(done.increment(), todo.count) }
            newCommits = result.inserted
            missing = result.missing
        }
        trace("ledger written at \(elapsedMs(since: started)) ms")

        let missingCount = Set(missing.map(\.object)).count
        // A shallow clone's boundary is not a complete history: deepening it later must walk again.
        if selection.isPlain && missingCount == 0 && !repo.isShallow {
            try ledger.recordTips(selection.include.map(\.hex), withStats: request.withStats)
        }
        let report = SnapshotReport(
            head: headID?.hex, revisions: specs + (request.all ? ["--all"] : []),
            newCommits: newCommits, knownCommits: knownBefore, walkedCommits: walked.count,
            missingObjects: missingCount, missing: missing, withStats: request.withStats,
            ledger: ledger.path, ledgerCommits: try ledger.commitCount(), durationMs: elapsedMs(since: started))
        try ledger.recordRun(SnapshotRunRecord(
            startedAt: iso8601(started), endedAt: iso8601(Date()), revs: report.revisions.joined(separator: " "),
            head: report.head, withStats: request.withStats, newCommits: newCommits, knownCommits: knownBefore,
            missingObjects: missingCount, durationMs: report.durationMs))
        return report
    }

    /// What one share of the work recorded: used by the worker processes of a parallel snapshot.
    public struct ShareResult: Codable, Sendable {
        public var inserted: Int
        public var missing: [SnapshotReport.Missing]
    }

    /// Records the given commits (full SHAs) into the repository's ledger: the work of one
    /// `assay snapshot-worker` process.
    public func recordShare(repositoryPath: String, commits: [String], withStats: Bool) throws(AssayError) -> ShareResult {
        let repo = try RepositoryAccess.open(repositoryPath)
        let ledger = try RepositoryAccess.openLedger(for: repo)
        var ids: [ObjectID] = []
        for sha in commits {
            guard let id = ObjectID(hex: sha) else { throw AssayError("not a full commit id: \(sha)", at: "snapshot-worker input") }
            ids.append(id)
        }
        return try recordCommits(ids, gitDir: repo.gitDirectory.path, ledger: ledger, withStats: withStats, threads: 1) { _ in }
    }

    /// Computes records in batches and writes each batch while the next is computed.
    private func recordCommits(_ todo: [ObjectID], gitDir: String, ledger: Ledger, withStats: Bool, threads: Int,
                               tick: @escaping @Sendable (Int) -> Void) throws(AssayError) -> ShareResult {
        var missing: [SnapshotReport.Missing] = []
        let writer = LedgerWriter(ledger: ledger)
        let batch = 1_000
        for start in stride(from: 0, to: todo.count, by: batch) {
            let slice = Array(todo[start..<min(start + batch, todo.count)])
            let t0 = Date()
            let records = try computeRecords(slice, gitDir: gitDir, withStats: withStats, workers: threads, tick: tick)
            trace("batch \(start): diffs \(Int(Date().timeIntervalSince(t0) * 1000)) ms")
            try writer.enqueue(records)
            for r in records { for m in r.missingObjects { missing.append(.init(commit: r.sha, object: m)) } }
        }
        return ShareResult(inserted: try writer.finish(), missing: missing)
    }

    /// Reads commits and their diffs on `workers` threads, each with its own repository handle.
    private func computeRecords(_ ids: [ObjectID], gitDir: String, withStats: Bool, workers: Int,
                                tick: @Sendable (Int) -> Void) throws(AssayError) -> [LedgerCommit] {
        let results = ResultSlots(count: ids.count)
        let threads = max(1, min(workers, ids.count / 64 + 1))
        // Each thread takes one contiguous run of the (topologically ordered) commits: a commit's
        // parent is then usually the next one, and its trees are still in that handle's object cache.
        let share = (ids.count + threads - 1) / threads
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let repo: Repository
            do throws(GitError) { repo = try Repository(discoveringFrom: gitDir) } catch {
                results.fail(RepositoryAccess.explain(error, doing: "open \(gitDir)"))
                return
            }
            for i in min(ids.count, worker * share)..<min(ids.count, (worker + 1) * share) {
                guard !results.failed else { return }
                do throws(AssayError) {
                    results.set(i, try Self.record(ids[i], in: repo, withStats: withStats))
                    tick(i)
                } catch {
                    results.fail(error)
                    return
                }
            }
        }
        return try results.values()
    }

    static func record(_ id: ObjectID, in repo: Repository, withStats: Bool) throws(AssayError) -> LedgerCommit {
        let commit: Commit
        do { commit = try repo.commit(id) } catch {
            throw RepositoryAccess.explain(error, doing: "read commit \(id.hex)")
        }
        var paths: [LedgerPathChange] = []
        var missing: [String] = []
        var complete = true
        do {
            let diff = try repo.diffCommit(id, options: DiffOptions(lineStats: withStats))
            paths = diff.changes.map { change in
                var added: Int?, deleted: Int?, binary = false
                switch change.stats {
                case .text(let a, let d)?: added = a; deleted = d
                case .binary?: binary = true
                case nil: break
                }
                return LedgerPathChange(path: Data(change.path.bytes), oldPath: change.oldPath.map { Data($0.bytes) },
                                        status: change.status.rawValue, additions: added, deletions: deleted, binary: binary)
            }
            missing = diff.missingObjects.map(\.hex)
            complete = missing.isEmpty
        } catch where error.isMissingObject {
            complete = false
            var candidates = [commit.tree]
            if let parent = commit.parents.first {
                if repo.contains(parent), let header = try? repo.commitHeader(parent) { candidates.append(header.tree) } else { candidates.append(parent) }
            }
            missing = candidates.filter { !repo.contains($0) }.map(\.hex)
            if missing.isEmpty { missing = extractObjectIDs(error.message) }
            if missing.isEmpty { missing = ["unknown-object-in-\(id.hex)"] }
        } catch {
            throw RepositoryAccess.explain(error, doing: "diff commit \(id.hex)")
        }
        return LedgerCommit(
            sha: id.hex, tree: commit.tree.hex, parents: commit.parents.map(\.hex),
            authorName: commit.author.name, authorEmail: commit.author.email, authorTime: commit.author.time,
            authorOffset: commit.author.offsetMinutes, committerName: commit.committer.name,
            committerEmail: commit.committer.email, committerTime: commit.committer.time,
            committerOffset: commit.committer.offsetMinutes, subject: commit.subject, message: Data(commit.rawMessage),
            hasStats: withStats && complete, complete: complete, paths: paths, missingObjects: missing)
    }
}

private func extractObjectIDs(_ text: String) -> [String] {
    text.split(whereSeparator: { !$0.isHexDigit }).filter { $0.count == 40 }.map { String($0).lowercased() }
}

/// Phase timings on stderr when `ASSAY_TRACE` is set (for benchmarks and bug reports).
func trace(_ message: @autoclosure () -> String) {
    guard ProcessInfo.processInfo.environment["ASSAY_TRACE"] != nil else { return }
    FileHandle.standardError.write(Data("assay trace: \(message())\n".utf8))
}

func elapsedMs(since start: Date) -> Int { Int((Date().timeIntervalSince(start) * 1000).rounded()) }

func iso8601(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: date)
}

/// Writes batches to the ledger on a background queue, one batch in flight at a time.
final class LedgerWriter: @unchecked Sendable {
    private let ledger: Ledger
    private let queue = DispatchQueue(label: "assay.ledger-writer")
    private let group = DispatchGroup()
    private var inserted = 0
    private var error: AssayError?

    init(ledger: Ledger) { self.ledger = ledger }

    /// Waits for the previous batch, then starts writing this one.
    func enqueue(_ records: [LedgerCommit]) throws(AssayError) {
        group.wait()
        if let error { throw error }
        queue.async(group: group) {
            let t0 = Date()
            do throws(AssayError) { self.inserted += try self.ledger.record(records) } catch { self.error = error }
            trace("ledger: \(records.count) commits written in \(Int(Date().timeIntervalSince(t0) * 1000)) ms")
        }
    }

    /// Waits for the last batch; returns how many commits were newly inserted.
    func finish() throws(AssayError) -> Int {
        group.wait()
        if let error { throw error }
        return inserted
    }
}

/// An `assay snapshot-worker` child process recording one share of the commits.
final class WorkerProcess {
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let stderrData = DataBox()
    private let stderrDone = DispatchGroup()

    init(executable: String, gitDir: String, withStats: Bool, commits: [ObjectID]) throws(AssayError) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["snapshot-worker", "--repo", gitDir] + (withStats ? ["--stats"] : [])
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw AssayError("could not start a snapshot worker: \(error)", at: executable, fix: "run with --jobs 1")
        }
        let box = stderrData, handle = errors.fileHandleForReading
        stderrDone.enter()
        DispatchQueue.global().async { [stderrDone] in
            box.data = handle.readDataToEndOfFile()
            stderrDone.leave()
        }
        let text = commits.map(\.hex).joined(separator: "\n") + "\n"
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
    }

    func wait() throws(AssayError) -> SnapshotService.ShareResult {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        stderrDone.wait()
        guard process.terminationStatus == 0,
              let result = try? JSONDecoder().decode(SnapshotService.ShareResult.self, from: data) else {
            let message = String(decoding: stderrData.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw AssayError("a snapshot worker failed (exit \(process.terminationStatus)): \(message)",
                             fix: "run with --jobs 1 to record in one process")
        }
        return result
    }
}

final class DataBox: @unchecked Sendable { var data = Data() }

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    /// Adds one and returns the new value.
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// Per-index result slots filled by worker threads; the first error wins.
final class ResultSlots: @unchecked Sendable {
    private var slots: [LedgerCommit?]
    private var error: AssayError?
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    var failed: Bool { lock.lock(); defer { lock.unlock() }; return error != nil }
    func set(_ i: Int, _ value: LedgerCommit) { lock.lock(); slots[i] = value; lock.unlock() }
    func fail(_ e: AssayError) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func values() throws(AssayError) -> [LedgerCommit] {
        if let error { throw error }
        return slots.compactMap { $0 }
    }
}
