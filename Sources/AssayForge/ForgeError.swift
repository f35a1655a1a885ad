import Foundation

/// A forge call that failed: what the client was doing, and why, redacted.
///
/// `isPermissionDenied` tells a token that may not write (HTTP 401 or 403, as a fork's pull request
/// gets) from other failures, so that the caller can fall back to annotations and a job summary
/// instead of failing the run.
public struct ForgeError: Error, CustomStringConvertible, Sendable {
    /// What failed, completing "could not …": `post the commit status`.
    public var action: String
    /// Why, redacted: `HTTP 403 Resource not accessible by integration (POST https://…)`.
    public var reason: String
    /// The HTTP failure underneath, when there was one.
    public var http: HTTPError?

    /// An error from an action and a reason; `reason` must already be redacted.
    public init(action: String, reason: String, http: HTTPError? = nil) {
        self.action = action
        self.reason = reason
        self.http = http
    }

    /// An error from an HTTP failure, with the server's own message when its body has one
    /// (GitHub's `{"message": …}` and the first of its `errors`).
    public init(action: String, http: HTTPError) {
        var reason: String
        if let status = http.status {
            reason = "HTTP \(status)"
            if let said = ForgeError.serverMessage(in: http.bodySnippet ?? "") { reason += " \(said)" }
            if http.isRateLimited { reason += " (rate limit exceeded)" }
            reason += " (\(http.method) \(http.url)"
            reason += http.attempts > 1 ? ", \(http.attempts) attempts)" : ")"
        } else {
            reason = http.message
        }
        self.init(action: action, reason: reason, http: http)
    }

    /// True when the token is missing or may not do this (HTTP 401, or 403 that is not a rate limit).
    public var isPermissionDenied: Bool {
        guard let http, let status = http.status else { return false }
        return status == 401 || (status == 403 && !http.isRateLimited)
    }

    /// `could not <action>: <reason>`.
    public var description: String { "could not \(action): \(reason)" }

    /// The message in a JSON error body: `message`, then the first entry of `errors` (its
    /// `message`, or its `field` and `code`). Reads a body cut short, too, field by field.
    static func serverMessage(in body: String) -> String? {
        if let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
           let message = object["message"] as? String {
            var text = message
            if let first = (object["errors"] as? [Any])?.first {
                if let detail = first as? String {
                    text += ": \(detail)"
                } else if let detail = first as? [String: Any] {
                    if let said = detail["message"] as? String {
                        text += ": \(said)"
                    } else if let field = detail["field"] as? String, let code = detail["code"] as? String {
                        text += ": \(field) \(code)"
                    }
                }
            }
            return text
        }
        // A body cut short is not JSON: find the `"message": "…"` field and decode its string.
        guard let regex = try? NSRegularExpression(pattern: #""message"\s*:\s*("(?:[^"\\]|\\.)*")"#),
              let match = regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)),
              let range = Range(match.range(at: 1), in: body) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body[range].utf8), options: .fragmentsAllowed)) as? String
    }
}
