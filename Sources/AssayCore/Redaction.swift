import Foundation

/// Hides secrets before anything is stored or printed: the secrets a caller knows (a token it
/// holds, also in its percent-encoded form, as it appears in a URL), and any text shaped like a
/// known credential (`ghp_…`, `github_pat_…`, `glpat-…`, `sk-…`, `xoxb-…`, `AKIA…`, the credential
/// after `Bearer`). `redact(arguments:)` also hides the values of secret-looking options
/// (`--token VALUE`, `--api-key=VALUE`, `--password …`) and assignments (`GH_TOKEN=VALUE`).
///
/// It is the one redaction mechanism: HTTP errors and logs (AssayForge) and receipts (a run's
/// argv, errors and warnings) go through it.
public struct Redactor: Sendable {
    /// What a secret is replaced with.
    public static let mask = "***"

    /// The exact strings to hide, longest first so that a secret containing another is hidden whole.
    private let needles: [String]

    /// A redactor for `secrets` (empty strings are ignored) and the known credential shapes.
    public init(secrets: [String] = []) {
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

    /// `text` with every known secret replaced by `***`, and every credential-shaped token by its
    /// prefix and `***` (`ghp_***`, `Bearer ***`).
    public func redact(_ text: String) -> String {
        var text = text
        for needle in needles where text.contains(needle) {
            text = text.replacingOccurrences(of: needle, with: Redactor.mask)
        }
        return Self.redactShapes(text)
    }

    /// A command line with the values of secret options and assignments hidden, and every
    /// argument redacted as text: `--token X` → `--token ***`, `--db-password=X` → `--db-password=***`,
    /// `GH_TOKEN=X` → `GH_TOKEN=***`.
    public func redact(arguments: [String]) -> [String] {
        var out: [String] = []
        var hideNext = false
        for argument in arguments {
            if hideNext {
                hideNext = false
                out.append(Redactor.mask)
                continue
            }
            if argument.hasPrefix("-"), !argument.hasPrefix("---") {
                let name = argument.drop { $0 == "-" }
                if let eq = name.firstIndex(of: "=") {
                    if Self.isSecretName(name[..<eq]) {
                        out.append(String(argument[..<argument.index(after: eq)]) + Redactor.mask)
                        continue
                    }
                } else if argument.hasPrefix("--"), Self.isSecretName(name) {
                    out.append(argument)
                    hideNext = true
                    continue
                }
            } else if let eq = argument.firstIndex(of: "="), Self.isSecretName(argument[..<eq]) {
                out.append(String(argument[..<argument.index(after: eq)]) + Redactor.mask)
                continue
            }
            out.append(redact(argument))
        }
        return out
    }

    /// The values `redact(arguments:)` hides as secret options or assignments (`X` in `--token X`,
    /// `--api-key=X`, `GH_TOKEN=X`): a redactor for them hides them wherever else they show up,
    /// such as in a usage error that quotes an argument.
    public static func secretValues(in arguments: [String]) -> [String] {
        let masked = Redactor().redact(arguments: arguments)
        var values: [String] = []
        for (original, hidden) in zip(arguments, masked) where original != hidden {
            if hidden == mask {
                values.append(original)
            } else if hidden.hasSuffix("=" + mask), let eq = original.firstIndex(of: "=") {
                values.append(String(original[original.index(after: eq)...]))
            }
        }
        return values.filter { !$0.isEmpty }
    }

    /// Option and variable names whose values are secrets: `token`, `password`, `passwd`, `secret`,
    /// `api-key`, and any name ending in `-`/`_` + `token`, `key`, `secret`, `password`
    /// (`--gh-token`, `--api-key`, `OPENAI_API_KEY`, `db_password`).
    public static func isSecretName(_ name: some StringProtocol) -> Bool {
        let lower = name.lowercased()
        guard !lower.isEmpty, lower.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            return false
        }
        let words = ["token", "password", "passwd", "secret", "apikey", "credential", "credentials", "auth"]
        if words.contains(lower) { return true }
        let parts = lower.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." })
        guard parts.count > 1, let last = parts.last else { return false }
        return ["token", "key", "secret", "password", "passwd", "apikey", "credential", "credentials"].contains(String(last))
    }

    // MARK: Credential shapes

    /// A known credential prefix, and how many token characters must follow it.
    private struct Shape {
        var prefix: [UInt8]
        var minimum: Int
        var caseInsensitive = false
        /// Characters between the prefix and the credential (the space after `Bearer`).
        var separatorSpaces = false
        /// Characters a credential of this shape is made of, besides letters and digits.
        var extra: [UInt8] = Array("_-".utf8)
        /// Whether the credential must hold a digit (so that prose such as "bearer instruments" stays).
        var needsDigit = false
    }

    private static let shapes: [Shape] = [
        Shape(prefix: Array("github_pat_".utf8), minimum: 8),
        Shape(prefix: Array("ghp_".utf8), minimum: 8), Shape(prefix: Array("gho_".utf8), minimum: 8),
        Shape(prefix: Array("ghs_".utf8), minimum: 8), Shape(prefix: Array("ghu_".utf8), minimum: 8),
        Shape(prefix: Array("ghr_".utf8), minimum: 8),
        Shape(prefix: Array("glpat-".utf8), minimum: 8),
        Shape(prefix: Array("sk-".utf8), minimum: 16),
        Shape(prefix: Array("xoxb-".utf8), minimum: 8), Shape(prefix: Array("xoxp-".utf8), minimum: 8),
        Shape(prefix: Array("xoxa-".utf8), minimum: 8), Shape(prefix: Array("xoxs-".utf8), minimum: 8),
        Shape(prefix: Array("xoxr-".utf8), minimum: 8),
        Shape(prefix: Array("AKIA".utf8), minimum: 16),
        Shape(prefix: Array("bearer".utf8), minimum: 8, caseInsensitive: true, separatorSpaces: true,
              extra: Array("-._~+/=".utf8), needsDigit: true),
    ]

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }

    private static func lowered(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 0x20 : b }

    /// Replaces each credential-shaped token that starts at a word boundary with its prefix and
    /// `***`. Works on UTF-8 bytes; text without a match is returned unchanged.
    static func redactShapes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        scan: while i < bytes.count {
            if i == 0 || !isWordByte(bytes[i - 1]) {
                for shape in shapes where i + shape.prefix.count <= bytes.count {
                    let matches = zip(shape.prefix, bytes[i..<(i + shape.prefix.count)]).allSatisfy { p, b in
                        shape.caseInsensitive ? lowered(b) == p : b == p
                    }
                    guard matches else { continue }
                    var start = i + shape.prefix.count
                    if shape.separatorSpaces {
                        let spaces = start
                        while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
                        if start == spaces { continue }
                    }
                    var end = start
                    while end < bytes.count, (isWordByte(bytes[end]) || shape.extra.contains(bytes[end])) { end += 1 }
                    guard end - start >= shape.minimum else { continue }
                    if shape.needsDigit, !bytes[start..<end].contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { continue }
                    out += bytes[i..<start]
                    out += Array(mask.utf8)
                    i = end
                    changed = true
                    continue scan
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }
}
