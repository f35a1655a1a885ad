import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set assay up in a repository: a commented .assay.yml, a claims baseline, and (if you say so) the hooks.",
        discussion: """
            Reads the repository at HEAD through libgit2 and writes .assay.yml with what it found, as comments and settings: the claim-bearing docs it reads by convention (PRD, STATUS, PHASES, tasks, memory-bank/, docs/, …), agent notes under .claude/ to read as well, archive folders (archive/, docs/archive/, old/, …) whose claims are not checked, and the test frameworks whose tests "N tests" claims are counted in.

            Claims that are contradicted today are written to .assay-baseline.json as accepted, so drift that predates assay does not fail `assay claims --fail-on contradicted` or `assay drift --fail-on contradicted` on day one. They are still listed, marked as accepted; fix one and delete its entry. Commit both files.

            Hooks: --hooks installs pre-commit, commit-msg and pre-push (as `assay hooks install` does); --no-hooks does not. With neither, assay asks when standard input is a terminal, and otherwise installs nothing and prints the command.

            An existing .assay.yml is never overwritten without --force (exit 2).

            Examples:
              assay init                   write .assay.yml and the baseline; ask about the hooks
              assay init --hooks           …and install the hooks
              assay init --format json     schema assay.init/v1
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Replace an existing .assay.yml (and write the claims baseline again).")
    var force = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Install the git hooks (pre-commit, commit-msg, pre-push), or not. Default: ask on a terminal, else do not.")
    var hooks: Bool?

    @Option(name: .long, help: "text, or json (schema assay.init/v1).")
    var format: OutputFormat = .text

    static let hooksCommand = "assay hooks install"

    func run() throws {
        var report: InitReport
        do { report = try InitService().run(InitRequest(repositoryPath: global.repo, force: force)) } catch {
            throw fail(error)
        }
        let install: Bool
        if let hooks {
            install = hooks
        } else if isatty(STDIN_FILENO) == 1 {
            let prompt = "Install assay's git hooks (pre-commit, commit-msg, pre-push) now? [y/N] "
            (format == .json ? Terminal.standardError : Terminal.standardOutput).write(prompt)
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            install = answer == "y" || answer == "yes"
        } else {
            install = false
        }
        var refused = false
        if install {
            let changes: [HookChange]
            do {
                changes = try HookInstaller().install(repositoryPath: global.repo, hooks: nil, force: false,
                                                      binary: HooksInstall.currentBinary())
            } catch { throw fail(error) }
            refused = changes.contains { $0.action == .refused }
            report.hooks = InitReport.HooksSummary(installed: !refused, changes: changes, command: Self.hooksCommand)
        } else {
            report.hooks = InitReport.HooksSummary(installed: false, changes: [], command: Self.hooksCommand)
        }

        switch format {
        case .json: printJSON(report)
        case .text: Terminal.standardOutput.write(Self.text(report))
        }
        for warning in report.warnings { Terminal.standardError.write("assay: warning: \(warning)\n") }
        if refused {
            for change in report.hooks?.changes ?? [] where change.action == .refused {
                Terminal.standardError.write("assay: error: the \(change.hook.rawValue) hook was not installed: \(change.detail ?? change.path)\n")
            }
            throw ExitCode(ExitStatus.couldNotRun.rawValue)
        }
    }

    static func text(_ r: InitReport) -> String {
        let root = URL(fileURLWithPath: r.config).deletingLastPathComponent().path + "/"
        func relative(_ path: String) -> String { path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path }
        var out = "\(r.replaced ? "Replaced" : "Wrote") \(relative(r.config))"
        out += r.head.map { " from what the repository holds at \($0.prefix(12)):\n" } ?? " (the repository has no commits yet: defaults, with comments):\n"
        let docCount = r.docs.reduce(0) { $0 + $1.count }
        out += "  claim-bearing docs: \(docCount)"
        if !r.docs.isEmpty { out += " (" + r.docs.map { "\($0.reason): \($0.count)" }.joined(separator: ", ") + ")" }
        out += "\n"
        if !r.include.isEmpty { out += "  also read: \(r.include.joined(separator: ", "))\n" }
        if !r.exclude.isEmpty { out += "  not read (archives): \(r.exclude.joined(separator: ", "))\n" }
        out += "  test frameworks: "
        out += r.testFrameworks.isEmpty ? "none found" : r.testFrameworks.map { "\($0.name) (\($0.manifest))" }.joined(separator: ", ")
        out += "\n"
        if r.head != nil {
            let c = r.claims
            out += "Claims at HEAD: \(c["verified"] ?? 0) verified · \(c["contradicted"] ?? 0) contradicted · \(c["stale"] ?? 0) stale · \(c["unverifiable"] ?? 0) unverifiable\n"
        }
        if let b = r.baseline {
            out += "Wrote \(relative(b.file)): \(b.accepted) contradicted claim\(b.accepted == 1 ? "" : "s") accepted as \(b.accepted == 1 ? "it is" : "they are"), so they do not fail --fail-on contradicted today. `assay claims` still lists them; fix one and delete its entry.\n"
        } else if r.head != nil {
            out += "No claim is contradicted: no baseline needed.\n"
        }
        if let h = r.hooks {
            if h.installed {
                out += "Hooks installed: " + h.changes.map { "\($0.hook.rawValue) (\($0.action.rawValue))" }.joined(separator: ", ") + "\n"
            } else if h.changes.isEmpty {
                out += "Hooks not installed. To install them: \(h.command)\n"
            }
        }
        let files = [AssayConfig.fileName] + (r.baseline == nil ? [] : [ClaimsBaseline.fileName])
        out += """

            Next:
              git add \(files.joined(separator: " ")) && git commit -m "Set up assay"
              assay audit                       check the change you are about to commit
              assay claims                      what the docs claim, checked at HEAD
              assay drift                       which claims no longer hold, and since when

            """
        return out
    }
}
