import AssayTestSupport
import Foundation
import Testing

/// Runs `assay audit` in the fixture with `--format json`; returns the result and the parsed report.
func audit(_ fx: GitFixture, _ args: [String], environment: [String: String] = [:]) throws -> (ProcessResult, [String: Any]) {
    // No audit of these small repositories takes seconds: one that hangs is killed and fails.
    let r = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--format", "json"] + args,
                           environment: environment, timeout: 60)
    let json = (try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]) ?? [:]
    return (r, json)
}

func findings(_ json: [String: Any], _ key: String = "findings") -> [[String: Any]] {
    (json[key] as? [[String: Any]]) ?? []
}

func rules(_ json: [String: Any], _ key: String = "findings") -> [String] {
    findings(json, key).compactMap { $0["rule"] as? String }.sorted()
}

@Suite struct AuditModeTests {
    func base() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n", "README.md": "# x\n"])
        return fx
    }

    @Test func stagedReadsTheIndexNotTheWorkingTree() throws {
        // A stub staged, then cleaned in the working tree: the staged content still fails.
        let fx = try base()
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { todo!() }\n")
        try fx.git("add", "src/lib.rs")
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { 2 }\n")
        let (staged, json) = try audit(fx, ["--staged"])
        #expect(staged.status == 1, "\(staged.err)")
        #expect(rules(json) == ["stub-marker"])
        #expect(json["mode"] as? String == "staged")
        let first = try #require(findings(json).first)
        #expect(first["line"] as? Int == 2)
        #expect(first["path"] as? String == "src/lib.rs")
        // The working tree (no flag) is clean of it.
        let (working, wjson) = try audit(fx, [])
        #expect(working.status == 0, "\(working.out)")
        #expect(rules(wjson).isEmpty)
    }

    @Test func stagedCleanWithAStubOnlyInTheWorkingTreePasses() throws {
        let fx = try base()
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { 2 }\n")
        try fx.git("add", "src/lib.rs")
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { unimplemented!() }\n")
        let (staged, json) = try audit(fx, ["--staged"])
        #expect(staged.status == 0, "\(staged.out)")
        #expect(rules(json).isEmpty)
        let (working, wjson) = try audit(fx, [])
        #expect(working.status == 1)
        #expect(rules(wjson) == ["stub-marker"])
    }

    @Test func gitIndexFileIsHonoured() throws {
        // `git commit -a` and `git commit PATH` run the pre-commit hook on a temporary index named
        // by GIT_INDEX_FILE: that is the staged content.
        let fx = try base()
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        try fx.git("add", "src/stub.rs")
        let alternate = fx.root.appendingPathComponent("alternate-index")
        try FileManager.default.copyItem(at: fx.path.appendingPathComponent(".git/index"), to: alternate)
        try fx.git("rm", "-q", "--cached", "src/stub.rs")
        #expect(try audit(fx, ["--staged"]).0.status == 0)
        let (r, json) = try audit(fx, ["--staged"], environment: ["GIT_INDEX_FILE": alternate.path])
        #expect(r.status == 1)
        #expect(rules(json) == ["stub-marker"])
    }

    @Test func theListingOfHeadIsCachedAndCarriedAcrossCommits() throws {
        let fx = try base()
        try fx.commit("more", files: ["src/a.rs": "fn a() {}\n", "src/b/c.rs": "fn c() {}\n", "docs/x.md": "# x\n"])
        try fx.write("src/a.rs", "fn a() {}\nfn a2() {}\n")
        try fx.git("add", "-A")
        #expect(try audit(fx, ["--staged"]).0.status == 0)
        let cache = fx.path.appendingPathComponent(".git/assay/cache")
        let first = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix("listing-") }
        #expect(first == ["listing-\(try fx.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines))"])
        // A commit moves HEAD: the next audit carries the listing forward by a tree diff.
        try fx.git("commit", "-qm", "a2")
        try fx.git("rm", "-q", "src/b/c.rs")
        try fx.write("src/b.rs", "fn b() { todo!() }\n")
        try fx.write("src/a.rs", "fn a() {}\nfn a2() {}\nfn a3() { unimplemented!() }\n")
        try fx.git("add", "-A")
        let (r, json) = try audit(fx, ["--staged"])
        #expect(r.status == 1)
        #expect(findings(json).compactMap { $0["path"] as? String } == ["src/a.rs", "src/b.rs"])
        #expect(findings(json).compactMap { $0["line"] as? Int } == [3, 1])
        // What the audit compared is what git compares.
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["files"] as? Int == 2)
        #expect(summary["added_lines"] as? Int == 2)
        let carried = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix("listing-") }
        #expect(carried.contains("listing-\(try fx.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines))"))
        #expect(carried.count <= 2)
    }

    @Test func crlfFilesAreCheckedLineByLine() throws {
        let fx = try base()
        try fx.commit("windows file", files: ["src/Program.cs": "class A {\r\n  int x;\r\n}\r\n"])
        try fx.write("src/Program.cs", "class A {\r\n  int x;\r\n  // TODO: remove hack\r\n}\r\n")
        let (_, json) = try audit(fx, [])
        #expect(findings(json).map { "\($0["rule"] as? String ?? "") \($0["line"] as? Int ?? 0)" } == ["todo-added 3"])
    }

    @Test func aMovedFileAddsNothing() throws {
        let fx = try base()
        try fx.commit("legacy", files: ["legacy/io.rs": "fn read() { todo!() }\n// TODO: old\n"])
        try fx.git("mv", "legacy/io.rs", "src/io.rs")
        let (r, json) = try audit(fx, ["--staged"])
        #expect(r.status == 0, "\(r.out)")
        #expect(findings(json).isEmpty)
    }

    @Test func aMovedAndEditedFileAddsOnlyItsEdits() throws {
        let fx = try base()
        let body = (1...12).map { "fn f\($0)() -> u32 { \($0) }" }.joined(separator: "\n")
        try fx.commit("legacy", files: ["legacy/io.rs": "fn read() { todo!() }\n" + body + "\n"])
        try fx.git("mv", "legacy/io.rs", "src/io.rs")
        try fx.write("src/io.rs", "fn read() { todo!() }\n" + body + "\nfn write() { unimplemented!() }\n")
        try fx.git("add", "-A")
        let (r, json) = try audit(fx, ["--staged"])
        #expect(r.status == 1)
        // Only the edit is new: the old todo!() moved with the file.
        #expect(findings(json).compactMap { $0["line"] as? Int } == [14])
        #expect((json["summary"] as? [String: Any])?["added_lines"] as? Int == 1)
    }

    @Test func commitTakesOneRevision() throws {
        let fx = try base()
        try fx.commit("second", files: ["src/b.rs": "fn b() {}\n"])
        let r = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--commit", "HEAD~1..HEAD"])
        #expect(r.status == 2)
        #expect(r.err.contains("--range"))
        let caret = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--range", "^HEAD~1..HEAD"])
        #expect(caret.status == 2, "\(caret.err)")
    }

    @Test func filesOutsideASparseCheckoutAreNotDeletions() throws {
        let fx = try base()
        try fx.git("update-index", "--skip-worktree", "src/lib.rs")
        try fx.remove("src/lib.rs")
        try fx.write("PLAN.md", "# Plan\n- [x] `src/lib.rs` — the library\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 0, "\(r.out)")
        let claims = (json["claims"] as? [[String: Any]]) ?? []
        #expect(claims.compactMap { $0["verdict"] as? String } == ["verified"])
    }

    @Test func aFileReplacingAFolderKeepsClaimsRight() throws {
        let fx = try base()
        try fx.commit("a folder", files: ["tools/gen.py/main.rs": "fn main() {}\n"])
        try fx.git("rm", "-rq", "tools/gen.py")
        try fx.write("tools/gen.py", "print('gen')\n")
        try fx.git("rm", "-q", "src/lib.rs")
        try fx.write("src/lib.rs/mod.rs", "pub fn f() -> u32 { 1 }\n")
        try fx.write("PLAN.md", "# Plan\n- [x] `tools/gen.py` — a script now\n- [x] `src/lib.rs/mod.rs` — a module now\n")
        try fx.git("add", "-A")
        let (r, json) = try audit(fx, ["--staged"])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        let claims = (json["claims"] as? [[String: Any]]) ?? []
        #expect(claims.compactMap { $0["verdict"] as? String } == ["verified", "verified"])
    }

    @Test func workingTreeIncludesUntrackedButNotIgnoredFiles() throws {
        let fx = try base()
        try fx.commit("ignore", files: [".gitignore": "build/\n"])
        try fx.write("src/new.py", "def f():\n    raise NotImplementedError\n")
        try fx.write("build/gen.py", "def g():\n    raise NotImplementedError\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect(findings(json).compactMap { $0["path"] as? String } == ["src/new.py"])
    }

    @Test func commitModeAuditsOneCommitAgainstItsParent() throws {
        let fx = try base()
        try fx.commit("feature A", files: ["src/a.go": "package a\n\nfunc A() {\n\tpanic(\"TODO\")\n}\n"])
        try fx.commit("clean", files: ["src/b.go": "package a\n\nfunc B() int { return 1 }\n"])
        let (stub, json) = try audit(fx, ["--commit", "HEAD~1"])
        #expect(stub.status == 1)
        #expect(rules(json) == ["stub-marker"])
        #expect(json["sha"] as? String == (try fx.rev("HEAD~1")))
        #expect(json["base"] as? String == (try fx.rev("HEAD~2")))
        let (clean, _) = try audit(fx, ["--commit", "HEAD"])
        #expect(clean.status == 0)
    }

    @Test func rangeIsMergeBaseAware() throws {
        let fx = try base()
        try fx.git("checkout", "-q", "-b", "feature")
        try fx.commit("feature work", files: ["src/feature.ts": "export function f() {\n  // TODO: tidy\n  return 1\n}\n"])
        try fx.git("checkout", "-q", "main")
        // main moves on with a stub after the branch point: not part of main..feature's change.
        try fx.commit("main work", files: ["src/main.ts": "export function m() {\n  throw new Error('not implemented')\n}\n"])
        let (r, json) = try audit(fx, ["--range", "main..feature"])
        #expect(r.status == 0, "\(r.out)")  // a TODO is a warning: the default gate passes
        #expect(rules(json) == ["todo-added"])
        #expect(json["base"] as? String == (try fx.git("merge-base", "main", "feature").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(json["branch"] as? String == "feature")
        let (strict, _) = try audit(fx, ["--range", "main..feature", "--fail-on", "warn"])
        #expect(strict.status == 1)
    }

    @Test func conflictMarkersAndBinaries() throws {
        let fx = try base()
        try fx.write("src/merge.txt", "a\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> side\n")
        var big = Data(count: 2_000_000)
        big[10] = 1
        try fx.write("assets/model.bin", big)
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect(rules(json) == ["conflict-marker", "conflict-marker", "conflict-marker", "large-binary"])
        let binary = findings(json).first { $0["rule"] as? String == "large-binary" }
        #expect(binary?["line"] as? Int == 0)
        #expect(binary?["severity"] as? String == "warn")
    }

    @Test func exitCodes() throws {
        let fx = try base()
        // 0: nothing wrong.
        try fx.write("src/ok.rs", "pub fn ok() -> bool { true }\n")
        #expect(try audit(fx, []).0.status == 0)
        // 2: an unknown revision, a bare repository's working tree, conflicting modes.
        #expect(try audit(fx, ["--commit", "no-such-rev"]).0.status == 2)
        let bare = try GitFixture()
        try bare.commit("root", files: ["a.txt": "a\n"])
        let clone = bare.root.appendingPathComponent("bare.git")
        _ = try runProcess("/usr/bin/git", ["clone", "-q", "--bare", bare.path.path, clone.path])
        let r = try runProcess(assayExecutable(), ["audit", "--repo", clone.path])
        #expect(r.status == 2)
        #expect(r.err.contains("bare repository"))
        #expect(try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--staged", "--commit", "HEAD"]).status == 2)
        // --fail-on never: findings are reported, the gate does not fail.
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        let (never, json) = try audit(fx, ["--fail-on", "never"])
        #expect(never.status == 0)
        #expect(json["verdict"] as? String == "pass")
        #expect(rules(json) == ["stub-marker"])
    }

    @Test func aMissingBlobMakesThePartialExitCode() throws {
        let fx = try base()
        try fx.commit("two files", files: ["src/kept.rs": "fn kept() { todo!() }\n", "src/lost.rs": "fn lost() {}\n"])
        // Remove the loose object of one blob, as a partial clone would lack it.
        let blob = try fx.git("rev-parse", "HEAD:src/lost.rs").trimmingCharacters(in: .whitespacesAndNewlines)
        let object = fx.path.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        try FileManager.default.removeItem(at: object)
        let (r, json) = try audit(fx, ["--commit", "HEAD", "--fail-on", "never"])
        #expect(r.status == 3, "\(r.err)")
        #expect((json["unreadable"] as? [String])?.first?.contains("src/lost.rs") == true)
        #expect(rules(json) == ["stub-marker"])  // the rest is still audited
        let (gate, _) = try audit(fx, ["--commit", "HEAD"])
        #expect(gate.status == 1)  // a failed gate outranks a partial run
    }

    @Test func conflictedIndexCannotBeAuditedStaged() throws {
        let fx = try base()
        try fx.git("checkout", "-q", "-b", "side")
        try fx.commit("side", files: ["README.md": "# side\n"])
        try fx.git("checkout", "-q", "main")
        try fx.commit("main", files: ["README.md": "# main\n"])
        let merge = try runProcess("/usr/bin/git", ["-C", fx.path.path, "merge", "side"])
        #expect(merge.status != 0)  // the conflict
        let (r, _) = try audit(fx, ["--staged"])
        #expect(r.status == 2)
        #expect(r.err.contains("unresolved conflicts: README.md"))
        let (working, json) = try audit(fx, [])
        #expect(working.status == 1)  // the working file holds the conflict markers
        #expect(rules(json).contains("conflict-marker"))
    }

    @Test func nonUTF8PathsAreAudited() throws {
        let fx = try base()
        let name = "src/caf\u{FFFD}.rs"
        let raw = fx.path.appendingPathComponent("src").path + "/caf\u{E9}.rs"
        // Write the file under a Latin-1 name (one byte 0xE9), which is not UTF-8.
        var bytes = Array(fx.path.appendingPathComponent("src").path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".rs".utf8)
        bytes.append(0)
        let fd = bytes.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        let content = Array("fn x() { todo!() }\n".utf8)
        _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        _ = raw
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1, "\(r.err)")
        #expect(findings(json).first?["path"] as? String == name)
    }
}

@Suite struct AuditPolicyTests {
    func repoWithTodo(config: String? = nil, branch: String = "main") throws -> GitFixture {
        let fx = try GitFixture()
        var files = ["src/app.ts": "export const a = 1\n", "vendor/lib.ts": "export const v = 1\n"]
        if let config { files[".assay.yml"] = config }
        try fx.commit("root", files: files)
        if branch != "main" { try fx.git("checkout", "-q", "-b", branch) }
        try fx.write("src/app.ts", "export const a = 1\n// TODO: name this\n")
        try fx.write("vendor/lib.ts", "export const v = 1\n// FIXME upstream\n")
        return fx
    }

    @Test func defaultPolicyWarnsOnTodos() throws {
        let (r, json) = try audit(try repoWithTodo(), [])
        #expect(r.status == 0)
        #expect(findings(json).map { $0["severity"] as? String } == ["warn", "warn"])
        #expect((json["policy"] as? [String: Any])?["name"] as? String == "default")
    }

    @Test func inlinePolicyMapsSeveritiesAndGlobs() throws {
        let fx = try repoWithTodo(config: """
            version: 1
            policy:
              rules:
                todo-added: block
              paths:
                exclude: ["vendor/**"]
            """)
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect(findings(json).map { $0["path"] as? String } == ["src/app.ts"])
        #expect(findings(json).first?["severity"] as? String == "block")
    }

    @Test func ruleOffAndRuleGlobs() throws {
        let fx = try repoWithTodo(config: """
            version: 1
            policy:
              rules:
                todo-added:
                  severity: info
                  include: ["vendor/**"]
            """)
        let (r, json) = try audit(fx, [])
        #expect(r.status == 0)
        #expect(findings(json).map { "\($0["path"] as? String ?? "") \($0["severity"] as? String ?? "")" } == ["vendor/lib.ts info"])
        let off = try repoWithTodo(config: "version: 1\npolicy:\n  rules:\n    todo-added: off\n")
        #expect(rules(try audit(off, []).1).isEmpty)
    }

    @Test func branchOverridesApplyOnTheirBranch() throws {
        let config = """
            version: 1
            policy:
              branches:
                "release/**":
                  rules: { todo-added: block }
            """
        let onRelease = try repoWithTodo(config: config, branch: "release/2.0")
        let (r, json) = try audit(onRelease, [])
        #expect(r.status == 1)
        #expect(json["branch"] as? String == "release/2.0")
        let onMain = try repoWithTodo(config: config)
        #expect(try audit(onMain, []).0.status == 0)
        // --branch names the branch whose overrides apply.
        #expect(try audit(onMain, ["--branch", "release/3"]).0.status == 1)
    }

    @Test func assaySkipTurnsRulesOffForOneRun() throws {
        let fx = try repoWithTodo()
        try fx.write("src/stub.rs", "fn s() { todo!() }\n")
        #expect(try audit(fx, []).0.status == 1)
        let (r, json) = try audit(fx, [], environment: ["ASSAY_SKIP": "stub-marker,todo-added"])
        #expect(r.status == 0)
        #expect(findings(json).isEmpty)
        let (typo, _) = try audit(fx, [], environment: ["ASSAY_SKIP": "stub-markers"])
        #expect(typo.status == 1)
        #expect(typo.err.contains("ASSAY_SKIP names `stub-markers`"))
    }

    @Test func maxWarningsThresholdFailsTheGate() throws {
        let fx = try repoWithTodo(config: "version: 1\npolicy:\n  thresholds:\n    max_warnings: 1\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        let reasons = ((json["gate"] as? [String: Any])?["reasons"] as? [String]) ?? []
        #expect(reasons.contains { $0.contains("max_warnings 1") })
    }

    @Test func policyFileNamedInConfigAndOnTheCommandLine() throws {
        let fx = try repoWithTodo(config: "version: 1\npolicy: policies/team.yml\n")
        try fx.write("policies/team.yml", "version: 1\nname: team\nrules:\n  todo-added: block\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect((json["policy"] as? [String: Any])?["name"] as? String == "team")
        let file = fx.root.appendingPathComponent("lenient.yml")
        try "version: 1\nname: lenient\nrules:\n  todo-added: info\n".write(to: file, atomically: true, encoding: .utf8)
        let (cli, cjson) = try audit(fx, ["--policy", file.path])
        #expect(cli.status == 0)
        #expect(findings(cjson).allSatisfy { $0["severity"] as? String == "info" })
    }

    @Test func unknownKeysWarnAndInvalidInputIsExitTwoWithItsLine() throws {
        let unknown = try repoWithTodo(config: "version: 1\npolicy:\n  rules:\n    todo-addded: block\n  colour: red\n")
        let (r, _) = try audit(unknown, [])
        #expect(r.status == 0)
        #expect(r.err.contains("todo-addded"), "\(r.err)")
        #expect(r.err.contains("colour"), "\(r.err)")
        let badSeverity = try repoWithTodo(config: "version: 1\npolicy:\n  rules:\n    todo-added: loud\n")
        let (bad, _) = try audit(badSeverity, [])
        #expect(bad.status == 2)
        #expect(bad.err.contains(":4"), "\(bad.err)")
        let badGlob = try repoWithTodo(config: "version: 1\npolicy:\n  paths:\n    exclude: [\"src/[ab]/*\"]\n")
        let (glob, _) = try audit(badGlob, [])
        #expect(glob.status == 2)
        #expect(glob.err.contains("src/[ab]/*"), "\(glob.err)")
        let file = unknown.root.appendingPathComponent("broken.yml")
        try "version: 1\nrules: [\n".write(to: file, atomically: true, encoding: .utf8)
        let (yaml, _) = try audit(unknown, ["--policy", file.path])
        #expect(yaml.status == 2)
        #expect(yaml.err.contains("broken.yml:"), "\(yaml.err)")
    }

    @Test func adversarialPatternsDoNotHang() throws {
        // A pattern that makes backtracking matchers explode; the glob matcher is linear.
        let pattern = String(repeating: "*a", count: 40) + "*b"
        let fx = try repoWithTodo(config: "version: 1\npolicy:\n  paths:\n    exclude: [\"\(pattern)\"]\n")
        try fx.write(String(repeating: "a", count: 60) + ".ts", "// TODO\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 0)
        #expect(findings(json).count == 3)
    }
}

@Suite struct AuditSuppressionTests {
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/a.rs": "fn a() {}\n"])
        return fx
    }

    @Test func inlineAllowNeedsTheRuleAndAReason() throws {
        let fx = try repo()
        try fx.write("src/a.rs", """
            fn a() {}
            // assay:allow stub-marker scaffolding for #12, filled in next sprint
            fn b() { todo!() }
            fn c() { todo!() } // assay:allow todo-added wrong rule
            fn d() { todo!() } // assay:allow stub-marker
            """)
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect(findings(json).compactMap { $0["line"] as? Int } == [4, 5])
        let suppressed = findings(json, "suppressed")
        #expect(suppressed.count == 1)
        #expect((suppressed.first?["suppression"] as? [String: Any])?["kind"] as? String == "inline")
        #expect(r.err.contains("src/a.rs:5"), "\(r.err)")  // the allow without a reason is named
    }

    @Test func aTrailingAllowCoversOnlyItsOwnLine() throws {
        let fx = try repo()
        try fx.write("src/a.rs", "fn a() {}\nfn b() { todo!() } // assay:allow stub-marker tracked in #5\nfn c() { todo!() }\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        #expect(findings(json).compactMap { $0["line"] as? Int } == [3])
        #expect(findings(json, "suppressed").compactMap { $0["line"] as? Int } == [2])
    }

    @Test func fingerprintsIgnoreLineNumbersButNotText() throws {
        let fx = try repo()
        try fx.write("src/a.rs", "fn a() {}\nfn b() { todo!() }\n")
        let first = try #require(findings(try audit(fx, []).1).first?["fingerprint"] as? String)
        try fx.write("src/a.rs", "fn a() {}\n\n// a comment\nfn z() {}\n    fn b() { todo!() }\n")
        let moved = try #require(findings(try audit(fx, []).1).first?["fingerprint"] as? String)
        #expect(moved == first)
        try fx.write("src/a.rs", "fn a() {}\nfn b2() { todo!() }\n")
        let edited = try #require(findings(try audit(fx, []).1).first?["fingerprint"] as? String)
        #expect(edited != first)
    }

    @Test func ignoreFileSuppressesAndReportsExpiredAndStaleEntries() throws {
        let fx = try repo()
        try fx.write("src/a.rs", "fn a() {}\nfn b() { todo!() }\n")
        try fx.write("src/c.rs", "fn c() { todo!() }\n")
        let (_, json) = try audit(fx, [])
        let byPath = Dictionary(uniqueKeysWithValues: findings(json).map { ($0["path"] as! String, $0["fingerprint"] as! String) })
        let fpA = try #require(byPath["src/a.rs"]), fpC = try #require(byPath["src/c.rs"])
        let gone = "v1:" + String(repeating: "ab", count: 16)
        try fx.write(".assayignore", """
            # accepted findings
            \(fpA) src/a.rs expires=2099-01-01 generated code, tracked in #7
            \(fpC) src/c.rs expires=2020-01-31 was fine for the demo
            \(gone) src/a.rs an old entry
            """)
        let (r, after) = try audit(fx, [])
        #expect(r.status == 1)  // src/c.rs: its entry expired
        #expect(findings(after).compactMap { $0["path"] as? String } == ["src/c.rs"])
        #expect(findings(after, "suppressed").compactMap { $0["path"] as? String } == ["src/a.rs"])
        let ignore = try #require(after["ignore_file"] as? [String: Any])
        #expect((ignore["expired"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["src/c.rs"])
        #expect((ignore["stale"] as? [[String: Any]])?.compactMap { $0["fingerprint"] as? String } == [gone])
        #expect(r.err.contains("expired on 2020-01-31"))
        // ASSAY_TODAY replays another day: before the expiry, the entry applies.
        let (replay, _) = try audit(fx, [], environment: ["ASSAY_TODAY": "2019-12-01"])
        #expect(replay.status == 0, "\(replay.out)")
    }

    @Test func malformedIgnoreFileIsExitTwoWithItsLine() throws {
        let fx = try repo()
        try fx.write(".assayignore", "# ok\nnot-a-fingerprint src/a.rs reason\n")
        let (r, _) = try audit(fx, [])
        #expect(r.status == 2)
        #expect(r.err.contains(".assayignore:2"))
    }

    @Test func baselineByRefReportsOnlyNewFindings() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/a.py": "def a():\n    # TODO: old debt\n    return 1\n"])
        try fx.git("checkout", "-q", "-b", "feature")
        // Lines inserted above the old TODO (which re-adds nothing), plus a new TODO.
        try fx.commit("work", files: ["src/a.py": "import os\n\n# TODO: new debt\ndef a():\n    # TODO: old debt\n    return 1\n"])
        // Move the old TODO's line so the diff shows it as added too.
        try fx.commit("reorder", files: ["src/a.py": "import os\n\n# TODO: new debt\ndef a():\n    return 1\n    # TODO: old debt\n"])
        let (all, json) = try audit(fx, ["--range", "main..feature"])
        #expect(all.status == 0)
        #expect(findings(json).count == 2)
        let (r, base) = try audit(fx, ["--range", "main..feature", "--baseline", "main"])
        #expect(r.status == 0)
        #expect(findings(base).compactMap { $0["line"] as? Int } == [3])
        #expect((findings(base, "suppressed").first?["suppression"] as? [String: Any])?["kind"] as? String == "baseline")
    }

    @Test func baselineByRefCountsDuplicates() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/a.py": "def a():\n    # TODO: fix\n    return 1\n"])
        try fx.git("checkout", "-q", "-b", "feature")
        // The same TODO text a second time, above the old one: one of the two is new.
        try fx.commit("dup", files: ["src/a.py": "# TODO: fix\ndef a():\n    # TODO: fix\n    return 1\n"])
        let (r, json) = try audit(fx, ["--range", "main..feature", "--baseline", "main", "--fail-on", "warn"])
        #expect(r.status == 1)
        #expect(findings(json).count == 1)
    }

    @Test func baselineFileRoundTrip() throws {
        let fx = try repo()
        try fx.write("src/a.rs", "fn a() {}\nfn b() { todo!() }\n")
        let file = fx.root.appendingPathComponent("baseline.json")
        let (written, _) = try audit(fx, ["--write-baseline", file.path])
        #expect(written.status == 1)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        #expect(saved?["schema"] as? String == "assay.baseline/v1")
        let (r, json) = try audit(fx, ["--baseline-file", file.path])
        #expect(r.status == 0)
        #expect(findings(json).isEmpty)
        try fx.write("src/a.rs", "fn a() {}\nfn b() { todo!() }\nfn c() { unimplemented!() }\n")
        let (next, njson) = try audit(fx, ["--baseline-file", file.path])
        #expect(next.status == 1)
        #expect(findings(njson).compactMap { $0["line"] as? Int } == [3])
        let (missing, _) = try audit(fx, ["--baseline-file", fx.root.appendingPathComponent("nope.json").path])
        #expect(missing.status == 2)
    }
}

@Suite struct AuditClaimsAndDecisionTests {
    @Test func claimsTheChangeMakesAreChecked() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/a.ts": "export const a = 1\n", "PLAN.md": "# Plan\n- [x] `src/a.ts` — a\n"])
        try fx.write("PLAN.md", "# Plan\n- [x] `src/a.ts` — a\n- [x] `src/b.ts` — b\n- [ ] `src/c.ts` — later\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)
        let f = try #require(findings(json).first)
        #expect(f["rule"] as? String == "claim-contradicted")
        #expect(f["line"] as? Int == 3)
        // Only the claims on added lines are the change's: the old `src/a.ts` line is not re-checked.
        let claims = (json["claims"] as? [[String: Any]]) ?? []
        #expect(claims.compactMap { $0["verdict"] as? String }.sorted() == ["abstain", "contradicted"])
    }

    @Test func commitMessageAndPRBodyClaims() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/a.ts": "export const a = 1\n"])
        try fx.commit("Parser\n\n- Added `src/b.ts` with the parser\n- Added `src/c.ts` for constants", files: ["src/c.ts": "export const c = 1\n"])
        let (r, json) = try audit(fx, ["--commit", "HEAD"])
        #expect(r.status == 1, "\(r.out)")
        #expect(findings(json).first?["path"] as? String == "commit \(try fx.rev("HEAD").prefix(7))")
        let body = fx.root.appendingPathComponent("body.md")
        try "## Summary\n- [x] `src/c.ts` — done\n- [x] `src/d.ts` — done\n".write(to: body, atomically: true, encoding: .utf8)
        let (pr, pjson) = try audit(fx, ["--commit", "HEAD", "--pr-body", body.path, "--fail-on", "never"])
        #expect(pr.status == 0)
        #expect(findings(pjson).filter { ($0["path"] as? String) == "PR body" }.count == 1)
    }

    @Test func aMessageFileIsCheckedAgainstTheStagedTree() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["tests/a.test.ts": "test('a', () => { expect(1).toBe(1) })\n"])
        try fx.write("tests/b.test.ts", "test('b', () => { expect(2).toBe(2) })\n")
        try fx.git("add", "-A")
        let msg = fx.root.appendingPathComponent("COMMIT_EDITMSG")
        // A count in a commit message counts the tests in the files the change touches (one here).
        try "Add b tests\n\n2 tests added.\n# Please enter the commit message\n# 9 tests\n".write(to: msg, atomically: true, encoding: .utf8)
        let (r, json) = try audit(fx, ["--staged", "--message", msg.path])
        #expect(r.status == 1, "\(r.out)")
        #expect(rules(json) == ["claim-contradicted"])
        #expect(findings(json).first?["line"] as? Int == 3)
        try "Add b tests\n\n1 test added.\n".write(to: msg, atomically: true, encoding: .utf8)
        #expect(try audit(fx, ["--staged", "--message", msg.path]).0.status == 0)
    }

    @Test func aStubTheChangeAdmitsIsInfo() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        try fx.write("src/ports/evidence.rs", "pub fn read() -> String { todo!() }\n")
        try fx.write("src/other.rs", "pub fn other() { todo!() }\n")
        try fx.write("docs/NOTES.md", "# Notes\n\n`src/ports/evidence.rs` is a skeleton with TODO markers for now.\n")
        let (r, json) = try audit(fx, [])
        #expect(r.status == 1)  // src/other.rs is not admitted
        let bySeverity = Dictionary(grouping: findings(json).filter { $0["rule"] as? String == "stub-marker" }) { $0["path"] as! String }
        #expect(bySeverity["src/ports/evidence.rs"]?.first?["severity"] as? String == "info")
        #expect(bySeverity["src/other.rs"]?.first?["severity"] as? String == "block")
    }

    @Test func rubricDecisionIsInTheReport() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        #expect(((try audit(fx, []).1["decision"] as? [String: Any])?["decision"] as? String) == "APPROVE")
        try fx.write("src/a.rs", "fn a() { todo!() }\nfn b() { todo!() }\n")
        let (_, json) = try audit(fx, [])
        let decision = try #require(json["decision"] as? [String: Any])
        #expect(decision["decision"] as? String == "REJECT")
        #expect((decision["risk"] as? Int ?? 0) >= 70)
        #expect(((decision["reasons"] as? [String]) ?? []).contains { $0.contains("REJECT") })
        let rubric = fx.root.appendingPathComponent("lenient.yml")
        try """
            version: 1
            name: lenient
            risk:
              - id: blocks
                count: { severity: block }
                weight: 1
            utility:
              base: 50
              criteria: []
            decision:
              reject: { risk_at_least: 90 }
              hold: { risk_at_least: 50 }
            """.write(to: rubric, atomically: true, encoding: .utf8)
        let (_, lenient) = try audit(fx, ["--rubric", rubric.path])
        #expect((lenient["decision"] as? [String: Any])?["decision"] as? String == "APPROVE")
    }

    @Test func reportFormatsAndOutputFile() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        try fx.write("src/a.rs", "fn a() { todo!() }\n")
        let sarif = fx.root.appendingPathComponent("audit.sarif")
        let r = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--format", "sarif", "--output", sarif.path])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: sarif)) as? [String: Any]
        let results = ((doc?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        #expect(results.compactMap { $0["ruleId"] as? String } == ["stub-marker"])
        let github = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--format", "github"])
        #expect(github.out.hasPrefix("::error file=src/a.rs,line=1,endLine=1,title=assay stub-marker::"))
        let junit = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--format", "junit"])
        #expect(junit.out.contains("failures=\"1\""))
        let md = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--format", "markdown"])
        #expect(md.out.hasPrefix("<!-- assay:audit -->"))
    }

    @Test func textOutputHasOneVerdictAndTheRubricOnlyWhenVerbose() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        // An empty change: the rubric says APPROVE, the gate PASS; only the gate's verdict is printed.
        let empty = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path])
        #expect(empty.status == 0)
        let verdictWords = ["PASS", "FAIL", "APPROVE", "HOLD", "REJECT"]
        func verdictLines(_ text: String) -> [String] {
            text.split(separator: "\n").map(String.init).filter { line in
                verdictWords.contains { line.contains($0) } || line.contains("decision:")
            }
        }
        #expect(verdictLines(empty.out) == ["PASS"])
        // A failing change: one FAIL line, no rubric decision beside it.
        try fx.write("src/a.rs", "fn a() { todo!() }\n")
        let failing = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path])
        #expect(failing.status == 1)
        let lines = verdictLines(failing.out)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("FAIL") == true)
        #expect(!failing.out.contains("utility"))
        // --verbose adds the rubric's decision and scores, still with one FAIL line.
        let verbose = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--verbose"])
        let (_, json) = try audit(fx, [])
        let d = try #require(json["decision"] as? [String: Any])
        let decision = try #require(d["decision"] as? String)
        let utility = try #require(d["utility"] as? Int), risk = try #require(d["risk"] as? Int)
        let rubricLine = try #require(verbose.out.split(separator: "\n").first { $0.hasPrefix("rubric ") })
        #expect(rubricLine.contains("\(decision), utility \(utility), risk \(risk)"))
        #expect(verbose.out.split(separator: "\n").filter { $0.hasPrefix("FAIL") || $0.hasPrefix("PASS") }.count == 1)
        #expect(verbose.out.split(separator: "\n").last?.hasPrefix("FAIL") == true)
    }

    @Test func textOutputGroupsByFileAndEndsWithTheVerdict() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        try fx.write("src/a.rs", "fn a() { todo!() }\n")
        try fx.write("src/b.ts", "// TODO later\n")
        let r = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path])
        #expect(r.status == 1)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "src/a.rs")
        #expect(lines.contains("src/b.ts"))
        #expect(lines.last?.hasPrefix("FAIL") == true)
        #expect(!r.out.contains("\u{1B}["))  // no colour when not on a terminal
        let colored = try runProcess(assayExecutable(), ["audit", "--repo", fx.path.path, "--color", "always"])
        #expect(colored.out.contains("\u{1B}[1;31mblock\u{1B}[0m"))
        #expect(colored.out.split(separator: "\n").last?.contains("FAIL") == true)
    }
}
