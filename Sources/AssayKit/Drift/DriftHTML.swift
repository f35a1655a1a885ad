import AssayCore
import Foundation

/// A drift report as ONE self-contained HTML file: no external assets, no network (a Content Security
/// Policy forbids both). Summary cards, a drift-over-time chart as inline SVG, a table per doc with
/// filtering by verdict (a few lines of inline script), links to `file@SHA` on GitHub or GitLab.
/// Every piece of text from the repository is escaped.
public enum DriftHTML {
    public static func render(_ r: DriftReport) -> String {
        let s = r.summary
        var h = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>assay drift — \(e(r.ref)) \(e(String(r.sha.prefix(12))))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header><h1>Claim drift</h1>
            <p>\(e(r.ref)) at \(commitLink(r, r.sha)) · \(e(String(r.date.prefix(10)))) · \(e(r.subject))</p></header>
            <section class="cards" id="summary">

            """
        let cards: [(String, String, Int)] = [
            ("drifting", "drifting", s.drifting), ("contradicted", "contradicted", s.contradicted),
            ("false-when-written", "false when written", s.falseWhenWritten), ("stale", "stale", s.stale),
            ("verified", "verified", s.verified), ("unverifiable", "unverifiable", s.unverifiable),
            ("possibly-stale", "possibly stale sections", s.possiblyStale), ("claims", "claims", s.claims),
            ("docs", "docs", s.docs),
        ]
        for (id, label, n) in cards {
            // Claims false when written are contradicted claims too: the card says so, so no one adds them up.
            let note = id == "false-when-written" ? "<span class=\"sub\" id=\"subset-false-when-written\">of the \(s.contradicted) contradicted</span>" : ""
            h += "<div class=\"card \(id)\"><span class=\"n\" id=\"count-\(id)\">\(n)</span><span class=\"l\">\(e(label))</span>\(note)</div>\n"
        }
        h += "</section>\n"
        h += "<section><h2>Drift over time</h2>\n" + chart(r.history) + "</section>\n"
        if let cmp = r.comparison {
            h += "<section id=\"comparison\"><h2>Since \(commitLink(r, cmp.base.sha)) (\(e(String(cmp.base.date.prefix(10)))))</h2>\n"
            h += "<p><span id=\"cmp-new\">\(cmp.new.count)</span> new · <span id=\"cmp-resolved\">\(cmp.resolved.count)</span> resolved · <span id=\"cmp-persistent\">\(cmp.persistent.count)</span> persistent</p>\n"
            for (label, list) in [("new", cmp.new), ("resolved", cmp.resolved)] where !list.isEmpty {
                h += "<h3>\(label)</h3><ul class=\"\(label)\">\n"
                for c in list {
                    h += "<li>\(fileLink(r, c.path, c.line)) \(rich(c.text)) <span class=\"v\">\(e(c.before ?? "absent")) → \(e(c.after ?? "removed"))</span></li>\n"
                }
                h += "</ul>\n"
            }
            h += "</section>\n"
        }
        var counts: [String: Int] = [:]
        for c in r.claims { counts[c.verdict, default: 0] += 1 }
        h += "<section id=\"claims\"><h2>Claims</h2>\n<form class=\"filters\" onsubmit=\"return false\">\n"
        for v in Verdict.allCases.map(\.rawValue) {
            // Drift is what the report is about: contradicted and stale are shown at first.
            let on = Self.shownByDefault.contains(v)
            h += "<label><input type=\"checkbox\" data-filter=\"\(v)\"\(on ? " checked" : "")> \(v) (<span id=\"filter-\(v)\">\(counts[v] ?? 0)</span>)</label>\n"
        }
        h += "<input type=\"search\" id=\"q\" placeholder=\"filter text\" aria-label=\"filter text\"> <span class=\"shown\"><span id=\"shown\">\(r.claims.count)</span> shown</span></form>\n"
        var byDoc: [(String, [DriftClaim])] = []
        var index: [String: Int] = [:]
        for c in r.claims {
            if let i = index[c.path] { byDoc[i].1.append(c) } else { index[c.path] = byDoc.count; byDoc.append((c.path, [c])) }
        }
        byDoc.sort { Self.docPrecedes($0, $1) }
        for (path, claims) in byDoc {
            h += "<section class=\"doc\"><h3>\(fileLink(r, path, nil))</h3>\n<table><thead><tr><th>line</th><th>verdict</th><th>kind</th><th>claim</th><th>written</th><th>since</th><th>drifting for</th></tr></thead><tbody>\n"
            for c in claims.sorted(by: { ($0.line ?? 0) < ($1.line ?? 0) }) {
                let written = c.introduced.map { "\(commitLink(r, $0.sha)) \(e(String($0.date.prefix(10)))) <span class=\"v\">\(e($0.verdict ?? ""))</span>" } ?? ""
                let since: String
                if c.origin == "false-when-written" { since = "false when written" } else {
                    since = c.since.map { "\(commitLink(r, $0.sha)) \(e(String($0.date.prefix(10)))) <span class=\"subj\">\(rich($0.subject))</span>" } ?? ""
                }
                let age = c.drift.map { "\($0.commits) commits, \(e(DriftText.formatDays($0.days)))" } ?? ""
                let evidence = c.evidence.isEmpty ? "" : "<details><summary>evidence</summary><ul>" + c.evidence.map { "<li>\(rich($0))</li>" }.joined() + "</ul></details>"
                h += "<tr data-verdict=\"\(e(c.verdict))\"><td>\(c.line.map { fileLink(r, path, $0, text: String($0)) } ?? "")</td>"
                h += "<td class=\"verdict \(e(c.verdict))\">\(e(c.verdict))\(c.verdictClass.map { "<br><small>\(e($0))</small>" } ?? "")</td>"
                h += "<td>\(e(c.kind))</td><td>\(rich(c.text))\(evidence)</td><td>\(written)</td><td>\(since)</td><td>\(age)</td></tr>\n"
            }
            h += "</tbody></table></section>\n"
        }
        h += "</section>\n"
        if !r.possiblyStale.isEmpty {
            h += "<section id=\"possibly-stale\"><h2>Possibly stale sections</h2><p>The files these sections name changed after the section was last edited. Not drift: worth a look.</p>\n"
            h += "<table><thead><tr><th>section</th><th>last edited</th><th>changed since</th></tr></thead><tbody>\n"
            for p in r.possiblyStale {
                let changed = p.changed.map { "\(e($0.path)) (\(commitLink(r, $0.commit.sha)))" }.joined(separator: ", ")
                h += "<tr><td>\(fileLink(r, p.path, p.line)) \(rich(p.section.isEmpty ? "(top)" : p.section))</td><td>\(commitLink(r, p.lastTouched.sha)) \(e(String(p.lastTouched.date.prefix(10))))</td><td>\(changed)</td></tr>\n"
            }
            h += "</tbody></table></section>\n"
        }
        if !r.warnings.isEmpty {
            h += "<section id=\"warnings\"><h2>Warnings</h2><ul>" + r.warnings.map { "<li>\(e($0))</li>" }.joined() + "</ul></section>\n"
        }
        h += "<footer>assay \(e(AssayVersion.current)) · schema \(e(r.schema))</footer>\n<script>\(script)</script>\n</body>\n</html>\n"
        return h
    }

    /// Escapes text for HTML content and quoted attribute values.
    public static func e(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The verdicts whose rows the claim filter shows before anyone touches it: drift.
    public static let shownByDefault: Set<String> = ["contradicted", "stale"]

    /// Docs in order of severity: most contradicted claims first, then most stale, then most
    /// unverifiable, then by path.
    static func docPrecedes(_ a: (String, [DriftClaim]), _ b: (String, [DriftClaim])) -> Bool {
        func weight(_ claims: [DriftClaim]) -> [Int] {
            ["contradicted", "stale", "unverifiable"].map { v in claims.filter { $0.verdict == v }.count }
        }
        let wa = weight(a.1), wb = weight(b.1)
        if wa != wb { return wa.lexicographicallyPrecedes(wb, by: >) }
        return a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
    }

    /// Text from the repository with its Markdown code spans kept: escaped first, then each
    /// `` `span` `` becomes `<code>span</code>` (an unpaired backtick stays a backtick).
    public static func rich(_ s: String) -> String {
        let parts = e(s).split(separator: "`", omittingEmptySubsequences: false)
        var out = ""
        for (i, part) in parts.enumerated() {
            if i % 2 == 0 { out += part; continue }
            // An odd part is inside backticks when a closing backtick follows it.
            if i < parts.count - 1, !part.isEmpty { out += "<code>\(part)</code>" } else { out += "`\(part)" + (i < parts.count - 1 ? "`" : "") }
        }
        return out
    }

    static func commitLink(_ r: DriftReport, _ sha: String) -> String {
        let short = "<code>\(e(String(sha.prefix(12))))</code>"
        guard let remote = r.remote else { return short }
        return "<a href=\"\(e(remote.commitURL(sha)))\">\(short)</a>"
    }

    static func fileLink(_ r: DriftReport, _ path: String, _ line: Int?, text: String? = nil) -> String {
        let label = e(text ?? path + (line.map { ":\($0)" } ?? ""))
        guard let remote = r.remote else { return label }
        return "<a href=\"\(e(remote.fileURL(path, sha: r.sha, line: line)))\">\(label)</a>"
    }

    /// Drifting, contradicted and stale claims per recorded point, as an SVG line chart.
    static func chart(_ points: [DriftPoint]) -> String {
        let width = 720.0, height = 220.0, left = 44.0, right = 16.0, top = 14.0, bottom = 34.0
        guard !points.isEmpty else { return "<p>No recorded runs yet.</p>\n" }
        let maxY = Double(max(points.map(\.drifting).max() ?? 0, 1))
        let n = points.count
        func x(_ i: Int) -> Double { n == 1 ? left + (width - left - right) / 2 : left + Double(i) * (width - left - right) / Double(n - 1) }
        func y(_ v: Int) -> Double { top + (height - top - bottom) * (1 - Double(v) / maxY) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        var svg = "<svg id=\"chart\" role=\"img\" aria-label=\"drifting claims over time\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">\n"
        for tick in [0, Int(maxY / 2), Int(maxY)] {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (key, cls) in [(\DriftPoint.drifting, "drifting"), (\DriftPoint.contradicted, "contradicted"), (\DriftPoint.stale, "stale")] {
            let pts = points.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element[keyPath: key])))" }.joined(separator: " ")
            svg += "<polyline class=\"\(cls)\" fill=\"none\" points=\"\(pts)\"/>\n"
        }
        for (i, p) in points.enumerated() {
            svg += "<circle class=\"pt \(e(p.origin))\" cx=\"\(f(x(i)))\" cy=\"\(f(y(p.drifting)))\" r=\"3\"><title>\(e(String(p.sha.prefix(12)))) \(e(String(p.date.prefix(10)))): \(p.drifting) drifting (\(p.contradicted) contradicted, \(p.stale) stale) of \(p.claims)\(p.origin == "backfill" ? " — backfilled" : "")</title></circle>\n"
        }
        let (start, end) = axisLabels(points)
        svg += "<text id=\"axis-start\" x=\"\(f(left))\" y=\"\(f(height - 10))\">\(e(start))</text>"
        if n > 1 { svg += "<text id=\"axis-end\" x=\"\(f(width - right))\" y=\"\(f(height - 10))\" text-anchor=\"end\">\(e(end))</text>" }
        svg += "\n"
        svg += "</svg>\n<p class=\"legend\"><span class=\"k drifting\"></span> drifting <span class=\"k contradicted\"></span> contradicted <span class=\"k stale\"></span> stale · \(n) point\(n == 1 ? "" : "s")</p>\n"
        return svg
    }

    /// The labels at the ends of the time axis: dates, or (when every point falls on one day) dates
    /// with times, or (when those are equal too) with the commits, so the two ends never read the same.
    static func axisLabels(_ points: [DriftPoint]) -> (String, String) {
        guard let first = points.first, let last = points.last else { return ("", "") }
        func day(_ p: DriftPoint) -> String { String(p.date.prefix(10)) }
        func minute(_ p: DriftPoint) -> String { String(p.date.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        if points.count == 1 || day(first) != day(last) { return (day(first), day(last)) }
        if minute(first) != minute(last) { return (minute(first), minute(last)) }
        return ("\(minute(first)) \(first.sha.prefix(7))", "\(minute(last)) \(last.sha.prefix(7))")
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328;background:#fff}
        h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #d0d7de}h3{margin:18px 0 6px;font-size:15px}
        .cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
        .card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:110px;display:flex;flex-direction:column}
        .card .n{font-size:26px;font-weight:600}.card .l{color:#59636e}.card .sub{color:#59636e;font-size:12px}
        .card.drifting .n,.card.contradicted .n{color:#cf222e}.card.stale .n{color:#9a6700}.card.verified .n{color:#1a7f37}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d8dee4;padding:4px 8px;text-align:left;vertical-align:top}
        td.verdict.contradicted{color:#cf222e}td.verdict.stale{color:#9a6700}td.verdict.verified{color:#1a7f37}
        .v,.subj,small{color:#59636e}code{font-size:12px}
        .filters label{margin-right:12px}.filters input[type=search]{margin-left:8px}
        svg text{font-size:11px;fill:#59636e}svg .grid{stroke:#eaeef2}
        polyline{stroke-width:2}polyline.drifting,.k.drifting{stroke:#cf222e;background:#cf222e}
        polyline.contradicted,.k.contradicted{stroke:#8250df;background:#8250df}polyline.stale,.k.stale{stroke:#bf8700;background:#bf8700}
        circle.pt{fill:#cf222e}circle.pt.backfill{fill:#fff;stroke:#cf222e}
        .k{display:inline-block;width:12px;height:3px;vertical-align:middle}
        footer{margin-top:32px;color:#59636e;font-size:12px}
        """

    static let script = """
        (function(){
        var boxes=document.querySelectorAll('input[data-filter]'),q=document.getElementById('q');
        function apply(){
        var on={};boxes.forEach(function(b){on[b.getAttribute('data-filter')]=b.checked;});
        var t=(q.value||'').toLowerCase(),shown=0;
        document.querySelectorAll('tr[data-verdict]').forEach(function(r){
        var show=on[r.getAttribute('data-verdict')]&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
        r.hidden=!show;if(show)shown++;});
        document.querySelectorAll('section.doc').forEach(function(s){s.hidden=!s.querySelector('tr[data-verdict]:not([hidden])');});
        document.getElementById('shown').textContent=shown;}
        boxes.forEach(function(b){b.addEventListener('change',apply);});q.addEventListener('input',apply);apply();
        })();
        """
}
