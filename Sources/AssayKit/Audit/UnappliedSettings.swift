import Foundation
import GitKit

extension AuditService {
    /// Warnings for settings files (`.assay.yml`, `.assayignore`) edited in the working tree that this
    /// audit does not read: `--staged` reads the index's version, `--commit` and `--range` the
    /// committed one. Without them an edit that is not staged would be silently ignored.
    static func unappliedSettingsEdits(_ change: AuditedChange, settingsFromBase: Bool) -> [String] {
        guard !settingsFromBase, let workdir = change.repo.workingDirectory else { return [] }
        let staged: Bool
        switch change.mode {
        case .staged: staged = true
        case .commit, .range: staged = false
        case .workingTree, .pushed: return []
        }
        var warnings: [String] = []
        for name in [AssayConfig.fileName, IgnoreList.fileName] {
            let onDisk = FileManager.default.contents(atPath: workdir.appendingPathComponent(name).path).map { [UInt8]($0) }
            // What the audit reads (the index), or what HEAD holds (uncommitted edits).
            let read: [UInt8]?
            do {
                if staged {
                    read = try change.contents(of: name)
                } else {
                    guard let head = try change.repo.head(),
                          let entry = try change.repo.treeEntry(GitPath(name), atCommit: head), entry.kind == .blob else {
                        if onDisk != nil { warnings.append(uncommitted(name, change.mode, untracked: true)) }
                        continue
                    }
                    read = try change.repo.blob(entry.id)
                }
            } catch { continue }
            guard onDisk != read else { continue }
            if staged {
                let state = onDisk == nil ? "is deleted in the working tree" : read == nil ? "is not staged" : "has changes that are not staged"
                warnings.append("\(name) \(state): --staged reads the staged version, so this audit does not see the change (`git add \(name)` to use it)")
            } else {
                warnings.append(uncommitted(name, change.mode, untracked: false))
            }
        }
        return warnings
    }

    private static func uncommitted(_ name: String, _ mode: AuditMode, untracked: Bool) -> String {
        let flag = mode.name == "range" ? "--range" : "--commit"
        return "\(name) \(untracked ? "is not committed" : "has uncommitted changes"): \(flag) reads the committed settings, so this audit does not see the change"
    }
}
