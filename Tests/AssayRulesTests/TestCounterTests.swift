@testable import AssayRules
import Testing

/// Tests `framework` counts in `source` when it is the file at `path`.
private func tests(_ source: String, _ path: String, _ framework: TestFramework) -> Int {
    TestCounter.count(in: source, path: path).first { $0.framework == framework }?.count ?? 0
}

@Suite struct TestCounterTests {
    // MARK: Paths

    @Test(arguments: [
        ("Tests/AppTests/ParserTests.swift", [TestFramework.swiftTesting, .xctest]),
        ("Sources/App/main.swift", [.swiftTesting, .xctest]),
        ("Package.swift", []),
        ("src/lib.rs", [.rust]),
        ("tests/integration.rs", [.rust]),
        ("test_models.py", [.pytest]),
        ("pkg/models_test.py", [.pytest]),
        ("tests/unit/helpers.py", [.pytest]),
        ("tests/conftest.py", []),
        ("src/models.py", []),
        ("src/filter.test.ts", [.jest]),
        ("web/App.spec.tsx", [.jest]),
        ("lib/util.test.mjs", [.jest]),
        ("src/__tests__/overlay.js", [.jest]),
        ("src/types.d.ts", []),
        ("src/filter.ts", []),
        ("internal/store/store_test.go", [.go]),
        ("internal/store/store.go", []),
        ("README.md", []),
        ("Makefile", []),
    ])
    func frameworksForPath(_ path: String, _ expected: [TestFramework]) {
        #expect(TestCounter.frameworks(forPath: path) == expected, "\(path)")
    }

    // MARK: Swift Testing

    @Test(arguments: [
        ("@Test func parses() {}", 1),
        ("@Test(\"Parses a claim\") func parses() async throws {}", 1),
        ("@Suite struct S {\n    @Test func a() {}\n    @Test func b() {}\n}", 2),
        ("@Test(arguments: [1, 2, 3]) func f(_ x: Int) {}", 3),
        ("@Test(arguments: [\"a\", \"b\"], [1, 2]) func f(_ s: String, _ n: Int) {}", 4),
        ("@Test(arguments: zip([\"a\", \"b\", \"c\"], [1, 2, 3])) func f(_ s: String, _ n: Int) {}", 3),
        ("@Test(.tags(.slow), arguments: 0..<5) func f(_ i: Int) {}", 5),
        ("@Test(arguments: 1...4) func f(_ i: Int) {}", 4),
        ("@Test(arguments: Fixture.allCases) func f(_ x: Fixture) {}", 1),
        ("@Test(arguments: values) func f(_ x: Int) {}", 1),
        ("""
        @Test(arguments: [
            ("src/a.ts", "deleted"),
            ("src/b.ts", "renamed"),   // a comment, with a comma
            ("x, y", "gitignored"),
        ])
        func classifies(_ path: String, _ cls: String) {}
        """, 3),
        ("@Test(arguments: [Set<Int>(), Dictionary<String, Int>()]) func f(_ x: Any) {}", 2),
        ("@Test(arguments: [\"a, b\", \"c\"]) func f(_ s: String) {}", 2),
        ("@Test @MainActor func onMain() {}", 1),
        ("@Test static func onType() {}", 1),
        ("@Test private func hidden() {}", 1),
        ("// @Test func commented() {}", 0),
        ("/* @Test func a() {}\n   @Test func b() {} */", 0),
        ("let s = \"@Test func inString() {}\"", 0),
        ("let s = \"\"\"\n@Test func inMultiline() {}\n\"\"\"", 0),
        ("let s = #\"@Test func \"raw\" \"#", 0),
        ("@Test struct NotAFunc {}", 0),
        ("@Testable func f() {}", 0),
    ])
    func swiftTesting(_ source: String, _ expected: Int) {
        #expect(tests(source, "Tests/T/T.swift", .swiftTesting) == expected, "\(source)")
    }

    // MARK: XCTest

    @Test(arguments: [
        ("import XCTest\nfinal class T: XCTestCase {\n    func testA() {}\n    func testB() throws {}\n}", 2),
        ("@testable import App\nimport XCTest\nclass T: XCTestCase {\n    func testAsync() async throws {}\n}", 1),
        ("import XCTest\nclass T: XCTestCase {\n    func testX(arg: Int) {}\n}", 0),
        ("import XCTest\nclass T: XCTestCase {\n    func helper() {}\n    func setUp() {}\n}", 0),
        ("import XCTest\nclass T: XCTestCase {\n    func testValue() -> Int { 1 }\n}", 0),
        ("import XCTest\nclass T: XCTestCase {\n    static func testFactory() {}\n    class func testAlso() {}\n}", 0),
        ("import XCTest\nclass T: XCTestCase {\n    // func testCommented() {}\n    override func testOverride() {}\n}", 1),
        ("import XCTest\nlet s = \"func testInString() {}\"", 0),
        ("class T {\n    func testWithoutImport() {}\n}", 0),
        ("import XCTest\nimport Testing\n@Test func testLooksLikeXCTest() {}", 0),
    ])
    func xctest(_ source: String, _ expected: Int) {
        #expect(tests(source, "Tests/T/T.swift", .xctest) == expected, "\(source)")
    }

    @Test func swiftFileWithBothFrameworksReportsEach() {
        let source = """
        import Testing
        import XCTest
        @Test func a() {}
        @Test(arguments: [1, 2]) func b(_ x: Int) {}
        final class Legacy: XCTestCase { func testOld() {} }
        """
        #expect(TestCounter.count(in: source, path: "Tests/X/Mixed.swift")
            == [TestCount(framework: .swiftTesting, count: 3), TestCount(framework: .xctest, count: 1)])
    }

    // MARK: Rust

    @Test(arguments: [
        ("#[test]\nfn adds() {}", 1),
        ("#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn a() {}\n    #[test]\n    #[ignore]\n    fn b() {}\n}", 2),
        ("#[tokio::test]\nasync fn a() {}", 1),
        ("#[tokio::test(flavor = \"multi_thread\", worker_threads = 2)]\nasync fn a() {}", 1),
        ("#[async_std::test]\nasync fn a() {}", 1),
        ("#[test]\n#[should_panic(expected = \"boom\")]\npub(crate) fn panics() {}", 1),
        ("#[rstest]\n#[case(1, 2)]\n#[case(3, 4)]\n#[case::zero(0, 0)]\nfn sums(#[case] a: u32, #[case] b: u32) {}", 3),
        ("#[rstest]\nfn with_fixture(fixture: u32) {}", 1),
        ("#[rstest]\nfn grid(#[values(1, 2, 3)] a: u32, #[values(\"x\", \"y\")] b: &str) {}", 6),
        ("#[test_case(1 ; \"one\")]\n#[test_case(2 ; \"two\")]\nfn cases(x: u32) {}", 2),
        ("// #[test]\n// fn commented() {}", 0),
        ("/* #[test] fn a() {} /* nested */ #[test] fn b() {} */", 0),
        ("const S: &str = \"#[test] fn in_string() {}\";", 0),
        ("const S: &str = r#\"#[test] fn \"raw\" in_string() {}\"#;", 0),
        ("fn f<'a>(x: &'a str) -> char { '#' }\n#[test]\nfn after_lifetimes() {}", 1),
        ("#[derive(Debug)]\nstruct NotATest;\n#[inline]\nfn helper() {}", 0),
        ("#[cfg(test)]\n#[test]\nfn gated() {}", 1),
    ])
    func rust(_ source: String, _ expected: Int) {
        #expect(tests(source, "src/lib.rs", .rust) == expected, "\(source)")
    }

    // MARK: pytest

    @Test(arguments: [
        ("def test_a():\n    assert True\n\ndef test_b():\n    pass\n", 2),
        ("async def test_async():\n    pass\n", 1),
        ("def helper():\n    pass\n", 0),
        ("class TestModel:\n    def test_a(self):\n        pass\n    def helper(self):\n        pass\n    def test_b(self):\n        pass\n", 2),
        ("class Model:\n    def test_not_collected(self):\n        pass\n", 0),
        ("import unittest\nclass ModelTests(unittest.TestCase):\n    def test_x(self):\n        pass\n", 1),
        ("def outer():\n    def test_nested():\n        pass\n\ndef test_after():\n    pass\n", 1),
        ("import pytest\n@pytest.mark.parametrize(\"x\", [1, 2, 3])\ndef test_p(x):\n    pass\n", 3),
        ("@pytest.mark.parametrize(\"x\", [1, 2])\n@pytest.mark.parametrize(\"y\", [\"a\", \"b\", \"c\"])\ndef test_grid(x, y):\n    pass\n", 6),
        ("""
        @pytest.mark.parametrize(
            "a,b",
            [
                (1, 2),  # first
                (3, 4),
                pytest.param(5, 6, id="third"),
            ],
        )
        def test_pairs(a, b):
            pass
        """, 3),
        ("@pytest.mark.parametrize(\"x\", CASES)\ndef test_var(x):\n    pass\n", 1),
        ("@pytest.mark.parametrize(\"x\", range(4))\ndef test_range(x):\n    pass\n", 4),
        ("@pytest.mark.parametrize(\"axis\", range(-3, 3))\ndef test_axes(axis):\n    pass\n", 6),
        ("@pytest.mark.parametrize(\"n\", range(30, 180, 10))\ndef test_step(n):\n    pass\n", 15),
        ("@pytest.mark.parametrize(\"f\", [lambda x, y: x + y, lambda x, y=(1, 2): x])\ndef test_lambdas(f):\n    pass\n", 2),
        ("@pytest.mark.parametrize(\"it\", ((i for i in range(3)), iter([1, 2])))\ndef test_generator_element(it):\n    pass\n", 2),
        ("@pytest.mark.parametrize(\"x\", [i for i in range(3)])\ndef test_comprehension(x):\n    pass\n", 1),
        ("@pytest.mark.parametrize(argnames=\"x\", argvalues=[1, 2])\ndef test_kw(x):\n    pass\n", 2),
        ("@pytest.mark.parametrize(\"x\", [\"a,b\", \"c\"])\ndef test_comma_in_string(x):\n    pass\n", 2),
        ("@pytest.mark.parametrize(\"x\", [1, 2])\nclass TestGroup:\n    def test_a(self, x):\n        pass\n    def test_b(self, x):\n        pass\n", 4),
        ("@pytest.fixture\ndef test_data():\n    return 1\n", 0),
        ("# def test_commented():\n#     pass\n", 0),
        ("DOC = \"\"\"\ndef test_in_docstring():\n    pass\n\"\"\"\n", 0),
        ("x = 'def test_in_string(): pass'\n", 0),
        ("class TestA:\n    s = \"\"\"\ntext at column zero\n\"\"\"\n    def test_after_string(self):\n        pass\n", 1),
    ])
    func pytest(_ source: String, _ expected: Int) {
        #expect(tests(source, "tests/test_x.py", .pytest) == expected, "\(source)")
    }

    // MARK: Jest / Vitest

    @Test(arguments: [
        ("it('works', () => {});\ntest('also works', () => {});", 2),
        ("describe('suite', () => {\n  it('a', () => {});\n  describe('inner', () => {\n    test('b', async () => {});\n  });\n});", 2),
        ("it.only('a', () => {}); test.concurrent('b', async () => {}); test.concurrent.only('c', () => {});", 3),
        ("fit('focused', () => {});", 1),
        ("it.skip('a', () => {}); test.todo('b'); xit('c', () => {}); xtest('d', () => {});", 0),
        ("describe.skip('off', () => {\n  it('a', () => {});\n  it('b', () => {});\n});\nit('on', () => {});", 1),
        ("xdescribe('off', () => { it('a', () => {}); });", 0),
        ("it.each([1, 2, 3])('adds %i', (n) => {});", 3),
        ("test.each([\n  [1, 1, 2],\n  [1, 2, 3],\n])('add(%i, %i) -> %i', (a, b, expected) => {});", 2),
        ("test.each(cases)('case %s', (c) => {});", 1),
        ("test.each([...base, extra])('case %s', (c) => {});", 1),
        ("test.each`\n  a    | b    | expected\n  ${1} | ${1} | ${2}\n  ${2} | ${1} | ${3}\n`('returns $expected', ({a, b, expected}) => {});", 2),
        ("describe.each([['a'], ['b']])('%s', (x) => {\n  it('one', () => {});\n  it('two', () => {});\n});", 4),
        ("it.skip.each([1, 2])('skipped %i', () => {});", 0),
        ("// it('commented', () => {});\n/* test('block', () => {}); */", 0),
        ("const s = \"it('in a string', () => {})\";\nconst t = `test('in a template', () => {})`;", 0),
        ("const ok = /it\\(/.test(line);\nif (regex.test(x)) {}", 0),
        ("class Fixture {\n  test(name) {\n    return name;\n  }\n  it() {}\n}", 0),
        ("function test(name, fn) {}\nasync function it(x) {}", 0),
        ("test.describe('pw', () => {\n  test('a', async ({ page }) => {\n    await test.step('s', async () => {});\n  });\n});\ntest.beforeEach(async () => {});", 1),
        ("const msg = `value: ${items.map(i => `${i}`).join(', ')}`;\nit('after nested template', () => {});", 1),
    ])
    func jest(_ source: String, _ expected: Int) {
        #expect(tests(source, "src/x.test.ts", .jest) == expected, "\(source)")
    }

    // MARK: Go

    @Test(arguments: [
        ("package x\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n}\n\nfunc TestSub(t *testing.T) {}\n", 2),
        ("func Test(t *testing.T) {}", 1),
        ("func Test_parse(t *testing.T) {}\nfunc Test2(t *testing.T) {}", 2),
        ("func TestSubtests(t *testing.T) {\n\tt.Run(\"a\", func(t *testing.T) {})\n\tt.Run(\"b\", func(t *testing.T) {})\n}", 1),
        ("func TestMain(m *testing.M) { os.Exit(m.Run()) }", 0),
        ("func Testify() {}", 0),
        ("func TestHelper(t *testing.T, x int) {}", 0),
        ("func BenchmarkAdd(b *testing.B) {}\nfunc ExampleAdd() {}\nfunc FuzzAdd(f *testing.F) {}", 0),
        ("func (s *Suite) TestMethod(t *testing.T) {}", 0),
        ("// func TestCommented(t *testing.T) {}\n/*\nfunc TestBlock(t *testing.T) {}\n*/", 0),
        ("var src = `\nfunc TestInRawString(t *testing.T) {}\n`", 0),
    ])
    func go(_ source: String, _ expected: Int) {
        #expect(tests(source, "pkg/x_test.go", .go) == expected, "\(source)")
    }

    // MARK: Whole results

    @Test func noEntriesForZeroCountsOrNonTestFiles() {
        #expect(TestCounter.count(in: "fn main() {}", path: "src/main.rs").isEmpty)
        #expect(TestCounter.count(in: "it('a', () => {})", path: "src/a.ts").isEmpty)
        #expect(TestCounter.count(in: "def test_a(): pass", path: "src/a.py").isEmpty)
        #expect(TestCounter.count(in: "@Test func a() {}", path: "Tests/A.swift") == [TestCount(framework: .swiftTesting, count: 1)])
    }

    @Test func bytesAndStringAgree() {
        let source = "#[test]\nfn a() {}\n#[rstest]\n#[case(1)]\n#[case(2)]\nfn b(#[case] x: u32) {}\n"
        #expect(TestCounter.count(utf8: Array(source.utf8), path: "src/lib.rs") == TestCounter.count(in: source, path: "src/lib.rs"))
        #expect(TestCounter.count(in: source, path: "src/lib.rs") == [TestCount(framework: .rust, count: 3)])
    }

    @Test func unterminatedConstructsDoNotCrash() {
        for path in ["a.swift", "a.rs", "tests/test_a.py", "a.test.ts", "a_test.go"] {
            for source in ["\"", "/*", "'", "`${", "#\"", "r#\"", "@Test(", "#[", "it.each([1,", "\"\"\"", "@pytest.mark.parametrize(", "func Test("] {
                _ = TestCounter.count(in: source, path: path)
            }
        }
    }
}
