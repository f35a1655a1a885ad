import ArgumentParser
import AssayCore
import AssayKit
import AssayReport
import Foundation

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check what a change adds: stubs, TODOs, weak tests, conflict markers, big binaries, false claims.",
        discussion: """
            What is audited:
              (no flag)       the uncommitted change: index and working tree vs HEAD
                              (untracked files that are not ignored count as added)
              --staged        the staged content, read from the index (GIT_INDEX_FILE
                              is honoured): what `git commit` would record
              --commit REV    one commit against its first parent
              --range A..B    B against the merge-base of A and B, with every commit
                              message in between

            The static checks run on the lines the change adds (`assay rules`
            lists them). The claims the change makes (on the lines it adds to
            claim-bearing docs, in its commit messages, in --message and in
            --pr-body) are checked against the audited content; a contradicted
            claim is a finding. A stub that a doc the change edits admits
            ("`src/x.rs` is a skeleton with TODO markers") is info, not block.

            Policy: `policy:` in .assay.yml names a policy file in the repository,
            or writes one inline (it extends the default); --policy FILE overrides
            it. A policy maps each rule to block, warn, info or off, with path
            globs, per-branch overrides and thresholds (policies/default.yml shows
            every key).

            Suppressions:
              inline          `assay:allow RULE reason` in a comment on the line or
                              the line above (the reason is required)
              .assayignore    FINGERPRINT PATH [expires=YYYY-MM-DD] REASON per line;
                              expired and stale entries are reported
              --baseline REF  only findings not already in REF's version of the
                              changed files (read from git, no checkout)
              --baseline-file only findings whose fingerprints are not in a file
                              written by --write-baseline

            ASSAY_SKIP=rule,rule turns rules off for one run (a hook run, say).

            Fingerprints (in --format json and --verbose) do not depend on line
            numbers: lines inserted above a finding keep it; editing the offending
            text changes it.

            The rubric (rubrics/default.yml; `rubric:` in .assay.yml, or --rubric)
            scores findings and claim verdicts: utility and risk (0-100) and a
            decision, APPROVE, HOLD or REJECT, with its reasons. The rubric is
            advisory: the text report prints one verdict (the gate's PASS or
            FAIL) and shows the rubric only with --verbose; --format json always
            carries it under `decision`.

            Exit codes: 0 pass, 1 the gate failed (a finding at or above --fail-on,
            or more warnings than the policy's max_warnings), 2 could not run,
            3 partial (some files unreadable; the rest is reported).

            Examples:
              assay audit                        before committing
              assay audit --staged               in a pre-commit hook
              assay audit --range origin/main..HEAD --pr-body body.md --format json
              assay audit --fail-on warn         a stricter gate
              assay audit --write-baseline base.json   accept today's findings;
                                                 later: --baseline-file base.json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Audit the staged content (the index), not the working tree.")
    var staged = false

    @Option(name: .long, help: ArgumentHelp("Audit one commit against its first parent.", valueName: "rev"))
    var commit: String?

    @Option(name: .long, help: ArgumentHelp("Audit B against the merge-base of A and B, with every commit message in between.", valueName: "A..B"))
    var range: String?

    @Option(name: .long, help: ArgumentHelp("Also check the claims in a pull-request body (Markdown).", valueName: "file"))
    var prBody: String?

    @Option(name: .long, help: ArgumentHelp("Also check the claims in a commit message file (the commit-msg hook's argument).", valueName: "file"))
    var message: String?

    @OptionGroup var gate: GateOptions

    @OptionGroup var receipt: ReceiptOptions

    @Option(name: .long, help: ArgumentHelp("The branch whose policy overrides apply (default: the current branch, or the range's end).", valueName: "name"))
    var branch: String?

    @Option(name: .long, help: ArgumentHelp("Report only findings that are new relative to this revision.", valueName: "rev"))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp("Report only findings whose fingerprints are not in this baseline file.", valueName: "file"))
    var baselineFile: String?

    @Option(name: .long, help: ArgumentHelp("Write the fingerprints of the findings that count to this file (a baseline for --baseline-file).", valueName: "file"))
    var writeBaseline: String?

    @Option(name: .long, help: "text for people; json (schema assay.audit/v1); sarif (2.1.0, for code scanning); junit (XML); markdown (a PR comment or job summary); github (workflow annotations).")
    var format: AuditFormat = .text

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    enum AuditFormat: String, ExpressibleByArgument, CaseIterable { case text, json, sarif, junit, markdown, github }

    func validate() throws {
        let modes = [staged, commit != nil, range != nil].filter { $0 }.count
        if modes > 1 { throw ValidationError("choose one of --staged, --commit and --range") }
        if let range, !range.contains("..") { throw ValidationError("--range takes A..B, e.g. origin/main..HEAD") }
    }

    var failSeverity: Severity? { gate.failSeverity }

    func run() throws {
        let mode: AuditMode = staged ? .staged : commit.map { .commit($0) } ?? range.map { .range($0) } ?? .workingTree
        let request = AuditRequest(repositoryPath: global.repo, mode: mode, prBodyPath: prBody, messagePath: message,
                                   policyPath: gate.policy, rubricPath: gate.rubric, branch: branch, failOn: failSeverity,
                                   baselineRef: baseline, baselineFile: baselineFile)
        traceMonotonic("audit parsed")
        let report: AuditReport
        let started = Date()
        let startedAt = Date()
        let tracing = ProcessInfo.processInfo.environment["ASSAY_TRACE"] != nil
        do { report = try AuditService().run(request, writeBaselineTo: writeBaseline) } catch { throw fail(error) }
        if tracing { Terminal.standardError.write("assay trace: audit: service returned at \(Int(Date().timeIntervalSince(started) * 1000)) ms\n") }
        let rendered: String
        switch format {
        case .json: rendered = jsonLine(report)
        case .text: rendered = Self.text(report, color: output == nil && Terminal.standardOutput.useColor(global.color), verbose: global.verbose)
        case .sarif: rendered = SARIFReporter.report(report.reportInput)
        case .junit: rendered = JUnitReporter.report(report.reportInput, failOn: failSeverity)
        case .markdown: rendered = MarkdownReporter.report(report.reportInput)
        case .github: rendered = GitHubAnnotations.report(report.reportInput)
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(rendered.utf8)) else {
                throw fail(AssayError("cannot write the report", at: output, fix: "check that the directory exists and is writable"))
            }
        } else {
            Terminal.standardOutput.write(rendered)
        }
        if tracing { Terminal.standardError.write("assay trace: audit: printed at \(Int(Date().timeIntervalSince(started) * 1000)) ms\n") }
        traceMonotonic("audit printed")
        for notice in report.notices { Terminal.standardError.write("assay: note: \(notice)\n") }
        for warning in report.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
        for item in report.unreadable { Terminal.standardError.write("assay: warning: not audited: \(item)\n") }
        let exit: Int32 = report.verdict == "fail" ? ExitStatus.gateFailed.rawValue : report.isPartial ? ExitStatus.partial.rawValue : 0
        let committed = commit != nil || range != nil
        receipt.leave(RunRecord(command: "audit", gitSHA: report.sha, gitDirty: committed ? false : true,
                                inputFiles: [message, prBody, baselineFile].compactMap { $0 },
                                outputFiles: [output, writeBaseline].compactMap { $0 },
                                policyFiles: gate.policy.map { [$0] } ?? [], rubricFiles: gate.rubric.map { [$0] } ?? [],
                                recordCounts: report.receiptCounts, validationPass: report.verdict == "pass" && !report.isPartial,
                                errors: report.gate.reasons + report.unreadable, warnings: report.warnings, verdict: report.verdict,
                                exitCode: Int(exit), startedAt: startedAt),
                      scope: Self.receiptScope(mode), repositoryPath: global.repo, verbose: global.verbose)
        if exit != 0 { throw ExitCode(exit) }
    }

    /// What the receipt says the audit judged: a staged audit is about the index and a working-tree
    /// audit about the working tree, though both are filed on HEAD.
    static func receiptScope(_ mode: AuditMode) -> ReceiptScope {
        switch mode {
        case .staged: ReceiptScope(mode: mode.name, subjectKind: "index")
        case .workingTree: ReceiptScope(mode: mode.name, subjectKind: "working-tree")
        default: ReceiptScope(mode: mode.name, subjectKind: "commit")
        }
    }

    /// The report for people: findings grouped by file, the claims, the verdict last (the rubric's
    /// decision only with `verbose`).
    static func text(_ r: AuditReport, color: Bool, verbose: Bool) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        func label(_ s: Severity) -> String {
            switch s {
            case .block: paint("block", "1;31")
            case .warn: paint("warn ", "33")
            case .info: paint("info ", "36")
            }
        }
        var out = ""
        // Grouped by file, in path order; within a file, by line.
        let byFile = Dictionary(grouping: r.findings, by: \.displayPath)
        for path in byFile.keys.sorted() {
            out += paint(path, "1") + "\n"
            for f in byFile[path]!.sorted(by: { ($0.line, $0.rule) < ($1.line, $1.rule) }) {
                let at = f.line == 0 ? "     " : String(f.line).leftPadded(5)
                out += "\(at)  \(label(f.severity))  \(f.rule): \(f.message)\n"
                let shown = verbose ? f.evidence : Array(f.evidence.prefix(2))
                for e in shown { out += "              \(paint(e, "2"))\n" }
                if verbose { out += "              \(paint("fingerprint \(f.fingerprint)", "2"))\n" }
            }
        }
        if verbose, !r.suppressed.isEmpty {
            out += paint("suppressed", "2") + "\n"
            for f in r.suppressed {
                out += "  \(f.displayPath):\(f.line) \(f.rule) — \(f.suppression?.kind ?? "?"): \(f.suppression?.reason ?? "")\n"
            }
        }
        let claims = r.claims.filter { $0.verdict != "abstain" }
        if !claims.isEmpty {
            let c = r.summary.claims
            out += "claims: \(c["verified"] ?? 0) verified · \(c["contradicted"] ?? 0) contradicted · \(c["stale"] ?? 0) stale · \(c["unverifiable"] ?? 0) unverifiable\n"
        }
        // One verdict per report: the gate's PASS or FAIL below. The rubric's scores are advisory
        // detail, shown with --verbose (and always in --format json).
        if verbose {
            let d = r.decision
            out += paint("rubric \(d.rubric): \(d.decision), utility \(d.utility), risk \(d.risk) (advisory; the gate decides)", "2") + "\n"
            for reason in d.reasons { out += "              \(paint(reason, "2"))\n" }
        }
        out += r.summaryLine + "\n"
        if r.verdict == "pass" {
            out += paint("PASS", "1;32") + (r.isPartial ? " (partial: some files could not be read)" : "") + "\n"
        } else {
            out += paint("FAIL", "1;31") + " — " + r.gate.reasons.joined(separator: "; ") + "\n"
        }
        return out
    }
}

/// The options that set the gate, shared by `audit` and `ci`.
struct GateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A policy file (YAML) to use instead of .assay.yml's.", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("A rubric file (YAML) to use instead of .assay.yml's.", valueName: "file"))
    var rubric: String?

    @Option(name: .long, help: "The lowest severity that fails the gate: block, warn, info, or never.")
    var failOn: FailOn = .block

    enum FailOn: String, ExpressibleByArgument, CaseIterable { case block, warn, info, never }

    /// The severity that fails the gate; nil for `never`.
    var failSeverity: Severity? { failOn == .never ? nil : Severity(rawValue: failOn.rawValue) }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
