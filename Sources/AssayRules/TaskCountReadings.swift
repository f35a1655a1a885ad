import AssayCore
import Foundation

/// Verifies "77/78 tasks complete", "Tasks Completed: 174/174" against the task list they count:
/// the checkbox items (`- [x]`, `- [X]`, `- [ ]`) of a `tasks.md` — the one a commit changed, or the
/// one beside (or one folder above) the doc that states the figure. With exactly one such list and
/// a figure it does not show, the claim is contradicted; with none, or several, unverifiable.
///
/// Examples:
/// - a COMPLETION_SUMMARY.md beside a tasks.md with 170 of 174 items checked, saying "174/174" → contradicted.
/// - a commit changing specs/003/tasks.md (77 of 78 checked) saying "77/78 tasks complete" → verified.
public enum TaskCountReadings {
    static func verify(_ claim: Claim, done: Int, total: Int?, docPath: String, facts: RepositoryFacts) -> ClaimResult {
        let short = String(facts.sha.prefix(12))
        var candidates: [String] = []
        if claim.source.kind == "commit" || claim.source.kind == "pr-body" {
            candidates = facts.changedFiles.filter(isTaskList)
        } else if !docPath.isEmpty {
            let parts = docPath.split(separator: "/").dropLast().map(String.init)
            for depth in [parts.count, parts.count - 1] where depth >= 0 {
                let folder = parts.prefix(depth).joined(separator: "/")
                let near = facts.files(under: folder).filter { isTaskList($0) && $0.split(separator: "/").count == depth + 1 }
                if !near.isEmpty { candidates = near; break }
            }
        }
        candidates = candidates.filter { $0 != docPath }
        var readings: [(String, Int, Int)] = []
        for path in candidates {
            guard let bytes = facts.contents(of: path) else { continue }
            let (checked, all) = checkboxes(bytes)
            if all > 0 { readings.append((path, checked, all)) }
        }
        let stated = total.map { "\(done)/\($0)" } ?? "\(done)"
        let evidence = readings.map { "\($0.0) has \($0.1) of \($0.2) items checked at \(short)" }
        if readings.contains(where: { $0.1 == done && (total == nil || $0.2 == total) }) {
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        }
        if readings.count == 1 {
            return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "count-mismatch",
                               evidence: evidence + ["the claim says \(stated)"])
        }
        return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: readings.isEmpty ? "no task list" : "readings disagree",
                           evidence: readings.isEmpty ? ["no tasks.md beside the claim to count"] : evidence + ["the claim says \(stated)"])
    }

    static func isTaskList(_ path: String) -> Bool {
        let name = path.split(separator: "/").last?.lowercased() ?? ""
        return name == "tasks.md" || name == "todo.md"
    }

    /// Checked and all checkbox items of a Markdown task list, outside fenced code.
    public static func checkboxes(_ bytes: [UInt8]) -> (checked: Int, all: Int) {
        var checked = 0, all = 0, fenced = false
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            if t.hasPrefix("```") || t.hasPrefix("~~~") { fenced.toggle(); continue }
            guard !fenced, let bullet = t.first, "-*+".contains(bullet) else { continue }
            let rest = t.dropFirst().drop { $0 == " " }
            if rest.hasPrefix("[ ]") { all += 1 }
            if rest.hasPrefix("[x]") || rest.hasPrefix("[X]") { all += 1; checked += 1 }
        }
        return (checked, all)
    }
}
