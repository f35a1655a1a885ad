import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Claims: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the ship-claims in the repository's docs and check them at a commit.",
        discussion: """
            Reads the docs at the commit — PRD, PHASES, ROADMAP, PLAN, PROGRESS, TODO, TASKS, STATUS, IMPLEMENTATION*, SUMMARY*, and everything under memory-bank/, docs/ and .taskmaster/, plus specs/*/tasks.md — with GitHub's Markdown parser, and finds what they claim shipped: checked task items, ✅ lines and done table rows (status claims, scoped to the paths they name), and sentences saying a file was created or deleted.

            Claims about paths, symbols, counts (tests, lines, files), tests passing and cited commits are each judged at the commit that wrote them (blame) and at --at: verified; contradicted (never existed, deleted in commit X, renamed to Y, gitignored, still present, a stub in a scoped file, a wrong count); stale (true when written, false now); unverifiable (with the reason); or abstain (plans, next steps, unchecked items — not ship claims). Evidence says what was looked up at which SHA. .assay.yml can add or exclude sources (claims.include / claims.exclude globs).

            Examples:
              assay claims                      the docs at HEAD
              assay claims --at v1.0            as of a tag
              assay claims --list-sources       which docs were read, and why
              assay claims --commit HEAD        the claims in the last commit message
              assay claims --range main..HEAD   every commit message on a branch
              assay claims --pr-body body.md    a pull request's description
              assay claims --format json        schema assay.claims/v1
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The commit to check the claims at.", valueName: "rev"))
    var at: String = "HEAD"

    @Option(name: .long, help: ArgumentHelp("Where to read claims: docs, commits, pr-body (repeatable; default: docs, or what --commit, --range and --pr-body name).", valueName: "source"))
    var source: [ClaimsSource] = []

    @Option(name: .long, help: ArgumentHelp("Read this commit's message (repeatable). Its claims are judged where they were written and at --at.", valueName: "rev"))
    var commit: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the messages of every commit in a range (A..B).", valueName: "A..B"))
    var range: String?

    @Option(name: .long, help: ArgumentHelp("Read a pull-request body (Markdown) and judge its claims at --at.", valueName: "file"))
    var prBody: String?

    @Option(name: .long, help: ArgumentHelp("A JUnit XML test report (repeatable): the execution evidence \"N tests passing\" needs.", valueName: "file"))
    var evidence: [String] = []

    @Flag(name: .long, help: "List the docs that were read and why, then stop.")
    var listSources = false

    @Flag(name: .long, help: "Also show claims that abstain (plans, unchecked items).")
    var showAbstain = false

    @Option(name: .long, help: "text for people, json for machines (schema assay.claims/v1).")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Exit 1 when a claim is contradicted (contradicted) or never (never).")
    var failOn: FailOn = .never

    @OptionGroup var receipt: ReceiptOptions

    enum FailOn: String, ExpressibleByArgument, CaseIterable { case contradicted, never }
    enum ClaimsSource: String, ExpressibleByArgument, CaseIterable { case docs, commits, prBody = "pr-body" }

    func validate() throws {
        if let range, !range.contains("..") { throw ValidationError("--range takes A..B (two dots), e.g. main..feature") }
    }

    func run() throws {
        let report: ClaimsReport
        let startedAt = Date()
        let request = ClaimsRequest(
            repositoryPath: global.repo, at: at,
            sources: Set(source.compactMap { ClaimsRequest.Source(rawValue: $0.rawValue) }),
            commits: commit + (range.map { [$0] } ?? []), prBodyPath: prBody, evidencePaths: evidence)
        do { report = try ClaimsService().run(request) } catch {
            throw fail(error)
        }
        // Contradicted claims .assay-baseline.json accepts keep their verdict but do not fail the gate.
        let contradicted = report.unacceptedContradictions
        switch format {
        case .json:
            var printable = report
            if listSources { printable.claims = [] }
            printJSON(printable)
        case .text:
            Terminal.standardOutput.write(listSources ? sourcesText(report) : text(report))
        }
        for notice in report.notices { Terminal.standardError.write("assay: note: \(notice)\n") }
        if let b = report.baseline, !b.unmatched.isEmpty, !listSources {
            Terminal.standardError.write("assay: note: \(b.unmatched.count) \(b.file) entr\(b.unmatched.count == 1 ? "y matches" : "ies match") no contradicted claim (fixed, reworded or gone) and can be deleted: \(b.unmatched.prefix(5).joined(separator: ", "))\(b.unmatched.count > 5 ? ", …" : "")\n")
        }
        for warning in report.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
        let exit: Int32 = failOn == .contradicted && contradicted > 0 ? ExitStatus.gateFailed.rawValue
            : !report.warnings.isEmpty ? ExitStatus.partial.rawValue : 0
        if !listSources {
            let counted = report.claims.filter { $0.verdict != "abstain" }.count
            receipt.leave(RunRecord(command: "claims", gitSHA: report.sha, gitDirty: false,
                                    inputFiles: (prBody.map { [$0] } ?? []) + evidence,
                                    recordCounts: RecordCounts(input: report.claims.count, output: counted,
                                                               quarantined: report.summary["abstain"] ?? 0, byCategory: report.summary),
                                    validationPass: contradicted == 0 && report.warnings.isEmpty,
                                    warnings: report.warnings, verdict: contradicted > 0 ? "contradicted" : "pass",
                                    exitCode: Int(exit), startedAt: startedAt),
                          repositoryPath: global.repo, verbose: global.verbose)
        }
        if exit != 0 { throw ExitCode(exit) }
    }

    func sourcesText(_ r: ClaimsReport) -> String {
        if r.sources.isEmpty { return "No claim-bearing docs at \(r.sha.prefix(12)).\n" }
        let width = r.sources.map(\.path.count).max() ?? 0
        return r.sources.map { $0.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.reason }
            .joined(separator: "\n") + "\n"
    }

    func text(_ r: ClaimsReport) -> String {
        if r.sources.isEmpty {
            return "No claim sources at \(r.sha.prefix(12)): no PRD, PHASES, PLAN, PROGRESS, TASKS, STATUS, IMPLEMENTATION* or SUMMARY* docs, nothing under memory-bank/, docs/ or .taskmaster/. Add globs under claims.include in .assay.yml, or pass --commit, --range or --pr-body.\n"
        }
        let color = Terminal.standardOutput.useColor(global.color)
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        var out = ""
        var currentFile = ""
        for c in r.claims where c.verdict != "abstain" || showAbstain {
            let file = c.source.path ?? c.source.kind
            if file != currentFile { out += "\n" + paint(file, "1") + "\n"; currentFile = file }
            let mark: String
            switch c.verdict {
            case "verified": mark = paint("✓ verified    ", "32")
            case "contradicted": mark = paint("✗ contradicted", "31")
            case "stale": mark = paint("↯ stale       ", "33")
            case "abstain": mark = paint("· abstain     ", "2")
            default: mark = paint("? \(c.verdict)", "33")
            }
            let line = c.source.line.map { "  (line \($0))" } ?? ""
            let subject = c.kind == "status" ? c.scope.joined(separator: ", ") : c.subject
            let cls = c.verdictClass.map { " — \($0)" } ?? ""
            let accepted = c.accepted == nil ? "" : paint(" (accepted in the baseline)", "2")
            out += "  \(mark) \(c.kind) \(subject)\(cls)\(line)\(accepted)\n"
            for e in c.evidence where c.verdict == "contradicted" || c.verdict == "stale" || global.verbose {
                out += "      \(e)\n"
            }
        }
        let s = r.summary
        out += "\n\(s["verified"] ?? 0) verified · \(s["contradicted"] ?? 0) contradicted · \(s["stale"] ?? 0) stale · "
        out += "\(s["unverifiable"] ?? 0) unverifiable · \(s["abstain"] ?? 0) abstain "
        out += "in \(r.sources.count) source\(r.sources.count == 1 ? "" : "s") at \(r.sha.prefix(12))\n"
        if let b = r.baseline, b.accepted > 0 {
            out += "\(b.accepted) contradicted claim\(b.accepted == 1 ? " is" : "s are") accepted in \(b.file): --fail-on contradicted passes over \(b.accepted == 1 ? "it" : "them")\n"
        }
        return out
    }
}
