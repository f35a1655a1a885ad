import AssayCore
import Foundation
import GitKit

/// The git hooks assay installs.
public enum HookKind: String, CaseIterable, Codable, Sendable {
    /// Audits the staged content.
    case preCommit = "pre-commit"
    /// Checks the claims in the commit message against the staged content.
    case commitMsg = "commit-msg"
    /// Audits what a push sends.
    case prePush = "pre-push"
    /// Audits what a push brings to a (bare) server repository, before any ref moves.
    case preReceive = "pre-receive"

    /// The hooks a repository gets when none is named: the client-side ones in a repository with a
    /// working tree, pre-receive in a bare one.
    public static func defaults(bare: Bool) -> [HookKind] { bare ? [.preReceive] : [.preCommit, .commitMsg, .prePush] }
}

/// The one script every installed hook is (`hooks/assay-hook` in the source tree; a test keeps the
/// two identical). It runs any chained hook first, then hands over to `assay hooks run HOOK`.
public enum HookScript {
    /// The line that marks a hook file as ours.
    public static let marker = "# assay-hook v1"
    /// The lines install rewrites: to name the binary that installed the hook, and the hook (so a
    /// hook manager that renames the file, as pre-commit does to `HOOK.legacy`, does not change it).
    static let binaryLine = "assay=${ASSAY_BIN:-assay}"
    static let hookLine = #"hook=$(basename "$0")"#

    public static let text = #"""
        #!/bin/sh
        # assay-hook v1: installed by `assay hooks install` as pre-commit, commit-msg, pre-push or
        # pre-receive; `assay hooks uninstall` removes it and puts back any hook it chained to.
        # Skip it once: SKIP=assay git commit ...    Turn rules off once: ASSAY_SKIP=todo-added git commit ...
        hook=$(basename "$0")
        assay=${ASSAY_BIN:-assay}
        command -v "$assay" >/dev/null 2>&1 || assay=assay
        # A hook that was here before assay's runs first, with the same arguments and input.
        chained="$(dirname "$0")/$hook.assay-chained"
        case $hook in pre-push|pre-receive) input=$(cat) ;; *) input= ;; esac
        if [ -x "$chained" ]; then
            case $hook in
                pre-push|pre-receive) printf '%s\n' "$input" | "$chained" "$@" || exit $? ;;
                *) "$chained" "$@" || exit $? ;;
            esac
        fi
        if ! command -v "$assay" >/dev/null 2>&1; then
            [ "$hook" = pre-receive ] || case ",${SKIP:-}," in *,assay,*) exit 0 ;; esac
            echo "assay: the $hook hook cannot find the assay binary: put it on PATH (or set ASSAY_BIN), skip once with SKIP=assay, or delete $0" >&2
            exit 1
        fi
        case $hook in
            pre-push|pre-receive) printf '%s\n' "$input" | "$assay" hooks run "$hook" -- "$@" ;;
            *) exec "$assay" hooks run "$hook" -- "$@" ;;
        esac
        """#

    /// The script as installed for `hook`: it names `binary` (the assay that installed it), and
    /// falls back to `assay` on PATH when that file is gone.
    public static func installed(_ hook: HookKind, binary: String?) -> String {
        var script = text.replacingOccurrences(of: hookLine, with: "hook=\(hook.rawValue)")
        if let binary {
            let quoted = "'" + binary.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
            script = script.replacingOccurrences(of: binaryLine, with: "assay=${ASSAY_BIN:-\(quoted)}")
        }
        return script
    }

    /// Whether a hook file's text is one of ours.
    public static func isOurs(_ text: String) -> Bool {
        text.split(separator: "\n", maxSplits: 3).contains { $0.hasPrefix(marker) }
    }

    /// Where a hook that was there before ours is kept and run from (`pre-commit.assay-chained`).
    public static func chainedPath(of hookFile: String) -> String { hookFile + ".assay-chained" }
    /// Where `--force` keeps the hook it replaced (`pre-commit.assay-backup`).
    public static func backupPath(of hookFile: String) -> String { hookFile + ".assay-backup" }
}

/// What install or uninstall did to one hook.
public struct HookChange: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case installed, updated, unchanged, chained, replaced, removed, restored, notInstalled = "not-installed", refused
    }
    public var hook: HookKind
    public var path: String
    public var action: Action
    public var detail: String?
}

/// Installs and removes assay's git hooks: in `core.hooksPath` when set, else `$GIT_COMMON_DIR/hooks`;
/// never overwriting a hook it did not write (without `force` it chains to it); idempotent.
public struct HookInstaller: Sendable {
    public init() {}

    /// The directory git runs hooks from.
    public static func hooksDirectory(of repo: Repository) throws(AssayError) -> URL {
        let configured: String?
        do { configured = try repo.configString("core.hooksPath") } catch {
            throw RepositoryAccess.explain(error, doing: "read core.hooksPath")
        }
        guard let configured, !configured.isEmpty else { return repo.commonDirectory.appendingPathComponent("hooks") }
        let expanded = (configured as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
        // Relative paths are relative to where hooks run: the working tree's root, or the git directory.
        return (repo.workingDirectory ?? repo.gitDirectory).appendingPathComponent(expanded)
    }

    public func install(repositoryPath: String, hooks: [HookKind]?, force: Bool, binary: String?) throws(AssayError) -> [HookChange] {
        let repo = try RepositoryAccess.open(repositoryPath)
        let directory = try Self.hooksDirectory(of: repo)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AssayError("cannot create the hooks directory", at: directory.path, fix: "check its permissions, or core.hooksPath")
        }
        var changes: [HookChange] = []
        let chosen = hooks ?? HookKind.defaults(bare: repo.isBare)
        // Husky owns its hooks directory (it rewrites `.husky/_` and finds the user's script by the
        // hook's file name): add a line to the user's script instead.
        if directory.pathComponents.contains(".husky") {
            return chosen.map { hook in
                HookChange(hook: hook, path: directory.appendingPathComponent(hook.rawValue).path, action: .refused,
                           detail: "core.hooksPath is husky's; add the line `assay hooks run \(hook.rawValue) -- \"$@\"` to .husky/\(hook.rawValue) instead")
            }
        }
        func isInside(_ dir: URL, _ root: URL) -> Bool { dir.standardizedFileURL.path.hasPrefix(root.standardizedFileURL.path + "/") }
        // Inside the working tree (tracked, shared hooks) but not in the git directory (.git/hooks).
        let inWorkingTree = repo.workingDirectory.map { isInside(directory, $0) } == true
            && !isInside(directory, repo.commonDirectory) && !isInside(directory, repo.gitDirectory)
        for hook in chosen {
            let file = directory.appendingPathComponent(hook.rawValue).path
            var change = try install(hook, at: file, script: HookScript.installed(hook, binary: binary), force: force)
            if inWorkingTree, change.action != .refused, change.action != .unchanged {
                let note = "the hooks directory is inside the working tree: the hook names this machine's assay binary (it falls back to `assay` on PATH), so commit it only if every clone has assay"
                change.detail = change.detail.map { $0 + "; " + note } ?? note
            }
            changes.append(change)
        }
        return changes
    }

    private func install(_ hook: HookKind, at file: String, script: String, force: Bool) throws(AssayError) -> HookChange {
        let fm = FileManager.default
        let chained = HookScript.chainedPath(of: file)
        func write(_ action: HookChange.Action, _ detail: String? = nil) throws(AssayError) -> HookChange {
            try Self.writeExecutable(script, to: file)
            return HookChange(hook: hook, path: file, action: action, detail: detail)
        }
        // A dangling symlink is still "a hook": never replace it silently.
        let present = (try? fm.attributesOfItem(atPath: file)) != nil
        guard present else { return try write(.installed) }
        let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        if HookScript.isOurs(existing) {
            if existing == script, Self.isExecutable(file) { return HookChange(hook: hook, path: file, action: .unchanged) }
            return try write(.updated)
        }
        // Someone else's hook.
        if force {
            let backup = HookScript.backupPath(of: file)
            if (try? fm.attributesOfItem(atPath: backup)) != nil {
                return HookChange(hook: hook, path: file, action: .refused,
                                  detail: "\(backup) already keeps an earlier hook; move it away first, so that neither is lost")
            }
            try Self.move(file, to: backup, replacing: false)
            return try write(.replaced, "the hook that was there is kept at \(backup); it no longer runs")
        }
        if (try? fm.attributesOfItem(atPath: chained)) != nil {
            return HookChange(hook: hook, path: file, action: .refused,
                              detail: "\(file) is not assay's, and \(chained) exists too; merge them by hand, or run with --force (which keeps \(file) as a backup)")
        }
        try Self.move(file, to: chained, replacing: false)
        return try write(.chained, "the hook that was there moved to \(chained) and runs first")
    }

    public func uninstall(repositoryPath: String, hooks: [HookKind]?) throws(AssayError) -> [HookChange] {
        let repo = try RepositoryAccess.open(repositoryPath)
        let directory = try Self.hooksDirectory(of: repo)
        let fm = FileManager.default
        var changes: [HookChange] = []
        for hook in hooks ?? HookKind.allCases {
            let file = directory.appendingPathComponent(hook.rawValue).path
            let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            guard fm.fileExists(atPath: file), HookScript.isOurs(existing) else {
                if hooks != nil || fm.fileExists(atPath: file) {
                    changes.append(HookChange(hook: hook, path: file, action: .notInstalled,
                                              detail: fm.fileExists(atPath: file) ? "not assay's hook; left as it is" : nil))
                }
                continue
            }
            do { try fm.removeItem(atPath: file) } catch {
                throw AssayError("cannot remove the hook", at: file, fix: "check the permissions of \(directory.path)")
            }
            let kept = [HookScript.chainedPath(of: file), HookScript.backupPath(of: file)].first { fm.fileExists(atPath: $0) }
            if let kept {
                try Self.move(kept, to: file, replacing: false)
                changes.append(HookChange(hook: hook, path: file, action: .restored, detail: "put back the hook from \(kept)"))
            } else {
                changes.append(HookChange(hook: hook, path: file, action: .removed))
            }
        }
        return changes
    }

    /// Each hook's state: ours, someone else's, or absent.
    public func status(repositoryPath: String) throws(AssayError) -> [(hook: HookKind, path: String, state: String)] {
        let repo = try RepositoryAccess.open(repositoryPath)
        let directory = try Self.hooksDirectory(of: repo)
        return HookKind.allCases.map { hook in
            let file = directory.appendingPathComponent(hook.rawValue).path
            guard FileManager.default.fileExists(atPath: file) else { return (hook, file, "absent") }
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            guard HookScript.isOurs(text) else { return (hook, file, "another tool's hook") }
            let chained = FileManager.default.fileExists(atPath: HookScript.chainedPath(of: file))
            return (hook, file, chained ? "assay (runs the hook it replaced first)" : "assay")
        }
    }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    static func writeExecutable(_ text: String, to path: String) throws(AssayError) {
        let temporary = path + ".assay-tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw AssayError("cannot write the hook", at: path, fix: "check the permissions of its directory")
        }
        // Atomic: a commit running meanwhile sees the old hook or the new one, never half of one.
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AssayError("cannot write the hook: \(reason)", at: path, fix: "check the permissions of its directory")
        }
    }

    static func move(_ from: String, to: String, replacing: Bool) throws(AssayError) {
        if !replacing, (try? FileManager.default.attributesOfItem(atPath: to)) != nil {
            throw AssayError("will not overwrite \(to)", at: from, fix: "move or delete \(to), then run again")
        }
        guard rename(from, to) == 0 else {
            throw AssayError("cannot move the hook to \(to): \(String(cString: strerror(errno)))", at: from,
                             fix: "check the permissions of the hooks directory")
        }
    }
}
