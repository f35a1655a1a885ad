import AssayCore
import Foundation

/// What a run that decided something tells `ReceiptWriter`: what ran, on which commit, over which
/// files, with which result. Paths are as the run used them (relative to `workingDirectory`, or absolute).
public struct RunRecord: Sendable {
    /// The stage: `audit`, `ci`, `claims`, or the name a pipeline gives its own stage.
    public var command: String
    /// The arguments the stage ran with (for assay's own commands: its command line), redacted:
    /// the values of secret options (`--token`, `--*-key`, …) and assignments (`*_TOKEN=`), and
    /// anything shaped like a credential, are `***` (receipts travel in git notes that get pushed).
    public var argv: [String] { didSet { argv = Redactor().redact(arguments: argv) } }
    /// The commit the run decided about: a full SHA or any revision git understands; nil is `HEAD`.
    /// The receipt is attached to this commit.
    public var gitSHA: String?
    /// Whether the run could have read content that is not in that commit. Nil: assay checks
    /// (`git describe --dirty`'s question: the index or tracked files differ from HEAD; a commit
    /// other than HEAD counts as dirty in a working tree). A run that read only git objects passes false.
    public var gitDirty: Bool?
    public var inputFiles: [String]
    /// Files the run wrote; they become the statement's subjects (none: the commit is the subject).
    public var outputFiles: [String]
    public var policyFiles: [String]
    public var rubricFiles: [String]
    public var recordCounts: RecordCounts
    public var validationPass: Bool
    /// Redacted like `argv`'s text.
    public var errors: [String] { didSet { errors = errors.map(Redactor().redact) } }
    public var warnings: [String] { didSet { warnings = warnings.map(Redactor().redact) } }
    /// The stage's answer, e.g. `pass` or `fail`.
    public var verdict: String
    /// The exit code the run ends with, when known.
    public var exitCode: Int?
    public var startedAt: Date
    /// Nil: when the receipt is written.
    public var endedAt: Date?
    /// SHA-256 digests (64 hex) of the receipts of the stages this one consumed.
    public var parents: [String]
    /// Relative paths are resolved against this directory; nil is the process's current directory.
    public var workingDirectory: String?

    public init(command: String, argv: [String] = Array(CommandLine.arguments.dropFirst()), gitSHA: String? = nil,
                gitDirty: Bool? = nil, inputFiles: [String] = [], outputFiles: [String] = [], policyFiles: [String] = [],
                rubricFiles: [String] = [], recordCounts: RecordCounts = RecordCounts(), validationPass: Bool = true,
                errors: [String] = [], warnings: [String] = [], verdict: String, exitCode: Int? = nil,
                startedAt: Date, endedAt: Date? = nil, parents: [String] = [], workingDirectory: String? = nil) {
        let redactor = Redactor()
        self.command = command; self.argv = redactor.redact(arguments: argv); self.gitSHA = gitSHA; self.gitDirty = gitDirty
        self.inputFiles = inputFiles; self.outputFiles = outputFiles; self.policyFiles = policyFiles
        self.rubricFiles = rubricFiles; self.recordCounts = recordCounts; self.validationPass = validationPass
        self.errors = errors.map(redactor.redact); self.warnings = warnings.map(redactor.redact); self.verdict = verdict; self.exitCode = exitCode
        self.startedAt = startedAt; self.endedAt = endedAt; self.parents = parents
        self.workingDirectory = workingDirectory
    }
}

/// A receipt that was written: its digest (what later stages list as a parent), the line stored in
/// the note, and where.
public struct ReceiptWritten: Sendable {
    /// SHA-256 (64 hex) of the statement's canonical line.
    public var digest: String
    /// The line appended to the note: the statement, or its DSSE envelope when signed.
    public var line: String
    /// `refs/notes/assay/receipts`.
    public var notesRef: String
    /// The commit the note is attached to (40 hex).
    public var commit: String
    public var signed: Bool
    public var statement: ReceiptStatement
    /// Things that did not stop the receipt but are worth saying (e.g. the ledger index was locked).
    public var warnings: [String]
    /// Where the time went, in milliseconds: resolve, git_dirty (when assay checked it), hash,
    /// statement (or statement+sign), note, ledger.
    public var phaseMilliseconds: [String: Double] = [:]
}
