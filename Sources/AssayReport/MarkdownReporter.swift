import AssayCore

/// Markdown for a pull-request comment or a CI job summary: the verdict first, then the findings as
/// a table (with the evidence a reader can check each one by), cut at a size limit with a note
/// saying how many were left out. The first line is a hidden marker, so a bot can find its own
/// comment and update it in place.
public enum MarkdownReporter {
    public static let marker = "<!-- assay:audit -->"
    /// GitHub's limits: a comment body holds 65,536 characters, a job summary 1 MiB.
    public static let commentLimit = 65_000
    public static let summaryLimit = 1_000_000

    public static func report(_ input: ReportInput, limit: Int = commentLimit) -> String {
        let verdict = input.verdict == "pass" ? "✅ **assay audit: pass**" : "❌ **assay audit: fail**"
        var head = "\(marker)\n\(verdict) — \(cell(input.summaryLine))\n\n"
        if !input.gateReasons.isEmpty { head += "Gate: \(cell(input.gateReasons.joined(separator: "; ")))\n\n" }
        // One verdict: the gate's, above. The rubric's scores are advisory detail, folded away.
        head += "Checked at `\(input.sha.prefix(12))`. <details><summary>rubric (advisory)</summary>"
            + "\(input.decision), utility \(input.utility), risk \(input.risk)</details>\n"
        if input.findings.isEmpty {
            return head + "\nNo findings" + (input.suppressed.isEmpty ? "." : " (\(input.suppressed.count) suppressed).") + "\n"
        }
        head += "\n| | rule | where | finding | evidence |\n|---|---|---|---|---|\n"
        var rows = ""
        var shown = 0
        for f in input.findings {
            let icon = f.severity == .block ? "🛑" : f.severity == .warn ? "⚠️" : "ℹ️"
            let place = f.line > 0 ? "\(f.displayPath):\(f.line)" : f.displayPath
            let row = "| \(icon) \(f.severity.rawValue) | `\(f.rule)` | \(cell("`" + place + "`")) | \(cell(f.message)) | \(evidence(f.evidence)) |\n"
            // Keep room for the closing note.
            if head.utf8.count + rows.utf8.count + row.utf8.count + 200 > limit { break }
            rows += row
            shown += 1
        }
        var out = head + rows
        if shown < input.findings.count {
            out += "\n_\(input.findings.count - shown) more findings are not shown (size limit) — see the full report (`assay audit --format json`)._\n"
        }
        if !input.suppressed.isEmpty { out += "\n\(input.suppressed.count) suppressed finding\(input.suppressed.count == 1 ? "" : "s") not shown.\n" }
        return out
    }

    /// At most this many evidence items per finding, each cut to this many characters.
    static let evidenceItems = 3
    static let evidenceLength = 200

    /// A finding's evidence for a table cell: each item as code (as text when it holds a backtick),
    /// one per line, the first few only, each cut to a readable length.
    static func evidence(_ items: [String]) -> String {
        var parts: [String] = items.prefix(evidenceItems).map { item in
            var text = item.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.count > evidenceLength { text = String(text.prefix(evidenceLength - 1)) + "…" }
            return text.contains("`") || text.isEmpty ? cell(text) : cell("`" + text + "`")
        }
        if items.count > evidenceItems { parts.append("(+\(items.count - evidenceItems) more)") }
        return parts.joined(separator: "<br>")
    }

    /// Text safe inside a table cell: pipes escaped, line breaks flattened, and HTML escaped outside
    /// code spans (inside them it shows as written).
    static func cell(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        let parts = flat.split(separator: "`", omittingEmptySubsequences: false)
        let closed = parts.count % 2 == 1  // an odd number of parts: every span is closed
        return parts.enumerated().map { i, part in
            let inCode = i % 2 == 1 && (closed || i < parts.count - 1)
            let text = inCode ? String(part)
                : part.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            return text.replacingOccurrences(of: "|", with: "\\|")
        }.joined(separator: "`")
    }
}
