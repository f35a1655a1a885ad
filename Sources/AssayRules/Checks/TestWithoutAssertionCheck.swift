import AssayCore

/// Finds tests a change adds whose body asserts nothing: it runs code but never checks an outcome.
///
/// Tests are found as `TestCounter` finds them (Swift Testing `@Test func`, XCTest `func test…()` in
/// a file that imports XCTest, Rust `#[test]`/`#[rstest]`/`#[tokio::test]`/`#[test_case]` fns, pytest
/// `def test…` at module level or in a test class, Jest/Vitest `it(…)`/`test(…)` with a function
/// argument, Go `func TestXxx(t *testing.T)`), in code with comments and strings blanked, so an
/// `expect(` in a comment or a string is not an assertion. A test is new when its declaration line
/// (the `func`/`fn`/`def`/`it(` line) is added. Bodies are found by brace matching, or by indentation
/// for Python. A test its own declaration skips (`@Test(.disabled)`, `#[ignore]`, `it.skip`, `xit`,
/// `@pytest.mark.skip`) or whose body skips it (`XCTSkip`, `t.Skip`, `pytest.skip`, `self.skipTest`) is
/// left to the `test-skipped` rule: one finding per problem.
///
/// What counts as asserting, per language:
/// - everywhere: a call to a helper whose name starts with `assert`, `expect`, `check` or `verify` at a
///   word boundary (`assertSnapshot(`, `expect_parse(`, `checkRoundTrip(`, not `checkout(`/`expected(`);
/// - Swift: `#expect`, `#require`, `Issue.record`, `XCTAssert…`, `XCTFail`, `XCTUnwrap`, `XCTExpectFailure`,
///   waiting on expectations (`wait(for:)`, `waitForExpectations`, `fulfillment(of:)`), `confirmation`,
///   `measure` (a performance test measures rather than asserts), and `try` (not `try?`) in a throwing
///   test (a thrown error fails the test, as Rust's `?` does);
/// - Rust: any macro whose name contains `assert` (`assert_eq!`, `debug_assert!`, `prop_assert!`),
///   `panic!`, `unreachable!`, `#[should_panic]`, `?` or `Err(…)` in a test returning `Result`, and `.unwrap()`/
///   `.unwrap_err()`/`.expect(…)`: each fails the test on a wrong outcome, so a test that unwraps is a
///   smoke test, not an empty one;
/// - pytest: `assert`, `pytest.raises`/`warns`/`fail`, `self.assert…`/`self.fail`, `mock.assert_…`,
///   `AssertionError`;
/// - Jest/Vitest: `expect(…)`, `expect.…`, `assert(…)`, `assert.…`, chai's `.should`;
/// - Go: `t.Error`, `t.Errorf`, `t.Fatal`, `t.Fatalf`, `t.Fail`, `t.FailNow` (on the test's own
///   `*testing.T`), testify's `require.`/`assert.`, and `panic(`.
public struct TestWithoutAssertionCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "test-without-assertion",
        name: "Tests without assertions",
        summary: "Finds tests added without any assertion: the body runs code but never checks a result.",
        rationale: "A test without an assertion passes whatever the code does, so it adds coverage numbers and "
            + "confidence but no protection. Agents write them to make a test count go up. Assert the behaviour "
            + "the test is named after, or delete the test.",
        defaultSeverity: .warn,
        triggering: [
            RuleExample("Tests/ParserTests/ParserTests.swift", """
            import Testing
            @testable import Parser

            ↓@Test func parsesEmptyInput() {
                let result = Parser().parse("")
                print("#expect(result.isEmpty)", result)
            }

            @Test("Merges two carts", .tags(.cart))
            ↓func merges() async {
                _ = await merge(a, b) // #expect(merged.count == 2)
            }

            @Test func parsesOne() {
                #expect(Parser().parse("1") == [1])
            }

            ↓@Test func placeholder() {}
            """),
            RuleExample("Tests/CacheTests/CacheTests.swift", """
            import XCTest

            final class CacheTests: XCTestCase {
            ↓    func testEviction() {
                    let cache = Cache(limit: 2)
                    cache.insert(1)
                }

                func testInsert() {
                    XCTAssertEqual(Cache(limit: 1).count, 0)
                }
            }
            """),
            RuleExample("src/http.rs", """
            #[cfg(test)]
            mod tests {
                use super::*;

                #[test]
            ↓    fn parses_header() {
                    let header = parse_header(b"GET / HTTP/1.1");
                    println!("assert_eq!({header:?})");
                }

                #[tokio::test]
            ↓    async fn fetches() {
                    let _ = fetch("http://localhost").await;
                }

                #[test]
                fn rejects_empty() {
                    assert!(parse_header(b"").is_err());
                }
            }
            """),
            RuleExample("tests/test_store.py", """
            import pytest

            ↓def test_save(tmp_path):
                store = Store(tmp_path)
                store.save({"id": 1})

            class TestLoad:
            ↓    def test_missing(self, store):
                    store.load("nope")  # assert later
                    \"\"\"assert store.empty\"\"\"

            ↓def test_stub(): pass

            def test_ok():
                assert load("a") == 1
            """),
            RuleExample("src/cart.test.ts", """
            describe("cart", () => {
            ↓  it("adds an item", () => {
                const cart = add(empty, item);
                console.log("expect(cart) to have one item", cart);
              });
              it("removes", () => {
                expect(remove(cart, item)).toEqual(empty);
              });
            ↓  test("totals", async () => {
                await total(cart);
              });
            });
            """),
            RuleExample("internal/store/store_test.go", """
            package store

            ↓func TestOpen(t *testing.T) {
            \ts, err := Open(t.TempDir())
            \t_ = s
            \tfmt.Println(err.Error())
            }

            func TestClose(t *testing.T) {
            \tif err := Close(); err != nil {
            \t\tt.Fatal(err)
            \t}
            }
            """),
        ],
        nonTriggering: [
            RuleExample("Tests/ParserTests/ParserTests.swift", """
            import Testing

            @Test func parses() throws {
                let ast = try #require(Parser().parse("1"))
                #expect(ast.count == 1)
            }
            @Test func reports() {
                if Parser().parse("(").isEmpty { Issue.record("empty") }
            }
            @Test func snapshots() { assertSnapshot(of: render(), as: .lines) }
            @Test func loads() throws { _ = try Store(path: "/tmp/x") }
            func helper() { print("not a test") }
            """),
            RuleExample("Tests/CacheTests/CacheTests.swift", """
            import XCTest

            final class CacheTests: XCTestCase {
                func testUnwraps() throws {
                    let value = try XCTUnwrap(Cache(limit: 1).first)
                    XCTAssertTrue(value > 0)
                }
                func testFails() {
                    guard Cache(limit: 0).isEmpty else { return XCTFail("not empty") }
                }
                func testAsync() {
                    let done = expectation(description: "loaded")
                    Cache.load { done.fulfill() }
                    wait(for: [done], timeout: 1)
                }
                func testRoundTrip() { verifyRoundTrip(Cache(limit: 3)) }
                func testHelper(_ limit: Int) { _ = Cache(limit: limit) }
                static func testData() -> [Int] { [] }
            }
            """),
            RuleExample("src/http.rs", """
            #[cfg(test)]
            mod tests {
                #[test]
                #[should_panic(expected = "empty")]
                fn panics_on_empty() {
                    parse_header(b"");
                }

                #[test]
                fn parses() -> Result<(), Box<dyn std::error::Error>> {
                    let h = parse_header(b"GET / HTTP/1.1")?;
                    Ok(())
                }

                #[test]
                fn unwraps() { parse_header(b"GET /").unwrap(); }

                #[rstest]
                #[case(1)]
                fn round_trips(#[case] n: u8) { check_round_trip(n); }

                fn helper() -> u8 { 1 }
            }
            """),
            RuleExample("tests/test_store.py", """
            import pytest

            @pytest.fixture
            def test_data():
                return {"id": 1}

            def make_store():
                return Store()

            def test_raises():
                with pytest.raises(KeyError):
                    make_store().load("nope")

            class TestStore(unittest.TestCase):
                def test_equal(self):
                    self.assertEqual(make_store().count(), 0)

            def test_mock(mocker):
                save = mocker.patch("store.save")
                make_store().flush()
                save.assert_called_once_with()

            def test_nested():
                def inner():
                    pass
                assert inner() is None
            """),
            RuleExample("src/cart.test.ts", """
            it("adds", () => {
              expect(add(empty, item)).toHaveLength(1);
            });
            test("asserts", () => {
              assert.equal(total(cart), 3);
            });
            it.skip("skipped tests are another rule", () => {});
            it("pending in mocha");
            it("runs a shared case", runCase);
            const ok = /test(/.test(name);
            """),
            RuleExample("internal/store/store_test.go", """
            package store

            func TestOpen(t *testing.T) {
            \ts, err := Open(t.TempDir())
            \trequire.NoError(t, err)
            \t_ = s
            }

            func TestRoundTrip(t *testing.T) {
            \tcheckRoundTrip(t, []byte("x"))
            }

            func TestSub(t *testing.T) {
            \tt.Run("empty", func(t *testing.T) {
            \t\tif Len() != 0 {
            \t\t\tt.Errorf("len = %d", Len())
            \t\t}
            \t})
            }

            func TestMain(m *testing.M) { os.Exit(m.Run()) }

            func helper() {}
            """),
            RuleExample("src/helpers.py", """
            def test_connection(host):
                return ping(host)
            """),
            RuleExample("Tests/SyncTests/SyncTests.swift", """
            import Testing
            import XCTest

            @Test(.disabled("flaky")) func syncs() {}
            @Test func notifies() async {
                await confirmation { posted in center.onPost = { posted() }; center.post() }
            }
            final class SyncPerformanceTests: XCTestCase {
                func testPerformance() { measure { _ = sync() } }
                func testLive() throws { throw XCTSkip("needs a server") }
            }
            """),
            RuleExample("tests/test_skips.py", """
            @pytest.mark.skip(reason="the skip rule reports this")
            def test_later():
                pass

            def test_platform():
                if sys.platform == "win32":
                    pytest.skip("posix only")
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        guard !file.addedLines.isEmpty, let framework = TestCounter.frameworks(forPath: file.path).first else { return [] }
        let language: SourceLanguage
        let keyword: StaticString
        switch framework {
        case .swiftTesting, .xctest: (language, keyword) = (.swift, "func")
        case .rust, .rustDoctest: (language, keyword) = (.rust, "fn")
        case .pytest: (language, keyword) = (.python, "def")
        case .jest: (language, keyword) = (SymbolDefinitions.language(forPath: file.path) ?? .javascript, "(")
        case .go: (language, keyword) = (.go, "func Test")
        }
        // A new test's declaration line is added, and holds the keyword (`it(`/`test(` hold a parenthesis).
        guard file.addedLines.contains(where: { Byte.contains($0.text, keyword) }) else { return [] }
        // Every Swift file may hold tests; one without `@Test` or `XCTest` anywhere holds none.
        let lines = CheckText.contentLines(of: file)
        if language == .swift && !lines.contains(where: { Byte.contains($0, "Test") }) { return [] }
        let text = CheckText(file, blanking: language)
        let added = file.addedLineNumbers
        let tests: [FoundTest]
        switch language {
        case .swift:
            let importsXCTest = lines.contains { Byte.contains($0, "import XCTest") }
            tests = Self.swiftTests(in: text, importsXCTest: importsXCTest, added: added)
        case .rust: tests = Self.rustTests(in: text, added: added)
        case .python: tests = Self.pythonTests(in: text, added: added)
        case .typescript, .javascript: tests = Self.scriptTests(in: text, added: added)
        case .go: tests = Self.goTests(in: text, added: added)
        }
        return tests.compactMap { test in
            guard !test.asserts else { return nil }
            let declaration = Byte.trimmed(String(decoding: text.bytes[text.range(ofLine: test.line)], as: UTF8.self))
            let span = test.endLine > test.line ? "lines \(test.line)–\(test.endLine)" : "line \(test.line)"
            return CheckFinding(line: test.line, endLine: test.endLine,
                                message: "test `\(test.name)` has no assertion",
                                evidence: [declaration, "no \(Self.assertionsLookedFor(language)) in \(span)"],
                                fingerprintText: declaration)
        }
    }

    /// A new test, as far as the check needs it.
    struct FoundTest {
        var name: String
        /// The declaration line and the body's last line (1-based).
        var line: Int
        var endLine: Int
        var asserts: Bool
    }

    /// What the evidence says was looked for.
    static func assertionsLookedFor(_ language: SourceLanguage) -> String {
        let helpers = "assert…/expect…/check…/verify… call"
        switch language {
        case .swift: return "#expect, #require, Issue.record, XCTAssert…, XCTFail, XCTUnwrap, try, or \(helpers)"
        case .rust: return "assert…!, panic!, ?, .unwrap(), #[should_panic], or \(helpers)"
        case .python: return "assert, pytest.raises, self.assert…, mock.assert_…, or \(helpers)"
        case .typescript, .javascript: return "expect(…), assert, .should, or \(helpers)"
        case .go: return "t.Error/Errorf/Fatal/Fatalf/Fail, require., assert., or \(helpers)"
        }
    }

    // MARK: Assertions shared by every language

    private static let helperPrefixes: [StaticString] = ["assert", "expect", "check", "verify"]

    /// True when the identifier in `a..<b` names an assertion helper: it starts with `assert`, `expect`,
    /// `check` or `verify` (first letter either case) and the prefix ends at a word boundary (the end, `_`,
    /// a digit or an uppercase letter): `assertEqual`, `expect_err`, `Check`, not `checkout`, `expected`.
    static func isHelperName(_ text: CheckText, _ a: Int, _ b: Int) -> Bool {
        for prefix in helperPrefixes {
            let matched = prefix.withUTF8Buffer { p -> Bool in
                guard b - a >= p.count else { return false }
                guard Byte.lower(text.code[a]) == p[0] else { return false }
                for i in 1..<p.count where text.code[a + i] != p[i] { return false }
                if b - a == p.count { return true }
                let next = text.code[a + p.count]
                return Byte.isUpper(next) || Byte.isDigit(next) || next == Byte.underscore
            }
            if matched { return true }
        }
        return false
    }

    /// Calls each identifier in `range` with its start, end, and the first code byte after it (past
    /// spaces); stops and returns true as soon as `isAssertion` does.
    private static func anyIdentifier(in text: CheckText, _ range: Range<Int>,
                                      _ isAssertion: (_ start: Int, _ end: Int, _ next: Int) -> Bool) -> Bool {
        var k = range.lowerBound
        let upper = min(range.upperBound, text.code.count)
        while k < upper {
            let c = text.code[k]
            guard Byte.isIdent(c), !Byte.isDigit(c), k == 0 || !Byte.isIdent(text.code[k - 1]) else { k += 1; continue }
            let end = text.identEnd(k)
            if isAssertion(k, end, text.skipSpace(end)) { return true }
            k = end
        }
        return false
    }

    private static func name(_ text: CheckText, _ a: Int, _ b: Int) -> String { text.codeText(a, b) }

    // MARK: Swift Testing and XCTest

    private static let swiftModifiers: Set<String> = [
        "private", "fileprivate", "internal", "public", "package", "open", "static", "class", "final",
        "nonisolated", "mutating", "override", "dynamic", "required", "convenience", "distributed",
    ]

    static func swiftTests(in text: CheckText, importsXCTest: Bool, added: Set<Int>) -> [FoundTest] {
        var tests: [FoundTest] = []
        var attributed = Set<Int>()
        let code = text.code
        var i = 0
        while i < code.count {
            guard code[i] == Byte.at else { i += 1; continue }
            var k = i + 1
            if text.starts(k, "Testing.") { k += 8 }
            guard text.isWord(k, "Test") else { i += 1; continue }
            var j = k + 4
            var disabled = false
            let p = text.skipSpace(j)
            if text[code: p] == Byte.lp, let close = text.matching(p) {
                disabled = text.codeText(p, close).contains(".disabled")  // the `test-skipped` rule's finding
                j = close + 1
            }
            i = j
            guard let funcAt = swiftFuncKeyword(in: text, after: j) else { continue }
            attributed.insert(funcAt)
            if !disabled, let test = swiftTest(in: text, funcAt: funcAt, added: added) { tests.append(test) }
        }
        guard importsXCTest else { return tests }
        i = 0
        while i < code.count {
            guard code[i] == 0x66, text.isWord(i, "func") else { i += 1; continue }  // `f`
            let funcAt = i
            i += 4
            guard !attributed.contains(funcAt) else { continue }
            let nameStart = text.skipSpace(funcAt + 4)
            let nameEnd = text.identEnd(nameStart)
            guard text.starts(nameStart, "test"), nameEnd > nameStart else { continue }
            let open = text.skipSpace(nameEnd)
            guard text[code: open] == Byte.lp, text[code: text.skipSpace(open + 1)] == Byte.rp,
                  !isTypeMember(text, funcAt: funcAt) else { continue }
            if let test = swiftTest(in: text, funcAt: funcAt, added: added) { tests.append(test) }
        }
        return tests.sorted { $0.line < $1.line }
    }

    /// The `func` keyword after a Swift attribute, past further attributes and modifiers.
    private static func swiftFuncKeyword(in text: CheckText, after start: Int) -> Int? {
        var j = start
        for _ in 0..<16 {
            let k = text.skipSpace(j)
            if text[code: k] == Byte.at {
                var e = k + 1
                while Byte.isIdent(text[code: e]) || text[code: e] == Byte.dot { e += 1 }
                if text[code: e] == Byte.lp, let close = text.matching(e) { e = close + 1 }
                j = e
                continue
            }
            let e = text.identEnd(k)
            guard e > k else { return nil }
            let word = text.codeText(k, e)
            if word == "func" { return k }
            guard swiftModifiers.contains(word) else { return nil }
            j = e
            if text[code: j] == Byte.lp, let close = text.matching(j) { j = close + 1 }
        }
        return nil
    }

    /// True when `static` or `class` modifies the func at `funcAt` (type methods are not tests).
    private static func isTypeMember(_ text: CheckText, funcAt: Int) -> Bool {
        var k = funcAt
        for _ in 0..<4 {
            guard let word = text.word(before: k) else { return false }
            let w = text.codeText(word.start, word.end)
            if w == "static" || w == "class" { return true }
            guard swiftModifiers.contains(w) else { return false }
            k = word.start
        }
        return false
    }

    private static func swiftTest(in text: CheckText, funcAt: Int, added: Set<Int>) -> FoundTest? {
        let line = text.line(at: funcAt)
        guard added.contains(line) else { return nil }
        let nameStart = text.skipSpace(funcAt + 4)
        let nameEnd = text.identEnd(nameStart)
        guard let open = text.bodyOpen(after: nameEnd), let close = text.matching(open) else { return nil }
        let throwing = text.codeText(nameEnd, open).split(whereSeparator: { !$0.isLetter }).contains("throws")
        let asserts = anyIdentifier(in: text, (open + 1)..<close) { a, b, next in
            let after = text[code: next]
            if isHelperName(text, a, b) && (after == Byte.lp || after == Byte.lc) { return true }
            let word = name(text, a, b)
            if word.hasPrefix("XCTAssert") || word == "XCTFail" || word == "XCTUnwrap" || word == "XCTExpectFailure"
                || word.hasPrefix("XCTSkip") {
                return true
            }
            switch word {
            case "require": return text[code: a - 1] == Byte.hash
            case "Issue": return after == Byte.dot && text.isWord(text.skipSpace(next + 1), "record")
            case "waitForExpectations", "fulfillment", "confirmation": return after == Byte.lp || after == Byte.lc
            case "measure": return after == Byte.lp || after == Byte.lc  // a performance test measures, it need not assert
            case "wait": return after == Byte.lp && text.isWord(text.skipSpace(next + 1), "for")
            case "try": return throwing && after != Byte.question
            default: return false
            }
        }
        return FoundTest(name: text.codeText(nameStart, nameEnd), line: line, endLine: text.line(at: close),
                         asserts: asserts)
    }

    // MARK: Rust

    static func rustTests(in text: CheckText, added: Set<Int>) -> [FoundTest] {
        var tests: [FoundTest] = []
        var isTest = false, shouldPanic = false, ignored = false
        let code = text.code
        var i = 0
        while i < code.count {
            guard code[i] == Byte.hash else { i += 1; continue }
            let open = text.skipSpace(i + 1)
            guard text[code: open] == Byte.lb, let close = text.matching(open) else { i += 1; continue }
            let path = rustAttributePath(text, from: open + 1, to: close)
            if path == "test" || path.hasSuffix("::test") || path == "rstest" || path.hasSuffix("::rstest")
                || path == "test_case" || path.hasSuffix("::test_case") || path == "wasm_bindgen_test" {
                isTest = true
            } else if path == "should_panic" {
                shouldPanic = true
            } else if path == "ignore" {
                ignored = true  // the `test-skipped` rule's finding
            }
            i = close + 1
            let next = text.skipSpace(i)
            if text[code: next] == Byte.hash, text[code: text.skipSpace(next + 1)] == Byte.lb { continue }
            defer { isTest = false; shouldPanic = false; ignored = false }
            guard isTest, !ignored, let fnAt = rustFnKeyword(text, from: next) else { continue }
            let line = text.line(at: fnAt)
            guard added.contains(line) else { continue }
            let nameStart = text.skipSpace(fnAt + 2)
            let nameEnd = text.identEnd(nameStart)
            guard let bodyOpen = text.bodyOpen(after: nameEnd), let bodyClose = text.matching(bodyOpen) else { continue }
            let signature = text.codeText(nameEnd, bodyOpen)
            let returnsResult = signature.contains("->") && signature.contains("Result")
            let asserts = shouldPanic || (returnsResult && code[(bodyOpen + 1)..<bodyClose].contains(Byte.question))
                || anyIdentifier(in: text, (bodyOpen + 1)..<bodyClose) { a, b, next in
                    let after = text[code: next]
                    let word = name(text, a, b)
                    if after == Byte.bang && (word.contains("assert") || word == "panic" || word == "unreachable") {
                        return true
                    }
                    if isHelperName(text, a, b) && (after == Byte.lp || after == Byte.bang) { return true }
                    if returnsResult && word == "Err" && after == Byte.lp { return true }  // fails by returning an error
                    return (word == "unwrap" || word == "unwrap_err") && text[code: a - 1] == Byte.dot
                }
            tests.append(FoundTest(name: text.codeText(nameStart, nameEnd), line: line,
                                   endLine: text.line(at: bodyClose), asserts: asserts))
            i = bodyOpen + 1
        }
        return tests
    }

    /// `tokio::test` for `#[tokio::test(flavor = "multi_thread")]`: identifiers and `::`, up to anything else.
    private static func rustAttributePath(_ text: CheckText, from: Int, to: Int) -> String {
        var path = ""
        var k = text.skipSpace(from)
        while k < to {
            let c = text.code[k]
            if Byte.isIdent(c) {
                let e = text.identEnd(k)
                path += text.codeText(k, e)
                k = e
            } else if c == Byte.colon, text[code: k + 1] == Byte.colon {
                path += "::"
                k += 2
            } else if c == Byte.sp || c == Byte.tab {
                k += 1
            } else {
                break
            }
        }
        return path
    }

    /// The `fn` keyword after qualifiers (`pub(crate) async unsafe extern "C"`) at `start`, if the item is a fn.
    private static func rustFnKeyword(_ text: CheckText, from start: Int) -> Int? {
        var k = text.skipSpace(start)
        for _ in 0..<8 {
            let e = text.identEnd(k)
            guard e > k else { return nil }
            switch text.codeText(k, e) {
            case "fn": return k
            case "pub":
                var j = text.skipSpace(e)
                if text[code: j] == Byte.lp, let close = text.matching(j) { j = close + 1 }
                k = text.skipSpace(j)
            case "async", "unsafe", "const", "default", "extern": k = text.skipSpace(e)  // `"C"` is blanked
            default: return nil
            }
        }
        return nil
    }

    // MARK: pytest

    private struct PythonScope {
        var indent: Int
        var isTestClass: Bool
        var isClass: Bool
    }

    static func pythonTests(in text: CheckText, added: Set<Int>) -> [FoundTest] {
        // Which lines continue a logical line (inside brackets, or after a `\`): not statements.
        var continues = [Bool](repeating: false, count: text.lineCount + 2)
        var depth = 0
        for n in 1...max(text.lineCount, 1) where n <= text.lineCount {
            let range = text.range(ofLine: n)
            continues[n] = depth > 0 || (n > 1 && lastCode(text, line: n - 1) == Byte.bs)
            for k in range {
                switch text.code[k] {
                case Byte.lp, Byte.lb, Byte.lc: depth += 1
                case Byte.rp, Byte.rb, Byte.rc: depth = max(0, depth - 1)
                default: break
                }
            }
        }
        var tests: [FoundTest] = []
        var scopes: [PythonScope] = []
        var notCollected = false  // a fixture, or a test its decorator skips
        var n = 1
        while n <= text.lineCount {
            defer { n += 1 }
            guard !continues[n], let indent = text.codeIndent(line: n), let first = text.firstCode(line: n) else { continue }
            while let last = scopes.last, last.indent >= indent { scopes.removeLast() }
            if text.code[first] == Byte.at {
                var e = first + 1
                while Byte.isIdent(text[code: e]) || text[code: e] == Byte.dot { e += 1 }
                let decorator = text.codeText(first + 1, e)
                if decorator.split(separator: ".").last == "fixture" { notCollected = true }
                // A test its decorator skips is the `test-skipped` rule's finding.
                if decorator.hasSuffix("mark.skip") || decorator.hasSuffix("mark.skipif") || decorator.hasPrefix("unittest.skip")
                    || decorator == "skip" || decorator == "skipIf" || decorator == "skipUnless" {
                    notCollected = true
                }
                continue
            }
            var d = first
            if text.isWord(d, "async") { d = text.skipBlank(d + 5) }
            if text.isWord(d, "def") {
                let nameStart = text.skipBlank(d + 3)
                let nameEnd = text.identEnd(nameStart)
                let collected = !notCollected && text.starts(nameStart, "test") && scopes.allSatisfy { $0.isClass && $0.isTestClass }
                notCollected = false
                scopes.append(PythonScope(indent: indent, isTestClass: false, isClass: false))
                guard collected, added.contains(n), let colon = pythonHeaderEnd(text, from: nameEnd) else { continue }
                let (bodyEnd, endLine) = pythonBodyEnd(text, colon: colon, indent: indent, continues: continues)
                let asserts = pythonAsserts(text, (colon + 1)..<bodyEnd)
                tests.append(FoundTest(name: text.codeText(nameStart, nameEnd), line: n, endLine: endLine, asserts: asserts))
                continue
            }
            notCollected = false
            if text.isWord(first, "class") {
                let nameStart = text.skipBlank(first + 5)
                let nameEnd = text.identEnd(nameStart)
                var bases = ""
                let open = text.skipBlank(nameEnd)
                if text[code: open] == Byte.lp, let close = text.matching(open) { bases = text.codeText(open + 1, close) }
                let isTest = text.starts(nameStart, "Test") || bases.contains("TestCase")
                scopes.append(PythonScope(indent: indent, isTestClass: isTest, isClass: true))
            }
        }
        return tests
    }

    /// The last non-space code byte of line `n` (0 when blank).
    private static func lastCode(_ text: CheckText, line n: Int) -> UInt8 {
        text.range(ofLine: n).reversed().first { !Byte.isSpace(text.code[$0]) }.map { text.code[$0] } ?? 0
    }

    /// The `:` that ends a `def` header whose name ends at `start` (past the parameters and any return annotation).
    private static func pythonHeaderEnd(_ text: CheckText, from start: Int) -> Int? {
        var k = start
        while k < text.code.count {
            let c = text.code[k]
            switch c {
            case Byte.lp, Byte.lb, Byte.lc:
                guard let close = text.matching(k) else { return nil }
                k = close + 1
                continue
            case Byte.colon: return k
            case Byte.nl: return nil
            default: k += 1
            }
        }
        return nil
    }

    /// The end offset and last line of the body after the header's `:` at `colon`: an inline body on the
    /// same line, then the lines indented deeper than the `def` (comments and docstrings included, and
    /// lines inside open brackets whatever their indentation).
    private static func pythonBodyEnd(_ text: CheckText, colon: Int, indent: Int, continues: [Bool]) -> (Int, Int) {
        let headerLine = text.line(at: colon)
        var endLine = headerLine
        var m = headerLine + 1
        while m <= text.lineCount {
            if continues[m] { endLine = m; m += 1; continue }
            if let codeIndent = text.codeIndent(line: m) {
                guard codeIndent > indent else { break }
                endLine = m
            } else if let textIndent = originalIndent(text, line: m), textIndent > indent {
                endLine = m  // a comment or docstring line inside the body
            }
            m += 1
        }
        return (text.range(ofLine: endLine).upperBound, endLine)
    }

    /// The indentation of line `n` in the original text, nil when blank.
    private static func originalIndent(_ text: CheckText, line n: Int) -> Int? {
        var width = 0
        for k in text.range(ofLine: n) {
            switch text.bytes[k] {
            case Byte.sp: width += 1
            case Byte.tab: width = (width / 8 + 1) * 8
            case Byte.cr: continue
            default: return width
            }
        }
        return nil
    }

    private static func pythonAsserts(_ text: CheckText, _ range: Range<Int>) -> Bool {
        anyIdentifier(in: text, range) { a, b, next in
            let word = name(text, a, b)
            if word == "assert" || word == "AssertionError" || word == "skipTest" { return true }
            if isHelperName(text, a, b) && text[code: next] == Byte.lp { return true }
            if ["raises", "warns", "fail", "deprecated_call", "skip"].contains(word), text[code: a - 1] == Byte.dot,
               let receiver = text.word(before: a - 1) {
                let r = text.codeText(receiver.start, receiver.end)
                return r == "pytest" || r == "self"
            }
            return false
        }
    }

    // MARK: Jest / Vitest

    private static let scriptTestNames: Set<String> = ["it", "test", "fit", "specify"]
    private static let scriptModifiers: Set<String> = ["only", "concurrent", "sequential", "failing", "fails", "each",
                                                       "for", "serial", "runIf"]

    static func scriptTests(in text: CheckText, added: Set<Int>) -> [FoundTest] {
        var tests: [FoundTest] = []
        let code = text.code
        var i = 0
        while i < code.count {
            let c = code[i]
            guard c == 0x69 || c == 0x74 || c == 0x66 || c == 0x73, i == 0 || !Byte.isIdent(code[i - 1]) else {
                i += 1
                continue
            }  // `i`, `t`, `f`, `s`
            let end = text.identEnd(i)
            defer { i = max(i + 1, end) }
            guard scriptTestNames.contains(text.codeText(i, end)) else { continue }
            let before = text[code: i - 1]
            if before == Byte.dot || before == Byte.hash { continue }
            if let word = text.word(before: i), text.codeText(word.start, word.end) == "function" { continue }
            var j = end
            var valid = true
            var label = text.codeText(i, end)
            while text[code: j] == Byte.dot {
                let s = j + 1
                let e = text.identEnd(s)
                let modifier = text.codeText(s, e)
                guard scriptModifiers.contains(modifier) else { valid = false; break }
                label += "." + modifier
                j = e
                if modifier == "each" || modifier == "for" || modifier == "runIf" {
                    let p = text.skipSpace(j)
                    if let end = text.templateLiteralEnd(text.skipSpaceInText(j)) {  // it.each`a | b …`
                        j = end
                        continue
                    }
                    guard text[code: p] == Byte.lp, let close = text.matching(p) else { valid = false; break }
                    j = close + 1
                }
            }
            guard valid else { continue }
            let open = text.skipSpace(j)
            guard text[code: open] == Byte.lp, let close = text.matching(open) else { continue }
            let after = text[code: text.skipSpace(close + 1)]
            if after == Byte.lc || after == Byte.colon { continue }  // a method named `test`
            let line = text.line(at: i)
            guard added.contains(line), hasFunctionArgument(text, open: open, close: close) else { continue }
            let asserts = anyIdentifier(in: text, (open + 1)..<close) { a, b, next in
                let word = name(text, a, b)
                let after = text[code: next]
                if isHelperName(text, a, b) && after == Byte.lp { return true }
                if (word == "expect" || word == "assert") && after == Byte.dot { return true }
                return word == "should" && text[code: a - 1] == Byte.dot
            }
            tests.append(FoundTest(name: label, line: line, endLine: text.line(at: close), asserts: asserts))
        }
        return tests
    }

    /// True when the call's arguments, after the first, hold an inline function (`=>` or `function`).
    private static func hasFunctionArgument(_ text: CheckText, open: Int, close: Int) -> Bool {
        var k = open + 1
        var sawComma = false
        while k < close {
            let c = text.code[k]
            if c == Byte.lp || c == Byte.lb || c == Byte.lc, let end = text.matching(k), end < close {
                if sawComma { return hasArrowOrFunction(text, k, end) }
                k = end + 1
                continue
            }
            if c == Byte.comma { sawComma = true }
            if sawComma && (c == Byte.eq && text[code: k + 1] == Byte.gt || text.isWord(k, "function")) { return true }
            k += 1
        }
        return false
    }

    private static func hasArrowOrFunction(_ text: CheckText, _ a: Int, _ b: Int) -> Bool {
        var k = a
        while k < b {
            if text.code[k] == Byte.eq && text[code: k + 1] == Byte.gt { return true }
            if text.isWord(k, "function") { return true }
            k += 1
        }
        // `(…)` is the parameter list of an arrow function when `=>` follows it.
        let next = text.skipSpace(b + 1)
        return text[code: next] == Byte.eq && text[code: next + 1] == Byte.gt
    }

    // MARK: Go

    static func goTests(in text: CheckText, added: Set<Int>) -> [FoundTest] {
        var tests: [FoundTest] = []
        for n in 1...max(text.lineCount, 1) where n <= text.lineCount && added.contains(n) {
            let start = text.range(ofLine: n).lowerBound
            guard text.isWord(start, "func") else { continue }  // top level: `func` at the line start
            let nameStart = text.skipBlank(start + 4)
            guard text.starts(nameStart, "Test") else { continue }  // also rejects methods `func (s *S) Test…`
            let nameEnd = text.identEnd(nameStart)
            if nameEnd > nameStart + 4, Byte.isLower(text.code[nameStart + 4]) { continue }  // `Testify`
            let open = text.skipBlank(nameEnd)
            guard text[code: open] == Byte.lp, let close = text.matching(open) else { continue }
            let parameters = text.codeText(open + 1, close).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parameters.count == 2, parameters[1] == "*testing.T" else { continue }
            let receiver = String(parameters[0])
            guard let bodyOpen = text.bodyOpen(after: close + 1), let bodyClose = text.matching(bodyOpen) else { continue }
            let asserts = anyIdentifier(in: text, (bodyOpen + 1)..<bodyClose) { a, b, next in
                let word = name(text, a, b)
                let after = text[code: next]
                if isHelperName(text, a, b) && after == Byte.lp { return true }
                if (word == "require" || word == "assert") && after == Byte.dot { return true }
                if word == "panic" && after == Byte.lp { return true }
                guard ["Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow", "Skip", "Skipf", "SkipNow"].contains(word), text[code: a - 1] == Byte.dot,
                      let r = text.word(before: a - 1), r.end == a - 1 else { return false }
                let owner = text.codeText(r.start, r.end)
                return owner == receiver || owner == "t" || owner == "tt"
            }
            tests.append(FoundTest(name: text.codeText(nameStart, nameEnd), line: n, endLine: text.line(at: bodyClose),
                                   asserts: asserts))
        }
        return tests
    }
}
