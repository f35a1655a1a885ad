import AssayTestSupport
import Foundation
@testable import AssayForge

/// Collects what a client hands to its injected closures: the waits it asked for and its log lines.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _sleeps: [Double] = []
    private var _lines: [String] = []

    var sleeps: [Double] { lock.withLock { _sleeps } }
    var lines: [String] { lock.withLock { _lines } }

    /// A sleep that records the delay and returns at once.
    var sleep: @Sendable (Double) -> Void { { [self] seconds in lock.withLock { _sleeps.append(seconds) } } }
    /// A log that records each line.
    var log: @Sendable (String) -> Void { { [self] line in lock.withLock { _lines.append(line) } } }
}

/// A started server answering with `handler`.
func startServer(_ handler: @escaping HTTPTestServer.Handler) throws -> HTTPTestServer {
    let server = HTTPTestServer(handler: handler)
    try server.start()
    return server
}

/// A client that never waits for real and retries without jitter, so delays are exact.
func testClient(_ recorder: Recorder, retry: RetryPolicy = RetryPolicy(jitter: 0), timeout: Double = 10,
                secrets: [String] = [], now: @escaping @Sendable () -> Date = { Date() }) -> HTTPClient {
    HTTPClient(timeout: timeout, connectTimeout: 5, retry: retry, secrets: secrets,
               log: recorder.log, sleep: recorder.sleep, now: now)
}

/// A GitHub client for `octo/widgets` on `server`.
func gitHub(_ server: HTTPTestServer, token: String = "tok-123", http: HTTPClient) throws -> GitHubClient {
    try GitHubClient(repository: "octo/widgets", token: token, apiURL: server.baseURL, http: http)
}

/// The issue comments of one issue, kept by the test server: GET lists them `pageSize` per page
/// with `Link: rel="next"`, POST adds one, PATCH edits one.
final class CommentStore: @unchecked Sendable {
    private let lock = NSLock()
    private var comments: [(id: Int, body: String)]
    /// Who wrote each comment (`user` as GitHub sends it); comments without an entry have none.
    private var authors: [Int: [String: Any]]
    private var nextID = 9001
    private var base = ""
    let pageSize: Int
    /// What `GET /user` answers for the token; nil: 403, as for an installation token.
    let me: [String: Any]?
    /// Who the comments the token posts are written by.
    var poster: [String: Any] { me ?? ["id": 41898282, "login": "github-actions[bot]", "type": "Bot"] }

    /// `mine`: ids of seeded comments written by the token's identity.
    init(comments: [(id: Int, body: String)] = [], mine: Set<Int> = [], pageSize: Int = 100,
         me: [String: Any]? = ["id": 42, "login": "assay-bot", "type": "User"]) {
        self.comments = comments
        self.pageSize = pageSize
        self.me = me
        self.authors = [:]
        for id in mine { authors[id] = poster }
    }

    /// Makes `author` the writer of comment `id`.
    func setAuthor(_ id: Int, _ author: [String: Any]) { lock.withLock { authors[id] = author } }

    /// The comments now.
    var all: [(id: Int, body: String)] { lock.withLock { comments } }

    /// Starts a server for issue 7 of `octo/widgets` backed by this store.
    func serve() throws -> HTTPTestServer {
        let server = try startServer { [self] request in handle(request) }
        lock.withLock { base = server.baseURL }
        return server
    }

    private func handle(_ request: RecordedRequest) -> TestResponse {
        lock.withLock {
            switch (request.method, request.path) {
            case ("GET", "/repos/octo/widgets/issues/7/comments"):
                let page = Int(request.query["page"] ?? "1") ?? 1
                let slice = comments.dropFirst((page - 1) * pageSize).prefix(pageSize)
                var headers: [String: String] = [:]
                if comments.count > page * pageSize {
                    let next = "\(base)/repos/octo/widgets/issues/7/comments?per_page=100&page=\(page + 1)"
                    headers["Link"] = "<\(next)>; rel=\"next\", <\(base)/repos/octo/widgets/issues/7/comments?page=99>; rel=\"last\""
                }
                return .json(slice.map { c -> [String: Any] in
                    var json: [String: Any] = ["id": c.id, "body": c.body]
                    if let author = authors[c.id] { json["user"] = author }
                    return json
                }, headers: headers)
            case ("GET", "/user"):
                guard let me else { return .json(["message": "Resource not accessible by integration"], status: 403) }
                return .json(me)
            case ("POST", "/repos/octo/widgets/issues/7/comments"):
                guard let body = request.json?["body"] as? String else { return .text("no body", status: 422) }
                nextID += 1
                comments.append((nextID, body))
                authors[nextID] = poster
                return .json(["id": nextID, "body": body], status: 201)
            case ("PATCH", let path) where path.hasPrefix("/repos/octo/widgets/issues/comments/"):
                guard let id = Int(path.split(separator: "/").last ?? ""),
                      let index = comments.firstIndex(where: { $0.id == id }),
                      let body = request.json?["body"] as? String else { return .text("not found", status: 404) }
                comments[index].body = body
                return .json(["id": id, "body": body])
            default:
                return .text("no route", status: 404)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP connection to 127.0.0.1, for speaking HTTP by hand to the test server.
final class RawConnection {
    private let fd: Int32

    init(port: Int) throws {
        #if os(Linux)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw FixtureError(description: "connect failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Reads until `marker` has arrived or the stream ends; returns all that was read.
    func read(until marker: String) -> String {
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: chunk[..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
