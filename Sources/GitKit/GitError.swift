internal import CLibGit2

/// An error from libgit2, keeping what it said: the return code, the error class, the message, and the
/// libgit2 function that failed. New codes survive as raw values.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// libgit2's return code (`git_error_code`), as a raw-representable value so unknown codes survive.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let generic = Code(rawValue: -1)
        public static let notFound = Code(rawValue: -3)
        public static let exists = Code(rawValue: -4)
        public static let ambiguous = Code(rawValue: -5)
        public static let bareRepository = Code(rawValue: -8)
        public static let unbornBranch = Code(rawValue: -9)
        public static let invalidSpec = Code(rawValue: -12)
        public static let locked = Code(rawValue: -14)
        public static let modified = Code(rawValue: -15)
        public static let peel = Code(rawValue: -19)
        public static let invalid = Code(rawValue: -21)
        public static let mismatch = Code(rawValue: -33)
        public static let owner = Code(rawValue: -36)

        public var description: String {
            switch self {
            case .generic: return "GIT_ERROR"
            case .notFound: return "GIT_ENOTFOUND"
            case .exists: return "GIT_EEXISTS"
            case .ambiguous: return "GIT_EAMBIGUOUS"
            case .bareRepository: return "GIT_EBAREREPO"
            case .unbornBranch: return "GIT_EUNBORNBRANCH"
            case .invalidSpec: return "GIT_EINVALIDSPEC"
            case .locked: return "GIT_ELOCKED"
            case .modified: return "GIT_EMODIFIED"
            case .peel: return "GIT_EPEEL"
            case .invalid: return "GIT_EINVALID"
            case .mismatch: return "GIT_EMISMATCH"
            case .owner: return "GIT_EOWNER"
            default: return "git error \(rawValue)"
            }
        }
    }

    /// libgit2's error class (`git_error_t`), e.g. 3 = GIT_ERROR_REPOSITORY, 9 = GIT_ERROR_ODB.
    public struct Class: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let none = Class(rawValue: 0)
        public static let os = Class(rawValue: 2)
        public static let repository = Class(rawValue: 6)
        public static let reference = Class(rawValue: 4)
        public static let odb = Class(rawValue: 9)
        public static let object = Class(rawValue: 11)
        public static let index = Class(rawValue: 10)
        public static let tree = Class(rawValue: 14)
        public static let zlib = Class(rawValue: 5)
    }

    public let code: Code
    public let errorClass: Class
    public let message: String
    /// The libgit2 function that returned the error, e.g. `git_revparse_single`.
    public let function: String

    public init(code: Code, errorClass: Class = .none, message: String, function: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.function = function
    }

    /// True when an object (commit, tree, blob) is absent from the object database, as in a partial clone.
    public var isMissingObject: Bool {
        code == .notFound && (errorClass == .odb || errorClass == .object || errorClass == .none)
    }

    /// True when an object exists but cannot be read (a corrupt loose object or pack).
    public var isCorruptObject: Bool {
        !isMissingObject && (errorClass == .zlib || errorClass == .odb || code == .mismatch)
    }

    public var description: String { "\(function): \(message) (\(code))" }
}

/// Reads `git_error_last()` right after a failing call.
@inline(__always)
func check(_ result: Int32, _ function: @autoclosure () -> String) throws(GitError) {
    if result < 0 { throw lastError(result, function()) }
}

func lastError(_ result: Int32, _ function: String) -> GitError {
    var message = "unknown libgit2 error"
    var klass: Int32 = 0
    if let last = git_error_last() {
        klass = last.pointee.klass
        if let m = last.pointee.message { message = String(cString: m) }
    }
    if let problem = LooseObjectGuard.takeProblem() {
        klass = Int32(GIT_ERROR_ZLIB.rawValue)
        if !message.contains(problem) { message += ": " + problem }
    }
    return GitError(code: .init(rawValue: result), errorClass: .init(rawValue: klass), message: message, function: function)
}
