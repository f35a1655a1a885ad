import AssayCore
import Foundation
import GitKit

/// What one hook run audits: one audit per pushed or received ref, or one of the staged content.
public struct HookPlan: Sendable {
    public struct Item: Sendable {
        /// What the audit is about, for the output ("refs/heads/main", "staged content").
        public var label: String
        public var request: AuditRequest
    }
    public var items: [Item] = []
    /// Refs left out on purpose (deletions, refs already up to date).
    public var notes: [String] = []
}

/// Turns a hook's arguments, standard input and environment into the audits it runs.
public enum HookRun {
    static let zero = String(repeating: "0", count: 40)

    /// Whether `SKIP` (the pre-commit framework's comma-separated list of hook ids) names assay.
    public static func isSkipped(_ environment: [String: String]) -> Bool {
        guard let skip = environment["SKIP"] else { return false }
        let ids = Set(skip.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        return !ids.isDisjoint(with: ["assay", "assay-commit-msg", "assay-pre-push"])
    }

    public static func plan(_ hook: HookKind, repositoryPath: String, arguments: [String], input: String,
                            environment: [String: String]) throws(AssayError) -> HookPlan {
        var plan = HookPlan()
        switch hook {
        case .preCommit:
            plan.items.append(.init(label: "staged content", request: AuditRequest(repositoryPath: repositoryPath, mode: .staged)))
        case .commitMsg:
            let repo = try RepositoryAccess.open(repositoryPath)
            // The pre-commit framework passes no file name (pass_filenames: false): git writes the
            // message to COMMIT_EDITMSG before it runs the hook.
            // During `git merge` the message is MERGE_MSG (COMMIT_EDITMSG still holds the last one).
            let merging = FileManager.default.fileExists(atPath: repo.gitDirectory.appendingPathComponent("MERGE_HEAD").path)
            let file = arguments.first ?? repo.gitDirectory.appendingPathComponent(merging ? "MERGE_MSG" : "COMMIT_EDITMSG").path
            var request = AuditRequest(repositoryPath: repositoryPath, mode: .staged, messagePath: file)
            request.checksContent = false
            plan.items.append(.init(label: "commit message", request: request))
        case .prePush:
            let repo = try RepositoryAccess.open(repositoryPath)
            let remote = arguments.first ?? environment["PRE_COMMIT_REMOTE_NAME"] ?? "origin"
            let lines = pushLines(input)
            if lines.isEmpty, environment["PRE_COMMIT_REMOTE_NAME"] != nil {
                // The pre-commit framework reads git's lines itself and passes the first pushed
                // ref's range; with no range (the push includes a root commit), the local branch.
                let branch = environment["PRE_COMMIT_REMOTE_BRANCH"].map(shortBranch)
                let to = environment["PRE_COMMIT_TO_REF"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["PRE_COMMIT_LOCAL_BRANCH"] ?? "HEAD"
                if let from = environment["PRE_COMMIT_FROM_REF"], !from.isEmpty {
                    plan.items.append(.init(label: branch ?? to, request: request(.range("\(from)..\(to)"), repositoryPath, branch)))
                } else {
                    let mode = AuditMode.pushed(head: to, excluding: remoteTips(repo, remote))
                    plan.items.append(.init(label: branch ?? to, request: request(mode, repositoryPath, branch)))
                }
                return plan
            }
            let malformed = input.split(whereSeparator: \.isNewline).count { $0.split(separator: " ").count != 4 && !$0.allSatisfy(\.isWhitespace) }
            if malformed > 0 { plan.notes.append("\(malformed) line\(malformed == 1 ? "" : "s") of input not in git's pre-push form (<local ref> <local sha> <remote ref> <remote sha>): ignored") }
            if lines.isEmpty { plan.notes.append("no refs on standard input: nothing to audit") }
            for line in lines {
                let (localRef, localSHA, remoteRef, remoteSHA) = (line[0], line[1], line[2], line[3])
                if localSHA == zero { plan.notes.append("\(remoteRef): deleted, nothing to audit"); continue }
                if localSHA == remoteSHA { plan.notes.append("\(remoteRef): up to date"); continue }
                // Branches only: tags, notes (assay's receipts travel as refs/notes/*) are not code changes.
                guard remoteRef.hasPrefix("refs/heads/"), !remoteRef.hasPrefix("refs/heads/assay/") else {
                    plan.notes.append("\(remoteRef): not a branch, not audited"); continue
                }
                let branch = shortBranch(remoteRef)
                let mode: AuditMode
                if remoteSHA != zero, repo.contains(ObjectID(hex: remoteSHA) ?? .zero) {
                    mode = .range("\(remoteSHA)..\(localSHA)")
                } else {
                    // A new branch (or one whose remote tip we have not fetched): the commits no
                    // remote-tracking branch of this remote has.
                    mode = .pushed(head: localSHA, excluding: remoteTips(repo, remote))
                }
                plan.items.append(.init(label: "\(localRef) → \(remoteRef)", request: request(mode, repositoryPath, branch)))
            }
        case .preReceive:
            let repo = try RepositoryAccess.open(repositoryPath)
            // The server's own policy, when its owner sets one (`git config assay.policy FILE`),
            // overrides the branch's `.assay.yml`.
            let serverPolicy: String?
            do { serverPolicy = try repo.configString("assay.policy") } catch {
                throw RepositoryAccess.explain(error, doing: "read assay.policy from the server's git config")
            }
            if let serverPolicy, !FileManager.default.fileExists(atPath: serverPolicy) {
                throw AssayError("the server's policy file does not exist", at: serverPolicy,
                                 fix: "fix `git config assay.policy` in \(repo.gitDirectory.path), or unset it")
            }
            for line in receiveLines(input) {
                let (oldSHA, newSHA, ref) = (line[0], line[1], line[2])
                if newSHA == zero { plan.notes.append("\(ref): deleted, nothing to audit"); continue }
                guard ref.hasPrefix("refs/heads/"), !ref.hasPrefix("refs/heads/assay/") else {
                    plan.notes.append("\(ref): not a branch (or assay's own), not audited"); continue
                }
                let branch = shortBranch(ref)
                let mode: AuditMode
                if oldSHA != zero {
                    mode = .range("\(oldSHA)..\(newSHA)")
                } else {
                    // A new branch: the commits no branch or tag here has yet (`--not --all`).
                    var tips: [String] = []
                    for glob in ["refs/heads/*", "refs/tags/*"] {
                        tips += ((try? repo.references(glob: glob)) ?? []).map(\.target.hex)
                    }
                    mode = .pushed(head: newSHA, excluding: tips)
                }
                // The server's gate: the pushed change cannot turn its own rules off.
                var audit = request(mode, repositoryPath, branch)
                audit.settingsFromBase = true
                audit.allowsSkipping = false
                audit.policyPath = serverPolicy
                plan.items.append(.init(label: ref, request: audit))
            }
        }
        return plan
    }

    private static func request(_ mode: AuditMode, _ path: String, _ branch: String?) -> AuditRequest {
        AuditRequest(repositoryPath: path, mode: mode, branch: branch)
    }

    /// `<local ref> <local sha> <remote ref> <remote sha>` lines (githooks(5), pre-push).
    static func pushLines(_ input: String) -> [[String]] {
        input.split(whereSeparator: \.isNewline).map { $0.split(separator: " ").map(String.init) }.filter { $0.count == 4 }
    }

    /// `<old sha> <new sha> <ref>` lines (githooks(5), pre-receive).
    static func receiveLines(_ input: String) -> [[String]] {
        input.split(whereSeparator: \.isNewline).map { $0.split(separator: " ").map(String.init) }.filter { $0.count == 3 }
    }

    static func shortBranch(_ ref: String) -> String {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
    }

    /// The tips of `remote`'s remote-tracking branches; when there are none (`remote` is a URL, or
    /// was never fetched), those of every remote: commits some remote has are not new.
    static func remoteTips(_ repo: Repository, _ remote: String) -> [String] {
        let own = ((try? repo.references(glob: "refs/remotes/\(remote)/*")) ?? []).map(\.target.hex)
        if !own.isEmpty { return own }
        return ((try? repo.references(glob: "refs/remotes/*")) ?? []).map(\.target.hex)
    }
}
