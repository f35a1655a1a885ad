import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Drift: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report which doc claims no longer match the code at the default branch, since when, and the trend.",
        discussion: """
            Reads the same docs as `assay claims` (PRD, PHASES, PLAN, PROGRESS, TASKS, STATUS, …, .assay.yml's claims.include/exclude) at the default branch — origin/HEAD's target, else main, else master, else HEAD — or --at. Each claim gets its verdict there; the commit that wrote its line (blame) and its verdict there, so a claim false when written is told apart from one that went stale; for a stale claim the commit that broke it (bisecting the first-parent history); and how long it has drifted (commits, days). Sections whose named files changed after the section was last edited are listed as possibly stale (information, not drift).

            Every run is recorded in the ledger; the chart and trend come from those points. --backfill N judges N earlier commits first, reusing what did not change, so a first report already has a trend. --since compares with an earlier point: new, resolved and persistent drift.

            Examples:
              assay drift                                 the default branch, as text
              assay drift --format html --output drift.html --backfill 30
              assay drift --since 2026-01-01 --format markdown
              assay drift --fail-on contradicted          exit 1 when a claim is false (for CI)
              assay drift --format json                   schema assay.drift/v1
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The commit to judge (default: the default branch).", valueName: "rev"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("Compare with an earlier point: a revision, or a date (YYYY-MM-DD) for the branch's newest commit then.", valueName: "rev|date"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Also judge N earlier first-parent commits (for a trend); points already recorded are skipped.", valueName: "n"))
    var backfill: Int = 0

    @Option(name: .long, help: ArgumentHelp("Commits between backfilled points.", valueName: "n"))
    var backfillEvery: Int = 1

    @Option(name: .long, help: "text, markdown (for an issue or a wiki), json (schema assay.drift/v1), html (one self-contained file).")
    var format: DriftFormat = .text

    @Option(name: .long, help: ArgumentHelp("Write the report to a file instead of stdout.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: "Exit 1 on a contradicted claim (contradicted), on a contradicted or stale one (stale), or never.")
    var failOn: FailOn = .never

    @Flag(name: .long, help: "Do not record this run in the ledger.")
    var noRecord = false

    @OptionGroup var receipt: ReceiptOptions

    enum DriftFormat: String, ExpressibleByArgument, CaseIterable { case text, markdown, json, html }
    enum FailOn: String, ExpressibleByArgument, CaseIterable { case contradicted, stale, never }

    func validate() throws {
        if backfill < 0 { throw ValidationError("--backfill takes a number of commits (0 or more)") }
        if backfillEvery < 1 { throw ValidationError("--backfill-every takes 1 or more") }
    }

    func run() throws {
        let service = DriftService()
        if global.verbose { service.progress = { Terminal.standardError.write("assay: drift: \($0)\n") } }
        let report: DriftReport
        let startedAt = Date()
        do {
            report = try service.run(DriftRequest(repositoryPath: global.repo, at: at, since: since, backfill: backfill,
                                                  backfillEvery: backfillEvery, record: !noRecord))
        } catch {
            throw fail(error)
        }
        let rendered: String
        switch format {
        case .json: rendered = jsonLine(report)
        case .markdown: rendered = DriftText.markdown(report)
        case .html: rendered = DriftHTML.render(report)
        case .text:
            rendered = DriftText.text(report, color: output == nil && Terminal.standardOutput.useColor(global.color), verbose: global.verbose)
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(rendered.utf8)) else {
                throw fail(AssayError("cannot write the report", at: output, fix: "check that the directory exists and is writable"))
            }
        } else {
            Terminal.standardOutput.write(rendered)
        }
        for notice in report.notices { Terminal.standardError.write("assay: note: \(notice)\n") }
        for warning in report.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
        let s = report.summary
        let failed: Bool
        switch failOn {
        case .contradicted: failed = try Self.unacceptedContradictions(report, repositoryPath: global.repo) > 0
        case .stale: failed = s.drifting > 0
        case .never: failed = false
        }
        let exit: Int32 = failed ? ExitStatus.gateFailed.rawValue : !report.warnings.isEmpty ? ExitStatus.partial.rawValue : 0
        receipt.leave(RunRecord(command: "drift", gitSHA: report.sha, gitDirty: false, outputFiles: output.map { [$0] } ?? [],
                                recordCounts: RecordCounts(input: s.claims, output: s.claims - s.abstain, quarantined: s.abstain,
                                                           byCategory: ["verified": s.verified, "contradicted": s.contradicted,
                                                                        "stale": s.stale, "unverifiable": s.unverifiable,
                                                                        "possibly_stale": s.possiblyStale]),
                                validationPass: s.drifting == 0 && report.warnings.isEmpty, warnings: report.warnings,
                                verdict: s.drifting > 0 ? "drifting" : "pass", exitCode: Int(exit), startedAt: startedAt),
                      repositoryPath: global.repo, verbose: global.verbose)
        if exit != 0 { throw ExitCode(exit) }
    }

    /// Contradicted claims that `.assay-baseline.json` does not accept (`assay init` writes it).
    static func unacceptedContradictions(_ report: DriftReport, repositoryPath: String) throws -> Int {
        let accepted: Set<String>
        do { accepted = try ClaimsBaseline.load(repositoryPath: repositoryPath, at: report.sha)?.0.acceptedIDs ?? [] } catch {
            throw fail(error)
        }
        return report.claims.filter { $0.verdict == "contradicted" && !accepted.contains($0.id) }.count
    }
}
