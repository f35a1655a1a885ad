import AssayCore
import Foundation

/// SARIF 2.1.0 in the subset GitHub code scanning reads: one run per tool and category
/// (`automationDetails.id`), each rule listed once, repository-relative percent-encoded URIs, and
/// `partialFingerprints` carrying assay's line-independent fingerprint.
///
/// A finding about a message (a commit message, the pull request's description) points at no file;
/// code scanning drops a result without a physical location, so such a finding gets one on an
/// artifact standing for the message (`.assay/messages/commit-0123456.txt`,
/// `.assay/messages/pr-body.md`), listed in `run.artifacts` with a description saying what it
/// is, and a logical location naming the message.
public enum SARIFReporter {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "assayFingerprint/v1"

    /// Where the artifacts standing for messages are placed.
    public static let messagesDirectory = ".assay/messages/"

    /// The SARIF document. `forGitHub` leaves suppressed results out (GitHub shows them otherwise).
    public static func report(_ input: ReportInput, forGitHub: Bool = false) -> String {
        var results: [[String: Any]] = []
        var artifacts: [[String: Any]] = []
        var artifactIndex: [String: Int] = [:]
        let ruleIndex = Dictionary(uniqueKeysWithValues: input.rules.enumerated().map { ($0.element.id, $0.offset) })
        let all = input.findings.map { ($0, false) } + (forGitHub ? [] : input.suppressed.map { ($0, true) })
        for (finding, suppressed) in all {
            var result: [String: Any] = [
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": ["text": finding.message],
                "partialFingerprints": [fingerprintKey: finding.fingerprint],
            ]
            if let index = ruleIndex[finding.rule] { result["ruleIndex"] = index }
            if finding.isInRepository {
                var physical: [String: Any] = ["artifactLocation": ["uri": finding.pathURI, "uriBaseId": "%SRCROOT%"]]
                if finding.line > 0 { physical["region"] = ["startLine": finding.line, "endLine": max(finding.line, finding.endLine)] }
                result["locations"] = [["physicalLocation": physical]]
            } else {
                let message = messageArtifact(finding.path)
                let index: Int
                if let known = artifactIndex[message.uri] {
                    index = known
                } else {
                    index = artifacts.count
                    artifactIndex[message.uri] = index
                    artifacts.append(["location": ["uri": message.uri, "uriBaseId": "%SRCROOT%"],
                                      "description": ["text": message.description]])
                }
                let physical: [String: Any] = [
                    "artifactLocation": ["uri": message.uri, "uriBaseId": "%SRCROOT%", "index": index],
                    "region": ["startLine": max(1, finding.line), "endLine": max(1, finding.line, finding.endLine)],
                ]
                result["locations"] = [["physicalLocation": physical,
                                        "logicalLocations": [["name": finding.path, "kind": "resource"]]]]
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
        var run: [String: Any] = [
            "tool": ["driver": ["name": "assay", "version": input.toolVersion, "informationUri": "https://github.com/assay-dev/assay",
                                "rules": rules]],
            "automationDetails": ["id": input.category],
            "properties": ["assay.sha": input.sha, "assay.verdict": input.verdict, "assay.decision": input.decision],
            "results": results,
        ]
        if !artifacts.isEmpty { run["artifacts"] = artifacts }
        let document: [String: Any] = ["$schema": schemaURI, "version": "2.1.0", "runs": [run]]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The artifact standing for a message a finding is about: its repository-relative URI and
    /// what it is. `commit 0123456` is that commit's message, `PR body` the pull request's
    /// description, an absolute path a message file (the commit-msg hook's).
    static func messageArtifact(_ path: String) -> (uri: String, description: String) {
        if path.hasPrefix("commit ") {
            let id = String(path.dropFirst("commit ".count))
            return (messagesDirectory + "commit-" + percentEncodedPath(id.replacingOccurrences(of: "/", with: "_")) + ".txt",
                    "The message of commit \(id) (not a file in the repository).")
        }
        if path == "PR body" {
            return (messagesDirectory + "pr-body.md", "The pull request's description (not a file in the repository).")
        }
        let name = path.split(separator: "/").last.map(String.init) ?? "message"
        return (messagesDirectory + percentEncodedPath(name), "The message file \(path) (not a file in the repository).")
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .block: "error"
        case .warn: "warning"
        case .info: "note"
        }
    }
}
