import AssayCore
import Foundation

/// A path's kind in a tree.
public enum PathKind: Sendable { case file, directory }

/// What the verifier may ask about the repository at the audited SHA; `AssayKit` answers from git and
/// the ledger, tests answer from plain values.
public protocol RepositoryFacts {
    /// The commit the facts describe.
    var sha: String { get }
    func kind(of path: String) -> PathKind?
    func contents(of path: String) -> [UInt8]?
    /// The newest commit at or before `sha` that removed `path`, with the path it was renamed to there.
    func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)?
    /// True when `path` is ignored by the repository's ignore rules (so it was never committed).
    func isIgnored(_ path: String) -> Bool
    /// Every file under `path` (a directory; "" for the whole tree), repository-relative.
    func files(under path: String) -> [String]
    /// The files the commit changed against its first parent (for claims in its message).
    var changedFiles: [String] { get }
    /// Tests defined in a file, per framework, and whether the count is exact (cached by content
    /// where the facts can).
    func tests(in path: String) -> FileTests
    /// The tree's files indexed by name (`TreePathIndex`); facts that live for a run keep one.
    var pathIndex: TreePathIndex { get }
    /// The same at the commit's first parent; nil when there is none or the facts cannot tell.
    func testsAtParent(in path: String) -> FileTests?
    /// The commit a (possibly abbreviated) id names, with its subject; nil when none does.
    func commit(named id: String) -> (sha: String, subject: String)?
    /// True when history is cut short (a shallow clone), so a missing commit proves nothing.
    var isShallow: Bool { get }
    /// A file that defines `name` (a declaration, not a use), or nil when no source file does.
    func definition(of name: String) -> String?
    /// The submodule `path` lies inside (the submodule's path and the commit it is pinned at), or
    /// nil; files inside a submodule are not in this repository's trees.
    func submodule(containing path: String) -> (path: String, commit: String)?
    /// The commits a shallow clone's history stops at (their parents were not fetched); empty for a
    /// full clone.
    var shallowBoundary: [String] { get }
}

/// The tests one file defines, per framework, and whether the static count is exact.
public struct FileTests: Hashable, Sendable {
    public var counts: [TestCount]
    public var exact: Bool

    public init(counts: [TestCount], exact: Bool) { self.counts = counts; self.exact = exact }
    public static let none = FileTests(counts: [], exact: true)

    /// Tests of the file; doc tests only when asked for.
    public func total(doctests: Bool = true) -> Int {
        counts.reduce(0) { $0 + (($1.framework == .rustDoctest && !doctests) ? 0 : $1.count) }
    }

    /// Counts a file's bytes.
    public static func scan(_ bytes: [UInt8], path: String) -> FileTests {
        guard !TestCounter.frameworks(forPath: path).isEmpty, !bytes.contains(0) else { return .none }
        let t = TestCounter.tally(utf8: bytes, path: path)
        return FileTests(counts: t.counts, exact: t.exact)
    }
}

extension RepositoryFacts {
    public func tests(in path: String) -> FileTests {
        guard !TestCounter.frameworks(forPath: path).isEmpty, let bytes = contents(of: path) else { return .none }
        return FileTests.scan(bytes, path: path)
    }

    public func testsAtParent(in path: String) -> FileTests? { nil }
    public var pathIndex: TreePathIndex { TreePathIndex(files: files(under: "")) }
    public func submodule(containing path: String) -> (path: String, commit: String)? { nil }
    public var shallowBoundary: [String] { [] }

    /// Tests a file defines, doc tests included.
    public func testCount(of path: String) -> Int { tests(in: path).total() }
}

/// Verifies path, absence and status claims at a SHA. A missing path is classified with history:
/// deleted at commit X, renamed to Y, inside an ignored directory, or never existed.
public enum ClaimVerifier {
    /// Markers of code that is not there yet; a status claim whose scoped files hold one is false.
    public static let stubMarkers = ["todo!(", "unimplemented!(", "fatalError(\"TODO", "fatalError(\"Not implemented",
                                     "raise NotImplementedError", "throw new Error(\"not implemented",
                                     "throw new Error(\"Not implemented", "panic(\"TODO", "panic(\"not implemented"]

    public static func verify(_ extracted: ExtractedClaim, facts: RepositoryFacts) -> ClaimResult {
        let claim = extracted.claim
        if let reason = extracted.abstainReason {
            return ClaimResult(claim: claim, verdict: .abstain, verdictClass: reason, evidence: [])
        }
        let docPath = claim.source.kind == "doc" ? (claim.source.path ?? "") : ""
        let short = String(facts.sha.prefix(12))
        switch claim.kind {
        case .path:
            let prefer = claim.source.kind == "commit" ? facts.changedFiles : []
            switch locate(claim.subject, docPath: docPath, facts: facts, prefer: prefer) {
            case .found(let p, let kind):
                return ClaimResult(claim: claim, verdict: .verified,
                                   evidence: ["\(kind == .directory ? "directory" : "file") \(p) exists at \(short)"])
            case .missing(let cls, let evidence):
                if extracted.weakPaths.contains(claim.subject) {
                    return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "bare name not found",
                                       evidence: evidence + ["\(claim.subject) is written without backticks or a folder; it may not name a file here"])
                }
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: evidence)
            case .ambiguous(let paths):
                return ambiguous(claim, paths)
            case .unknown(let cls, let evidence):
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: evidence)
            }
        case .absence where extracted.subjectIsSymbol:
            // A symbol said to be removed: gone from every source file verifies it; still defined
            // somewhere may be another one of the same name ("removed from the CLI"), so unverifiable.
            let names = SymbolDefinitions.lookupNames(for: claim.subject)
            guard let name = names.first else { break }
            if let file = facts.definition(of: name) {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "still defined",
                                   evidence: ["\(name) is still defined in \(file) at \(short); the claim may mean another one"])
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: ["no definition of \(name) in the source files at \(short)"])
        case .absence:
            switch locate(claim.subject, docPath: docPath, facts: facts, tails: false) {
            case .ambiguous(let paths):
                return ambiguous(claim, paths)
            case .found(let p, _):
                if extracted.weakPaths.contains(claim.subject) {
                    return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "bare name found",
                                       evidence: ["a file \(p) exists at \(short); the claim names \(claim.subject) without a folder"])
                }
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "still-present",
                                   evidence: ["\(p) still exists at \(short)"])
            case .missing(_, let evidence):
                return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
            case .unknown(let cls, let evidence):
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: evidence)
            }
        case .status where claim.scope.isEmpty:
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "nothing checkable named",
                               evidence: ["the line names no file, symbol or count that assay can check"])
        case .status:
            var evidence: [String] = []
            var missing: [String] = []
            var missingClass: String?
            var unknownClass: String?
            var stubs: [String] = []
            var weakMissing: [String] = []
            for p in claim.scope {
                switch locate(p, docPath: docPath, facts: facts) {
                case .found(let resolved, let kind):
                    evidence.append("\(resolved) exists at \(short)")
                    if kind == .file, let stub = stubMarker(in: resolved, facts: facts) { stubs.append(stub) }
                case .ambiguous(let paths):
                    evidence.append("\(p) may be any of \(paths.prefix(4).joined(separator: ", "))")
                case .missing(let cls, let why):
                    if extracted.weakPaths.contains(p) {
                        weakMissing.append(p)
                        evidence += why
                        continue
                    }
                    missing.append(p)
                    missingClass = missingClass ?? cls
                    evidence += why
                case .unknown(let cls, let why):
                    unknownClass = unknownClass ?? cls
                    evidence += why
                }
            }
            if !missing.isEmpty {
                // The class of the first missing path: deleted, renamed, gitignored, never-existed.
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: missingClass, evidence: evidence)
            }
            if let unknownClass {
                // No scoped path is known to be missing, but one could not be looked at.
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: unknownClass, evidence: evidence)
            }
            if !stubs.isEmpty {
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "stub-present",
                                   evidence: evidence + stubs.map { "stub marker at \($0)" })
            }
            if !weakMissing.isEmpty {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "bare name not found",
                                   evidence: evidence + ["\(weakMissing.joined(separator: ", ")) written without backticks or a folder; not found"])
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        case .symbol:
            let names = SymbolDefinitions.lookupNames(for: claim.subject)
            for name in names {
                if let file = facts.definition(of: name) {
                    return ClaimResult(claim: claim, verdict: .verified, evidence: ["\(name) is defined in \(file) at \(short)"])
                }
            }
            // Not defined here. Whether that is a false claim or prose depends on history: the
            // service turns this into `stale` (defined when written) or `abstain` (never code).
            return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "symbol-missing",
                               evidence: ["no definition of \(names.joined(separator: " or ")) in the source files at \(short)"])
        case .commitReference:
            guard let found = facts.commit(named: claim.subject) else {
                if facts.isShallow {
                    return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "shallow clone",
                                       evidence: ["no commit \(claim.subject) in this shallow clone"])
                }
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "unknown-commit",
                                   evidence: ["no commit \(claim.subject) in the repository"])
            }
            let evidence = ["\(claim.subject) is \(found.sha.prefix(12)) \"\(found.subject)\""]
            if let description = claim.scope.first, !CommitReferenceExtractor.fits(description, subject: found.subject) {
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "subject-mismatch",
                                   evidence: evidence + ["the claim describes it as \"\(description)\""])
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        case .count, .testResult:
            guard let count = extracted.count else { break }
            return verifyCount(claim, count, docPath: docPath, facts: facts, weakPaths: extracted.weakPaths)
        default:
            break
        }
        return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "\(claim.kind.rawValue) claims are not checked yet",
                           evidence: [])
    }

    /// Counts tests, lines or files where the claim points and compares. Precision first: a count
    /// with no scope that differs from the whole repository's is unverifiable, not contradicted.
    static func verifyCount(_ claim: Claim, _ count: CountClaim, docPath: String, facts: RepositoryFacts,
                            weakPaths: Set<String> = []) -> ClaimResult {
        let short = String(facts.sha.prefix(12))
        if !count.parts.isEmpty, count.parts.reduce(0, +) != count.value {
            let sum = count.parts.map(String.init).joined(separator: " + ")
            return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "arithmetic",
                               evidence: ["\(sum) = \(count.parts.reduce(0, +)), not \(count.value)"])
        }
        var actual = 0
        var scopeDescription = ""
        switch count.counted {
        case .other(let noun):
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "not counted",
                               evidence: ["assay does not count \(noun); the claim says \(count.value)"])
        case .changedFiles:
            guard claim.source.kind == "commit" else {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "no commit to count",
                                   evidence: ["a count of changed files in a doc names no commit to count"])
            }
            let n = facts.changedFiles.count
            if n == count.value {
                return ClaimResult(claim: claim, verdict: .verified, evidence: ["the commit changed \(n) files (deletions not counted) at \(short)"])
            }
            // git's own count includes deleted files, which these facts leave out: never a contradiction.
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "readings disagree",
                               evidence: ["the commit changed \(n) files that remain at \(short); the claim says \(count.value)"])
        case .tasks(let total):
            return TaskCountReadings.verify(claim, done: count.value, total: total, docPath: docPath, facts: facts)
        case .tests:
            return TestCountReadings.verify(claim, count, docPath: docPath, facts: facts, weakPaths: weakPaths)
        case .lines(let written):
            // "" is the doc the claim is written in ("Row Count: 159").
            let path = written.isEmpty ? docPath : written
            if path.isEmpty {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "no file named", evidence: [])
            }
            let location = locate(path, docPath: docPath, facts: facts)
            if case .ambiguous(let paths) = location { return ambiguous(claim, paths) }
            if case .missing(let cls, let why) = location {
                if weakPaths.contains(path) {
                    return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "bare name not found", evidence: why)
                }
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: why)
            }
            if case .unknown(let cls, let why) = location {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: why)
            }
            guard case .found(let resolved, .file) = location, let bytes = facts.contents(of: resolved) else {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "not a file", evidence: ["\(path) is a directory at \(short)"])
            }
            actual = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } + (bytes.last.map { $0 == UInt8(ascii: "\n") ? 0 : 1 } ?? 0)
            scopeDescription = resolved
        case .files(let directory):
            let location = locate(directory, docPath: docPath, facts: facts)
            if case .ambiguous(let paths) = location { return ambiguous(claim, paths) }
            if case .missing(let cls, let why) = location {
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: why)
            }
            if case .unknown(let cls, let why) = location {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: why)
            }
            guard case .found(let resolved, .directory) = location else {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "not a directory", evidence: ["\(directory) is a file at \(short)"])
            }
            actual = facts.files(under: resolved).count
            scopeDescription = resolved
        }
        let evidence = ["counted \(actual) in \(scopeDescription) at \(short)"]
        // Editors and `wc -l` differ by the last line's newline: a line count one off still holds.
        var readings = [actual]
        if case .lines = count.counted { readings += [actual + 1, actual - 1] }
        if readings.contains(where: { count.holds(for: $0) }) {
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        }
        if count.approximate {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "approximate",
                               evidence: evidence + ["the claim says about \(count.value)"])
        }
        if case .lines(let path) = count.counted, weakPaths.contains(path) {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "bare name",
                               evidence: evidence + ["the claim says \(count.stated) of \(path), named without a folder"])
        }
        return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "count-mismatch",
                           evidence: evidence + ["the claim says \(count.stated)"])
    }

    enum Location {
        case found(String, PathKind)
        case missing(String, [String])
        /// Several tree paths end with what the claim wrote.
        case ambiguous([String])
        /// Nothing at the path here, and nothing can say whether that makes the claim false: the
        /// path is inside a submodule, or the history that could hold it was not fetched.
        case unknown(String, [String])
    }

    /// Resolves a claimed path the way code would and, when nothing is there, says why with history.
    static func locate(_ token: String, docPath: String, facts: RepositoryFacts, tails: Bool = true,
                       prefer: [String] = []) -> Location {
        let candidates = PathSyntax.candidates(for: token, namedIn: docPath)
        for c in candidates {
            if let kind = facts.kind(of: c) { return .found(c, kind) }
        }
        // A file name (`UserService.ts`) or the tail of a path (`ui/app.rs` for `src/ui/app.rs`)
        // names the one file that ends with it; when several do, the text cannot say which.
        let tail = token.trimmingCharacters(in: CharacterSet(charactersIn: "./"))
        if !tail.isEmpty, !token.hasPrefix("/"), !token.hasPrefix("../"), tails || !tail.contains("/") {
            let matches = facts.pathIndex.files(endingWith: tail)
            if matches.count == 1 { return .found(matches[0], .file) }
            if matches.count > 1 {
                // A commit message means the file the commit changed, when one of them is.
                let changed = prefer.filter(matches.contains)
                if changed.count == 1 { return .found(changed[0], .file) }
                return .ambiguous(matches)
            }
            if token.hasSuffix("/") {
                // A folder named from a sibling (`libtest/` for `tests/libtest/`): the one folder ending so.
                let folders = facts.pathIndex.folders(endingWith: tail)
                if folders.count == 1, let only = folders.first { return .found(only, .directory) }
                if folders.count > 1 { return .ambiguous(folders) }
            }
        }
        let short = String(facts.sha.prefix(12))
        if let template = generatedFrom(token, facts: facts) {
            return .unknown("generated", ["\(token) is a build output made from \(template) (not committed by design)"])
        }
        for c in candidates {
            if let sub = facts.submodule(containing: c) {
                return .unknown("inside a submodule", [
                    "\(c) is inside the submodule \(sub.path) (pinned at commit \(sub.commit.prefix(12))), whose files are not read: check it in that repository",
                ])
            }
        }
        for c in candidates {
            if let gone = facts.deletion(of: c) {
                let at = String(gone.commit.prefix(12))
                if let to = gone.renamedTo {
                    return .missing("renamed", ["\(c) was renamed to \(to) in \(at) (\"\(gone.subject)\")"])
                }
                return .missing("deleted", ["\(c) was deleted in \(at) (\"\(gone.subject)\"); absent at \(short)"])
            }
        }
        // A folder (`bench/corpus/`) is matched by directory-only ignore rules with its slash.
        if let ignored = candidates.first(where: { facts.isIgnored($0) || (token.hasSuffix("/") && facts.isIgnored($0 + "/")) }) {
            return .missing("gitignored", ["\(ignored) is ignored by the repository's ignore rules, so it was never committed"])
        }
        let tried = candidates.joined(separator: ", ")
        let boundary = facts.shallowBoundary
        if !boundary.isEmpty {
            // A shallow clone: "never existed" cannot be known. Where the claim is judged at the cut
            // itself, it may describe a commit before it (blame stops there too): unverifiable.
            let cut = boundary.map { String($0.prefix(12)) }.sorted().joined(separator: ", ")
            let why = "this clone is shallow: history stops at \(cut), and earlier commits were not searched; `git fetch --unshallow` (or `fetch-depth: 0` in CI) fetches them"
            if boundary.contains(facts.sha) {
                return .unknown("shallow clone", ["no \(tried) at \(short)", why])
            }
            return .missing("absent-in-shallow-history", ["no \(tried) at \(short) or in the commits after \(cut)", why])
        }
        return .missing("never-existed", ["no \(tried) at \(short) or in any earlier commit"])
    }

    /// Suffixes of files that a build turns into the file without them (`Makefile.am` → `Makefile`).
    static let templateSuffixes = [".in", ".am", ".tmpl", ".template", ".example", ".dist", ".sample", ".j2"]

    /// The template a missing file is generated from, if the tree has one: the same name with a
    /// template suffix, compared without case, dashes or underscores (`CURLConfig.cmake` from
    /// `curl-config.cmake.in`).
    static func generatedFrom(_ token: String, facts: RepositoryFacts) -> String? {
        guard let name = token.split(separator: "/").last, !token.hasSuffix("/") else { return nil }
        return facts.pathIndex.file(namedLike: name, withSuffixes: templateSuffixes)
    }

    /// Several tree paths end with what the claim wrote: which one it means, the text cannot say.
    static func ambiguous(_ claim: Claim, _ paths: [String]) -> ClaimResult {
        let shown = paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " and \(paths.count - 5) more" : "")
        return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "ambiguous path",
                           evidence: ["\(paths.count) paths end with what the claim names: \(shown)"])
    }

    /// `path:line` of the first stub marker in a file, if any.
    static func stubMarker(in path: String, facts: RepositoryFacts) -> String? {
        guard let bytes = facts.contents(of: path), !bytes.contains(0) else { return nil }
        let first = stubMarkerBytes.compactMap { bytes.offset(of: $0) }.min()
        guard let offset = first else { return nil }
        let line = bytes[..<offset].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return "\(path):\(line)"
    }

    static let stubMarkerBytes: [[UInt8]] = stubMarkers.map { Array($0.utf8) }
}
