import AssayCore
import Foundation

/// A commit a drift report points at, with its date and subject.
public struct DriftCommit: Codable, Sendable, Hashable {
    public var sha: String
    /// Committer date, ISO 8601 (UTC).
    public var date: String
    public var subject: String
    /// The claim's verdict at this commit, where that is what the commit is cited for.
    public var verdict: String?

    public init(sha: String, date: String, subject: String, verdict: String? = nil) {
        self.sha = sha; self.date = date; self.subject = subject; self.verdict = verdict
    }
}

/// How long a claim has been drifting: first-parent commits of the default branch since the commit
/// that broke it (that one included), and days between that commit and the judged one.
public struct DriftAge: Codable, Sendable, Hashable {
    public var commits: Int
    public var days: Double
}

/// One claim in a drift report: its verdict at the judged commit and its history.
public struct DriftClaim: Codable, Sendable, Hashable {
    public var id: String
    public var kind: String
    public var text: String
    public var subject: String
    public var scope: [String]
    public var path: String
    public var line: Int?
    /// Section titles above the claim, outermost first.
    public var section: [String]
    public var verdict: String
    public var verdictClass: String?
    public var evidence: [String]
    /// `false-when-written` (contradicted where its line was written) or `went-stale` (true when written,
    /// false later); nil for a claim that is not drifting.
    public var origin: String?
    /// The commit that wrote the claim's line (blame, first parent), with the claim's verdict there.
    public var introduced: DriftCommit?
    /// The commit since which the claim drifts: where it went stale (found by bisecting the first-parent
    /// history), or where it was written false.
    public var since: DriftCommit?
    /// The first commit the claim was seen at (the one that wrote it).
    public var firstSeen: String?
    /// The newest first-parent commit where the claim was still verified.
    public var lastVerified: String?
    public var drift: DriftAge?

    /// Contradicted or stale: what the report is about.
    public var isDrifting: Bool { verdict == Verdict.contradicted.rawValue || verdict == Verdict.stale.rawValue }

    enum CodingKeys: String, CodingKey {
        case id, kind, text, subject, scope, path, line, section, verdict, evidence, origin, introduced, since, drift
        case verdictClass = "class", firstSeen = "first_seen", lastVerified = "last_verified"
    }
}

/// A doc section whose referenced files changed after the section was last touched. Not drift (its
/// claims may all hold), but worth a look.
public struct PossiblyStaleSection: Codable, Sendable, Hashable {
    public struct Change: Codable, Sendable, Hashable {
        public var path: String
        public var commit: DriftCommit
    }

    public var path: String
    public var section: String
    public var line: Int
    /// The newest commit that wrote a line of the section.
    public var lastTouched: DriftCommit
    /// Files the section names that changed later, each with the newest commit that changed it.
    public var changed: [Change]

    enum CodingKeys: String, CodingKey {
        case path, section, line, changed, lastTouched = "last_touched"
    }
}

/// Counts by verdict, and the two kinds of drift.
public struct DriftSummary: Codable, Sendable, Hashable {
    public var docs = 0
    public var claims = 0
    public var verified = 0
    public var contradicted = 0
    public var stale = 0
    public var unverifiable = 0
    public var abstain = 0
    /// Contradicted plus stale.
    public var drifting = 0
    public var falseWhenWritten = 0
    public var wentStale = 0
    public var possiblyStale = 0

    enum CodingKeys: String, CodingKey {
        case docs, claims, verified, contradicted, stale, unverifiable, abstain, drifting
        case falseWhenWritten = "false_when_written", wentStale = "went_stale", possiblyStale = "possibly_stale"
    }

    init(claims list: [DriftClaim], docs: Int, possiblyStale: Int) {
        self.docs = docs
        claims = list.count
        self.possiblyStale = possiblyStale
        for c in list {
            switch Verdict(rawValue: c.verdict) {
            case .verified: verified += 1
            case .contradicted: contradicted += 1
            case .stale: stale += 1
            case .unverifiable: unverifiable += 1
            case .abstain: abstain += 1
            case nil: break
            }
            if c.origin == "false-when-written" { falseWhenWritten += 1 }
            if c.origin == "went-stale" { wentStale += 1 }
        }
        drifting = contradicted + stale
    }
}

/// A claim named in a comparison between two points.
public struct DriftChange: Codable, Sendable, Hashable {
    public var id: String
    public var path: String
    public var line: Int?
    public var text: String
    /// Verdict at the earlier point, and at the judged commit (nil where the claim is gone).
    public var before: String?
    public var after: String?
}

/// `--since`: what changed between an earlier point and the judged commit.
public struct DriftComparison: Codable, Sendable, Hashable {
    public var base: DriftCommit
    /// Drifting now, not at the base (or not there at all).
    public var new: [DriftChange]
    /// Drifting at the base, not now (fixed, or the claim was removed).
    public var resolved: [DriftChange]
    /// Drifting at both.
    public var persistent: [DriftChange]
}

/// One point of the drift-over-time series.
public struct DriftPoint: Codable, Sendable, Hashable {
    public var sha: String
    public var date: String
    public var claims: Int
    public var verified: Int
    public var contradicted: Int
    public var stale: Int
    public var drifting: Int
    /// `run` or `backfill`.
    public var origin: String
}

/// Where the repository's web pages are, for links to `file@SHA`.
public struct DriftRemote: Codable, Sendable, Hashable {
    /// `github` or `gitlab`.
    public var host: String
    /// `https://github.com/owner/repo`
    public var webURL: String

    enum CodingKeys: String, CodingKey { case host, webURL = "web_url" }

    public init(host: String, webURL: String) { self.host = host; self.webURL = webURL }

    /// The web page of a file at a commit, at a line.
    public func fileURL(_ path: String, sha: String, line: Int?) -> String {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
        }.joined(separator: "/")
        let anchor = line.map { "#L\($0)" } ?? ""
        return host == "gitlab" ? "\(webURL)/-/blob/\(sha)/\(encoded)\(anchor)" : "\(webURL)/blob/\(sha)/\(encoded)\(anchor)"
    }

    public func commitURL(_ sha: String) -> String {
        host == "gitlab" ? "\(webURL)/-/commit/\(sha)" : "\(webURL)/commit/\(sha)"
    }

    /// Reads a remote URL (`git@github.com:o/r.git`, `https://gitlab.example.com/g/s/r.git`,
    /// `ssh://git@github.com/o/r`); nil unless the host looks like GitHub or GitLab.
    public static func parse(_ url: String) -> DriftRemote? {
        var rest = url.trimmingCharacters(in: .whitespacesAndNewlines)
        var host: String
        var path: String
        if let scheme = rest.range(of: "://") {
            rest = String(rest[scheme.upperBound...])
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            host = String(rest[..<slash])
            path = String(rest[rest.index(after: slash)...])
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            path = String(rest[rest.index(after: colon)...])
        } else {
            return nil
        }
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if let port = host.firstIndex(of: ":") { host = String(host[..<port]) }
        if path.hasSuffix(".git") { path.removeLast(4) }
        while path.hasSuffix("/") { path.removeLast() }
        let lower = host.lowercased()
        guard !host.isEmpty, path.split(separator: "/").count >= 2,
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }),
              path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-~".contains($0) }) else { return nil }
        let kind: String
        if lower.contains("github") { kind = "github" } else if lower.contains("gitlab") { kind = "gitlab" } else { return nil }
        return DriftRemote(host: kind, webURL: "https://\(host)/\(path)")
    }
}

/// What `assay drift` found (schema `assay.drift/v1`).
public struct DriftReport: Codable, Sendable {
    public var schema = "assay.drift/v1"
    public var sha: String
    /// What was judged: `origin/HEAD`, `main`, `master`, `HEAD`, or the `--at` revision.
    public var ref: String
    /// The judged commit's committer date.
    public var date: String
    public var subject: String
    public var remote: DriftRemote?
    public var summary: DriftSummary
    public var sources: [ClaimSourceFile]
    /// Every claim, drifting ones first (by doc and line within each group).
    public var claims: [DriftClaim]
    public var possiblyStale: [PossiblyStaleSection]
    public var comparison: DriftComparison?
    /// Recorded and backfilled points on this branch, oldest first, the judged commit last.
    public var history: [DriftPoint]
    /// What could not be read; the rest of the report stands (exit 3).
    public var warnings: [String]
    public var notices: [String]

    enum CodingKeys: String, CodingKey {
        case schema, sha, ref, date, subject, remote, summary, sources, claims, comparison, history, warnings, notices
        case possiblyStale = "possibly_stale"
    }
}

/// The drift verdicts at one commit, before history and comparison are added.
struct DriftSnapshot {
    var sha: String
    var commitTime: Int64
    var sources: [ClaimSourceFile]
    var claims: [DriftClaim]
    var possiblyStale: [PossiblyStaleSection]
    var warnings: [String]
    var notices: [String]

    var summary: DriftSummary { DriftSummary(claims: claims, docs: sources.count, possiblyStale: possiblyStale.count) }
}

/// ISO 8601 in UTC, seconds (`2026-01-31T12:00:00Z`); formatted by hand, since a date formatter per
/// call costs more than judging a claim.
func isoDate(_ time: Int64) -> String {
    var t = time_t(time)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
