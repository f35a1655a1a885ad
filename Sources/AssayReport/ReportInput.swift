import AssayCore

/// What every reporter reads: an audit's findings and its outcome, as plain values.
public struct ReportInput: Sendable {
    /// A rule as the reports describe it.
    public struct Rule: Sendable, Equatable {
        public var id: String
        public var name: String
        public var summary: String
        public var defaultSeverity: Severity

        public init(id: String, name: String, summary: String, defaultSeverity: Severity) {
            self.id = id; self.name = name; self.summary = summary; self.defaultSeverity = defaultSeverity
        }
    }

    public var toolVersion: String
    /// The commit the audit is tied to.
    public var sha: String
    /// `pass` or `fail`.
    public var verdict: String
    /// Why the gate failed (empty when it passed).
    public var gateReasons: [String]
    /// APPROVE, HOLD or REJECT, with the scores.
    public var decision: String
    public var utility: Int
    public var risk: Int
    /// One line: what was audited and what was found ("staged change: 10 files, 200 added lines — 1 block · 2 warn").
    public var summaryLine: String
    public var rules: [Rule]
    /// Findings that count, most severe first.
    public var findings: [Finding]
    /// Findings a suppression took out of the count.
    public var suppressed: [Finding]
    /// Distinguishes runs of the same tool in one SARIF upload (`automationDetails.id`), e.g. `assay/audit/`.
    public var category: String

    public init(toolVersion: String, sha: String, verdict: String, gateReasons: [String], decision: String, utility: Int,
                risk: Int, summaryLine: String, rules: [Rule], findings: [Finding], suppressed: [Finding],
                category: String = "assay/audit/") {
        self.toolVersion = toolVersion; self.sha = sha; self.verdict = verdict; self.gateReasons = gateReasons
        self.decision = decision; self.utility = utility; self.risk = risk; self.summaryLine = summaryLine
        self.rules = rules; self.findings = findings; self.suppressed = suppressed; self.category = category
    }
}

extension Finding {
    /// True when the finding points at a file in the repository (not a commit message or a PR body).
    var isInRepository: Bool { !path.hasPrefix("commit ") && path != "PR body" && !path.hasPrefix("/") }
}

/// A repository-relative path as a URI reference: `/` kept, everything outside RFC 3986's
/// unreserved characters percent-encoded byte by byte (spaces, `%`, `#`, `?`, non-ASCII).
public func percentEncodedPath(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}
