import Foundation

/// Replaces every secret in a string with `***`, so that no token leaves the client in an error
/// message or a log line. Secrets are also matched in their percent-encoded form, as they would
/// appear in a URL.
public struct Redactor: Sendable {
    /// What a secret is replaced with.
    public static let mask = "***"

    /// The strings to hide, longest first so that a secret containing another is hidden whole.
    private let needles: [String]

    /// A redactor for `secrets`; empty strings are ignored.
    public init(secrets: [String]) {
        var needles = Set<String>()
        for secret in secrets where !secret.isEmpty {
            needles.insert(secret)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics),
               encoded != secret {
                needles.insert(encoded)
            }
        }
        self.needles = needles.sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// The same redactor, also hiding `more`.
    public func adding(_ more: [String]) -> Redactor {
        more.allSatisfy(\.isEmpty) ? self : Redactor(secrets: needles + more)
    }

    /// `text` with every secret replaced by `***`.
    public func redact(_ text: String) -> String {
        var text = text
        for needle in needles where text.contains(needle) {
            text = text.replacingOccurrences(of: needle, with: Redactor.mask)
        }
        return text
    }
}
