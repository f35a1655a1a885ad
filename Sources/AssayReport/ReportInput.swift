import AssayCore

/// What every reporter reads: an audit's findings and its outcome, as plain values.
public struct ReportInput: Sendable {
    /// A rule as the reports describe it.
    public struct Rule: Sendable, Equatable {
        public var id: String
        public var name: String
        public var summary: String
        public var defaultSeverity: Severity

        public init(id: String, name: String, summary: String, defaultSeverity: Severity) {
            self.id = id; self.name = name; self.summary = summary; self.defaultSeverity = defaultSeverity
        }
    }

    public var toolVersion: String
    /// The commit the audit is tied to.
    public var sha: String
    /// `pass` or `fail`.
    public var verdict: String
    /// Why the gate failed (empty when it passed).
    public var gateReasons: [String]
    /// APPROVE, HOLD or REJECT, with the scores.
    public var decision: String
    public var utility: Int
    public var risk: Int
    /// One line: what was audited and what was found ("staged change: 10 files, 200 added lines — 1 block · 2 warn").
    public var summaryLine: String
    public var rules: [Rule]
    /// Findings that count, most severe first.
    public var findings: [Finding]
    /// Findings a suppression took out of the count.
    public var suppressed: [Finding]
    /// Distinguishes runs of the same tool in one SARIF upload (`automationDetails.id`), e.g. `assay/audit/`.
    public var category: String

    public init(toolVersion: String, sha: String, verdict: String, gateReasons: [String], decision: String, utility: Int,
                risk: Int, summaryLine: String, rules: [Rule], findings: [Finding], suppressed: [Finding],
                category: String = "assay/audit/") {
        self.toolVersion = toolVersion; self.sha = sha; self.verdict = verdict; self.gateReasons = gateReasons
        self.decision = decision; self.utility = utility; self.risk = risk; self.summaryLine = summaryLine
        self.rules = rules; self.findings = findings; self.suppressed = suppressed; self.category = category
    }
}

extension Finding {
    /// True when the finding points at a file in the repository (not a commit message or a PR body).
    var isInRepository: Bool { !path.hasPrefix("commit ") && path != "PR body" && !path.hasPrefix("/") }
}

extension Finding {
    /// The path as a URI reference (percent-encoded), from the raw bytes when the path is not
    /// valid UTF-8: `src/caf%E9.rs` names the file Latin-1 `café.rs` exactly.
    public var pathURI: String { pathBytes.map { percentEncodedPath(bytes: $0) } ?? percentEncodedPath(path) }

    /// The path for people and for places that take a path, not a URI (annotations, tables): as
    /// written when it is UTF-8; otherwise with each byte that is not valid UTF-8 percent-encoded
    /// (`src/caf%E9.rs`), never U+FFFD, so the file can still be found.
    public var displayPath: String { pathBytes.map(displayPathString) ?? path }
}

/// `bytes` decoded as UTF-8 where they are valid, each other byte written `%XX`.
public func displayPathString(_ bytes: [UInt8]) -> String {
    var out = ""
    var i = 0
    while i < bytes.count {
        let length = utf8SequenceLength(bytes, at: i)
        if length > 0 {
            out += String(decoding: bytes[i..<(i + length)], as: UTF8.self)
            i += length
        } else {
            out += percentByte(bytes[i])
            i += 1
        }
    }
    return out
}

/// The length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not
/// start one.
func utf8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
    let b = bytes[i]
    let length: Int
    switch b {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF4: length = 4
    default: return 0
    }
    guard i + length <= bytes.count else { return 0 }
    return String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil ? length : 0
}

func percentByte(_ byte: UInt8) -> String {
    let hex = String(byte, radix: 16, uppercase: true)
    return "%" + (hex.count == 1 ? "0" + hex : hex)
}

/// A repository-relative path as a URI reference: `/` kept, everything outside RFC 3986's
/// unreserved characters percent-encoded byte by byte (spaces, `%`, `#`, `?`, non-ASCII).
public func percentEncodedPath(_ path: String) -> String {
    percentEncodedPath(bytes: Array(path.utf8))
}

/// Raw path bytes (possibly not UTF-8) as a URI reference, encoded as `percentEncodedPath`.
public func percentEncodedPath(bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out += percentByte(byte)
        }
    }
    return out
}
