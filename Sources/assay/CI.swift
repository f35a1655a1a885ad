import ArgumentParser
import AssayCore
import AssayForge
import AssayKit
import Foundation

struct CI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Audit a pull request or a push in CI and report it where the CI system and the forge show it.",
        discussion: """
            What is audited comes from the CI event:
              GitHub Actions  pull_request: merge-base(base, head)..head, and the PR
                              body's claims; push: before..after (a new branch: the
                              commits the default branch does not have); other
                              events: the commit against its parent
              GitLab CI       merge request pipelines: the diff base..head, and the
                              description's claims; push pipelines: before..after

            Reports:
              GitHub Actions  annotations in the log (stdout), the job summary
                              (GITHUB_STEP_SUMMARY); with a token: a commit status
                              (context assay/audit), a check run with annotations,
                              and one pull-request comment, updated in place
                              (only a comment the token's own identity wrote)
              --sarif FILE    SARIF 2.1.0 for code scanning (upload-sarif)
              --junit FILE    JUnit XML (GitLab: artifacts:reports:junit)

            The token comes from --token, ASSAY_TOKEN, GITHUB_TOKEN or GH_TOKEN. It is
            never printed. A token that may not write (a fork's pull request) leaves
            the annotations and the job summary; a reporting failure is a warning and
            never changes the exit code. HTTP requests time out (--http-timeout) and
            are retried on 5xx and 429, honouring Retry-After.

            The checkout needs the history of the range: `fetch-depth: 0` in
            actions/checkout (GIT_DEPTH: 0 in GitLab). A base missing from a shallow
            clone is exit 2 with that fix.

            Exit codes: 0 pass, 1 the gate failed, 2 could not run, 3 partial.

            Examples:
              assay ci --sarif assay.sarif
              assay ci --junit assay-junit.xml        in GitLab CI
              assay ci --fail-on warn --no-post
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("A token that may post statuses, check runs and comments (default: ASSAY_TOKEN, GITHUB_TOKEN or GH_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(name: .long, help: "Post nothing to the forge (annotations, the job summary and files only).")
    var noPost = false

    @Option(name: .long, help: ArgumentHelp("Write SARIF 2.1.0 here.", valueName: "file"))
    var sarif: String?

    @Option(name: .long, help: ArgumentHelp("Write JUnit XML here.", valueName: "file"))
    var junit: String?

    @OptionGroup var gate: GateOptions

    @OptionGroup var receipt: ReceiptOptions

    @Option(name: .long, help: ArgumentHelp("Seconds an HTTP request may take.", valueName: "seconds"))
    var httpTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("Attempts per HTTP request (retried on 5xx, 429 and timeouts).", valueName: "n"))
    var httpAttempts: Int = 4

    @Option(name: .long, help: "text, or json (schema assay.ci/v1) on stdout after the annotations.")
    var format: OutputFormat = .text

    func validate() throws {
        if httpTimeout <= 0 { throw ValidationError("--http-timeout must be positive") }
        if httpAttempts < 1 { throw ValidationError("--http-attempts must be at least 1") }
    }

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        var request = CIRequest(repositoryPath: global.repo, environment: env,
                                token: noPost ? nil : (token ?? env["ASSAY_TOKEN"] ?? env["GITHUB_TOKEN"] ?? env["GH_TOKEN"]),
                                failOn: gate.failSeverity,
                                policyPath: gate.policy, rubricPath: gate.rubric, sarifPath: sarif, junitPath: junit)
        request.httpTimeout = httpTimeout
        request.retry = RetryPolicy(maxAttempts: httpAttempts)
        if global.verbose { request.log = { Terminal.standardError.write("assay: http: \($0)\n") } }
        let startedAt = Date()
        let outcome = CIService().run(request)

        if !outcome.annotations.isEmpty { Terminal.standardOutput.write(outcome.annotations) }
        if let error = outcome.error {
            Terminal.standardError.write("assay: error: \(error.description)\n")
        }
        if let report = outcome.report {
            let color = Terminal.standardError.useColor(global.color)
            Terminal.standardError.write(Audit.text(report, color: color, verbose: global.verbose))
            for notice in report.notices { Terminal.standardError.write("assay: note: \(notice)\n") }
            for warning in report.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
            for item in report.unreadable { Terminal.standardError.write("assay: warning: not audited: \(item)\n") }
        }
        for line in outcome.done { Terminal.standardError.write("assay: \(line)\n") }
        for warning in outcome.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
        if format == .json { printJSON(CISummary(outcome)) }
        if let report = outcome.report {
            receipt.leave(RunRecord(command: "ci", gitSHA: report.sha, gitDirty: false,
                                    outputFiles: [sarif, junit].compactMap { $0 },
                                    policyFiles: gate.policy.map { [$0] } ?? [], rubricFiles: gate.rubric.map { [$0] } ?? [],
                                    recordCounts: report.receiptCounts, validationPass: report.verdict == "pass" && !report.isPartial,
                                    errors: report.gate.reasons + report.unreadable, warnings: report.warnings + outcome.warnings,
                                    verdict: report.verdict, exitCode: Int(outcome.exitStatus), startedAt: startedAt),
                          repositoryPath: global.repo, verbose: global.verbose)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}

/// `assay ci --format json` (schema `assay.ci/v1`).
struct CISummary: Encodable {
    var schema = "assay.ci/v1"
    var provider: String?
    var event: String?
    var headSHA: String?
    var pullRequest: Int?
    var verdict: String?
    var error: String?
    var done: [String]
    var warnings: [String]
    var exitCode: Int32
    var report: AuditReport?

    init(_ o: CIOutcome) {
        provider = o.context?.provider.rawValue; event = o.context?.event; headSHA = o.context?.headSHA
        pullRequest = o.context?.pullRequest; verdict = o.report?.verdict; error = o.error?.description
        done = o.done; warnings = o.warnings; exitCode = o.exitStatus; report = o.report
    }

    enum CodingKeys: String, CodingKey {
        case schema, provider, event, headSHA = "head_sha", pullRequest = "pull_request", verdict, error, done, warnings
        case exitCode = "exit_code", report
    }
}
