import Crypto

/// How much a finding matters once policy has spoken (DESIGN.md, "Findings"). `block` fails the
/// default gate, `warn` is shown and can fail a stricter gate, `info` is shown only.
public enum Severity: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case info, warn, block

    private var rank: Int {
        switch self {
        case .info: 0
        case .warn: 1
        case .block: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Why a finding is not counted against the gate.
public struct Suppression: Codable, Hashable, Sendable {
    /// `inline` (an `assay:allow` comment), `ignore-file` (`.assayignore`), `baseline` (`--baseline`
    /// or `--baseline-file`), or `admitted` (the change's own docs say the stub is a skeleton).
    public var kind: String
    public var reason: String
    /// Where the suppression is written (`path:line`), when it is written somewhere.
    public var location: String?

    public init(kind: String, reason: String, location: String? = nil) {
        self.kind = kind; self.reason = reason; self.location = location
    }
}

/// One thing a check found in what a change adds, after policy: where, what, why, and a
/// fingerprint that survives edits elsewhere in the file.
public struct Finding: Codable, Hashable, Sendable {
    public var rule: String
    public var severity: Severity
    /// Repository-relative path (`/`-separated). A path that is not valid UTF-8 shows its bad
    /// bytes as U+FFFD here; `pathBytes` keeps them.
    public var path: String
    /// The path's bytes as git stores them, when they are not valid UTF-8 (nil otherwise), so that
    /// reporters can name the file exactly (percent-encoded). Not part of the JSON report.
    public var pathBytes: [UInt8]?
    /// First and last line (1-based) in the audited content; 0 when the finding is about the whole file.
    public var line: Int
    public var endLine: Int
    /// The commit the finding was read at, or the commit the change sits on (for staged and
    /// working-tree audits).
    public var sha: String
    public var message: String
    /// What a person can look at to check the finding: the offending text, counts, thresholds.
    public var evidence: [String]
    /// `v1:` and 32 hex digits; see `Fingerprint`.
    public var fingerprint: String
    public var suppression: Suppression?
    /// Rule, path and normalized text (the fingerprint without its occurrence number), for
    /// comparing counts with a baseline; not part of the report.
    public var evidenceKey: String = ""

    public init(rule: String, severity: Severity, path: String, line: Int, endLine: Int? = nil, sha: String,
                message: String, evidence: [String] = [], fingerprint: String, suppression: Suppression? = nil) {
        self.rule = rule; self.severity = severity; self.path = path; self.line = line
        self.endLine = endLine ?? line; self.sha = sha; self.message = message; self.evidence = evidence
        self.fingerprint = fingerprint; self.suppression = suppression
    }

    enum CodingKeys: String, CodingKey {
        case rule, severity, path, line, endLine = "end_line", sha, message, evidence, fingerprint, suppression
    }
}

extension Finding {
    /// How many characters of a line a finding quotes before it cuts.
    public static let excerptLimit = 200

    /// `text` as a finding quotes it: whole when it has at most `limit` characters, else its first
    /// `limit` characters and its length, `… (10,485,760 bytes)`, so one huge line (minified code,
    /// a data blob) cannot flood a report, a PR comment or a terminal.
    public static func excerpt(_ text: String, limit: Int = excerptLimit) -> String {
        var end = text.startIndex
        var count = 0
        while end != text.endIndex && count < limit {
            end = text.index(after: end)
            count += 1
        }
        if end == text.endIndex { return text }
        return String(text[..<end]) + "… (" + grouped(text.utf8.count) + " bytes)"
    }

    /// `10,485,760`: digits grouped by three, as the reports write sizes.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (k, digit) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

/// A content fingerprint for findings that does not depend on line numbers, so baselines and
/// `.assayignore` entries survive lines inserted above a finding; changing the offending text (or
/// the rule, or the file's path) changes it.
///
/// Version 1 is the first 32 hex digits of SHA-256 over
/// `assay-fingerprint/v1 NUL rule NUL path NUL normalized-text NUL occurrence`, where the text has
/// its runs of whitespace collapsed to one space and is trimmed, and `occurrence` counts earlier
/// findings of the same rule with the same normalized text in the same file (0 for the first).
public enum Fingerprint {
    public static let version = "v1"

    public static func make(rule: String, path: String, text: String, occurrence: Int = 0) -> String {
        var hasher = SHA256()
        for part in ["assay-fingerprint/\(version)", rule, path, normalize(text), String(occurrence)] {
            hasher.update(data: Array(part.utf8))
            hasher.update(data: [0])
        }
        let digest = hasher.finalize()
        return version + ":" + digest.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whitespace runs collapsed to one space, ends trimmed: re-indenting a line keeps its fingerprint.
    public static func normalize(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}

/// Hex SHA-256 of bytes (receipts, baselines, policy file hashes).
public func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
