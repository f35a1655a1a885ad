import AssayCore
import AssayRules
import Foundation

/// An inline suppression: `assay:allow RULE[,RULE…] reason` in a comment on the finding's line or
/// the line above. `all` allows every rule. A reason is required: an allow without one is not
/// applied, and a notice says where it is.
public struct InlineAllow: Equatable, Sendable {
    public var rules: [String]
    public var reason: String

    public static let marker = "assay:allow"

    /// The allow written on `line`, if any; `reason` is empty when none is given.
    public static func parse(_ line: String) -> InlineAllow? {
        guard let range = line.range(of: marker) else { return nil }
        var rest = line[range.upperBound...]
        // Strip comment closers that may follow: `-->`, `*/`.
        for closer in ["-->", "*/"] {
            if let end = rest.range(of: closer, options: .backwards) { rest = rest[..<end.lowerBound] }
        }
        let words = rest.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = words.first else { return InlineAllow(rules: [], reason: "") }
        let rules = first.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let reason = words.count > 1 ? String(words[1]).trimmingCharacters(in: .whitespaces) : ""
        return InlineAllow(rules: rules, reason: reason)
    }

    public func allows(_ rule: String) -> Bool { rules.contains(rule) || rules.contains("all") }

    /// True when the line is a comment and nothing else (`// …`, `# …`, `/* … */`, `<!-- … -->`, `-- …`, `; …`).
    public static func isCommentOnly(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return ["//", "#", "/*", "*", "<!--", "--", ";"].contains { t.hasPrefix($0) }
    }
}

/// `.assayignore` at the repository root: findings accepted on purpose, by fingerprint.
///
/// ```
/// # FINGERPRINT                            PATH               [expires=YYYY-MM-DD]  REASON
/// v1:3f0c2a9d4e1b7c6a5f8e9d0c1b2a3f4e     src/legacy/io.rs   expires=2027-03-31    vendored; fixed upstream in 2.1
/// ```
/// A path with spaces is written in double quotes. An entry past its expiry date no longer
/// suppresses and is reported; an entry for a file the change touches whose finding is gone is
/// reported as stale, so the list does not rot.
public struct IgnoreList: Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var fingerprint: String
        public var path: String
        /// `YYYY-MM-DD`, the last day the entry applies.
        public var expires: String?
        public var reason: String
        /// 1-based line in `.assayignore`.
        public var line: Int
    }

    public static let fileName = ".assayignore"
    public var entries: [Entry] = []

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Parses the file; a malformed line is an error naming `.assayignore:LINE` and the fix.
    public static func parse(_ bytes: [UInt8], file: String = IgnoreList.fileName) throws(AssayError) -> IgnoreList {
        var list = IgnoreList()
        let lines = ChangedFile.splitLines(String(decoding: bytes, as: UTF8.self))
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(file):\(index + 1)"
            var scanner = Substring(line)
            func word() -> String? {
                scanner = scanner.drop(while: { $0 == " " || $0 == "\t" })
                guard !scanner.isEmpty else { return nil }
                if scanner.first == "\"" {
                    let body = scanner.dropFirst()
                    guard let close = body.firstIndex(of: "\"") else { return nil }
                    scanner = body[body.index(after: close)...]
                    return String(body[..<close])
                }
                let end = scanner.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? scanner.endIndex
                defer { scanner = scanner[end...] }
                return String(scanner[..<end])
            }
            let fix = "write `FINGERPRINT PATH [expires=YYYY-MM-DD] REASON` (see `assay audit --help`)"
            guard let fingerprint = word(), fingerprint.hasPrefix(Fingerprint.version + ":"),
                  fingerprint.count == Fingerprint.version.count + 1 + 32,
                  fingerprint.dropFirst(Fingerprint.version.count + 1).allSatisfy(\.isHexDigit) else {
                throw AssayError("\(at): the entry does not start with a fingerprint (`v1:` and 32 hex digits)", at: file, fix: fix)
            }
            guard let path = word() else { throw AssayError("\(at): the entry names no path", at: file, fix: fix) }
            var expires: String?
            var rest = scanner.drop(while: { $0 == " " || $0 == "\t" })
            if rest.hasPrefix("expires=") {
                scanner = rest
                let token = word()!
                let date = String(token.dropFirst("expires=".count))
                guard IgnoreList.day(date) != nil else {
                    throw AssayError("\(at): `\(token)` is not a date", at: file, fix: "write the date as expires=YYYY-MM-DD")
                }
                expires = date
                rest = scanner.drop(while: { $0 == " " || $0 == "\t" })
            }
            let reason = rest.trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else {
                throw AssayError("\(at): the entry for \(path) gives no reason", at: file,
                                 fix: "say why the finding is accepted after the path (and the expiry date, if any)")
            }
            list.entries.append(Entry(fingerprint: fingerprint, path: path, expires: expires, reason: reason, line: index + 1))
        }
        return list
    }

    /// The number of days since 1970-01-01 of a `YYYY-MM-DD` date, or nil when it is not one.
    static func day(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Today as days since 1970-01-01 (UTC); `ASSAY_TODAY=YYYY-MM-DD` overrides it for tests and
    /// for replaying an old run.
    static func today() -> Int {
        if let fixed = ProcessInfo.processInfo.environment["ASSAY_TODAY"], let d = day(fixed) { return d }
        return Int(Date().timeIntervalSince1970 / 86_400)
    }

    public func isExpired(_ entry: Entry) -> Bool {
        guard let expires = entry.expires, let last = IgnoreList.day(expires) else { return false }
        return IgnoreList.today() > last
    }
}

/// A baseline file: the fingerprints of findings accepted as they are, written by
/// `assay audit --write-baseline FILE` and read by `--baseline-file FILE`.
public struct BaselineFile: Codable, Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var fingerprint: String
        public var rule: String
        public var path: String
        public var line: Int
        public var message: String
    }

    public var schema = BaselineFile.schemaName
    public var sha: String
    public var findings: [Entry]

    public static let schemaName = "assay.baseline/v1"

    public init(sha: String, findings: [Finding]) {
        self.sha = sha
        self.findings = findings.map { Entry(fingerprint: $0.fingerprint, rule: $0.rule, path: $0.path, line: $0.line, message: $0.message) }
    }

    public static func read(_ path: String) throws(AssayError) -> BaselineFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AssayError("cannot read the baseline file", at: path, fix: "write one with `assay audit --write-baseline \(path)`")
        }
        let file: BaselineFile
        do { file = try JSONDecoder().decode(BaselineFile.self, from: data) } catch {
            throw AssayError("the baseline file is not an assay baseline (\(error))", at: path,
                             fix: "write it again with `assay audit --write-baseline \(path)`")
        }
        guard file.schema == schemaName else {
            throw AssayError("the baseline file has schema \(file.schema); this assay reads \(schemaName)", at: path,
                             fix: "write it again with `assay audit --write-baseline \(path)`")
        }
        return file
    }
}
