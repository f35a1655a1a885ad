import AssayCore
import Foundation

/// SARIF 2.1.0 in the subset GitHub code scanning reads: one run per tool and category
/// (`automationDetails.id`), each rule listed once, repository-relative percent-encoded URIs, and
/// `partialFingerprints` carrying assay's line-independent fingerprint.
public enum SARIFReporter {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "assayFingerprint/v1"

    /// The SARIF document. `forGitHub` leaves suppressed results out (GitHub shows them otherwise)
    /// and findings that point at no file (commit messages, the PR body), which it cannot place.
    public static func report(_ input: ReportInput, forGitHub: Bool = false) -> String {
        var results: [[String: Any]] = []
        let ruleIndex = Dictionary(uniqueKeysWithValues: input.rules.enumerated().map { ($0.element.id, $0.offset) })
        let all = input.findings.map { ($0, false) } + (forGitHub ? [] : input.suppressed.map { ($0, true) })
        for (finding, suppressed) in all {
            if forGitHub && !finding.isInRepository { continue }
            var result: [String: Any] = [
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": ["text": finding.message],
                "partialFingerprints": [fingerprintKey: finding.fingerprint],
            ]
            if let index = ruleIndex[finding.rule] { result["ruleIndex"] = index }
            if finding.isInRepository {
                var physical: [String: Any] = ["artifactLocation": ["uri": percentEncodedPath(finding.path), "uriBaseId": "%SRCROOT%"]]
                if finding.line > 0 { physical["region"] = ["startLine": finding.line, "endLine": max(finding.line, finding.endLine)] }
                result["locations"] = [["physicalLocation": physical]]
            } else {
                result["locations"] = [["logicalLocations": [["name": finding.path, "kind": "resource"]]]]
            }
            if suppressed, let s = finding.suppression {
                result["suppressions"] = [["kind": s.kind == "inline" ? "inSource" : "external", "justification": s.reason]]
            }
            results.append(result)
        }
        let rules: [[String: Any]] = input.rules.map { rule in
            [
                "id": rule.id,
                "name": rule.name,
                "shortDescription": ["text": rule.summary],
                "fullDescription": ["text": rule.summary],
                "defaultConfiguration": ["level": level(rule.defaultSeverity)],
                "help": ["text": "assay rules \(rule.id)"],
            ]
        }
        let run: [String: Any] = [
            "tool": ["driver": ["name": "assay", "version": input.toolVersion, "informationUri": "https://github.com/assay-dev/assay",
                                "rules": rules]],
            "automationDetails": ["id": input.category],
            "properties": ["assay.sha": input.sha, "assay.verdict": input.verdict, "assay.decision": input.decision],
            "results": results,
        ]
        let document: [String: Any] = ["$schema": schemaURI, "version": "2.1.0", "runs": [run]]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .block: "error"
        case .warn: "warning"
        case .info: "note"
        }
    }
}
