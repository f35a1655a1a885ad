import AssayCore
import Foundation
import GitKit

/// The receipts on one commit, as `assay receipts show` prints them.
public struct ReceiptListing: Sendable {
    public var commit: String
    public var receipts: [StoredReceipt]
    /// Things worth saying that are not errors (e.g. the ledger index could not be updated).
    public var warnings: [String]
}

/// One row of `assay receipts list`.
public struct ReceiptSummary: Sendable, Codable, Hashable {
    public var commit: String
    public var digest: String
    public var command: String
    public var verdict: String
    public var startedAt: String
    public var durationMs: Int
    public var signed: Bool
    public var outputs: [String]
    /// The arguments the run recorded (`argv` of the predicate).
    public var argv: [String]
    /// How the run chose what to judge (an audit's `staged`, `commit`, …); nil when the receipt does not say.
    public var mode: String?
    /// What the verdict is about: `commit`, `index` or `working-tree`; nil when the receipt does not say.
    public var subjectKind: String?

    enum CodingKeys: String, CodingKey {
        case commit, digest, command, verdict, startedAt = "started_at", durationMs = "duration_ms", signed, outputs
        case argv, mode, subjectKind = "subject_kind"
    }
}

/// How to share receipts with a remote: git notes are not pushed or fetched unless asked.
public struct ReceiptSyncPlan: Sendable, Codable {
    public var remote: String
    public var push: [String]
    public var fetchAndMerge: [String]
    public var config: [String]
    /// The `notes.rewriteRef` values already set here.
    public var rewriteRefConfigured: Bool

    enum CodingKeys: String, CodingKey {
        case remote, push, fetchAndMerge = "fetch_and_merge", config, rewriteRefConfigured = "rewrite_ref_configured"
    }
}

/// The `assay receipts` commands' services: reading, listing, verifying, keys, sharing.
public struct ReceiptService {
    public init() {}

    /// The receipts on `revision` (the ledger index is refreshed with them).
    public func show(repositoryPath: String, revision: String = "HEAD") throws(AssayError) -> ReceiptListing {
        let repo = try RepositoryAccess.open(repositoryPath)
        let commit = try resolve(repo, revision)
        let receipts = try ReceiptStore.receipts(on: commit, in: repo)
        var warnings: [String] = []
        if let w = ReceiptStore.index(receipts, repository: repo) { warnings.append(w) }
        for r in receipts where r.parsed == nil {
            warnings.append("line \(r.lineNumber) of the note on \(commit.short) is not a receipt: \(r.problem ?? "unreadable")")
        }
        return ReceiptListing(commit: commit.hex, receipts: receipts, warnings: warnings)
    }

    /// Receipts on the commits of `range` (`A..B`, or one revision and its ancestors); nil: every
    /// receipt under the notes ref. Newest commit first; on one commit, oldest receipt first.
    public func list(repositoryPath: String, range: String? = nil) throws(AssayError) -> (rows: [ReceiptSummary], warnings: [String]) {
        let repo = try RepositoryAccess.open(repositoryPath)
        let all = try ReceiptStore.allReceipts(in: repo)
        var warnings: [String] = []
        var order: [String]
        if let range {
            let selection = try RepositoryAccess.select(repo, [range], all: false)
            do { order = try repo.walk(selection).map(\.hex) } catch {
                throw RepositoryAccess.explain(error, doing: "walk \(range)")
            }
            order = order.filter { all[$0] != nil }
        } else {
            // Newest receipt first across commits.
            order = all.keys.sorted { a, b in
                let ta = all[a]!.compactMap { $0.predicate?.startedAt }.max() ?? ""
                let tb = all[b]!.compactMap { $0.predicate?.startedAt }.max() ?? ""
                return ta != tb ? ta > tb : a < b
            }
        }
        var rows: [ReceiptSummary] = []
        var indexed: [StoredReceipt] = []
        for sha in order {
            let receipts = all[sha] ?? []
            indexed += receipts
            for r in receipts {
                guard let parsed = r.parsed else {
                    warnings.append("line \(r.lineNumber) of the note on \(sha.prefix(7)) is not a receipt: \(r.problem ?? "unreadable")")
                    continue
                }
                let p = parsed.statement.predicate
                rows.append(ReceiptSummary(commit: sha, digest: parsed.digest, command: p.command, verdict: p.verdict,
                                           startedAt: p.startedAt, durationMs: p.durationMs, signed: parsed.isSigned,
                                           outputs: p.outputFiles.map(\.path), argv: p.argv, mode: p.mode,
                                           subjectKind: p.subjectKind))
            }
        }
        if let w = ReceiptStore.index(indexed, repository: repo) { warnings.append(w) }
        return (rows, warnings)
    }

    /// Verifies every receipt on `revision`: digests recomputed from git objects and files, the
    /// chain of parents, and (with a public key) signatures.
    public func verify(repositoryPath: String, revision: String = "HEAD", publicKeyPath: String? = nil) throws(AssayError) -> ReceiptVerificationReport {
        let key = try publicKeyPath.map { path throws(AssayError) in try ReceiptKeyFiles.publicKey(at: path) }
        let repo = try RepositoryAccess.open(repositoryPath)
        let commit = try resolve(repo, revision)
        let receipts = try ReceiptStore.receipts(on: commit, in: repo)
        ReceiptStore.index(receipts, repository: repo)
        var verifier = ReceiptVerifier(repo: repo, key: key, commit: commit)
        var results: [ReceiptVerification] = []
        for r in receipts { results.append(try verifier.verify(r)) }
        return ReceiptVerificationReport(commit: commit.hex, receipts: results, keyid: key?.keyid)
    }

    /// Writes a new Ed25519 key pair (`PREFIX.key`, mode 0600, and `PREFIX.pub`).
    public func keygen(prefix: String, force: Bool = false) throws(AssayError) -> ReceiptKeyFiles.Generated {
        try ReceiptKeyFiles.generate(prefix: prefix, force: force)
    }

    /// The commands that push, fetch and merge receipts, and the configuration that keeps them on
    /// rewritten commits.
    public func syncPlan(repositoryPath: String, remote: String = "origin") throws(AssayError) -> ReceiptSyncPlan {
        let repo = try RepositoryAccess.open(repositoryPath)
        let ref = ReceiptFormat.notesRef
        let short = String(ref.dropFirst("refs/notes/".count))
        let remoteRef = ref + "-remote"
        let configured = ((try? repo.configString("notes.rewriteRef")) ?? nil).map { value in
            value.split(separator: ":").contains { $0 == Substring(ref) || $0 == "refs/notes/*" || $0 == "refs/notes/assay/*" }
        } ?? false
        return ReceiptSyncPlan(
            remote: remote,
            push: ["git push \(remote) \(ref)"],
            fetchAndMerge: [
                "git fetch \(remote) \(ref):\(remoteRef)",
                "git notes --ref=\(short) merge -s cat_sort_uniq \(remoteRef)",
            ],
            config: [
                "git config --add notes.rewriteRef \(ref)",
                "git config notes.rewriteMode cat_sort_uniq",
            ],
            rewriteRefConfigured: configured)
    }

    private func resolve(_ repo: Repository, _ revision: String) throws(AssayError) -> ObjectID {
        do { return try repo.resolveCommit(revision) } catch {
            if revision == "HEAD", (try? repo.head()) == nil {
                throw AssayError("HEAD is unborn: there is no commit to hold receipts", at: repo.workingDirectory?.path ?? repo.gitDirectory.path,
                                 fix: "commit first, or name a revision")
            }
            if error.code == .notFound || error.code == .invalidSpec || error.code == .ambiguous || error.code == .peel {
                throw AssayError("unknown revision '\(revision)'", at: repo.workingDirectory?.path ?? repo.gitDirectory.path,
                                 fix: "check it with `git rev-parse \(revision)`")
            }
            throw RepositoryAccess.explain(error, doing: "resolve '\(revision)'")
        }
    }
}
