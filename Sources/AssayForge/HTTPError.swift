/// A request that did not end in a 2xx response, after any retries. Every string in it has already
/// been redacted: it can be printed as it is.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    /// Why the request failed.
    public enum Kind: Sendable, Equatable {
        /// The transfer took longer than the client's timeout (curl code 28).
        case timeout
        /// No connection could be made: refused, unreachable, or the host name did not resolve.
        case connect
        /// The server answered with this non-2xx status.
        case status(Int)
        /// Any other transport failure, with libcurl's `CURLcode`.
        case transport(Int)
    }

    /// Why the request failed.
    public var kind: Kind
    /// The request's method, such as `POST`.
    public var method: String
    /// The request's URL, redacted.
    public var url: String
    /// What went wrong, in one line, redacted; names the URL.
    public var message: String
    /// For `.status` errors, the start of the response body (at most ``HTTPError/snippetLength``
    /// characters), redacted.
    public var bodySnippet: String?
    /// How many times the request was sent.
    public var attempts: Int
    /// True when the server said that a rate limit was exhausted (`x-ratelimit-remaining: 0`, or
    /// status 429): waiting helps, other credentials do not.
    public var isRateLimited: Bool

    /// The longest body snippet kept in an error.
    public static let snippetLength = 300

    /// Builds an error; the strings must already be redacted.
    public init(kind: Kind, method: String, url: String, message: String, bodySnippet: String? = nil,
                attempts: Int = 1, isRateLimited: Bool = false) {
        self.kind = kind
        self.method = method
        self.url = url
        self.message = message
        self.bodySnippet = bodySnippet
        self.attempts = attempts
        self.isRateLimited = isRateLimited
    }

    /// The HTTP status for `.status` errors, else nil.
    public var status: Int? {
        if case .status(let code) = kind { return code }
        return nil
    }

    /// One line: the message and, for status errors, the body snippet.
    public var description: String {
        guard let bodySnippet, !bodySnippet.isEmpty else { return message }
        return "\(message): \(bodySnippet)"
    }
}
