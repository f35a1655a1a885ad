import AssayCore
import Foundation

/// An HTTP method, such as `GET` or `PATCH`.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method's name, upper-cased.
    public var rawValue: String
    /// A method by name, in any case.
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }
}

/// A request to send: method, absolute URL, headers in order, optional body.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http` or `https` URL.
    public var url: String
    /// Header fields in the order they are sent; a name may repeat.
    public var headers: [(name: String, value: String)]
    /// The body; sent with its exact length, so it may hold any bytes.
    public var body: Data?

    /// A request; `headers` are sent in order after libcurl's own.
    public init(_ method: HTTPMethod, _ url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The credentials in the request's `Authorization` and `Proxy-Authorization` headers — the
    /// whole value and the part after the scheme — which the client hides like any secret.
    var credentials: [String] {
        headers.filter { ["authorization", "proxy-authorization"].contains($0.name.lowercased()) }.flatMap { header in
            let value = header.value.trimmingCharacters(in: .whitespaces)
            guard let space = value.firstIndex(of: " ") else { return [value] }
            return [value, value[space...].trimmingCharacters(in: .whitespaces)]
        }
    }

    /// True when `url` names this machine (`localhost`, `127.x.x.x`, `[::1]`).
    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}

/// A response: status, headers with lower-cased names (repeated fields joined with ", "), body.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields of the final response, by lower-cased name.
    public var headers: [String: String]
    /// The body, decompressed when the server compressed it.
    public var body: Data

    /// A response; header names are lower-cased.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    /// The value of the header `name`, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as text, with invalid UTF-8 replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// An HTTP client over libcurl with timeouts, retries with backoff, and redaction.
///
/// `send` blocks the calling thread until the response arrives or the retries run out. Nothing
/// this client says — errors, log lines — contains a secret it was given or the credential of a
/// request's `Authorization` header; those are replaced with `***`. Redirects are not followed.
public final class HTTPClient: Sendable {
    /// The longest a whole transfer may take, in seconds.
    public let timeout: Double
    /// The longest connecting may take, in seconds.
    public let connectTimeout: Double
    /// When to send a request again.
    public let retry: RetryPolicy
    /// The `User-Agent` header.
    public let userAgent: String
    /// Hides the secrets in everything the client says.
    public let redactor: Redactor

    private let log: (@Sendable (String) -> Void)?
    private let sleep: @Sendable (Double) -> Void
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double

    /// `assay/<version>`.
    public static let defaultUserAgent = "assay/\(AssayVersion.current)"

    /// A client.
    /// - Parameters:
    ///   - timeout: the longest a transfer may take, in seconds.
    ///   - connectTimeout: the longest connecting may take, in seconds.
    ///   - retry: when to send a request again.
    ///   - secrets: strings never to show; each is replaced with `***`.
    ///   - userAgent: the `User-Agent` header.
    ///   - log: receives one redacted line per attempt (method, URL, status or failure, attempt,
    ///     duration) and per retry; for `--verbose`. Header values are never logged.
    ///   - sleep: waits between attempts, in seconds; tests pass one that records instead.
    ///   - now: the clock used to read `Retry-After` dates and rate-limit reset times.
    ///   - random: the source of jitter, a number in 0..<1.
    public init(timeout: Double = 30, connectTimeout: Double = 10, retry: RetryPolicy = .standard,
                secrets: [String] = [], userAgent: String = HTTPClient.defaultUserAgent,
                log: (@Sendable (String) -> Void)? = nil,
                sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) },
                now: @escaping @Sendable () -> Date = { Date() },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.retry = retry
        self.userAgent = userAgent
        self.redactor = Redactor(secrets: secrets)
        self.log = log
        self.sleep = sleep
        self.now = now
        self.random = random
    }

    /// Sends `request`, retrying as the policy says, and returns the 2xx response.
    /// - Throws: `HTTPError` for a non-2xx final response (`.status`) or a transport failure
    ///   (`.timeout`, `.connect`, `.transport`); its strings are redacted.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let redactor = redactor.adding(request.credentials)
        let method = request.method.rawValue
        let url = redactor.redact(request.url)
        let settings = CurlSettings(timeout: timeout, connectTimeout: connectTimeout, userAgent: userAgent)
        let clock = ContinuousClock()
        var attempt = 0
        while true {
            attempt += 1
            let started = clock.now
            let outcome: Result<HTTPResponse, CurlFailure>
            do {
                var transfer = try CurlTransfer()
                outcome = transfer.perform(request, settings: settings)
            } catch {
                outcome = .failure(error)
            }
            let elapsed = Self.format(elapsed: (clock.now - started) / .seconds(1))
            let tally = "attempt \(attempt)/\(retry.maxAttempts), \(elapsed)"

            let delay: Double
            switch outcome {
            case .success(let response):
                emit("\(method) \(url) → HTTP \(response.status) (\(tally))", redactor)
                if (200..<300).contains(response.status) { return response }
                switch retry.decision(for: response, afterAttempt: attempt, random: random(), now: now()) {
                case .retry(let after, let reason):
                    emit("retrying in \(Self.format(seconds: after)) (\(reason))", redactor)
                    delay = after
                case .stop:
                    throw statusError(response, method: method, url: url, attempts: attempt, redactor: redactor)
                }
            case .failure(let failure):
                emit("\(method) \(url) → \(failure.message) (\(tally))", redactor)
                guard failure.isTransient, attempt < retry.maxAttempts else {
                    throw transportError(failure, method: method, url: url, attempts: attempt, redactor: redactor)
                }
                delay = retry.backoff(afterAttempt: attempt, random: random())
                emit("retrying in \(Self.format(seconds: delay)) (curl error \(failure.code))", redactor)
            }
            sleep(delay)
        }
    }

    /// Passes a redacted line to the log.
    private func emit(_ line: String, _ redactor: Redactor) {
        log?(redactor.redact(line))
    }

    /// The error for a final non-2xx response, with the start of its body.
    private func statusError(_ response: HTTPResponse, method: String, url: String, attempts: Int,
                             redactor: Redactor) -> HTTPError {
        let status = response.status
        let rateLimited = status == 429 || (status == 403 && response.headers["x-ratelimit-remaining"] == "0")
        var message = "\(method) \(url) failed with HTTP \(status)"
        if attempts > 1 { message += " after \(attempts) attempts" }
        if rateLimited { message += " (rate limit exceeded)" }
        // Redact the whole body before cutting it, so a secret cut in half cannot show.
        let text = redactor.redact(response.text)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        let snippet = text.count > HTTPError.snippetLength
            ? String(text.prefix(HTTPError.snippetLength - 1)) + "…" : text
        return HTTPError(kind: .status(status), method: method, url: url, message: redactor.redact(message),
                         bodySnippet: snippet, attempts: attempts, isRateLimited: rateLimited)
    }

    /// The error for a transfer that got no response.
    private func transportError(_ failure: CurlFailure, method: String, url: String, attempts: Int,
                                redactor: Redactor) -> HTTPError {
        let kind = failure.kind
        var message: String
        switch kind {
        case .timeout:
            message = "\(method) \(url) timed out after \(Self.format(seconds: timeout)) (\(failure.message))"
        case .connect:
            message = "\(method) \(url): could not connect (\(failure.message))"
        case .status, .transport:
            message = "\(method) \(url) failed: \(failure.message) (curl error \(failure.code))"
        }
        if attempts > 1 { message += " after \(attempts) attempts" }
        return HTTPError(kind: kind, method: method, url: url, message: redactor.redact(message), attempts: attempts)
    }

    /// A duration for the log: `12 ms` under a second, else seconds.
    static func format(elapsed seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : format(seconds: seconds)
    }

    /// Seconds for people: `7 s`, `0.5 s`, `0.12 s`.
    static func format(seconds: Double) -> String {
        let rounded = (seconds * 100).rounded() / 100
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return "\(Int(rounded)) s" }
        return "\(rounded) s"
    }
}
