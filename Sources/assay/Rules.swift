import ArgumentParser
import AssayCore
import AssayKit
import Foundation

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the audit's rules, or explain one with its examples.",
        discussion: """
            Examples:
              assay rules                     every rule with its default severity
              assay rules stub-marker         what it finds, why, and examples that do and do not trigger it
              assay rules --format markdown   the rule reference (docs/rules.md is generated this way)
              assay rules --format json       for tools
            """
    )

    @Argument(help: ArgumentHelp("A rule id to explain.", valueName: "rule"))
    var id: String?

    @Option(name: .long, help: "text, markdown, or json.")
    var format: RulesFormat = .text

    enum RulesFormat: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

    func run() throws {
        let rules = AuditService.rules
        var chosen = rules
        if let id {
            guard let rule = rules.first(where: { $0.id == id }) else {
                let known = rules.map(\.id)
                let close = Self.suggestions(for: id, among: known)
                guard !close.isEmpty else {
                    throw fail(AssayError("no rule named `\(id)`", fix: "the rules are: \(known.joined(separator: ", "))"))
                }
                let named = close.map { "`\($0)`" }
                let choice = named.count == 1 ? named[0] : named.dropLast().joined(separator: ", ") + " or " + named.last!
                throw fail(AssayError("no rule named `\(id)`; did you mean \(choice)?",
                                      fix: "run `assay rules \(close[0])`; the rules are: \(known.joined(separator: ", "))"))
            }
            chosen = [rule]
        }
        switch format {
        case .json:
            printJSON(chosen.map(RuleDoc.init))
        case .markdown:
            Terminal.standardOutput.write(RuleDoc.markdown(chosen))
        case .text:
            if id == nil {
                let width = rules.map(\.id.count).max() ?? 0
                var out = ""
                for r in rules {
                    out += r.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + r.defaultSeverity.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0) + "  " + r.summary + "\n"
                }
                out += "\n`assay rules ID` explains one rule with its examples.\n"
                Terminal.standardOutput.write(out)
            } else {
                Terminal.standardOutput.write(RuleDoc.text(chosen[0]))
            }
        }
    }

    /// The rule ids a mistyped `word` most likely meant: those nearest to it by edit distance, compared
    /// with the whole id and with each of its words (`stubb` → `stub-marker`, `marker` → both marker
    /// rules, `todo` → `todo-added`). Empty when nothing is close.
    static func suggestions(for word: String, among ids: [String]) -> [String] {
        let query = Array(word.lowercased().utf8)
        guard !query.isEmpty else { return [] }
        let allowed = max(1, query.count / 3)
        var scored: [(distance: Int, id: String)] = []
        for id in ids {
            let whole = Array(id.utf8)
            var distance = editDistance(query, whole)
            if query.count >= 3, whole.starts(with: query) { distance = 0 }
            for part in id.split(separator: "-") where part.utf8.count >= 3 {
                distance = min(distance, editDistance(query, Array(part.utf8)))
            }
            if distance <= allowed { scored.append((distance, id)) }
        }
        guard let best = scored.map(\.distance).min() else { return [] }
        return scored.filter { $0.distance == best }.map(\.id)
    }
}
