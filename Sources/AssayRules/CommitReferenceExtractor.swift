import AssayCore
import Foundation

/// Commit references in a sentence: a 7–40 digit hex id that is backticked, in parentheses, or
/// follows "commit", "Commit:", "sha", "head", "reverts", "fixed in", "landed in" or "see" —
/// "landed in `f753e11` (auditor rebuild)", "**Commit**: bd463b5 - feat: …", "(a1b2c3d)". An id
/// needs letters and digits both (a Unix timestamp is not one), and a word like `ed25519` after
/// "in" is prose, not a commit. Anything else hex-looking (colours, digests) is left alone.
public enum CommitReferenceExtractor {
    nonisolated(unsafe) static let cue = #/(?i)\b(?:commits?:?|sha:?|head|reverts?|fixed in|landed in|merged in|introduced in|see)\s+`?([0-9a-f]{7,40})`?\b/#
    nonisolated(unsafe) static let parenthesized = #/\(`?([0-9a-f]{7,40})`?\)/#
    nonisolated(unsafe) static let backticked = #/`([0-9a-f]{7,40})`/#

    /// The referenced ids, each with the words that describe it (a parenthesis or quote right after).
    public static func references(in text: String) -> [(id: String, description: String?)] {
        // A run of at least seven hex digits must be there before any expression runs.
        var run = 0, longest = 0
        for c in text.utf8 {
            let hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
            run = hex ? run + 1 : 0
            longest = max(longest, run)
        }
        guard longest >= 7 else { return [] }
        var out: [(String, String?)] = []
        var seen = Set<String>()
        func add(_ id: Substring, after: Substring) {
            let id = String(id)
            guard id.contains(where: { $0.isNumber }), id.contains(where: { $0.isLetter }) || id.count == 40,
                  seen.insert(id).inserted else { return }
            out.append((id, description(after)))
        }
        // A backticked token with no commit word before it is an id only if it looks random: `ed25519`,
        // `sha256`, `md5sum1` (letters, then digits) are names.
        for m in text.matches(of: backticked) where !isWordWithNumber(m.output.1) { add(m.output.1, after: text[m.range.upperBound...]) }
        for m in text.matches(of: cue) { add(m.output.1, after: text[m.range.upperBound...]) }
        for m in text.matches(of: parenthesized) { add(m.output.1, after: text[m.range.upperBound...]) }
        return out
    }

    /// Letters then digits, or digits then letters: one change of kind, as names have (`ed25519`).
    static func isWordWithNumber(_ id: Substring) -> Bool {
        var changes = 0
        var previousDigit: Bool?
        for c in id {
            let digit = c.isNumber
            if let p = previousDigit, p != digit { changes += 1 }
            previousDigit = digit
        }
        return changes <= 1
    }

    /// "(auditor rebuild)" or "\"auditor rebuild\"" right after the id.
    static func description(_ after: Substring) -> String? {
        let rest = after.drop { $0 == " " || $0 == "`" }
        // "bd463b5 - feat: remove the generator": the words after a dash, to the end of the line.
        if let first = rest.first, first == "-" || first == "—" || first == "–" {
            let body = rest.dropFirst().prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
            return body.count >= 8 ? String(body.prefix(200)) : nil
        }
        guard let first = rest.first, first == "(" || first == "\"" || first == "“" else { return nil }
        let close: Character = first == "(" ? ")" : (first == "“" ? "”" : "\"")
        let body = rest.dropFirst().prefix { $0 != close }
        return body.isEmpty ? nil : String(body)
    }

    /// True when the description shares a meaningful word with the commit's subject.
    public static func fits(_ description: String, subject: String) -> Bool {
        func words(_ s: String) -> Set<String> {
            Set(s.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count >= 4 })
        }
        let d = words(description)
        return d.isEmpty || !d.isDisjoint(with: words(subject))
    }
}
