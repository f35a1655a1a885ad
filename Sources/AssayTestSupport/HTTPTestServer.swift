import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request as the test server received it.
public struct RecordedRequest: Sendable {
    /// The method, such as `POST`.
    public var method: String
    /// The request target: path and query, as sent (`/repos/o/r/issues/1/comments?per_page=100`).
    public var target: String
    /// Header fields with lower-cased names; a repeated field's values are joined with ", ".
    public var headers: [String: String]
    /// The body, as many bytes as `Content-Length` said.
    public var body: Data

    /// A recorded request; header names must be lower-cased.
    public init(method: String, target: String, headers: [String: String], body: Data) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The path, without the query.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The query parameters, percent-decoded; the last value of a repeated name wins.
    public var query: [String: String] {
        guard let items = URLComponents(string: target)?.queryItems else { return [:] }
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }

    /// The value of header `name`, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as text, with invalid UTF-8 replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object, or nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}

/// What the test server answers: status, headers, body, and how long to wait before answering.
public struct TestResponse: Sendable {
    /// The status code; the reason phrase is chosen from it.
    public var status: Int
    /// Header fields to send; `Content-Length` and `Connection: close` are always added.
    public var headers: [String: String]
    public var body: Data
    /// Seconds to wait before answering, to make a client time out.
    public var delay: Double

    /// An answer; see the properties.
    public init(status: Int = 200, headers: [String: String] = [:], body: Data = Data(), delay: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// A JSON answer (`Content-Type: application/json`, keys sorted).
    public static func json(_ object: Any, status: Int = 200, headers: [String: String] = [:],
                            delay: Double = 0) -> TestResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        var headers = headers
        headers["Content-Type"] = headers["Content-Type"] ?? "application/json"
        return TestResponse(status: status, headers: headers, body: body, delay: delay)
    }

    /// A plain-text answer.
    public static func text(_ text: String, status: Int = 200, headers: [String: String] = [:],
                            delay: Double = 0) -> TestResponse {
        var headers = headers
        headers["Content-Type"] = headers["Content-Type"] ?? "text/plain; charset=utf-8"
        return TestResponse(status: status, headers: headers, body: Data(text.utf8), delay: delay)
    }
}

/// A test server failure: which system call failed, and `errno`.
public struct HTTPTestServerError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

/// A real HTTP/1.1 server on 127.0.0.1 for tests: every request is recorded and answered by a
/// handler, one connection per request (`Connection: close`).
///
/// A background thread accepts connections and one thread per connection reads the request line,
/// the headers and a `Content-Length` body (answering `Expect: 100-continue` with `100 Continue`).
/// Chunked request bodies are not supported.
public final class HTTPTestServer: @unchecked Sendable {
    /// Answers a request.
    public typealias Handler = @Sendable (RecordedRequest) -> TestResponse

    private let core: Core

    /// A server answering with `handler`; call `start()` to listen.
    public init(handler: @escaping Handler = { _ in TestResponse(status: 200) }) {
        core = Core(handler: handler)
    }

    deinit { stop() }

    /// Listens on 127.0.0.1 at `port` (0: any free port, then read `port`) and starts accepting.
    public func start(port: Int = 0) throws {
        try core.start(port: port)
    }

    /// Stops accepting and closes the listening socket; a connection being answered finishes on its
    /// own. Safe to call more than once.
    public func stop() {
        core.stop()
    }

    /// The port the server listens on; 0 before `start()`.
    public var port: Int { core.locked { $0.port } }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in the order they arrived.
    public var requests: [RecordedRequest] { core.locked { $0.requests } }

    /// A port on 127.0.0.1 with nothing listening (bound by the system, then released).
    public static func unusedPort() throws -> Int {
        let fd = try Core.listeningSocket(port: 0, backlog: nil)
        defer { close(fd) }
        return try Core.boundPort(fd)
    }

    /// A handler that answers with `responses` in order, then repeats the last one forever.
    public static func queue(_ responses: [TestResponse]) -> Handler {
        scripted(["": responses])
    }

    /// A handler with one queue of answers per path (no query; the key `""` serves any other
    /// path): each path's answers are given in order and its last one repeats. Paths without a
    /// queue get `fallback`.
    public static func scripted(_ routes: [String: [TestResponse]],
                                fallback: TestResponse = .text("no route", status: 404)) -> Handler {
        let script = Script(routes: routes)
        return { request in script.next(for: request.path) ?? fallback }
    }

    /// The per-path queues of `scripted`, under a lock.
    private final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var routes: [String: [TestResponse]]
        init(routes: [String: [TestResponse]]) { self.routes = routes }

        func next(for path: String) -> TestResponse? {
            lock.lock()
            defer { lock.unlock() }
            let key = routes[path] != nil ? path : ""
            guard var queue = routes[key], let first = queue.first else { return nil }
            if queue.count > 1 {
                queue.removeFirst()
                routes[key] = queue
            }
            return first
        }
    }

    /// The state shared by the server and its threads; the threads hold this, not the server, so
    /// dropping the server stops it.
    private final class Core: @unchecked Sendable {
        struct State {
            var port = 0
            var listener: Int32 = -1
            var stopping = false
            var requests: [RecordedRequest] = []
        }

        private let lock = NSLock()
        private var state = State()
        private let handler: Handler
        private let acceptLoopDone = DispatchSemaphore(value: 0)

        init(handler: @escaping Handler) { self.handler = handler }

        func locked<T>(_ body: (inout State) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&state)
        }

        func start(port: Int) throws {
            guard locked({ $0.listener }) < 0 else { return }
            let fd = try Core.listeningSocket(port: port, backlog: 64)
            let bound: Int
            do { bound = try Core.boundPort(fd) } catch { close(fd); throw error }
            locked { state in
                state.listener = fd
                state.port = bound
                state.stopping = false
            }
            let thread = Thread { [self] in acceptLoop(fd) }
            thread.name = "HTTPTestServer.accept"
            thread.start()
        }

        func stop() {
            let fd: Int32 = locked { state in
                guard state.listener >= 0, !state.stopping else { return -1 }
                state.stopping = true
                return state.listener
            }
            guard fd >= 0 else { return }
            acceptLoopDone.wait()
            close(fd)
            locked { $0.listener = -1 }
        }

        /// Accepts connections until `stop()`, polling so that a stop is noticed within 50 ms.
        private func acceptLoop(_ fd: Int32) {
            defer { acceptLoopDone.signal() }
            while !locked({ $0.stopping }) {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 50) > 0 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                let connection = Thread { [self] in serve(client) }
                connection.name = "HTTPTestServer.connection"
                connection.start()
            }
        }

        /// Reads one request from `client`, records it, and answers it.
        private func serve(_ client: Int32) {
            defer { close(client) }
            Core.noSigPipe(client)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

            var buffer = Data()
            let separator = Data("\r\n\r\n".utf8)
            var headEnd: Range<Data.Index>?
            while headEnd == nil {
                guard buffer.count < 1 << 20, let chunk = Core.receive(client) else { return }
                buffer.append(chunk)
                headEnd = buffer.range(of: separator)
            }
            guard let headEnd else { return }
            let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
            guard requestLine.count >= 2 else { return }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers[name] = headers[name].map { "\($0), \(value)" } ?? value
            }

            if headers["expect"]?.lowercased() == "100-continue" {
                Core.send(client, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            var body = Data(buffer[headEnd.upperBound...])
            let length = headers["content-length"].flatMap { Int($0) } ?? 0
            while body.count < length {
                guard let chunk = Core.receive(client) else { break }
                body.append(chunk)
            }
            if body.count > length { body = body.prefix(length) }

            let request = RecordedRequest(method: String(requestLine[0]), target: String(requestLine[1]),
                                          headers: headers, body: body)
            locked { $0.requests.append(request) }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            Core.send(client, Core.encode(response))
            shutdown(client, Int32(SHUT_WR))
        }

        /// A response on the wire, with `Content-Length` and `Connection: close`.
        static func encode(_ response: TestResponse) -> Data {
            var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
            for (name, value) in response.headers.sorted(by: { $0.key < $1.key })
            where !["content-length", "connection"].contains(name.lowercased()) {
                head += "\(name): \(value)\r\n"
            }
            head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
            return Data(head.utf8) + response.body
        }

        static func reason(_ status: Int) -> String {
            let reasons = [
                100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
                304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                404: "Not Found", 422: "Unprocessable Entity", 429: "Too Many Requests",
                500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            ]
            return reasons[status] ?? "Status"
        }

        /// Up to 64 KiB from `fd`; nil at the end of the stream or on an error.
        static func receive(_ fd: Int32) -> Data? {
            var bytes = [UInt8](repeating: 0, count: 65_536)
            let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count > 0 ? Data(bytes[..<count]) : nil
        }

        /// Writes all of `data`, giving up when the peer has gone.
        static func send(_ fd: Int32, _ data: Data) {
            data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                guard let base = bytes.baseAddress else { return }
                var offset = 0
                while offset < bytes.count {
                    #if os(Linux)
                    let sent = Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    #else
                    let sent = Darwin.send(fd, base + offset, bytes.count - offset, 0)
                    #endif
                    guard sent > 0 else { return }
                    offset += sent
                }
            }
        }

        /// Makes writing to a closed peer fail with EPIPE instead of killing the process (Darwin;
        /// on Linux each send passes MSG_NOSIGNAL).
        static func noSigPipe(_ fd: Int32) {
            #if canImport(Darwin)
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
        }

        /// A TCP socket bound to 127.0.0.1:`port`, listening when `backlog` is given.
        static func listeningSocket(port: Int, backlog: Int32?) throws -> Int32 {
            #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw HTTPTestServerError(call: "socket", code: errno) }
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw HTTPTestServerError(call: "bind", code: code)
            }
            if let backlog, listen(fd, backlog) != 0 {
                let code = errno
                close(fd)
                throw HTTPTestServerError(call: "listen", code: code)
            }
            return fd
        }

        /// The port a socket is bound to.
        static func boundPort(_ fd: Int32) throws -> Int {
            var address = sockaddr_in()
            var size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
            }
            guard result == 0 else { throw HTTPTestServerError(call: "getsockname", code: errno) }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
