import AssayCore
import Foundation
import MarkdownKit

/// Claims in a spec-kit style `tasks.yaml`: each task (`- id: "T006"`) with `title`, `status` and
/// an optional `file_path`. A task whose status is Completed or Done reads like a checked item of a
/// `tasks.md` — `- [x] <title> (`<file_path>`)` — and gets the same claims; other statuses abstain.
/// Read line by line (no YAML document is built), so a damaged file loses only the tasks it damages.
///
/// Example:
/// ```yaml
/// - id: "T006"
///   title: "Remove startAsyncUpdateCheck from version command"
///   status: "Completed"
///   file_path: "internal/cli/version.go"
/// ```
/// → an absence claim for `startAsyncUpdateCheck` and a status claim on `internal/cli/version.go`.
public enum TasksYAMLExtractor {
    struct Task {
        var line: Int
        var indent: Int
        var fields: [String: String] = [:]
    }

    public static func isTasksYAML(_ path: String) -> Bool {
        let name = path.split(separator: "/").last?.lowercased() ?? ""
        return name == "tasks.yaml" || name == "tasks.yml"
    }

    public static func claims(in bytes: [UInt8], path: String, commit: String?) -> [ExtractedClaim] {
        var tasks: [Task] = []
        var current: Task?
        for (i, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = raw.prefix { $0 == " " }.count
            var body = raw.dropFirst(indent)
            if body.hasPrefix("- ") {
                let item = body.dropFirst(2).drop { $0 == " " }
                if item.hasPrefix("id:") {
                    if let t = current { tasks.append(t) }
                    current = Task(line: i + 1, indent: indent)
                    body = item
                } else if let t = current, indent <= t.indent {
                    tasks.append(t); current = nil
                    continue
                } else {
                    continue  // a list inside the task (acceptance criteria, dependencies)
                }
            } else if let t = current, !body.isEmpty, indent <= t.indent {
                tasks.append(t); current = nil
                continue
            }
            guard current != nil, let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces)
            guard ["id", "title", "status", "file_path", "description"].contains(key), current?.fields[key] == nil else { continue }
            var value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q { value = String(value.dropFirst().dropLast()) }
            current?.fields[key] = value
        }
        if let t = current { tasks.append(t) }

        var out: [ExtractedClaim] = []
        for task in tasks {
            guard let title = task.fields["title"], !title.isEmpty else { continue }
            let status = (task.fields["status"] ?? "").lowercased()
            let done = ["completed", "complete", "done"].contains(status)
            let file = task.fields["file_path"].flatMap { $0.isEmpty || $0 == "null" ? nil : $0 }
            let line = "- [\(done ? "x" : " ")] \(title)" + (file.map { " (`\($0)`)" } ?? "")
            let source = ClaimSource(kind: "doc", path: path, line: task.line, commit: commit)
            for var c in DocClaimExtractor.claims(in: MarkdownDocument.parse(line), source: source) {
                c.claim.source.line = task.line
                if !done { c.abstainReason = "task status is \(status.isEmpty ? "unset" : status)" }
                out.append(c)
            }
        }
        return out
    }
}
