import AssayTestSupport
import Foundation
import Testing

/// Runs git in the fixture and returns its result whatever the exit status (a hook may refuse).
func gitRun(_ fx: GitFixture, _ args: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    var env = environment
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return try runProcess("git", ["-C", fx.path.path] + args, environment: env, timeout: 120)
}

func assayRun(_ fx: GitFixture, _ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    try runProcess(assayExecutable(), ["--repo", fx.path.path] + args, environment: environment, input: input, timeout: 60)
}

/// The source tree (for files the product ships: hooks/, .pre-commit-hooks.yaml).
let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct HooksInstallTests {
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        return fx
    }

    func hooksDir(_ fx: GitFixture) -> URL { fx.path.appendingPathComponent(".git/hooks") }

    @Test func theShippedScriptIsTheOneInstalled() throws {
        let shipped = try String(contentsOf: sourceRoot.appendingPathComponent("hooks/assay-hook"), encoding: .utf8)
        let fx = try repo()
        let r = try assayRun(fx, ["hooks", "install"])
        #expect(r.status == 0, "\(r.err)")
        #expect(!r.out.contains("inside the working tree"), "\(r.out)")
        for hook in ["pre-commit", "commit-msg", "pre-push"] {
            let file = hooksDir(fx).appendingPathComponent(hook)
            let installed = try String(contentsOf: file, encoding: .utf8)
            // The same script, with the hook and the installing binary named on one line each.
            let differing = zip(installed.split(separator: "\n", omittingEmptySubsequences: false),
                                shipped.split(separator: "\n", omittingEmptySubsequences: false)).filter { $0 != $1 }
            #expect(differing.map { String($0.0) } == ["hook=\(hook)", "assay=${ASSAY_BIN:-'\(assayExecutable())'}"], "\(differing)")
            #expect(FileManager.default.isExecutableFile(atPath: file.path))
            // A shell can parse it.
            #expect(try runProcess("sh", ["-n", file.path]).status == 0)
        }
        #expect(!FileManager.default.fileExists(atPath: hooksDir(fx).appendingPathComponent("pre-receive").path))
    }

    @Test func aStagedStubBlocksTheCommitAndSkipLetsItThrough() throws {
        let fx = try repo()
        #expect(try assayRun(fx, ["hooks", "install"]).status == 0)
        let before = try fx.head()
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { todo!() }\n")
        try fx.git("add", "-A")
        let refused = try gitRun(fx, ["commit", "-m", "Add g"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"), "\(refused.err)")
        #expect(refused.err.contains("SKIP=assay"))
        #expect(try fx.head() == before)
        let skipped = try gitRun(fx, ["commit", "-m", "Add g"], environment: ["SKIP": "assay"])
        #expect(skipped.status == 0, "\(skipped.err)")
        #expect(skipped.err.contains("skipped (SKIP=assay)"))
        #expect(try fx.head() != before)
    }

    @Test func aCleanCommitPassesAndGitCommitAllUsesItsTemporaryIndex() throws {
        let fx = try repo()
        #expect(try assayRun(fx, ["hooks", "install"]).status == 0)
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 2 }\n")
        let ok = try gitRun(fx, ["commit", "-a", "-m", "Change f"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.err.contains("pre-commit staged content: pass (1 file, 1 added line"), "\(ok.err)")
        // "Change f" claims nothing: commit-msg does not read the index at all.
        #expect(ok.err.contains("commit-msg commit message: pass (no claims to check)"), "\(ok.err)")
        // `commit -a` stages into a temporary index (GIT_INDEX_FILE): the stub is seen there.
        try fx.write("src/lib.rs", "pub fn f() -> u32 { unimplemented!() }\n")
        let refused = try gitRun(fx, ["commit", "-a", "-m", "Stub f"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"))
    }

    @Test func aFalseCountInTheMessageBlocksTheCommit() throws {
        let fx = try repo()
        #expect(try assayRun(fx, ["hooks", "install"]).status == 0)
        try fx.write("tests/parser.rs", "#[test]\nfn parses() { assert!(true); }\n#[test]\nfn rejects() { assert_eq!(1, 1); }\n")
        try fx.git("add", "-A")
        let before = try fx.head()
        let refused = try gitRun(fx, ["commit", "-m", "Add the parser: 5 tests passing"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("claim-contradicted"), "\(refused.err)")
        #expect(refused.err.contains("counted 2"))
        #expect(try fx.head() == before)
        // The staged count is what counts: 2 is true.
        let ok = try gitRun(fx, ["commit", "-m", "Add the parser: 2 tests passing"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.err.contains("commit-msg commit message: pass (1 claim checked)"), "\(ok.err)")
    }

    @Test func aNamedPathMissingFromTheStagedTreeBlocksTheCommit() throws {
        let fx = try repo()
        #expect(try assayRun(fx, ["hooks", "install", "--hook", "commit-msg"]).status == 0)
        try fx.write("src/parser.rs", "pub fn parse() {}\n")
        // Written but not staged: the commit would not contain it.
        try fx.write("src/lexer.rs", "pub fn lex() {}\n")
        try fx.git("add", "src/parser.rs")
        let refused = try gitRun(fx, ["commit", "-m", "Add `src/parser.rs` and `src/lexer.rs`"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("src/lexer.rs"), "\(refused.err)")
        try fx.git("add", "src/lexer.rs")
        let ok = try gitRun(fx, ["commit", "-m", "Add `src/parser.rs` and `src/lexer.rs`"])
        #expect(ok.status == 0, "\(ok.err)")
    }

    @Test func aForeignHookIsChainedNotOverwrittenAndInstallIsIdempotent() throws {
        let fx = try repo()
        let dir = hooksDir(fx)
        let marker = fx.root.appendingPathComponent("foreign-ran")
        let foreign = "#!/bin/sh\necho ran >> '\(marker.path)'\n[ -z \"$FOREIGN_FAIL\" ] || { echo 'foreign hook says no' >&2; exit 7; }\n"
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hookFile = dir.appendingPathComponent("pre-commit")
        _ = FileManager.default.createFile(atPath: hookFile.path, contents: Data(foreign.utf8), attributes: [.posixPermissions: 0o755])

        let first = try assayRun(fx, ["hooks", "install", "--format", "json"])
        #expect(first.status == 0, "\(first.err)")
        let actions = try #require(try JSONSerialization.jsonObject(with: first.stdout) as? [[String: Any]])
        #expect(actions.first { $0["hook"] as? String == "pre-commit" }?["action"] as? String == "chained")
        let chained = dir.appendingPathComponent("pre-commit.assay-chained")
        #expect(try String(contentsOf: chained, encoding: .utf8) == foreign)
        let installed = try String(contentsOf: hookFile, encoding: .utf8)

        // Again: nothing changes, nothing is chained twice.
        let second = try assayRun(fx, ["hooks", "install", "--format", "json"])
        let again = try #require(try JSONSerialization.jsonObject(with: second.stdout) as? [[String: Any]])
        #expect(again.allSatisfy { $0["action"] as? String == "unchanged" }, "\(again)")
        #expect(try String(contentsOf: hookFile, encoding: .utf8) == installed)
        #expect(try String(contentsOf: chained, encoding: .utf8) == foreign)
        #expect(!FileManager.default.fileExists(atPath: chained.path + ".assay-chained"))

        // Both run: the foreign hook first, then assay (which blocks the stub).
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        try fx.git("add", "-A")
        let refused = try gitRun(fx, ["commit", "-m", "stub"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"))
        #expect(try String(contentsOf: marker, encoding: .utf8) == "ran\n")
        // The foreign hook's own refusal still stops the commit.
        try fx.write("src/stub.rs", "fn s() {}\n")
        try fx.git("add", "-A")
        let foreignNo = try gitRun(fx, ["commit", "-m", "clean"], environment: ["FOREIGN_FAIL": "1"])
        #expect(foreignNo.status != 0)
        #expect(foreignNo.err.contains("foreign hook says no"))
        // SKIP=assay skips assay only: the foreign hook still runs.
        let skipped = try gitRun(fx, ["commit", "-m", "clean"], environment: ["SKIP": "assay"])
        #expect(skipped.status == 0, "\(skipped.err)")
        #expect(try String(contentsOf: marker, encoding: .utf8) == "ran\nran\nran\n")

        // Uninstall puts the foreign hook back as it was and removes the others.
        let removed = try assayRun(fx, ["hooks", "uninstall"])
        #expect(removed.status == 0, "\(removed.err)")
        #expect(try String(contentsOf: hookFile, encoding: .utf8) == foreign)
        #expect(!FileManager.default.fileExists(atPath: chained.path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("commit-msg").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pre-push").path))
    }

    @Test func forceReplacesAForeignHookAndKeepsABackup() throws {
        let fx = try repo()
        let dir = hooksDir(fx)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let foreign = "#!/bin/sh\nexit 0\n"
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("pre-push").path, contents: Data(foreign.utf8),
                                       attributes: [.posixPermissions: 0o755])
        let r = try assayRun(fx, ["hooks", "install", "--hook", "pre-push", "--force"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("pre-push: replaced"))
        #expect(try String(contentsOf: dir.appendingPathComponent("pre-push.assay-backup"), encoding: .utf8) == foreign)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pre-push.assay-chained").path))
        #expect(try String(contentsOf: dir.appendingPathComponent("pre-push"), encoding: .utf8).contains("# assay-hook v1"))
        #expect(try assayRun(fx, ["hooks", "uninstall"]).status == 0)
        #expect(try String(contentsOf: dir.appendingPathComponent("pre-push"), encoding: .utf8) == foreign)
    }

    @Test func coreHooksPathIsHonoured() throws {
        let fx = try repo()
        try fx.git("config", "core.hooksPath", ".githooks")
        let r = try assayRun(fx, ["hooks", "install"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("inside the working tree"), "\(r.out)")
        let custom = fx.path.appendingPathComponent(".githooks/pre-commit")
        #expect(FileManager.default.isExecutableFile(atPath: custom.path))
        #expect(!FileManager.default.fileExists(atPath: hooksDir(fx).appendingPathComponent("pre-commit").path))
        // git runs it from there.
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        try fx.git("add", "src/stub.rs")
        let refused = try gitRun(fx, ["commit", "-m", "stub"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"))
        let status = try assayRun(fx, ["hooks", "status"])
        #expect(status.out.contains(".githooks/pre-commit"))
    }

    @Test func aHookManagerThatRenamesOurHookStillRunsIt() throws {
        // `pre-commit install` moves an existing hook to pre-commit.legacy and runs it from there.
        let fx = try repo()
        #expect(try assayRun(fx, ["hooks", "install", "--hook", "pre-commit"]).status == 0)
        try fx.write(".pre-commit-config.yaml", "repos: []\n")
        try fx.git("add", ".pre-commit-config.yaml")
        let env = ["PRE_COMMIT_HOME": fx.root.appendingPathComponent("pre-commit-home").path]
        let install = try runProcess("python3", ["-m", "pre_commit", "install"], in: fx.path, environment: env, timeout: 300)
        #expect(install.status == 0, "\(install.out)\(install.err)")
        #expect(FileManager.default.fileExists(atPath: hooksDir(fx).appendingPathComponent("pre-commit.legacy").path))
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        try fx.git("add", "-A")
        let refused = try gitRun(fx, ["commit", "-m", "stub"], environment: env)
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"), "\(refused.out)\(refused.err)")
    }

    @Test func husksHooksDirectoryIsLeftToHusky() throws {
        let fx = try repo()
        try fx.git("config", "core.hooksPath", ".husky/_")
        let r = try assayRun(fx, ["hooks", "install"])
        #expect(r.status == 2)
        #expect(r.out.contains("assay hooks run pre-commit"), "\(r.out)")
        #expect(!FileManager.default.fileExists(atPath: fx.path.appendingPathComponent(".husky/_/pre-commit").path))
    }

    @Test func forceKeepsOneBackupAndNeverOverwritesIt() throws {
        let fx = try repo()
        let dir = hooksDir(fx)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in [("pre-commit", "#!/bin/sh\nexit 0 # new\n"), ("pre-commit.assay-backup", "#!/bin/sh\nexit 0 # old\n")] {
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(text.utf8),
                                           attributes: [.posixPermissions: 0o755])
        }
        let r = try assayRun(fx, ["hooks", "install", "--hook", "pre-commit", "--force"])
        #expect(r.status == 2)
        #expect(r.out.contains("refused"))
        #expect(try String(contentsOf: dir.appendingPathComponent("pre-commit"), encoding: .utf8).contains("# new"))
        #expect(try String(contentsOf: dir.appendingPathComponent("pre-commit.assay-backup"), encoding: .utf8).contains("# old"))
    }

    @Test func anUnknownHookNameIsAUsageError() throws {
        let fx = try repo()
        let r = try assayRun(fx, ["hooks", "install", "--hook", "post-commit"])
        #expect(r.status == 2)
        #expect(r.err.contains("pre-commit"), "\(r.err)")
    }
}

@Suite struct HooksPushTests {
    /// A working repository with a bare remote `origin`, `main` pushed, and the hooks installed.
    func setUp() throws -> (GitFixture, GitFixture) {
        let remote = try GitFixture(bare: true)
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("remote", "add", "origin", remote.path.path)
        try fx.git("push", "-q", "origin", "main")
        #expect(try assayRun(fx, ["hooks", "install"]).status == 0)
        return (fx, remote)
    }

    /// A bare server repository with assay's pre-receive hook (the default in a bare repository),
    /// and a working repository that has pushed `main` to it as `origin`.
    func serverWithPreReceive() throws -> (GitFixture, GitFixture) {
        let server = try GitFixture(bare: true)
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("remote", "add", "origin", server.path.path)
        try fx.git("push", "-q", "origin", "main")
        let installed = try assayRun(server, ["hooks", "install"])
        #expect(installed.status == 0, "\(installed.err)")
        #expect(installed.out.contains("pre-receive: installed"))
        return (fx, server)
    }

    func remoteRefs(_ remote: GitFixture) throws -> [String] {
        try remote.lines("for-each-ref", "--format=%(refname)")
    }

    @Test func aPushOfABranchWithAStubIsRefused() throws {
        let (fx, remote) = try setUp()
        try fx.git("checkout", "-q", "-b", "feature")
        try fx.write("src/feature.rs", "pub fn feature() { todo!() }\n")
        try fx.git("add", "-A")
        // Committed past the pre-commit hook; the push is the next line of defence.
        #expect(try gitRun(fx, ["commit", "-m", "feature"], environment: ["SKIP": "assay"]).status == 0)
        try fx.commit("more", files: ["src/more.rs": "pub fn more() {}\n"])
        let refused = try gitRun(fx, ["push", "origin", "feature"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"), "\(refused.err)")
        #expect(refused.err.contains("refs/heads/feature"))
        #expect(try !remoteRefs(remote).contains("refs/heads/feature"))
        let skipped = try gitRun(fx, ["push", "origin", "feature"], environment: ["SKIP": "assay"])
        #expect(skipped.status == 0, "\(skipped.err)")
        #expect(try remoteRefs(remote).contains("refs/heads/feature"))
    }

    @Test func onlyWhatIsPushedIsAudited() throws {
        let (fx, remote) = try setUp()
        // main already has a stub on the remote (pushed before the hooks existed).
        try fx.git("config", "core.hooksPath", "/dev/null")
        try fx.commit("old stub", files: ["src/old.rs": "fn old() { todo!() }\n"])
        try fx.git("push", "-q", "origin", "main")
        try fx.git("config", "--unset", "core.hooksPath")
        // A clean commit on top: the push sends only it, and passes.
        try fx.commit("clean", files: ["src/new.rs": "fn new() {}\n"])
        let ok = try gitRun(fx, ["push", "origin", "main"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.err.contains("pre-push refs/heads/main → refs/heads/main: pass (1 file"), "\(ok.err)")
        // A new branch made from pushed commits adds nothing new: it passes too.
        try fx.git("branch", "copy")
        let copy = try gitRun(fx, ["push", "origin", "copy"])
        #expect(copy.status == 0, "\(copy.err)")
        // Deleting a branch is not audited.
        let deleted = try gitRun(fx, ["push", "origin", ":copy"])
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(try !remoteRefs(remote).contains("refs/heads/copy"))
    }

    @Test func aForeignPrePushHookThatIgnoresItsInputIsChained() throws {
        let remote = try GitFixture(bare: true)
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("remote", "add", "origin", remote.path.path)
        let dir = fx.path.appendingPathComponent(".git/hooks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let marker = fx.root.appendingPathComponent("foreign-pre-push")
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("pre-push").path,
                                       contents: Data("#!/bin/sh\necho \"$1\" > '\(marker.path)'\nexit 0\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        #expect(try assayRun(fx, ["hooks", "install", "--hook", "pre-push"]).status == 0)
        let ok = try gitRun(fx, ["push", "origin", "main"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(try String(contentsOf: marker, encoding: .utf8) == "origin\n")
        try fx.write("src/s.rs", "fn s() { todo!() }\n")
        try fx.git("add", "-A")
        try fx.gitData(["commit", "-q", "-m", "stub"])
        let refused = try gitRun(fx, ["push", "origin", "main"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"))
    }

    @Test func tagsAreNotAuditedAndABranchThatMergedMainIsChargedOnlyWithItsOwnChanges() throws {
        let (fx, remote) = try setUp()
        // main gets a stub that reached the remote before the hooks (it is the remote's now).
        try fx.git("checkout", "-q", "-b", "feature")
        try fx.git("checkout", "-q", "main")
        try fx.write("src/old.rs", "fn old() { todo!() }\n")
        try fx.git("add", "-A")
        #expect(try gitRun(fx, ["commit", "-m", "old stub"], environment: ["SKIP": "assay"]).status == 0)
        #expect(try gitRun(fx, ["push", "origin", "main"], environment: ["SKIP": "assay"]).status == 0)
        // A tag is not a change to audit, even on a commit the remote does not have.
        try fx.git("checkout", "-q", "--detach")
        try fx.write("src/tagged.rs", "fn tagged() { todo!() }\n")
        try fx.git("add", "-A")
        #expect(try gitRun(fx, ["commit", "-m", "tagged stub"], environment: ["SKIP": "assay"]).status == 0)
        try fx.git("tag", "-a", "v1", "-m", "v1")
        try fx.git("checkout", "-q", "main")
        let tag = try gitRun(fx, ["push", "origin", "v1"])
        #expect(tag.status == 0, "\(tag.err)")
        #expect(try remoteRefs(remote).contains("refs/tags/v1"))
        // A new branch that merged main: its own change is clean.
        try fx.git("checkout", "-q", "feature")
        try fx.write("src/feature.rs", "pub fn feature() {}\n")
        try fx.git("add", "-A")
        #expect(try gitRun(fx, ["commit", "-m", "feature"]).status == 0)
        #expect(try gitRun(fx, ["merge", "-q", "--no-edit", "main"], environment: fx.dateEnvironment()).status == 0)
        let pushed = try gitRun(fx, ["push", "origin", "feature"])
        #expect(pushed.status == 0, "\(pushed.err)")
        #expect(try remoteRefs(remote).contains("refs/heads/feature"))
    }

    @Test func preReceiveReadsTheRulesFromTheBaseNotFromThePush() throws {
        let (fx, server) = try serverWithPreReceive()
        // The push turns the stub rule off in the same change that adds a stub.
        try fx.commit("sneak", files: [".assay.yml": "policy:\n  rules:\n    stub-marker: off\n",
                                        "src/s.rs": "fn s() { todo!() }\n"])
        // (The server fixture must outlive the push: its deinit deletes the repository.)
        let refused = try withExtendedLifetime(server) { try gitRun(fx, ["push", "origin", "main"]) }
        #expect(refused.status != 0)
        #expect(refused.err.contains("stub-marker"), "\(refused.err)")
        #expect(refused.err.contains("the change edits .assay.yml"))
    }

    @Test func aServerPolicyInGitConfigGovernsPreReceive() throws {
        let (fx, server) = try serverWithPreReceive()
        // A TODO is only a warning by default: the push goes through.
        try fx.commit("todo", files: ["src/a.rs": "// TODO: later\nfn a() {}\n"])
        #expect(try gitRun(fx, ["push", "origin", "main"]).status == 0)
        // The server's owner makes TODOs block, in a policy file the pushers cannot edit.
        let policy = server.root.appendingPathComponent("server-policy.yml")
        try Data("rules:\n  todo-added: block\n".utf8).write(to: policy)
        try server.git("config", "assay.policy", policy.path)
        try fx.commit("another todo", files: ["src/b.rs": "// TODO: also later\nfn b() {}\n"])
        let refused = try gitRun(fx, ["push", "origin", "main"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("todo-added"), "\(refused.err)")
        // A policy file that is gone is a clear error, and the push is refused (exit 2).
        try server.git("config", "assay.policy", "/nonexistent/policy.yml")
        let broken = try gitRun(fx, ["push", "origin", "main"])
        #expect(broken.status != 0)
        #expect(broken.err.contains("the server's policy file does not exist"), "\(broken.err)")
    }

    @Test func prePushReadsGitsLinesFromStandardInput() throws {
        let (fx, _) = try setUp()
        let base = try fx.head()
        try fx.write("src/s.rs", "fn s() { unimplemented!() }\n")
        try fx.git("add", "-A")
        #expect(try gitRun(fx, ["commit", "-m", "stub"], environment: ["SKIP": "assay"]).status == 0)
        let tip = try fx.head()
        let zero = String(repeating: "0", count: 40)
        let lines = "refs/heads/main \(tip) refs/heads/main \(base)\nrefs/heads/gone \(zero) refs/heads/gone \(base)\n"
        let r = try assayRun(fx, ["hooks", "run", "pre-push", "--", "origin", "url"], input: Data(lines.utf8))
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("stub-marker"))
        // Only the deletion: nothing to audit.
        let onlyDeletion = try assayRun(fx, ["hooks", "run", "pre-push", "--", "origin", "url"],
                                        input: Data("refs/heads/gone \(zero) refs/heads/gone \(base)\n".utf8))
        #expect(onlyDeletion.status == 0, "\(onlyDeletion.err)")
    }

    @Test func preReceiveOnABareServerRefusesAStubAndKeepsTheRef() throws {
        let (fx, server) = try serverWithPreReceive()
        let before = try server.rev("refs/heads/main")

        try fx.commit("stub", files: ["src/s.rs": "fn s() { todo!() }\n"])
        let refused = try gitRun(fx, ["push", "origin", "main"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("pre-receive hook declined"), "\(refused.err)")
        #expect(refused.err.contains("stub-marker"))
        #expect(try server.rev("refs/heads/main") == before)
        // The quarantined objects did not land either.
        let tip = try fx.head()
        #expect(try runProcess("git", ["-C", server.path.path, "cat-file", "-e", tip]).status != 0)

        // A new branch with a stub is refused; a clean one is accepted.
        try fx.git("checkout", "-q", "-b", "topic", before)
        try fx.commit("topic stub", files: ["src/t.rs": "fn t() { todo!() }\n"])
        #expect(try gitRun(fx, ["push", "origin", "topic"]).status != 0)
        try fx.git("checkout", "-q", "-b", "clean", before)
        try fx.commit("clean", files: ["src/c.rs": "fn c() {}\n"])
        let ok = try gitRun(fx, ["push", "origin", "clean"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(try server.rev("refs/heads/clean") == fx.head())
        // The pusher cannot skip the server's gate: a push to a local path hands the pusher's
        // environment to the server's hook, SKIP and ASSAY_SKIP included.
        try fx.git("checkout", "-q", "topic")
        let skipped = try gitRun(fx, ["push", "origin", "topic"], environment: ["SKIP": "assay", "ASSAY_SKIP": "stub-marker"])
        #expect(skipped.status != 0)
        #expect(skipped.err.contains("stub-marker"), "\(skipped.err)")
        #expect(try !server.lines("for-each-ref", "--format=%(refname)").contains("refs/heads/topic"))
    }
}

@Suite struct PreCommitFrameworkTests {
    /// The real `pre-commit` tool (pip's pre-commit, installed by .ci/run).
    func preCommit(_ args: [String], in fx: GitFixture, environment: [String: String]) throws -> ProcessResult {
        try runProcess("python3", ["-m", "pre_commit"] + args, in: fx.path, environment: environment, timeout: 300)
    }

    @Test func theManifestsThreeHooksRunThroughPreCommit() throws {
        // A hook repository holding our manifest, as users reference this repository.
        let hookRepo = try GitFixture()
        let manifest = try Data(contentsOf: sourceRoot.appendingPathComponent(".pre-commit-hooks.yaml"))
        try hookRepo.write(".pre-commit-hooks.yaml", manifest)
        let rev = try hookRepo.commit("manifest")

        let remote = try GitFixture(bare: true)
        let fx = try GitFixture()
        try fx.write(".pre-commit-config.yaml", """
            default_install_hook_types: [pre-commit, commit-msg, pre-push]
            repos:
              - repo: \(hookRepo.path.path)
                rev: \(rev)
                hooks:
                  - id: assay
                  - id: assay-commit-msg
                  - id: assay-pre-push

            """)
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("remote", "add", "origin", remote.path.path)
        try fx.git("push", "-q", "origin", "main")
        let binDir = URL(fileURLWithPath: assayExecutable()).deletingLastPathComponent().path
        let env = ["PRE_COMMIT_HOME": fx.root.appendingPathComponent("pre-commit-home").path,
                   "PATH": binDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let install = try preCommit(["install"], in: fx, environment: env)
        #expect(install.status == 0, "\(install.out)\(install.err)")

        // pre-commit stage: a staged stub is refused.
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        try fx.git("add", "-A")
        let stub = try gitRun(fx, ["commit", "-m", "stub"], environment: env)
        #expect(stub.status != 0)
        #expect((stub.out + stub.err).contains("stub-marker"), "\(stub.out)\(stub.err)")
        // commit-msg stage: a false count is refused (the content is clean now).
        try fx.write("src/stub.rs", "fn s() {}\n")
        try fx.write("tests/t.rs", "#[test]\nfn one() { assert!(true); }\n")
        try fx.git("add", "-A")
        let count = try gitRun(fx, ["commit", "-m", "Tests: 9 tests passing"], environment: env)
        #expect(count.status != 0)
        #expect((count.out + count.err).contains("claim-contradicted"), "\(count.out)\(count.err)")
        let ok = try gitRun(fx, ["commit", "-m", "Tests: 1 test passing"], environment: env)
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
        // pre-push stage: a commit with a stub (let past the commit hooks) is refused on push.
        try fx.write("src/later.rs", "fn later() { unimplemented!() }\n")
        try fx.git("add", "-A")
        #expect(try gitRun(fx, ["commit", "-m", "later"], environment: env.merging(["SKIP": "assay"]) { $1 }).status == 0)
        let push = try gitRun(fx, ["push", "origin", "main"], environment: env)
        #expect(push.status != 0)
        #expect((push.out + push.err).contains("stub-marker"), "\(push.out)\(push.err)")
        #expect(try remote.rev("refs/heads/main") != fx.head())
    }
}
