import AssayTestSupport
import Foundation
import Testing

/// The GitHub Action, the example workflow and the GitLab template: they parse, and every `assay`
/// option they pass exists.
@Suite struct ShippedCIFilesTests {
    /// A YAML file as JSON, parsed by PyYAML (installed with pre-commit by .ci/run).
    func yaml(_ relative: String) throws -> Any {
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))"
        let r = try runProcess("python3", ["-c", script, sourceRoot.appendingPathComponent(relative).path])
        #expect(r.status == 0, "\(relative): \(r.err)")
        return try JSONSerialization.jsonObject(with: r.stdout)
    }

    func ciOptions() throws -> String {
        try runProcess(assayExecutable(), ["ci", "--help"]).out
    }

    /// `--flag` words in `text` that follow `assay ci` or `args=(ci`, or are added to `args`.
    func flags(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "(?<![\\w-])--[a-z][a-z-]+")
        return Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) })
    }

    @Test func theActionIsACompositeThatRunsAssayCIWithRealOptions() throws {
        let action = try #require(try yaml("action.yml") as? [String: Any])
        let runs = try #require(action["runs"] as? [String: Any])
        #expect(runs["using"] as? String == "composite")
        let steps = try #require(runs["steps"] as? [[String: Any]])
        let audit = try #require(steps.first { $0["id"] as? String == "audit" })
        let script = try #require(audit["run"] as? String)
        #expect(script.contains("args=(ci "))
        let help = try ciOptions()
        for flag in flags(in: script) { #expect(help.contains(flag), "assay ci has no \(flag)") }
        // Every input the steps use is declared.
        let inputs = Set(((action["inputs"] as? [String: Any]) ?? [:]).keys)
        let text = try String(contentsOf: sourceRoot.appendingPathComponent("action.yml"), encoding: .utf8)
        let used = try NSRegularExpression(pattern: "inputs\\.([a-z-]+)").matches(in: text, range: NSRange(text.startIndex..., in: text))
            .map { String(text[Range($0.range(at: 1), in: text)!]) }
        #expect(!used.isEmpty)
        for name in used { #expect(inputs.contains(name), "action.yml uses inputs.\(name), which it does not declare") }
    }

    @Test func theExampleWorkflowGrantsWhatAssayPostsAndFetchesTheHistory() throws {
        let workflow = try #require(try yaml("examples/github/assay.yml") as? [String: Any])
        let permissions = try #require(workflow["permissions"] as? [String: String])
        for scope in ["statuses", "checks", "pull-requests", "security-events"] { #expect(permissions[scope] == "write", "\(scope)") }
        let jobs = try #require(workflow["jobs"] as? [String: [String: Any]])
        let steps = try #require(jobs["audit"]?["steps"] as? [[String: Any]])
        let checkout = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/checkout") == true })
        #expect((checkout["with"] as? [String: Any])?["fetch-depth"] as? Int == 0)
    }

    @Test func theGitLabTemplateFetchesTheHistoryAndReportsJUnit() throws {
        let template = try #require(try yaml("examples/gitlab/assay.gitlab-ci.yml") as? [String: Any])
        let job = try #require(template[".assay"] as? [String: Any])
        #expect((job["variables"] as? [String: Any])?["GIT_DEPTH"] as? String == "0")
        let script = ((job["script"] as? [String]) ?? []).joined(separator: "\n")
        #expect(script.contains("assay ci --junit assay-junit.xml"))
        let help = try ciOptions()
        for flag in flags(in: script) { #expect(help.contains(flag), "assay ci has no \(flag)") }
        let reports = ((job["artifacts"] as? [String: Any])?["reports"] as? [String: Any])
        #expect(reports?["junit"] as? String == "assay-junit.xml")
    }
}
