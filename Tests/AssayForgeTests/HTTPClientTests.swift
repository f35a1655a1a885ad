import AssayCore
import AssayTestSupport
import Foundation
import Testing
@testable import AssayForge

@Suite("HTTPClient against a real server")
struct HTTPClientTests {
    @Test("a PUT carries method, path, headers and body; the response comes back whole")
    func roundTrip() throws {
        let server = try startServer { request in
            .json(["echo": request.text], status: 201, headers: ["X-Request-Id": "abc", "Set-Cookie": "a=1"])
        }
        let recorder = Recorder()
        let response = try testClient(recorder).send(HTTPRequest(
            .put, server.baseURL + "/things/1?view=full",
            headers: [("X-Custom", "yes"), ("Content-Type", "text/plain")], body: Data("hello\0world".utf8)))

        #expect(response.status == 201)
        #expect(response.headers["x-request-id"] == "abc")
        #expect(response.header("X-REQUEST-ID") == "abc")
        #expect(response.headers["content-type"] == "application/json")
        let echoed = try JSONSerialization.jsonObject(with: response.body) as? [String: String]
        #expect(echoed == ["echo": "hello\0world"])

        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "PUT")
        #expect(request.target == "/things/1?view=full")
        #expect(request.header("x-custom") == "yes")
        #expect(request.header("user-agent") == HTTPClient.defaultUserAgent)
        #expect(HTTPClient.defaultUserAgent.hasPrefix("assay/"))
        #expect(request.header("expect") == nil)
        #expect(request.body == Data("hello\0world".utf8))
    }

    @Test("a 2 MB body is sent exactly, without waiting for 100 Continue")
    func largeBody() throws {
        let server = try startServer { request in .text("\(request.body.count)") }
        let payload = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let started = Date()
        let response = try testClient(Recorder()).send(HTTPRequest(.post, server.baseURL + "/upload", body: payload))
        #expect(response.text == "2000000")
        #expect(server.requests.first?.body == payload)
        #expect(server.requests.first?.header("expect") == nil)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("GET and DELETE without a body use their own method; a redirect is not followed")
    func methodsAndRedirects() throws {
        let server = try startServer { request in
            request.path == "/moved" ? TestResponse(status: 301, headers: ["Location": "/elsewhere"]) : .text("ok")
        }
        let client = testClient(Recorder(), retry: .never)
        _ = try client.send(HTTPRequest(.get, server.baseURL + "/a"))
        _ = try client.send(HTTPRequest(.delete, server.baseURL + "/b"))
        #expect(throws: HTTPError.self) { try client.send(HTTPRequest(.get, server.baseURL + "/moved")) }
        #expect(server.requests.map { "\($0.method) \($0.path)" } == ["GET /a", "DELETE /b", "GET /moved"])
        #expect(server.requests[1].body.isEmpty)
    }

    @Test("500 then 200 is retried once and succeeds")
    func retriesServerError() throws {
        let server = try startServer(HTTPTestServer.queue([.text("boom", status: 500), .text("fine")]))
        let recorder = Recorder()
        let response = try testClient(recorder).send(HTTPRequest(.get, server.baseURL + "/flaky"))
        #expect(response.text == "fine")
        #expect(server.requests.count == 2)
        #expect(recorder.sleeps == [0.5])
    }

    @Test("429 with Retry-After: 7 waits 7 seconds (recorded, not slept)")
    func honoursRetryAfterSeconds() throws {
        let server = try startServer(HTTPTestServer.queue([
            .text("slow down", status: 429, headers: ["Retry-After": "7"]), .text("ok"),
        ]))
        let recorder = Recorder()
        let started = Date()
        _ = try testClient(recorder).send(HTTPRequest(.post, server.baseURL + "/x", body: Data("{}".utf8)))
        #expect(recorder.sleeps == [7])
        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.method == "POST" && $0.text == "{}" })
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(recorder.lines.contains { $0.contains("retrying in 7 s") })
    }

    @Test("Retry-After as an HTTP date, capped by maxRetryAfter")
    func honoursRetryAfterDate() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        let server = try startServer(HTTPTestServer.queue([
            .text("", status: 503, headers: ["Retry-After": "Tue, 14 Nov 2023 22:13:32 GMT"]),
            .text("", status: 503, headers: ["Retry-After": "Tue, 14 Nov 2023 23:13:20 GMT"]),
            .text("ok"),
        ]))
        let recorder = Recorder()
        _ = try testClient(recorder, retry: RetryPolicy(maxRetryAfter: 60, jitter: 0), now: { now })
            .send(HTTPRequest(.get, server.baseURL + "/x"))
        #expect(recorder.sleeps == [12, 60])
    }

    @Test("GitHub's x-ratelimit-reset is waited for when near, and ends the attempts when far")
    func honoursRateLimitReset() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let near = try startServer(HTTPTestServer.queue([
            .text("", status: 403, headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000025"]),
            .text("ok"),
        ]))
        let recorder = Recorder()
        _ = try testClient(recorder, now: { now }).send(HTTPRequest(.get, near.baseURL + "/x"))
        #expect(recorder.sleeps == [25])

        let far = try startServer(HTTPTestServer.queue([
            .json(["message": "API rate limit exceeded"], status: 403,
                  headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700003600"]),
        ]))
        let farRecorder = Recorder()
        let error = #expect(throws: HTTPError.self) {
            try testClient(farRecorder, now: { now }).send(HTTPRequest(.get, far.baseURL + "/x"))
        }
        #expect(error?.isRateLimited == true)
        #expect(error?.kind == .status(403))
        #expect(far.requests.count == 1)
        #expect(farRecorder.sleeps.isEmpty)
    }

    @Test("4 × 503 gives up after maxAttempts with an error naming the status")
    func givesUpAfterMaxAttempts() throws {
        let server = try startServer(HTTPTestServer.queue([.text("unavailable", status: 503)]))
        let recorder = Recorder()
        let error = #expect(throws: HTTPError.self) {
            try testClient(recorder).send(HTTPRequest(.get, server.baseURL + "/down"))
        }
        #expect(error?.kind == .status(503))
        #expect(error?.attempts == 4)
        #expect(error?.message.contains("HTTP 503") == true)
        #expect(error?.message.contains(server.baseURL + "/down") == true)
        #expect(error?.bodySnippet == "unavailable")
        #expect(server.requests.count == 4)
        #expect(recorder.sleeps == [0.5, 1, 2])
        #expect(recorder.lines.filter { $0.contains("→ HTTP 503") }.count == 4)
        #expect(recorder.lines.contains { $0.contains("attempt 4/4") })
    }

    @Test("404 and 422 are not retried", arguments: [404, 422])
    func clientErrorsAreFinal(status: Int) throws {
        let server = try startServer(HTTPTestServer.queue([.json(["message": "Not Found"], status: status)]))
        let recorder = Recorder()
        let error = #expect(throws: HTTPError.self) {
            try testClient(recorder).send(HTTPRequest(.get, server.baseURL + "/missing"))
        }
        #expect(error?.kind == .status(status))
        #expect(error?.attempts == 1)
        #expect(server.requests.count == 1)
        #expect(recorder.sleeps.isEmpty)
    }

    @Test("a server slower than the 0.5 s timeout gives a .timeout error naming the URL")
    func timesOut() throws {
        let server = try startServer { _ in .text("late", delay: 3) }
        let started = Date()
        let error = #expect(throws: HTTPError.self) {
            try testClient(Recorder(), retry: .never, timeout: 0.5).send(HTTPRequest(.get, server.baseURL + "/slow"))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("timed out") == true)
        #expect(error?.message.contains(server.baseURL + "/slow") == true)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(server.requests.count == 1)
    }

    @Test("a timeout is retried up to maxAttempts")
    func timeoutIsRetried() throws {
        let server = try startServer(HTTPTestServer.queue([.text("late", delay: 2), .text("quick")]))
        let recorder = Recorder()
        let response = try testClient(recorder, timeout: 0.4).send(HTTPRequest(.get, server.baseURL + "/slow"))
        #expect(response.text == "quick")
        #expect(server.requests.count == 2)
        #expect(recorder.sleeps == [0.5])
    }

    @Test("nothing listening gives a .connect error, retried with backoff")
    func connectionRefused() throws {
        let port = try HTTPTestServer.unusedPort()
        let recorder = Recorder()
        let url = "http://127.0.0.1:\(port)/nothing"
        let error = #expect(throws: HTTPError.self) {
            try testClient(recorder, retry: RetryPolicy(maxAttempts: 3, jitter: 0)).send(HTTPRequest(.get, url))
        }
        #expect(error?.kind == .connect)
        #expect(error?.attempts == 3)
        #expect(error?.message.contains(url) == true)
        #expect(recorder.sleeps == [0.5, 1])
    }

    @Test("secrets never leave the client: not in errors, snippets or log lines")
    func redactsSecrets() throws {
        let secret = "ghp_secret123"
        let server = try startServer { request in
            .json(["message": "Bad credentials: \(request.header("authorization") ?? "")",
                   "query": request.target], status: 401)
        }
        let recorder = Recorder()
        let client = testClient(recorder, secrets: [secret])
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(.get, server.baseURL + "/user?access_token=\(secret)",
                                        headers: [("Authorization", "Bearer \(secret)")]))
        }
        let error401 = try #require(error)
        // The server did echo the secret back: the client must have hidden it.
        #expect(server.requests.first?.header("authorization") == "Bearer \(secret)")
        #expect(error401.bodySnippet?.contains("***") == true)
        let said = [error401.message, error401.url, error401.bodySnippet ?? "", error401.description] + recorder.lines
        #expect(!recorder.lines.isEmpty)
        for text in said {
            #expect(!text.contains(secret), "leaked: \(text)")
        }
    }

    @Test("an Authorization credential is hidden even when not listed as a secret")
    func redactsAuthorizationHeader() throws {
        let server = try startServer { request in
            .text("you sent \(request.header("authorization") ?? "") and x-token", status: 400)
        }
        let recorder = Recorder()
        let error = #expect(throws: HTTPError.self) {
            try testClient(recorder).send(HTTPRequest(.get, server.baseURL + "/",
                                                      headers: [("Authorization", "token s3cr3t-value")]))
        }
        #expect(error?.bodySnippet == "you sent *** and x-token")
        #expect(!(error?.description.contains("s3cr3t-value") ?? true))
    }

    @Test("a long error body is cut to about 300 characters")
    func snippetIsShort() throws {
        let server = try startServer { _ in .text(String(repeating: "x", count: 5000), status: 400) }
        let error = #expect(throws: HTTPError.self) {
            try testClient(Recorder()).send(HTTPRequest(.get, server.baseURL + "/"))
        }
        #expect(error?.bodySnippet?.count == HTTPError.snippetLength)
        #expect(error?.bodySnippet?.hasSuffix("…") == true)
    }
}

@Suite("HTTP pieces")
struct HTTPPieceTests {
    @Test("backoff doubles from baseDelay, stops at maxDelay, and jitter only shortens it")
    func backoff() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 3, jitter: 0)
        #expect((1...5).map { policy.backoff(afterAttempt: $0, random: 0.9) } == [0.5, 1, 2, 3, 3])
        let jittered = RetryPolicy(baseDelay: 1, maxDelay: 30, jitter: 0.5)
        #expect(jittered.backoff(afterAttempt: 3, random: 0) == 4)
        #expect(jittered.backoff(afterAttempt: 3, random: 0.999) > 2)
        #expect(jittered.backoff(afterAttempt: 3, random: 1) == 2)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test("Retry-After reads seconds and the three HTTP date formats")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.seconds(retryAfter: "120", now: now) == 120)
        #expect(RetryPolicy.seconds(retryAfter: "Sun, 06 Nov 1994 08:50:37 GMT", now: now) == 60)
        #expect(RetryPolicy.seconds(retryAfter: "Sunday, 06-Nov-94 08:50:37 GMT", now: now) == 60)
        #expect(RetryPolicy.seconds(retryAfter: "Sun Nov  6 08:50:37 1994", now: now) == 60)
        #expect(RetryPolicy.seconds(retryAfter: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)
        #expect(RetryPolicy.seconds(retryAfter: "soon", now: now) == nil)
    }

    @Test("the redactor hides secrets, longest first, also percent-encoded")
    func redactor() {
        let redactor = Redactor(secrets: ["abc", "abc/def+1", ""])
        #expect(redactor.redact("x abc/def+1 y abc") == "x *** y ***")
        #expect(redactor.redact("q=abc%2Fdef%2B1") == "q=***")
        #expect(redactor.redact("nothing here") == "nothing here")
    }
}

@Suite("HTTPTestServer")
struct HTTPTestServerTests {
    @Test("Expect: 100-continue gets 100 Continue before the body is sent")
    func expectContinue() throws {
        let server = try startServer { request in .text("got \(request.text)", status: 201) }
        let connection = try RawConnection(port: server.port)
        connection.write("POST /up?x=1 HTTP/1.1\r\nHost: here\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(connection.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
        connection.write("hello")
        let response = connection.read(until: "got hello")
        #expect(response.hasPrefix("HTTP/1.1 201 Created\r\n"))
        #expect(response.contains("Connection: close\r\n"))
        #expect(response.contains("Content-Length: 9\r\n"))
        #expect(response.hasSuffix("\r\n\r\ngot hello"))
        let request = try #require(server.requests.first)
        #expect(request.path == "/up")
        #expect(request.query == ["x": "1"])
        #expect(request.header("host") == "here")
    }

    @Test("a stopped server refuses connections; stop is idempotent")
    func stops() throws {
        let server = try startServer { _ in .text("ok") }
        let port = server.port
        #expect(port > 0)
        _ = try HTTPClient(retry: .never).send(HTTPRequest(.get, server.baseURL + "/"))
        server.stop()
        server.stop()
        let error = #expect(throws: HTTPError.self) {
            try HTTPClient(retry: .never).send(HTTPRequest(.get, "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.kind == .connect)
    }
}
