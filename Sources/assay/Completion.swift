import ArgumentParser
import AssayCore
import Foundation

struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script: bash, zsh or fish.",
        discussion: """
            The script completes commands, options and their values. Install it where your shell looks
            (the Debian package does this for you):
              assay completion bash > ~/.local/share/bash-completion/completions/assay
              assay completion zsh  > "${fpath[1]}/_assay"
              assay completion fish > ~/.config/fish/completions/assay.fish
            """
    )

    @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"))
    var shell: Shell

    enum Shell: String, ExpressibleByArgument, CaseIterable { case bash, zsh, fish }

    func run() throws {
        let target: CompletionShell
        switch shell {
        case .bash: target = .bash
        case .zsh: target = .zsh
        case .fish: target = .fish
        }
        let script = Assay.completionScript(for: target)
        Terminal.standardOutput.write(script.hasSuffix("\n") ? script : script + "\n")
    }
}

/// `assay manual`: the man page (roff, `man 7 man` macros), generated from the same command
/// configuration `--help` prints; `docs/man/assay.1` is its output, checked by a test.
struct Manual: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print assay's man page (roff), generated from the commands' help.",
        discussion: "docs/man/assay.1 is generated this way: assay manual > docs/man/assay.1",
        shouldDisplay: false
    )

    func run() throws {
        Terminal.standardOutput.write(try ManPage.render())
    }
}

/// Renders the command tree that swift-argument-parser describes (`--experimental-dump-help`) as one
/// roff page: NAME, SYNOPSIS, DESCRIPTION, one section per command with its options, EXIT STATUS,
/// ENVIRONMENT and FILES.
enum ManPage {
    struct Tool: Decodable { var command: Command }
    struct Command: Decodable {
        var commandName: String
        var abstract: String?
        var discussion: String?
        var shouldDisplay: Bool?
        var subcommands: [Command]?
        var arguments: [Argument]?
    }
    struct Argument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var kind: String
        var shouldDisplay: Bool
        var isOptional: Bool
        var isRepeating: Bool
        var names: [Name]?
        var valueName: String?
        var defaultValue: String?
        var abstract: String?
    }

    static func render() throws -> String {
        let json: String
        do { _ = try Assay.parseAsRoot(["--experimental-dump-help"]); json = "" } catch { json = Assay.fullMessage(for: error) }
        let tool = try JSONDecoder().decode(Tool.self, from: Data(json.utf8))
        let root = tool.command
        var out = """
            .\\" Generated from the commands' help: assay manual > docs/man/assay.1 (do not edit by hand).
            .TH ASSAY 1 "" "assay \(escape(AssayVersion.current))" "User Commands"
            .SH NAME
            assay \\- \(escape(root.abstract ?? ""))
            .SH SYNOPSIS
            .B assay
            .I command
            [\\fB\\-\\-repo\\fR \\fIpath\\fR] [\\fIoptions\\fR]

            """
        out += ".SH DESCRIPTION\n" + paragraphs(root.discussion ?? "")
        out += ".SH COMMANDS\n"
        for command in root.subcommands ?? [] where command.shouldDisplay != false && command.commandName != "help" {
            out += section(command, path: ["assay"])
        }
        out += """
            .SH EXIT STATUS
            .TP
            .B 0
            pass
            .TP
            .B 1
            a gate failed (a finding at or above \\fB\\-\\-fail\\-on\\fR, a contradicted claim)
            .TP
            .B 2
            could not run: bad input, not a repository, a git error; one line says what, where, and what to do
            .TP
            .B 3
            partial: some objects or files were unreadable; the rest is reported
            .SH ENVIRONMENT
            .TP
            .B ASSAY_SKIP
            Rule ids (comma-separated) the audit turns off for one run.
            .TP
            .B SKIP
            The pre-commit framework's convention: \\fBSKIP=assay\\fR skips assay's hooks once.
            .TP
            .B ASSAY_TOKEN\\fR, \\fBGITHUB_TOKEN\\fR, \\fBGH_TOKEN
            The token \\fBassay ci\\fR posts statuses, check runs and comments with (the first one set).
            .TP
            .B ASSAY_BIN
            The assay binary the installed git hooks run (default: the one that installed them, then \\fBassay\\fR on PATH).
            .TP
            .B ASSAY_LOCK_TIMEOUT
            Seconds a ledger writer waits for another's lock (default 30).
            .TP
            .B ASSAY_TODAY
            A fixed date (YYYY\\-MM\\-DD) for \\fB.assayignore\\fR expiry, to replay an old run.
            .TP
            .B ASSAY_TRACE
            Print the phases of a run with their times on standard error.
            .TP
            .B GIT_INDEX_FILE
            The index \\fBassay audit \\-\\-staged\\fR reads (git sets it in hooks).
            .TP
            .B NO_COLOR
            No colour, even on a terminal.
            .SH FILES
            .TP
            .I .assay.yml
            Settings: claim sources, the policy, the rubric (\\fBassay init\\fR writes a commented one).
            .TP
            .I .assay-baseline.json
            Contradicted claims accepted as they are (written by \\fBassay init\\fR).
            .TP
            .I .assayignore
            Accepted audit findings, by fingerprint.
            .TP
            .I $GIT_COMMON_DIR/assay/ledger.sqlite
            The ledger: an index of what assay has seen; delete it at any time.
            .SH SEE ALSO
            .BR git (1)

            """
        return out
    }

    /// One command (and its subcommands): usage, abstract, discussion, options.
    static func section(_ command: Command, path: [String]) -> String {
        let full = path + [command.commandName]
        var out = ".SS \"\(escape(full.joined(separator: " ")))\"\n"
        if let abstract = command.abstract { out += escape(abstract) + "\n" }
        if let discussion = command.discussion, !discussion.isEmpty { out += ".PP\n" + paragraphs(discussion, leading: false) }
        // A flag and its inversion (`--hooks`, `--no-hooks`) come as two arguments with one help text: one entry.
        var entries: [(label: String, help: String)] = []
        for argument in command.arguments ?? [] where argument.shouldDisplay {
            guard let label = label(argument) else { continue }
            var help = escape(argument.abstract ?? "")
            if let value = argument.defaultValue, !value.isEmpty { help += " (default: \(escape(value)))" }
            if let last = entries.last, last.help == help, argument.kind == "flag" {
                entries[entries.count - 1].label += ", " + label
            } else {
                entries.append((label, help))
            }
        }
        for entry in entries { out += ".TP\n" + entry.label + "\n" + entry.help + "\n" }
        for sub in command.subcommands ?? [] where sub.shouldDisplay != false && sub.commandName != "help" {
            out += section(sub, path: full)
        }
        return out
    }

    static func label(_ a: Argument) -> String? {
        let value = a.valueName.map { " \\fI\(escape($0))\\fR" } ?? ""
        switch a.kind {
        case "positional":
            return "\\fI\(escape(a.valueName ?? "value"))\\fR" + (a.isRepeating ? " ..." : "")
        case "option", "flag":
            let names = (a.names ?? []).map { name -> String in
                let dash = name.kind == "short" || name.kind == "longWithSingleDash" ? "\\-" : "\\-\\-"
                return "\\fB\(dash)\(escape(name.name))\\fR"
            }
            guard !names.isEmpty, !(a.names ?? []).contains(where: { $0.name == "help" || $0.name == "version" }) else { return nil }
            return names.joined(separator: ", ") + (a.kind == "option" ? value : "")
        default:
            return nil
        }
    }

    /// Text as roff paragraphs: blank lines separate paragraphs; indented lines (examples, tables)
    /// are kept as they are, unfilled.
    static func paragraphs(_ text: String, leading: Bool = true) -> String {
        var out = ""
        var inExample = false
        var needParagraph = leading
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if inExample { out += ".fi\n"; inExample = false }
                needParagraph = true
                continue
            }
            if line.hasPrefix(" ") {
                if !inExample { out += ".PP\n.nf\n"; inExample = true; needParagraph = false }
            } else {
                if inExample { out += ".fi\n"; inExample = false; needParagraph = true }
                if needParagraph { out += ".PP\n"; needParagraph = false }
            }
            out += escape(line) + "\n"
        }
        if inExample { out += ".fi\n" }
        return out
    }

    /// Escapes roff: backslashes, leading dots and apostrophes, hyphens (so they stay hyphens), and
    /// characters beyond ASCII as `\[uXXXX]` (troff reads its input as Latin-1 otherwise).
    static func escape(_ text: String) -> String {
        var s = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": s += "\\e"
            case "-": s += "\\-"
            case _ where scalar.value > 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                s += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: s.unicodeScalars.append(scalar)
            }
        }
        if s.hasPrefix(".") || s.hasPrefix("'") { s = "\\&" + s }
        return s
    }
}
