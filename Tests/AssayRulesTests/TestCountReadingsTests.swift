import AssayCore
@testable import AssayRules
import Testing

/// Rust doc tests, as `cargo test` runs them: fenced blocks in `///` and `//!` comments of library
/// files, unless marked with another language.
@Suite struct RustDoctestCounterTests {
    static let cases: [(String, String, Int)] = [
        ("plain fence", "/// ```\n/// assert!(true);\n/// ```\npub fn f() {}\n", 1),
        ("rust attributes", "/// ```rust,no_run\n/// f();\n/// ```\n/// ```should_panic\n/// g();\n/// ```\n", 2),
        ("module docs", "//! ```\n//! use crate::x;\n//! ```\n", 1),
        ("text block", "/// ```text\n/// output\n/// ```\n", 0),
        ("shell and toml", "/// ```sh\n/// cargo run\n/// ```\n/// ```toml\n/// a = 1\n/// ```\n", 0),
        ("plain comment", "// ```\n// not docs\n// ```\n", 0),
        ("four slashes", "//// ```\n//// not docs\n//// ```\n", 0),
        ("fence inside a block", "/// ````\n/// ```\n/// inner\n/// ```\n/// ````\n", 1),
        ("unclosed at end of comment", "/// ```\n/// x\nfn f() {}\n/// ```text\n/// y\n/// ```\n", 1),
    ]

    @Test(arguments: cases)
    func counts(_ name: String, _ source: String, _ expected: Int) {
        #expect(RustDoctestCounter.count(utf8: Array(source.utf8)) == expected, "\(name)")
    }

    @Test func onlyLibraryFilesRunDoctests() {
        #expect(RustDoctestCounter.runsDoctests(path: "crush-core/src/lib.rs"))
        #expect(RustDoctestCounter.runsDoctests(path: "src/plugin/registry.rs"))
        #expect(!RustDoctestCounter.runsDoctests(path: "src/main.rs"))
        #expect(!RustDoctestCounter.runsDoctests(path: "src/bin/tool.rs"))
        #expect(!RustDoctestCounter.runsDoctests(path: "tests/roundtrip.rs"))
        #expect(!RustDoctestCounter.runsDoctests(path: "build.rs"))
    }

    @Test func testCounterReportsDoctestsApart() {
        let source = "/// ```\n/// f();\n/// ```\npub fn f() {}\n#[test]\nfn t() {}\n"
        let counts = TestCounter.count(in: source, path: "src/lib.rs")
        #expect(counts == [TestCount(framework: .rust, count: 1), TestCount(framework: .rustDoctest, count: 1)])
        #expect(TestCounter.count(in: source, path: "tests/it.rs") == [TestCount(framework: .rust, count: 1)])
    }
}

/// A static count that had to guess is marked inexact: it may verify a claim, never contradict one.
@Suite struct TestCountExactnessTests {
    static let cases: [(String, String, String, Bool)] = [
        ("literal parametrize", "tests/test_a.py", "import pytest\n@pytest.mark.parametrize('x', [1, 2])\ndef test_a(x):\n    assert x\n", true),
        ("computed parametrize", "tests/test_a.py", "import pytest\n@pytest.mark.parametrize('x', load())\ndef test_a(x):\n    assert x\n", false),
        ("parametrized fixture", "tests/test_a.py", "import pytest\n@pytest.fixture(params=[1, 2])\ndef n(request):\n    return request.param\ndef test_a(n):\n    assert n\n", false),
        ("generated tests", "tests/test_a.py", "def pytest_generate_tests(metafunc):\n    pass\ndef test_a(x):\n    assert x\n", false),
        ("tests in a for loop", "a.test.ts", "for (const v of vectors) {\n  it(`works ${v}`, () => { expect(v).toBeTruthy() })\n}\n", false),
        ("tests in forEach", "a.test.ts", "cases.forEach((c) => {\n  test(c.name, () => {})\n})\n", false),
        ("plain tests", "a.test.ts", "describe('x', () => {\n  it('a', () => {})\n  it('b', () => {})\n})\n", true),
        ("each over a variable", "a.test.ts", "it.each(rows)('row %s', (r) => {})\n", false),
        ("each over a literal", "a.test.ts", "it.each([1, 2, 3])('row %s', (r) => {})\n", true),
        ("macro-made rust tests", "src/lib.rs", "macro_rules! t { ($n:ident) => { #[test] fn $n() {} } }\nt!(a);\nt!(b);\n", false),
        ("plain rust tests", "src/lib.rs", "#[test]\nfn a() {}\n", true),
        ("swift arguments from a function", "Tests/ATests.swift", "import Testing\n@Test(arguments: cases())\nfunc f(_ x: Int) {}\n", false),
    ]

    @Test(arguments: cases)
    func exactness(_ name: String, _ path: String, _ source: String, _ exact: Bool) {
        #expect(TestCounter.tally(utf8: Array(source.utf8), path: path).exact == exact, "\(name)")
    }
}

/// "N tests" read every plausible way; contradicted only when every exact reading fails.
@Suite struct TestCountReadingsTests {
    func verify(_ text: String, kind: String = "doc", facts: FakeFacts, scope: [String] = []) -> ClaimResult {
        let counts = CountClaimExtractor.counts(in: text, paths: scope)
        let count = counts.first!
        let claim = Claim(kind: .count, text: text, subject: "\(count.value) tests", scope: scope,
                          source: ClaimSource(kind: kind, path: kind == "doc" ? "docs/STATUS.md" : nil, line: 1))
        return ClaimVerifier.verify(ExtractedClaim(claim: claim, abstainReason: nil, count: count), facts: facts)
    }

    static func rustWorkspace() -> FakeFacts {
        var facts = FakeFacts()
        let unit = (1...3).map { "#[test]\nfn t\($0)() {}\n" }.joined()
        facts.files = [
            "core/Cargo.toml": "", "cli/Cargo.toml": "",
            "core/src/lib.rs": "/// ```\n/// x();\n/// ```\npub fn x() {}\n" + unit,  // 3 tests + 1 doc test
            "core/tests/it.rs": "#[test]\nfn a() {}\n#[test]\nfn b() {}\n",          // 2
            "cli/src/main.rs": "#[test]\nfn c() {}\n#[test]\nfn d() {}\n",                  // 2
        ]
        return facts
    }

    @Test func wholeSuiteWithDoctestsVerifies() {
        let r = verify("All 8 tests pass", facts: Self.rustWorkspace())
        #expect(r.verdict == .unverifiable && r.verdictClass == "passing needs execution evidence", "\(r)")
        #expect(r.evidence.first?.contains("the whole suite") == true)
        #expect(verify("All 7 tests written", facts: Self.rustWorkspace()).verdict == .verified)
    }

    @Test func onePackageReadingVerifies() {
        let r = verify("All 6 tests written (3 unit + 2 integration + 1 doc)", facts: Self.rustWorkspace())
        #expect(r.verdict == .verified, "\(r)")
        #expect(r.evidence.first?.contains("core/") == true)
    }

    @Test func wholeClaimThatNoReadingGivesIsContradicted() {
        let r = verify("Total Tests: 11", facts: Self.rustWorkspace())
        #expect(r.verdict == .contradicted, "\(r)")
        #expect(r.verdictClass == "count-mismatch")
        #expect(r.evidence.contains("counted 8 in the whole suite at 0123456789ab"))
    }

    @Test func aClaimThatDoesNotSayWholeIsNotContradicted() {
        let r = verify("11 tests written", facts: Self.rustWorkspace())
        #expect(r.verdict == .unverifiable, "\(r)")
    }

    @Test func aLowerBoundFailsOnlyBelowIt() {
        #expect(verify("Total Tests | 5+", facts: Self.rustWorkspace()).verdict == .verified)
        #expect(verify("Total Tests | 40+", facts: Self.rustWorkspace()).verdict == .contradicted)
    }

    @Test func testsAssayCannotCountBlockAContradiction() {
        var facts = Self.rustWorkspace()
        facts.files["java/src/test/java/AppTest.java"] = "class AppTest {}"
        let r = verify("Total Tests: 11", facts: facts)
        #expect(r.verdict == .unverifiable, "\(r)")
        #expect(r.evidence.last?.contains("AppTest.java") == true)
    }

    @Test func anInexactCountBlocksAContradiction() {
        var facts = Self.rustWorkspace()
        facts.files["web/a.test.ts"] = "for (const v of vs) {\n  it('x', () => {})\n}\n"
        #expect(verify("Total Tests: 40", facts: facts).verdict == .unverifiable)
    }

    @Test func aNamedFileDecides() {
        var facts = FakeFacts()
        facts.files = ["tests/test_x.py": "def test_a():\n    pass\ndef test_b():\n    pass\n",
                       "tests/test_y.py": "def test_c():\n    pass\n"]
        #expect(verify("`tests/test_x.py` (2 tests)", facts: facts, scope: ["tests/test_x.py"]).verdict == .verified)
        let r = verify("`tests/test_x.py` (3 tests)", facts: facts, scope: ["tests/test_x.py"])
        #expect(r.verdict == .contradicted, "\(r)")
        // The whole suite has 3, but the claim names the file: no other reading rescues it.
        #expect(r.evidence.first == "counted 2 in tests/test_x.py at 0123456789ab")
    }

    @Test func aRangeHoldsInside() {
        var facts = FakeFacts()
        facts.files = ["pkg/a_test.go": (1...6).map { "func TestA\($0)(t *testing.T) {\n}\n" }.joined()]
        #expect(verify("Write unit tests in pkg/a_test.go (5-8 table-driven tests)", facts: facts, scope: ["pkg/a_test.go"]).verdict == .verified)
        #expect(verify("Write unit tests in pkg/a_test.go (7-9 table-driven tests)", facts: facts, scope: ["pkg/a_test.go"]).verdict == .contradicted)
    }

    @Test func addedTestsAreCountedAgainstTheParent() {
        struct WithParent: RepositoryFacts {
            var base: FakeFacts
            var parent: [String: String]
            var sha: String { base.sha }
            func kind(of path: String) -> PathKind? { base.kind(of: path) }
            func contents(of path: String) -> [UInt8]? { base.contents(of: path) }
            func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)? { nil }
            func isIgnored(_ path: String) -> Bool { false }
            func files(under path: String) -> [String] { base.files(under: path) }
            var changedFiles: [String] { base.changedFiles }
            func commit(named id: String) -> (sha: String, subject: String)? { nil }
            var isShallow: Bool { false }
            func definition(of name: String) -> String? { nil }
            func testsAtParent(in path: String) -> FileTests? {
                parent[path].map { FileTests.scan(Array($0.utf8), path: path) } ?? FileTests.none
            }
        }
        var base = FakeFacts()
        base.files = ["src/lib.rs": (1...5).map { "#[test]\nfn t\($0)() {}\n" }.joined()]
        base.changedFiles = ["src/lib.rs"]
        let facts = WithParent(base: base, parent: ["src/lib.rs": "#[test]\nfn t1() {}\n"])
        let count = CountClaimExtractor.counts(in: "Added 4 tests", paths: []).first!
        #expect(count.added)
        let claim = Claim(kind: .count, text: "Added 4 tests", subject: "4 tests", source: ClaimSource(kind: "commit", line: 1))
        let r = ClaimVerifier.verify(ExtractedClaim(claim: claim, abstainReason: nil, count: count), facts: facts)
        #expect(r.verdict == .verified, "\(r)")
        #expect(r.evidence.first?.contains("added: 1 → 5") == true)
    }
}

/// Paths written without backticks.
@Suite struct BarePathExtractorTests {
    static let cases: [(String, [String])] = [
        ("- [X] T004 [P] Create cmd/autospec/main.go entry point with basic structure", ["cmd/autospec/main.go"]),
        ("Create test fixtures directory at crush-core/tests/fixtures/", ["crush-core/tests/fixtures/"]),
        ("**COVERAGE.md** - Code coverage analysis", ["COVERAGE.md"]),
        ("Use Next.js 14, node.js and e.g. v1.2.3", []),
        ("see https://example.com/a/b.js for details", []),
        ("Create .gitignore for Go project (bin/, *.exe, go.sum initially)", ["bin/"]),
        ("`src/x.ts` is backticked; src/y.ts is not.", ["src/y.ts"]),
    ]

    @Test(arguments: cases)
    func paths(_ text: String, _ expected: [String]) {
        #expect(BarePathExtractor.paths(in: text) == expected, "\(text)")
    }

    @Test func onlyAFileBelowAFolderIsStrong() {
        #expect(BarePathExtractor.isStrong("src/models/user.py"))
        #expect(!BarePathExtractor.isStrong("user.py"))
        #expect(!BarePathExtractor.isStrong("bin/"))
    }
}

/// The phrasings agents write counts in, and what each states.
@Suite struct CountPhrasingTests {
    /// text → value, and flags: w(hole), a(dded), +(at least), ~(approximate), r(ange upper end).
    static let cases: [(String, String)] = [
        ("All 74 tests pass (61 unit + 13 doc)", "74 w"),
        ("96/103 tests passing (93%)", "103 w"),
        ("- **Test Results**: 183/183 PASSING (100% success rate)", "183 w"),
        ("- **Test Success Rate**: 188/188 (100%)", "188 w"),
        ("Total Tests | 530+ | ✅ 100% passing", "530 w+"),
        ("- **Total Tests Written:** 197", "197 w"),
        ("151 total Go tests; `go vet ./...` clean", "151 w"),
        ("Write unit tests in a_test.go (5-8 table-driven tests)", "5 r8"),
        ("Added 7 tests for the parser", "7 a"),
        ("+2 tests", "2 a"),
        ("2 tests added.", "2 a"),
        ("30+ aggregation tests (sync + async)", "30 +"),
        ("about 40 tests", "40 ~"),
        ("19 transaction tests (10 sync + 9 async)", "19"),
        ("Phase 4 Part 1 reference tests (20 tests)", "20"),
        ("7 test suites for version comparison", ""),
        ("Created 3 test files", ""),
        ("1 of the tests is flaky", ""),
    ]

    @Test(arguments: cases)
    func phrasing(_ text: String, _ expected: String) {
        let counts = CountClaimExtractor.counts(in: text, paths: []).filter { if case .tests = $0.counted { true } else { false } }
        let got = counts.first.map { c in
            var flags = ""
            if c.whole { flags += "w" }
            if c.added { flags += "a" }
            if c.atLeast { flags += "+" }
            if c.approximate { flags += "~" }
            if let up = c.upTo { flags += "r\(up)" }
            return flags.isEmpty ? "\(c.value)" : "\(c.value) \(flags)"
        } ?? ""
        #expect(got == expected, "\(text)")
    }
}

@Suite struct CountPartsTests {
    @Test func thePartsOfASumAreNotCountsOfTheirOwn() {
        let counts = CountClaimExtractor.counts(in: "All 32 tests passing (17 unit + 9 integration + 6 doc tests)", paths: [])
        #expect(counts.count == 1)
        #expect(counts.first?.value == 32 && counts.first?.parts == [17, 9, 6])
    }
}
