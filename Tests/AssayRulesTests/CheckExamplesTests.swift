import AssayCore
@testable import AssayRules
import Testing

/// One example from one rule's description, named by rule id and index so a parameterized case
/// says which example it runs, and pointing failures at the line the example is written on.
struct CheckExample: Sendable, CustomTestStringConvertible {
    let ruleID: String
    let triggering: Bool
    let index: Int

    var check: any Check { Checks.check(id: ruleID)! }

    var example: RuleExample {
        let description = type(of: check).description
        return (triggering ? description.triggering : description.nonTriggering)[index]
    }

    var testDescription: String { "\(ruleID) \(triggering ? "triggering" : "non-triggering") #\(index + 1)" }

    /// `file:line` of the example, for failure messages.
    var origin: String { "\(example.sourceFile):\(example.sourceLine)" }

    /// The example's own source location, so a failure is reported where the example is written.
    var sourceLocation: SourceLocation {
        let example = example
        let name = example.sourceFile.split(separator: "/").last.map(String.init) ?? example.sourceFile
        return SourceLocation(fileID: "AssayRules/\(name)", filePath: example.sourceFile, line: example.sourceLine, column: 1)
    }

    /// Every triggering (or non-triggering) example of every check, in `Checks.all` order.
    static func all(triggering: Bool) -> [CheckExample] {
        Checks.all.flatMap { check -> [CheckExample] in
            let description = type(of: check).description
            let examples = triggering ? description.triggering : description.nonTriggering
            return examples.indices.map { CheckExample(ruleID: description.id, triggering: triggering, index: $0) }
        }
    }

    /// Triggering examples written as text (with `↓` markers), not as a file value.
    static var markedText: [CheckExample] { all(triggering: true).filter { $0.example.file == nil } }
}

/// Findings as `line: message`, for failure messages.
private func describe(_ findings: [CheckFinding]) -> String {
    findings.isEmpty ? "no findings" : findings.map { "\($0.line): \($0.message)" }.joined(separator: "; ")
}

@Suite struct CheckExamplesTests {
    // MARK: The rules' own examples

    @Test(arguments: CheckExample.all(triggering: true))
    func triggeringExampleFindsExactlyTheMarkedLines(_ c: CheckExample) {
        let example = c.example
        let findings = c.check.findings(in: example.changedFile, settings: CheckSettings())
        let found = findings.map(\.line).sorted()
        if example.file != nil {
            #expect(found == [0], "\(c.origin): a whole-file example must give one finding at line 0; got \(describe(findings))",
                    sourceLocation: c.sourceLocation)
        } else {
            let marked = example.unmarked.marked
            #expect(!marked.isEmpty, "\(c.origin): a triggering example needs a ↓ marker", sourceLocation: c.sourceLocation)
            #expect(found == marked, "\(c.origin): expected findings on lines \(marked); got \(describe(findings))",
                    sourceLocation: c.sourceLocation)
        }
        for finding in findings {
            #expect(finding.endLine >= finding.line, "\(c.origin): endLine before line", sourceLocation: c.sourceLocation)
            #expect(!finding.message.isEmpty && !finding.fingerprintText.isEmpty, "\(c.origin): empty message or fingerprint",
                    sourceLocation: c.sourceLocation)
        }
    }

    @Test(arguments: CheckExample.all(triggering: false))
    func nonTriggeringExampleFindsNothing(_ c: CheckExample) {
        let example = c.example
        #expect(example.unmarked.marked.isEmpty, "\(c.origin): a non-triggering example has no ↓ marker",
                sourceLocation: c.sourceLocation)
        let findings = c.check.findings(in: example.changedFile, settings: CheckSettings())
        #expect(findings.isEmpty, "\(c.origin): expected no finding; got \(describe(findings))", sourceLocation: c.sourceLocation)
    }

    /// The marked lines present in the file but not added (context the change keeps): no finding.
    @Test(arguments: CheckExample.markedText)
    func findingsLandOnlyOnAddedLines(_ c: CheckExample) {
        let example = c.example
        let (text, marked) = example.unmarked
        let lines = ChangedFile.splitLines(text)
        let added = lines.enumerated().filter { !marked.contains($0.offset + 1) }
            .map { AddedLine(number: $0.offset + 1, text: $0.element) }
        let file = ChangedFile(path: example.path, addedLines: added, lines: lines)
        let findings = c.check.findings(in: file, settings: CheckSettings())
        #expect(findings.isEmpty, "\(c.origin): the marked lines are not added, yet got \(describe(findings))",
                sourceLocation: c.sourceLocation)
    }

    /// Only the marked lines added, the rest kept as context: the same findings as for a new file.
    @Test(arguments: CheckExample.markedText)
    func addingOnlyTheMarkedLinesIsEnough(_ c: CheckExample) {
        let example = c.example
        let (text, marked) = example.unmarked
        let lines = ChangedFile.splitLines(text)
        let added = marked.map { AddedLine(number: $0, text: lines[$0 - 1]) }
        let file = ChangedFile(path: example.path, addedLines: added, lines: lines)
        let found = c.check.findings(in: file, settings: CheckSettings()).map(\.line).sorted()
        #expect(found == marked, "\(c.origin): expected \(marked) with only those lines added; got \(found)",
                sourceLocation: c.sourceLocation)
    }

    // MARK: The rules' descriptions

    @Test func ruleIDsAreUniqueKebabCaseAndEveryRuleHasExamples() {
        let descriptions = Checks.all.map { type(of: $0).description }
        let ids = descriptions.map(\.id)
        #expect(ids == ["stub-marker", "todo-added", "test-without-assertion", "test-skipped", "conflict-marker",
                        "large-binary"])
        #expect(Set(ids).count == ids.count, "rule ids repeat: \(ids)")
        for description in descriptions {
            let id = description.id
            let parts = id.split(separator: "-", omittingEmptySubsequences: false)
            let kebab = !parts.isEmpty && parts.allSatisfy { part in
                !part.isEmpty && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
            }
            #expect(kebab, "`\(id)` is not kebab-case")
            #expect(description.triggering.count >= 2, "\(id): fewer than 2 triggering examples")
            #expect(description.nonTriggering.count >= 2, "\(id): fewer than 2 non-triggering examples")
            #expect(!description.name.isEmpty && !description.summary.isEmpty && !description.rationale.isEmpty, "\(id)")
            #expect(Checks.check(id: id).map { type(of: $0).description.id } == id)
        }
        let severities = Dictionary(uniqueKeysWithValues: descriptions.map { ($0.id, $0.defaultSeverity) })
        #expect(severities == ["stub-marker": .block, "todo-added": .warn, "test-without-assertion": .warn,
                               "test-skipped": .warn, "conflict-marker": .block, "large-binary": .warn])
        #expect(Checks.check(id: "no-such-rule") == nil)
    }

    // MARK: Details the examples do not pin

    @Test func stubMessageNamesTheMarker() {
        let file = ChangedFile.new(path: "src/lib.rs", text: "fn f() {\n    todo!()\n}\n")
        let findings = StubMarkerCheck().findings(in: file, settings: CheckSettings())
        #expect(findings.map(\.message) == ["stub marker `todo!()` added"])
        #expect(findings.map(\.fingerprintText) == ["todo!()"])
    }

    @Test func pythonAbstractMethodWithSplitSignatureIsNotAStub() {
        let source = """
        class Source(ABC):
            @abc.abstractmethod
            def price(
                self,
                sku: str,
            ) -> Decimal:
                if sku:
                    raise NotImplementedError
        def stub():
            raise NotImplementedError
        """
        let findings = StubMarkerCheck().findings(in: .new(path: "shop/prices.py", text: source), settings: CheckSettings())
        #expect(findings.map(\.line) == [10])
    }

    @Test func todoMessageNamesTheWord() {
        let file = ChangedFile.new(path: "notes.txt", text: "  FIXME: later  \nTODO\n")
        let findings = TodoCommentCheck().findings(in: file, settings: CheckSettings())
        #expect(findings.map(\.message) == ["`FIXME` added", "`TODO` added"])
        #expect(findings.map(\.fingerprintText) == ["FIXME: later", "TODO"])
    }

    @Test func testWithoutAssertionSpansTheBody() {
        let source = """
        import Testing

        @Test("Parses nothing")
        func parsesNothing() {
            let p = Parser()
            _ = p.parse("")
        }
        """
        let findings = TestWithoutAssertionCheck().findings(in: .new(path: "Tests/P/PTests.swift", text: source),
                                                            settings: CheckSettings())
        #expect(findings.map(\.line) == [4])
        #expect(findings.map(\.endLine) == [7])
        #expect(findings.map(\.fingerprintText) == ["func parsesNothing() {"])
        #expect(findings.map(\.message) == ["test `parsesNothing` has no assertion"])
    }

    @Test func pythonTestBodyEndsAtTheDedent() {
        let source = """
        def test_a():
            x = 1

            # a comment inside

            y = x
        def test_b():
            assert True
        """
        let findings = TestWithoutAssertionCheck().findings(in: .new(path: "tests/test_x.py", text: source),
                                                            settings: CheckSettings())
        #expect(findings.map { [$0.line, $0.endLine] } == [[1, 6]])
    }

    @Test func conflictSeparatorNeedsASideMarkerAnywhereInTheFile() {
        let lines = ["<<<<<<< HEAD", "a", "=======", "b", ">>>>>>> topic"]
        // Only the separator is added; the side markers are context the change keeps.
        let file = ChangedFile(path: "a.txt", addedLines: [AddedLine(number: 3, text: "=======")], lines: lines)
        #expect(ConflictMarkerCheck().findings(in: file, settings: CheckSettings()).map(\.line) == [3])
        let alone = ChangedFile(path: "a.txt", addedLines: [AddedLine(number: 2, text: "=======")], lines: ["Title", "======="])
        #expect(ConflictMarkerCheck().findings(in: alone, settings: CheckSettings()).isEmpty)
    }

    @Test func largeBinaryReportsSizeAndLimit() {
        let video = ChangedFile(path: "assets/intro.mp4", addedLines: [], lines: [], isBinary: true, size: 3_355_443,
                                isNew: true, blobID: "5b1e7c0f2a9d4e8b6c3a1f0e9d8c7b6a5f4e3d2c")
        let findings = LargeBinaryCheck().findings(in: video, settings: CheckSettings())
        #expect(findings.map(\.message) == ["binary file of 3.2 MiB added (limit 1.0 MiB)"])
        #expect(findings.first?.evidence.contains { $0.contains("3355443") } == true)
        #expect(findings.first?.evidence.contains { $0.contains("1048576") } == true)
        #expect(findings.map(\.fingerprintText) == ["5b1e7c0f2a9d4e8b6c3a1f0e9d8c7b6a5f4e3d2c"])
        #expect(findings.map(\.line) == [0] && findings.map(\.endLine) == [0])

        var changed = video
        changed.isNew = false
        changed.blobID = nil
        let again = LargeBinaryCheck().findings(in: changed, settings: CheckSettings())
        #expect(again.map(\.message) == ["binary file of 3.2 MiB changed (limit 1.0 MiB)"])
        #expect(again.map(\.fingerprintText) == ["3355443"])

        #expect(LargeBinaryCheck().findings(in: video, settings: CheckSettings(largeBinaryBytes: 5 << 20)).isEmpty)
        #expect(LargeBinaryCheck.humanSize(900) == "900 bytes")
        #expect(LargeBinaryCheck.humanSize(1536) == "1.5 KiB")
        #expect(LargeBinaryCheck.humanSize(3 << 30) == "3.0 GiB")
    }

    @Test func largeTextFileReportsSizeAndTheTextLimit() {
        let dump = ChangedFile(path: "db/dump.sql", addedLines: [], lines: [], isBinary: false, size: 188_743_680,
                               isNew: true, blobID: "d0d0cafed0d0cafed0d0cafed0d0cafed0d0cafe")
        let findings = LargeBinaryCheck().findings(in: dump, settings: CheckSettings())
        #expect(findings.map(\.message) == ["text file of 180.0 MiB added (limit for text 10.0 MiB); its lines are not checked"])
        #expect(findings.first?.evidence == ["size: 188743680 bytes", "text limit: 10485760 bytes (thresholds.large_text_bytes)"])
        #expect(findings.map(\.fingerprintText) == ["d0d0cafed0d0cafed0d0cafed0d0cafed0d0cafe"])
        // The binary limit says nothing about text, and the text limit is the policy's.
        #expect(LargeBinaryCheck().findings(in: dump, settings: CheckSettings(largeBinaryBytes: 1 << 30)).count == 1)
        #expect(LargeBinaryCheck().findings(in: dump, settings: CheckSettings(largeTextBytes: 200 << 20)).isEmpty)
    }

    @Test func excerptsCutLongTextAndStateItsLength() {
        #expect(Finding.excerpt("short line") == "short line")
        let exact = String(repeating: "é", count: 200)
        #expect(Finding.excerpt(exact) == exact)
        let long = String(repeating: "é", count: 201)
        #expect(Finding.excerpt(long) == String(repeating: "é", count: 200) + "… (402 bytes)")
        let huge = String(repeating: "a", count: 10_485_760)
        #expect(Finding.excerpt(huge) == String(repeating: "a", count: 200) + "… (10,485,760 bytes)")
        #expect(Finding.excerpt("abcdef", limit: 3) == "abc… (6 bytes)")
    }

    // MARK: Ordinary code (false-positive guard)

    @Test(arguments: Checks.all.map { type(of: $0).description.id }, OrdinaryCode.files)
    func ordinaryCodeHasNoFindings(_ ruleID: String, _ source: OrdinaryCode) throws {
        let check = try #require(Checks.check(id: ruleID))
        let findings = check.findings(in: .new(path: source.path, text: source.text), settings: CheckSettings())
        #expect(findings.isEmpty, "\(ruleID) on \(source.path): \(describe(findings))")
    }

    @Test func ordinaryCodeIsLongEnough() {
        for source in OrdinaryCode.files where source.path.hasSuffix(".swift") || source.path.hasSuffix(".rs") {
            #expect(ChangedFile.splitLines(source.text).count >= 190, "\(source.path)")
        }
    }

    /// Every check over every ordinary file, all lines added: a budget far above what the audit needs
    /// (each file takes tens of microseconds in a release build), loose enough for a debug build.
    @Test func checksAreCheapOnHundredsOfAddedLines() {
        let files = OrdinaryCode.files.map { ChangedFile.new(path: $0.path, text: $0.text) }
        let lines = files.reduce(0) { $0 + $1.addedLines.count }
        let rounds = 20
        var count = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<rounds {
                for file in files {
                    for check in Checks.all { count += check.findings(in: file, settings: CheckSettings()).count }
                }
            }
        }
        #expect(count == 0)
        #expect(elapsed < .milliseconds(60 * rounds), "\(rounds) rounds over \(lines) added lines took \(elapsed)")
    }

    // MARK: Robustness

    /// Cut short anywhere (unclosed strings, comments, brackets and bodies), every file still checks
    /// without trapping, and findings stay on added lines.
    @Test func checksSurviveTruncatedInput() {
        var sources = CheckExample.markedText.map { ($0.example.path, Array($0.example.unmarked.text.utf8), 3) }
        sources += OrdinaryCode.files.map { ($0.path, Array($0.text.utf8), 97) }
        for (path, bytes, step) in sources {
            for cut in stride(from: 0, to: bytes.count, by: step) {
                expectSane(ChangedFile.new(path: path, text: String(decoding: bytes[..<cut], as: UTF8.self)))
            }
        }
    }

    /// Random soup of the characters the scanners care about, in every language the checks know.
    @Test func checksSurviveRandomInput() {
        let pieces = ["{", "}", "(", ")", "[", "]", "\"", "'", "`", "/", "*", "#", "\n", " ", "\t", "@", "!", "?", ".",
                      ":", "=", "<", ">", "|", "\\", "$", "r#\"", "\"\"\"", "//", "/*", "*/", "TODO", "todo!()",
                      "@Test", "func ", "fn ", "def test_", "it(", "test(", "#[test]", "=======", "<<<<<<< ",
                      "raise NotImplementedError", "return ", "expect(", "assert", "skip", ".disabled", "    "]
        let paths = ["a.swift", "a.rs", "tests/test_a.py", "a.test.ts", "a_test.go", "src/test/A.java", "a.md"]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for round in 0..<300 {
            var text = ""
            for _ in 0..<120 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += pieces[Int((seed >> 33) % UInt64(pieces.count))]
            }
            expectSane(ChangedFile.new(path: paths[round % paths.count], text: text))
        }
    }

    private func expectSane(_ file: ChangedFile, sourceLocation: SourceLocation = #_sourceLocation) {
        let added = Set(file.addedLines.map(\.number))
        for check in Checks.all {
            for finding in check.findings(in: file, settings: CheckSettings()) {
                #expect(finding.line == 0 || added.contains(finding.line), "\(type(of: check).description.id) on \(file.path)",
                        sourceLocation: sourceLocation)
                #expect(finding.endLine >= finding.line, sourceLocation: sourceLocation)
            }
        }
    }
}

/// Realistic files with nothing any check should report: the corpus for the false-positive guard.
struct OrdinaryCode: Sendable, CustomTestStringConvertible {
    let path: String
    let text: String

    var testDescription: String { path }

    static let files: [OrdinaryCode] = [
        OrdinaryCode(path: "Tests/StoreTests/StoreTests.swift", text: swift),
        OrdinaryCode(path: "src/lib.rs", text: rust),
        OrdinaryCode(path: "tests/test_orders.py", text: python),
        OrdinaryCode(path: "test/cart.test.ts", text: typescript),
        OrdinaryCode(path: "internal/store/store_test.go", text: go),
        OrdinaryCode(path: "docs/guide.md", text: markdown),
    ]

    static let swift = #"""
import Foundation
import Testing
@testable import Store

/// A small in-memory key-value store with expiry, used by the tests below.
struct Entry: Equatable, Sendable {
    var key: String
    var value: String
    var expires: Date?

    func isExpired(at now: Date) -> Bool {
        guard let expires else { return false }
        return expires <= now
    }
}

enum StoreError: Error, Equatable {
    case missing(String)
    case readOnly
}

final class Store: @unchecked Sendable {
    private var entries: [String: Entry] = [:]
    private let lock = NSLock()
    private(set) var isReadOnly = false
    var todoCount: Int { entries.values.filter { $0.key.hasPrefix("todo/") }.count }

    init(entries: [Entry] = []) {
        for entry in entries { self.entries[entry.key] = entry }
    }

    func freeze() {
        lock.lock(); defer { lock.unlock() }
        isReadOnly = true
    }

    func set(_ value: String, for key: String, ttl: TimeInterval? = nil, now: Date = Date()) throws {
        lock.lock(); defer { lock.unlock() }
        guard !isReadOnly else { throw StoreError.readOnly }
        entries[key] = Entry(key: key, value: value, expires: ttl.map { now.addingTimeInterval($0) })
    }

    func value(for key: String, now: Date = Date()) throws -> String {
        lock.lock(); defer { lock.unlock() }
        guard let entry = entries[key], !entry.isExpired(at: now) else { throw StoreError.missing(key) }
        return entry.value
    }

    func remove(_ key: String) -> Entry? {
        lock.lock(); defer { lock.unlock() }
        return entries.removeValue(forKey: key)
    }

    func purge(now: Date = Date()) -> Int {
        lock.lock(); defer { lock.unlock() }
        let expired = entries.values.filter { $0.isExpired(at: now) }.map(\.key)
        for key in expired { entries.removeValue(forKey: key) }
        return expired.count
    }

    var keys: [String] {
        lock.lock(); defer { lock.unlock() }
        return entries.keys.sorted()
    }

    /// Renders the store as a table; the divider below the header is a row of equals signs.
    func table() -> String {
        var lines = ["key | value", "=======", ""]
        lines.removeLast()
        for key in keys {
            guard let entry = entries[key] else { fatalError("key listed but missing: \(key)") }
            lines.append("\(entry.key) | \(entry.value)")
        }
        return lines.joined(separator: "\n")
    }
}

enum Mode: String, CaseIterable {
    case enabled, disabled, readOnly

    var label: String {
        switch self {
        case .enabled: return "On"
        case .disabled: return "Off"
        case .readOnly: return "Read only"
        }
    }
}

func expectedKeys(_ count: Int) -> [String] {
    (0..<count).map { "key-\($0)" }
}

private func makeStore(_ count: Int) -> Store {
    Store(entries: expectedKeys(count).map { Entry(key: $0, value: "v", expires: nil) })
}

@Suite struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func setsAndReads() throws {
        let store = Store()
        try store.set("1", for: "a", now: now)
        #expect(try store.value(for: "a", now: now) == "1")
    }

    @Test func missingKeyThrows() {
        let store = Store()
        #expect(throws: StoreError.missing("nope")) {
            try store.value(for: "nope", now: now)
        }
    }

    @Test func expiresAfterTTL() throws {
        let store = Store()
        try store.set("1", for: "a", ttl: 10, now: now)
        #expect(try store.value(for: "a", now: now.addingTimeInterval(5)) == "1")
        #expect(throws: StoreError.self) {
            try store.value(for: "a", now: now.addingTimeInterval(10))
        }
    }

    @Test func purgeRemovesOnlyExpired() throws {
        let store = Store()
        try store.set("1", for: "a", ttl: 1, now: now)
        try store.set("2", for: "b", now: now)
        #expect(store.purge(now: now.addingTimeInterval(2)) == 1)
        #expect(store.keys == ["b"])
    }

    @Test func frozenStoreRejectsWrites() {
        let store = Store()
        store.freeze()
        #expect(store.isReadOnly)
        #expect(throws: StoreError.readOnly) { try store.set("1", for: "a") }
    }

    @Test(arguments: [0, 1, 5, 20])
    func keysAreSorted(count: Int) {
        let store = makeStore(count)
        #expect(store.keys == expectedKeys(count).sorted())
    }

    @Test(arguments: Mode.allCases)
    func everyModeHasALabel(mode: Mode) {
        #expect(!mode.label.isEmpty)
    }

    @Test func removeReturnsTheEntry() throws {
        let store = makeStore(2)
        let removed = try #require(store.remove("key-0"))
        #expect(removed.key == "key-0")
        #expect(store.remove("key-0") == nil)
    }

    @Test func tableListsEveryKey() {
        let table = makeStore(3).table()
        let rows = table.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[1] == "=======")
    }

    @Test func todoCountCountsPrefixedKeys() throws {
        let store = Store()
        try store.set("x", for: "todo/1")
        try store.set("y", for: "done/1")
        #expect(store.todoCount == 1)
    }

    @Test func concurrentWritesAllLand() async throws {
        let store = Store()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask { try? store.set("\(i)", for: "k\(i)") }
            }
        }
        #expect(store.keys.count == 50)
    }

    @Test func entryWithoutExpiryNeverExpires() {
        let entry = Entry(key: "a", value: "1", expires: nil)
        #expect(!entry.isExpired(at: .distantFuture))
    }

    @Test func checksExpiryBoundary() {
        let entry = Entry(key: "a", value: "1", expires: now)
        checkExpired(entry, at: now)
    }

    private func checkExpired(_ entry: Entry, at date: Date, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(entry.isExpired(at: date), sourceLocation: sourceLocation)
    }
}

final class LegacyStoreTests {
    // Kept for the migration guide; not run by XCTest (no import), so no assertions are required.
    func testShape() {
        _ = Store()
    }
}

extension Store {
    /// Copies every live entry into a new store.
    func snapshot(now: Date = Date()) -> Store {
        let live = keys.compactMap { key -> Entry? in
            guard let value = try? value(for: key, now: now) else { return nil }
            return Entry(key: key, value: value, expires: nil)
        }
        return Store(entries: live)
    }
}
"""#

    static let rust = #"""
//! A tiny INI parser: sections, keys, values, comments.
//!
//! Lines that start with `;` or `#` are comments. Keys outside any section belong to the
//! default section `""`.

use std::collections::BTreeMap;
use std::fmt;

/// One parse error, with the line it happened on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    UnclosedSection,
    MissingEquals,
    EmptyKey,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::UnclosedSection => "unclosed section header",
            ErrorKind::MissingEquals => "expected `key = value`",
            ErrorKind::EmptyKey => "empty key",
        };
        write!(f, "line {}: {}", self.line, what)
    }
}

impl std::error::Error for ParseError {}

/// A parsed document: section name to its keys, in sorted order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ini {
    sections: BTreeMap<String, BTreeMap<String, String>>,
}

impl Ini {
    /// Parses `text`; the first malformed line is the error.
    pub fn parse(text: &str) -> Result<Ini, ParseError> {
        let mut ini = Ini::default();
        let mut section = String::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let number = index + 1;
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let name = rest
                    .strip_suffix(']')
                    .ok_or(ParseError { line: number, kind: ErrorKind::UnclosedSection })?;
                section = name.trim().to_string();
                ini.sections.entry(section.clone()).or_default();
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or(ParseError { line: number, kind: ErrorKind::MissingEquals })?;
            let key = key.trim();
            if key.is_empty() {
                return Err(ParseError { line: number, kind: ErrorKind::EmptyKey });
            }
            ini.sections
                .entry(section.clone())
                .or_default()
                .insert(key.to_string(), unquote(value.trim()).to_string());
        }
        Ok(ini)
    }

    /// The value of `key` in `section`, if any.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections.get(section)?.get(key).map(String::as_str)
    }

    /// Section names, sorted; the default section is `""`.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }

    /// Sets `key` in `section`, creating the section.
    pub fn set(&mut self, section: &str, key: &str, value: &str) {
        self.sections
            .entry(section.to_string())
            .or_default()
            .insert(key.to_string(), value.to_string());
    }

    /// Renders the document back to text, sections in order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, keys) in &self.sections {
            if !name.is_empty() {
                out.push_str(&format!("[{name}]\n"));
            }
            for (key, value) in keys {
                out.push_str(&format!("{key} = {value}\n"));
            }
        }
        out
    }
}

fn unquote(value: &str) -> &str {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'"' && bytes[bytes.len() - 1] == b'"' {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

/// Keys whose values look unfinished, for a linter: "todo", "tbd", or empty.
pub fn placeholder_keys(ini: &Ini) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (section, keys) in &ini.sections {
        for (key, value) in keys {
            let v = value.to_ascii_lowercase();
            if v.is_empty() || v == "todo" || v == "tbd" {
                found.push((section.clone(), key.clone()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "; comment\nname = demo\n\n[server]\nhost = localhost\nport = 8080\n";

    #[test]
    fn parses_sections_and_keys() {
        let ini = Ini::parse(SAMPLE).unwrap();
        assert_eq!(ini.get("", "name"), Some("demo"));
        assert_eq!(ini.get("server", "port"), Some("8080"));
    }

    #[test]
    fn lists_sections_in_order() {
        let ini = Ini::parse(SAMPLE).expect("sample parses");
        let names: Vec<_> = ini.sections().collect();
        assert_eq!(names, vec!["", "server"]);
    }

    #[test]
    fn reports_unclosed_section() {
        let err = Ini::parse("[server\nhost = x").unwrap_err();
        assert_eq!(err, ParseError { line: 1, kind: ErrorKind::UnclosedSection });
    }

    #[test]
    fn reports_missing_equals() -> Result<(), String> {
        match Ini::parse("[a]\njust words") {
            Err(e) if e.kind == ErrorKind::MissingEquals => Ok(()),
            other => Err(format!("unexpected: {other:?}")),
        }
    }

    #[test]
    #[should_panic(expected = "empty key")]
    fn empty_key_panics_when_unwrapped() {
        Ini::parse("= value").map_err(|e| e.to_string()).unwrap();
    }

    #[test]
    fn unquotes_values() {
        let ini = Ini::parse("greeting = \"hello world\"").unwrap();
        assert_eq!(ini.get("", "greeting"), Some("hello world"));
    }

    #[test]
    fn round_trips_through_render() {
        let ini = Ini::parse(SAMPLE).unwrap();
        let again = Ini::parse(&ini.render()).unwrap();
        check_same(&ini, &again);
    }

    #[test]
    fn finds_placeholder_values() {
        let mut ini = Ini::default();
        ini.set("db", "password", "TBD");
        ini.set("db", "user", "admin");
        assert_eq!(placeholder_keys(&ini), vec![("db".to_string(), "password".to_string())]);
    }

    fn check_same(a: &Ini, b: &Ini) {
        assert_eq!(a, b, "render must round-trip");
    }
}
"""#

    static let python = #"""
"""Tests for the orders module: totals, discounts and the CSV export."""

import csv
import io
from abc import ABC, abstractmethod
from decimal import Decimal
from unittest import mock

import pytest

from shop.orders import Order, LineItem, export_csv, apply_discount


class PriceSource(ABC):
    """Where prices come from; tests plug in a fixed table."""

    @abstractmethod
    def price(self, sku: str) -> Decimal:
        raise NotImplementedError

    @abstractmethod
    def currency(
        self,
    ) -> str:
        raise NotImplementedError


class FixedPrices(PriceSource):
    def __init__(self, table):
        self.table = table

    def price(self, sku):
        return self.table[sku]

    def currency(self):
        return "EUR"


@pytest.fixture
def prices():
    return FixedPrices({"apple": Decimal("0.50"), "pear": Decimal("0.75")})


@pytest.fixture
def order(prices):
    o = Order(prices)
    o.add(LineItem("apple", 4))
    o.add(LineItem("pear", 2))
    return o


def test_total(order):
    assert order.total() == Decimal("3.50")


def test_empty_order_total_is_zero(prices):
    assert Order(prices).total() == 0


@pytest.mark.parametrize("percent, expected", [(0, "3.50"), (10, "3.15"), (100, "0.00")])
def test_discount(order, percent, expected):
    apply_discount(order, percent)
    assert order.total() == Decimal(expected)


def test_discount_rejects_negative(order):
    with pytest.raises(ValueError, match="percent"):
        apply_discount(order, -5)


def test_export_has_header_and_rows(order):
    buffer = io.StringIO()
    export_csv(order, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["sku", "quantity", "price"]
    assert len(rows) == 3


def test_export_notifies_listener(order):
    listener = mock.Mock()
    order.on_export = listener
    export_csv(order, io.StringIO())
    listener.assert_called_once_with(order)


class TestLineItem:
    def test_quantity_must_be_positive(self):
        with pytest.raises(ValueError):
            LineItem("apple", 0)

    def test_repr_names_the_sku(self):
        assert "apple" in repr(LineItem("apple", 1))

    def helper_total(self, items):
        return sum(i.quantity for i in items)


def check_rounding(value, expected):
    assert round(value, 2) == expected


def test_rounding():
    check_rounding(Decimal("1.005"), Decimal("1.00"))
"""#

    static let typescript = #"""
import { describe, expect, it, test, vi } from "vitest";
import { addItem, emptyCart, removeItem, total, type Cart } from "../src/cart";

const apple = { sku: "apple", price: 50 };
const pear = { sku: "pear", price: 75 };

function cartWith(...skus: string[]): Cart {
  return skus.reduce((cart, sku) => addItem(cart, sku === "apple" ? apple : pear), emptyCart());
}

function expectTotal(cart: Cart, cents: number) {
  expect(total(cart)).toBe(cents);
}

describe("cart", () => {
  it("starts empty", () => {
    expect(emptyCart().items).toHaveLength(0);
  });

  it("adds items", () => {
    const cart = cartWith("apple", "pear");
    expect(cart.items.map((i) => i.sku)).toEqual(["apple", "pear"]);
  });

  it("removes one item at a time", () => {
    const cart = removeItem(cartWith("apple", "apple"), "apple");
    expect(cart.items).toHaveLength(1);
  });

  test.each([
    [["apple"], 50],
    [["apple", "pear"], 125],
    [[], 0],
  ])("totals %j as %i cents", (skus, cents) => {
    expectTotal(cartWith(...(skus as string[])), cents);
  });

  it("notifies on change", async () => {
    const listener = vi.fn();
    const cart = cartWith("apple");
    cart.onChange = listener;
    await Promise.resolve(addItem(cart, pear));
    expect(listener).toHaveBeenCalledOnce();
  });

  it("keeps the skip list sorted", () => {
    const skipList = ["pear", "apple"].sort();
    expect(skipList).toEqual(["apple", "pear"]);
  });
});

describe("total", () => {
  const cases: Array<[string, number]> = [
    ["apple", 50],
    ["pear", 75],
  ];

  for (const [sku, cents] of cases) {
    test(`prices ${sku}`, () => {
      expectTotal(cartWith(sku), cents);
    });
  }

  it("matches the regex for prices", () => {
    const pattern = /^\d+ cents$/;
    expect(pattern.test(`${total(cartWith("apple"))} cents`)).toBe(true);
  });
});
"""#

    static let go = #"""
package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// newStore opens a store in a temporary directory and closes it when the test ends.
func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestPutGet(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Put("a", []byte("1")))
	got, err := s.Get("a")
	require.NoError(t, err)
	require.Equal(t, []byte("1"), got)
}

func TestGetMissing(t *testing.T) {
	s := newStore(t)
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) error = %v, want ErrNotFound", err)
	}
}

func TestDelete(t *testing.T) {
	s := newStore(t)
	for _, key := range []string{"a", "b", "c"} {
		if err := s.Put(key, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		key  string
		want error
	}{
		{"present", "a", nil},
		{"absent", "z", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Delete(tc.key); !errors.Is(err, tc.want) {
				t.Errorf("Delete(%q) = %v, want %v", tc.key, err, tc.want)
			}
		})
	}
}

func TestCompactKeepsLiveKeys(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Put("live", []byte("x")))
	require.NoError(t, s.Compact())
	checkKeys(t, s, "live")
}

func checkKeys(t *testing.T, s *Store, want ...string) {
	t.Helper()
	got := s.Keys()
	if len(got) != len(want) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
}

func BenchmarkPut(b *testing.B) {
	s, _ := Open(b.TempDir())
	for i := 0; i < b.N; i++ {
		_ = s.Put("k", []byte("v"))
	}
}

func TestMain(m *testing.M) {
	m.Run()
}
"""#

    static let markdown = #"""
Store guide
===========

The store keeps keys in memory and writes a snapshot on close.

Installing
----------

Add the package and open a store:

```go
s, err := store.Open("data/db")
if err != nil {
	panic(err)
}
```

Design notes
============

- Keys are sorted; a skip list keeps inserts cheap.
- Expired entries are purged lazily, on read, and in bulk by `Compact`.
- The todo list for the next release lives in the tracker, not here.

Comparison
==========

| store | sorted | ttl |
|-------|--------|-----|
| this  | yes    | yes |
| map   | no     | no  |

> Quoted advice: write tests that assert something.
>> Nested quote.

Conflict handling
-----------------

When two writers race, the last write wins. A merge of two snapshots keeps the newer value of
each key; there are no conflict markers in snapshots, and `=======` never appears in one.

=======
Appendix
=======

Glossary: *TTL* is the time to live; *purge* removes expired entries.
"""#
}
