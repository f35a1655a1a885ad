import AssayCore
import AssayLedger
import Foundation
import GitKit

/// Writes receipts: builds the in-toto Statement for a run, signs it when given a key, and appends
/// it as one line to the note on the commit under `refs/notes/assay/receipts` (never replacing
/// another receipt: the notes ref moves by compare-and-swap).
///
/// The ledger indexes receipts, but opening it costs more than the rest of a write (10–30 ms), so a
/// write indexes only into a ledger the caller already has open; otherwise the receipt is indexed
/// the next time `assay receipts list`, `show` or `verify` reads the notes (git is the truth).
public enum ReceiptWriter {
    /// Writes a receipt for `record` in the repository containing `repositoryPath`.
    /// `signingKey` is the path of an Ed25519 private key (`assay receipts keygen`); nil: unsigned.
    /// `scope` says what the run judged when that is not simply the commit (a staged audit: the index).
    public static func write(_ record: RunRecord, repositoryPath: String, signingKey: String?,
                             scope: ReceiptScope = ReceiptScope()) throws(AssayError) -> ReceiptWritten {
        let repo = try RepositoryAccess.open(repositoryPath)
        return try write(record, repository: repo, signingKey: signingKey, scope: scope)
    }

    /// The same, with a repository the caller already has open (one handle per thread), and the
    /// ledger to index the receipt in when the caller has it open (nil: indexed later, see above).
    public static func write(_ record: RunRecord, repository repo: Repository, signingKey: String?,
                             ledger: Ledger? = nil, scope: ReceiptScope = ReceiptScope()) throws(AssayError) -> ReceiptWritten {
        var clock = PhaseClock()
        let key: ReceiptSigningKey? = try signingKey.map { path throws(AssayError) in try ReceiptKeyFiles.signingKey(at: path) }
        let statement = try makeStatement(record, repository: repo, scope: scope, clock: &clock)
        let line: String
        do { line = try statement.noteLine(signedWith: key) } catch {
            throw AssayError("could not sign the receipt: \(error.message)", at: signingKey, fix: "check the key with `assay receipts keygen`")
        }
        clock.lap(key == nil ? "statement" : "statement+sign")
        let commit = statement.predicate.gitSHA
        guard let target = ObjectID(hex: commit) else { throw AssayError("internal: bad commit id \(commit)") }
        do {
            try repo.appendNote(ReceiptFormat.notesRef, on: target, line: line)
        } catch {
            if error.code == .modified || error.code == .exists || error.code == .locked {
                throw AssayError("could not append the receipt: \(ReceiptFormat.notesRef) kept changing under concurrent writers",
                                 at: repo.gitDirectory.path, fix: "retry; if it persists, look for a stuck \(ReceiptFormat.notesRef).lock")
            }
            throw RepositoryAccess.explain(error, doing: "append the receipt to \(ReceiptFormat.notesRef)")
        }
        clock.lap("note")
        var warnings: [String] = []
        if let ledger {
            let row = ReceiptIndexRecord(digest: statement.digest, sha: commit, command: record.command, verdict: record.verdict,
                                         startedAt: statement.predicate.startedAt, signed: key != nil)
            do { try ledger.recordReceipts([row]) } catch {
                // The ledger is an index: the receipt is safe in git, and `assay receipts list` re-indexes it.
                warnings.append("the receipt is in git but not yet in the ledger index: \(error.description)")
            }
            clock.lap("ledger")
        }
        return ReceiptWritten(digest: statement.digest, line: line, notesRef: ReceiptFormat.notesRef, commit: commit,
                              signed: key != nil, statement: statement, warnings: warnings, phaseMilliseconds: clock.phases)
    }

    /// The statement for a run, without writing anything: the commit and tree resolved, every
    /// file hashed (SHA-256 and git blob id of its bytes on disk).
    public static func makeStatement(_ record: RunRecord, repository repo: Repository,
                                     now: Date = Date()) throws(AssayError) -> ReceiptStatement {
        var clock = PhaseClock()
        return try makeStatement(record, repository: repo, now: now, clock: &clock)
    }

    static func makeStatement(_ record: RunRecord, repository repo: Repository, now: Date = Date(),
                              scope: ReceiptScope = ReceiptScope(), clock: inout PhaseClock) throws(AssayError) -> ReceiptStatement {
        guard !record.command.isEmpty else {
            throw AssayError("a receipt needs a command name", fix: "pass --command NAME")
        }
        let spec = record.gitSHA ?? "HEAD"
        let commit: ObjectID
        do { commit = try repo.resolveCommit(spec) } catch {
            // An all-zero SHA is how a run on an unborn branch names its (absent) commit.
            if spec == "HEAD" || ObjectID(hex: spec)?.isZero == true, (try? repo.head()) == nil {
                throw AssayError("there is no commit yet to attach the receipt to (HEAD is unborn)",
                                 at: repo.workingDirectory?.path ?? repo.gitDirectory.path, fix: "commit first, or pass --rev")
            }
            throw AssayError("unknown revision '\(spec)' for the receipt", at: repo.workingDirectory?.path ?? repo.gitDirectory.path,
                             fix: "check it with `git rev-parse \(spec)`")
        }
        let tree: ObjectID
        do { tree = try repo.commitHeader(commit).tree } catch {
            throw RepositoryAccess.explain(error, doing: "read commit \(commit.hex)")
        }
        for parent in record.parents where !isLowercaseHex(parent, length: 64) {
            throw AssayError("parent receipt '\(parent)' is not a SHA-256 digest (64 lowercase hex digits)",
                             fix: "pass the digest `assay receipts write` or `assay receipts list` printed")
        }
        let base = record.workingDirectory ?? FileManager.default.currentDirectoryPath
        func hash(_ paths: [String], _ role: String) throws(AssayError) -> [ReceiptFile] {
            var out: [ReceiptFile] = []
            for path in paths { out.append(try ReceiptFiles.describe(path, role: role, base: base, repository: repo)) }
            return out
        }
        let ended = record.endedAt ?? now
        guard ended.timeIntervalSince(record.startedAt) > -0.001 else {
            throw AssayError("the run ends (\(ReceiptTime.format(ended))) before it starts (\(ReceiptTime.format(record.startedAt)))",
                             fix: "pass the time the run started (--started-at), in the past")
        }
        clock.lap("resolve")
        let dirty = record.gitDirty ?? isDirty(repo, commit: commit)
        if record.gitDirty == nil { clock.lap("git_dirty") }
        let inputs = try hash(record.inputFiles, "input"), outputs = try hash(record.outputFiles, "output")
        let policies = try hash(record.policyFiles, "policy"), rubrics = try hash(record.rubricFiles, "rubric")
        clock.lap("hash")
        let predicate = ReceiptPredicate(
            runID: UUID().uuidString.lowercased(), command: record.command, argv: record.argv,
            gitSHA: commit.hex, gitTree: tree.hex, gitDirty: dirty,
            inputFiles: inputs, outputFiles: outputs, policyFiles: policies, rubricFiles: rubrics,
            recordCounts: record.recordCounts, validationPass: record.validationPass, errors: record.errors,
            warnings: record.warnings, verdict: record.verdict, exitCode: record.exitCode,
            durationMs: max(0, Int((ended.timeIntervalSince(record.startedAt) * 1000).rounded())),
            startedAt: ReceiptTime.format(record.startedAt), endedAt: ReceiptTime.format(ended),
            parentReceipts: record.parents, mode: scope.mode, subjectKind: scope.subjectKind)
        return ReceiptStatement(predicate: predicate)
    }

    /// `git describe --dirty`'s question: does the index or a tracked file differ from HEAD? A bare
    /// repository has neither; a commit other than HEAD counts as dirty (the working tree is not it).
    /// The index is compared with a cached listing of HEAD (as the audit does); the working tree costs
    /// one `stat` per tracked file, which is why callers that already know pass `RunRecord.gitDirty`.
    static func isDirty(_ repo: Repository, commit: ObjectID) -> Bool {
        guard !repo.isBare else { return false }
        guard let head = try? repo.head(), head == commit else { return true }
        do {
            let index = try repo.openIndex()
            let listing = try ListingCache.listing(of: try repo.commitHeader(commit).tree, in: repo)
            let compared = index.compare(with: listing)
            if !compared.conflicted.isEmpty || !compared.changes.isEmpty { return true }
            return !(try index.diffToWorkdir(in: repo).changes.isEmpty)
        } catch {
            return true
        }
    }
}

/// Milliseconds per phase of a receipt write (for `--timing` and the benchmark).
struct PhaseClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var phases: [String: Double] = [:]

    mutating func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        phases[name, default: 0] += Double(now - last) / 1e6
        last = now
    }
}

/// Files named in receipts: where they are, and their digests.
enum ReceiptFiles {
    /// The path as a receipt records it (relative to the working tree when inside it, else absolute)
    /// and the file's digests. Throws when the file cannot be read.
    static func describe(_ path: String, role: String, base: String, repository repo: Repository) throws(AssayError) -> ReceiptFile {
        let url = absolute(path, base: base)
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw AssayError("cannot read the \(role) file \(path) for the receipt\(exists ? "" : ": no such file")", at: url.path,
                             fix: role == "output" ? "check that the run wrote it, or leave it out of the receipt" : "check the path")
        }
        let d = data.withUnsafeBytes { ReceiptFile.digests(of: $0) }
        return ReceiptFile(path: recorded(url, repository: repo), sha256: d.sha256, gitBlob: d.gitBlob)
    }

    static func absolute(_ path: String, base: String) -> URL {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        return url.standardizedFileURL
    }

    /// Relative to the working tree when the file is inside it; else the absolute path.
    static func recorded(_ url: URL, repository repo: Repository) -> String {
        guard let root = repo.workingDirectory else { return url.path }
        for candidate in [root.standardizedFileURL.path, root.resolvingSymlinksInPath().path] {
            let prefix = candidate.hasSuffix("/") ? candidate : candidate + "/"
            for p in [url.path, url.resolvingSymlinksInPath().path] where p.hasPrefix(prefix) {
                return String(p.dropFirst(prefix.count))
            }
        }
        return url.path
    }

    /// Where a recorded path is now: inside the working tree (relative paths) or as written.
    static func location(_ recordedPath: String, repository repo: Repository) -> URL? {
        if recordedPath.hasPrefix("/") { return URL(fileURLWithPath: recordedPath) }
        return repo.workingDirectory?.appendingPathComponent(recordedPath)
    }
}
