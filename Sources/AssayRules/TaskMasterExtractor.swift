import AssayCore
import Foundation

/// Claims in a Task Master file (`.taskmaster/tasks/tasks.json`): a task or subtask whose status is
/// `done` claims the paths its title, description and details name; other statuses abstain. Both the
/// flat `{"tasks": [...]}` layout and the tagged `{"master": {"tasks": [...]}}` layout are read.
public enum TaskMasterExtractor {
    public static func isTaskMasterFile(_ path: String) -> Bool {
        path.hasSuffix("tasks.json") && path.split(separator: "/").contains(".taskmaster")
    }

    /// Nil when the bytes are not JSON of a Task Master shape (the caller reports that; nothing is lost).
    public static func claims(in bytes: [UInt8], path: String, commit: String?) -> [ExtractedClaim]? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        var taskLists: [[[String: Any]]] = []
        if let tasks = root["tasks"] as? [[String: Any]] { taskLists.append(tasks) }
        for (_, value) in root.sorted(by: { $0.key < $1.key }) {
            if let tagged = value as? [String: Any], let tasks = tagged["tasks"] as? [[String: Any]] { taskLists.append(tasks) }
        }
        guard !taskLists.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [ExtractedClaim] = []
        func visit(_ task: [String: Any], label: String) {
            let title = task["title"] as? String ?? ""
            let status = (task["status"] as? String ?? "").lowercased()
            let body = [title, task["description"] as? String ?? "", task["details"] as? String ?? ""].joined(separator: "\n")
            // The title names the task's deliverable; the description and details also name files
            // the code reads or writes at run time, so a bare path there is weak.
            let (paths, weakInBody) = pathTokens(in: body)
            let weak = weakInBody.subtracting(pathTokens(in: title).paths)
            let done = status == "done" || status == "completed"
            let line = lines.firstIndex { $0.contains("\"title\"") && !title.isEmpty && $0.contains(jsonEscaped(title)) }.map { $0 + 1 }
            let source = ClaimSource(kind: "doc", path: path, line: line, commit: commit)
            // The claim's text is the task as written: its title, then what its description and details say.
            let said = [task["description"] as? String ?? "", task["details"] as? String ?? ""].filter { !$0.isEmpty }
                .joined(separator: " ").split(whereSeparator: { $0.isNewline }).joined(separator: " ")
            let text = "\(label) \(title) [\(status)]" + (said.isEmpty ? "" : " — " + String(said.prefix(300)))
            if done {
                // Code it names without backticks: "Build PandocTypstConverter class", "Create ExportMode enum".
                let symbols = (BareSymbolExtractor.symbols(in: body) + backtickedSymbols(in: body))
                for symbol in DocClaimExtractor.unique(symbols) where !paths.contains(symbol) {
                    out.append(ExtractedClaim(claim: Claim(kind: .symbol, text: text, subject: symbol, source: source), abstainReason: nil))
                }
                if paths.isEmpty && symbols.isEmpty {
                    out.append(ExtractedClaim(claim: Claim(kind: .status, text: text, subject: text, source: source), abstainReason: nil))
                }
            }
            if !paths.isEmpty {
                if done {
                    out.append(ExtractedClaim(claim: Claim(kind: .status, text: text, subject: text, scope: paths, source: source),
                                              abstainReason: nil, weakPaths: weak))
                } else {
                    for p in paths {
                        out.append(ExtractedClaim(claim: Claim(kind: .path, text: text, subject: p, source: source),
                                                  abstainReason: "task status is \(status.isEmpty ? "unset" : status)"))
                    }
                }
            }
            for sub in task["subtasks"] as? [[String: Any]] ?? [] {
                visit(sub, label: "\(label).\(idString(sub["id"]))")
            }
        }
        for tasks in taskLists {
            for task in tasks { visit(task, label: "task \(idString(task["id"]))") }
        }
        return out
    }

    static func backtickedSymbols(in text: String) -> [String] {
        text.components(separatedBy: "`").enumerated().compactMap { i, part in
            i % 2 == 1 && !PathSyntax.looksLikePath(part) && SymbolDefinitions.looksLikeSymbol(part) ? part : nil
        }
    }

    static func idString(_ value: Any?) -> String {
        if let n = value as? Int { return String(n) }
        if let s = value as? String { return s }
        return "?"
    }

    static func jsonEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// Paths named in free text: backticked tokens, and bare tokens with a `/` and a known extension.
    /// Bare tokens are returned as weak (`ExtractedClaim.weakPaths`) too: the caller keeps those of the
    /// title strong.
    static func pathTokens(in text: String) -> (paths: [String], weak: Set<String>) {
        var out: [String] = []
        var weak = Set<String>()
        var seen = Set<String>()
        let parts = text.components(separatedBy: "`")
        for (i, part) in parts.enumerated() {
            if i % 2 == 1 {
                if PathSyntax.looksLikePath(part), seen.insert(part).inserted { out.append(part) }
                continue
            }
            for token in BarePathExtractor.paths(in: part) where token.contains("/") && !token.hasSuffix("/") {
                guard seen.insert(token).inserted else { continue }
                out.append(token)
                weak.insert(token)
            }
        }
        return (out, weak)
    }
}
