import AssayCore
import Foundation

/// Verifies "N tests" claims by reading them every plausible way (DESIGN.md, "Readings"): the files
/// the claim names; else the test files the commit changed, or the tests it added; else the whole
/// suite, with and without Rust doc tests, per package (a folder with its own manifest) and per
/// framework. One reading that holds verifies the claim and is named; `contradicted` needs every
/// reading to fail on counts that are exact, over a tree whose every test file assay can count.
///
/// Examples:
/// - "All 74 tests pass" where the suite has 61 `#[test]` and 13 doc tests → verified on the whole suite.
/// - "All 32 tests passing (17 unit + 9 integration + 6 doc)" where one crate has 32 and the workspace 33
///   → verified on that crate.
/// - "Total Tests: 107" where every reading gives 110 or more → contradicted, readings listed.
/// - "`tests/test_x.py` (19 tests)" where the file has 18 → contradicted on the file it names.
/// - "All 192 tests pass" in a repository with Java tests assay cannot count → unverifiable.
public enum TestCountReadings {
    public struct Reading: Hashable, Sendable {
        public var name: String
        public var value: Int
        /// Every count under the reading is exact (no uncountable tables, loops or macros).
        public var exact: Bool
    }

    /// Manifests that make a folder a package with a test suite of its own.
    static let manifests: Set<String> = ["Cargo.toml", "package.json", "pyproject.toml", "setup.py", "go.mod", "Package.swift",
                                         "pom.xml", "build.gradle", "build.gradle.kts", "composer.json", "Gemfile", "mix.exs"]
    /// Extensions of languages whose tests assay does not count.
    static let uncountedExtensions: Set<String> = ["java", "kt", "kts", "cs", "fs", "vb", "rb", "php", "scala", "ex", "exs",
                                                   "c", "cc", "cpp", "cxx", "m", "mm", "dart", "clj", "groovy", "lua", "r",
                                                   "jl", "zig", "hs", "ml", "erl", "bats"]

    static func verify(_ claim: Claim, _ count: CountClaim, docPath: String, facts: RepositoryFacts,
                       weakPaths: Set<String> = []) -> ClaimResult {
        let short = String(facts.sha.prefix(12))
        guard case .tests(let passing) = count.counted else {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "not a test count", evidence: [])
        }
        // The files and folders the claim names.
        var named: [String] = []
        var namedSomething = false
        for p in claim.scope {
            switch ClaimVerifier.locate(p, docPath: docPath, facts: facts) {
            case .found(let resolved, .directory): named += facts.files(under: resolved); namedSomething = true
            case .found(let resolved, .file): named.append(resolved); namedSomething = true
            case .ambiguous: namedSomething = true
            case .unknown(let cls, let why):
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: why)
            case .missing(let cls, let why):
                if weakPaths.contains(p) { continue }  // a bare name that is not here names nothing to count
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: why)
            }
        }
        named = named.filter { !TestCounter.frameworks(forPath: $0).isEmpty }

        var readings: [Reading] = []
        var mayContradict = false
        var why = ""
        if !named.isEmpty {
            let what = named.count == 1 ? named[0] : "the \(named.count) test files it names"
            if count.added {
                if let delta = addedReading(named, what, facts) { readings.append(delta) }
                mayContradict = false
                why = "a count of added tests needs the file's tests before the change"
            } else {
                readings += variants(of: named, what, facts)
                mayContradict = true
            }
        } else {
            // A commit message (or a PR body) speaks of its own change: the test files it changed, the
            // tests it added; and, like a doc, of the suite.
            var ofTheChange = false
            if claim.source.kind == "commit" || claim.source.kind == "pr-body" {
                let changed = facts.changedFiles.filter { !TestCounter.frameworks(forPath: $0).isEmpty }
                if !changed.isEmpty {
                    ofTheChange = true
                    if !count.added {
                        readings += variants(of: changed, "the \(changed.count) test file\(changed.count == 1 ? "" : "s") the commit changed", facts)
                    }
                    if let delta = addedReading(changed, "the tests the commit added", facts) { readings.append(delta) }
                }
            }
            if !count.added {
                readings += suiteReadings(facts)
                mayContradict = (count.whole || ofTheChange) && !namedSomething
                why = mayContradict ? "" : "the claim names no test file, and does not say it counts the whole suite"
            } else {
                mayContradict = ofTheChange && !namedSomething && !readings.isEmpty
                why = mayContradict ? "" : "a count of added tests that names no file"
            }
        }

        if let held = readings.first(where: { count.holds(for: $0.value) }) {
            let evidence = ["counted \(held.value) in \(held.name) at \(short)"]
            if passing {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "passing needs execution evidence",
                                   evidence: evidence + ["the count matches; that they pass needs a test report (JUnit) as evidence"])
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        }
        let listed = describe(readings, short)
        if readings.isEmpty {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "no reading",
                               evidence: [why.isEmpty ? "nothing to count the claim against at \(short)" : why])
        }
        if count.approximate {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "approximate",
                               evidence: listed + ["the claim says about \(count.value)"])
        }
        if mayContradict {
            if let inexact = readings.first(where: { !$0.exact }) {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "count not exact",
                                   evidence: listed + ["\(inexact.name) holds tests a static count cannot settle (tables, loops or macros)"])
            }
            if named.isEmpty, let other = uncountedTestFile(facts) {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "tests assay cannot count",
                                   evidence: listed + ["\(other) holds tests in a language assay does not count"])
            }
            return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "count-mismatch",
                               evidence: listed + ["the claim says \(count.stated); no reading gives that"])
        }
        return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "readings disagree",
                           evidence: listed + [why.isEmpty ? "the claim says \(count.stated)" : why])
    }

    /// One set of files, counted with and without Rust doc tests.
    static func variants(of files: [String], _ what: String, _ facts: RepositoryFacts) -> [Reading] {
        var all = 0, noDoc = 0, exact = true
        for f in files {
            let t = facts.tests(in: f)
            all += t.total(doctests: true)
            noDoc += t.total(doctests: false)
            exact = exact && t.exact
        }
        var out = [Reading(name: what, value: all, exact: exact)]
        if noDoc != all { out.append(Reading(name: what + " without doc tests", value: noDoc, exact: exact)) }
        return out
    }

    /// The tests `files` gained against the commit's first parent.
    static func addedReading(_ files: [String], _ what: String, _ facts: RepositoryFacts) -> Reading? {
        var before = 0, after = 0, exact = true
        for f in files {
            guard let old = facts.testsAtParent(in: f) else { return nil }
            let new = facts.tests(in: f)
            before += old.total()
            after += new.total()
            exact = exact && old.exact && new.exact
        }
        return Reading(name: what + " (added: \(before) → \(after))", value: after - before, exact: exact)
    }

    /// The whole suite, each package, and each framework.
    static func suiteReadings(_ facts: RepositoryFacts) -> [Reading] {
        let all = facts.files(under: "")
        let testFiles = all.filter { !TestCounter.frameworks(forPath: $0).isEmpty }
        guard !testFiles.isEmpty else { return [Reading(name: "the whole suite", value: 0, exact: true)] }
        var out = variants(of: testFiles, "the whole suite", facts)
        // Packages: folders with a manifest of their own.
        let roots = Set(all.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            guard parts.count > 1, let name = parts.last, manifests.contains(String(name)) else { return nil }
            return parts.dropLast().joined(separator: "/") + "/"
        }).sorted()
        // Top-level folders too: "the suite" is often the one pytest or cargo finds under `tests/`.
        let tops = Set(testFiles.compactMap { $0.split(separator: "/").count > 1 ? String($0.split(separator: "/")[0]) + "/" : nil })
        for root in Set(roots).union(tops).sorted() {
            let inside = testFiles.filter { $0.hasPrefix(root) }
            if !inside.isEmpty && inside.count < testFiles.count { out += variants(of: inside, root, facts) }
        }
        // Frameworks: "151 Go tests", "`cargo test` passes with 268 tests".
        var byFramework: [TestFramework: (Int, Bool)] = [:]
        for f in testFiles {
            let t = facts.tests(in: f)
            for c in t.counts {
                let family: TestFramework = c.framework == .xctest ? .swiftTesting : c.framework
                let (n, e) = byFramework[family] ?? (0, true)
                byFramework[family] = (n + c.count, e && t.exact)
            }
        }
        if byFramework.count > 1 {
            for (framework, (n, exact)) in byFramework.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out.append(Reading(name: "the \(framework.rawValue) tests", value: n, exact: exact))
            }
            if let (rust, exact) = byFramework[.rust], let (doc, docExact) = byFramework[.rustDoctest] {
                out.append(Reading(name: "the rust tests with doc tests", value: rust + doc, exact: exact && docExact))
            }
        }
        return out
    }

    /// A file that looks like a test in a language assay does not count, if the tree has one.
    static func uncountedTestFile(_ facts: RepositoryFacts) -> String? {
        let all = facts.files(under: "")
        let suffixConvention = all.contains { TestCounter.frameworks(forPath: $0).contains(.jest) }
        return all.first { path in
            let parts = path.lowercased().split(separator: "/")
            guard let name = parts.last, let dot = name.lastIndex(of: ".") else { return false }
            let ext = String(name[name.index(after: dot)...])
            let stem = name[..<dot]
            let inTestDir = parts.dropLast().contains { ["test", "tests", "spec", "specs", "__tests__"].contains($0) }
            if uncountedExtensions.contains(ext) {
                return inTestDir || stem.hasPrefix("test") || stem.hasSuffix("test") || stem.hasSuffix("tests") || stem.hasSuffix("spec")
            }
            // JavaScript and TypeScript tests that are not `*.test.*`/`*.spec.*` (mocha's `test/*.js`).
            if ["js", "ts", "mjs", "cjs", "jsx", "tsx"].contains(ext) && inTestDir && !suffixConvention {
                return TestCounter.frameworks(forPath: path).isEmpty
            }
            return false
        }
    }

    /// One line per reading tried, at most eight.
    static func describe(_ readings: [Reading], _ short: String) -> [String] {
        var lines = readings.prefix(8).map { "counted \($0.value) in \($0.name) at \(short)\($0.exact ? "" : " (not exact)")" }
        if readings.count > 8 { lines.append("… and \(readings.count - 8) more readings") }
        return lines
    }
}
