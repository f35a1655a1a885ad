import AssayCore

/// A line a change adds, numbered in the new content (1-based).
public struct AddedLine: Hashable, Sendable {
    public var number: Int
    public var text: String

    public init(number: Int, text: String) { self.number = number; self.text = text }
}

/// A file as a change leaves it: the lines it adds, and the whole new content for checks that need
/// context (a test body, a conflict block). Checks read only these plain values.
public struct ChangedFile: Sendable {
    /// Repository-relative, `/`-separated.
    public var path: String
    /// The lines the change adds, in order. Every line of a new file.
    public var addedLines: [AddedLine] { didSet { addedLineNumbers = Set(addedLines.map(\.number)) } }
    /// The new content split into lines (without line ends), for text files; empty for binaries.
    public var lines: [String]
    /// True when the new content is binary (holds a NUL byte in its first 8,000 bytes, as git decides).
    public var isBinary: Bool
    /// Size of the new content in bytes.
    public var size: Int
    /// True when the change adds the file (it did not exist before).
    public var isNew: Bool
    /// The git blob id of the new content (40 hex), when known.
    public var blobID: String?

    public init(path: String, addedLines: [AddedLine], lines: [String], isBinary: Bool = false, size: Int? = nil,
                isNew: Bool = false, blobID: String? = nil) {
        self.path = path; self.addedLines = addedLines; self.addedLineNumbers = Set(addedLines.map(\.number))
        self.lines = lines; self.isBinary = isBinary
        self.size = size ?? lines.reduce(0) { $0 + $1.utf8.count + 1 }; self.isNew = isNew; self.blobID = blobID
    }

    /// A new text file: every line is added.
    public static func new(path: String, text: String) -> ChangedFile {
        let lines = ChangedFile.splitLines(text)
        return ChangedFile(path: path, addedLines: lines.enumerated().map { AddedLine(number: $0.offset + 1, text: $0.element) },
                           lines: lines, size: text.utf8.count, isNew: true)
    }

    /// Lines without their `\n` or `\r\n`; a final line end does not make an empty last line.
    /// Split on bytes: in a Swift `String`, `\r\n` is one character and never equals `"\n"`.
    public static func splitLines(_ text: String) -> [String] {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...], as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// True when `line` (1-based) is one the change adds.
    public func adds(line: Int) -> Bool {
        addedLineNumbers.contains(line)
    }

    /// The numbers of the lines the change adds, kept in step with `addedLines`.
    public private(set) var addedLineNumbers: Set<Int>
}

/// Settings a check reads from the policy (numbers only; severities are the policy's business).
public struct CheckSettings: Sendable {
    /// A binary file larger than this many bytes is a `large-binary` finding.
    public var largeBinaryBytes: Int
    /// A text file larger than this many bytes is a `large-binary` finding too, and no other check
    /// reads its lines.
    public var largeTextBytes: Int

    public static let defaultLargeBinaryBytes = 1_048_576
    public static let defaultLargeTextBytes = 10_485_760

    public init(largeBinaryBytes: Int = CheckSettings.defaultLargeBinaryBytes,
                largeTextBytes: Int = CheckSettings.defaultLargeTextBytes) {
        self.largeBinaryBytes = largeBinaryBytes; self.largeTextBytes = largeTextBytes
    }
}

/// What a check reports, before policy gives it a severity and the service a fingerprint.
public struct CheckFinding: Hashable, Sendable {
    /// First and last line (1-based) in the new content; 0 for a whole-file finding.
    public var line: Int
    public var endLine: Int
    public var message: String
    public var evidence: [String]
    /// The offending text the fingerprint is computed from (not its line number): the marker line,
    /// the test's declaration, the binary's blob id.
    public var fingerprintText: String

    public init(line: Int, endLine: Int? = nil, message: String, evidence: [String] = [], fingerprintText: String) {
        self.line = line; self.endLine = endLine ?? line; self.message = message
        self.evidence = evidence; self.fingerprintText = fingerprintText
    }
}

/// One example from a rule's description. In `text`, the marker `↓` at the start of a line says a
/// finding must land on that line; a triggering example has at least one marker, a non-triggering
/// example none (and must produce no finding).
public struct RuleExample: Sendable {
    /// The file the example plays (its extension picks the language).
    public var path: String
    public var text: String
    /// For checks that look at more than text (a binary's size): the file as a value.
    public var file: ChangedFile?
    /// Where the example is written, so a failing example points at itself.
    public var sourceFile: String
    public var sourceLine: Int

    public init(_ path: String, _ text: String, file: ChangedFile? = nil,
                sourceFile: String = #filePath, sourceLine: Int = #line) {
        self.path = path; self.text = text; self.file = file
        self.sourceFile = sourceFile; self.sourceLine = sourceLine
    }

    /// The text without markers, and the lines (1-based) the markers point at.
    public var unmarked: (text: String, marked: [Int]) {
        var marked: [Int] = []
        let lines = ChangedFile.splitLines(text).enumerated().map { (index, line) -> String in
            guard line.hasPrefix("↓") else { return line }
            marked.append(index + 1)
            return String(line.dropFirst())
        }
        return (lines.joined(separator: "\n") + "\n", marked)
    }

    /// The example as a new file (every line added), or the file value it carries.
    public var changedFile: ChangedFile {
        file ?? ChangedFile.new(path: path, text: unmarked.text)
    }
}

/// What a rule is, for `assay rules`, the generated docs and the default policy.
public struct RuleDescription: Sendable {
    /// Stable, kebab-case: `stub-marker`.
    public var id: String
    /// A few words: "Stub markers".
    public var name: String
    /// One sentence: what the rule finds.
    public var summary: String
    /// Why it matters and what to do about a finding (a short paragraph).
    public var rationale: String
    /// The severity the default policy gives it.
    public var defaultSeverity: Severity
    public var triggering: [RuleExample]
    public var nonTriggering: [RuleExample]

    public init(id: String, name: String, summary: String, rationale: String, defaultSeverity: Severity,
                triggering: [RuleExample], nonTriggering: [RuleExample]) {
        self.id = id; self.name = name; self.summary = summary; self.rationale = rationale
        self.defaultSeverity = defaultSeverity; self.triggering = triggering; self.nonTriggering = nonTriggering
    }
}

/// A static check over what a change adds to one file. Checks are pure: the same file gives the
/// same findings, with no git and no I/O.
public protocol Check: Sendable {
    static var description: RuleDescription { get }
    /// Findings on the lines `file` adds (a check may read the rest of the file for context, but
    /// reports only what the change adds).
    func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding]
}
