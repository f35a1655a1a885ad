import AssayCore
import Foundation

/// A number a claim states, and what it counts.
public struct CountClaim: Hashable, Sendable {
    public enum Counted: Hashable, Sendable {
        /// Tests, in the scoped paths (or the change's test files, or the repository).
        case tests(passing: Bool)
        /// Lines of one file.
        case lines(path: String)
        /// Files under a directory.
        case files(directory: String)
    }
    public var counted: Counted
    public var value: Int
    /// Parts the claim adds up ("51 (21 + 30)"), empty when it states none.
    public var parts: [Int]
    /// The claim hedges ("~1,800 lines", "about 40 tests", "40+ tests"): only a lower bound or nothing is checkable.
    public var approximate: Bool
}

/// Finds counts in a sentence: "48 tests passing", "Tests: 84 passing", "51 unit tests (21 filter +
/// 30 overlay)", "`tui/app.rs` (1,772 lines)", "12 files under `src/ports/`".
public enum CountClaimExtractor {
    nonisolated(unsafe) static let testWord = #/(?i)\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+(?:new\s+|unit\s+|integration\s+|e2e\s+|end-to-end\s+|passing\s+|green\s+|regression\s+|snapshot\s+)*tests?\b/#
    nonisolated(unsafe) static let testsColon = #/(?i)\btests?\s*:\s*(\d{1,3}(?:,\d{3})+|\d+)/#
    // A number starts at a word boundary (`\b`): without it every digit of a long run was a start,
    // each backtracking over the rest of the run (4,000 digits before " x line" took seconds).
    nonisolated(unsafe) static let lines = #/(?i)(~|about\s+|approx(?:\.|imately)?\s+|over\s+|nearly\s+|almost\s+)?\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+lines?\b/#
    nonisolated(unsafe) static let files = #/(?i)(~|about\s+|over\s+)?\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+files?\s+(?:under|in)\b/#
    nonisolated(unsafe) static let sum = #/\(\s*([^()]*?\d[^()]*?\+[^()]*?\d[^()]*?)\)/#
    static let passingWords = ["passing", "passed", "pass", "green", "succeed", "all pass"]
    static let hedges = ["~", "about", "approx", "around", "roughly", "over ", "nearly", "almost", "more than", "at least"]

    /// Counts stated in `text`. `paths` are the paths the same block names (for line and file counts).
    public static func counts(in text: String, paths: [String]) -> [CountClaim] {
        // Most sentences state no count: skip the expressions unless a digit and a counted word are there.
        guard text.contains(where: { $0.isNumber }) else { return [] }
        let lower = text.lowercased()
        guard lower.has(" test") || lower.has("tests:") || lower.has("test:") || lower.has(" line") || lower.has(" file")
        else { return [] }
        var out: [CountClaim] = []
        let passing = passingWords.contains { lower.contains($0) }
        for m in text.matches(of: testWord) {
            let value = number(m.output.1)
            let window = text[max(text.startIndex, text.index(m.range.lowerBound, offsetBy: -12, limitedBy: text.startIndex) ?? text.startIndex)..<m.range.lowerBound].lowercased()
            let approximate = m.output.2 != nil || hedges.contains { window.contains($0) }
            let after = text[m.range.upperBound...].prefix(80)
            out.append(CountClaim(counted: .tests(passing: passing), value: value, parts: parts(in: String(after)),
                                  approximate: approximate))
        }
        if out.isEmpty, let m = text.firstMatch(of: testsColon) {
            out.append(CountClaim(counted: .tests(passing: passing), value: number(m.output.1), parts: [], approximate: false))
        }
        if paths.count == 1, let p = paths.first, !p.hasSuffix("/") {
            for m in text.matches(of: lines) {
                out.append(CountClaim(counted: .lines(path: p), value: number(m.output.2), parts: [],
                                      approximate: m.output.1 != nil || m.output.3 != nil))
            }
        }
        if paths.count == 1, let p = paths.first {
            for m in text.matches(of: files) {
                out.append(CountClaim(counted: .files(directory: p), value: number(m.output.2), parts: [],
                                      approximate: m.output.1 != nil || m.output.3 != nil))
            }
        }
        return out
    }

    /// "(21 filter + 30 overlay)" → [21, 30], when the parenthesis comes right after the count.
    static func parts(in after: String) -> [Int] {
        guard let m = after.firstMatch(of: sum), after[..<m.range.lowerBound].trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        return m.output.1.split(separator: "+").compactMap { piece in
            let digits = piece.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "," }
            return digits.isEmpty ? nil : number(digits)
        }
    }

    static func number(_ s: Substring) -> Int { Int(s.replacingOccurrences(of: ",", with: "")) ?? 0 }
}
