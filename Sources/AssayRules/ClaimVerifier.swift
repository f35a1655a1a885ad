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
            }
        case .absence:
            switch locate(claim.subject, docPath: docPath, facts: facts) {
            case .found(let p, _):
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "still-present",
                                   evidence: ["\(p) still exists at \(short)"])
            case .missing(_, let evidence):
                return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
            }
        case .status:
            var evidence: [String] = []
            var missing: [String] = []
            var missingClass: String?
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
                }
            }
            if !missing.isEmpty {
                // The class of the first missing path: deleted, renamed, gitignored, never-existed.
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: missingClass, evidence: evidence)
            }
            if !stubs.isEmpty {
                return ClaimResult(claim: claim, verdict: .contradicted, verdictClass: "stub-present",
                                   evidence: evidence + stubs.map { "stub marker at \($0)" })
            }
            return ClaimResult(claim: claim, verdict: .verified, evidence: evidence)
        default:
            return ClaimResult(claim: claim, verdict: .unverifiable, verdictClass: "\(claim.kind.rawValue) claims are not checked yet",
                               evidence: [])
        }
    }

    enum Location {
        case found(String, PathKind)
        case missing(String, [String])
    }

    /// Resolves a claimed path the way code would and, when nothing is there, says why with history.
    static func locate(_ token: String, docPath: String, facts: RepositoryFacts) -> Location {
        let candidates = PathSyntax.candidates(for: token, namedIn: docPath)
        for c in candidates {
            if let kind = facts.kind(of: c) { return .found(c, kind) }
        }
        let short = String(facts.sha.prefix(12))
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
        return .missing("never-existed", ["no \(tried) at \(short) or in any earlier commit"])
    }

    /// `path:line` of the first stub marker in a file, if any.
    static func stubMarker(in path: String, facts: RepositoryFacts) -> String? {
        guard let bytes = facts.contents(of: path), !bytes.contains(0) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where stubMarkers.contains(where: { line.contains($0) }) {
            return "\(path):\(i + 1)"
        }
        return nil
    }
}
