/// What a claim asserts about the repository (DESIGN.md, "Claim kinds").
public enum ClaimKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// A named file or directory exists.
    case path
    /// A named symbol is defined.
    case symbol
    /// A number of things ("48 tests", "9 schemas").
    case count
    /// Something is done: a checked item, a done row, a ✅ line — bound to the paths in its scope.
    case status
    /// Something is gone: "`x.rs` deleted", "no stubs".
    case absence
    /// "N tests passing".
    case testResult = "test-result"
    /// A cited commit resolves and its subject fits.
    case commitReference = "commit-reference"
}

/// Where a claim was written.
public struct ClaimSource: Codable, Hashable, Sendable {
    /// `doc`, `commit` or `pr-body`.
    public var kind: String
    /// The file (for docs and PR bodies), repository-relative for docs.
    public var path: String?
    /// 1-based line of the block that holds the claim.
    public var line: Int?
    /// The commit the claim was read at (the doc's commit, or the commit whose message holds it).
    public var commit: String?

    public init(kind: String, path: String? = nil, line: Int? = nil, commit: String? = nil) {
        self.kind = kind; self.path = path; self.line = line; self.commit = commit
    }
}

/// One ship-claim found in a doc, a commit message or a PR body.
public struct Claim: Codable, Hashable, Sendable {
    /// Stable across runs and across edits elsewhere in the source: derived from the kind, the
    /// source file, the subject and the claim's text — never from its line number.
    public var id: String
    public var kind: ClaimKind
    /// The sentence, item or row the claim was read from.
    public var text: String
    /// What the claim is about: a path for path and absence claims; the item for status claims.
    public var subject: String
    /// For status claims: the paths its item, row or section names.
    public var scope: [String]
    public var source: ClaimSource

    public init(kind: ClaimKind, text: String, subject: String, scope: [String] = [], source: ClaimSource) {
        self.kind = kind; self.text = text; self.subject = subject; self.scope = scope; self.source = source
        self.id = Claim.stableID(kind: kind, path: source.path ?? source.kind, subject: subject, text: text)
    }

    /// 16 hex digits of FNV-1a over the identifying fields.
    public static func stableID(kind: ClaimKind, path: String, subject: String, text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [kind.rawValue, path, subject, text] {
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            hash = (hash ^ 0x1f) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The verdicts of DESIGN.md.
public enum Verdict: String, Codable, Hashable, Sendable, CaseIterable {
    case verified, contradicted, stale, unverifiable, abstain
}

/// A claim with its verdict, the class of the verdict (why it was contradicted or could not be
/// verified) and evidence a person can re-check: what was looked up, at which SHA.
public struct ClaimResult: Codable, Hashable, Sendable {
    public var claim: Claim
    public var verdict: Verdict
    /// For `contradicted`: `never-existed`, `deleted`, `renamed`, `gitignored`, `still-present`,
    /// `stub-present` (a status claim's class is that of its first missing path); for `unverifiable`
    /// and `abstain`: the reason.
    public var verdictClass: String?
    public var evidence: [String]

    public init(claim: Claim, verdict: Verdict, verdictClass: String? = nil, evidence: [String]) {
        self.claim = claim; self.verdict = verdict; self.verdictClass = verdictClass; self.evidence = evidence
    }
}
