import Foundation

/// Finds paths written without backticks: "T012 Create src/models/user.py with …", "in
/// internal/config/config_test.go (5-8 tests)", "**COVERAGE.md** - Code coverage analysis".
///
/// A bare token is taken when it reads as a path (`PathSyntax.looksLikePath`) and either has a
/// folder (`src/x.py`, `crush-core/tests/fixtures/`) or is a file name with a known extension
/// (`install.go`, `Cargo.toml`). Text inside backticks is left to the code-span reader, and so are
/// URLs, versions, `e.g.`, library names (`Next.js`) and globs (`*.exe`).
///
/// Examples:
/// - "Create cmd/autospec/main.go entry point" → ["cmd/autospec/main.go"]
/// - "Create test fixtures directory at crush-core/tests/fixtures/" → ["crush-core/tests/fixtures/"]
/// - "Use Next.js 14 and node.js" → []
/// - "see https://example.com/a/b.js" → []
public enum BarePathExtractor {
    static let trimmed = CharacterSet(charactersIn: "*_()[]{}<>,;:!?\"'“”‘’«»|")

    /// Bare paths in `text`, in order, without duplicates.
    public static func paths(in text: String) -> [String] {
        guard text.contains(".") || text.contains("/") else { return [] }
        var out: [String] = []
        for raw in wordsOutsideCodeSpans(text) {
            var token = raw.trimmingCharacters(in: trimmed)
            while token.hasSuffix(".") || token.hasSuffix(",") { token.removeLast() }
            token = token.trimmingCharacters(in: trimmed)
            guard token.count >= 3, !token.contains("://"), !token.lowercased().hasPrefix("www.") else { continue }
            guard PathSyntax.looksLikePath(token) else { continue }
            let hasFolder = token.dropLast().contains("/")
            let isDirectory = token.hasSuffix("/")
            if isDirectory && !hasFolder && token.count < 4 { continue }  // "a/" is no folder name
            if !hasFolder && !isDirectory {
                // A bare file name needs an extension of a file people write about ("install.go").
                guard let dot = token.lastIndex(of: "."), token[token.index(after: dot)...].count >= 2 else { continue }
            }
            if !out.contains(token) { out.append(token) }
        }
        return out
    }

    /// The whitespace-separated words of `text` outside code spans: a word that holds a backtick, and
    /// every word of a code span (which may hold spaces), belongs to the code-span reader.
    static func wordsOutsideCodeSpans(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var insideCode = false
        for raw in text.split(whereSeparator: { $0.isWhitespace }) {
            let ticks = raw.filter { $0 == "`" }.count
            if insideCode || ticks > 0 {
                if ticks % 2 == 1 { insideCode.toggle() }
                continue
            }
            out.append(raw)
        }
        return out
    }

    /// Bare paths that are strong enough to contradict a claim when missing: a file below a folder
    /// (`src/models/user.py`). A bare file name or folder that is missing leaves the claim unverifiable.
    public static func isStrong(_ token: String) -> Bool {
        token.contains("/") && !token.hasSuffix("/") && !token.hasPrefix("/")
    }
}
