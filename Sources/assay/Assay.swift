import ArgumentParser
import AssayCore
import Foundation
import GitKit

@main
struct Assay: ParsableCommand {
    /// Global options may come before the subcommand (`assay --repo X snapshot`): they are moved
    /// after it, where every (innermost) subcommand declares them.
    static func main() {
        // A closed pipe (a worker that died, `assay … | head`) is an error to report, not a reason to die.
        signal(SIGPIPE, SIG_IGN)
        traceMonotonic("main")
        let arguments = hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        // libgit2 initialises beside argument parsing; a run that reads the index (a staged or
        // working-tree audit, the pre-commit hook) starts loading it then too: the slowest step of
        // the hook, begun before the command line is parsed.
        if let directory = indexReadingRepository(arguments) {
            IndexLoad.prefetch(repositoryAt: directory)
        } else {
            Thread.detachNewThread { LibGit2.warmUp() }
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            // Usage errors are "could not run" (exit 2, DESIGN.md), not ArgumentParser's 64.
            var code = exitCode(for: error)
            // A usage error may quote an argument: secrets never show (`--token X` given by mistake).
            let message = Redactor(secrets: Redactor.secretValues(in: arguments)).redact(fullMessage(for: error))
            if code == .validationFailure { code = ExitCode(ExitStatus.couldNotRun.rawValue) }
            if !message.isEmpty {
                let terminal: Terminal = code == .success ? .standardOutput : .standardError
                terminal.write(message + "\n")
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// The repository directory (`--repo`, or the current one) when `args` (global options hoisted)
    /// run `audit` on uncommitted content or `hooks run pre-commit`; nil for anything else, and for
    /// help. A guess made before parsing: when it is wrong, the index is simply loaded again.
    static func indexReadingRepository(_ args: [String]) -> String? {
        let end = args.firstIndex(of: "--") ?? args.count
        let options = args[..<end]
        let reads = args.first == "audit"
            ? !options.contains { $0 == "--commit" || $0 == "--range" || $0.hasPrefix("--commit=") || $0.hasPrefix("--range=") }
            : Array(options.prefix(3)) == ["hooks", "run", "pre-commit"]
        guard reads, !options.contains(where: { $0 == "--help" || $0 == "-h" || $0 == "help" }) else { return nil }
        if let i = options.firstIndex(of: "--repo"), i + 1 < end { return args[i + 1] }
        if let value = options.last(where: { $0.hasPrefix("--repo=") }) { return String(value.dropFirst("--repo=".count)) }
        return "."
    }

    static func hoistingGlobalOptions(_ args: [String]) -> [String] {
        let valued: Set<String> = ["--repo", "--color"]
        let flags: Set<String> = ["--verbose", "-v"]
        var globals: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if valued.contains(a), i + 1 < args.count {
                globals += [a, args[i + 1]]; i += 2
            } else if flags.contains(a) || valued.contains(where: { a.hasPrefix($0 + "=") }) {
                globals.append(a); i += 1
            } else {
                break
            }
        }
        guard !globals.isEmpty, i < args.count else { return args }
        // The rest names the (sub)command and its arguments: the globals go at its end (before a
        // `--`, after which everything is an argument), where the innermost command reads them.
        var rest = Array(args[i...])
        let end = rest.firstIndex(of: "--") ?? rest.count
        rest.insert(contentsOf: globals, at: end)
        return rest
    }

    static let configuration = CommandConfiguration(
        commandName: "assay",
        abstract: "Check what a repository says about itself against what it holds, at any SHA.",
        usage: "assay <command> [--repo PATH] [options]",
        discussion: """
            assay reads the repository through libgit2 (no checkout, no `git` subprocess) and keeps an index of what it has seen in $GIT_DIR/assay/ledger.sqlite. The index can be deleted at any time: the next run rebuilds it.

            Every command takes --repo PATH (default: the current directory), before or after the command name.

            Exit codes: 0 pass · 1 gate failed · 2 could not run (bad input, git error) · 3 partial (some objects unreadable, e.g. in a partial clone; the rest is reported).

            Start with:
              assay init                     write .assay.yml and a claims baseline for this repository
              assay audit                    check the change you are about to commit
              assay audit --staged           the same, for the staged content only (pre-commit)
              assay rules                    what the audit looks for
              assay claims                   check what the docs say shipped, at HEAD
              assay claims --commit HEAD     check the last commit message
              assay snapshot                 record HEAD's history in the ledger
            """,
        version: AssayVersion.current,
        subcommands: [Init.self, Audit.self, Rules.self, Hooks.self, CI.self, Claims.self, Drift.self, Receipts.self, Snapshot.self, Completion.self, Manual.self, SnapshotWorker.self]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The repository to read: any directory inside it, a bare repository or a linked worktree.", valueName: "path"))
    var repo: String = "."

    @Flag(name: .shortAndLong, help: "Say more: name missing objects and show timings.")
    var verbose = false

    @Option(name: .long, help: "Colour: auto (on a terminal), always, never.")
    var color: ColorMode = .auto
}

enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Prints an `AssayError` as one line on stderr and exits with its status.
func fail(_ error: AssayError) -> ExitCode {
    Terminal.standardError.write("assay: error: \(error.description)\n")
    return ExitCode(error.status.rawValue)
}

/// Prints a value as one line of JSON (sorted keys) on stdout: the `--format json` of every command.
func printJSON(_ value: some Encodable) {
    Terminal.standardOutput.write(jsonLine(value))
}

/// A value as one line of JSON with sorted keys, and a line end.
func jsonLine(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
}

/// Where output goes, and whether it is a terminal.
struct Terminal: Sendable {
    let fd: Int32
    static let standardOutput = Terminal(fd: STDOUT_FILENO)
    static let standardError = Terminal(fd: STDERR_FILENO)

    var isTTY: Bool { isatty(fd) == 1 }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }

    func useColor(_ mode: ColorMode) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto: return isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}

/// With `ASSAY_TRACE` set, prints CLOCK_MONOTONIC in milliseconds with a label (to line a run's phases
/// up with a benchmark's own clock, process start and exit included).
func traceMonotonic(_ label: String) {
    guard ProcessInfo.processInfo.environment["ASSAY_TRACE"] != nil else { return }
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    Terminal.standardError.write("assay trace: \(label) at monotonic \(String(format: "%.1f", Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6)) ms\n")
}
