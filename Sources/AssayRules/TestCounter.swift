import Foundation

/// A test framework whose tests can be counted statically.
public enum TestFramework: String, Sendable, CaseIterable {
    case swiftTesting = "swift-testing", xctest, rust, pytest, jest, go
}

/// How many tests one framework defines in one file.
public struct TestCount: Hashable, Sendable {
    public var framework: TestFramework
    public var count: Int

    public init(framework: TestFramework, count: Int) {
        self.framework = framework
        self.count = count
    }
}

/// Counts the tests a file defines, statically: one test = one test case a runner would report.
///
/// Each file is first scanned once by a small state machine that blanks comments and string contents
/// (keeping delimiters and byte offsets), then a per-framework matcher walks the blanked bytes.
/// Precision first: when an argument collection cannot be counted, a parameterized test counts 1.
public enum TestCounter {
    /// The frameworks whose tests a file at `path` can hold, judged by its name and extension
    /// (`*.swift` → swiftTesting + xctest; `*.rs` → rust; `test_*.py`/`*_test.py`/`.py` files under a
    /// `tests/` dir → pytest; `*.test.*`/`*.spec.*` JS/TS files and files under `__tests__/` → jest
    /// (also vitest, mocha, playwright); `*_test.go` → go). Empty when the file cannot hold tests.
    public static func frameworks(forPath path: String) -> [TestFramework] {
        let components = path.split(separator: "/")
        guard let last = components.last else { return [] }
        let name = String(last)
        let directories = components.dropLast()
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return [] }
        let ext = name[name.index(after: dot)...].lowercased()
        let stem = name[..<dot]
        switch ext {
        case "swift":
            return name == "Package.swift" ? [] : [.swiftTesting, .xctest]
        case "rs":
            return [.rust]
        case "go":
            return stem.hasSuffix("_test") ? [.go] : []
        case "py":
            if name == "conftest.py" || name == "__init__.py" { return [] }
            if stem.hasPrefix("test_") || stem.hasSuffix("_test") || directories.contains("tests") { return [.pytest] }
            return []
        case "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts":
            if stem.hasSuffix(".d") { return [] }  // declaration files
            if stem.hasSuffix(".test") || stem.hasSuffix(".spec") || directories.contains("__tests__") { return [.jest] }
            return []
        default:
            return []
        }
    }

    /// Tests defined in one file's source, per framework that has any (no entries with count 0),
    /// in `TestFramework.allCases` order.
    public static func count(in source: String, path: String) -> [TestCount] {
        count(utf8: Array(source.utf8), path: path)
    }

    /// `count(in:path:)` over the file's bytes (UTF-8), without decoding them to a `String` first.
    public static func count(utf8 bytes: [UInt8], path: String) -> [TestCount] {
        let frameworks = frameworks(forPath: path)
        guard !frameworks.isEmpty else { return [] }
        var result: [TestCount] = []
        func add(_ framework: TestFramework, _ n: Int) {
            if n > 0 { result.append(TestCount(framework: framework, count: n)) }
        }
        if frameworks.contains(.swiftTesting) || frameworks.contains(.xctest) {
            let code = Code(blankCommentsAndStrings(bytes, .swift))
            var attributed = Set<Int>()
            add(.swiftTesting, swiftTestingCount(code, attributedFuncs: &attributed))
            add(.xctest, xctestCount(code, excluding: attributed))
        }
        if frameworks.contains(.rust) { add(.rust, rustCount(Code(blankCommentsAndStrings(bytes, .rust)))) }
        if frameworks.contains(.pytest) { add(.pytest, pytestCount(Code(blankCommentsAndStrings(bytes, .python)))) }
        if frameworks.contains(.jest) { add(.jest, jestCount(Code(blankCommentsAndStrings(bytes, .js)), original: bytes)) }
        if frameworks.contains(.go) { add(.go, goCount(Code(blankCommentsAndStrings(bytes, .go)))) }
        return result
    }
}

// MARK: - Swift Testing and XCTest

extension TestCounter {
    private static let swiftModifiers: Set<String> = [
        "private", "fileprivate", "internal", "public", "package", "open", "static", "class", "final",
        "nonisolated", "mutating", "override", "dynamic", "required", "convenience", "distributed",
    ]

    /// `@Test` attributes on a func; `arguments:` collections that are literals multiply.
    fileprivate static func swiftTestingCount(_ c: Code, attributedFuncs: inout Set<Int>) -> Int {
        var total = 0
        var i = 0
        while i < c.n {
            guard c.b[i] == Byte.at else { i += 1; continue }
            var k = i + 1
            if c.starts(k, "Testing."), c.isWord(k + 8, "Test") { k += 8 }
            guard c.isWord(k, "Test") else { i += 1; continue }
            var j = k + 4
            var arguments: Range<Int>?
            let p = c.skipSpace(j)
            if c[p] == Byte.lp {
                guard let close = c.matching(p) else { break }
                arguments = (p + 1)..<close
                j = close + 1
            }
            if let funcAt = swiftDeclarationKeyword(c, after: j), c.isWord(funcAt, "func") {
                total = add(total, swiftTestCases(c, arguments: arguments))
                attributedFuncs.insert(funcAt)
            }
            i = j
        }
        return total
    }

    /// The keyword that starts the declaration after attributes and modifiers at `j`.
    private static func swiftDeclarationKeyword(_ c: Code, after start: Int) -> Int? {
        var j = start
        while true {
            let k = c.skipSpace(j)
            if c[k] == Byte.at {
                var e = k + 1
                while Byte.isIdent(c[e]) || c[e] == Byte.dot { e += 1 }
                if e == k + 1 { return nil }
                if c[e] == Byte.lp {
                    guard let close = c.matching(e) else { return nil }
                    e = close + 1
                }
                j = e
                continue
            }
            guard isIdentStart(c[k]) else { return nil }
            let e = c.identEnd(k)
            let word = c.text(k..<e)
            if word == "func" { return k }
            guard swiftModifiers.contains(word) else { return nil }
            j = e
            if c[j] == Byte.lp, let close = c.matching(j) { j = close + 1 }  // private(set), nonisolated(unsafe)
        }
    }

    /// Test cases of one `@Test(...)`: the product of its `arguments:` collections when all are countable, else 1.
    private static func swiftTestCases(_ c: Code, arguments: Range<Int>?) -> Int {
        guard let arguments else { return 1 }
        let parts = c.split(arguments, generics: true)
        guard let index = parts.firstIndex(where: { c.label(of: $0)?.name == "arguments" }),
              let first = c.label(of: parts[index]) else { return 1 }
        var collections = [first.rest]
        for part in parts[(index + 1)...] {
            if c.label(of: part) != nil { break }
            collections.append(part)
        }
        var product = 1
        for collection in collections {
            guard let n = swiftCollectionCount(c, collection) else { return 1 }
            product = multiply(product, n)
        }
        return max(product, 1)
    }

    /// Elements of an array or dictionary literal, a simple integer range, or `zip` of two of those.
    private static func swiftCollectionCount(_ c: Code, _ range: Range<Int>) -> Int? {
        let r = c.trim(range)
        guard !r.isEmpty else { return nil }
        let last = r.upperBound - 1
        if c[r.lowerBound] == Byte.lb, c.matching(r.lowerBound) == last {
            let inner = c.trim((r.lowerBound + 1)..<last)
            if inner.isEmpty || (inner.count == 1 && c[inner.lowerBound] == Byte.colon) { return 0 }
            return c.split(inner, generics: true).count
        }
        if c[r.lowerBound] == Byte.lp, c.matching(r.lowerBound) == last {
            return swiftCollectionCount(c, (r.lowerBound + 1)..<last)
        }
        if c.isWord(r.lowerBound, "zip") {
            let p = c.skipSpace(r.lowerBound + 3)
            guard c[p] == Byte.lp, c.matching(p) == last else { return nil }
            let parts = c.split((p + 1)..<last, generics: true)
            guard parts.count == 2, let a = swiftCollectionCount(c, parts[0]),
                  let b = swiftCollectionCount(c, parts[1]) else { return nil }
            return min(a, b)
        }
        return c.integerRange(r)
    }

    /// XCTest: `func test…()` without parameters in a file that imports XCTest, not `static`/`class`,
    /// not returning a value, and not a Swift Testing `@Test` func.
    fileprivate static func xctestCount(_ c: Code, excluding attributed: Set<Int>) -> Int {
        guard importsXCTest(c) else { return 0 }
        var total = 0
        var i = 0
        while let at = c.nextWord("func", from: i) {
            i = at + 4
            if attributed.contains(at) { continue }
            let nameStart = c.skipSpace(at + 4)
            let nameEnd = c.identEnd(nameStart)
            guard c.starts(nameStart, "test"), nameEnd > nameStart else { continue }
            let open = c.skipSpace(nameEnd)
            guard c[open] == Byte.lp else { continue }  // generic test funcs are not run
            let close = c.skipSpace(open + 1)
            guard c[close] == Byte.rp else { continue }
            guard returnsVoid(c, after: close + 1), !isTypeMember(c, before: at) else { continue }
            total += 1
        }
        return total
    }

    private static func importsXCTest(_ c: Code) -> Bool {
        var i = 0
        while let at = c.nextWord("import", from: i) {
            i = at + 6
            if c.isWord(c.skipSpace(at + 6), "XCTest") { return true }
        }
        return false
    }

    private static func returnsVoid(_ c: Code, after start: Int) -> Bool {
        var k = c.skipSpace(start)
        while true {
            if c.isWord(k, "async") { k = c.skipSpace(k + 5); continue }
            if c.isWord(k, "throws") {
                k += 6
                if c[k] == Byte.lp, let close = c.matching(k) { k = close + 1 }
                k = c.skipSpace(k)
                continue
            }
            if c.isWord(k, "rethrows") { k = c.skipSpace(k + 8); continue }
            break
        }
        guard c[k] == Byte.minus, c[k + 1] == Byte.gt else { return true }
        let t = c.skipSpace(k + 2)
        if c.isWord(t, "Void") { return true }
        return c[t] == Byte.lp && c[c.skipSpace(t + 1)] == Byte.rp
    }

    /// True when the modifiers before `func` include `static` or `class` (type methods are not tests).
    private static func isTypeMember(_ c: Code, before funcAt: Int) -> Bool {
        var k = funcAt
        for _ in 0..<4 {
            guard let word = c.word(endingBefore: k) else { return false }
            if word.text == "static" || word.text == "class" { return true }
            guard swiftModifiers.contains(word.text) else { return false }
            k = word.start
        }
        return false
    }
}

// MARK: - Rust

extension TestCounter {
    private enum RustAttribute { case test, rstest, testCase, rstestCase, other }

    /// `#[test]`-like attributes (`#[tokio::test]`, `#[async_std::test(...)]`, `#[wasm_bindgen_test]`) count 1;
    /// `#[rstest]` counts its `#[case(...)]`s (1 without) times its `#[values(...)]` parameters;
    /// `#[test_case(...)]` counts 1 each.
    fileprivate static func rustCount(_ c: Code) -> Int {
        var total = 0
        var pending: [RustAttribute] = []
        var i = 0
        while i < c.n {
            guard c.b[i] == Byte.hash else { i += 1; continue }
            let open = c.skipSpace(i + 1)
            guard c[open] == Byte.lb, let close = c.matching(open) else { i += 1; continue }
            pending.append(rustAttribute(c, (open + 1)..<close))
            i = close + 1
            let next = c.skipSpace(i)
            if c[next] == Byte.hash, c[c.skipSpace(next + 1)] == Byte.lb { continue }
            if let fnAt = rustFnKeyword(c, from: next) { total = add(total, resolveRust(c, pending, fnAt: fnAt)) }
            pending.removeAll()
        }
        return total
    }

    private static func rustAttribute(_ c: Code, _ range: Range<Int>) -> RustAttribute {
        var path = ""
        var k = c.skipSpace(range.lowerBound)
        while k < range.upperBound {
            if Byte.isIdent(c[k]) {
                let e = c.identEnd(k)
                path += c.text(k..<e)
                k = e
            } else if c[k] == Byte.colon, c[k + 1] == Byte.colon {
                path += "::"
                k += 2
            } else if c[k] == Byte.sp || c[k] == Byte.tab {
                k += 1
            } else {
                break
            }
        }
        let hasArguments = c[k] == Byte.lp
        if path == "rstest" || path.hasSuffix("::rstest") { return .rstest }
        if (path == "case" || path.hasPrefix("case::")) && hasArguments { return .rstestCase }
        if path == "test_case" || path == "test_case::test_case" { return .testCase }
        if path == "test" || path.hasSuffix("::test") || path == "wasm_bindgen_test" { return .test }
        return .other
    }

    /// The `fn` keyword after qualifiers (`pub(crate) async unsafe extern "C"`) at `start`, if the item is a fn.
    private static func rustFnKeyword(_ c: Code, from start: Int) -> Int? {
        var k = c.skipSpace(start)
        for _ in 0..<8 {
            guard isIdentStart(c[k]) else { return nil }
            let e = c.identEnd(k)
            switch c.text(k..<e) {
            case "fn":
                return k
            case "pub":
                var j = c.skipSpace(e)
                if c[j] == Byte.lp, let close = c.matching(j) { j = close + 1 }
                k = c.skipSpace(j)
            case "async", "unsafe", "const", "default":
                k = c.skipSpace(e)
            case "extern":
                var j = c.skipSpace(e)
                if c[j] == Byte.dq {
                    j += 1
                    while j < c.n && c.b[j] != Byte.dq { j += 1 }
                    j += 1
                }
                k = c.skipSpace(j)
            default:
                return nil
            }
        }
        return nil
    }

    private static func resolveRust(_ c: Code, _ attributes: [RustAttribute], fnAt: Int) -> Int {
        if attributes.contains(where: { if case .rstest = $0 { true } else { false } }) {
            let cases = attributes.filter { if case .rstestCase = $0 { true } else { false } }.count
            return multiply(max(cases, 1), rstestValuesProduct(c, fnAt: fnAt))
        }
        let testCases = attributes.filter { if case .testCase = $0 { true } else { false } }.count
        if testCases > 0 { return testCases }
        return attributes.contains(where: { if case .test = $0 { true } else { false } }) ? 1 : 0
    }

    /// The product of `#[values(a, b, …)]` parameter attributes in an rstest fn's signature.
    private static func rstestValuesProduct(_ c: Code, fnAt: Int) -> Int {
        var k = c.identEnd(c.skipSpace(fnAt + 2))
        k = c.skipSpace(k)
        if c[k] == Byte.lt {  // generics: angle brackets, `->` inside `Fn() -> T` does not close
            var depth = 0
            while k < c.n {
                if c.b[k] == Byte.lt { depth += 1 }
                if c.b[k] == Byte.gt && c[k - 1] != Byte.minus { depth -= 1; if depth == 0 { break } }
                k += 1
            }
            k = c.skipSpace(k + 1)
        }
        guard c[k] == Byte.lp, let close = c.matching(k) else { return 1 }
        var product = 1
        var i = k + 1
        while i < close {
            guard c.b[i] == Byte.hash else { i += 1; continue }
            let open = c.skipSpace(i + 1)
            guard c[open] == Byte.lb, let end = c.matching(open) else { i += 1; continue }
            let name = c.skipSpace(open + 1)
            if c.isWord(name, "values") {
                let p = c.skipSpace(name + 6)
                if c[p] == Byte.lp, let q = c.matching(p), q < end {
                    product = multiply(product, max(c.split((p + 1)..<q, generics: true).count, 1))
                }
            }
            i = end + 1
        }
        return product
    }
}

// MARK: - pytest

extension TestCounter {
    private struct PyScope {
        var indent: Int
        var isClass: Bool
        var isTestClass: Bool
        var multiplier: Int
    }

    /// Module-level `def test*`/`async def test*` and methods `test*` of `class Test*` (or `…TestCase`
    /// subclasses); `@pytest.mark.parametrize` decorators multiply by their countable argvalues.
    /// Functions nested in functions are not collected.
    fileprivate static func pytestCount(_ c: Code) -> Int {
        var scopes: [PyScope] = []
        var pending = 1
        var total = 0
        var i = 0
        while i < c.n {
            // One logical line: physical lines joined while brackets are open or a line ends in `\`.
            let start = i
            var depth = 0
            var k = i
            while k < c.n {
                let ch = c.b[k]
                if ch == Byte.lp || ch == Byte.lb || ch == Byte.lc {
                    depth += 1
                } else if ch == Byte.rp || ch == Byte.rb || ch == Byte.rc {
                    depth = max(0, depth - 1)
                } else if ch == Byte.nl {
                    if depth > 0 { k += 1; continue }
                    var m = k - 1
                    while m >= start && (c.b[m] == Byte.sp || c.b[m] == Byte.tab || c.b[m] == Byte.cr) { m -= 1 }
                    if m >= start && c.b[m] == Byte.bs { k += 1; continue }
                    break
                }
                k += 1
            }
            let end = k
            i = k + 1
            var p = start
            var indent = 0
            while p < end && Byte.isSpace(c.b[p]) {
                indent = c.b[p] == Byte.tab ? (indent / 8 + 1) * 8 : indent + 1
                p += 1
            }
            if p >= end { continue }  // blank, or only a comment
            while let last = scopes.last, last.indent >= indent { scopes.removeLast() }
            if c.b[p] == Byte.at {
                if isFixtureDecorator(c, (p + 1)..<end) {
                    pending = 0  // a fixture named test_… is not collected
                } else {
                    pending = multiply(pending, parametrizeCount(c, (p + 1)..<end) ?? 1)
                }
                continue
            }
            var q = p
            if c.isWord(q, "async") { q = c.skipSpace(q + 5) }
            if c.isWord(q, "def") {
                let nameStart = c.skipSpace(q + 3)
                let collected = scopes.allSatisfy { $0.isClass && $0.isTestClass }
                if collected && c.starts(nameStart, "test") {
                    total = add(total, scopes.reduce(pending) { multiply($0, $1.multiplier) })
                }
                scopes.append(PyScope(indent: indent, isClass: false, isTestClass: false, multiplier: 1))
                pending = 1
                continue
            }
            if c.isWord(p, "class") {
                let nameStart = c.skipSpace(p + 5)
                let nameEnd = c.identEnd(nameStart)
                var bases = ""
                let open = c.skipSpace(nameEnd)
                if c[open] == Byte.lp, let close = c.matching(open) { bases = c.text((open + 1)..<close) }
                let isTest = c.starts(nameStart, "Test") || bases.contains("TestCase")
                scopes.append(PyScope(indent: indent, isClass: true, isTestClass: isTest, multiplier: pending))
                pending = 1
                continue
            }
            pending = 1
        }
        return total
    }

    private static func decoratorName(_ c: Code, _ range: Range<Int>) -> (name: String, end: Int) {
        var e = range.lowerBound
        while e < range.upperBound && (Byte.isIdent(c.b[e]) || c.b[e] == Byte.dot || c.b[e] == Byte.sp) { e += 1 }
        return (c.text(range.lowerBound..<e).filter { $0 != " " }, e)
    }

    private static func isFixtureDecorator(_ c: Code, _ range: Range<Int>) -> Bool {
        let name = decoratorName(c, range).name
        return name == "fixture" || name.hasSuffix(".fixture")
    }

    /// For a `parametrize` decorator (text after `@`): the number of argvalues, or nil when not
    /// countable or not a parametrize decorator.
    private static func parametrizeCount(_ c: Code, _ range: Range<Int>) -> Int? {
        let (name, e) = decoratorName(c, range)
        guard name == "parametrize" || name.hasSuffix(".parametrize"), c[e] == Byte.lp,
              let close = c.matching(e), close < range.upperBound else { return nil }
        var positional: [Range<Int>] = []
        var argvalues: Range<Int>?
        for part in c.split((e + 1)..<close, generics: false, lambdas: true) {
            if let label = c.keywordArgument(part) {
                if label.name == "argvalues" { argvalues = label.rest }
            } else {
                positional.append(part)
            }
        }
        if argvalues == nil && positional.count >= 2 { argvalues = positional[1] }
        guard let argvalues, let n = pythonCollectionCount(c, argvalues) else { return nil }
        return max(n, 1)
    }

    /// Elements of a list/tuple literal, or `range(n)`/`range(a, b)` with integer literals.
    private static func pythonCollectionCount(_ c: Code, _ range: Range<Int>) -> Int? {
        let r = c.trim(range)
        guard !r.isEmpty else { return nil }
        let last = r.upperBound - 1
        let open = c[r.lowerBound]
        if (open == Byte.lb || open == Byte.lp), c.matching(r.lowerBound) == last {
            let inner = c.trim((r.lowerBound + 1)..<last)
            if inner.isEmpty { return 0 }
            let parts = c.split(inner, generics: false, lambdas: true)
            if parts.contains(where: { c[c.trim($0).lowerBound] == Byte.star }) { return nil }  // *unpacked
            if parts.contains(where: { c.containsTopLevelWord("for", in: $0) }) { return nil }  // comprehension
            if open == Byte.lp && parts.count == 1 {  // `(x)` is x; `(x,)` is a 1-tuple
                return c[inner.upperBound - 1] == Byte.comma ? 1 : pythonCollectionCount(c, inner)
            }
            return parts.count
        }
        if c.isWord(r.lowerBound, "range") {
            let p = c.skipSpace(r.lowerBound + 5)
            guard c[p] == Byte.lp, c.matching(p) == last else { return nil }
            let args = c.split((p + 1)..<last, generics: false).map { c.integer($0) }
            if args.count == 1, let n = args[0] { return max(n, 0) }
            if args.count == 2, let a = args[0], let b = args[1] { return max(b - a, 0) }
            if args.count == 3, let a = args[0], let b = args[1], let step = args[2], step != 0 {
                return max((b - a + step - step.signum()) / step, 0)
            }
        }
        return nil
    }
}

// MARK: - Jest / Vitest

extension TestCounter {
    private static let jsTests: Set<String> = ["it", "test", "fit", "xit", "xtest", "specify"]
    private static let jsSuites: Set<String> = ["describe", "fdescribe", "xdescribe", "suite", "context"]
    private static let jsTestModifiers: Set<String> = ["only", "concurrent", "sequential", "failing", "skip", "todo",
                                                       "fixme", "each", "for", "skipIf", "runIf"]
    private static let jsSuiteModifiers: Set<String> = ["only", "concurrent", "sequential", "shuffle", "skip", "todo",
                                                        "fixme", "each", "for", "skipIf", "runIf", "parallel", "serial"]

    /// `it(`/`test(` calls and their `.only`/`.concurrent`/`.failing` variants count 1; `.each(table)(`
    /// counts the table's rows; `.skip`/`.todo`/`xit` count 0, and so does everything inside
    /// `describe.skip`/`xdescribe`; `describe.each(table)` multiplies the tests inside it.
    fileprivate static func jestCount(_ c: Code, original: [UInt8]) -> Int {
        var total = 0
        var scopes: [(end: Int, multiplier: Int)] = []
        var i = 0
        while i < c.n {
            let ch = c.b[i]
            guard Byte.isIdent(ch) else { i += 1; continue }
            let e = c.identEnd(i)
            defer { i = max(i + 1, e) }
            // it, test, fit, xit, xtest, specify, describe, fdescribe, xdescribe, suite, context
            guard e - i <= 9, [0x69, 0x74, 0x66, 0x78, 0x73, 0x64, 0x63].contains(ch) else { continue }
            let base = c.text(i..<e)
            let isTestBase = jsTests.contains(base)
            guard isTestBase || jsSuites.contains(base) else { continue }
            let before = c.lastNonSpace(before: i)
            if before >= 0 && (c.b[before] == Byte.dot || c.b[before] == Byte.hash) { continue }  // member or #private
            if let word = c.word(endingBefore: i), word.text == "function" { continue }

            // The modifier chain: `.only`, `.each(table)`, `.skipIf(cond)`, …
            var j = e
            var modifiers: [String] = []
            var rows: Int?? = .none  // nil: no .each; .some(nil): uncountable table
            var valid = true
            while c[j] == Byte.dot {
                let s = j + 1
                let se = c.identEnd(s)
                guard se > s else { valid = false; break }
                let modifier = c.text(s..<se)
                j = se
                if modifier == "each" || modifier == "for" {
                    var p = c.skipSpace(j)
                    if c[p] == Byte.lt, let q = c.angleEnd(p) { p = c.skipSpace(q + 1) }  // `.each<Row>(…)`
                    if c[p] == Byte.lp, let close = c.matching(p) {
                        rows = .some(jsTableRows(c, (p + 1)..<close))
                        j = close + 1
                    } else if c[p] == Byte.bt, let close = c.templateEnd(p) {
                        rows = .some(templateTableRows(original, (p + 1)..<close))
                        j = close + 1
                    } else {
                        valid = false
                        break
                    }
                } else if modifier == "skipIf" || modifier == "runIf" {
                    let p = c.skipSpace(j)
                    guard c[p] == Byte.lp, let close = c.matching(p) else { valid = false; break }
                    j = close + 1
                }
                modifiers.append(modifier)
            }
            guard valid else { continue }
            var isSuite = !isTestBase
            if base == "test" && modifiers.first == "describe" {  // Playwright's test.describe(…)
                isSuite = true
                modifiers.removeFirst()
            }
            let allowed = isSuite ? jsSuiteModifiers : jsTestModifiers
            guard modifiers.allSatisfy({ allowed.contains($0) }) else { continue }
            let open = c.skipSpace(j)
            guard c[open] == Byte.lp, let close = c.matching(open) else { continue }
            guard c.skipSpace(open + 1) < close else { continue }  // `test()` — a method, not a test
            let after = c[c.skipSpace(close + 1)]
            if after == Byte.lc || after == Byte.colon { continue }  // `test(x) {` / `test(x): T` — a method
            while let last = scopes.last, last.end < i { scopes.removeLast() }
            let outer = scopes.last?.multiplier ?? 1
            let skipped = base.hasPrefix("x") || modifiers.contains { ["skip", "todo", "fixme", "skipIf"].contains($0) }
            let own: Int
            if skipped {
                own = 0
            } else if case .some(let count) = rows {
                own = max(count ?? 1, 1)
            } else {
                own = 1
            }
            if isSuite {
                if own != 1 { scopes.append((end: close, multiplier: multiply(outer, own))) }
            } else {
                total = add(total, multiply(outer, own))
            }
            i = j - 1  // continue inside the call's arguments (nested tests); defer moves past j - 1
        }
        return total
    }

    /// Rows of `.each([...])`: the elements of an array literal, nil when not countable.
    private static func jsTableRows(_ c: Code, _ range: Range<Int>) -> Int? {
        let parts = c.split(range, generics: true)
        guard parts.count == 1 else { return nil }
        let r = c.trim(parts[0])
        guard !r.isEmpty, c[r.lowerBound] == Byte.lb, c.matching(r.lowerBound) == r.upperBound - 1 else { return nil }
        let inner = c.trim((r.lowerBound + 1)..<(r.upperBound - 1))
        if inner.isEmpty { return 0 }
        let elements = c.split(inner, generics: true)
        if elements.contains(where: { c.starts(c.trim($0).lowerBound, "...") }) { return nil }
        return elements.count
    }

    /// Rows of a tagged-template table (`it.each\`a | b\n${1} | ${2}\``): non-empty lines after the header.
    private static func templateTableRows(_ original: [UInt8], _ range: Range<Int>) -> Int? {
        var lines: [ArraySlice<UInt8>] = []
        for line in original[range].split(separator: Byte.nl) {
            if line.contains(where: { !Byte.isSpace($0) }) { lines.append(line) }
        }
        guard lines.count >= 2, lines[0].contains(Byte.pipe) else { return nil }
        return lines.count - 1
    }
}

// MARK: - Go

extension TestCounter {
    /// Top-level `func TestXxx(t *testing.T)` (not methods, not `TestMain(m *testing.M)`, not `Testify`).
    fileprivate static func goCount(_ c: Code) -> Int {
        var total = 0
        var i = 0
        while let at = c.nextWord("func", from: i) {
            i = at + 4
            var m = at - 1
            while m >= 0 && (c.b[m] == Byte.sp || c.b[m] == Byte.tab) { m -= 1 }
            guard m < 0 || c.b[m] == Byte.nl || c.b[m] == Byte.cr else { continue }  // top-level declarations only
            let nameStart = c.skipSpace(at + 4)
            guard c.starts(nameStart, "Test") else { continue }  // also rejects methods `func (s *S) Test…`
            let nameEnd = c.identEnd(nameStart)
            if nameEnd > nameStart + 4 {
                let next = c.b[nameStart + 4]
                if next >= 0x61 && next <= 0x7A { continue }  // `Testify`: lowercase after Test
            }
            let open = c.skipSpace(nameEnd)
            guard c[open] == Byte.lp, let close = c.matching(open) else { continue }
            let params = c.b[(open + 1)..<close].filter { !Byte.isSpace($0) }
            let suffix = Array("*testing.T".utf8)
            guard params.count >= suffix.count, Array(params.suffix(suffix.count)) == suffix,
                  params.dropLast(suffix.count).allSatisfy(Byte.isIdent) else { continue }
            guard c[c.skipSpace(close + 1)] == Byte.lc else { continue }  // no results
            total += 1
        }
        return total
    }
}

// MARK: - Arithmetic

extension TestCounter {
    /// A product of counts; one that overflows is not a count to trust, so it is 1.
    fileprivate static func multiply(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? 1 : r
    }

    fileprivate static func add(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? a : r
    }
}

// MARK: - Blanking comments and strings


@inline(__always) private func isIdentStart(_ b: UInt8) -> Bool { Byte.isIdent(b) && !(b >= 0x30 && b <= 0x39) }

private enum Lang { case swift, rust, python, js, go }

/// A copy of `s` with comments and string contents replaced by spaces, byte for byte (offsets are kept).
/// Comments keep their newlines; strings lose them (a multi-line string is one line to the matchers).
/// String delimiters stay, so `"a, b"` is still one token. Regex literals (JS) are blanked too.
private func blankCommentsAndStrings(_ s: [UInt8], _ lang: Lang) -> [UInt8] {
    let n = s.count
    var out = s
    @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? s[k] : 0 }
    func wipe(_ a: Int, _ b: Int, keepNewlines: Bool) {
        var k = a
        let e = min(b, n)
        while k < e {
            if !(keepNewlines && s[k] == Byte.nl) { out[k] = Byte.sp }
            k += 1
        }
    }
    func lineEnd(_ k: Int) -> Int {
        var e = k
        while e < n && s[e] != Byte.nl { e += 1 }
        return e
    }
    func matches(_ k: Int, _ w: [UInt8]) -> Bool {
        guard k + w.count <= n else { return false }
        for (o, b) in w.enumerated() where s[k + o] != b { return false }
        return true
    }
    /// A string body from `from`: wiped up to its closer; returns the index past the closer.
    func string(from: Int, closer: [UInt8], escapes: Bool, singleLine: Bool) -> Int {
        var k = from
        while k < n {
            let b = s[k]
            if escapes && b == Byte.bs { k += 2; continue }
            if singleLine && b == Byte.nl { break }
            if b == closer[0] && matches(k, closer) {
                wipe(from, k, keepNewlines: false)
                return k + closer.count
            }
            k += 1
        }
        let e = min(k, n)
        wipe(from, e, keepNewlines: false)
        return e
    }

    // JS template literals: `${` opens code at a brace depth; the `}` that returns to it resumes the template.
    var braces = 0
    var templates: [Int] = []
    func template(from: Int) -> Int {
        var k = from
        while k < n {
            let b = s[k]
            if b == Byte.bs { k += 2; continue }
            if b == Byte.bt { wipe(from, k, keepNewlines: false); return k + 1 }
            if b == Byte.dollar && at(k + 1) == Byte.lc {
                wipe(from, k, keepNewlines: false)
                braces += 1
                templates.append(braces)
                return k + 2
            }
            k += 1
        }
        wipe(from, n, keepNewlines: false)
        return n
    }
    var prevSig: UInt8 = 0  // last significant code byte (JS regex-vs-division)
    var prevSigPos = -1
    func regexAllowed() -> Bool {
        if prevSigPos < 0 { return true }
        if Byte.isIdent(prevSig) {
            var a = prevSigPos
            while a > 0 && Byte.isIdent(s[a - 1]) { a -= 1 }
            let word = String(decoding: s[a...prevSigPos], as: UTF8.self)
            return ["return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await", "delete",
                    "throw", "new", "instanceof"].contains(word)
        }
        return Array("(,=:[!&|?{};+-*%<>~^".utf8).contains(prevSig)
    }
    func regexEnd(_ start: Int) -> Int? {
        var k = start + 1
        var inClass = false
        while k < n {
            let b = s[k]
            if b == Byte.nl { return nil }
            if b == Byte.bs { k += 2; continue }
            if inClass {
                if b == Byte.rb { inClass = false }
            } else if b == Byte.lb {
                inClass = true
            } else if b == Byte.slash {
                return k
            }
            k += 1
        }
        return nil
    }

    var i = 0
    while i < n {
        let c = s[i]
        if lang == .python {
            if c == Byte.hash {
                let e = lineEnd(i)
                wipe(i, e, keepNewlines: true)
                i = e
                continue
            }
        } else if c == Byte.slash && at(i + 1) == Byte.slash {
            let e = lineEnd(i)
            wipe(i, e, keepNewlines: true)
            i = e
            continue
        } else if c == Byte.slash && at(i + 1) == Byte.star {
            let nested = lang == .swift || lang == .rust
            var depth = 1
            var k = i + 2
            while k < n && depth > 0 {
                if s[k] == Byte.star && at(k + 1) == Byte.slash {
                    depth -= 1
                    k += 2
                } else if nested && s[k] == Byte.slash && at(k + 1) == Byte.star {
                    depth += 1
                    k += 2
                } else {
                    k += 1
                }
            }
            let e = min(k, n)
            wipe(i, e, keepNewlines: true)
            i = e
            continue
        }
        switch lang {
        case .swift:
            if c == Byte.hash {
                var k = i
                while at(k) == Byte.hash { k += 1 }
                if at(k) == Byte.dq {  // raw string #"…"# / #"""…"""#
                    let hashes = [UInt8](repeating: Byte.hash, count: k - i)
                    if at(k + 1) == Byte.dq && at(k + 2) == Byte.dq {
                        i = string(from: k + 3, closer: [Byte.dq, Byte.dq, Byte.dq] + hashes, escapes: false, singleLine: false)
                    } else {
                        i = string(from: k + 1, closer: [Byte.dq] + hashes, escapes: false, singleLine: true)
                    }
                    continue
                }
            } else if c == Byte.dq {
                if at(i + 1) == Byte.dq && at(i + 2) == Byte.dq {
                    i = string(from: i + 3, closer: [Byte.dq, Byte.dq, Byte.dq], escapes: true, singleLine: false)
                } else {
                    i = string(from: i + 1, closer: [Byte.dq], escapes: true, singleLine: true)
                }
                continue
            }
        case .rust:
            if c == Byte.dq {
                i = string(from: i + 1, closer: [Byte.dq], escapes: true, singleLine: false)
                continue
            }
            if c == 0x72 {  // r"…", r#"…"#, br"…", cr"…"
                let p = i > 0 ? s[i - 1] : 0
                let rawStart = !Byte.isIdent(p) || ((p == 0x62 || p == 0x63) && (i < 2 || !Byte.isIdent(s[i - 2])))
                var k = i + 1
                while at(k) == Byte.hash { k += 1 }
                if rawStart && at(k) == Byte.dq {
                    let hashes = [UInt8](repeating: Byte.hash, count: k - i - 1)
                    i = string(from: k + 1, closer: [Byte.dq] + hashes, escapes: false, singleLine: false)
                    continue
                }
            }
            if c == Byte.sq {  // a char literal, or a lifetime (left as code)
                if at(i + 1) == Byte.bs {
                    var k = i + 3
                    while k < n && k < i + 14 && s[k] != Byte.sq && s[k] != Byte.nl { k += 1 }
                    if at(k) == Byte.sq {
                        wipe(i + 1, k, keepNewlines: false)
                        i = k + 1
                        continue
                    }
                } else {
                    let lead = at(i + 1)
                    let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                    if lead != Byte.nl && lead != 0 && at(i + 1 + length) == Byte.sq {
                        wipe(i + 1, i + 1 + length, keepNewlines: false)
                        i += 2 + length
                        continue
                    }
                }
            }
        case .python:
            if c == Byte.dq || c == Byte.sq {
                if at(i + 1) == c && at(i + 2) == c {
                    i = string(from: i + 3, closer: [c, c, c], escapes: true, singleLine: false)
                } else {
                    i = string(from: i + 1, closer: [c], escapes: true, singleLine: true)
                }
                continue
            }
        case .js:
            if c == Byte.dq || c == Byte.sq {
                i = string(from: i + 1, closer: [c], escapes: true, singleLine: true)
                prevSig = c
                prevSigPos = i - 1
                continue
            }
            if c == Byte.bt {
                i = template(from: i + 1)
                prevSig = c
                prevSigPos = i - 1
                continue
            }
            if c == Byte.lc {
                braces += 1
            } else if c == Byte.rc {
                if let t = templates.last, t == braces {
                    templates.removeLast()
                    braces -= 1
                    i = template(from: i + 1)
                    prevSig = Byte.bt
                    prevSigPos = i - 1
                    continue
                }
                braces -= 1
            } else if c == Byte.slash && regexAllowed(), let e = regexEnd(i) {
                wipe(i + 1, e, keepNewlines: false)
                i = e + 1
                prevSig = Byte.slash
                prevSigPos = e
                continue
            }
        case .go:
            if c == Byte.dq || c == Byte.sq {
                i = string(from: i + 1, closer: [c], escapes: true, singleLine: true)
                continue
            }
            if c == Byte.bt {
                i = string(from: i + 1, closer: [Byte.bt], escapes: false, singleLine: false)
                continue
            }
        }
        if !Byte.isSpace(c) {
            prevSig = c
            prevSigPos = i
        }
        i += 1
    }
    return out
}

// MARK: - Matching over blanked code

/// Blanked source bytes with the small matchers the counters share.
private struct Code {
    let b: [UInt8]
    init(_ b: [UInt8]) { self.b = b }

    var n: Int { b.count }

    @inline(__always) subscript(_ k: Int) -> UInt8 { k >= 0 && k < b.count ? b[k] : 0 }

    func skipSpace(_ k: Int) -> Int {
        var k = k
        while k < n && Byte.isSpace(b[k]) { k += 1 }
        return k
    }

    func identEnd(_ k: Int) -> Int {
        var k = k
        while k < n && Byte.isIdent(b[k]) { k += 1 }
        return k
    }

    func lastNonSpace(before k: Int) -> Int {
        var m = k - 1
        while m >= 0 && Byte.isSpace(b[m]) { m -= 1 }
        return m
    }

    func text(_ r: Range<Int>) -> String {
        let lo = max(0, r.lowerBound), hi = min(n, r.upperBound)
        return lo < hi ? String(decoding: b[lo..<hi], as: UTF8.self) : ""
    }

    func starts(_ k: Int, _ w: String) -> Bool {
        var k = k
        for ch in w.utf8 {
            if self[k] != ch { return false }
            k += 1
        }
        return true
    }

    /// `w` at `k` as a whole identifier.
    func isWord(_ k: Int, _ w: String) -> Bool {
        starts(k, w) && !Byte.isIdent(self[k + w.utf8.count]) && (k == 0 || !Byte.isIdent(self[k - 1]))
    }

    func nextWord(_ w: String, from start: Int) -> Int? {
        guard let first = w.utf8.first else { return nil }
        var k = start
        while k < n {
            if b[k] == first && isWord(k, w) { return k }
            k += 1
        }
        return nil
    }

    /// `w` as a whole identifier outside any brackets in `r` (`x for x in y`, not `(x for x in y)`).
    func containsTopLevelWord(_ w: String, in r: Range<Int>) -> Bool {
        var depth = 0
        var k = r.lowerBound
        while k < r.upperBound {
            switch b[k] {
            case Byte.lp, Byte.lb, Byte.lc: depth += 1
            case Byte.rp, Byte.rb, Byte.rc: depth -= 1
            default: if depth == 0 && isWord(k, w) { return true }
            }
            k += 1
        }
        return false
    }

    /// The identifier that ends at the last non-space byte before `k`.
    func word(endingBefore k: Int) -> (text: String, start: Int)? {
        let e = lastNonSpace(before: k)
        guard e >= 0, Byte.isIdent(b[e]) else { return nil }
        var a = e
        while a > 0 && Byte.isIdent(b[a - 1]) { a -= 1 }
        return (text(a..<(e + 1)), a)
    }

    /// The index of the bracket closing the one at `open` (any of `()[]{}`), nil when unbalanced.
    func matching(_ open: Int) -> Int? { Byte.matching(b, open) }

    /// The `>` closing the `<` at `open` (nesting; `->` does not close).
    func angleEnd(_ open: Int) -> Int? {
        var depth = 0
        var k = open
        while k < n && k < open + 512 {
            if b[k] == Byte.lt { depth += 1 }
            if b[k] == Byte.gt && self[k - 1] != Byte.minus {
                depth -= 1
                if depth == 0 { return k }
            }
            k += 1
        }
        return nil
    }

    /// The closing backtick of the (blanked) template literal at `open`, skipping `${…}`.
    func templateEnd(_ open: Int) -> Int? {
        var k = open + 1
        while k < n {
            if b[k] == Byte.bt { return k }
            if b[k] == Byte.dollar && self[k + 1] == Byte.lc {
                guard let close = matching(k + 1) else { return nil }
                k = close + 1
                continue
            }
            k += 1
        }
        return nil
    }

    func trim(_ r: Range<Int>) -> Range<Int> {
        var lo = max(r.lowerBound, 0), hi = min(r.upperBound, n)
        while lo < hi && Byte.isSpace(b[lo]) { lo += 1 }
        while hi > lo && Byte.isSpace(b[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// The top-level comma-separated parts of `r`, trimmed; a trailing comma adds no part.
    /// With `generics`, `Foo<A, B>` is one part (a `<` right after an identifier that closes like a type);
    /// with `lambdas`, a Python `lambda x, y: …` keeps its parameters in one part.
    func split(_ r: Range<Int>, generics: Bool, lambdas: Bool = false) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var depth = 0
        var start = r.lowerBound
        var k = r.lowerBound
        while k < r.upperBound {
            switch b[k] {
            case Byte.lp, Byte.lb, Byte.lc: depth += 1
            case Byte.rp, Byte.rb, Byte.rc: depth -= 1
            case Byte.lt where generics:
                if let close = genericEnd(k, limit: r.upperBound) { k = close }
            case Byte.comma where depth == 0:
                parts.append(trim(start..<k))
                start = k + 1
            case 0x6C where lambdas && depth == 0 && isWord(k, "lambda"):  // skip to the lambda's `:`
                var inner = 0
                var m = k + 6
                while m < r.upperBound && !(inner == 0 && b[m] == Byte.colon) {
                    if b[m] == Byte.lp || b[m] == Byte.lb || b[m] == Byte.lc { inner += 1 }
                    if b[m] == Byte.rp || b[m] == Byte.rb || b[m] == Byte.rc { inner -= 1 }
                    m += 1
                }
                k = m
            default: break
            }
            k += 1
        }
        let tail = trim(start..<r.upperBound)
        parts.append(tail)
        return parts.filter { !$0.isEmpty }
    }

    /// For `<` at `k` that opens a generic argument list (`Set<Int>`, `Dictionary<String, [Int]>`), its `>`.
    private func genericEnd(_ k: Int, limit: Int) -> Int? {
        let prev = self[k - 1]
        guard prev < 0x80, Byte.isIdent(prev) || prev == Byte.colon else { return nil }
        let next = self[k + 1]
        guard isIdentStart(next) || next == Byte.lb || next == Byte.lp || next == Byte.sq || next == 0x26 else { return nil }
        var depth = 1
        var m = k + 1
        while m < limit && m < k + 256 {
            let c = b[m]
            if c == Byte.lt {
                depth += 1
            } else if c == Byte.gt {
                if b[m - 1] != Byte.minus {
                    depth -= 1
                    if depth == 0 { return m }
                }
            } else if c == Byte.minus {
                if self[m + 1] != Byte.gt { return nil }
            } else if !(Byte.isIdent(c) || c == Byte.sp || c == Byte.dot || c == Byte.comma || c == 0x3F || c == 0x21
                        || c == Byte.lb || c == Byte.rb || c == Byte.lp || c == Byte.rp || c == Byte.colon || c == 0x26
                        || c == Byte.sq || c == Byte.star) {
                return nil
            }
            m += 1
        }
        return nil
    }

    /// `name: rest` (Swift argument label) at the start of a part; `::` is not a label.
    func label(of r: Range<Int>) -> (name: String, rest: Range<Int>)? {
        let t = trim(r)
        guard !t.isEmpty, isIdentStart(b[t.lowerBound]) else { return nil }
        let e = identEnd(t.lowerBound)
        let colon = skipSpace(e)
        guard colon < t.upperBound, b[colon] == Byte.colon, self[colon + 1] != Byte.colon else { return nil }
        return (text(t.lowerBound..<e), (colon + 1)..<t.upperBound)
    }

    /// `name=rest` (Python keyword argument; `==` is not one).
    func keywordArgument(_ r: Range<Int>) -> (name: String, rest: Range<Int>)? {
        let t = trim(r)
        guard !t.isEmpty, isIdentStart(b[t.lowerBound]) else { return nil }
        let e = identEnd(t.lowerBound)
        let eq = skipSpace(e)
        guard eq < t.upperBound, b[eq] == Byte.eq, self[eq + 1] != Byte.eq else { return nil }
        return (text(t.lowerBound..<e), (eq + 1)..<t.upperBound)
    }

    /// An integer literal (optional `-`, `_` separators), nil otherwise.
    func integer(_ r: Range<Int>) -> Int? {
        let t = trim(r)
        var k = t.lowerBound
        var negative = false
        if k < t.upperBound && b[k] == Byte.minus { negative = true; k += 1 }
        var value = 0
        var digits = 0
        while k < t.upperBound {
            let c = b[k]
            if c >= 0x30 && c <= 0x39 {
                digits += 1
                guard digits <= 15 else { return nil }
                value = value * 10 + Int(c - 0x30)
            } else if c != 0x5F {
                return nil
            }
            k += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// The size of `a..<b` or `a...b` with integer literal bounds.
    func integerRange(_ r: Range<Int>) -> Int? {
        let t = trim(r)
        var k = t.lowerBound
        while k + 2 < t.upperBound {
            if b[k] == Byte.dot && b[k + 1] == Byte.dot {
                let closed = b[k + 2] == Byte.dot
                guard closed || b[k + 2] == Byte.lt,
                      let lo = integer(t.lowerBound..<k), let hi = integer((k + 3)..<t.upperBound) else { return nil }
                return max(closed ? hi - lo + 1 : hi - lo, 0)
            }
            k += 1
        }
        return nil
    }
}
