/// How an assay run ended, as the process exit code (DESIGN.md): 0 pass, 1 gate failed,
/// 2 could not run, 3 partial (some inputs unreadable; the rest reported).
public enum ExitStatus: Int32, Sendable {
    case pass = 0
    case gateFailed = 1
    case couldNotRun = 2
    case partial = 3
}

/// An error a user can act on: what went wrong, where, and what to do about it. Services throw it;
/// the command line prints `assay: <what> (<where>) — <fix>` and exits with `status`.
public struct AssayError: Error, CustomStringConvertible, Sendable {
    public var what: String
    public var location: String?
    public var fix: String?
    public var status: ExitStatus

    public init(_ what: String, at location: String? = nil, fix: String? = nil, status: ExitStatus = .couldNotRun) {
        self.what = what; self.location = location; self.fix = fix; self.status = status
    }

    /// One line: what, where, what to do.
    public var description: String {
        var line = what
        if let location { line += " (\(location))" }
        if let fix { line += " — \(fix)" }
        return line
    }
}
