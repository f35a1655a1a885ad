import Foundation

/// A change's own words that its stubs are on purpose ("skeleton with TODO markers", "placeholder
/// until #12"), read from the docs it edits, its commit messages and its PR body. A stub finding an
/// admission covers is reported as info, not block: the change says what it is.
public struct StubAdmission: Hashable, Sendable {
    /// Where the admission is written (`docs/PLAN.md:12`, `commit 1a2b3c4`, `PR body`).
    public var source: String
    public var text: String
    /// The paths the admission names; empty when it names none (then it covers the whole change).
    public var paths: [String]

    /// Affirmative wording: the code *is* a stub on purpose. Bare words like "stubs" or "placeholder"
    /// are not enough ("All stubs are now implemented", "update the placeholder text").
    static let phrases = ["skeleton", "scaffold", "stubbed", "is a stub", "are stubs", "as a stub", "stub for now",
                          "stubs for now", "placeholder implementation", "placeholder for now", "todo markers",
                          "todo marker", "not yet implemented", "not implemented yet", "work in progress"]
    /// Wording that says the stubs are gone or denies them: never an admission.
    static let negations = ["no stub", "zero stub", "without stub", "no placeholder", "no skeleton", "removed", "replaced",
                            "replace ", "remove ", "no todo", "not a stub", "not stubs", "never stub", "now implemented",
                            "fully implemented", "all implemented", "are implemented", "is implemented", "been implemented",
                            "filled in", "finished", "no longer"]

    /// The admissions among `lines` (each with where it was written).
    public static func find(in lines: [(source: String, text: String)]) -> [StubAdmission] {
        var out: [StubAdmission] = []
        for (source, text) in lines {
            let lower = text.lowercased()
            guard phrases.contains(where: { lower.contains($0) }),
                  !negations.contains(where: { lower.contains($0) }) else { continue }
            out.append(StubAdmission(source: source, text: text.trimmingCharacters(in: .whitespaces), paths: namedPaths(text)))
        }
        return out
    }

    /// Backticked words and path-like words in `text`.
    static func namedPaths(_ text: String) -> [String] {
        var names: [String] = []
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() where i % 2 == 1 && i < parts.count - 1 {
            let token = part.trimmingCharacters(in: .whitespaces)
            if PathSyntax.looksLikePath(token) { names.append(token) }
        }
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "(" || $0 == ")" }) {
            let token = word.trimmingCharacters(in: CharacterSet(charactersIn: "`'\".:;!?"))
            if token.contains("/") || token.contains("."), PathSyntax.looksLikePath(token), !names.contains(token) {
                names.append(token)
            }
        }
        return names
    }

    /// True when the admission covers `path`: it names no path, names the file (by path or by
    /// name), or names a directory that holds it.
    public func covers(_ path: String) -> Bool {
        if paths.isEmpty { return true }
        return paths.contains { named in
            let n = named.hasPrefix("./") ? String(named.dropFirst(2)) : named
            let dir = n.hasSuffix("/") ? n : n + "/"
            return path == n || path.hasSuffix("/" + n) || path.hasPrefix(dir)
        }
    }
}
