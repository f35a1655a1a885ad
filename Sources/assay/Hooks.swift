import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Hooks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install, remove or run assay's git hooks (pre-commit, commit-msg, pre-push, pre-receive).",
        discussion: """
            The hooks:
              pre-commit    audits the staged content (what the commit records)
              commit-msg    checks the claims in the message against the staged
                            content ("48 tests", "adds src/x.ts", "Phase 2 complete")
              pre-push      audits what the push sends, ref by ref (a new branch:
                            the commits the remote does not have)
              pre-receive   on a server (bare) repository: audits what a push
                            brings, before any ref moves

            `assay hooks install` writes them where git runs hooks: core.hooksPath
            when set, else .git/hooks. A hook another tool wrote is never
            overwritten: it is moved to HOOK.assay-chained and runs first (with
            --force it is replaced, and kept as HOOK.assay-backup). Installing
            again is harmless. `assay hooks uninstall` removes assay's hooks and
            puts back what they chained to.

            Skip the hooks once: SKIP=assay git commit …
            Turn rules off once: ASSAY_SKIP=todo-added,test-skipped git commit …
            The policy in .assay.yml applies, as in `assay audit`.

            With the pre-commit framework, use the ids in .pre-commit-hooks.yaml
            (assay, assay-commit-msg, assay-pre-push) instead.

            Examples:
              assay hooks install                  pre-commit, commit-msg, pre-push
              assay hooks install --hook pre-commit
              assay --repo /srv/git/app.git hooks install     pre-receive on a server
              assay hooks status
              assay hooks uninstall
            """,
        subcommands: [HooksInstall.self, HooksUninstall.self, HooksStatus.self, HooksRun.self],
        defaultSubcommand: HooksStatus.self
    )
}

extension HookKind: ExpressibleByArgument {}

struct HooksInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the hooks (default: pre-commit, commit-msg and pre-push; pre-receive in a bare repository)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("hook"), help: ArgumentHelp("A hook to install (repeatable): pre-commit, commit-msg, pre-push, pre-receive.", valueName: "name"))
    var hooks: [HookKind] = []

    @Flag(name: .long, help: "Replace a hook another tool wrote (it is kept as HOOK.assay-backup) instead of chaining to it.")
    var force = false

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let changes: [HookChange]
        do {
            changes = try HookInstaller().install(repositoryPath: global.repo, hooks: hooks.isEmpty ? nil : hooks,
                                                  force: force, binary: HooksInstall.currentBinary())
        } catch { throw fail(error) }
        printChanges(changes, format: format)
        if changes.contains(where: { $0.action == .refused }) { throw ExitCode(ExitStatus.couldNotRun.rawValue) }
    }

    /// The absolute path of the running binary, which the installed hooks call.
    static func currentBinary() -> String? {
        let resolved = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if resolved != "/proc/self/exe", FileManager.default.isExecutableFile(atPath: resolved) { return resolved }
        let argument = CommandLine.arguments[0]
        guard argument.contains("/") else { return nil }
        return URL(fileURLWithPath: argument).standardizedFileURL.path
    }
}

struct HooksUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove assay's hooks and put back the hooks they chained to."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("hook"), help: ArgumentHelp("A hook to remove (repeatable); default: all of assay's.", valueName: "name"))
    var hooks: [HookKind] = []

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let changes: [HookChange]
        do { changes = try HookInstaller().uninstall(repositoryPath: global.repo, hooks: hooks.isEmpty ? nil : hooks) } catch { throw fail(error) }
        if changes.isEmpty, format == .text {
            Terminal.standardOutput.write("no assay hook is installed\n")
            return
        }
        printChanges(changes, format: format)
    }
}

struct HooksStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show which hooks are installed, and where.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let states: [(hook: HookKind, path: String, state: String)]
        do { states = try HookInstaller().status(repositoryPath: global.repo) } catch { throw fail(error) }
        var out = ""
        for s in states { out += s.hook.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + s.state + "  (" + s.path + ")\n" }
        Terminal.standardOutput.write(out)
    }
}

private func printChanges(_ changes: [HookChange], format: OutputFormat) {
    if format == .json { printJSON(changes); return }
    var out = ""
    for c in changes {
        out += "\(c.hook.rawValue): \(c.action.rawValue) (\(c.path))"
        if let detail = c.detail { out += " — \(detail)" }
        out += "\n"
    }
    Terminal.standardOutput.write(out)
}

struct HooksRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one hook now (the installed hooks and the pre-commit framework call this).",
        discussion: """
            pre-commit                audit the staged content
            commit-msg [FILE]         the claims in FILE (default: .git/COMMIT_EDITMSG)
                                      against the staged content
            pre-push [REMOTE [URL]]   the refs on standard input, as git gives them;
                                      or PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF
            pre-receive               the refs on standard input, as git gives them

            Exit codes: 0 pass (or skipped; a partial audit is reported and passes,
            since git refuses on any other code), 1 the gate failed, 2 could not run.
            The installed script runs a chained hook (HOOK.assay-chained) first.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The hook: pre-commit, commit-msg, pre-push or pre-receive.")
    var hook: HookKind

    @Argument(parsing: .postTerminator, help: "The arguments git gave the hook.")
    var hookArguments: [String] = []

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        // pre-push and pre-receive get git's ref lines on standard input (never wait on a terminal).
        let takesInput = (hook == .prePush || hook == .preReceive) && isatty(STDIN_FILENO) == 0
        let input = takesInput ? FileHandle.standardInput.readDataToEndOfFile() : Data()
        // A server's gate is not skipped by the pusher: a push to a local path hands the pusher's
        // environment (SKIP included) to the server's pre-receive hook.
        if hook != .preReceive, HookRun.isSkipped(environment) {
            Terminal.standardError.write("assay: \(hook.rawValue) skipped (SKIP=assay)\n")
            return
        }
        let plan: HookPlan
        do {
            plan = try HookRun.plan(hook, repositoryPath: global.repo, arguments: hookArguments,
                                    input: String(decoding: input, as: UTF8.self), environment: environment)
        } catch { throw fail(error) }
        let color = Terminal.standardError.useColor(global.color)
        var worst: Int32 = 0
        for item in plan.items {
            if hook == .commitMsg, let message = item.request.messagePath, !AuditService.messageMakesClaims(message) {
                Terminal.standardError.write("assay: commit-msg \(item.label): pass (no claims to check)\n")
                continue
            }
            let report: AuditReport
            do { report = try AuditService().run(item.request) } catch {
                Terminal.standardError.write("assay: error: \(item.label): \(error.description)\n")
                worst = Self.worse(worst, ExitStatus.couldNotRun.rawValue)
                continue
            }
            var out = ""
            if report.findings.isEmpty && report.verdict == "pass" {
                let s = report.summary, claims = report.claims.filter { $0.verdict != "abstain" }.count
                var what: [String] = []
                if item.request.checksContent { what.append("\(s.files) file\(s.files == 1 ? "" : "s"), \(s.addedLines) added line\(s.addedLines == 1 ? "" : "s")") }
                what.append("\(claims) claim\(claims == 1 ? "" : "s") checked")
                out = "assay: \(hook.rawValue) \(item.label): pass (\(what.joined(separator: ", ")))\n"
            } else {
                out = "assay: \(hook.rawValue) \(item.label)\n" + Audit.text(report, color: color, verbose: global.verbose)
            }
            for notice in report.notices { out += "assay: note: \(notice)\n" }
            for warning in report.warnings { out += "assay: warning: \(warning)\n" }
            for item in report.unreadable { out += "assay: warning: not audited: \(item)\n" }
            if report.verdict == "fail" {
                out += hook == .preReceive
                    ? "assay: the server refused this push: fix the findings and push again\n"
                    : "assay: to \(hook == .prePush ? "push" : "commit") anyway, once: SKIP=assay git \(hook == .prePush ? "push" : "commit") …\n"
            }
            Terminal.standardError.write(out)
            // A partial audit (objects missing from a partial clone) reports what it could and
            // lets git go on: git refuses on any non-zero exit, and DESIGN.md skips missing blobs.
            if report.isPartial, report.verdict == "pass" {
                Terminal.standardError.write("assay: \(hook.rawValue) \(item.label): partial (see the warnings above); not refused\n")
            }
            worst = Self.worse(worst, report.verdict == "fail" ? ExitStatus.gateFailed.rawValue : 0)
        }
        for note in plan.notes where global.verbose || plan.items.isEmpty { Terminal.standardError.write("assay: note: \(note)\n") }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// A failed gate outranks a partial run; could-not-run outranks both (DESIGN.md).
    static func worse(_ a: Int32, _ b: Int32) -> Int32 {
        let rank: [Int32: Int] = [0: 0, 3: 1, 1: 2, 2: 3]
        return (rank[a] ?? 3) >= (rank[b] ?? 3) ? a : b
    }
}
