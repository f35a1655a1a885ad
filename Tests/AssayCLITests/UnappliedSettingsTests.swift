import AssayTestSupport
import Foundation
import Testing

/// `--staged` reads `.assay.yml` from the index and `--commit` from the commit: an edit in the working
/// tree that they do not read is said, not silently ignored.
@Suite struct UnappliedSettingsTests {
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Settings", files: [
            ".assay.yml": "version: 1\npolicy:\n  rules:\n    todo-added: block\n",
            "src/a.py": "x = 1\n",
        ])
        return fx
    }

    func audit(_ fx: GitFixture, _ args: [String]) throws -> ProcessResult {
        try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--no-receipt"] + args, timeout: 60)
    }

    @Test func stagedAuditWarnsAboutAnUnstagedSettingsEdit() throws {
        let fx = try repo()
        try fx.write("src/a.py", "x = 1\n# TODO: y\n")
        try fx.git("add", "src/a.py")
        // No settings edit: no warning.
        let clean = try audit(fx, ["--staged"])
        #expect(clean.status == 1, "\(clean.out)")
        #expect(!clean.err.contains(".assay.yml"), "\(clean.err)")

        // The edit turns the rule off on disk only: the staged audit still blocks, and says why.
        try fx.write(".assay.yml", "version: 1\npolicy:\n  rules:\n    todo-added: off\n")
        let r = try audit(fx, ["--staged"])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.err.contains("warning: .assay.yml has changes that are not staged"), "\(r.err)")
        #expect(r.err.contains("git add .assay.yml"))
        let json = try audit(fx, ["--staged", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(((report["warnings"] as? [String]) ?? []).contains { $0.hasPrefix(".assay.yml has changes that are not staged") })

        // Staged, the edit applies and the warning goes.
        try fx.git("add", ".assay.yml")
        let staged = try audit(fx, ["--staged"])
        #expect(staged.status == 0, "\(staged.out)\(staged.err)")
        #expect(!staged.err.contains("not staged"), "\(staged.err)")
    }

    @Test func stagedAuditWarnsAboutAnUntrackedIgnoreFile() throws {
        let fx = try repo()
        try fx.write(".assayignore", "v1:0123456789abcdef0123456789abcdef src/a.py accepted\n")
        let r = try audit(fx, ["--staged"])
        #expect(r.err.contains("warning: .assayignore is not staged"), "\(r.err)")
    }

    @Test func commitAuditWarnsAboutUncommittedSettings() throws {
        let fx = try repo()
        let quiet = try audit(fx, ["--commit", "HEAD"])
        #expect(!quiet.err.contains("uncommitted"), "\(quiet.err)")
        try fx.write(".assay.yml", "version: 1\n")
        let r = try audit(fx, ["--commit", "HEAD"])
        #expect(r.err.contains("warning: .assay.yml has uncommitted changes: --commit reads the committed settings"), "\(r.err)")
        let range = try audit(fx, ["--range", "HEAD~0..HEAD"])
        #expect(range.err.contains(".assay.yml has uncommitted changes: --range"), "\(range.err)")
        // The working-tree audit reads the working tree: nothing to warn about.
        let working = try audit(fx, [])
        #expect(!working.err.contains("uncommitted") && !working.err.contains("not staged"), "\(working.err)")
    }
}
