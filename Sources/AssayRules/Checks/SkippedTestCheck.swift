import AssayCore

/// Finds tests a change skips or disables: Swift Testing's `.disabled` trait and `XCTSkip`, Rust
/// `#[ignore]`, Jest/Vitest `it.skip`/`test.todo`/`xit`/…, pytest and unittest skips, Go `t.Skip`,
/// and JUnit `@Disabled`/`@Ignore`.
///
/// Only files that hold tests are read (`TestCounter.frameworks(forPath:)`, plus `.java`/`.kt` files
/// under a `test`, `tests` or `…Test` directory for JUnit), and only code: a marker in a comment or
/// a string does not fire. Conditional skips (`.disabled(if:)`, `skipif`, `XCTSkipIf`) count too: they
/// hide the test wherever the condition holds, which is usually where it was failing.
/// `pytest.importorskip` does not count (it guards an optional dependency).
public struct SkippedTestCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "test-skipped",
        name: "Skipped tests",
        summary: "Finds tests skipped or disabled by the change (.disabled, XCTSkip, #[ignore], it.skip, xit, "
            + "@pytest.mark.skip, t.Skip, @Disabled, …).",
        rationale: "Skipping a failing test makes the suite green without making the code right; agents do it "
            + "to get past a red build. Fix the test or the code, or, if the skip is deliberate, give the reason "
            + "and a tracking issue in the skip itself.",
        defaultSeverity: .warn,
        triggering: [
            RuleExample("Tests/AppTests/SyncTests.swift", """
            import Testing

            ↓@Test(.disabled("flaky on CI"))
            func syncs() async throws {
                #expect(try await sync() == 3)
            }

            @Test("Merges",
            ↓      .disabled(if: isLinux), .tags(.slow))
            func merges() {}
            """),
            RuleExample("Tests/AppTests/LoginTests.swift", """
            import XCTest

            final class LoginTests: XCTestCase {
                func testRefresh() throws {
            ↓        throw XCTSkip("needs a live server")
                }
                func testLogout() throws {
            ↓        try XCTSkipIf(ProcessInfo.processInfo.environment["CI"] != nil)
                }
            }
            """),
            RuleExample("src/parser.rs", """
            #[cfg(test)]
            mod tests {
                #[test]
            ↓    #[ignore]
                fn parses_everything() {}

            ↓    #[test] #[ignore = "slow"]
                fn parses_big_files() {}
            }
            """),
            RuleExample("src/cart.test.ts", """
            describe("cart", () => {
            ↓  it.skip("adds an item", () => {
                expect(add(cart, item)).toHaveLength(1);
              });
            ↓  test.todo("removes an item");
            ↓  xit("empties", () => {});
            });
            ↓describe.skip("checkout", () => {});
            ↓xdescribe("refunds", () => {});
            ↓test.skip.each([[1], [2]])("rounds %i", (n) => {});
            """),
            RuleExample("tests/test_models.py", """
            import pytest

            ↓@pytest.mark.skip(reason="flaky")
            def test_save():
                assert save()

            ↓@pytest.mark.skipif(sys.platform == "win32", reason="posix only")
            def test_paths():
            ↓    pytest.skip("not ready")

            class TestStore(unittest.TestCase):
            ↓    @unittest.skip("later")
                def test_load(self):
            ↓        self.skipTest("no fixture")
            """),
            RuleExample("internal/store/store_test.go", """
            func TestCompact(t *testing.T) {
            ↓\tt.Skip("flaky")
            }

            func TestVacuum(t *testing.T) {
            \tif testing.Short() {
            ↓\t\tt.Skipf("short mode: %v", true)
            \t}
            }
            """),
            RuleExample("src/test/java/com/acme/CartTest.java", """
            class CartTest {
            ↓    @Disabled("until the tax service is back")
                @Test
                void addsTax() {}

            ↓    @Test @org.junit.Ignore
                public void legacy() {}
            }
            """),
        ],
        nonTriggering: [
            RuleExample("Tests/AppTests/SyncTests.swift", """
            // @Test(.disabled("flaky"))
            @Test(.enabled(if: hasNetwork))
            func syncs() {
                let note = "use .disabled to skip"
                button.disabled(true)
                view.state = .disabled
                configure(.disabled)
                #expect(state == .disabled)
            }
            """),
            RuleExample("src/parser.rs", """
            #[test]
            fn ignores_whitespace() {
                // #[ignore] until it passes
                let ignore = vec!["#[ignore]"];
                assert_eq!(parse(" a "), parse("a"));
            }
            """),
            RuleExample("src/cart.test.ts", """
            // it.skip("adds", () => {})
            it("skips empty lines", () => {
              const skip = lines.skip(1);
              expect(parser.skip("x")).toBe(true);
              expect("test.skip(").toContain("skip");
            });
            """),
            RuleExample("src/cart.ts", """
            it.skip("not a test file", () => {});
            xit("still not a test file", () => {});
            """),
            RuleExample("tests/test_models.py", """
            # @pytest.mark.skip
            yaml = pytest.importorskip("yaml")
            def test_skip_list():
                \"\"\"pytest.skip() is not called here.\"\"\"
                assert skip_list([1, 2], 1) == [2]
            """),
            RuleExample("internal/store/store_test.go", """
            func TestSkipList(t *testing.T) {
            \t// t.Skip("later")
            \tl := NewSkipList()
            \tif l.Skip(2) != nil {
            \t\tt.Fatal("unexpected skip")
            \t}
            }
            """),
            RuleExample("src/main/java/com/acme/Feature.java", """
            @Disabled
            class Feature {}
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        guard !file.addedLines.isEmpty, let language = Self.language(forPath: file.path) else { return [] }
        let candidates = file.addedLines.filter { Self.mayHoldSkip($0.text, language) }
        guard !candidates.isEmpty else { return [] }
        let text = CheckText(file, blanking: CheckText.blankingLanguage(forPath: file.path))
        var findings: [CheckFinding] = []
        for added in candidates where added.number >= 1 && added.number <= text.lineCount {
            if Byte.isCommentOnly(added.text, hashComments: language == .python) { continue }
            guard let marker = Self.skip(onLine: added.number, in: text, language) else { continue }
            let trimmed = Byte.trimmed(added.text)
            findings.append(CheckFinding(line: added.number, message: "test skipped with `\(marker)`",
                                         evidence: [trimmed], fingerprintText: trimmed))
        }
        return findings
    }

    /// The test language a skip is looked for in.
    enum Language { case swift, rust, python, js, go, junit }

    /// The test language of a file that can hold tests, or nil.
    static func language(forPath path: String) -> Language? {
        switch TestCounter.frameworks(forPath: path).first {
        case .swiftTesting?, .xctest?: return .swift
        case .rust?, .rustDoctest?: return .rust
        case .pytest?: return .python
        case .jest?: return .js
        case .go?: return .go
        case nil:
            let ext = CheckText.fileExtension(path)
            guard ext == "java" || ext == "kt" || ext == "kts" else { return nil }
            let directories = path.split(separator: "/").dropLast()
            let underTests = directories.contains { $0 == "test" || $0 == "tests" || $0.hasSuffix("Test") }
            return underTests ? .junit : nil
        }
    }

    /// The cheap test run on every added line before any parsing.
    static func mayHoldSkip(_ line: String, _ language: Language) -> Bool {
        switch language {
        case .swift: return Byte.contains(line, "disabled") || Byte.contains(line, "XCTSkip")
        case .rust: return Byte.contains(line, "ignore")
        case .python: return Byte.containsIgnoringCase(line, "skip")
        case .js:
            return Byte.contains(line, "skip") || Byte.contains(line, "todo") || Byte.contains(line, "fixme")
                || Byte.contains(line, "xit") || Byte.contains(line, "xtest") || Byte.contains(line, "xdescribe")
                || Byte.contains(line, "xcontext") || Byte.contains(line, "xspecify") || Byte.contains(line, "xsuite")
        case .go: return Byte.contains(line, "Skip")
        case .junit: return Byte.contains(line, "Disabled") || Byte.contains(line, "Ignore")
        }
    }

    private static let jsBases: Set<String> = ["it", "test", "describe", "suite", "context", "specify"]
    private static let jsDisabledBases: Set<String> = ["xit", "xtest", "xdescribe", "xcontext", "xspecify", "xsuite"]
    private static let jsSkipModifiers: Set<String> = ["skip", "todo", "fixme", "skipIf"]

    /// The skip on line `n` as the finding names it (`it.skip`, `#[ignore]`, `.disabled`), or nil.
    static func skip(onLine n: Int, in text: CheckText, _ language: Language) -> String? {
        return text.firstMatch(identifiersOnLine: n) { k, end -> String? in
            let name = text.codeText(k, end)
            let before = text[code: k - 1]
            switch language {
            case .swift:
                if name.hasPrefix("XCTSkip") { return name }
                if name == "disabled", before == Byte.dot, isSwiftTestTrait(dot: k - 1, in: text) { return ".disabled" }
            case .rust:
                if name == "ignore", let open = previousCode(before: k, in: text), text.code[open] == Byte.lb,
                   let hash = previousCode(before: open, in: text), text.code[hash] == Byte.hash {
                    return "#[ignore]"
                }
            case .python:
                let chain = dottedChain(endingAt: k, in: text)
                let qualified = text.codeText(chain, end)
                if (name == "skip" || name == "skipif") && qualified.hasSuffix("mark.\(name)") { return qualified }
                if (name == "skip" || name == "skipIf" || name == "skipUnless")
                    && (qualified.hasPrefix("unittest.") || text[code: chain - 1] == Byte.at) {
                    return qualified
                }
                if qualified == "pytest.skip" && text[code: text.skipBlank(end)] == Byte.lp { return qualified }
                if name == "skipTest" && before == Byte.dot { return qualified }
                if name == "SkipTest" { return qualified }
            case .js:
                guard before != Byte.dot && before != Byte.hash else { break }
                let disabledBase = jsDisabledBases.contains(name)
                guard disabledBase || jsBases.contains(name) else { break }
                var j = end
                var skipped = disabledBase
                var label = name
                while text[code: j] == Byte.dot {
                    let s = j + 1
                    let e = text.identEnd(s)
                    guard e > s else { break }
                    let modifier = text.codeText(s, e)
                    if jsSkipModifiers.contains(modifier) { skipped = true }
                    label += "." + modifier
                    j = e
                    if modifier == "each" || modifier == "skipIf" {  // skip the table or the condition
                        let p = text.skipSpace(j)
                        if let end = text.templateLiteralEnd(text.skipSpaceInText(j)) {
                            j = end
                        } else if text[code: p] == Byte.lp, let close = text.matching(p) {
                            j = close + 1
                        }
                    }
                }
                if skipped && text[code: text.skipSpace(j)] == Byte.lp { return label }
            case .go:
                if name == "Skip" || name == "Skipf" || name == "SkipNow", before == Byte.dot,
                   text[code: text.skipBlank(end)] == Byte.lp, let receiver = goTestReceiver(dot: k - 1, in: text) {
                    return "\(receiver).\(name)"
                }
            case .junit:
                if name == "Disabled" || name == "Ignore" {
                    let chain = dottedChain(endingAt: k, in: text)
                    if text[code: chain - 1] == Byte.at { return "@" + text.codeText(chain, end) }
                }
            }
            return nil
        }
    }

    /// Receivers of `Skip` that are a `testing.TB`: the usual parameter names, and a suite's `s.T()`.
    private static let goTestReceivers: Set<String> = ["t", "b", "tb", "f", "tt"]

    /// The receiver before the `.` at `dot` when it reads as a test's `*testing.T` (`t`, `b`, `tb`, `f`,
    /// `tt`, or `….T()`), nil for anything else (`list.Skip(2)`).
    private static func goTestReceiver(dot: Int, in text: CheckText) -> String? {
        if text[code: dot - 1] == Byte.rp, text[code: dot - 2] == Byte.lp, text[code: dot - 3] == 0x54,
           !Byte.isIdent(text[code: dot - 4]) {
            return "T()"
        }
        guard let word = text.word(before: dot), word.end == dot else { return nil }
        let name = text.codeText(word.start, word.end)
        return goTestReceivers.contains(name) && text[code: word.start - 1] != Byte.dot ? name : nil
    }

    /// The offset of the last code byte before `k` that is not whitespace, or nil.
    private static func previousCode(before k: Int, in text: CheckText) -> Int? {
        var p = k - 1
        while p >= 0 && Byte.isSpace(text.code[p]) { p -= 1 }
        return p >= 0 ? p : nil
    }

    /// The start of the dotted name (`pytest.mark.skip`, `t.Skip`) whose last identifier starts at `k`.
    private static func dottedChain(endingAt k: Int, in text: CheckText) -> Int {
        var start = k
        while start >= 2 && text.code[start - 1] == Byte.dot && Byte.isIdent(text.code[start - 2]) {
            var a = start - 2
            while a > 0 && Byte.isIdent(text.code[a - 1]) { a -= 1 }
            start = a
        }
        return start
    }

    /// True when the `.` at `dot` starts a trait argument of `@Test(…)` or `@Suite(…)`: it follows `(`
    /// or `,`, and the parenthesis that encloses it belongs to the attribute.
    private static func isSwiftTestTrait(dot: Int, in text: CheckText) -> Bool {
        guard let p = previousCode(before: dot, in: text), text.code[p] == Byte.lp || text.code[p] == Byte.comma else {
            return false
        }
        var depth = 0
        var k = dot - 1
        let floor = max(0, dot - 4_000)
        while k >= floor {
            switch text.code[k] {
            case Byte.rp, Byte.rb, Byte.rc: depth += 1
            case Byte.lp, Byte.lb, Byte.lc:
                if depth == 0 {
                    guard text.code[k] == Byte.lp, let word = text.word(before: k) else { return false }
                    let name = text.codeText(word.start, word.end)
                    guard name == "Test" || name == "Suite" else { return false }
                    let at = dottedChain(endingAt: word.start, in: text) - 1
                    return text[code: at] == Byte.at
                }
                depth -= 1
            default: break
            }
            k -= 1
        }
        return false
    }
}
