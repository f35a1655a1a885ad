import AssayCore
import AssayForge
import AssayReport
import Foundation
import GitKit

/// What `assay ci` is asked to do.
public struct CIRequest: Sendable {
    public var repositoryPath: String
    /// The CI system's environment (`GITHUB_*`, `CI_*`).
    public var environment: [String: String]
    /// A token that may write statuses, check runs and comments; nil reports locally only.
    public var token: String?
    public var failOn: Severity?
    public var policyPath: String?
    public var rubricPath: String?
    /// Where to write SARIF (GitHub's copy when on GitHub: suppressed results left out).
    public var sarifPath: String?
    /// Where to write JUnit XML (GitLab's `artifacts:reports:junit`).
    public var junitPath: String?
    /// HTTP: the longest a request may take, and how often to try it.
    public var httpTimeout: Double = 30
    public var retry: RetryPolicy = .standard
    /// One redacted line per HTTP attempt (`--verbose`).
    public var log: (@Sendable (String) -> Void)?

    public init(repositoryPath: String, environment: [String: String], token: String? = nil, failOn: Severity? = .block,
                policyPath: String? = nil, rubricPath: String? = nil, sarifPath: String? = nil, junitPath: String? = nil) {
        self.repositoryPath = repositoryPath; self.environment = environment; self.token = token; self.failOn = failOn
        self.policyPath = policyPath; self.rubricPath = rubricPath; self.sarifPath = sarifPath; self.junitPath = junitPath
    }
}

/// What `assay ci` did.
public struct CIOutcome: Sendable {
    public var context: CIContext?
    /// The audit; nil when it could not run.
    public var report: AuditReport?
    /// Why the audit could not run.
    public var error: AssayError?
    /// Workflow commands for GitHub Actions to print on standard output (annotations).
    public var annotations = ""
    /// What was written and posted, a line each.
    public var done: [String] = []
    /// Reporting that failed or was skipped: never a reason to change the verdict.
    public var warnings: [String] = []
    /// Set when the forge refused a post for lack of permission: the posts after it are not tried.
    public var readOnlyToken = false

    /// 0 pass · 1 gate failed · 2 could not run · 3 partial.
    public var exitStatus: Int32 {
        if let error { return error.status.rawValue }
        guard let report else { return ExitStatus.couldNotRun.rawValue }
        if report.verdict == "fail" { return ExitStatus.gateFailed.rawValue }
        return report.isPartial ? ExitStatus.partial.rawValue : 0
    }
}

/// `assay ci`: the audit of a pull request or a push, reported where the CI system and the forge
/// show it. Reporting never changes the verdict: a failed post is a warning.
public struct CIService: Sendable {
    public static let statusContext = "assay/audit"
    public static let checkName = "assay audit"

    public init() {}

    public func run(_ request: CIRequest) -> CIOutcome {
        var outcome = CIOutcome()
        let context: CIContext
        do { context = try CIEvent.context(environment: request.environment) } catch {
            outcome.error = error
            return outcome
        }
        outcome.context = context
        outcome.done += context.notes
        let forge = githubClient(request, context, &outcome)

        // The audit.
        var bodyFile: URL?
        defer { if let bodyFile { try? FileManager.default.removeItem(at: bodyFile) } }
        let report: AuditReport
        do {
            let mode = try checkedMode(context, request.repositoryPath, &outcome)
            if let body = context.pullRequestBody, !body.isEmpty {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("assay-pr-body-\(UUID().uuidString).md")
                if FileManager.default.createFile(atPath: file.path, contents: Data(body.utf8), attributes: [.posixPermissions: 0o600]) {
                    bodyFile = file
                } else {
                    outcome.warnings.append("cannot write the pull request's body to \(file.path): its claims were not checked")
                }
            }
            var audit = AuditRequest(repositoryPath: request.repositoryPath, mode: mode, prBodyPath: bodyFile?.path,
                                     policyPath: request.policyPath, rubricPath: request.rubricPath,
                                     branch: context.branch, failOn: request.failOn)
            // The gate's rules come from the base: a pull request cannot turn its own checks off.
            audit.settingsFromBase = true
            report = try AuditService().run(audit)
        } catch {
            outcome.error = error
            if let forge {
                post(&outcome) { () throws(ForgeError) in
                    try forge.createStatus(sha: context.headSHA, state: .error, context: Self.statusContext,
                                           description: "assay could not run: \(error.what)", targetURL: context.runURL)
                    return "commit status: error"
                }
            }
            return outcome
        }
        outcome.report = report
        let input = report.reportInput

        // Files and the job log.
        if let path = request.sarifPath {
            write(SARIFReporter.report(input, forGitHub: context.provider == .github), to: path, what: "SARIF", &outcome)
        }
        if let path = request.junitPath {
            write(JUnitReporter.report(input, failOn: request.failOn), to: path, what: "JUnit XML", &outcome)
        }
        if context.provider == .github {
            outcome.annotations = GitHubAnnotations.report(input)
            if let summary = context.stepSummaryPath, !summary.isEmpty {
                append(MarkdownReporter.report(input, limit: MarkdownReporter.summaryLimit), to: summary, &outcome)
            }
        }

        // The forge.
        guard let forge else { return outcome }
        let failed = report.verdict == "fail"
        post(&outcome) { () throws(ForgeError) in
            try forge.createStatus(sha: context.headSHA, state: failed ? .failure : .success, context: Self.statusContext,
                                   description: Self.statusDescription(report), targetURL: context.runURL)
            return "commit status: \(failed ? "failure" : "success")"
        }
        post(&outcome) { () throws(ForgeError) in
            let annotations = Self.checkAnnotations(report.findings)
            let result = try forge.createCheckRun(name: Self.checkName, headSHA: context.headSHA,
                                                  conclusion: failed ? .failure : report.isPartial ? .neutral : .success,
                                                  title: report.summaryLine,
                                                  summary: MarkdownReporter.report(input, limit: GitHubClient.checkOutputLimit - 200),
                                                  annotations: annotations)
            return "check run \(result.id): \(annotations.count) annotation\(annotations.count == 1 ? "" : "s") in \(result.requests) request\(result.requests == 1 ? "" : "s")"
        }
        if let number = context.pullRequest {
            post(&outcome) { () throws(ForgeError) in
                let body = MarkdownReporter.report(input)
                switch try forge.upsertComment(issueNumber: number, marker: MarkdownReporter.marker, body: body) {
                case .created(let id): return "pull request comment \(id): created"
                case .updated(let id): return "pull request comment \(id): updated"
                }
            }
        }
        return outcome
    }

    // MARK: Range

    /// The mode to audit, with its commits checked: a base missing from a shallow clone is exit 2
    /// naming `fetch-depth: 0`; a base gone after a force push falls back to the branch's own commits.
    func checkedMode(_ context: CIContext, _ path: String, _ outcome: inout CIOutcome) throws(AssayError) -> AuditMode {
        let repo = try RepositoryAccess.open(path)
        func present(_ sha: String) -> Bool { (try? repo.resolveCommit(sha)) != nil }
        let shallowFix = "fetch the history (`fetch-depth: 0` in actions/checkout; `GIT_DEPTH: 0` in GitLab CI)"
        if !present(context.headSHA) {
            throw AssayError("the commit \(context.headSHA) is not in this clone", fix: repo.isShallow ? shallowFix : "check out the event's commit")
        }
        guard case .range(let spec) = context.mode, let base = spec.components(separatedBy: "..").first else { return context.mode }
        if present(base) { return context.mode }
        if repo.isShallow {
            throw AssayError("the base \(base.prefix(12)) of this \(context.event) is not in this shallow clone", fix: shallowFix)
        }
        outcome.done.append("the base \(base.prefix(12)) is not in the repository (a force push?): auditing the branch's own commits")
        let others = ((try? repo.references(glob: "refs/remotes/origin/*")) ?? []).map(\.name)
            .filter { $0 != "refs/remotes/origin/\(context.branch ?? "")" && $0 != "refs/remotes/origin/HEAD" }
        return .pushed(head: context.headSHA, excluding: others)
    }

    // MARK: Reporting

    func githubClient(_ request: CIRequest, _ context: CIContext, _ outcome: inout CIOutcome) -> GitHubClient? {
        guard context.provider == .github else { return nil }
        guard let token = request.token, !token.isEmpty else {
            outcome.done.append("no token: no commit status, check run or comment (annotations and the job summary only)")
            return nil
        }
        guard let repository = context.repository else {
            outcome.warnings.append("GITHUB_REPOSITORY is not set: nothing posted")
            return nil
        }
        let http = HTTPClient(timeout: request.httpTimeout, connectTimeout: min(10, request.httpTimeout), retry: request.retry,
                              secrets: [token], log: request.log)
        do {
            return try GitHubClient(repository: repository, token: token, apiURL: context.apiURL ?? GitHubClient.defaultAPIURL, http: http)
        } catch {
            outcome.warnings.append(error.description)
            return nil
        }
    }

    /// Runs one post; a token that may not write stops the posts that follow (a fork's pull
    /// request), any other failure is a warning.
    func post(_ outcome: inout CIOutcome, _ action: () throws(ForgeError) -> String) {
        if outcome.readOnlyToken { return }
        do { outcome.done.append(try action()) } catch {
            if error.isPermissionDenied {
                outcome.readOnlyToken = true
                outcome.warnings.append("\(error.description) — the token may not write (a fork's pull request?): reported through annotations and the job summary only")
            } else {
                outcome.warnings.append(error.description)
            }
        }
    }

    func write(_ text: String, to path: String, what: String, _ outcome: inout CIOutcome) {
        if FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) {
            outcome.done.append("\(what) written to \(path)")
        } else {
            outcome.warnings.append("cannot write \(what) to \(path)")
        }
    }

    func append(_ text: String, to path: String, _ outcome: inout CIOutcome) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }() else {
            outcome.warnings.append("cannot write the job summary to \(path)")
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        handle.write(Data(text.utf8))
        outcome.done.append("job summary written")
    }

    /// At most 140 characters: the counts, then the first finding, then how many more
    /// (`2 blocking · 1 warn — stub marker `todo!()` added in src/x.rs (+2 more)`).
    public static func statusDescription(_ report: AuditReport) -> String {
        let s = report.summary
        var counts = "\(s.block) blocking · \(s.warn) warn"
        if s.info > 0 { counts += " · \(s.info) info" }
        if report.isPartial { counts += " · partial" }
        let shown = report.findings.filter { $0.severity >= .warn }
        guard let first = shown.first else {
            return report.verdict == "pass" ? "pass — \(counts) in \(s.files) file\(s.files == 1 ? "" : "s")" : "fail — \(counts)"
        }
        let more = shown.count > 1 ? " (+\(shown.count - 1) more)" : ""
        var detail = "\(first.message) in \(first.displayPath)"
        let room = GitHubClient.statusDescriptionLimit - counts.count - " — ".count - more.count
        if detail.count > room { detail = String(detail.prefix(max(0, room - 1))) + "…" }
        return counts + " — " + detail + more
    }

    /// Findings in files as check-run annotations, most severe first.
    static func checkAnnotations(_ findings: [Finding]) -> [CheckAnnotation] {
        findings.filter { !$0.path.hasPrefix("commit ") && $0.path != "PR body" && !$0.path.hasPrefix("/") }.map { f in
            let level: CheckAnnotation.Level = f.severity == .block ? .failure : f.severity == .warn ? .warning : .notice
            return CheckAnnotation(path: f.displayPath, startLine: max(1, f.line), endLine: max(1, f.endLine), level: level,
                                   message: ([f.message] + f.evidence.prefix(2)).joined(separator: "\n"), title: f.rule)
        }
    }
}
