import AssayCore
import AssayPolicy
import AssayRules
import Foundation
import Yams

/// `.assay.yml` at the repository root, read from the tree of the audited commit. Optional: every
/// default works without it. Versioned; unknown keys are warnings that name the key and its line.
///
/// ```yaml
/// version: 1
/// claims:
///   include: ["design/**/*.md", "NOTES.md"]   # more claim sources
///   exclude: ["docs/archive/"]                 # never read these
/// policy: policies/team.yml                    # or `default`, or an inline mapping (rules:, paths:, …)
/// rubric: rubrics/team.yml                     # the audit's scoring rubric (default: built in)
/// ```
public struct AssayConfig: Sendable {
    public var version = 1
    public var claimsInclude: [Glob] = []
    public var claimsExclude: [Glob] = []
    /// The audit policy: none given (the built-in default), a policy file in the repository, or a
    /// policy written inline under `policy:` (it extends the default).
    public enum PolicyChoice: Sendable, Equatable {
        case none
        case path(String)
        /// The bytes of `.assay.yml`, whose `policy:` mapping is the policy (`inlinePolicy(in:)`
        /// reads it, so its errors name the lines and columns of `.assay.yml` itself).
        case inline([UInt8])
    }
    public var policy: PolicyChoice = .none
    /// A rubric file in the repository (`rubric:`); nil for the built-in default.
    public var rubricPath: String?
    /// What was odd but not fatal (unknown keys), each with file:line.
    public var warnings: [String] = []

    public static let fileName = ".assay.yml"
    public static let supportedVersions = [1]

    public init() {}

    /// Parses the file's bytes. Invalid YAML or a value of the wrong shape is an `AssayError` naming
    /// `.assay.yml:LINE:COLUMN` and what to fix; nothing else is read from a broken file.
    public static func parse(_ bytes: [UInt8]) throws(AssayError) -> AssayConfig {
        var config = AssayConfig()
        guard let root = try YAMLLoader.compose(bytes, file: fileName) else { return config }
        guard let mapping = root.mapping else {
            throw AssayError("\(fileName):\(line(root)) must be a mapping of settings (key: value)", at: fileName,
                             fix: "start with `version: 1`")
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "?"
            switch key {
            case "version":
                guard let v = value.wholeNumber, supportedVersions.contains(v) else {
                    throw AssayError("\(fileName):\(line(value)) has version \(value.string ?? "?"), which this assay does not know",
                                     at: fileName, fix: "use `version: 1`, or upgrade assay")
                }
                config.version = v
            case "claims":
                guard let claims = value.mapping else {
                    throw AssayError("\(fileName):\(line(value)): `claims` must be a mapping", at: fileName,
                                     fix: "write `claims:` with `include:` and `exclude:` lists under it")
                }
                for (k, v) in claims {
                    let name = k.string ?? "?"
                    switch name {
                    case "include": config.claimsInclude = try globs(v, "claims.include")
                    case "exclude": config.claimsExclude = try globs(v, "claims.exclude")
                    default: config.warnings.append("\(fileName):\(line(k)): unknown key `claims.\(name)` ignored")
                    }
                }
            case "policy":
                if let name = value.string, value.mapping == nil {
                    guard !name.isEmpty else {
                        throw AssayError("\(fileName):\(line(value)): `policy` is empty", at: fileName,
                                         fix: "name a policy file (policies/team.yml), `default`, or write the policy inline")
                    }
                    config.policy = .path(name)
                } else if value.mapping != nil {
                    config.policy = .inline(bytes)
                } else {
                    throw AssayError("\(fileName):\(line(value)): `policy` must be a file path or a mapping", at: fileName,
                                     fix: "write `policy: policies/team.yml`, or `policy:` with `rules:` under it")
                }
            case "rubric":
                guard let name = value.string, !name.isEmpty else {
                    throw AssayError("\(fileName):\(line(value)): `rubric` must be a file path", at: fileName,
                                     fix: "write `rubric: rubrics/team.yml`, or leave it out for the default")
                }
                config.rubricPath = name
            default:
                config.warnings.append("\(fileName):\(line(keyNode)): unknown key `\(key)` ignored")
            }
        }
        return config
    }

    /// The `policy:` mapping of `.assay.yml`'s bytes, as written there; nil when there is none.
    public static func inlinePolicy(in bytes: [UInt8]) throws(AssayError) -> Node? {
        guard let root = try YAMLLoader.compose(bytes, file: fileName), let mapping = root.mapping else { return nil }
        for (key, value) in mapping where key.string == "policy" && value.mapping != nil { return value }
        return nil
    }

    static func globs(_ node: Node, _ key: String) throws(AssayError) -> [Glob] {
        if let single = node.string { return [Glob(single)] }
        guard let list = node.sequence else {
            throw AssayError("\(fileName):\(line(node)): `\(key)` must be a list of globs", at: fileName,
                             fix: "write it as [\"docs/**/*.md\"] or one `- pattern` per line")
        }
        var out: [Glob] = []
        for item in list {
            guard let s = item.string, !s.isEmpty else {
                throw AssayError("\(fileName):\(line(item)): `\(key)` holds something that is not a glob", at: fileName,
                                 fix: "quote each pattern as a string")
            }
            out.append(Glob(s))
        }
        return out
    }

    static func line(_ node: Node) -> Int { node.mark.map(\.line) ?? 0 }
}
