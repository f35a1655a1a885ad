import AssayTestSupport
import Foundation
import Testing

/// `assay init`, run the way a user runs it: in a fresh repository and in one with history and docs
/// whose claims are partly false; then the commands a user runs next.
@Suite struct InitTests {
    /// The YAML file parsed by PyYAML, as JSON.
    func pythonYAML(_ path: URL) throws -> [String: Any] {
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let r = try runProcess("python3", ["-c", script, path.path])
        #expect(r.status == 0, "PyYAML could not read \(path.lastPathComponent): \(r.err)")
        return try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    }

    func assay(_ fx: GitFixture, _ args: [String]) throws -> ProcessResult {
        try runProcess(assayExecutable(), args + ["--repo", fx.path.path], timeout: 120)
    }

    /// A repository with history: a PRD whose claims are partly false, a file created then deleted,
    /// an archived plan, agent notes under .claude/, and Rust, Jest and pytest manifests.
    func projectWithDrift() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Start the CLI", files: [
            "src/main.rs": "fn main() {}\n",
            "src/legacy.rs": "pub fn old() {}\n",
            "Cargo.toml": "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
            "tests/cli.rs": "#[test]\nfn runs() { assert!(true); }\n",
        ])
        try fx.commit("Drop the legacy module", deleting: ["src/legacy.rs"])
        try fx.commit("Docs, web and scripts", files: [
            "PRD.md": """
                # Product

                ## Status

                - [x] `src/main.rs` entry point
                - [x] `src/parser.rs` parser
                - [x] `src/legacy.rs` kept for old callers
                - [ ] `src/later.rs` next phase
                """,
            "docs/archive/plan-2024.md": "# Old plan\n\n- [x] `src/v1/server.rs` served\n",
            ".claude/notes.md": "# Notes\n\n- [x] `src/agent.rs` agent loop\n",
            "web/package.json": #"{"name": "web", "devDependencies": {"jest": "^29.0.0"}, "scripts": {"test": "jest"}}"#,
            "web/src/app.test.ts": "test('adds', () => { expect(1 + 1).toBe(2) })\n",
            "scripts/pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
            "scripts/tests/test_tool.py": "def test_tool():\n    assert True\n",
        ])
        return fx
    }

    @Test func freshRepositoryGetsSettingsThatReadBackCleanly() throws {
        let fx = try GitFixture()
        try fx.commit("First commit", files: ["README.md": "# Demo\n"])
        let r = try assay(fx, ["init"])
        #expect(r.status == 0, "\(r.err)")
        let config = fx.path.appendingPathComponent(".assay.yml")
        #expect(FileManager.default.fileExists(atPath: config.path))
        #expect(r.out.contains("Wrote .assay.yml"))
        // Nothing is contradicted: no baseline is written.
        #expect(!FileManager.default.fileExists(atPath: fx.path.appendingPathComponent(".assay-baseline.json").path))
        let yaml = try pythonYAML(config)
        #expect(yaml["version"] as? Int == 1)
        // Not a terminal, no --hooks: nothing installed, the command printed.
        #expect(r.out.contains("assay hooks install"))
        #expect(!FileManager.default.fileExists(atPath: fx.path.appendingPathComponent(".git/hooks/pre-commit").path))

        let claims = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(claims.status == 0, "\(claims.out)\(claims.err)")
        // Committed, the file is read without a warning or an unknown-key note.
        try fx.commit("Set up assay")
        let after = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(after.status == 0, "\(after.err)")
        #expect(!after.err.contains("warning") && !after.err.contains("unknown key"), "\(after.err)")
        let audit = try assay(fx, ["audit", "--commit", "HEAD", "--no-receipt"])
        #expect(audit.status == 0, "\(audit.out)\(audit.err)")
        #expect(!audit.err.contains("warning"), "\(audit.err)")

        // A second run refuses to overwrite, with exit 2 and the way out.
        let again = try assay(fx, ["init"])
        #expect(again.status == 2)
        #expect(again.err.contains(".assay.yml already exists"), "\(again.err)")
        #expect(again.err.contains("--force"))
        #expect(try String(contentsOf: config, encoding: .utf8) == (try fx.git("show", "HEAD:.assay.yml")))
        let forced = try assay(fx, ["init", "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(forced.out.contains("Replaced .assay.yml"))
    }

    @Test func repositoryWithDriftPassesTheClaimsGateRightAfterInit() throws {
        let fx = try projectWithDrift()
        // Before: the gate fails on what the docs already say.
        let before = try assay(fx, ["claims", "--fail-on", "contradicted", "--format", "json", "--no-receipt"])
        #expect(before.status == 1, "\(before.err)")
        let beforeJSON = try #require(try JSONSerialization.jsonObject(with: before.stdout) as? [String: Any])
        let contradictedBefore = Set(((beforeJSON["claims"] as? [[String: Any]]) ?? [])
            .filter { $0["verdict"] as? String == "contradicted" }.compactMap { $0["id"] as? String })
        #expect(contradictedBefore.count >= 3)  // src/parser.rs, src/legacy.rs, the archived plan's server

        let r = try assay(fx, ["init"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains(".assay-baseline.json"))

        // The settings: what was found, and the keys it calls for.
        let yaml = try pythonYAML(fx.path.appendingPathComponent(".assay.yml"))
        let claimsKey = try #require(yaml["claims"] as? [String: Any])
        #expect(claimsKey["exclude"] as? [String] == ["docs/archive/"])
        #expect(claimsKey["include"] as? [String] == [".claude/**/*.md"])
        let text = try String(contentsOf: fx.path.appendingPathComponent(".assay.yml"), encoding: .utf8)
        #expect(text.contains("Rust (cargo test), from Cargo.toml"))
        #expect(text.contains("Jest, from web/package.json"))
        #expect(text.contains("pytest, from scripts/pyproject.toml"))
        #expect(text.contains("named PRD: 1 (PRD.md)"))

        // The baseline accepts every claim contradicted now, by id, and the agent note's claim that
        // the new settings add.
        let baselineData = try Data(contentsOf: fx.path.appendingPathComponent(".assay-baseline.json"))
        let baseline = try #require(try JSONSerialization.jsonObject(with: baselineData) as? [String: Any])
        #expect(baseline["schema"] as? String == "assay.claims-baseline/v1")
        #expect(baseline["sha"] as? String == (try fx.head()))
        let entries = try #require(baseline["claims"] as? [[String: Any]])
        let accepted = Set(entries.compactMap { $0["id"] as? String })
        #expect(contradictedBefore.isSubset(of: accepted))
        #expect(entries.contains { $0["path"] as? String == ".claude/notes.md" })

        // Right after init (nothing committed yet), and once the two files are committed.
        let gate = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(gate.status == 0, "\(gate.out)\(gate.err)")
        #expect(gate.out.contains("accepted in the baseline"))
        try fx.commit("Set up assay")
        let committed = try assay(fx, ["claims", "--fail-on", "contradicted", "--format", "json"])
        #expect(committed.status == 0, "\(committed.err)")
        #expect(!committed.err.contains("warning") && !committed.err.contains("unknown key"), "\(committed.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: committed.stdout) as? [String: Any])
        let sources = ((json["sources"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        #expect(sources.contains(".claude/notes.md"))
        #expect(!sources.contains("docs/archive/plan-2024.md"))
        let listed = (json["claims"] as? [[String: Any]]) ?? []
        // Accepted claims keep their verdict; the baseline only quiets the gate.
        #expect(listed.contains { $0["verdict"] as? String == "contradicted" && $0["accepted"] is String })
        let drift = try assay(fx, ["drift", "--fail-on", "contradicted", "--no-receipt"])
        #expect(drift.status == 0, "\(drift.out)\(drift.err)")

        // New drift is not hidden by the baseline.
        try fx.commit("Claim more", files: ["STATUS.md": "# Status\n\n- [x] `src/server.rs` server\n"])
        let fresh = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(fresh.status == 1)
        #expect(fresh.out.contains("src/server.rs"))
        let freshDrift = try assay(fx, ["drift", "--fail-on", "contradicted", "--no-receipt"])
        #expect(freshDrift.status == 1)
    }

    @Test func jsonSummaryAndHooks() throws {
        let fx = try projectWithDrift()
        let r = try assay(fx, ["init", "--format", "json", "--hooks"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(json["schema"] as? String == "assay.init/v1")
        #expect(json["head"] as? String == (try fx.head()))
        let frameworks = ((json["test_frameworks"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(frameworks == ["Rust (cargo test)", "pytest", "Jest"])
        let rust = try #require((json["test_frameworks"] as? [[String: Any]])?.first)
        #expect(rust["test_files"] as? Int == 1)  // tests/cli.rs, not src/main.rs
        #expect(json["exclude"] as? [String] == ["docs/archive/"])
        let baseline = try #require(json["baseline"] as? [String: Any])
        #expect((baseline["accepted"] as? Int ?? 0) >= 4)
        let hooks = try #require(json["hooks"] as? [String: Any])
        #expect(hooks["installed"] as? Bool == true)
        for hook in ["pre-commit", "commit-msg", "pre-push"] {
            let script = try String(contentsOf: fx.path.appendingPathComponent(".git/hooks/\(hook)"), encoding: .utf8)
            #expect(script.contains("assay-hook"), "\(hook)")
        }
        // What init wrote is byte for byte what the JSON says it wrote.
        #expect(json["yaml"] as? String == (try String(contentsOf: fx.path.appendingPathComponent(".assay.yml"), encoding: .utf8)))
    }

    @Test func noHooksAndEmptyAndBareRepositories() throws {
        let empty = try GitFixture()
        let r = try assay(empty, ["init", "--no-hooks"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("no commits yet"))
        #expect(r.out.contains("Hooks not installed"))
        _ = try pythonYAML(empty.path.appendingPathComponent(".assay.yml"))

        let bare = try GitFixture(bare: true)
        let b = try assay(bare, ["init"])
        #expect(b.status == 2)
        #expect(b.err.contains("bare repository"), "\(b.err)")
    }

    @Test func forceReplacesACommittedFileThatDoesNotParse() throws {
        let fx = try projectWithDrift()
        try fx.commit("Broken settings", files: [".assay.yml": "version: [1\n"])
        let refused = try assay(fx, ["init"])
        #expect(refused.status == 2)
        let r = try assay(fx, ["init", "--force"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("the committed .assay.yml cannot be read"), "\(r.err)")
        #expect(r.out.contains("Replaced .assay.yml"))
        _ = try pythonYAML(fx.path.appendingPathComponent(".assay.yml"))
        // The baseline still covers what the new settings read; committed, the gate passes.
        try fx.commit("Fixed settings")
        let gate = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(gate.status == 0, "\(gate.out)\(gate.err)")
    }

    @Test func aBrokenBaselineStopsTheGateWithExitTwo() throws {
        let fx = try projectWithDrift()
        try fx.write(".assay-baseline.json", "{\"schema\": \"assay.claims-baseline/v1\", \"claims\": 3}\n")
        let r = try assay(fx, ["claims", "--fail-on", "contradicted"])
        #expect(r.status == 2)
        #expect(r.err.contains(".assay-baseline.json"), "\(r.err)")
    }
}
