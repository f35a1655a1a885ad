import AssayTestSupport
import Foundation
import Testing
@testable import AssayForge

@Suite("GitHubClient against a real server")
struct GitHubClientTests {
    @Test("every request carries the token, the media type and the API version; JSON bodies decode")
    func headersAndJSON() throws {
        let store = CommentStore()
        let server = try store.serve()
        let result = try gitHub(server, http: testClient(Recorder()))
            .upsertComment(issueNumber: 7, marker: "<!-- assay -->", body: "<!-- assay -->\nAll **good**")

        #expect(result == .created(9002))
        let requests = server.requests
        #expect(requests.map(\.method) == ["GET", "POST"])
        #expect(requests[0].path == "/repos/octo/widgets/issues/7/comments")
        #expect(requests[0].query["per_page"] == "100")
        #expect(requests[0].header("content-type") == nil)
        #expect(requests[1].header("content-type") == "application/json")
        for request in requests {
            #expect(request.header("authorization") == "Bearer tok-123")
            #expect(request.header("accept") == "application/vnd.github+json")
            #expect(request.header("x-github-api-version") == "2022-11-28")
            #expect(request.header("user-agent")?.hasPrefix("assay/") == true)
        }
        #expect(requests[1].json?["body"] as? String == "<!-- assay -->\nAll **good**")
        #expect(requests[1].text == #"{"body":"<!-- assay -->\nAll **good**"}"#)
    }

    @Test("a commit status arrives as sent")
    func statusPayload() throws {
        let server = try startServer { _ in .json(["id": 1], status: 201) }
        try gitHub(server, http: testClient(Recorder())).createStatus(
            sha: "0123abcd", state: .failure, context: "assay/gate", description: "2 claims contradicted",
            targetURL: "https://ci.example/run/5")

        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/repos/octo/widgets/statuses/0123abcd")
        let json = try #require(request.json)
        #expect(json["state"] as? String == "failure")
        #expect(json["context"] as? String == "assay/gate")
        #expect(json["description"] as? String == "2 claims contradicted")
        #expect(json["target_url"] as? String == "https://ci.example/run/5")
        #expect(request.text.hasPrefix(#"{"context":"assay/gate","description""#), "keys are sorted")
    }

    @Test("a 200-character description arrives as at most 140 characters, ending in …")
    func statusDescriptionIsCut() throws {
        let server = try startServer { _ in .json(["id": 1], status: 201) }
        let github = try gitHub(server, http: testClient(Recorder()))
        let long = String(repeating: "abcdefghij", count: 20)
        try github.createStatus(sha: "abc", state: .pending, context: "assay")
        try github.createStatus(sha: "abc", state: .success, context: "assay", description: long)
        try github.createStatus(sha: "abc", state: .error, context: "assay",
                                description: String(repeating: "👩‍👩‍👧 ", count: 60))

        let bodies = server.requests.map(\.json)
        #expect(bodies[0]?["description"] == nil)
        let cut = try #require(bodies[1]?["description"] as? String)
        #expect(cut.count <= 140)
        #expect(cut.count > 100)
        #expect(cut.hasSuffix("…"))
        #expect(long.hasPrefix(String(cut.dropLast())))
        let family = try #require(bodies[2]?["description"] as? String)
        #expect(family.unicodeScalars.count <= 140)
        #expect(family.hasSuffix("👩‍👩‍👧…"), "a cut never splits a character")
    }

    @Test("120 annotations take exactly three requests: 50 with the creation, then 50 and 20")
    func annotationsInBatches() throws {
        let server = try startServer { request in
            request.method == "POST" ? .json(["id": 42], status: 201) : .json(["id": 42])
        }
        let annotations = (1...120).map {
            CheckAnnotation(path: "Sources/File\($0).swift", startLine: $0, endLine: $0 + 1,
                            level: $0.isMultiple(of: 2) ? .warning : .failure, message: "finding \($0)",
                            title: $0 == 1 ? "first" : nil)
        }
        let result = try gitHub(server, http: testClient(Recorder())).createCheckRun(
            name: "assay", headSHA: "feedbeef", conclusion: .failure, title: "2 findings",
            summary: "## Summary", text: "details", annotations: annotations)

        #expect(result == CheckRunResult(id: 42, requests: 3))
        let requests = server.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "POST /repos/octo/widgets/check-runs",
            "PATCH /repos/octo/widgets/check-runs/42",
            "PATCH /repos/octo/widgets/check-runs/42",
        ])
        let created = try #require(requests[0].json)
        #expect(created["name"] as? String == "assay")
        #expect(created["head_sha"] as? String == "feedbeef")
        #expect(created["status"] as? String == "completed")
        #expect(created["conclusion"] as? String == "failure")

        var sent: [[String: Any]] = []
        var counts: [Int] = []
        for request in requests {
            let output = try #require(request.json?["output"] as? [String: Any])
            #expect(output["title"] as? String == "2 findings")
            #expect(output["summary"] as? String == "## Summary")
            #expect(output["text"] as? String == "details")
            let batch = try #require(output["annotations"] as? [[String: Any]])
            counts.append(batch.count)
            sent += batch
        }
        #expect(counts == [50, 50, 20])
        #expect(sent.map { $0["message"] as? String } == (1...120).map { "finding \($0)" })
        #expect(sent[0]["path"] as? String == "Sources/File1.swift")
        #expect(sent[0]["start_line"] as? Int == 1)
        #expect(sent[0]["end_line"] as? Int == 2)
        #expect(sent[0]["annotation_level"] as? String == "failure")
        #expect(sent[0]["title"] as? String == "first")
        #expect(sent[1]["annotation_level"] as? String == "warning")
        #expect(sent[1]["title"] == nil)
    }

    @Test("a check run without annotations is one request; a huge summary is cut with a note")
    func checkRunSummaryIsCut() throws {
        let server = try startServer { _ in .json(["id": 7], status: 201) }
        let result = try gitHub(server, http: testClient(Recorder())).createCheckRun(
            name: "assay", headSHA: "abc", conclusion: .neutral, title: "t",
            summary: String(repeating: "line of the report\n", count: 4000))
        #expect(result == CheckRunResult(id: 7, requests: 1))
        let output = try #require(server.requests.first?.json?["output"] as? [String: Any])
        let summary = try #require(output["summary"] as? String)
        #expect(summary.unicodeScalars.count <= 65_535)
        #expect(summary.count > 65_000)
        #expect(summary.hasSuffix("(cut to GitHub's limit of 65,535 characters)"))
        #expect(output["annotations"] == nil)
        #expect(output["text"] == nil)
    }

    @Test("the sticky comment is created once, then the same comment is edited")
    func stickyComment() throws {
        let store = CommentStore(comments: [(100, "LGTM"), (101, "please fix")])
        let server = try store.serve()
        let github = try gitHub(server, http: testClient(Recorder()))
        let marker = "<!-- assay:report -->"

        let first = try github.upsertComment(issueNumber: 7, marker: marker, body: "\(marker)\nround 1")
        let second = try github.upsertComment(issueNumber: 7, marker: marker, body: "\(marker)\nround 2")

        guard case .created(let id) = first else {
            Issue.record("expected a new comment, got \(first)")
            return
        }
        #expect(second == .updated(id))
        // Who the token is is asked only once a comment carries the marker.
        #expect(server.requests.map(\.method) == ["GET", "POST", "GET", "GET", "PATCH"])
        #expect(server.requests[3].path == "/user")
        #expect(server.requests[4].path == "/repos/octo/widgets/issues/comments/\(id)")
        #expect(store.all.map(\.body) == ["LGTM", "please fix", "\(marker)\nround 2"])
    }

    @Test("a body without the marker gets it, so the next run finds the comment")
    func markerIsAdded() throws {
        let store = CommentStore()
        let server = try store.serve()
        let github = try gitHub(server, http: testClient(Recorder()))
        let first = try github.upsertComment(issueNumber: 7, marker: "<!-- m -->", body: "report")
        let second = try github.upsertComment(issueNumber: 7, marker: "<!-- m -->", body: "report 2")
        #expect(second == .updated(first.id))
        #expect(store.all.map(\.body) == ["report 2\n\n<!-- m -->"])
    }

    @Test("pagination is followed when the marker is on page 2")
    func stickyCommentOnPageTwo() throws {
        let marker = "<!-- assay:report -->"
        let store = CommentStore(comments: [(1, "a"), (2, "b"), (3, "c"), (4, "old \(marker)"), (5, "e")], mine: [4], pageSize: 3)
        let server = try store.serve()
        let result = try gitHub(server, http: testClient(Recorder()))
            .upsertComment(issueNumber: 7, marker: marker, body: "new \(marker)")

        #expect(result == .updated(4))
        #expect(server.requests.map { "\($0.method) \($0.target)" } == [
            "GET /repos/octo/widgets/issues/7/comments?per_page=100",
            "GET /repos/octo/widgets/issues/7/comments?per_page=100&page=2",
            "GET /user",
            "PATCH /repos/octo/widgets/issues/comments/4",
        ])
        #expect(store.all.map(\.body) == ["a", "b", "c", "new \(marker)", "e"])
    }

    @Test("a comment carrying the marker is edited only when the token's own identity wrote it",
          arguments: [false, true])
    func foreignMarkerIsLeftAlone(installationToken: Bool) throws {
        let marker = "<!-- assay:report -->"
        let store = CommentStore(comments: [(1, "\(marker) planted by someone else"), (2, "\(marker) another app's"), (3, "\(marker) ours")],
                                 mine: [3], me: installationToken ? nil : ["id": 42, "login": "assay-bot", "type": "User"])
        // Someone else: a person (for an installation token, one who even calls themself a bot),
        // and another app's bot.
        store.setAuthor(1, installationToken ? ["id": 7, "login": "github-actions[bot]", "type": "User"]
                                             : ["id": 666, "login": "assay-bot-fan", "type": "User"])
        store.setAuthor(2, ["id": 99, "login": "other-app[bot]", "type": "Bot"])
        let server = try store.serve()
        let github = try gitHub(server, http: testClient(Recorder()))
        #expect(try github.identity() == (installationToken ? .installation : .user(id: 42, login: "assay-bot")))
        #expect(try github.upsertComment(issueNumber: 7, marker: marker, body: "\(marker) report") == .updated(3))
        #expect(store.all.map(\.body) == ["\(marker) planted by someone else", "\(marker) another app's", "\(marker) report"])
        // With only the foreign ones, a new comment is posted.
        let foreignOnly = CommentStore(comments: [(1, "\(marker) planted"), (2, "\(marker) another app's")],
                                       me: installationToken ? nil : ["id": 42, "login": "assay-bot", "type": "User"])
        foreignOnly.setAuthor(1, ["id": 666, "login": "mallory", "type": "User"])
        foreignOnly.setAuthor(2, ["id": 99, "login": "other-app[bot]", "type": "Bot"])
        let foreignServer = try foreignOnly.serve()
        let created = try gitHub(foreignServer, http: testClient(Recorder())).upsertComment(issueNumber: 7, marker: marker, body: "\(marker) new")
        #expect(created == .created(9002))
        #expect(foreignServer.requests.filter { $0.method == "PATCH" }.isEmpty)
        #expect(foreignOnly.all.map(\.body) == ["\(marker) planted", "\(marker) another app's", "\(marker) new"])
    }

    @Test("a next page on another host is refused: the token never goes there")
    func paginationStaysOnHost() throws {
        let server = try startServer { _ in
            .json([["id": 1, "body": "x"]], headers: ["Link": "<http://elsewhere.example/page2>; rel=\"next\""])
        }
        let error = #expect(throws: ForgeError.self) {
            try gitHub(server, http: testClient(Recorder())).upsertComment(issueNumber: 7, marker: "m", body: "m")
        }
        #expect(error?.description.contains("another host") == true)
        #expect(server.requests.count == 1)
    }

    @Test("403 is a permission denial, not retried, and says what failed")
    func permissionDenied() throws {
        let server = try startServer(HTTPTestServer.queue([
            .json(["message": "Resource not accessible by integration",
                   "documentation_url": "https://docs.github.com/rest/commits/statuses"], status: 403),
        ]))
        let recorder = Recorder()
        let error = #expect(throws: ForgeError.self) {
            try gitHub(server, http: testClient(recorder)).createStatus(sha: "abc", state: .success, context: "assay")
        }
        #expect(error?.isPermissionDenied == true)
        #expect(error?.http?.kind == .status(403))
        #expect(error?.description.hasPrefix(
            "could not post the commit status: HTTP 403 Resource not accessible by integration (POST ") == true)
        #expect(server.requests.count == 1)
        #expect(recorder.sleeps.isEmpty)
    }

    @Test("422 explains itself; it is not a permission denial")
    func validationFailure() throws {
        let server = try startServer { _ in
            .json(["message": "Validation Failed",
                   "errors": [["resource": "Status", "field": "description", "code": "custom",
                               "message": "description is too long (maximum is 140 characters)"]]], status: 422)
        }
        let error = #expect(throws: ForgeError.self) {
            try gitHub(server, http: testClient(Recorder())).createStatus(sha: "abc", state: .success, context: "c")
        }
        #expect(error?.isPermissionDenied == false)
        #expect(error?.reason.hasPrefix(
            "HTTP 422 Validation Failed: description is too long (maximum is 140 characters)") == true)
    }

    @Test("a failed update after the creation names the annotations that were not sent")
    func failedAnnotationBatch() throws {
        let server = try startServer(HTTPTestServer.scripted([
            "/repos/octo/widgets/check-runs": [.json(["id": 5], status: 201)],
            "/repos/octo/widgets/check-runs/5": [.json(["message": "Bad credentials"], status: 401)],
        ]))
        let annotations = (1...60).map { CheckAnnotation(path: "a", startLine: $0, level: .notice, message: "m") }
        let error = #expect(throws: ForgeError.self) {
            try gitHub(server, http: testClient(Recorder())).createCheckRun(
                name: "assay", headSHA: "abc", conclusion: .success, title: "t", summary: "s", annotations: annotations)
        }
        #expect(error?.action == "add annotations 51–60 to check run 5")
        #expect(error?.isPermissionDenied == true)
    }

    @Test("the token is redacted from a 401 that echoes it, and from every log line")
    func redactsToken() throws {
        let token = "ghp_secret123"
        let server = try startServer { request in
            .json(["message": "Bad credentials: \(request.header("authorization") ?? "none")"], status: 401)
        }
        let recorder = Recorder()
        let http = testClient(recorder, secrets: [token])
        let error = #expect(throws: ForgeError.self) {
            try GitHubClient(repository: "octo/widgets", token: token, apiURL: server.baseURL, http: http)
                .createStatus(sha: "abc", state: .success, context: "assay", description: "token \(token)")
        }
        let forgeError = try #require(error)
        #expect(server.requests.first?.header("authorization") == "Bearer \(token)")
        #expect(forgeError.isPermissionDenied)
        #expect(forgeError.reason.contains("Bad credentials: ***"))
        let said = [forgeError.description, forgeError.reason, forgeError.http?.description ?? ""] + recorder.lines
        #expect(!recorder.lines.isEmpty)
        for text in said {
            #expect(!text.contains(token), "leaked: \(text)")
        }
    }

    @Test("the default HTTP client redacts the token too")
    func defaultClientRedacts() throws {
        let token = "ghp_other456"
        let server = try startServer { request in .text("echo \(request.header("authorization") ?? "")", status: 401) }
        let error = #expect(throws: ForgeError.self) {
            try GitHubClient(repository: "octo/widgets", token: token, apiURL: server.baseURL + "/")
                .createStatus(sha: "abc", state: .success, context: "assay")
        }
        #expect(error?.http?.bodySnippet == "echo ***")
        #expect(server.requests.first?.path == "/repos/octo/widgets/statuses/abc")
    }

    @Test("a repository must be owner/name", arguments: ["octo", "octo/", "/widgets", "a/b/c", "octo/wid gets"])
    func badRepository(slug: String) {
        #expect(throws: ForgeError.self) { try GitHubClient(repository: slug, token: "t") }
    }

    @Test("GITHUB_API_URL chooses the API root")
    func apiURLFromEnvironment() {
        #expect(GitHubClient.apiURL(environment: [:]) == "https://api.github.com")
        #expect(GitHubClient.apiURL(environment: ["GITHUB_API_URL": "https://ghe.example/api/v3"])
                == "https://ghe.example/api/v3")
    }
}

@Suite("GitHub pieces")
struct GitHubPieceTests {
    @Test("Link headers are read by relation")
    func links() {
        let header = #"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#
        #expect(GitHubClient.links(in: header) == [
            "next": "https://api.github.com/x?page=2", "last": "https://api.github.com/x?page=5",
        ])
        #expect(GitHubClient.links(in: "<a>; rel=\"prev next\"") == ["prev": "a", "next": "a"])
        #expect(GitHubClient.links(in: "") == [:])
    }

    @Test("cutting keeps short text, counts scalars, and never ends in whitespace before the ending")
    func cut() {
        #expect(GitHubClient.cut("short", limit: 10, ending: "…") == "short")
        #expect(GitHubClient.cut("exactly10!", limit: 10, ending: "…") == "exactly10!")
        #expect(GitHubClient.cut("abcd efghijk", limit: 6, ending: "…") == "abcd…")
        let accented = "e\u{301}\u{301}"  // one character, three scalars
        #expect(GitHubClient.cut(accented + accented + accented, limit: 4, ending: "…") == accented + "…")
    }

    @Test("a server message is found in a JSON body, whole or cut short")
    func serverMessage() {
        #expect(ForgeError.serverMessage(in: #"{"message":"Not Found","documentation_url":"x"}"#) == "Not Found")
        #expect(ForgeError.serverMessage(in: #"{"message":"He said \"no\"","documentation_url":"https://docs.git"#)
                == #"He said "no""#)
        #expect(ForgeError.serverMessage(in: "<html>502</html>") == nil)
    }
}
