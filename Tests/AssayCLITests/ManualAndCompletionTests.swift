import AssayTestSupport
import Foundation
import Testing

/// The man page and the shell completions, generated from the commands' own configuration.
@Suite struct ManualAndCompletionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The commands `assay --help` lists.
    func visibleCommands() throws -> [String] {
        let help = try runProcess(assayExecutable(), ["--help"])
        let lines = help.out.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") }) else { return [] }
        // A command's line starts with two spaces and its name; wrapped help lines are indented further.
        return lines[(start + 1)...].prefix { !$0.isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0 != "help" }
    }

    /// docs/man/assay.1 is `assay manual`'s output; it must match what the binary prints.
    @Test func checkedInManPageIsCurrent() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docs/man/assay.1"), encoding: .utf8)
        let r = try runProcess(assayExecutable(), ["manual"])
        #expect(r.status == 0)
        #expect(committed == r.out, "docs/man/assay.1 is out of date: run `assay manual > docs/man/assay.1`")
    }

    @Test func manPageHasEveryCommandAndRendersWithoutWarnings() throws {
        let page = try runProcess(assayExecutable(), ["manual"]).out
        let commands = try visibleCommands()
        #expect(commands.contains("init") && commands.contains("completion") && commands.contains("audit"))
        for command in commands { #expect(page.contains(".SS \"assay \(command)\""), "\(command)") }
        #expect(page.contains(".SS \"assay hooks install\""))
        #expect(!page.contains("assay manual\"") && !page.contains("snapshot-worker"))  // hidden commands stay hidden

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("assay-\(UUID().uuidString).1")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(page.utf8).write(to: file)
        let groff = try runProcess("groff", ["-man", "-Tutf8", "-ww", file.path])
        #expect(groff.status == 0)
        #expect(groff.err.isEmpty, "groff warned: \(groff.err)")
        let rendered = groff.out.replacingOccurrences(of: "\u{8}.", with: "", options: .regularExpression)
        #expect(rendered.contains("EXIT STATUS"))
        #expect(rendered.contains("--fail-on"))  // \- rendered as a hyphen-minus
        let man = try runProcess("man", ["-l", file.path], environment: ["MANPAGER": "cat", "MANWIDTH": "100"])
        #expect(man.status == 0, "\(man.err)")
        #expect(man.out.contains("assay init") && man.out.contains("ASSAY_SKIP"))
    }

    @Test func completionScriptsAreTheParsersAndValid() throws {
        for shell in ["bash", "zsh", "fish"] {
            let ours = try runProcess(assayExecutable(), ["completion", shell])
            #expect(ours.status == 0)
            let parser = try runProcess(assayExecutable(), ["--generate-completion-script", shell])
            #expect(ours.out.trimmingCharacters(in: .newlines) == parser.out.trimmingCharacters(in: .newlines), "\(shell)")
            #expect(ours.out.hasSuffix("\n"))
        }
        let bad = try runProcess(assayExecutable(), ["completion", "tcsh"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("bash"), "\(bad.err)")

        // The bash script loads and completes: the commands after `assay`, the shells after `assay completion`.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("assay-\(UUID().uuidString).bash")
        defer { try? FileManager.default.removeItem(at: script) }
        try Data(try runProcess(assayExecutable(), ["completion", "bash"]).stdout).write(to: script)
        let bin = URL(fileURLWithPath: assayExecutable()).deletingLastPathComponent().path
        func complete(_ words: [String]) throws -> [String] {
            let line = words.joined(separator: " ")
            let array = words.map { "'\($0)'" }.joined(separator: " ")
            let r = try runProcess("bash", ["-c", """
                source '\(script.path)' && complete -p assay >/dev/null || exit 9
                COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); COMP_LINE='\(line)'; COMP_POINT=\(line.utf8.count)
                _assay; printf '%s\\n' "${COMPREPLY[@]}"
                """], environment: ["PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
            #expect(r.status == 0, "\(r.err)")
            return r.out.split(separator: "\n").map(String.init)
        }
        let commands = try complete(["assay", ""])
        #expect(commands.contains("init") && commands.contains("audit") && commands.contains("completion"), "\(commands)")
        #expect(try complete(["assay", "completion", ""]) == ["bash", "zsh", "fish"])
    }
}
