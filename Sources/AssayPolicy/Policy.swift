import AssayCore
import Yams

/// How much each rule's findings matter, where the audit looks, and the thresholds of the gate —
/// read from a policy YAML file (`policies/default.yml` is the built-in one and documents the format).
///
/// ```yaml
/// version: 1
/// name: team
/// extends: default              # `default` (built in), `none`, or a policy file path
/// rules:
///   stub-marker: block          # short form: block | warn | info | off
///   todo-added:                 # long form
///     severity: warn
///     include: ["src/**"]       # the rule applies only here (absent or empty: everywhere)
///     exclude: ["src/generated/**"]
/// paths: { include: ["**"], exclude: ["vendor/**"] }
/// thresholds: { large_binary_bytes: 1048576, large_text_bytes: 10485760, max_warnings: 10 }
/// branches:
///   main: { rules: { todo-added: block } }
///   "release/**": { thresholds: { max_warnings: 0 } }
/// ```
///
/// Merging: a policy starts from the one it `extends` (no `extends` means the built-in default).
/// A short-form rule sets only the severity and keeps the parent's include/exclude; a long-form rule
/// replaces only the fields it gives (one without `severity` for a rule the parent does not set
/// leaves it off); `paths.include` and `paths.exclude` each replace the parent's
/// when given; thresholds override key by key (`max_warnings: null` removes a parent's limit); the
/// child's `branches` entries are appended after the parent's. `resolved(forBranch:)` then applies
/// every entry whose glob matches the branch, in that order, with the same rules — so later entries
/// win, and a parent's branch entry still overrides a child's top-level setting on that branch.
public struct Policy: Sendable {
    /// What a policy says about one rule.
    public struct RuleSetting: Sendable, Equatable {
        /// nil: the rule is off.
        public var severity: Severity?
        /// Paths the rule applies to; empty means everywhere.
        public var include: [Glob]
        /// Paths the rule never applies to, even when included.
        public var exclude: [Glob]

        public init(severity: Severity?, include: [Glob] = [], exclude: [Glob] = []) {
            self.severity = severity; self.include = include; self.exclude = exclude
        }

        /// True when the rule's own include/exclude admit `path`.
        public func applies(to path: String) -> Bool {
            (include.isEmpty || include.contains { $0.matches(path) }) && !exclude.contains { $0.matches(path) }
        }
    }

    /// One `branches:` entry: a glob on the branch name and what it changes.
    public struct BranchOverride: Sendable {
        public var pattern: Glob
        /// `file:line` of the entry, for explanations and receipts.
        public var location: String
        var changes: Changes
    }

    /// A file read while building the policy, with the SHA-256 of its bytes when it has bytes.
    public struct Source: Sendable, Equatable {
        public var file: String
        public var sha256: String?
    }

    public var name: String
    public var rules: [String: RuleSetting]
    /// The paths the whole audit looks at (`paths.include`; empty means everywhere) …
    public var include: [Glob]
    /// … minus these (`paths.exclude`).
    public var exclude: [Glob]
    /// Binary files larger than this are `large-binary` findings.
    public var largeBinaryBytes: Int
    /// Text files larger than this are `large-binary` findings and are not checked line by line.
    public var largeTextBytes: Int
    /// The gate fails when more `warn` findings than this remain; nil: no limit.
    public var maxWarnings: Int?
    /// Unknown keys and rule ids, each `file:line: …`, parents' first.
    public var warnings: [String]
    /// The files read, the outermost (the one the user named) last; `Policy.builtInName` for the built-in.
    public var sources: [Source]
    /// Branch entries not yet applied (all of them until `resolved(forBranch:)`).
    public var branches: [BranchOverride]
    /// The branch entries `resolved(forBranch:)` applied, as `pattern (file:line)`.
    public var appliedBranchOverrides: [String]

    /// The names of the files read, outermost last (for receipts).
    public var files: [String] { sources.map(\.file) }

    /// The display name of the built-in default policy.
    public static let builtInName = "<built-in default>"
    /// How many `extends` a chain of policy files may follow.
    public static let maxExtendsDepth = 5
    public static let supportedVersions = [1]

    /// The rule ids assay knows today, with the built-in default's severities; callers pass these (or
    /// their rule registry's ids) as `knownRules`.
    public static let builtInRuleIDs: Set<String> = [
        "stub-marker", "todo-added", "test-without-assertion", "test-skipped", "conflict-marker",
        "large-binary", "claim-contradicted",
    ]

    /// A policy with no rules that looks at every path: what `extends: none` starts from.
    public init(name: String = "none", rules: [String: RuleSetting] = [:], include: [Glob] = [Glob("**")],
                exclude: [Glob] = [], largeBinaryBytes: Int = 1_048_576, largeTextBytes: Int = 10_485_760,
                maxWarnings: Int? = nil) {
        self.name = name; self.rules = rules; self.include = include; self.exclude = exclude
        self.largeBinaryBytes = largeBinaryBytes; self.largeTextBytes = largeTextBytes; self.maxWarnings = maxWarnings
        self.warnings = []; self.sources = []; self.branches = []; self.appliedBranchOverrides = []
    }

    // MARK: - The built-in default

    private static let builtIn: Policy = {
        do {
            return try parse(Array(defaultYAML.utf8), file: builtInName, knownRules: builtInRuleIDs,
                             load: { (_: String) throws(AssayError) in nil })
        } catch {
            preconditionFailure("the built-in default policy does not parse: \(error)")
        }
    }()

    /// The built-in default policy (`policies/default.yml`, embedded as `defaultYAML`).
    public static func builtInDefault() -> Policy { builtIn }

    // MARK: - Reading

    /// Parses a policy file and everything it `extends`. `load` reads the file an `extends` names
    /// (returning its bytes and a display name, used in messages and for cycle detection), or returns
    /// nil when it does not exist. Invalid YAML, wrong shapes and invalid values are errors naming
    /// `file:line:column`; unknown keys and rule ids are `warnings`.
    public static func parse(_ bytes: [UInt8], file: String, knownRules: Set<String>,
                             load: (String) throws(AssayError) -> (bytes: [UInt8], file: String)?) throws(AssayError) -> Policy {
        try parse(bytes, file: file, knownRules: knownRules, load: load, chain: [file])
    }

    /// Parses a policy written inline as a YAML mapping inside another file (`policy:` in
    /// `.assay.yml`), so errors and warnings point at that file's lines. Like a policy file, it
    /// extends the built-in default unless it says otherwise; `version` may be left out.
    public static func parse(node: Node, file: String, knownRules: Set<String>,
                             load: (String) throws(AssayError) -> (bytes: [UInt8], file: String)?) throws(AssayError) -> Policy {
        var reader = YAMLReader(file: file)
        let layer = try Layer(node, reader: &reader, knownRules: knownRules)
        var base = try parent(of: layer, reader: reader, knownRules: knownRules, load: load, chain: [file])
        base.apply(layer, reader: reader, source: Source(file: file, sha256: nil))
        return base
    }

    /// The policy a reference names, as `policy: NAME` in `.assay.yml` does: `default` (the built-in),
    /// `none` (no rules), or a file read through `load`. `referencedAt` (e.g. `.assay.yml:3`) is where
    /// the reference is written, for the error when the file does not exist.
    public static func named(_ reference: String, referencedAt: String, knownRules: Set<String>,
                             load: (String) throws(AssayError) -> (bytes: [UInt8], file: String)?) throws(AssayError) -> Policy {
        switch reference {
        case "default": return builtInDefault()
        case "none": return Policy()
        default:
            guard let loaded = try load(reference) else {
                throw AssayError("\(referencedAt): policy file `\(reference)` does not exist", at: referencedAt,
                                 fix: "write the path relative to the repository root, or use `default` or `none`")
            }
            return try parse(loaded.bytes, file: loaded.file, knownRules: knownRules, load: load, chain: [loaded.file])
        }
    }

    private static func parse(_ bytes: [UInt8], file: String, knownRules: Set<String>,
                              load: (String) throws(AssayError) -> (bytes: [UInt8], file: String)?,
                              chain: [String]) throws(AssayError) -> Policy {
        var reader = YAMLReader(file: file)
        let root = try reader.compose(bytes)
        let layer: Layer
        if let root {
            layer = try Layer(root, reader: &reader, knownRules: knownRules)
        } else {
            layer = Layer()
        }
        var base = try parent(of: layer, reader: reader, knownRules: knownRules, load: load, chain: chain)
        base.apply(layer, reader: reader, source: Source(file: file, sha256: sha256Hex(bytes)))
        return base
    }

    /// The policy `layer` starts from: what its `extends` names, read recursively.
    private static func parent(of layer: Layer, reader: YAMLReader, knownRules: Set<String>,
                               load: (String) throws(AssayError) -> (bytes: [UInt8], file: String)?,
                               chain: [String]) throws(AssayError) -> Policy {
        guard let (reference, node) = layer.extends else { return builtInDefault() }
        switch reference {
        case "default": return builtInDefault()
        case "none": return Policy()
        default:
            if chain.count > maxExtendsDepth {
                throw reader.error(node, "`extends` goes deeper than \(maxExtendsDepth) files: "
                                   + (chain + [reference]).joined(separator: " → "),
                                   fix: "make the chain shorter: copy the settings of an intermediate policy into its child")
            }
            guard let loaded = try load(reference) else {
                throw reader.error(node, "`extends: \(reference)`: no such policy file",
                                   fix: "write the path relative to the repository root, or use `extends: default` or `extends: none`")
            }
            if chain.contains(loaded.file) {
                throw reader.error(node, "`extends` goes round in a cycle: "
                                   + (chain + [loaded.file]).joined(separator: " → "),
                                   fix: "remove the `extends` that leads back to a policy already in the chain")
            }
            return try parse(loaded.bytes, file: loaded.file, knownRules: knownRules, load: load,
                             chain: chain + [loaded.file])
        }
    }

    private mutating func apply(_ layer: Layer, reader: YAMLReader, source: Source) {
        name = layer.name ?? source.file
        apply(layer.changes)
        branches += layer.branches
        warnings += reader.warnings
        sources.append(source)
    }

    /// Applies top-level or branch changes with the merge rules of the type's documentation.
    mutating func apply(_ changes: Changes) {
        for (id, change) in changes.rules {
            var setting = rules[id] ?? RuleSetting(severity: nil)
            if let severity = change.severity { setting.severity = severity }
            if let include = change.include { setting.include = include }
            if let exclude = change.exclude { setting.exclude = exclude }
            rules[id] = setting
        }
        if let include = changes.include { self.include = include }
        if let exclude = changes.exclude { self.exclude = exclude }
        if let bytes = changes.largeBinaryBytes { largeBinaryBytes = bytes }
        if let bytes = changes.largeTextBytes { largeTextBytes = bytes }
        if let limit = changes.maxWarnings { maxWarnings = limit }
    }

    // MARK: - Using

    /// This policy with the entries of `branches` whose glob matches `branch` applied in order (later
    /// wins); the result has no branch entries left. `branch` is a short name (`main`,
    /// `release/1.2`; a leading `refs/heads/` is dropped); nil (detached HEAD) applies none.
    public func resolved(forBranch branch: String?) -> Policy {
        var policy = self
        policy.branches = []
        guard var name = branch else { return policy }
        if name.hasPrefix("refs/heads/") { name.removeFirst("refs/heads/".count) }
        for entry in branches where entry.pattern.matches(name) {
            policy.apply(entry.changes)
            policy.appliedBranchOverrides.append("\(entry.pattern.pattern) (\(entry.location))")
        }
        return policy
    }

    /// True when the audit looks at `path`: `paths.include` (empty: everything) minus `paths.exclude`.
    public func covers(_ path: String) -> Bool {
        (include.isEmpty || include.contains { $0.matches(path) }) && !exclude.contains { $0.matches(path) }
    }

    /// The severity a finding of `rule` at `path` gets; nil when the rule is off, unknown to this
    /// policy, or excluded there, or when the audit does not cover `path`. A nil `path` (a finding
    /// about no file, such as a claim in a commit message) skips the path filters.
    public func severity(of rule: String, at path: String?) -> Severity? {
        guard let setting = rules[rule], let severity = setting.severity else { return nil }
        if let path, !covers(path) || !setting.applies(to: path) { return nil }
        return severity
    }

    /// Whether the gate passes with this many unsuppressed findings per severity: any `block` fails
    /// it, and so do more `warn` findings than `maxWarnings`. The reasons say why, one per line.
    public func gate(blocking: Int, warnings warn: Int) -> GateResult {
        var reasons: [String] = []
        var passed = true
        if blocking > 0 {
            passed = false
            reasons.append("\(blocking) blocking finding\(blocking == 1 ? "" : "s")")
        }
        if let maxWarnings {
            if warn > maxWarnings {
                passed = false
                reasons.append("\(warn) warning\(warn == 1 ? "" : "s") > max_warnings \(maxWarnings)")
            } else {
                reasons.append("\(warn) warning\(warn == 1 ? "" : "s") ≤ max_warnings \(maxWarnings)")
            }
        }
        if passed && blocking == 0 { reasons.insert("no blocking findings", at: 0) }
        return GateResult(passed: passed, reasons: reasons)
    }
}

/// The gate's verdict under a policy, with the lines that explain it.
public struct GateResult: Sendable, Equatable {
    public var passed: Bool
    public var reasons: [String]

    public init(passed: Bool, reasons: [String]) { self.passed = passed; self.reasons = reasons }
}

// MARK: - One file's worth of settings

extension Policy {
    /// What one rule entry changes; nil fields are left as the parent has them.
    struct RuleChange: Sendable, Equatable {
        /// nil: unchanged; `.some(nil)`: off.
        var severity: Severity??
        var include: [Glob]?
        var exclude: [Glob]?
    }

    /// What one policy file, or one branch entry, changes.
    struct Changes: Sendable {
        var rules: [(String, RuleChange)] = []
        var include: [Glob]?
        var exclude: [Glob]?
        var largeBinaryBytes: Int?
        var largeTextBytes: Int?
        /// nil: unchanged; `.some(nil)`: no limit.
        var maxWarnings: Int??
    }

    /// One policy mapping as written, before merging.
    struct Layer {
        var name: String?
        var extends: (String, Node)?
        var changes = Changes()
        var branches: [BranchOverride] = []

        static let keys = ["version", "name", "description", "extends", "rules", "paths", "thresholds", "branches"]

        init() {}

        init(_ root: Node, reader: inout YAMLReader, knownRules: Set<String>) throws(AssayError) {
            guard let mapping = root.mapping else {
                throw reader.error(root, "a policy must be a mapping of settings (key: value)",
                                   fix: "start with `version: 1` and `rules:`; see policies/default.yml")
            }
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "?"
                switch key {
                case "version":
                    guard let v = value.wholeNumber, Policy.supportedVersions.contains(v) else {
                        throw reader.error(value, "policy version `\(value.scalar?.string ?? "?")` is not one this assay knows",
                                           fix: "use `version: 1`, or upgrade assay")
                    }
                case "name":
                    name = try reader.string(value, "name", fix: "write `name: my-policy`")
                case "description":
                    _ = try reader.string(value, "description", fix: "write the description as one string")
                case "extends":
                    let reference = try reader.string(value, "extends",
                                                      fix: "write `extends: default`, `extends: none` or `extends: path/to/policy.yml`")
                    guard !reference.isEmpty else {
                        throw reader.error(value, "`extends` is empty",
                                           fix: "write `extends: default`, `extends: none` or `extends: path/to/policy.yml`")
                    }
                    extends = (reference, value)
                case "rules":
                    changes.rules = try Layer.rules(value, "rules", reader: &reader, knownRules: knownRules)
                case "paths":
                    try Layer.paths(value, "paths", into: &changes, reader: &reader)
                case "thresholds":
                    try Layer.thresholds(value, "thresholds", into: &changes, reader: &reader)
                case "branches":
                    branches = try Layer.branches(value, reader: &reader, knownRules: knownRules)
                default:
                    reader.unknownKey(keyNode, key, known: Layer.keys)
                }
            }
        }

        static func rules(_ node: Node, _ key: String, reader: inout YAMLReader,
                          knownRules: Set<String>) throws(AssayError) -> [(String, RuleChange)] {
            guard let mapping = try reader.mapping(node, key, fix: "write one `rule-id: severity` per line under `\(key):`") else {
                return []
            }
            var out: [(String, RuleChange)] = []
            for (idNode, value) in mapping {
                let id = idNode.string ?? "?"
                let change = try rule(value, id: id, key: "\(key).\(id)", reader: &reader)
                guard knownRules.contains(id) else {
                    reader.warn(idNode, "unknown rule `\(id)` ignored" + didYouMean(id, among: knownRules))
                    continue
                }
                out.append((id, change))
            }
            return out
        }

        static func rule(_ node: Node, id: String, key: String, reader: inout YAMLReader) throws(AssayError) -> RuleChange {
            if node.scalar != nil {
                return RuleChange(severity: .some(try severity(node, key, reader: reader)))
            }
            guard let mapping = node.mapping else {
                throw reader.error(node, "`\(key)` must be a severity (block, warn, info, off) or a mapping with `severity`, `include`, `exclude`",
                                   fix: "write `\(id): warn`, or `severity:` / `include:` / `exclude:` under `\(id):`")
            }
            var change = RuleChange()
            for (k, v) in mapping {
                let name = k.string ?? "?"
                switch name {
                case "severity": change.severity = .some(try severity(v, "\(key).severity", reader: reader))
                case "include": change.include = try reader.globs(v, "\(key).include")
                case "exclude": change.exclude = try reader.globs(v, "\(key).exclude")
                default: reader.unknownKey(k, "\(key).\(name)", known: ["severity", "include", "exclude"])
                }
            }
            return change
        }

        /// `block`, `warn`, `info`, or `off` (nil).
        static func severity(_ node: Node, _ key: String, reader: YAMLReader) throws(AssayError) -> Severity? {
            let word = reader.isNull(node) ? "" : (node.scalar?.string ?? "")
            if word == "off" { return nil }
            guard let severity = Severity(rawValue: word) else {
                throw reader.error(node, "`\(key)`: `\(word)` is not a severity",
                                   fix: "use one of block, warn, info, off")
            }
            return severity
        }

        static func paths(_ node: Node, _ key: String, into changes: inout Changes, reader: inout YAMLReader) throws(AssayError) {
            guard let mapping = try reader.mapping(node, key, fix: "write `include:` and `exclude:` lists under `\(key):`") else {
                return
            }
            for (k, v) in mapping {
                let name = k.string ?? "?"
                switch name {
                case "include": changes.include = try reader.globs(v, "\(key).include")
                case "exclude": changes.exclude = try reader.globs(v, "\(key).exclude")
                default: reader.unknownKey(k, "\(key).\(name)", known: ["include", "exclude"])
                }
            }
        }

        static func thresholds(_ node: Node, _ key: String, into changes: inout Changes,
                               reader: inout YAMLReader) throws(AssayError) {
            guard let mapping = try reader.mapping(node, key,
                                                   fix: "write `large_binary_bytes:`, `large_text_bytes:` and `max_warnings:` under `\(key):`") else {
                return
            }
            for (k, v) in mapping {
                let name = k.string ?? "?"
                switch name {
                case "large_binary_bytes":
                    changes.largeBinaryBytes = try reader.integer(v, "\(key).large_binary_bytes", minimum: 0,
                                                                  fix: "write a size in bytes, e.g. `large_binary_bytes: 1048576`")
                case "large_text_bytes":
                    changes.largeTextBytes = try reader.integer(v, "\(key).large_text_bytes", minimum: 0,
                                                                fix: "write a size in bytes, e.g. `large_text_bytes: 10485760`")
                case "max_warnings":
                    if reader.isNull(v) {
                        changes.maxWarnings = .some(nil)
                    } else {
                        changes.maxWarnings = .some(try reader.integer(v, "\(key).max_warnings", minimum: 0,
                                                                       fix: "write a count such as `max_warnings: 10`, or `null` for no limit"))
                    }
                default:
                    reader.unknownKey(k, "\(key).\(name)", known: ["large_binary_bytes", "large_text_bytes", "max_warnings"])
                }
            }
        }

        static func branches(_ node: Node, reader: inout YAMLReader, knownRules: Set<String>) throws(AssayError) -> [BranchOverride] {
            guard let mapping = try reader.mapping(node, "branches",
                                                   fix: "write one `branch-glob:` per line with `rules:`, `paths:` or `thresholds:` under it") else {
                return []
            }
            var out: [BranchOverride] = []
            for (patternNode, value) in mapping {
                let pattern = try reader.glob(patternNode, "branches")
                let key = "branches.\(pattern.pattern)"
                var changes = Changes()
                if let entry = try reader.mapping(value, key, fix: "write `rules:`, `paths:` or `thresholds:` under `\(pattern.pattern):`") {
                    for (k, v) in entry {
                        let name = k.string ?? "?"
                        switch name {
                        case "rules": changes.rules = try rules(v, "\(key).rules", reader: &reader, knownRules: knownRules)
                        case "paths": try paths(v, "\(key).paths", into: &changes, reader: &reader)
                        case "thresholds": try thresholds(v, "\(key).thresholds", into: &changes, reader: &reader)
                        default: reader.unknownKey(k, "\(key).\(name)", known: ["rules", "paths", "thresholds"])
                        }
                    }
                }
                out.append(BranchOverride(pattern: pattern, location: "\(reader.file):\(reader.line(patternNode))",
                                          changes: changes))
            }
            return out
        }
    }
}
