import Foundation

/// Renders a drift report for people: plain text for a terminal, Markdown for an issue, a pull
/// request or a wiki page. Pure functions of the report.
public enum DriftText {
    /// Plain text; `color` adds ANSI colours.
    public static func text(_ r: DriftReport, color: Bool = false, verbose: Bool = false) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        var out = "Drift at \(r.ref) \(r.sha.prefix(12)) (\(r.date.prefix(10))): "
        out += "\(r.summary.drifting) drifting of \(r.summary.claims) claims in \(r.summary.docs) doc\(r.summary.docs == 1 ? "" : "s")"
        out += " — \(r.summary.contradicted) contradicted (\(r.summary.falseWhenWritten) false when written), \(r.summary.stale) stale\n"
        if r.sources.isEmpty {
            out += "\nNo claim-bearing docs: no PRD, PHASES, PLAN, PROGRESS, TASKS, STATUS, IMPLEMENTATION* or SUMMARY* docs, nothing under memory-bank/, docs/ or .taskmaster/. Add globs under claims.include in .assay.yml.\n"
        }
        var file = ""
        for c in r.claims where c.isDrifting || verbose {
            if c.path != file { out += "\n" + paint(c.path, "1") + "\n"; file = c.path }
            let mark = c.verdict == "stale" ? paint("↯ stale       ", "33")
                : c.verdict == "contradicted" ? paint("✗ contradicted", "31")
                : c.verdict == "verified" ? paint("✓ verified    ", "32") : "? \(c.verdict)"
            let subject = c.kind == "status" ? c.scope.joined(separator: ", ") : c.subject
            out += "  \(mark) \(c.kind) \(subject)\(c.verdictClass.map { " — \($0)" } ?? "")\(c.line.map { "  (line \($0))" } ?? "")\n"
            out += "      \(history(c))\n"
            if verbose || c.isDrifting { for e in c.evidence { out += "      \(e)\n" } }
        }
        if !r.possiblyStale.isEmpty {
            out += "\nPossibly stale (the files a section names changed after it was last edited):\n"
            for s in r.possiblyStale {
                out += "  \(s.path):\(s.line) \(s.section.isEmpty ? "(top)" : s.section) — last edited \(s.lastTouched.sha.prefix(12)) \(s.lastTouched.date.prefix(10)); since then: "
                out += s.changed.map { "\($0.path) (\($0.commit.sha.prefix(12)))" }.joined(separator: ", ") + "\n"
            }
        }
        if let cmp = r.comparison {
            out += "\nSince \(cmp.base.sha.prefix(12)) (\(cmp.base.date.prefix(10))): \(cmp.new.count) new, \(cmp.resolved.count) resolved, \(cmp.persistent.count) persistent\n"
            for (label, list) in [("new", cmp.new), ("resolved", cmp.resolved)] {
                for c in list { out += "  \(label): \(c.path):\(c.line ?? 0) \(c.text) (\(c.before ?? "absent") → \(c.after ?? "removed"))\n" }
            }
        }
        if r.history.count > 1 { out += "\nTrend: " + r.history.map { String($0.drifting) }.joined(separator: " → ") + " drifting\n" }
        let s = r.summary
        out += "\n\(s.verified) verified · \(s.contradicted) contradicted · \(s.stale) stale · \(s.unverifiable) unverifiable · \(s.abstain) abstain · \(s.possiblyStale) possibly stale sections\n"
        return out
    }

    /// When a claim was written and since when it drifts, in one line.
    static func history(_ c: DriftClaim) -> String {
        var parts: [String] = []
        if let i = c.introduced { parts.append("written in \(i.sha.prefix(12)) (\(i.date.prefix(10))), \(i.verdict ?? "?") then") }
        switch c.origin {
        case "false-when-written": parts.append("false when written")
        case "went-stale":
            if let s = c.since { parts.append("went stale in \(s.sha.prefix(12)) (\(s.date.prefix(10))) \"\(s.subject)\"") } else { parts.append("went stale") }
        default: break
        }
        if let d = c.drift { parts.append("drifting for \(d.commits) commit\(d.commits == 1 ? "" : "s"), \(formatDays(d.days))") }
        if let v = c.lastVerified, c.verdict != "verified" { parts.append("last verified at \(v.prefix(12))") }
        return parts.joined(separator: "; ")
    }

    static func formatDays(_ days: Double) -> String {
        days == days.rounded() ? "\(Int(days)) day\(days == 1 ? "" : "s")" : String(format: "%.1f days", days)
    }

    /// Markdown: a summary table, the drifting claims per doc, possibly stale sections, the comparison.
    public static func markdown(_ r: DriftReport) -> String {
        let s = r.summary
        var out = "## assay drift: \(s.drifting) drifting claim\(s.drifting == 1 ? "" : "s")\n\n"
        out += "At \(code(r.ref)) \(commitLink(r, r.sha)) (\(r.date.prefix(10))), \(s.claims) claims in \(s.docs) docs.\n\n"
        out += "| verified | contradicted | of which false when written | stale | unverifiable | possibly stale sections |\n|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(s.verified) | \(s.contradicted) | \(s.falseWhenWritten) | \(s.stale) | \(s.unverifiable) | \(s.possiblyStale) |\n\n"
        if r.history.count > 1 {
            out += "Trend (drifting, oldest first): " + r.history.map { String($0.drifting) }.joined(separator: " → ") + "\n\n"
        }
        if let cmp = r.comparison {
            out += "### Since \(commitLink(r, cmp.base.sha)) (\(cmp.base.date.prefix(10)))\n\n"
            out += "\(cmp.new.count) new · \(cmp.resolved.count) resolved · \(cmp.persistent.count) persistent\n\n"
            for (label, list) in [("New", cmp.new), ("Resolved", cmp.resolved)] where !list.isEmpty {
                out += "**\(label)**\n\n"
                for c in list { out += "- \(fileLink(r, c.path, c.line)): \(inline(c.text)) (\(c.before ?? "absent") → \(c.after ?? "removed"))\n" }
                out += "\n"
            }
        }
        var byDoc: [(String, [DriftClaim])] = []
        for c in r.claims where c.isDrifting {
            if byDoc.last?.0 == c.path { byDoc[byDoc.count - 1].1.append(c) } else { byDoc.append((c.path, [c])) }
        }
        byDoc.sort { DriftHTML.docPrecedes($0, $1) }
        for (path, claims) in byDoc {
            out += "### \(inline(path))\n\n| line | verdict | claim | written | since | drifting for |\n|---:|---|---|---|---|---|\n"
            for c in claims {
                let verdict = c.verdict + (c.verdictClass.map { " (\(cell($0)))" } ?? "")
                let written = c.introduced.map { "\(commitLink(r, $0.sha)) \($0.date.prefix(10))" } ?? ""
                let since = c.origin == "false-when-written" ? "false when written"
                    : c.since.map { "\(commitLink(r, $0.sha)) \($0.date.prefix(10))" } ?? ""
                let age = c.drift.map { "\($0.commits) commits, \(formatDays($0.days))" } ?? ""
                // The evidence goes with the claim, as in the text report: it holds the hint that
                // matters most ("… was renamed to …", "… deleted in …").
                let evidence = c.evidence.isEmpty ? "" : "<br><sub>" + c.evidence.map(cell).joined(separator: "<br>") + "</sub>"
                out += "| \(c.line.map { fileLink(r, c.path, $0, text: String($0)) } ?? "") | \(verdict) | \(cell(c.text))\(evidence) | \(written) | \(since) | \(age) |\n"
            }
            out += "\n"
        }
        if !r.possiblyStale.isEmpty {
            out += "<details><summary>\(r.possiblyStale.count) possibly stale section\(r.possiblyStale.count == 1 ? "" : "s")</summary>\n\n"
            for p in r.possiblyStale {
                out += "- \(fileLink(r, p.path, p.line)) \(inline(p.section.isEmpty ? "(top)" : p.section)): last edited \(p.lastTouched.date.prefix(10)); since then "
                out += p.changed.map { "\(inline($0.path)) (\(commitLink(r, $0.commit.sha)))" }.joined(separator: ", ") + "\n"
            }
            out += "\n</details>\n"
        }
        return out
    }

    /// Text safe in a Markdown table cell: no pipes, no line breaks, no HTML.
    static func cell(_ s: String) -> String {
        inline(s).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Text safe inline: HTML and Markdown metacharacters escaped, one line.
    static func inline(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\n", "\r": out += " "
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "#", "!": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    static func code(_ s: String) -> String { "`" + s.replacingOccurrences(of: "`", with: "'") + "`" }

    static func commitLink(_ r: DriftReport, _ sha: String) -> String {
        let short = code(String(sha.prefix(12)))
        guard let remote = r.remote else { return short }
        return "[\(short)](\(remote.commitURL(sha)))"
    }

    static func fileLink(_ r: DriftReport, _ path: String, _ line: Int?, text: String? = nil) -> String {
        let label = text ?? inline(path) + (line.map { ":\($0)" } ?? "")
        guard let remote = r.remote else { return label }
        let url = remote.fileURL(path, sha: r.sha, line: line).replacingOccurrences(of: ")", with: "%29").replacingOccurrences(of: "(", with: "%28")
        return "[\(label)](\(url))"
    }
}
