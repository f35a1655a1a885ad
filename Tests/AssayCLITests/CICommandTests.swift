import AssayTestSupport
import Foundation
import Testing

/// A small GitHub: commit statuses, check runs and issue comments, with state, on a real HTTP server
/// on 127.0.0.1. `override` answers first when it returns a response (failures, delays).
/// `GET /user` answers `me`; nil (the default) is 403, as for Actions' `GITHUB_TOKEN`, whose
/// comments are written by `github-actions[bot]`.
final class FakeGitHub: @unchecked Sendable {
    private let lock = NSLock()
    private var comments: [(id: Int, body: String, user: [String: Any])] = []
    let me: [String: Any]?
    private var nextID = 100
    private var overrideHandler: (@Sendable (RecordedRequest) -> TestResponse?)?
    var override: (@Sendable (RecordedRequest) -> TestResponse?)? {
        get { lock.lock(); defer { lock.unlock() }; return overrideHandler }
        set { lock.lock(); overrideHandler = newValue; lock.unlock() }
    }
    let server: HTTPTestServer

    init(me: [String: Any]? = nil) throws {
        self.me = me
        let box = Box()
        server = HTTPTestServer { request in box.github?.answer(request) ?? TestResponse(status: 500) }
        box.github = self
        try server.start()
    }

    private final class Box: @unchecked Sendable { weak var github: FakeGitHub? }

    func answer(_ r: RecordedRequest) -> TestResponse {
        if let response = override?(r) { return response }
        lock.lock(); defer { lock.unlock() }
        let p = r.path
        switch r.method {
        case "POST" where p.hasSuffix("/check-runs"):
            nextID += 1
            return .json(["id": nextID], status: 201)
        case "PATCH" where p.contains("/check-runs/"):
            return .json(["id": Int(p.split(separator: "/").last ?? "") ?? 0])
        case "POST" where p.contains("/statuses/"):
            return .json(["state": r.json?["state"] ?? ""], status: 201)
        case "GET" where p == "/user":
            return me.map { .json($0) } ?? .json(["message": "Resource not accessible by integration"], status: 403)
        case "GET" where p.hasSuffix("/comments"):
            return .json(comments.map { ["id": $0.id, "body": $0.body, "user": $0.user] as [String: Any] })
        case "POST" where p.hasSuffix("/comments"):
            nextID += 1
            comments.append((nextID, r.json?["body"] as? String ?? "", poster))
            return .json(["id": nextID], status: 201)
        case "PATCH" where p.contains("/issues/comments/"):
            let id = Int(p.split(separator: "/").last ?? "") ?? 0
            if let k = comments.firstIndex(where: { $0.id == id }) { comments[k].body = r.json?["body"] as? String ?? "" }
            return .json(["id": id])
        default:
            return .text("no route for \(r.method) \(p)", status: 404)
        }
    }

    var requests: [RecordedRequest] { server.requests }
    func requests(_ method: String, containing fragment: String) -> [RecordedRequest] {
        requests.filter { $0.method == method && $0.path.contains(fragment) }
    }
    var commentCount: Int { lock.lock(); defer { lock.unlock() }; return comments.count }
    /// Who the token's comments are written by.
    var poster: [String: Any] { me ?? ["id": 41898282, "login": "github-actions[bot]", "type": "Bot"] }
    /// Adds a comment written by `user`; returns its id.
    @discardableResult
    func seedComment(_ body: String, by user: [String: Any]) -> Int {
        lock.lock(); defer { lock.unlock() }
        nextID += 1
        comments.append((nextID, body, user))
        return nextID
    }
    /// The comments' ids and bodies now.
    var allComments: [(id: Int, body: String)] { lock.lock(); defer { lock.unlock() }; return comments.map { ($0.id, $0.body) } }
}

@Suite struct CICommandTests {
    static let token = "ghs_TOPSECRET0123456789"

    /// main with one clean file; `feature` adds what `files` says on top.
    func repo(_ files: [String: String]) throws -> (GitFixture, base: String, head: String) {
        let fx = try GitFixture()
        let base = try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("checkout", "-q", "-b", "feature")
        let head = try fx.commit("feature", files: files)
        return (fx, base, head)
    }

    func pullRequestEnvironment(_ fx: GitFixture, _ github: FakeGitHub?, base: String, head: String, number: Int = 7,
                                body: String = "Adds the feature.") throws -> [String: String] {
        let event: [String: Any] = ["number": number, "pull_request": [
            "number": number, "body": body,
            "base": ["sha": base, "ref": "main"], "head": ["sha": head, "ref": "feature"],
        ]]
        let eventFile = fx.root.appendingPathComponent("event.json")
        try JSONSerialization.data(withJSONObject: event).write(to: eventFile)
        let summary = fx.root.appendingPathComponent("summary.md")
        return ["GITHUB_ACTIONS": "true", "GITLAB_CI": "", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": eventFile.path,
                "GITHUB_REPOSITORY": "octo/widgets", "GITHUB_SHA": head, "GITHUB_HEAD_REF": "feature",
                "GITHUB_API_URL": github?.server.baseURL ?? "http://127.0.0.1:9", "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_RUN_ID": "555", "GITHUB_STEP_SUMMARY": summary.path, "GITHUB_TOKEN": Self.token]
    }

    func ci(_ fx: GitFixture, _ args: [String], _ env: [String: String]) throws -> ProcessResult {
        try runProcess(assayExecutable(), ["ci", "--repo", fx.path.path] + args, environment: env, timeout: 120)
    }

    @Test func aPullRequestGetsAStatusACheckRunAndOneStickyComment() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let github = try FakeGitHub()
        let env = try pullRequestEnvironment(fx, github, base: base, head: head)
        let sarif = fx.root.appendingPathComponent("assay.sarif")
        let r = try ci(fx, ["--sarif", sarif.path], env)
        #expect(r.status == 1, "\(r.err)")
        // Annotations in the log, the job summary, SARIF.
        #expect(r.out.contains("::error file=src/feature.rs,line=1"), "\(r.out)")
        let summary = try String(contentsOf: fx.root.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.contains("<!-- assay:audit -->") && summary.contains("stub-marker"))
        let sarifJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sarif)) as? [String: Any])
        let results = ((sarifJSON["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        #expect(results.count == 1)

        // The commit status on the PR head.
        let statuses = github.requests("POST", containing: "/statuses/")
        #expect(statuses.count == 1)
        #expect(statuses.first?.path == "/repos/octo/widgets/statuses/\(head)")
        let status = try #require(statuses.first?.json)
        #expect(status["state"] as? String == "failure")
        #expect(status["context"] as? String == "assay/audit")
        #expect(status["target_url"] as? String == "https://github.com/octo/widgets/actions/runs/555")
        let description = try #require(status["description"] as? String)
        #expect(description.hasPrefix("1 blocking · 0 warn — stub marker `todo!()` added in src/feature.rs"), "\(description)")
        #expect(statuses.first?.header("authorization") == "Bearer \(Self.token)")
        // The check run.
        let checks = github.requests("POST", containing: "/check-runs")
        #expect(checks.count == 1)
        let check = try #require(checks.first?.json)
        #expect(check["head_sha"] as? String == head)
        #expect(check["conclusion"] as? String == "failure")
        let annotations = ((check["output"] as? [String: Any])?["annotations"] as? [[String: Any]]) ?? []
        #expect(annotations.map { $0["path"] as? String } == ["src/feature.rs"])
        #expect(annotations.first?["annotation_level"] as? String == "failure")
        // One comment, created.
        #expect(github.requests("POST", containing: "/issues/7/comments").count == 1)
        #expect(github.commentCount == 1)

        // Again: the comment is updated in place, not posted twice.
        let again = try ci(fx, [], env)
        #expect(again.status == 1)
        #expect(github.requests("POST", containing: "/issues/7/comments").count == 1)
        #expect(github.requests("PATCH", containing: "/issues/comments/").count == 1)
        #expect(github.commentCount == 1)
        #expect(again.err.contains("pull request comment") && again.err.contains("updated"))
        // The token never shows.
        #expect(!(r.out + r.err + again.out + again.err).contains(Self.token))
    }

    @Test func theJobSummaryShowsEachFindingsEvidence() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let env = try pullRequestEnvironment(fx, nil, base: base, head: head)
        let r = try ci(fx, ["--no-post"], env)
        #expect(r.status == 1, "\(r.err)")
        let summary = try String(contentsOf: fx.root.appendingPathComponent("summary.md"), encoding: .utf8)
        let lines = summary.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("| | rule |") })
        #expect(header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.last == "evidence", "\(header)")
        // The stub's row carries the offending line as evidence, in its own (fifth) cell.
        let row = try #require(lines.first { $0.contains("`stub-marker`") })
        let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count == 5, "\(row)")
        #expect(cells.last == "`pub fn feature() { todo!() }`", "\(row)")
    }

    @Test func sarifForCodeScanningKeepsFindingsAboutThePRBodyAndCommitMessages() throws {
        let fx = try GitFixture()
        let base = try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.git("checkout", "-q", "-b", "feature")
        let head = try fx.commit("Adds `src/feature.rs` and `src/promised_by_commit.rs`",
                                 files: ["src/feature.rs": "pub fn feature() {}\n"])
        let env = try pullRequestEnvironment(fx, nil, base: base, head: head, body: "Adds `src/promised_by_body.rs`.")
        let sarif = fx.root.appendingPathComponent("assay.sarif")
        let r = try ci(fx, ["--no-post", "--sarif", sarif.path], env)
        #expect(r.status == 1, "\(r.err)")
        // The official schema accepts it.
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/sarif/sarif-schema-2.1.0.json")
        let valid = try runProcess("python3", ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[2])))
            print("valid")
            """, schema.path, sarif.path], timeout: 120)
        #expect(valid.status == 0 && valid.out.hasPrefix("valid"), "\(valid.out) \(valid.err)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sarif)) as? [String: Any])
        let run = try #require((doc["runs"] as? [[String: Any]])?.first)
        let results = (run["results"] as? [[String: Any]]) ?? []
        func uri(_ result: [String: Any]) -> String? {
            (((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
        }
        func text(_ result: [String: Any]) -> String { (result["message"] as? [String: Any])?["text"] as? String ?? "" }
        // Both claims are in the copy for GitHub, each on a physical location code scanning accepts.
        let byBody = try #require(results.first { text($0).contains("promised_by_body") }, "\(results)")
        #expect(uri(byBody) == ".assay/messages/pr-body.md")
        let byCommit = try #require(results.first { text($0).contains("promised_by_commit") }, "\(results)")
        #expect(uri(byCommit) == ".assay/messages/commit-\(head.prefix(7)).txt", "\(byCommit)")
        #expect(results.allSatisfy { uri($0) != nil })
        let described = ((run["artifacts"] as? [[String: Any]]) ?? []).compactMap { ($0["location"] as? [String: Any])?["uri"] as? String }
        #expect(Set(described) == [".assay/messages/pr-body.md", ".assay/messages/commit-\(head.prefix(7)).txt"])
    }

    @Test func aHundredAndTwentyFindingsGoAsThreeAnnotationBatchesAndTheDescriptionFits() throws {
        let long = "src/" + String(repeating: "a_very_long_directory_name/", count: 6) + "todo_list.rs"
        let todos = (1...120).map { "// TODO: case \($0)" }.joined(separator: "\n") + "\n"
        let (fx, base, head) = try repo([long: todos])
        let github = try FakeGitHub()
        let env = try pullRequestEnvironment(fx, github, base: base, head: head)
        let r = try ci(fx, [], env)
        #expect(r.status == 0, "\(r.err)")
        let posts = github.requests("POST", containing: "/check-runs")
        let patches = github.requests("PATCH", containing: "/check-runs/")
        #expect(posts.count == 1)
        #expect(patches.count == 2)
        func lines(_ r: RecordedRequest) -> [Int] {
            (((r.json?["output"] as? [String: Any])?["annotations"] as? [[String: Any]]) ?? []).compactMap { $0["start_line"] as? Int }
        }
        #expect(posts.map { lines($0).count } + patches.map { lines($0).count } == [50, 50, 20])
        #expect(Set((posts + patches).flatMap(lines)) == Set(1...120))
        let description = try #require(github.requests("POST", containing: "/statuses/").first?.json?["description"] as? String)
        #expect(description.count <= 140, "\(description.count): \(description)")
        #expect(description.hasPrefix("0 blocking · 120 warn — "))
        #expect(description.hasSuffix("… (+119 more)"), "\(description)")
        #expect(github.requests("POST", containing: "/statuses/").first?.json?["state"] as? String == "success")
    }

    @Test func aServerErrorIsRetriedAndForbiddenDegradesWithoutChangingTheVerdict() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let github = try FakeGitHub()
        let failures = Counter()
        github.override = { r in
            // The first status post fails with a 500; the second succeeds.
            if r.path.contains("/statuses/"), failures.next() == 0 { return .text("boom", status: 500) }
            return nil
        }
        let env = try pullRequestEnvironment(fx, github, base: base, head: head)
        let retried = try ci(fx, [], env)
        #expect(retried.status == 1)
        #expect(github.requests("POST", containing: "/statuses/").count == 2)
        #expect(!retried.err.contains("warning: could not"), "\(retried.err)")

        // A read-only token: 403 on the first post; nothing else is tried, the verdict stands.
        let readOnly = try FakeGitHub()
        readOnly.override = { r in
            r.method == "GET" ? nil : .json(["message": "Resource not accessible by integration"], status: 403)
        }
        let forkEnv = try pullRequestEnvironment(fx, readOnly, base: base, head: head)
        let forked = try ci(fx, ["--verbose"], forkEnv)
        // --verbose logs every HTTP attempt, never the token.
        #expect(forked.err.contains("POST"), "\(forked.err)")
        #expect(!(forked.out + forked.err).contains(Self.token))
        #expect(forked.status == 1, "\(forked.err)")
        #expect(readOnly.requests.count == 1)
        #expect(forked.err.contains("may not write"), "\(forked.err)")
        #expect(forked.err.contains("Resource not accessible by integration"))
        #expect(forked.out.contains("::error file=src/feature.rs"))
        // A clean change with the same read-only token still passes.
        let (clean, cbase, chead) = try repo(["src/feature.rs": "pub fn feature() {}\n"])
        let cleanRun = try ci(clean, [], try pullRequestEnvironment(clean, readOnly, base: cbase, head: chead))
        #expect(cleanRun.status == 0, "\(cleanRun.err)")
    }

    @Test func aTimeoutIsReportedAndTheOtherPostsStillGo() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() {}\n"])
        let github = try FakeGitHub()
        github.override = { r in r.path.contains("/statuses/") ? .json([:], status: 201, delay: 4) : nil }
        let env = try pullRequestEnvironment(fx, github, base: base, head: head)
        let r = try ci(fx, ["--http-timeout", "1", "--http-attempts", "1"], env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("timed out"), "\(r.err)")
        #expect(r.err.contains("/statuses/\(head)"))
        #expect(github.requests("POST", containing: "/check-runs").count == 1)
    }

    @Test func pushEventsAuditBeforeToAfterAndANewBranchItsOwnCommits() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let clean = try fx.commit("clean on top", files: ["src/more.rs": "pub fn more() {}\n"])
        func pushEnv(before: String, after: String) throws -> [String: String] {
            let event: [String: Any] = ["before": before, "after": after, "repository": ["default_branch": "main"]]
            let file = fx.root.appendingPathComponent("push-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: event).write(to: file)
            return ["GITHUB_ACTIONS": "true", "GITLAB_CI": "", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": file.path,
                    "GITHUB_REPOSITORY": "octo/widgets", "GITHUB_SHA": after, "GITHUB_REF_NAME": "feature",
                    "GITHUB_STEP_SUMMARY": "", "GITHUB_TOKEN": ""]
        }
        // head..clean adds only a clean file.
        let onTop = try ci(fx, ["--format", "json"], try pushEnv(before: head, after: clean))
        #expect(onTop.status == 0, "\(onTop.err)")
        // base..clean includes the stub.
        let both = try ci(fx, [], try pushEnv(before: base, after: clean))
        #expect(both.status == 1)
        // A new branch (before is all zeros): the commits main does not have, the stub among them.
        let zero = String(repeating: "0", count: 40)
        let newBranch = try ci(fx, ["--format", "json"], try pushEnv(before: zero, after: clean))
        #expect(newBranch.status == 1, "\(newBranch.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(newBranch.out.split(separator: "\n").last!.utf8)) as? [String: Any])
        let report = try #require(json["report"] as? [String: Any])
        #expect((report["summary"] as? [String: Any])?["files"] as? Int == 2)
        #expect(report["base"] as? String == base, "\(report)")
        #expect(newBranch.err.contains("no token"))
    }

    @Test func aPushReportsThePushedBranchNotTheCheckedOutOne() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() {}\n"])
        #expect(try fx.git("branch", "--show-current").trimmingCharacters(in: .whitespacesAndNewlines) == "feature")
        func branch(ref: String?, environment extra: [String: String]) throws -> String? {
            var event: [String: Any] = ["before": base, "after": head]
            if let ref { event["ref"] = ref }
            let file = fx.root.appendingPathComponent("push-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: event).write(to: file)
            let env = ["GITHUB_ACTIONS": "true", "GITLAB_CI": "", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": file.path,
                       "GITHUB_REPOSITORY": "octo/widgets", "GITHUB_SHA": head, "GITHUB_STEP_SUMMARY": "", "GITHUB_TOKEN": ""]
                .merging(extra) { $1 }
            let r = try ci(fx, ["--format", "json"], env)
            #expect(r.status == 0, "\(r.err)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.split(separator: "\n").last!.utf8)) as? [String: Any])
            return (json["report"] as? [String: Any])?["branch"] as? String
        }
        // The event's ref names the branch, whatever is checked out.
        #expect(try branch(ref: "refs/heads/main", environment: [:]) == "main")
        // Without a ref in the payload: GITHUB_REF.
        #expect(try branch(ref: nil, environment: ["GITHUB_REF": "refs/heads/release/2.0"]) == "release/2.0")
    }

    @Test func aBaseMissingFromAShallowCloneIsExit2NamingTheFix() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() {}\n"])
        let clone = fx.root.appendingPathComponent("shallow")
        _ = try runProcess("git", ["clone", "-q", "--depth", "1", "--branch", "feature", "file://\(fx.path.path)", clone.path])
        let shallow = GitFixture(existing: clone, root: fx.root.appendingPathComponent("unused"))
        let github = try FakeGitHub()
        let env = try pullRequestEnvironment(fx, github, base: base, head: head)
        let r = try ci(shallow, [], env)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("fetch-depth: 0"), "\(r.err)")
        // The broken run is reported as `error`, not `failure`.
        let status = try #require(github.requests("POST", containing: "/statuses/").first?.json)
        #expect(status["state"] as? String == "error")
        #expect((status["description"] as? String)?.hasPrefix("assay could not run: ") == true)
    }

    @Test func gitLabMergeRequestsWriteJUnitAndNothingLeavesTheMachine() throws {
        let (fx, base, head) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        let junit = fx.root.appendingPathComponent("junit.xml")
        let env = ["GITLAB_CI": "true", "GITHUB_ACTIONS": "", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "3",
                   "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
                   "CI_MERGE_REQUEST_DESCRIPTION": "Adds `src/feature.rs` and `src/missing.rs`."]
        let r = try ci(fx, ["--junit", junit.path, "--format", "json"], env)
        #expect(r.status == 1, "\(r.err)")
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.contains("stub-marker"))
        // The description's claims were checked: the missing path is contradicted.
        #expect(xml.contains("src/missing.rs"), "\(xml)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.split(separator: "\n").last!.utf8)) as? [String: Any])
        #expect(json["provider"] as? String == "gitlab")
        #expect(json["pull_request"] as? Int == 3)
    }

    @Test func aPullRequestCannotTurnItsOwnRulesOff() throws {
        let (fx, base, head) = try repo([".assay.yml": "policy: none\n", ".assayignore": "",
                                         "src/feature.rs": "pub fn feature() { todo!() }\n"])
        let env = try pullRequestEnvironment(fx, nil, base: base, head: head)
        let r = try ci(fx, ["--no-post"], env)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("stub-marker"))
        #expect(r.err.contains("the change edits .assay.yml"))
        // The same settings on the base apply.
        let (ok, obase, ohead) = try repo(["src/feature.rs": "pub fn feature() { todo!() }\n"])
        try ok.git("checkout", "-q", "main")
        try ok.commit("settings", files: [".assay.yml": "policy: none\n"])
        try ok.git("checkout", "-q", "feature")
        try ok.git("rebase", "-q", "main")
        let rebasedBase = try ok.rev("main"), rebasedHead = try ok.head()
        _ = (obase, ohead)
        let passed = try ci(ok, ["--no-post"], try pullRequestEnvironment(ok, nil, base: rebasedBase, head: rebasedHead))
        #expect(passed.status == 0, "\(passed.err)")
    }

    @Test func outsideCIItSaysWhatToRunInstead() throws {
        let (fx, _, _) = try repo(["src/feature.rs": "pub fn feature() {}\n"])
        let r = try ci(fx, [], ["GITHUB_ACTIONS": "", "GITLAB_CI": ""])
        #expect(r.status == 2)
        #expect(r.err.contains("assay audit --range"), "\(r.err)")
    }
}

/// Counts calls across the server's threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
