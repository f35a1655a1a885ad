import Foundation

/// When and how long the HTTP client waits before sending a request again.
///
/// Retried: HTTP 5xx, 429, a 403 that reports an exhausted rate limit, and transport failures that
/// are usually transient (no connection, timeout, connection dropped). Every other 4xx is final.
/// The wait is exponential backoff with jitter unless the server names one: `Retry-After` (seconds
/// or an HTTP date, capped at `maxRetryAfter`) or GitHub's `x-ratelimit-reset` (a Unix time; when it
/// is further away than `maxRetryAfter`, waiting cannot help and the client gives up at once).
public struct RetryPolicy: Sendable, Equatable {
    /// How many times a request is sent at most, the first time included; 1 means no retry.
    public var maxAttempts: Int
    /// The backoff after the first failure, in seconds; it doubles with each attempt.
    public var baseDelay: Double
    /// The longest backoff, in seconds.
    public var maxDelay: Double
    /// The longest wait a server can ask for with `Retry-After` or `x-ratelimit-reset`, in seconds.
    public var maxRetryAfter: Double
    /// The fraction of each backoff that is random (0 = exact, 1 = anywhere from 0 to the backoff),
    /// so that many clients failing together do not retry together.
    public var jitter: Double

    /// Four attempts, 0.5 s doubling up to 30 s, server-requested waits up to 60 s.
    public static let standard = RetryPolicy()
    /// One attempt: never retry.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// A policy; see the properties.
    public init(maxAttempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 30,
                maxRetryAfter: Double = 60, jitter: Double = 0.5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
        self.jitter = min(1, max(0, jitter))
    }

    /// The backoff after attempt number `attempt` (1-based) failed: `baseDelay · 2^(attempt − 1)`,
    /// capped at `maxDelay`, less up to `jitter` of it chosen by `random` (a number in 0..<1).
    public func backoff(afterAttempt attempt: Int, random: Double) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        let full = min(maxDelay, baseDelay * pow(2, exponent))
        return full * (1 - jitter * min(1, max(0, random)))
    }

    /// What to do after a response with a non-2xx status: wait and retry, or stop.
    func decision(for response: HTTPResponse, afterAttempt attempt: Int, random: Double, now: Date) -> RetryDecision {
        let status = response.status
        let rateLimitExhausted = response.headers["x-ratelimit-remaining"] == "0"
        let rateLimited = status == 429 || (status == 403 && rateLimitExhausted)
        let retryAfter = response.headers["retry-after"].flatMap { RetryPolicy.seconds(retryAfter: $0, now: now) }
        guard status >= 500 || rateLimited || (status == 403 && retryAfter != nil) else { return .stop }
        guard attempt < maxAttempts else { return .stop }

        let reason = "HTTP \(status)"
        if let retryAfter {
            return .retry(after: min(retryAfter, maxRetryAfter), reason: reason + " with Retry-After")
        }
        if rateLimitExhausted, let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init) {
            let wait = max(0, reset - now.timeIntervalSince1970)
            guard wait <= maxRetryAfter else { return .stop }
            return .retry(after: wait, reason: reason + ", rate limit resets")
        }
        return .retry(after: backoff(afterAttempt: attempt, random: random), reason: reason)
    }

    /// The wait a `Retry-After` value asks for: delta seconds, or an HTTP date (how long until
    /// then, never negative). Nil when the value is neither.
    static func seconds(retryAfter value: String, now: Date) -> Double? {
        // asctime dates pad the day with a space: compare with single spaces.
        let value = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        if let seconds = Double(value), seconds.isFinite { return max(0, seconds) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}

/// The outcome of one failed attempt.
enum RetryDecision: Equatable {
    /// Wait this many seconds, then send again; the reason goes to the log.
    case retry(after: Double, reason: String)
    /// The failure is final.
    case stop
}
