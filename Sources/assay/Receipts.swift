import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Receipts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, list, verify and share the receipts assay runs leave in git notes.",
        discussion: """
            Every assay run that decides something leaves a receipt: what ran, on
            which commit, over which files, with which result. A receipt is an
            in-toto Statement v1 (predicate https://assay.dev/receipt/v1), stored as
            one compact JSON line in the note on the commit under
            refs/notes/assay/receipts, optionally signed (a DSSE envelope, Ed25519).
            Its digest is the SHA-256 of that line; a later stage names it as a parent.
            See docs/receipts.md for the format.

            Exit codes: 0 all checks hold · 1 a check failed (or no receipt) ·
            2 could not run · 3 partial (something could not be checked).

            Examples:
              assay receipts show                     the receipts on HEAD
              assay receipts list --range main..HEAD  receipts on this branch's commits
              assay receipts verify                   recompute HEAD's receipts' digests
              assay receipts keygen --output ci       ci.key (private) and ci.pub
              assay receipts verify --key ci.pub      …and check their signatures
              assay receipts sync                     how to push and fetch the notes
            """,
        subcommands: [ReceiptsShow.self, ReceiptsList.self, ReceiptsVerify.self, ReceiptsKeygen.self, ReceiptsSync.self,
                      ReceiptsWrite.self],
        defaultSubcommand: ReceiptsShow.self
    )
}

// MARK: - show

struct ReceiptsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the receipts on a commit (default: HEAD).",
        discussion: """
            Prints each receipt in the note on the commit: the command, its
            verdict, the files it read and wrote with their digests, the receipts
            it consumed, and whether it is signed. --format json prints the
            statements themselves (one JSON array, schema assay.receipts.show/v1).

            The same lines, as git stores them:
              git notes --ref=assay/receipts show REV

            Examples:
              assay receipts show
              assay receipts show HEAD~1
              assay receipts show v1.2 --format json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The commit whose receipts to show.", valueName: "rev"))
    var revision: String = "HEAD"

    @Option(name: .long, help: "text for people, json for machines.")
    var format: OutputFormat = .text

    func run() throws {
        let listing: ReceiptListing
        do { listing = try ReceiptService().show(repositoryPath: global.repo, revision: revision) } catch { throw fail(error) }
        switch format {
        case .json:
            var items: [JSONValue] = []
            for r in listing.receipts {
                var o: [String: JSONValue] = ["commit": .string(r.commit), "line": .int(Int64(r.lineNumber))]
                if let p = r.parsed {
                    o["digest"] = .string(p.digest)
                    o["signed"] = .bool(p.isSigned)
                    o["statement"] = p.statementJSON
                    if let e = p.envelope { o["keyids"] = .array(e.signatures.map { .string($0.keyid) }) }
                } else {
                    o["problem"] = .string(r.problem ?? "unreadable")
                    o["raw"] = .string(r.line)
                }
                items.append(.object(o))
            }
            let doc = JSONValue.object(["schema": .string("assay.receipts.show/v1"), "commit": .string(listing.commit),
                                        "receipts": .array(items)])
            Terminal.standardOutput.write(doc.canonicalText + "\n")
        case .text:
            Terminal.standardOutput.write(Self.text(listing))
        }
        for w in listing.warnings { Terminal.standardError.write("assay: warning: \(w)\n") }
    }

    static func text(_ listing: ReceiptListing) -> String {
        let receipts = listing.receipts.filter { $0.parsed != nil }
        if receipts.isEmpty { return "no receipts on \(listing.commit.prefix(12))\n" }
        var out = "\(receipts.count) receipt\(receipts.count == 1 ? "" : "s") on \(listing.commit.prefix(12))\n"
        for r in receipts {
            guard let parsed = r.parsed else { continue }
            let p = parsed.statement.predicate
            out += "\nreceipt \(parsed.digest)\n"
            func row(_ label: String, _ value: String) { out += "  " + label.padding(toLength: 11, withPad: " ", startingAt: 0) + value + "\n" }
            row("command", p.command + (p.argv.isEmpty ? "" : "  (\(p.argv.joined(separator: " ")))"))
            row("tool", "\(p.toolName) \(p.toolVersion)")
            row("commit", "\(p.gitSHA)  tree \(p.gitTree.prefix(12))  \(p.gitDirty ? "dirty" : "clean")")
            if let mode = p.mode { row("mode", mode) }
            switch p.subjectKind {
            case "index": row("about", "the index (staged content) on \(p.gitSHA.prefix(12)), not the commit itself")
            case "working-tree": row("about", "the working tree on \(p.gitSHA.prefix(12)), not the commit itself")
            case "commit": row("about", "commit \(p.gitSHA.prefix(12))")
            default: break
            }
            var verdict = "\(p.verdict)  validation \(p.validationPass ? "passed" : "FAILED")"
            if let code = p.exitCode { verdict += "  exit \(code)" }
            row("verdict", verdict)
            row("ran", "\(p.startedAt) → \(p.endedAt)  (\(p.durationMs) ms)")
            let c = p.recordCounts
            if c.input != 0 || c.output != 0 || c.quarantined != 0 || !c.byCategory.isEmpty {
                var counts = "in \(c.input), out \(c.output), quarantined \(c.quarantined)"
                if !c.byCategory.isEmpty {
                    counts += "  (" + c.byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
                }
                row("records", counts)
            }
            for (label, files) in [("output", p.outputFiles), ("input", p.inputFiles), ("policy", p.policyFiles), ("rubric", p.rubricFiles)] {
                for f in files { row(label, "\(f.path)  sha256 \(f.sha256.prefix(16))…  blob \(f.gitBlob.prefix(12))") }
            }
            for parent in p.parentReceipts { row("parent", parent) }
            for e in p.errors { row("error", e) }
            for w in p.warnings { row("warning", w) }
            if let e = parsed.envelope {
                row("signed", "DSSE, keyid " + e.signatures.map { String($0.keyid.prefix(16)) }.joined(separator: ", "))
            } else {
                row("signed", "no")
            }
        }
        return out
    }
}

// MARK: - list

struct ReceiptsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List receipts: every one under refs/notes/assay/receipts, or those on a range's commits.",
        discussion: """
            A header row, then one line per receipt: commit, start time, command,
            mode (how the run chose what to judge: an audit's staged, working-tree,
            commit or range), what the verdict is about (commit, index: the staged
            content, or working-tree; "-" in receipts that do not say), verdict,
            digest, whether it is signed, and the arguments the run recorded.
            The ledger's index is refreshed from the notes.

            Examples:
              assay receipts list
              assay receipts list --range main..HEAD
              assay receipts list --range HEAD~20..HEAD --format json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only receipts on these commits: `A..B`, or a revision and its ancestors.", valueName: "range"))
    var range: String?

    @Option(name: .long, help: "text for people, json for machines.")
    var format: OutputFormat = .text

    func run() throws {
        let result: (rows: [ReceiptSummary], warnings: [String])
        do { result = try ReceiptService().list(repositoryPath: global.repo, range: range) } catch { throw fail(error) }
        switch format {
        case .json: printJSON(result.rows)
        case .text:
            if result.rows.isEmpty {
                Terminal.standardOutput.write("no receipts\(range.map { " on \($0)" } ?? "") — runs leave them in refs/notes/assay/receipts\n")
            } else {
                Terminal.standardOutput.write(Self.text(result.rows))
            }
        }
        for w in result.warnings { Terminal.standardError.write("assay: warning: \(w)\n") }
    }
}

extension ReceiptsList {
    /// A header row, then one row per receipt; the recorded arguments last (they vary in length).
    static func text(_ rows: [ReceiptSummary]) -> String {
        let header = ["COMMIT", "STARTED", "COMMAND", "MODE", "ABOUT", "VERDICT", "DIGEST", "SIGNED", "ARGUMENTS"]
        var table = [header]
        for r in rows {
            table.append([String(r.commit.prefix(12)), r.startedAt, r.command, r.mode ?? "-", Self.about(r.subjectKind),
                          r.verdict, String(r.digest.prefix(16)), r.signed ? "signed" : "unsigned",
                          r.argv.isEmpty ? "-" : r.argv.joined(separator: " ")])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in table { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in table {
            var cells: [String] = []
            for (i, cell) in row.enumerated() {
                cells.append(i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0))
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        return out
    }

    /// The ABOUT column: what the verdict judged (`-` for receipts that do not say).
    static func about(_ subjectKind: String?) -> String {
        switch subjectKind {
        case "index": "index"
        case "working-tree": "working-tree"
        case "commit": "commit"
        default: "-"
        }
    }
}

// MARK: - verify

struct ReceiptsVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute what the receipts on a commit claim, and check their signatures.",
        discussion: """
            For every receipt on the commit (default: HEAD):
              - the line is a canonical in-toto statement, and its digest is its SHA-256
              - git_sha is this commit and git_tree is its tree
              - each output file on disk still has the recorded sha256 and git blob id
                (a file that is gone is checked against git's blob, when git has it)
              - input, policy and rubric files: a change since the run is reported,
                not a failure (the receipt covers what the run read)
              - each parent receipt is among the receipts on this commit or its ancestors
              - with --key: a signed receipt's signature verifies with the key; an
                unsigned receipt is reported as unsigned (and counted), not failed

            Exit codes: 0 every check holds · 1 a mismatch, no receipt on the
            commit, or --key given and no receipt on the commit is signed · 2 could
            not run · 3 something could not be checked (a missing output file whose
            blob git does not have).

            Examples:
              assay receipts verify
              assay receipts verify HEAD~1 --key ci.pub
              assay receipts verify --format json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The commit whose receipts to verify.", valueName: "rev"))
    var revision: String = "HEAD"

    @Option(name: .long, help: ArgumentHelp("A public key (`assay receipts keygen`'s .pub, or PEM): every signed receipt's signature must verify with it (unsigned ones are counted; at least one must be signed).", valueName: "pub"))
    var key: String?

    @Option(name: .long, help: "text for people, json for machines (schema assay.receipts.verify/v1).")
    var format: OutputFormat = .text

    func run() throws {
        let report: ReceiptVerificationReport
        do { report = try ReceiptService().verify(repositoryPath: global.repo, revision: revision, publicKeyPath: key) } catch { throw fail(error) }
        switch format {
        case .json: printJSON(report)
        case .text: Terminal.standardOutput.write(Self.text(report, color: Terminal.standardOutput.useColor(global.color), verbose: global.verbose))
        }
        if report.status != .pass { throw ExitCode(report.status.rawValue) }
    }

    static func text(_ report: ReceiptVerificationReport, color: Bool, verbose: Bool) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        let commit = String(report.commit.prefix(12))
        if report.receipts.isEmpty {
            return "no receipt on \(commit) under refs/notes/assay/receipts — nothing vouches for it (fetch receipts: assay receipts sync)\n"
        }
        var out = ""
        for r in report.receipts {
            let name = r.digest.map { String($0.prefix(16)) } ?? "line \(r.line)"
            let label: String
            switch r.outcome {
            case .ok, .note: label = report.keyid != nil && !r.signed ? paint("unsigned", "33") : paint("ok", "32")
            case .mismatch: label = paint("FAILED", "31;1")
            case .unchecked: label = paint("partial", "33")
            }
            out += "receipt \(name)  \(r.command ?? "?")  \(r.verdict ?? "?")  \(r.startedAt ?? "")  \(label)\n"
            for c in r.checks where verbose || c.outcome != .ok {
                let mark: String
                switch c.outcome {
                case .ok: mark = "  ok        "
                case .mismatch: mark = paint("  mismatch  ", "31")
                case .unchecked: mark = paint("  unchecked ", "33")
                case .note: mark = "  note      "
                }
                out += mark + c.message + "\n"
            }
        }
        let failed = report.receipts.filter { $0.outcome == .mismatch }.count
        let partial = report.receipts.filter { $0.outcome == .unchecked }.count
        let n = report.receipts.count
        let checks = report.receipts.reduce(0) { $0 + $1.checks.filter { $0.outcome == .ok }.count }
        let unsigned = report.unsigned
        let keyed = report.keyid != nil
        switch report.status {
        case .pass: out += "verified \(n) receipt\(n == 1 ? "" : "s") on \(commit) (\(checks) checks hold)\n"
        case .partial: out += "\(partial) of \(n) receipt\(n == 1 ? "" : "s") on \(commit) could not be fully checked\n"
        default:
            if failed == 0, keyed, unsigned == n {
                out += "none of the \(n) receipt\(n == 1 ? "" : "s") on \(commit) is signed: nothing vouches for it under key \(report.keyid!.prefix(12))\n"
                return out
            }
            out += "\(failed) of \(n) receipt\(n == 1 ? "" : "s") on \(commit) failed verification\n"
        }
        if keyed {
            let signed = n - unsigned
            out += "\(signed) signed (signature\(signed == 1 ? "" : "s") checked against key \(report.keyid!.prefix(12))), \(unsigned) unsigned (nothing to check)\n"
        }
        return out
    }
}

// MARK: - keygen

struct ReceiptsKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write an Ed25519 key pair for signing receipts.",
        discussion: """
            Writes PREFIX.key (the private key: PKCS#8 PEM, file mode 0600) and
            PREFIX.pub (the public key as securesystemslib's JSON key dictionary
            with its keyid). Sign with --sign PREFIX.key, verify with
            --key PREFIX.pub. Keep the private key out of the repository; in CI,
            store it as a secret and write it to a file for the run.

            Python (securesystemslib 1.x) loads the public key with:
              d = json.load(open("PREFIX.pub")); key = SSlibKey.from_dict(d.pop("keyid"), d)

            Examples:
              assay receipts keygen                       assay-receipts.key, assay-receipts.pub
              assay receipts keygen --output ~/.assay/ci
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Where to write: PREFIX.key and PREFIX.pub (relative to the current directory).", valueName: "prefix"))
    var output: String = "assay-receipts"

    @Flag(name: .long, help: "Replace existing key files.")
    var force = false

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let generated: ReceiptKeyFiles.Generated
        do { generated = try ReceiptService().keygen(prefix: output, force: force) } catch { throw fail(error) }
        switch format {
        case .json: printJSON(generated)
        case .text:
            Terminal.standardOutput.write("""
                private key: \(generated.privateKey) (mode 0600 — keep it secret)
                public key:  \(generated.publicKey)
                keyid:       \(generated.keyid)

                """)
        }
    }
}

// MARK: - sync

struct ReceiptsSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Print how to push, fetch and merge receipts, and keep them through rebases.",
        discussion: """
            git does not push or fetch notes unless asked. Receipts are one line
            each, so two clones' notes merge with git's cat_sort_uniq strategy
            (concatenate, sort, drop duplicates) without conflicts.

            Examples:
              assay receipts sync
              assay receipts sync --remote upstream
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The remote to push to and fetch from.")
    var remote: String = "origin"

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let plan: ReceiptSyncPlan
        do { plan = try ReceiptService().syncPlan(repositoryPath: global.repo, remote: remote) } catch { throw fail(error) }
        if format == .json { printJSON(plan); return }
        var out = "# Push your receipts:\n"
        for c in plan.push { out += c + "\n" }
        out += "\n# Fetch theirs and merge (one line per receipt: nothing conflicts):\n"
        for c in plan.fetchAndMerge { out += c + "\n" }
        out += "\n# Keep receipts on the commits a rebase or amend makes (a carried receipt still names its\n"
        out += "# original commit; verify reports it as not covering the new one):\n"
        for c in plan.config { out += c + "\n" }
        out += plan.rewriteRefConfigured ? "# (notes.rewriteRef is already set here)\n" : "# (notes.rewriteRef is not set here yet)\n"
        Terminal.standardOutput.write(out)
    }
}

// MARK: - write (hidden)

struct ReceiptsWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Record a receipt for a stage of your own pipeline (prints its digest).",
        discussion: """
            Hashes the files, builds the statement, and appends it to the note on
            the commit (default: HEAD). Prints the receipt's digest, which the next
            stage passes as --parent. Everything after `--` is recorded as the
            stage's argv.

            Examples:
              d=$(assay receipts write --command harvest --input kb.jsonl --output evidence.jsonl)
              assay receipts write --command train --input evidence.jsonl --output model.bin \\
                  --parent "$d" --sign ci.key -- python train.py --epochs 3
            """,
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("command"), help: ArgumentHelp("The stage's name.", valueName: "name"))
    var command: String

    @Option(name: .customLong("output"), help: ArgumentHelp("A file the stage wrote (repeatable): a subject of the statement.", valueName: "file"))
    var outputs: [String] = []

    @Option(name: .customLong("input"), help: ArgumentHelp("A file the stage read (repeatable).", valueName: "file"))
    var inputs: [String] = []

    @Option(name: .customLong("policy"), help: ArgumentHelp("A policy file the stage applied (repeatable).", valueName: "file"))
    var policies: [String] = []

    @Option(name: .customLong("rubric"), help: ArgumentHelp("A rubric file the stage applied (repeatable).", valueName: "file"))
    var rubrics: [String] = []

    @Option(name: .long, help: ArgumentHelp("The commit the receipt is about and attached to.", valueName: "rev"))
    var rev: String = "HEAD"

    @Option(name: .long, help: ArgumentHelp("Sign with this private key (a DSSE envelope).", valueName: "key"))
    var sign: String?

    @Option(name: .long, help: "The stage's answer.")
    var verdict: String = "pass"

    @Option(name: .customLong("parent"), help: ArgumentHelp("The digest of a receipt this stage consumed (repeatable).", valueName: "digest"))
    var parents: [String] = []

    @Option(name: .customLong("records-in"), help: ArgumentHelp("Records read.", valueName: "n"))
    var recordsIn: Int = 0

    @Option(name: .customLong("records-out"), help: ArgumentHelp("Records written.", valueName: "n"))
    var recordsOut: Int = 0

    @Option(name: .long, help: ArgumentHelp("Records quarantined (failed validation).", valueName: "n"))
    var quarantined: Int = 0

    @Option(name: .customLong("category"), help: ArgumentHelp("Records of one category, NAME=N (repeatable).", valueName: "name=n"))
    var categories: [String] = []

    @Flag(name: .customLong("validation-failed"), help: "Record validation_pass as false.")
    var validationFailed = false

    @Option(name: .customLong("error"), help: ArgumentHelp("An error to record (repeatable).", valueName: "text"))
    var errors: [String] = []

    @Option(name: .customLong("warning"), help: ArgumentHelp("A warning to record (repeatable).", valueName: "text"))
    var warnings: [String] = []

    @Option(name: .customLong("exit-code"), help: ArgumentHelp("The stage's exit code.", valueName: "n"))
    var exitCode: Int?

    @Option(name: .customLong("started-at"), help: ArgumentHelp("When the stage started (RFC 3339); default: now.", valueName: "time"))
    var startedAt: String?

    @Option(name: .customLong("git-dirty"), help: ArgumentHelp("true or false; default: whether the index or tracked files differ from HEAD.", valueName: "bool"))
    var gitDirty: Bool?

    @Option(name: .long, help: "text (the digest) or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: .hidden)
    var timing = false

    @Argument(parsing: .postTerminator, help: "The stage's own command line, after `--`.")
    var argv: [String] = []

    func validate() throws {
        for c in categories where c.split(separator: "=").count != 2 || Int(c.split(separator: "=").last ?? "") == nil {
            throw ValidationError("--category takes NAME=N, e.g. accepted=12 (got '\(c)')")
        }
        if let startedAt, ReceiptTime.parse(startedAt) == nil {
            throw ValidationError("--started-at takes an RFC 3339 time, e.g. 2026-01-31T12:00:00Z (got '\(startedAt)')")
        }
    }

    func run() throws {
        let clockStart = DispatchTime.now().uptimeNanoseconds
        var byCategory: [String: Int] = [:]
        for c in categories {
            let parts = c.split(separator: "=")
            byCategory[String(parts[0]), default: 0] += Int(parts[1]) ?? 0
        }
        let record = RunRecord(
            command: command, argv: argv.isEmpty ? Array(CommandLine.arguments.dropFirst()) : argv, gitSHA: rev,
            gitDirty: gitDirty, inputFiles: inputs, outputFiles: outputs, policyFiles: policies, rubricFiles: rubrics,
            recordCounts: RecordCounts(input: recordsIn, output: recordsOut, quarantined: quarantined, byCategory: byCategory),
            validationPass: !validationFailed, errors: errors, warnings: warnings, verdict: verdict, exitCode: exitCode,
            startedAt: startedAt.flatMap(ReceiptTime.parse) ?? Date(), parents: parents)
        let written: ReceiptWritten
        do { written = try ReceiptWriter.write(record, repositoryPath: global.repo, signingKey: sign) } catch { throw fail(error) }
        if timing {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - clockStart) / 1e6
            let phases = written.phaseMilliseconds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }
            Terminal.standardError.write("assay timing: receipt written in \(String(format: "%.2f", ms)) ms (\(phases.joined(separator: ", ")))\n")
        }
        switch format {
        case .json:
            let doc = JSONValue.object(["digest": .string(written.digest), "commit": .string(written.commit),
                                        "notes_ref": .string(written.notesRef), "signed": .bool(written.signed),
                                        "line": .string(written.line)])
            Terminal.standardOutput.write(doc.canonicalText + "\n")
        case .text:
            Terminal.standardOutput.write(written.digest + "\n")
        }
        for w in written.warnings { Terminal.standardError.write("assay: warning: \(w)\n") }
    }
}
