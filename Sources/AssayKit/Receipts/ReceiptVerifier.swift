import AssayCore
import Foundation
import GitKit

/// One thing `assay receipts verify` checked about a receipt.
public struct ReceiptCheck: Sendable, Codable, Hashable {
    public enum Outcome: String, Sendable, Codable {
        /// Recomputed and equal.
        case ok
        /// Recomputed and different, or the receipt contradicts itself: verification fails.
        case mismatch
        /// Could not be recomputed (the file is gone and git does not have its blob): the run is partial.
        case unchecked
        /// Worth knowing, not a failure (an input changed since the run; a signature with no key to check).
        case note
    }

    public var outcome: Outcome
    public var message: String

    public init(_ outcome: Outcome, _ message: String) { self.outcome = outcome; self.message = message }
}

/// The checks of one receipt.
public struct ReceiptVerification: Sendable, Encodable {
    public var commit: String
    public var line: Int
    public var digest: String?
    public var command: String?
    public var verdict: String?
    public var startedAt: String?
    public var signed: Bool
    public var checks: [ReceiptCheck]

    public var outcome: ReceiptCheck.Outcome {
        if checks.contains(where: { $0.outcome == .mismatch }) { return .mismatch }
        if checks.contains(where: { $0.outcome == .unchecked }) { return .unchecked }
        return .ok
    }

    enum CodingKeys: String, CodingKey {
        case commit, line, digest, command, verdict, startedAt = "started_at", signed, checks, outcome
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(commit, forKey: .commit); try c.encode(line, forKey: .line)
        try c.encodeIfPresent(digest, forKey: .digest); try c.encodeIfPresent(command, forKey: .command)
        try c.encodeIfPresent(verdict, forKey: .verdict); try c.encodeIfPresent(startedAt, forKey: .startedAt)
        try c.encode(signed, forKey: .signed); try c.encode(checks, forKey: .checks)
        try c.encode(outcome, forKey: .outcome)
    }

    init(commit: String, line: Int, digest: String?, command: String?, verdict: String?, startedAt: String?, signed: Bool,
         checks: [ReceiptCheck]) {
        self.commit = commit; self.line = line; self.digest = digest; self.command = command; self.verdict = verdict
        self.startedAt = startedAt; self.signed = signed; self.checks = checks
    }
}

/// What `assay receipts verify` found for one commit.
public struct ReceiptVerificationReport: Sendable, Encodable {
    public var schema = "assay.receipts.verify/v1"
    public var commit: String
    public var receipts: [ReceiptVerification]
    /// Set when a public key was given: its securesystemslib keyid.
    public var keyid: String?

    /// Receipts that carry no signature. With a key they are reported, not failed: a signature
    /// is checked where there is one.
    public var unsigned: Int { receipts.filter { !$0.signed }.count }

    /// 1 when anything mismatched, when there is no receipt, or when a key was given and no
    /// receipt is signed (nothing vouches for the commit under that key); 3 when something could
    /// not be checked; else 0.
    public var status: ExitStatus {
        if receipts.isEmpty || receipts.contains(where: { $0.outcome == .mismatch }) { return .gateFailed }
        if keyid != nil && !receipts.contains(where: \.signed) { return .gateFailed }
        if receipts.contains(where: { $0.outcome == .unchecked }) { return .partial }
        return .pass
    }

    enum CodingKeys: String, CodingKey { case schema, commit, receipts, keyid, unsigned }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema); try c.encode(commit, forKey: .commit)
        try c.encode(receipts, forKey: .receipts); try c.encodeIfPresent(keyid, forKey: .keyid)
        try c.encode(unsigned, forKey: .unsigned)
    }
}

/// Recomputes what a receipt claims from git objects and files.
struct ReceiptVerifier {
    let repo: Repository
    let key: ReceiptPublicKey?
    /// The commit whose receipts are verified; parents must be among the receipts on it or its ancestors.
    let commit: ObjectID
    private var reachableDigests: Set<String>?

    init(repo: Repository, key: ReceiptPublicKey?, commit: ObjectID) {
        self.repo = repo; self.key = key; self.commit = commit
    }

    mutating func verify(_ stored: StoredReceipt) throws(AssayError) -> ReceiptVerification {
        var checks: [ReceiptCheck] = []
        guard let parsed = stored.parsed else {
            checks.append(ReceiptCheck(.mismatch, "line \(stored.lineNumber) of the note on \(stored.commit.prefix(12)) is not a receipt: \(stored.problem ?? "unreadable")"))
            return ReceiptVerification(commit: stored.commit, line: stored.lineNumber, digest: nil, command: nil, verdict: nil,
                                       startedAt: nil, signed: false, checks: checks)
        }
        let p = parsed.statement.predicate
        if !parsed.isCanonical {
            checks.append(ReceiptCheck(.mismatch, "the statement is not in canonical form (sorted keys, no spaces): its bytes were edited"))
        }
        checks += commitChecks(p, attachedTo: stored.commit)
        checks += subjectChecks(parsed.statement)
        for f in p.outputFiles { checks.append(outputCheck(f)) }
        for (role, files) in [("input", p.inputFiles), ("policy", p.policyFiles), ("rubric", p.rubricFiles)] {
            for f in files { checks.append(inputCheck(f, role: role)) }
        }
        if !p.parentReceipts.isEmpty {
            let known = try reachable()
            for parent in p.parentReceipts {
                if known.contains(parent) {
                    checks.append(ReceiptCheck(.ok, "parent receipt \(parent.prefix(12)) is on \(commit.short) or an ancestor"))
                } else {
                    checks.append(ReceiptCheck(.mismatch, "parent receipt \(parent) is not among the receipts on \(commit.short) or its ancestors (fetch them: assay receipts sync)"))
                }
            }
        }
        checks += signatureChecks(parsed)
        return ReceiptVerification(commit: stored.commit, line: stored.lineNumber, digest: parsed.digest, command: p.command,
                                   verdict: p.verdict, startedAt: p.startedAt, signed: parsed.isSigned, checks: checks)
    }

    private func commitChecks(_ p: ReceiptPredicate, attachedTo note: String) -> [ReceiptCheck] {
        var checks: [ReceiptCheck] = []
        if p.gitSHA != note {
            // notes.rewriteRef carries notes to the commits a rebase or amend makes: the receipt is
            // intact, but it vouches for the commit it names, not this one.
            checks.append(ReceiptCheck(.unchecked, "the receipt is for commit \(p.gitSHA.prefix(12)), carried to \(note.prefix(12)) by a rebase or amend: it says nothing about \(note.prefix(12))"))
        }
        guard let id = ObjectID(hex: p.gitSHA) else { return checks }
        do {
            let tree = try repo.commitHeader(id).tree
            if tree.hex == p.gitTree {
                checks.append(ReceiptCheck(.ok, "commit \(id.short) has tree \(tree.short), as recorded"))
            } else {
                checks.append(ReceiptCheck(.mismatch, "git_tree \(p.gitTree) ≠ the tree of commit \(id.short), \(tree.hex)"))
            }
        } catch {
            if error.isMissingObject {
                checks.append(ReceiptCheck(.unchecked, "commit \(p.gitSHA) is not in this repository: its tree cannot be checked (git fetch)"))
            } else {
                checks.append(ReceiptCheck(.mismatch, "commit \(p.gitSHA) cannot be read: \(error.message)"))
            }
        }
        return checks
    }

    private func subjectChecks(_ s: ReceiptStatement) -> [ReceiptCheck] {
        let expected = ReceiptStatement(predicate: s.predicate).subjects
        if Set(expected) == Set(s.subjects) && expected.count == s.subjects.count { return [] }
        return [ReceiptCheck(.mismatch, "the subjects do not match output_files (or the commit, when there are none)")]
    }

    private func outputCheck(_ f: ReceiptFile) -> ReceiptCheck {
        if let url = ReceiptFiles.location(f.path, repository: repo), let data = try? Data(contentsOf: url, options: .mappedIfSafe) {
            let now = data.withUnsafeBytes { ReceiptFile.digests(of: $0) }
            if now.sha256 != f.sha256 {
                return ReceiptCheck(.mismatch, "output file \(f.path) changed since the receipt: sha256 \(f.sha256) ≠ \(now.sha256)")
            }
            if now.gitBlob != f.gitBlob {
                return ReceiptCheck(.mismatch, "output file \(f.path): git blob \(f.gitBlob) ≠ \(now.gitBlob) (the receipt contradicts itself)")
            }
            return ReceiptCheck(.ok, "output file \(f.path): sha256 and git blob match")
        }
        // Not on disk here: the blob may be in git (a committed artefact, a dataset).
        switch blobCheck(f) {
        case .some(true): return ReceiptCheck(.ok, "output file \(f.path) is not on disk; git blob \(f.gitBlob.prefix(12)) has the recorded sha256")
        case .some(false): return ReceiptCheck(.mismatch, "output file \(f.path): git blob \(f.gitBlob) does not hash to the recorded sha256 \(f.sha256)")
        case .none: return ReceiptCheck(.unchecked, "output file \(f.path) is not on disk and git has no blob \(f.gitBlob.prefix(12)): cannot check it")
        }
    }

    /// Inputs may change after a run (the receipt covers what it read): a changed or missing input is a note.
    private func inputCheck(_ f: ReceiptFile, role: String) -> ReceiptCheck {
        if blobCheck(f) == false {
            return ReceiptCheck(.mismatch, "\(role) file \(f.path): git blob \(f.gitBlob) does not hash to the recorded sha256 \(f.sha256)")
        }
        if let url = ReceiptFiles.location(f.path, repository: repo), let data = try? Data(contentsOf: url, options: .mappedIfSafe) {
            let now = data.withUnsafeBytes { ReceiptFile.digests(of: $0) }
            if now.sha256 == f.sha256 { return ReceiptCheck(.ok, "\(role) file \(f.path): unchanged") }
            return ReceiptCheck(.note, "\(role) file \(f.path) has changed since the run (sha256 \(f.sha256.prefix(12))… ≠ \(now.sha256.prefix(12))…); the receipt covers what the run read")
        }
        return ReceiptCheck(.note, "\(role) file \(f.path) is not on disk here")
    }

    /// nil: git has no such blob; else whether its bytes have the recorded sha256.
    private func blobCheck(_ f: ReceiptFile) -> Bool? {
        guard let id = ObjectID(hex: f.gitBlob), repo.contains(id), let bytes = try? repo.blob(id) else { return nil }
        return bytes.withUnsafeBytes { ReceiptFile.digests(of: $0).sha256 } == f.sha256
    }

    private func signatureChecks(_ parsed: ReceiptLine) -> [ReceiptCheck] {
        guard let key else {
            if let e = parsed.envelope {
                return [ReceiptCheck(.note, "signed (keyid \(e.signatures.first?.keyid.prefix(12) ?? "none")); the signature was not checked: pass --key PUB")]
            }
            return []
        }
        guard let e = parsed.envelope else {
            // Unsigned is not forged: the receipt is reported as unsigned, and only signatures that
            // exist are held to the key.
            return [ReceiptCheck(.note, "unsigned: there is no signature to check against key \(key.keyid.prefix(12))")]
        }
        if !e.signatures(verifyingWith: key).isEmpty {
            return [ReceiptCheck(.ok, "signature verifies with key \(key.keyid.prefix(12))")]
        }
        let ids = e.signatures.map { String($0.keyid.prefix(12)) }.joined(separator: ", ")
        return [ReceiptCheck(.mismatch, "the signature does not verify with key \(key.keyid.prefix(12)) (signed by keyid \(ids.isEmpty ? "none" : ids))")]
    }

    /// Digests of every receipt on `commit` or its ancestors.
    private mutating func reachable() throws(AssayError) -> Set<String> {
        if let reachableDigests { return reachableDigests }
        var out = Set<String>()
        for (sha, receipts) in try ReceiptStore.allReceipts(in: repo) {
            guard let id = ObjectID(hex: sha) else { continue }
            let isAncestor = (try? repo.isAncestor(id, of: commit)) ?? false
            guard isAncestor else { continue }
            for r in receipts { if let d = r.digest { out.insert(d) } }
        }
        reachableDigests = out
        return out
    }
}
