import Crypto
import Foundation

/// The names a receipt is written with (docs/receipts.md). Changing any of them is a new version of
/// the format, never an edit of this one.
public enum ReceiptFormat {
    /// in-toto Statement v1.
    public static let statementType = "https://in-toto.io/Statement/v1"
    /// assay's predicate, version 1: what ran, on which commit, over which inputs, with which result.
    public static let predicateType = "https://assay.dev/receipt/v1"
    /// The subject name used when a run has no output files: the audited commit itself.
    public static let commitSubjectName = "git+commit"
    /// Where receipts are stored: one compact JSON line per receipt in the note on the commit.
    public static let notesRef = "refs/notes/assay/receipts"
    /// The DSSE payload type of a signed receipt.
    public static let payloadType = "application/vnd.in-toto+json"
    /// The predicate's `schema_version`.
    public static let schemaVersion: Int64 = 1
}

/// A file a run read or wrote, named by two digests of the same bytes: SHA-256, and the git blob id
/// (`git hash-object --no-filters`), so it can be found in, or compared with, git's objects.
public struct ReceiptFile: Hashable, Sendable, Codable {
    /// Relative to the repository's working tree when the file is inside it; else absolute.
    public var path: String
    public var sha256: String
    public var gitBlob: String

    public init(path: String, sha256: String, gitBlob: String) {
        self.path = path; self.sha256 = sha256; self.gitBlob = gitBlob
    }

    /// Both digests of `bytes`: SHA-256, and SHA-1 over `blob <size>\0<bytes>` (git's blob id).
    public static func digests(of bytes: UnsafeRawBufferPointer) -> (sha256: String, gitBlob: String) {
        let sha = SHA256.hash(data: bytes)
        var blob = Insecure.SHA1()
        blob.update(data: Array("blob \(bytes.count)".utf8) + [0])
        blob.update(bufferPointer: bytes)
        return (hexString(sha), hexString(blob.finalize()))
    }

    var json: JSONValue { .object(["path": .string(path), "sha256": .string(sha256), "git_blob": .string(gitBlob)]) }

    enum CodingKeys: String, CodingKey { case path, sha256, gitBlob = "git_blob" }
}

/// Records a stage read and wrote: records in = records out + records quarantined (DESIGN.md).
public struct RecordCounts: Hashable, Sendable, Codable {
    public var input: Int
    public var output: Int
    public var quarantined: Int
    /// Records by category, e.g. `accepted`, `rejected`, or by finding severity.
    public var byCategory: [String: Int]

    public init(input: Int = 0, output: Int = 0, quarantined: Int = 0, byCategory: [String: Int] = [:]) {
        self.input = input; self.output = output; self.quarantined = quarantined; self.byCategory = byCategory
    }

    var json: JSONValue {
        .object(["in": .int(Int64(input)), "out": .int(Int64(output)), "quarantined": .int(Int64(quarantined)),
                 "by_category": .object(byCategory.mapValues { .int(Int64($0)) })])
    }

    enum CodingKeys: String, CodingKey { case input = "in", output = "out", quarantined, byCategory = "by_category" }
}

/// What a receipt says about one run: the predicate of the in-toto Statement.
public struct ReceiptPredicate: Hashable, Sendable {
    public var runID: String
    /// The stage: `audit`, `ci`, `claims`, or a name a pipeline gives its own stage.
    public var command: String
    public var argv: [String]
    public var toolName: String
    public var toolVersion: String
    /// The full 40-hex SHA of the commit the run decided about (the note is attached to it).
    public var gitSHA: String
    public var gitTree: String
    /// True when the run could have read content that is not in `gitSHA` (a changed index or working tree).
    public var gitDirty: Bool
    public var inputFiles: [ReceiptFile]
    public var outputFiles: [ReceiptFile]
    public var policyFiles: [ReceiptFile]
    public var rubricFiles: [ReceiptFile]
    public var recordCounts: RecordCounts
    public var validationPass: Bool
    public var errors: [String]
    public var warnings: [String]
    /// The stage's answer, e.g. `pass` or `fail`.
    public var verdict: String
    /// The exit code the run ended with, when known.
    public var exitCode: Int?
    public var durationMs: Int
    /// RFC 3339, UTC, milliseconds.
    public var startedAt: String
    public var endedAt: String
    /// SHA-256 digests (64 hex) of the receipts of the stages this one consumed.
    public var parentReceipts: [String]
    /// How the run chose what to judge, e.g. an audit's `staged`, `working-tree`, `commit` or
    /// `range`; nil when the stage does not say (receipts written before this member existed).
    public var mode: String?
    /// What the verdict is about: `commit` (the content of `gitSHA`), `index` (the staged content:
    /// what the next commit would record, filed on `gitSHA`, the commit it sits on) or
    /// `working-tree`. Nil in older receipts: read it as `commit` when `gitDirty` is false.
    public var subjectKind: String?

    /// The `subjectKind` values.
    public static let subjectKinds = ["commit", "index", "working-tree"]

    public init(runID: String, command: String, argv: [String], toolName: String = "assay",
                toolVersion: String = AssayVersion.current, gitSHA: String, gitTree: String, gitDirty: Bool,
                inputFiles: [ReceiptFile], outputFiles: [ReceiptFile], policyFiles: [ReceiptFile],
                rubricFiles: [ReceiptFile], recordCounts: RecordCounts, validationPass: Bool, errors: [String],
                warnings: [String], verdict: String, exitCode: Int?, durationMs: Int, startedAt: String,
                endedAt: String, parentReceipts: [String], mode: String? = nil, subjectKind: String? = nil) {
        self.mode = mode; self.subjectKind = subjectKind
        self.runID = runID; self.command = command; self.argv = argv; self.toolName = toolName
        self.toolVersion = toolVersion; self.gitSHA = gitSHA; self.gitTree = gitTree; self.gitDirty = gitDirty
        self.inputFiles = inputFiles; self.outputFiles = outputFiles; self.policyFiles = policyFiles
        self.rubricFiles = rubricFiles; self.recordCounts = recordCounts; self.validationPass = validationPass
        self.errors = errors; self.warnings = warnings; self.verdict = verdict; self.exitCode = exitCode
        self.durationMs = durationMs; self.startedAt = startedAt; self.endedAt = endedAt
        self.parentReceipts = parentReceipts
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "schema_version": .int(ReceiptFormat.schemaVersion),
            "run_id": .string(runID),
            "command": .string(command),
            "argv": .array(argv.map { .string($0) }),
            "tool": .object(["name": .string(toolName), "version": .string(toolVersion)]),
            "git_sha": .string(gitSHA),
            "git_tree": .string(gitTree),
            "git_dirty": .bool(gitDirty),
            "input_files": .array(inputFiles.map(\.json)),
            "output_files": .array(outputFiles.map(\.json)),
            "policy_files": .array(policyFiles.map(\.json)),
            "rubric_files": .array(rubricFiles.map(\.json)),
            "record_counts": recordCounts.json,
            "validation_pass": .bool(validationPass),
            "errors": .array(errors.map { .string($0) }),
            "warnings": .array(warnings.map { .string($0) }),
            "verdict": .string(verdict),
            "duration_ms": .int(Int64(durationMs)),
            "started_at": .string(startedAt),
            "ended_at": .string(endedAt),
            "parent_receipts": .array(parentReceipts.map { .string($0) }),
        ]
        if let exitCode { o["exit_code"] = .int(Int64(exitCode)) }
        if let mode { o["mode"] = .string(mode) }
        if let subjectKind { o["subject_kind"] = .string(subjectKind) }
        return .object(o)
    }
}

/// What a run judged, beyond the commit its receipt is filed on: the predicate's `mode` and
/// `subject_kind` (a `--staged` audit is about the index, filed on the commit the index sits on).
public struct ReceiptScope: Hashable, Sendable {
    public var mode: String?
    /// `commit`, `index` or `working-tree` (`ReceiptPredicate.subjectKinds`).
    public var subjectKind: String?

    public init(mode: String? = nil, subjectKind: String? = nil) { self.mode = mode; self.subjectKind = subjectKind }
}

/// One in-toto subject: a name and its digests (`sha256` + `gitBlob` for a file, `gitCommit` for the commit).
public struct ReceiptSubject: Hashable, Sendable {
    public var name: String
    public var digest: [String: String]

    public init(name: String, digest: [String: String]) { self.name = name; self.digest = digest }

    var json: JSONValue { .object(["name": .string(name), "digest": .object(digest.mapValues { .string($0) })]) }
}

/// A receipt: an in-toto Statement v1 whose predicate is a `ReceiptPredicate`.
public struct ReceiptStatement: Hashable, Sendable {
    public var subjects: [ReceiptSubject]
    public var predicate: ReceiptPredicate

    /// Subjects follow from the predicate: the output files, or the commit when there are none.
    public init(predicate: ReceiptPredicate) {
        self.predicate = predicate
        if predicate.outputFiles.isEmpty {
            subjects = [ReceiptSubject(name: ReceiptFormat.commitSubjectName, digest: ["gitCommit": predicate.gitSHA])]
        } else {
            subjects = predicate.outputFiles.map { ReceiptSubject(name: $0.path, digest: ["sha256": $0.sha256, "gitBlob": $0.gitBlob]) }
        }
    }

    public var json: JSONValue {
        .object([
            "_type": .string(ReceiptFormat.statementType),
            "subject": .array(subjects.map(\.json)),
            "predicateType": .string(ReceiptFormat.predicateType),
            "predicate": predicate.json,
        ])
    }

    /// The receipt as stored: canonical JSON, one line, no line end.
    public var canonicalLine: String { json.canonicalText }

    /// The receipt's digest: SHA-256 (64 hex) of its canonical line.
    public var digest: String { sha256Hex(json.canonicalBytes) }
}

/// Why a note line is not a valid receipt.
public struct ReceiptFormatError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ReceiptStatement {
    /// Reads a statement back, strictly: the types, the predicate type, 40-hex SHAs, 64-hex digests,
    /// booleans that are JSON booleans. Unknown predicate members are allowed (a later minor version).
    public init(json: JSONValue) throws(ReceiptFormatError) {
        guard case .object(let top) = json else { throw ReceiptFormatError("the statement is not a JSON object") }
        guard top["_type"]?.stringValue == ReceiptFormat.statementType else {
            throw ReceiptFormatError("_type is not \(ReceiptFormat.statementType)")
        }
        guard let type = top["predicateType"]?.stringValue else { throw ReceiptFormatError("predicateType is missing") }
        guard type == ReceiptFormat.predicateType else {
            throw ReceiptFormatError("predicateType \(type) is not \(ReceiptFormat.predicateType)")
        }
        guard let subjectList = top["subject"]?.arrayValue, !subjectList.isEmpty else {
            throw ReceiptFormatError("subject is missing or empty")
        }
        var subjects: [ReceiptSubject] = []
        for s in subjectList {
            guard let name = s["name"]?.stringValue, let d = s["digest"]?.objectValue, !d.isEmpty else {
                throw ReceiptFormatError("a subject lacks a name or digests")
            }
            var digest: [String: String] = [:]
            for (k, v) in d {
                guard let v = v.stringValue else { throw ReceiptFormatError("subject \(name): digest \(k) is not a string") }
                digest[k] = v
            }
            for (k, length) in [("sha256", 64), ("gitBlob", 40), ("gitCommit", 40)] {
                if let v = digest[k], !isLowercaseHex(v, length: length) {
                    throw ReceiptFormatError("subject \(name): \(k) is not \(length) lowercase hex digits")
                }
            }
            subjects.append(ReceiptSubject(name: name, digest: digest))
        }
        guard case .object(let p)? = top["predicate"] else { throw ReceiptFormatError("predicate is missing") }
        let r = Reader(p)
        predicate = ReceiptPredicate(
            runID: try r.string("run_id"), command: try r.string("command"), argv: try r.strings("argv"),
            toolName: try r.nested("tool").string("name"), toolVersion: try r.nested("tool").string("version"),
            gitSHA: try r.hex("git_sha", 40), gitTree: try r.hex("git_tree", 40), gitDirty: try r.bool("git_dirty"),
            inputFiles: try r.files("input_files"), outputFiles: try r.files("output_files"),
            policyFiles: try r.files("policy_files"), rubricFiles: try r.files("rubric_files"),
            recordCounts: try r.counts("record_counts"), validationPass: try r.bool("validation_pass"),
            errors: try r.strings("errors"), warnings: try r.strings("warnings"), verdict: try r.string("verdict"),
            exitCode: try r.optionalInt("exit_code"), durationMs: try r.int("duration_ms"),
            startedAt: try r.timestamp("started_at"), endedAt: try r.timestamp("ended_at"),
            parentReceipts: try r.strings("parent_receipts"),
            mode: try r.optionalString("mode"), subjectKind: try r.optionalString("subject_kind"))
        if let kind = predicate.subjectKind, !ReceiptPredicate.subjectKinds.contains(kind) {
            throw ReceiptFormatError("predicate.subject_kind is \(kind), not one of \(ReceiptPredicate.subjectKinds.joined(separator: ", "))")
        }
        for parent in predicate.parentReceipts where !isLowercaseHex(parent, length: 64) {
            throw ReceiptFormatError("parent_receipts: \(parent) is not 64 lowercase hex digits")
        }
        self.subjects = subjects
    }

    private struct Reader {
        let o: [String: JSONValue]
        init(_ o: [String: JSONValue]) { self.o = o }

        func string(_ k: String) throws(ReceiptFormatError) -> String {
            guard let v = o[k]?.stringValue else { throw ReceiptFormatError("predicate.\(k) is missing or not a string") }
            return v
        }
        func optionalString(_ k: String) throws(ReceiptFormatError) -> String? {
            guard let v = o[k], v != .null else { return nil }
            guard let s = v.stringValue else { throw ReceiptFormatError("predicate.\(k) is not a string") }
            return s
        }
        func hex(_ k: String, _ length: Int) throws(ReceiptFormatError) -> String {
            let v = try string(k)
            guard isLowercaseHex(v, length: length) else { throw ReceiptFormatError("predicate.\(k) is not \(length) lowercase hex digits") }
            return v
        }
        func bool(_ k: String) throws(ReceiptFormatError) -> Bool {
            guard let v = o[k]?.boolValue else { throw ReceiptFormatError("predicate.\(k) is missing or not a boolean") }
            return v
        }
        func int(_ k: String) throws(ReceiptFormatError) -> Int {
            guard let v = o[k]?.intValue else { throw ReceiptFormatError("predicate.\(k) is missing or not an integer") }
            return Int(v)
        }
        func optionalInt(_ k: String) throws(ReceiptFormatError) -> Int? {
            guard let v = o[k], v != .null else { return nil }
            guard let i = v.intValue else { throw ReceiptFormatError("predicate.\(k) is not an integer") }
            return Int(i)
        }
        func strings(_ k: String) throws(ReceiptFormatError) -> [String] {
            guard let a = o[k]?.arrayValue else { throw ReceiptFormatError("predicate.\(k) is missing or not a list") }
            var out: [String] = []
            for v in a {
                guard let s = v.stringValue else { throw ReceiptFormatError("predicate.\(k) holds a non-string") }
                out.append(s)
            }
            return out
        }
        func timestamp(_ k: String) throws(ReceiptFormatError) -> String {
            let v = try string(k)
            guard ReceiptTime.parse(v) != nil else { throw ReceiptFormatError("predicate.\(k) is not an RFC 3339 UTC time") }
            return v
        }
        func nested(_ k: String) throws(ReceiptFormatError) -> Reader {
            guard let v = o[k]?.objectValue else { throw ReceiptFormatError("predicate.\(k) is missing or not an object") }
            return Reader(v)
        }
        func files(_ k: String) throws(ReceiptFormatError) -> [ReceiptFile] {
            guard let a = o[k]?.arrayValue else { throw ReceiptFormatError("predicate.\(k) is missing or not a list") }
            var out: [ReceiptFile] = []
            for v in a {
                guard let f = v.objectValue, let path = f["path"]?.stringValue, let sha = f["sha256"]?.stringValue,
                      let blob = f["git_blob"]?.stringValue else {
                    throw ReceiptFormatError("predicate.\(k): an entry lacks path, sha256 or git_blob")
                }
                guard isLowercaseHex(sha, length: 64), isLowercaseHex(blob, length: 40) else {
                    throw ReceiptFormatError("predicate.\(k): \(path) has a malformed digest")
                }
                out.append(ReceiptFile(path: path, sha256: sha, gitBlob: blob))
            }
            return out
        }
        func counts(_ k: String) throws(ReceiptFormatError) -> RecordCounts {
            let r = try nested(k)
            guard let cats = r.o["by_category"]?.objectValue else {
                throw ReceiptFormatError("predicate.\(k).by_category is missing or not an object")
            }
            var by: [String: Int] = [:]
            for (name, v) in cats {
                guard let i = v.intValue else { throw ReceiptFormatError("predicate.\(k).by_category.\(name) is not an integer") }
                by[name] = Int(i)
            }
            return RecordCounts(input: try r.int("in"), output: try r.int("out"), quarantined: try r.int("quarantined"), byCategory: by)
        }
    }
}

/// True when `s` is exactly `length` lowercase hex digits.
public func isLowercaseHex(_ s: String, length: Int) -> Bool {
    var n = 0
    for b in s.utf8 {
        guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
        n += 1
    }
    return n == length
}

/// Lowercase hex of bytes.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// RFC 3339 times in UTC with milliseconds (`2026-11-22T03:29:09.123Z`), written and read without a
/// date formatter (fast and locale-free).
public enum ReceiptTime {
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(ms / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let millis = Int32(((ms % 1000) + 1000) % 1000)
        return "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<from + len {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2), b[7] == UInt8(ascii: "-"),
              let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), let hour = num(11, 2),
              b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"), let second = num(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { fraction += Double(b[i] - 0x30) * scale; scale /= 10; i += 1 }
            guard i > start else { return nil }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm): no calendar object needed.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}
