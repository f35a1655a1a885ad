import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record commits and the paths they changed in the ledger, incrementally.",
        discussion: """
            Walks every commit reachable from the given revisions (default: HEAD) and records each one with the paths it changed relative to its first parent — like `git log --name-status --no-renames --diff-merges=first-parent` — in $GIT_DIR/assay/ledger.sqlite. With --stats it also records added and deleted lines per path, as `git log --numstat` counts them.

            A second run records only commits it has not seen. Objects missing from a partial clone are counted (and named with --verbose); their commits are retried next time, and the exit code is 3 (partial).

            Examples:
              assay snapshot                          HEAD's history
              assay snapshot main feature --stats     two branches, with line counts
              assay snapshot v1.0..main               only what main has beyond v1.0
              assay snapshot --all --format json      every local branch and tag, as JSON
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Revisions to walk: a branch, tag or SHA, `A..B`, `A...B` or `^A`.", valueName: "rev"))
    var revisions: [String] = []

    @Flag(name: .long, help: "Add every local branch and tag (never refs/pull/* or remote branches).")
    var all = false

    @Flag(name: .long, help: "Also record added and deleted lines per path (reads blobs).")
    var stats = false

    @Option(name: .long, help: "text for people, json for machines (schema assay.snapshot/v1).")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp("Threads computing diffs (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let request = SnapshotRequest(
            repositoryPath: global.repo, revisions: revisions, all: all, withStats: stats,
            workers: jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount),
            workerExecutable: currentExecutable())
        let bar = ProgressBar(terminal: .standardError, label: "snapshot")
        let report: SnapshotReport
        do {
            report = try SnapshotService().run(request) { done, total in bar.update(done, total) }
        } catch {
            bar.finish()
            throw fail(error)
        }
        bar.finish()

        switch format {
        case .json:
            var printable = report
            if !global.verbose && printable.missing.count > 100 { printable.missing = Array(printable.missing.prefix(100)) }
            printJSON(printable)
        case .text:
            Terminal.standardOutput.write(textReport(report))
        }
        if report.missingObjects > 0 { throw ExitCode(ExitStatus.partial.rawValue) }
    }

    func textReport(_ r: SnapshotReport) -> String {
        let color = Terminal.standardOutput.useColor(global.color)
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func yellow(_ s: String) -> String { color ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
        var out = ""
        let head = r.head.map { String($0.prefix(12)) } ?? "(unborn HEAD)"
        let stats = r.withStats ? " with line stats" : ""
        out += "Recorded \(bold(grouped(r.newCommits))) new commit\(r.newCommits == 1 ? "" : "s")\(stats) "
        out += "up to \(head) (\(grouped(r.knownCommits)) already known) in \(seconds(r.durationMs)).\n"
        out += "Ledger: \(r.ledger) — \(grouped(r.ledgerCommits)) commit\(r.ledgerCommits == 1 ? "" : "s").\n"
        if r.missingObjects > 0 {
            out += yellow("\(r.missingObjects) object\(r.missingObjects == 1 ? " is" : "s are") missing (a partial clone?): ")
            out += "their commits are recorded without full changes and retried next run.\n"
            if global.verbose {
                for m in r.missing { out += "  missing \(m.object) (needed by commit \(m.commit))\n" }
            } else {
                out += "  Run with --verbose to name them; `git fetch` brings them back.\n"
            }
        }
        return out
    }
}

func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return out
}

func seconds(_ ms: Int) -> String {
    ms < 1000 ? "\(ms) ms" : String(format: "%.2f s", Double(ms) / 1000)
}

/// A one-line progress bar on a terminal, redrawn at most ten times a second, shown only when a run
/// lasts longer than half a second. Silent when the stream is not a terminal.
final class ProgressBar: @unchecked Sendable {
    private let terminal: Terminal
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let lock = NSLock()

    init(terminal: Terminal, label: String) {
        self.terminal = terminal
        self.label = label
        self.enabled = terminal.isTTY
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(start) > 0.5, now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        terminal.write("\r\(label) \(bar) \(grouped(done))/\(grouped(total)) commits")
        drawn = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { terminal.write("\r\u{1B}[2K") }
        drawn = false
    }
}

/// The running `assay` binary, to start worker processes with.
func currentExecutable() -> String? {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return Bundle.main.executablePath
}

/// Internal: records one share of a parallel snapshot. Reads full commit SHAs on stdin, one a line,
/// writes them to the ledger, and prints `{"inserted":N,"missing":[…]}`.
struct SnapshotWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot-worker", abstract: "Internal: one share of a parallel `assay snapshot`.",
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long) var stats = false

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let shas = String(decoding: input, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        let result: SnapshotService.ShareResult
        do { result = try SnapshotService().recordShare(repositoryPath: global.repo, commits: shas, withStats: stats) } catch {
            throw fail(error)
        }
        printJSON(result)
    }
}
