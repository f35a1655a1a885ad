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
    /// Tests defined in a file (cached by content where the facts can).
    func testCount(of path: String) -> Int
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

extension RepositoryFacts {
    public func submodule(containing path: String) -> (path: String, commit: String)? { nil }
    public var shallowBoundary: [String] { [] }

    public func testCount(of path: String) -> Int {
        guard !TestCounter.frameworks(forPath: path).isEmpty, let bytes = contents(of: path), !bytes.contains(0) else { return 0 }
        return TestCounter.count(in: String(decoding: bytes, as: UTF8.self), path: path).reduce(0) { $0 + $1.count }
    }
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
            switch locate(claim.subject, docPath: docPath, facts: facts) {
            case .found(let p, let kind):
                return ClaimResult(claim: claim, verdict: .verified,
                                   evidence: ["\(kind == .directory ? "directory" : "file") \(p) exists at \(short)"])
            case .missing(let cls, let evidence):
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: evidence)
            case .unknown(let cls, let evidence):
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: evidence)
            }
        case .absence:
            switch locate(claim.subject, docPath: docPath, facts: facts) {
            case .found(let p, _):
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "still-present",
                                   evidence: ["\(p) still exists at \(short)"])
            case .missing(_, let evidence):
                return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
            case .unknown(let cls, let evidence):
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: evidence)
            }
        case .status:
            var evidence: [String] = []
            var missing: [String] = []
            var missingClass: String?
            var unknownClass: String?
            var stubs: [String] = []
            for p in claim.scope {
                switch locate(p, docPath: docPath, facts: facts) {
                case .found(let resolved, let kind):
                    evidence.append("\(resolved) exists at \(short)")
                    if kind == .file, let stub = stubMarker(in: resolved, facts: facts) { stubs.append(stub) }
                case .missing(let cls, let why):
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
            return verifyCount(claim, count, docPath: docPath, facts: facts)
        default:
            break
        }
        return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "\(claim.kind.rawValue) claims are not checked yet",
                           evidence: [])
    }

    /// Counts tests, lines or files where the claim points and compares. Precision first: a count
    /// with no scope that differs from the whole repository's is unverifiable, not contradicted.
    static func verifyCount(_ claim: Claim, _ count: CountClaim, docPath: String, facts: RepositoryFacts) -> ClaimResult {
        let short = String(facts.sha.prefix(12))
        if !count.parts.isEmpty, count.parts.reduce(0, +) != count.value {
            let sum = count.parts.map(String.init).joined(separator: " + ")
            return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "arithmetic",
                               evidence: ["\(sum) = \(count.parts.reduce(0, +)), not \(count.value)"])
        }
        var actual = 0
        var scopeDescription = ""
        var scoped = true
        switch count.counted {
        case .tests:
            var files: [String] = []
            for p in claim.scope {
                switch locate(p, docPath: docPath, facts: facts) {
                case .found(let resolved, .directory): files += facts.files(under: resolved)
                case .found(let resolved, .file): files.append(resolved)
                case .missing(let cls, let why):
                    return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: cls, evidence: why)
                case .unknown(let cls, let why):
                    return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: cls, evidence: why)
                }
            }
            files = files.filter { !TestCounter.frameworks(forPath: $0).isEmpty }
            if !files.isEmpty {
                scopeDescription = files.count == 1 ? files[0] : "\(files.count) test files it names"
            } else if claim.source.kind == "commit" {
                files = facts.changedFiles.filter { !TestCounter.frameworks(forPath: $0).isEmpty }
                scopeDescription = "the \(files.count) test file\(files.count == 1 ? "" : "s") the commit changed"
            }
            if files.isEmpty {
                files = facts.files(under: "").filter { !TestCounter.frameworks(forPath: $0).isEmpty }
                scopeDescription = "the whole repository"
                scoped = false
            }
            actual = files.reduce(0) { $0 + facts.testCount(of: $1) }
        case .lines(let path):
            let location = locate(path, docPath: docPath, facts: facts)
            if case .missing(let cls, let why) = location {
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
        let matches: Bool
        if count.approximate {
            matches = abs(actual - count.value) * 10 <= max(count.value, 1) || actual >= count.value
        } else {
            matches = actual == count.value
        }
        if matches {
            if case .tests(passing: true) = count.counted {
                return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "passing needs execution evidence",
                                   evidence: evidence + ["the count matches; that they pass needs a test report (JUnit) as evidence"])
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        }
        if !scoped || count.approximate {
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: scoped ? "approximate" : "no scope",
                               evidence: evidence + ["the claim names no test file or directory to count in"])
        }
        return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "count-mismatch",
                           evidence: evidence + ["the claim says \(count.value)"])
    }

    enum Location {
        case found(String, PathKind)
        case missing(String, [String])
        /// Nothing at the path here, and nothing can say whether that makes the claim false: the
        /// path is inside a submodule, or the history that could hold it was not fetched.
        case unknown(String, [String])
    }

    /// Resolves a claimed path the way code would and, when nothing is there, says why with history.
    static func locate(_ token: String, docPath: String, facts: RepositoryFacts) -> Location {
        let candidates = PathSyntax.candidates(for: token, namedIn: docPath)
        for c in candidates {
            if let kind = facts.kind(of: c) { return .found(c, kind) }
        }
        // A bare file name (`UserService.ts`) names a file wherever it lives.
        let bare = token.trimmingCharacters(in: CharacterSet(charactersIn: "./"))
        if !bare.contains("/"), !bare.isEmpty {
            if let match = facts.files(under: "").first(where: { $0 == bare || $0.hasSuffix("/" + bare) }) {
                return .found(match, .file)
            }
        }
        let short = String(facts.sha.prefix(12))
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
        if let ignored = candidates.first(where: facts.isIgnored) {
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
