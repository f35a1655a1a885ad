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
        /// Task-list items: "77/78 tasks complete", "Tasks Completed: 174/174" (`value` done of `total`).
        case tasks(total: Int?)
        /// Files a commit changed: "52 files changed", "in 8 files", "Files Modified: 13".
        case changedFiles
        /// Anything else counted ("14 hooks", "4 agents", "7 scripts"): stated, not counted by assay.
        case other(noun: String)
    }
    public var counted: Counted
    public var value: Int
    /// Parts the claim adds up ("51 (21 + 30)"), empty when it states none.
    public var parts: [Int]
    /// The claim hedges ("~1,800 lines", "about 40 tests"): it can verify, never contradict.
    public var approximate: Bool
    /// "40+ tests", "over 40", "at least 40": a lower bound, false only when fewer are there.
    public var atLeast: Bool = false
    /// "5-8 tests": the range's upper end (`value` is its lower end).
    public var upTo: Int? = nil
    /// The claim is about the whole suite: "All 74 tests pass", "Total Tests: 530", "183/183 passing",
    /// "151 total Go tests".
    public var whole: Bool = false
    /// The claim counts what a change added: "Added 7 tests", "+2 tests", "18 new tests".
    public var added: Bool = false

    public init(counted: Counted, value: Int, parts: [Int], approximate: Bool, atLeast: Bool = false, upTo: Int? = nil,
                whole: Bool = false, added: Bool = false) {
        self.counted = counted; self.value = value; self.parts = parts; self.approximate = approximate
        self.atLeast = atLeast; self.upTo = upTo; self.whole = whole; self.added = added
    }

    /// True when `actual` is what the claim says: equal, within a hedge's 10 %, at or above a lower
    /// bound, or inside a range.
    public func holds(for actual: Int) -> Bool {
        if let upTo { return actual >= value && actual <= upTo }
        if atLeast { return actual >= value }
        if approximate { return abs(actual - value) * 10 <= max(value, 1) }
        return actual == value
    }

    /// The figure as the claim states it ("40+", "5–8", "~40", "40").
    public var stated: String {
        if let upTo { return "\(value)–\(upTo)" }
        if atLeast { return "\(value)+" }
        if approximate { return "~\(value)" }
        return "\(value)"
    }
}

/// Finds counts in a sentence, in the phrasings agents use: "48 tests passing", "Tests: 84 passing",
/// "51 unit tests (21 filter + 30 overlay)", "96/103 tests passing", "Test Results: 183/183 PASSING",
/// "| **Total Tests** | 530+ |", "151 total Go tests", "(5-8 table-driven tests)", "Added 7 tests",
/// "+2 tests", "`tui/app.rs` (1,772 lines)", "12 files under `src/ports/`".
public enum CountClaimExtractor {
    /// N, then up to two describing words (not "of", "the", …), then test(s) [functions|cases|methods].
    nonisolated(unsafe) static let testWord = #/(?i)(\+)?\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+((?:[a-z][a-z0-9_-]*\s+){0,2}?)(?:test|tests|test\s+functions?|test\s+cases?|test\s+methods?)\b/#
    /// "5-8 tests", "(5–8 table-driven tests)".
    nonisolated(unsafe) static let testRange = #/(?i)\b(\d+)\s*[-–]\s*(\d+)\s+((?:[a-z][a-z0-9_-]*\s+){0,2}?)tests?\b/#
    /// "96/103 tests passing", "189/189 tests maintained".
    nonisolated(unsafe) static let testFraction = #/(?i)\b(\d[\d,]*)\s*/\s*(\d[\d,]*)\s+((?:[a-z][a-z0-9_-]*\s+){0,2}?)tests?\b/#
    /// "Test Results: 183/183 PASSING", "Test Success Rate: 188/188 (100%)".
    nonisolated(unsafe) static let labelFraction = #/(?i)\btests?\b[^\n/\d]{0,30}?\b(\d[\d,]*)\s*/\s*(\d[\d,]*)\b/#
    /// "Total Tests | 530+", "Total Tests Written: 197", "**Total Tests**: 107".
    nonisolated(unsafe) static let totalLabel = #/(?i)\btotal\s+(?:[a-z]+\s+)?tests?\b[^\n\d]{0,30}?(\d{1,3}(?:,\d{3})+|\d+)(\+)?/#
    nonisolated(unsafe) static let testsColon = #/(?i)\btests?\s*:\s*(\d{1,3}(?:,\d{3})+|\d+)/#
    // A number starts at a word boundary (`\b`): without it every digit of a long run was a start,
    // each backtracking over the rest of the run (4,000 digits before " x line" took seconds).
    nonisolated(unsafe) static let lines = #/(?i)(~|about\s+|approx(?:\.|imately)?\s+|over\s+|nearly\s+|almost\s+)?\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+lines?\b/#
    nonisolated(unsafe) static let files = #/(?i)(~|about\s+|over\s+)?\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+files?\s+(?:under|in)\b/#
    nonisolated(unsafe) static let sum = #/\(\s*([^()]*?\d[^()]*?\+[^()]*?\d[^()]*?)\)/#
    static let passingWords = ["passing", "passed", "pass", "green", "succeed", "all pass"]
    /// Hedges that make a figure approximate (verifiable, never contradicted).
    static let hedges = ["~", "about", "approx", "around", "roughly", "nearly", "almost", "some "]
    /// Words that make a figure a lower bound.
    static let lowerBounds = ["over ", "more than", "at least", "over", ">"]
    /// Describing words between the number and "tests" that end the phrase: "1 of the tests" is no count.
    static let stopWords: Set<String> = ["of", "the", "and", "or", "in", "for", "to", "from", "with", "by", "on", "at",
                                         "more", "less", "other", "these", "those", "such", "all", "are", "were", "is"]
    /// Words that say a figure is what a change added.
    static let addedWords = ["added", "add ", "adds", "adding", "new ", "wrote", "writes", "more "]

    /// Counts stated in `text`. `paths` are the paths the same block names (for line and file counts).
    public static func counts(in text: String, paths: [String]) -> [CountClaim] {
        // Most sentences state no count: skip the expressions unless a digit and a counted word are there.
        guard text.contains(where: { $0.isNumber }) else { return [] }
        let lower = text.lowercased()
        if !(lower.has("test") || lower.has(" line") || lower.has("file") || lower.has("task") || lower.has("row")) {
            return otherCounts(in: text)
        }
        var out: [CountClaim] = []
        let passing = passingWords.contains { lower.contains($0) }
        var taken: [Range<String.Index>] = []
        func free(_ r: Range<String.Index>) -> Bool { !taken.contains { $0.overlaps(r) } }
        func window(before r: Range<String.Index>, _ n: Int = 14) -> String {
            let start = text.index(r.lowerBound, offsetBy: -n, limitedBy: text.startIndex) ?? text.startIndex
            return text[start..<r.lowerBound].lowercased()
        }
        let wholeWords = lower.has("all ") || lower.has("total") || lower.has("the suite") || lower.has("whole suite")
            || lower.has("full suite") || lower.has("workspace") || lower.has("no regressions")

        for m in text.matches(of: testRange) {
            guard words(m.output.3) else { continue }
            let lo = number(m.output.1), hi = number(m.output.2)
            guard lo <= hi else { continue }
            taken.append(m.range)
            out.append(CountClaim(counted: .tests(passing: passing), value: lo, parts: [], approximate: false, upTo: hi))
        }
        for m in text.matches(of: testFraction) where free(m.range) {
            guard words(m.output.3) else { continue }
            taken.append(m.range)
            out.append(CountClaim(counted: .tests(passing: passing), value: number(m.output.2), parts: [], approximate: false,
                                  whole: true))
        }
        for m in text.matches(of: labelFraction) where free(m.range) {
            taken.append(m.range)
            out.append(CountClaim(counted: .tests(passing: passing), value: number(m.output.2), parts: [], approximate: false,
                                  whole: true))
        }
        for m in text.matches(of: totalLabel) where free(m.range) {
            let value = number(m.output.1)
            let after = String(text[m.range.upperBound...].prefix(80))
            taken.append(m.range)
            // "**Total Tests**: 107 tests" is matched once here, not again as "107 tests".
            if let again = text[m.range.upperBound...].firstMatch(of: testWord), again.range.lowerBound == m.range.upperBound
                || text[m.range.upperBound..<again.range.lowerBound].allSatisfy({ $0.isWhitespace }) {
                taken.append(again.range)
            }
            let numberRange = m.range
            taken.append(numberRange)
            out.append(CountClaim(counted: .tests(passing: passing), value: value, parts: parts(in: after),
                                  approximate: hedged(window(before: m.range, 30)), atLeast: m.output.2 != nil, whole: true))
        }
        for m in text.matches(of: testWord) {
            guard free(m.range) else { continue }
            let qualifiers = String(m.output.4)
            guard words(Substring(qualifiers)) else { continue }
            // "3 test files", "7 test suites": not a count of tests.
            let next = text[m.range.upperBound...].prefix { !$0.isWhitespace || $0 == " " }.split(separator: " ").first.map { $0.lowercased() } ?? ""
            if m.output.0.lowercased().hasSuffix("test"), notTests.contains(where: { next.hasPrefix($0) }) { continue }
            // "Phase 4 Part 1 reference tests", "Tier 1 tests": a label's number, not a count.
            if let label = text[..<m.range.lowerBound].split(whereSeparator: { !$0.isLetter && $0 != "#" }).last?.lowercased(),
               labels.contains(label), text[..<m.range.lowerBound].last?.isWhitespace == true || text[..<m.range.lowerBound].last == "#" { continue }
            let value = number(m.output.2)
            let before = window(before: m.range)
            let clause = clauseBefore(m.range, in: text)
            let after = String(text[m.range.upperBound...].prefix(80))
            let approximate = hedged(before)
            let atLeast = m.output.3 != nil || lowerBounds.contains { before.hasSuffix($0) || before.hasSuffix($0 + " ") }
            let q = qualifiers.lowercased()
            let following = after.lowercased().split(whereSeparator: { !$0.isLetter }).prefix(2)
            let added = m.output.1 != nil || before.hasSuffix("+ ") || addedWords.contains { clause.contains($0) || q.hasPrefix($0) }
                || following.contains { $0 == "added" || $0 == "new" }
            let whole = !added && (before.hasSuffix("all ") || q.contains("total") || wholeWords && !hasOtherCount(lower))
            out.append(CountClaim(counted: .tests(passing: passing), value: value, parts: parts(in: after),
                                  approximate: approximate, atLeast: atLeast, whole: whole, added: added))
            // "(17 unit + 9 integration + 6 doc tests)" adds this count up; its parts are not claims of their own.
            if let sum = partsRange(after: m.range, in: text) { taken.append(sum) }
        }
        if out.isEmpty, let m = text.firstMatch(of: testsColon) {
            out.append(CountClaim(counted: .tests(passing: passing), value: number(m.output.1), parts: [], approximate: false))
        }
        // "`a.ts` (119 lines) `b.ts` (115 lines)": each figure counts the path written last before it.
        let filePaths = paths.filter { !$0.hasSuffix("/") }
        for m in text.matches(of: lines) {
            guard let p = filePaths.count == 1 ? filePaths.first : nearestPath(filePaths, before: m.range, in: text) else { continue }
            let tail = text[m.range.upperBound...].prefix(4)
            // "1792 lines → 6 modules": the figure from before the change.
            let before = tail.contains("→") || tail.contains("->")
            out.append(CountClaim(counted: .lines(path: p), value: number(m.output.2), parts: [],
                                  approximate: m.output.1 != nil || m.output.3 != nil || before))
        }
        for m in text.matches(of: rows) {
            // "Row Count: 159" with no file named: the doc it is written in ("" stands for it).
            let p = filePaths.count == 1 ? filePaths.first : (filePaths.isEmpty ? "" : nearestPath(filePaths, before: m.range, in: text))
            guard let p else { continue }
            let near = text[m.range.lowerBound...].prefix(40).lowercased() + window(before: m.range, 8)
            out.append(CountClaim(counted: .lines(path: p), value: number(m.output.1 ?? m.output.2 ?? "0"), parts: [],
                                  approximate: near.contains("~") || near.contains("approx") || near.contains("about")))
        }
        for m in text.matches(of: taskFraction) {
            out.append(CountClaim(counted: .tasks(total: number(m.output.2)), value: number(m.output.1), parts: [], approximate: false))
        }
        if !out.contains(where: { if case .tasks = $0.counted { true } else { false } }), let m = text.firstMatch(of: tasksLabel) {
            out.append(CountClaim(counted: .tasks(total: number(m.output.2)), value: number(m.output.1), parts: [], approximate: false))
        }
        for m in text.matches(of: changed) {
            out.append(CountClaim(counted: .changedFiles, value: number(m.output.1 ?? m.output.2 ?? m.output.3 ?? "0"), parts: [], approximate: false))
        }
        if paths.count == 1, let p = paths.first {
            for m in text.matches(of: files) {
                out.append(CountClaim(counted: .files(directory: p), value: number(m.output.2), parts: [],
                                      approximate: m.output.1 != nil || m.output.3 != nil))
            }
        }
        if out.isEmpty { return otherCounts(in: text) }
        return out
    }

    /// "77/78 tasks complete", "174/174 tasks".
    nonisolated(unsafe) static let taskFraction = #/(?i)\b(\d+)\s*/\s*(\d+)\s+(?:[a-z-]+\s+)?tasks?\b/#
    /// "Tasks Completed: 174/174".
    nonisolated(unsafe) static let tasksLabel = #/(?i)\btasks?\s+(?:completed?|done)\W{0,6}(\d+)\s*/\s*(\d+)\b/#
    /// "52 files changed", "Files Modified: 13 files".
    nonisolated(unsafe) static let changed = #/(?i)\b(?:(\d+)\s+files?\s+(?:changed|modified|touched)|files?\s+(?:changed|modified)\W{0,6}(\d+)|\bin\s+(\d+)\s+files\b)/#
    /// "Row Count: 159", "(299 rows)".
    nonisolated(unsafe) static let rows = #/(?i)(?:\brow\s+count\W{0,8}(\d[\d,]*)|\b(\d[\d,]*)\s+rows\b)/#
    /// "14 pre-commit hooks", "4 embedded templates", "3 command definitions", "7 scripts".
    nonisolated(unsafe) static let otherNoun = #/\b(\d{1,3}(?:,\d{3})+|\d+)(\+)?\s+((?:[a-z][a-z0-9-]*\s+)?)([a-z][a-z-]{2,}s)\b/#

    /// Counts of things assay does not count: stated, so reported as unverifiable with what they count.
    static func otherCounts(in text: String) -> [CountClaim] {
        guard text.contains(where: { $0.isNumber }) else { return [] }
        // Only where something is said to be done: "All 14 hooks pass", "✅ installs all 4 agents",
        // "Extract all 3 command definitions"; a manual's "3 options" states no result.
        let lower = text.lowercased()
        let done = DocClaimExtractor.doneMarkers.contains { text.contains($0) }
            || (DocClaimExtractor.shipVerbs + DocClaimExtractor.commitVerbs + DocClaimExtractor.imperativeVerbs
                + ["pass", "passes", "passing", "installs", "installed", "all"]).contains { DocClaimExtractor.word(word: $0, in: lower) }
        guard done else { return [] }
        var out: [CountClaim] = []
        for m in text.matches(of: otherNoun) {
            let noun = String(m.output.4)
            guard !unitNouns.contains(noun), words(m.output.3) else { continue }
            // "Phase 4", "v1.2": labels and versions are not counts.
            if let label = text[..<m.range.lowerBound].split(whereSeparator: { !$0.isLetter }).last?.lowercased(), labels.contains(label) { continue }
            if m.range.lowerBound > text.startIndex, [".", ",", "/", "-", ":"].contains(text[text.index(before: m.range.lowerBound)]) { continue }
            out.append(CountClaim(counted: .other(noun: noun), value: number(m.output.1), parts: [], approximate: true))
        }
        return out
    }

    /// Units and time: "5 seconds", "3 days", "20 minutes" are measures, not things shipped.
    static let unitNouns: Set<String> = ["seconds", "minutes", "hours", "days", "weeks", "months", "years", "times", "bytes",
                                         "points", "steps", "phases", "parts", "ones", "others", "users", "people",
                                         "tests", "tasks", "iterations", "pages", "words", "characters", "chars"]

    /// The path written last before `r`, within 80 characters.
    static func nearestPath(_ paths: [String], before r: Range<String.Index>, in text: String) -> String? {
        var best: (String, String.Index)?
        for p in paths {
            var search = text.startIndex..<r.lowerBound
            while let found = text.range(of: p, range: search) {
                if best == nil || found.upperBound > best!.1 { best = (p, found.upperBound) }
                search = found.upperBound..<r.lowerBound
            }
        }
        guard let (p, end) = best, text.distance(from: end, to: r.lowerBound) <= 80 else { return nil }
        return p
    }

    /// Words after "N test" that make it a count of something else.
    static let notTests = ["file", "suite", "fixture", "data", "helper", "util", "run", "report", "director", "dir",
                           "module", "class", "scenario", "plan", "case file", "script", "command", "target", "job"]
    /// Words whose number is a label: "Part 1", "Phase 2", "Tier 1", "Step 3", "#4".
    static let labels: Set<String> = ["part", "phase", "step", "stage", "task", "section", "chapter", "version", "v",
                                      "sprint", "milestone", "week", "day", "level", "tier", "story", "us", "item",
                                      "issue", "pr", "no", "number", "#", "round", "iteration", "batch", "wave", "t"]

    /// The text of the clause that holds the match, before it, lowercased: back to ". ", ";", "—" or " - ".
    static func clauseBefore(_ r: Range<String.Index>, in text: String) -> String {
        var head = text[..<r.lowerBound].lowercased()
        for separator in [". ", "; ", "—", " - ", "\n"] {
            if let cut = head.range(of: separator, options: .backwards) { head = String(head[cut.upperBound...]) }
        }
        return head
    }

    /// The describing words between a number and "tests" are a phrase, not a clause.
    static func words(_ s: Substring) -> Bool {
        !s.split(whereSeparator: { $0.isWhitespace }).contains { stopWords.contains($0.lowercased()) }
    }

    static func hedged(_ before: String) -> Bool {
        hedges.contains { before.hasSuffix($0) || before.hasSuffix($0 + " ") || before.hasSuffix($0.trimmingCharacters(in: .whitespaces) + " ") }
    }

    /// More than one "N tests" figure in one sentence: "all" and "total" may belong to another one.
    static func hasOtherCount(_ lower: String) -> Bool {
        lower.matches(of: #/\d+\s+(?:[a-z-]+\s+){0,2}?tests?\b/#).count > 1
    }

    /// What may stand between a count and the parenthesis that adds it up: nothing, or a few words
    /// ("passing", "pass", "written").
    static func leadsToParts(_ gap: Substring) -> Bool {
        gap.count <= 24 && gap.allSatisfy { $0.isLetter || $0 == " " || $0 == "-" }
    }

    /// The range of the "(a + b)" parenthesis right after a count, if there is one.
    static func partsRange(after r: Range<String.Index>, in text: String) -> Range<String.Index>? {
        let rest = text[r.upperBound...]
        guard let m = rest.firstMatch(of: sum), leadsToParts(rest[..<m.range.lowerBound]) else { return nil }
        return m.range
    }

    /// "(21 filter + 30 overlay)" → [21, 30], when the parenthesis comes right after the count.
    static func parts(in after: String) -> [Int] {
        guard let m = after.firstMatch(of: sum), leadsToParts(after[..<m.range.lowerBound]) else { return [] }
        return m.output.1.split(separator: "+").compactMap { piece in
            let digits = piece.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "," }
            return digits.isEmpty ? nil : number(digits)
        }
    }

    static func number(_ s: Substring) -> Int { Int(s.replacingOccurrences(of: ",", with: "")) ?? 0 }
}
