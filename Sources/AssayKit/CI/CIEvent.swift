import AssayCore
import Foundation

/// What a CI run is about, read from the CI system's environment (and, on GitHub Actions, the event
/// payload at `GITHUB_EVENT_PATH`).
public struct CIContext: Sendable, Equatable {
    public enum Provider: String, Sendable, Codable { case github, gitlab }

    public var provider: Provider
    /// `pull_request`, `push`, `merge_request_event`, …
    public var event: String
    /// What to audit.
    public var mode: AuditMode
    /// The commit statuses and check runs are posted on: the pull request's head, or the pushed tip.
    public var headSHA: String
    /// The pull or merge request number, when there is one.
    public var pullRequest: Int?
    /// The pull request's description (its claims are checked too).
    public var pullRequestBody: String?
    /// The branch whose policy overrides apply.
    public var branch: String?
    /// `owner/name` (GitHub) or the project path (GitLab).
    public var repository: String?
    /// The forge's API base URL.
    public var apiURL: String?
    /// A link to this CI run, for the commit status.
    public var runURL: String?
    /// Where GitHub Actions collects the job summary (`GITHUB_STEP_SUMMARY`).
    public var stepSummaryPath: String?
    /// Notes on how the range was chosen.
    public var notes: [String] = []
}

public enum CIEvent {
    static let zero = String(repeating: "0", count: 40)

    /// Reads the context of the CI run `environment` describes. `repository` resolves branch tips for
    /// a new branch's push.
    public static func context(environment env: [String: String], eventPayload: Data? = nil) throws(AssayError) -> CIContext {
        if env["GITHUB_ACTIONS"] == "true" { return try github(env, eventPayload) }
        if env["GITLAB_CI"] == "true" { return try gitlab(env) }
        throw AssayError("not in a CI run assay knows (GITHUB_ACTIONS or GITLAB_CI is not set)",
                         fix: "run `assay ci` inside GitHub Actions or GitLab CI; elsewhere use `assay audit --range BASE..HEAD`")
    }

    static func github(_ env: [String: String], _ payload: Data?) throws(AssayError) -> CIContext {
        let name = env["GITHUB_EVENT_NAME"] ?? ""
        var json: [String: Any] = [:]
        var data = payload
        if data == nil, let path = env["GITHUB_EVENT_PATH"], !path.isEmpty {
            guard let read = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the event payload", at: path, fix: "GITHUB_EVENT_PATH must name the event JSON GitHub Actions writes")
            }
            data = read
        }
        if let data {
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw AssayError("the event payload is not a JSON object", at: env["GITHUB_EVENT_PATH"] ?? "event payload",
                                 fix: "GITHUB_EVENT_PATH must name the event JSON GitHub Actions writes")
            }
            json = object
        }
        let api = env["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.github.com"
        let server = env["GITHUB_SERVER_URL"] ?? "https://github.com"
        let repo = env["GITHUB_REPOSITORY"]
        let runURL = repo.flatMap { r in env["GITHUB_RUN_ID"].map { "\(server)/\(r)/actions/runs/\($0)" } }
        var context = CIContext(provider: .github, event: name, mode: .workingTree, headSHA: env["GITHUB_SHA"] ?? "HEAD",
                                repository: repo, apiURL: api, runURL: runURL, stepSummaryPath: env["GITHUB_STEP_SUMMARY"])
        // The branch the run is for is the event's, never the one the checkout happens to be on.
        context.branch = branch(fromRef: env["GITHUB_REF"])
            ?? (env["GITHUB_REF_TYPE"].map { $0 == "branch" } ?? true ? env["GITHUB_REF_NAME"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        switch name {
        case "pull_request", "pull_request_target":
            guard let pr = json["pull_request"] as? [String: Any],
                  let base = (pr["base"] as? [String: Any])?["sha"] as? String,
                  let head = (pr["head"] as? [String: Any])?["sha"] as? String else {
                throw AssayError("the \(name) payload has no pull_request.base.sha / head.sha", at: env["GITHUB_EVENT_PATH"],
                                 fix: "run on a pull_request event, or use `assay audit --range BASE..HEAD`")
            }
            context.mode = .range("\(base)..\(head)")
            context.headSHA = head
            context.pullRequest = (pr["number"] as? Int) ?? (json["number"] as? Int)
            context.pullRequestBody = pr["body"] as? String
            // Branch overrides follow the branch the change goes into (a "release/**" rule applies to
            // pull requests into release branches), never the author's branch name.
            context.branch = env["GITHUB_BASE_REF"].flatMap { $0.isEmpty ? nil : $0 } ?? ((pr["base"] as? [String: Any])?["ref"] as? String)
        case "push":
            let before = json["before"] as? String ?? zero
            let after = json["after"] as? String ?? env["GITHUB_SHA"] ?? "HEAD"
            context.headSHA = after
            // The pushed ref, from the payload first (`refs/heads/main`); a tag push has no branch.
            if let ref = json["ref"] as? String { context.branch = branch(fromRef: ref) }
            if before == zero {
                // A new branch: its own commits, those the default branch does not have.
                let defaultBranch = (json["repository"] as? [String: Any])?["default_branch"] as? String
                context.mode = .pushed(head: after, excluding: otherBranch(defaultBranch, than: context.branch))
                context.notes.append("a new branch: auditing the commits \(defaultBranch ?? "no other branch") does not have")
            } else {
                context.mode = .range("\(before)..\(after)")
            }
        default:
            context.mode = .commit(context.headSHA)
            context.notes.append("event `\(name)` has no range: auditing the commit \(context.headSHA.prefix(12)) against its parent")
        }
        return context
    }

    static func gitlab(_ env: [String: String]) throws(AssayError) -> CIContext {
        let source = env["CI_PIPELINE_SOURCE"] ?? ""
        let head = env["CI_COMMIT_SHA"] ?? "HEAD"
        var context = CIContext(provider: .gitlab, event: source, mode: .commit(head), headSHA: head,
                                repository: env["CI_PROJECT_PATH"], apiURL: env["CI_API_V4_URL"], runURL: env["CI_PIPELINE_URL"],
                                stepSummaryPath: nil)
        if let iid = env["CI_MERGE_REQUEST_IID"], let number = Int(iid) {
            // A merged-results pipeline runs on the merge of the MR into the target's tip
            // (CI_MERGE_REQUEST_TARGET_BRANCH_SHA is set only there): the MR's change is that tip..merge.
            let target = env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"].flatMap { $0.isEmpty ? nil : $0 }
            guard let base = target ?? env["CI_MERGE_REQUEST_DIFF_BASE_SHA"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw AssayError("a merge request pipeline without CI_MERGE_REQUEST_DIFF_BASE_SHA",
                                 fix: "run the job in a merge request pipeline (rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\")")
            }
            context.mode = .range("\(base)..\(head)")
            context.pullRequest = number
            context.pullRequestBody = env["CI_MERGE_REQUEST_DESCRIPTION"]
            context.branch = env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]
            return context
        }
        context.branch = env["CI_COMMIT_BRANCH"] ?? env["CI_COMMIT_REF_NAME"]
        let before = env["CI_COMMIT_BEFORE_SHA"] ?? zero
        if source == "push", before != zero, !before.isEmpty {
            context.mode = .range("\(before)..\(head)")
        } else if source == "push" {
            let defaultBranch = env["CI_DEFAULT_BRANCH"]
            context.mode = .pushed(head: head, excluding: otherBranch(defaultBranch, than: context.branch))
            context.notes.append("a new branch: auditing the commits \(defaultBranch ?? "no other branch") does not have")
        } else {
            context.notes.append("pipeline source `\(source)` has no range: auditing the commit \(head.prefix(12)) against its parent")
        }
        return context
    }

    /// `main` for `refs/heads/main`; nil for anything that is not a branch (a tag, a pull request's merge ref).
    static func branch(fromRef ref: String?) -> String? {
        guard let ref, ref.hasPrefix("refs/heads/"), ref.count > "refs/heads/".count else { return nil }
        return String(ref.dropFirst("refs/heads/".count))
    }

    /// The default branch's tips to leave out of a new branch's audit (none when the new branch is
    /// the default branch: then every commit is new).
    static func otherBranch(_ defaultBranch: String?, than branch: String?) -> [String] {
        guard let defaultBranch, defaultBranch != branch else { return [] }
        return ["refs/remotes/origin/\(defaultBranch)", "refs/heads/\(defaultBranch)"]
    }
}
