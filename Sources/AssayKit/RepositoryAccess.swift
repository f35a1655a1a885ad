import AssayCore
import AssayLedger
import Foundation
import GitKit

/// Opening the repository and its ledger, with errors a user can act on.
public enum RepositoryAccess {
    /// Opens the repository that contains `path` (any directory inside a working tree, a bare
    /// repository, a linked worktree).
    public static func open(_ path: String, objectsInMemory: Bool = false) throws(AssayError) -> Repository {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AssayError("no such directory: \(path)", fix: "pass --repo with the path of a git repository")
        }
        do {
            return try Repository(discoveringFrom: path, objectsInMemory: objectsInMemory)
        } catch {
            if error.code == .notFound {
                throw AssayError("not a git repository: \(path)",
                                 fix: "run assay inside a git repository, or pass --repo PATH")
            }
            if error.code == .owner {
                throw AssayError("the repository at \(path) is owned by another user",
                                 fix: "if you trust it: git config --global --add safe.directory \(path)")
            }
            throw explain(error, doing: "open the repository at \(path)")
        }
    }

    /// The ledger of a repository: `$GIT_COMMON_DIR/assay/ledger.sqlite`, shared by linked worktrees.
    public static func ledgerPath(for repo: Repository) -> String {
        repo.commonDirectory.appendingPathComponent("assay").appendingPathComponent("ledger.sqlite").path
    }

    public static func openLedger(for repo: Repository) throws(AssayError) -> Ledger {
        try Ledger(path: ledgerPath(for: repo))
    }

    /// Turns a libgit2 error into one line that says what failed and what to do.
    public static func explain(_ error: GitError, doing action: String) -> AssayError {
        if error.isMissingObject {
            return AssayError("a git object is missing while trying to \(action): \(error.message)",
                              at: error.function,
                              fix: "fetch the missing objects (git fetch), or run where the full history is available")
        }
        if error.isCorruptObject {
            return AssayError("a git object is corrupt while trying to \(action): \(error.message)",
                              at: error.function,
                              fix: "run `git fsck` to find it, then restore it from another clone or `git fetch`")
        }
        return AssayError("could not \(action): \(error.message)", at: "\(error.function), \(error.code)")
    }

    /// Resolves revision specs into a selection, naming the spec that does not resolve.
    public static func select(_ repo: Repository, _ specs: [String], all: Bool) throws(AssayError) -> RevisionSelection {
        for spec in specs {
            for part in spec.components(separatedBy: "..").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: ".^")) })
                where !part.isEmpty {
                do { _ = try repo.resolveCommit(part) } catch {
                    if error.code == .notFound || error.code == .invalidSpec || error.code == .ambiguous || error.code == .peel {
                        if part.hasPrefix("HEAD"), (try? repo.head()) == nil {
                            throw AssayError("the repository has no commit yet (HEAD is unborn), so there is no '\(part)' to check",
                                             at: repo.workingDirectory?.path ?? repo.gitDirectory.path, fix: "commit first")
                        }
                        if repo.isShallow, error.code != .ambiguous {
                            let cut = repo.shallowBoundary.map { String($0.hex.prefix(12)) }.sorted().joined(separator: ", ")
                            throw AssayError("unknown revision '\(part)': this clone is shallow (its history stops at \(cut)), so '\(part)' may be an older commit that was not fetched",
                                             at: repo.workingDirectory?.path ?? repo.gitDirectory.path,
                                             fix: "fetch the history: `git fetch --unshallow` (in GitHub Actions: `fetch-depth: 0` on actions/checkout)")
                        }
                        throw AssayError("unknown revision '\(part)'" + (error.code == .ambiguous ? " (ambiguous)" : ""),
                                         at: repo.workingDirectory?.path ?? repo.gitDirectory.path,
                                         fix: "check it with `git rev-parse \(part)`; use a branch, tag or full SHA")
                    }
                    throw explain(error, doing: "resolve '\(part)'")
                }
            }
        }
        do { return try repo.select(specs, all: all) } catch { throw explain(error, doing: "resolve \(specs.joined(separator: " "))") }
    }
}
