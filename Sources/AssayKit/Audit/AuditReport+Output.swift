import AssayCore
import AssayReport

extension AuditReport {
    /// The report as the reporters (SARIF, JUnit, Markdown, annotations) read it.
    public var reportInput: ReportInput {
        ReportInput(toolVersion: AssayVersion.current, sha: sha, verdict: verdict, gateReasons: gate.reasons,
                    decision: decision.decision, utility: decision.utility, risk: decision.risk,
                    summaryLine: summaryLine,
                    rules: AuditService.rules.map { .init(id: $0.id, name: $0.name, summary: $0.summary, defaultSeverity: $0.defaultSeverity) },
                    findings: findings, suppressed: suppressed)
    }

    /// One line: what was audited and how many findings of each severity.
    public var summaryLine: String {
        let s = summary
        let what: String
        switch mode {
        case "staged": what = "staged change"
        case "working-tree": what = "working-tree change"
        default: what = "\(mode) \(sha.prefix(12))"
        }
        var line = "\(what): \(s.files) file\(s.files == 1 ? "" : "s"), \(s.addedLines) added line\(s.addedLines == 1 ? "" : "s") — "
        line += "\(s.block) block · \(s.warn) warn · \(s.info) info"
        if s.suppressed > 0 { line += " · \(s.suppressed) suppressed" }
        return line
    }
}
