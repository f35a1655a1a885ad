import AssayCore
import AssayLedger
import AssayRules
import Foundation
import GitKit
import MarkdownKit

/// The claims an audited change makes, where each is written, and the doc lines that may admit stubs.
struct AuditClaimsRun {
    var results: [ClaimResult] = []
    /// Each result with the path and line a finding about it points at.
    var located: [(result: ClaimResult, path: String, line: Int)] = []
    var admissionLines: [(source: String, text: String)] = []
    var unreadable: [String] = []
}

extension AuditService {
    /// Checks the claims on the lines the change adds to claim-bearing docs, in its commit messages,
    /// in `--message` and in `--pr-body`, against the audited content. Commit-message claims are
    /// also judged where they were written (a claim false in its own commit is contradicted; one
    /// true then but false at the end of the range is stale).
    func checkClaims(_ request: AuditRequest, _ change: AuditedChange, _ config: AssayConfig, _ files: [ChangedFile],
                     _ warnings: inout [String]) throws(AssayError) -> AuditClaimsRun {
        var run = AuditClaimsRun()
        let repo = change.repo
        let changedPaths = change.changes.filter { $0.status != .deleted }.map(\.path.string)
        let shared = SharedHistory(opening: { [path = request.repositoryPath, sha = change.sha] in
            // History (when was a path deleted, renamed) comes from the ledger, brought up to date on
            // first use only: most audits never ask.
            _ = try? SnapshotService().run(SnapshotRequest(repositoryPath: path, revisions: [sha], workers: 1))
            guard let r = try? RepositoryAccess.open(path) else { return nil }
            return try? RepositoryAccess.openLedger(for: r)
        })
        var audited: GitFacts?
        func facts() throws(AssayError) -> GitFacts {
            if let audited { return audited }
            let tree: ObjectID
            do { tree = try change.targetTree() } catch { throw RepositoryAccess.explain(error, doing: "build the audited tree") }
            let f = GitFacts(repo: repo, shared: shared, commit: change.targetCommit ?? change.baseCommit ?? .zero, tree: tree)
            f.changedFilesOverride = changedPaths
            f.baseTreeOverride = .some(change.baseTree)
            audited = f
            return f
        }
        func verifyHere(_ extracted: ExtractedClaim) throws(AssayError) -> ClaimResult {
            if extracted.abstainReason != nil { return ClaimVerifier.verify(extracted, facts: NoFacts()) }
            let f = try facts()
            return ClaimsService.verifyNoting(extracted, f) { ClaimsService.proseIfNeverCode(ClaimVerifier.verify(extracted, facts: f)) }
        }

        // Docs the change edits: claims on the lines it adds.
        for file in files where !file.isBinary {
            let path = file.path
            let lower = path.lowercased()
            if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") || lower.hasSuffix(".txt") || lower.hasSuffix(".rst") {
                run.admissionLines += file.addedLines.map { ("\(path):\($0.number)", $0.text) }
            }
            guard ClaimsService.sourceReason(path, config) != nil else { continue }
            let added = Set(file.addedLines.map(\.number))
            guard !added.isEmpty else { continue }
            let bytes = Array((file.lines.joined(separator: "\n") + "\n").utf8)
            guard let extracted = ClaimsService.extract(bytes, path: path, commit: change.sha) else {
                warnings.append("\(path): not a Task Master tasks file (invalid JSON or no \"tasks\"); its claims were not checked")
                continue
            }
            for claim in extracted {
                guard let line = claim.claim.source.line, added.contains(line) else { continue }
                let result = try verifyHere(claim)
                run.results.append(result)
                run.located.append((result, path, line))
            }
        }

        // Commit messages in the change: judged where written and at the end of the change.
        for (id, message) in change.messages {
            let extracted = DocClaimExtractor.claims(inCommitMessage: message, commit: id.hex)
            guard !extracted.isEmpty else { continue }
            let written: GitFacts
            do {
                written = GitFacts(repo: repo, shared: shared, commit: id, tree: try repo.commitHeader(id).tree)
            } catch { throw RepositoryAccess.explain(error, doing: "read commit \(id.hex)") }
            for claim in extracted {
                let result: ClaimResult
                if claim.abstainReason != nil {
                    result = ClaimVerifier.verify(claim, facts: written)
                } else {
                    let f = try facts()
                    result = ClaimsService.verifyNoting(claim, f) {
                        ClaimsService.verifyNoting(claim, written) { ClaimsService.judge(claim, writtenAt: written, auditedAt: f) }
                    }
                }
                run.results.append(result)
                run.located.append((result, "commit \(id.short)", claim.claim.source.line ?? 0))
            }
        }

        // A commit message not yet committed (the commit-msg hook), and a PR body.
        if let path = request.messagePath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the commit message", at: path, fix: "pass --message with the message file")
            }
            let message = Self.strippingComments(String(decoding: data, as: UTF8.self))
            for claim in DocClaimExtractor.claims(inCommitMessage: message, commit: change.sha) {
                var c = claim
                c.claim.source.path = path
                let result = try verifyHere(c)
                run.results.append(result)
                run.located.append((result, path, claim.claim.source.line ?? 0))
            }
        }
        if let path = request.prBodyPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the PR body", at: path, fix: "pass --pr-body with a readable Markdown file")
            }
            let document = MarkdownDocument.parse(Array(data))
            for claim in DocClaimExtractor.claims(in: document, source: ClaimSource(kind: "pr-body", path: path, commit: change.sha)) {
                let result = try verifyHere(claim)
                run.results.append(result)
                // A stable name, not the (often temporary) file: fingerprints must survive runs.
                run.located.append((result, "PR body", claim.claim.source.line ?? 0))
            }
        }
        let missing = run.results.filter { $0.verdictClass == "objects missing" }.count
        if missing > 0 {
            run.unreadable.append("\(missing) claim\(missing == 1 ? "" : "s") could not be checked: git objects are missing (a partial clone?); `git fetch` brings them back")
        }
        return run
    }

    /// Whether the commit message in `path` makes any claim there is to check (a commit-msg hook
    /// whose message claims nothing need not read the index). Unreadable: true (let the audit say why).
    public static func messageMakesClaims(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return true }
        let message = strippingComments(String(decoding: data, as: UTF8.self))
        return DocClaimExtractor.claims(inCommitMessage: message, commit: "").contains { $0.abstainReason == nil }
    }

    /// A commit message as git will record it: `#` comment lines and everything below the scissors
    /// line (`git commit -v`) removed.
    static func strippingComments(_ message: String) -> String {
        var kept: [String] = []
        for line in ChangedFile.splitLines(message) {
            if line.hasPrefix("# ------------------------ >8 ------------------------") { break }
            if line.hasPrefix("#") { continue }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }
}

/// Facts for claims that abstain before any lookup (the verifier never asks).
private struct NoFacts: RepositoryFacts {
    var sha: String { "" }
    func kind(of path: String) -> PathKind? { nil }
    func contents(of path: String) -> [UInt8]? { nil }
    func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)? { nil }
    func isIgnored(_ path: String) -> Bool { false }
    func files(under path: String) -> [String] { [] }
    var changedFiles: [String] { [] }
    func commit(named id: String) -> (sha: String, subject: String)? { nil }
    var isShallow: Bool { false }
    func definition(of name: String) -> String? { nil }
}
