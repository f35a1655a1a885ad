import AssayCore
import Yams

/// A finding as a rubric counts it: its rule and its severity after policy.
public struct RubricFinding: Sendable, Hashable {
    public var rule: String
    public var severity: Severity

    public init(rule: String, severity: Severity) { self.rule = rule; self.severity = severity }
}

/// What a rubric scores: the audit's unsuppressed findings (after policy) and its claim verdicts.
public struct RubricInput: Sendable {
    public typealias Item = RubricFinding

    public var findings: [RubricFinding]
    public var claimVerdicts: [Verdict]

    public init(findings: [RubricFinding] = [], claimVerdicts: [Verdict] = []) {
        self.findings = findings; self.claimVerdicts = claimVerdicts
    }

    /// From an audit's results; suppressed findings are left out, as the gate leaves them out.
    public init(findings: [Finding], claims: [ClaimResult]) {
        self.findings = findings.filter { $0.suppression == nil }.map { RubricFinding(rule: $0.rule, severity: $0.severity) }
        self.claimVerdicts = claims.map(\.verdict)
    }
}

/// A rubric's answer: the scores, the decision, and why.
public struct RubricDecision: Codable, Sendable, Equatable {
    /// `APPROVE`, `HOLD` or `REJECT`.
    public var decision: String
    /// 0–100: how much the change delivers.
    public var utility: Int
    /// 0–100: how likely it is to be wrong.
    public var risk: Int
    /// One line per criterion that contributed, then the line that decided.
    public var reasons: [String]
    /// The rubric's name.
    public var rubric: String

    public init(decision: String, utility: Int, risk: Int, reasons: [String], rubric: String) {
        self.decision = decision; self.utility = utility; self.risk = risk; self.reasons = reasons; self.rubric = rubric
    }
}

/// Weighted criteria that turn an audit's findings and claim verdicts into a utility score, a risk
/// score (each 0–100) and a decision — APPROVE, HOLD or REJECT — with reasons, as the underwriting
/// seed scores runs. `rubrics/default.yml` is the built-in one and documents the format.
///
/// Each criterion counts items (findings of a severity or rule, or claims with a verdict), multiplies
/// by its weight, and caps the product's absolute value at `max`; each product is rounded to a whole
/// number. A score is its base plus the products, clamped to 0…100. REJECT when any `reject`
/// condition holds, else HOLD when any `hold` condition holds, else APPROVE.
public struct Rubric: Sendable {
    /// What a criterion counts.
    public enum Selector: Sendable, Equatable {
        case severity(Severity)
        case rule(String)
        case claim(Verdict)
    }

    public struct Criterion: Sendable, Equatable {
        public var id: String
        public var description: String?
        public var selector: Selector
        /// Points per counted item; may be negative.
        public var weight: Double
        /// Cap on the absolute value of the criterion's contribution.
        public var max: Double?

        public init(id: String, description: String? = nil, selector: Selector, weight: Double, max: Double? = nil) {
            self.id = id; self.description = description; self.selector = selector; self.weight = weight; self.max = max
        }
    }

    /// A decision condition.
    public enum Condition: Sendable, Equatable {
        case riskAtLeast(Int)
        case utilityBelow(Int)
    }

    public var name: String
    public var riskBase: Int
    public var risk: [Criterion]
    public var utilityBase: Int
    public var utility: [Criterion]
    /// Any one of these → REJECT.
    public var reject: [Condition]
    /// Otherwise any one of these → HOLD.
    public var hold: [Condition]
    /// Unknown keys, each `file:line: …`.
    public var warnings: [String]
    public var file: String

    public static let supportedVersions = [1]
    /// The display name of the built-in default rubric.
    public static let builtInName = "<built-in rubric>"

    public init(name: String, riskBase: Int = 0, risk: [Criterion] = [], utilityBase: Int = 0, utility: [Criterion] = [],
                reject: [Condition] = [], hold: [Condition] = [], file: String = "") {
        self.name = name; self.riskBase = riskBase; self.risk = risk; self.utilityBase = utilityBase
        self.utility = utility; self.reject = reject; self.hold = hold; self.warnings = []; self.file = file
    }

    private static let builtIn: Rubric = {
        do {
            return try parse(Array(defaultYAML.utf8), file: builtInName)
        } catch {
            preconditionFailure("the built-in default rubric does not parse: \(error)")
        }
    }()

    /// The built-in rubric (`rubrics/default.yml`, embedded as `defaultYAML`).
    public static func builtInDefault() -> Rubric { builtIn }

    // MARK: - Scoring

    /// Scores `input` and decides. Deterministic: the same input gives the same decision and reasons.
    public func evaluate(_ input: RubricInput) -> RubricDecision {
        var reasons: [String] = []
        let riskScore = score("risk", base: riskBase, criteria: risk, input: input, reasons: &reasons)
        let utilityScore = score("utility", base: utilityBase, criteria: utility, input: input, reasons: &reasons)

        func holds(_ c: Condition) -> Bool {
            switch c {
            case .riskAtLeast(let t): riskScore >= t
            case .utilityBelow(let t): utilityScore < t
            }
        }
        func says(_ c: Condition) -> String {
            switch c {
            case .riskAtLeast(let t): "risk \(riskScore) ≥ \(t)"
            case .utilityBelow(let t): "utility \(utilityScore) < \(t)"
            }
        }
        let decision: String
        let rejecting = reject.filter(holds)
        let holding = hold.filter(holds)
        if !rejecting.isEmpty {
            decision = "REJECT"
            reasons.append("REJECT: " + rejecting.map(says).joined(separator: " and "))
        } else if !holding.isEmpty {
            decision = "HOLD"
            reasons.append("HOLD: " + holding.map(says).joined(separator: " and "))
        } else {
            decision = "APPROVE"
            // The tightest bound of each kind that held back a worse decision.
            let conditions = hold + reject
            var parts: [String] = []
            if let t = conditions.compactMap({ if case .riskAtLeast(let t) = $0 { t } else { nil } }).min() {
                parts.append("risk \(riskScore) < \(t)")
            }
            if let t = conditions.compactMap({ if case .utilityBelow(let t) = $0 { t } else { nil } }).max() {
                parts.append("utility \(utilityScore) ≥ \(t)")
            }
            reasons.append("APPROVE: " + (parts.isEmpty ? "the rubric sets no reject or hold condition"
                                                       : parts.joined(separator: " and ")))
        }
        return RubricDecision(decision: decision, utility: utilityScore, risk: riskScore, reasons: reasons, rubric: name)
    }

    private func score(_ what: String, base: Int, criteria: [Criterion], input: RubricInput,
                       reasons: inout [String]) -> Int {
        var total = base
        for criterion in criteria {
            let n = count(criterion.selector, in: input)
            guard n > 0, criterion.weight != 0 else { continue }
            let product = Double(n) * criterion.weight
            var contribution = product
            var capped = false
            if let max = criterion.max, abs(product) > max {
                contribution = product < 0 ? -max : max
                capped = true
            }
            let points = Int(contribution.rounded())
            total += points
            var line = "\(what) \(signed(points)) (\(criterion.id)): \(n) \(noun(criterion.selector, n)) × \(format(criterion.weight))"
            if capped { line += " = \(format(product)), capped at \(format(criterion.max ?? 0))" }
            reasons.append(line)
        }
        let clamped = Swift.min(100, Swift.max(0, total))
        if clamped != total { reasons.append("\(what) \(total) clamped to \(clamped)") }
        return clamped
    }

    private func count(_ selector: Selector, in input: RubricInput) -> Int {
        switch selector {
        case .severity(let s): input.findings.reduce(0) { $0 + ($1.severity == s ? 1 : 0) }
        case .rule(let r): input.findings.reduce(0) { $0 + ($1.rule == r ? 1 : 0) }
        case .claim(let v): input.claimVerdicts.reduce(0) { $0 + ($1 == v ? 1 : 0) }
        }
    }

    private func noun(_ selector: Selector, _ n: Int) -> String {
        let s = n == 1 ? "" : "s"
        switch selector {
        case .severity(.block): return "blocking finding" + s
        case .severity(.warn): return "warning" + s
        case .severity(.info): return "info finding" + s
        case .rule(let r): return "\(r) finding" + s
        case .claim(let v): return "\(v.rawValue) claim" + s
        }
    }

    private func signed(_ n: Int) -> String { n < 0 ? "\(n)" : "+\(n)" }

    /// `40`, `-10`, `2.5`: whole numbers without a decimal point.
    private func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    // MARK: - Reading

    /// Parses a rubric file. Invalid YAML, a bad selector, a weight that is not a number, or an unknown
    /// decision key is an error naming `file:line:column`; other unknown keys are `warnings`.
    public static func parse(_ bytes: [UInt8], file: String) throws(AssayError) -> Rubric {
        var reader = YAMLReader(file: file)
        guard let root = try reader.compose(bytes) else {
            throw AssayError("\(file): the rubric is empty", at: file,
                             fix: "write `version: 1`, `risk:`, `utility:` and `decision:`; see rubrics/default.yml")
        }
        return try parse(root, reader: &reader)
    }

    /// Parses a rubric written inline as a YAML mapping inside another file (`rubric:` in
    /// `.assay.yml`), so errors and warnings point at that file's lines.
    public static func parse(node: Node, file: String) throws(AssayError) -> Rubric {
        var reader = YAMLReader(file: file)
        return try parse(node, reader: &reader)
    }

    static let keys = ["version", "name", "description", "risk", "utility", "decision"]

    private static func parse(_ root: Node, reader: inout YAMLReader) throws(AssayError) -> Rubric {
        guard let mapping = root.mapping else {
            throw reader.error(root, "a rubric must be a mapping of settings (key: value)",
                               fix: "start with `version: 1`; see rubrics/default.yml")
        }
        var rubric = Rubric(name: reader.file, file: reader.file)
        var ids: [String: Int] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "?"
            switch key {
            case "version":
                guard let v = value.wholeNumber, supportedVersions.contains(v) else {
                    throw reader.error(value, "rubric version `\(value.scalar?.string ?? "?")` is not one this assay knows",
                                       fix: "use `version: 1`, or upgrade assay")
                }
            case "name":
                rubric.name = try reader.string(value, "name", fix: "write `name: my-rubric`")
            case "description":
                _ = try reader.string(value, "description", fix: "write the description as one string")
            case "risk":
                (rubric.riskBase, rubric.risk) = try score(value, "risk", reader: &reader, ids: &ids)
            case "utility":
                (rubric.utilityBase, rubric.utility) = try score(value, "utility", reader: &reader, ids: &ids)
            case "decision":
                (rubric.reject, rubric.hold) = try decision(value, reader: reader)
            default:
                reader.unknownKey(keyNode, key, known: keys)
            }
        }
        rubric.warnings = reader.warnings
        return rubric
    }

    /// `risk:` / `utility:` — a list of criteria, or a mapping with `base` and `criteria`.
    private static func score(_ node: Node, _ key: String, reader: inout YAMLReader,
                              ids: inout [String: Int]) throws(AssayError) -> (Int, [Criterion]) {
        if reader.isNull(node) { return (0, []) }
        if node.sequence != nil { return (0, try criteria(node, key, reader: &reader, ids: &ids)) }
        guard let mapping = node.mapping else {
            throw reader.error(node, "`\(key)` must be a list of criteria, or a mapping with `base` and `criteria`",
                               fix: "write `base: 0` and `criteria:` with one `- id: …` entry per criterion")
        }
        var base = 0
        var list: [Criterion] = []
        for (k, v) in mapping {
            let name = k.string ?? "?"
            switch name {
            case "base":
                base = Int(try reader.number(v, "\(key).base", fix: "write a starting score such as `base: 60`").rounded())
            case "criteria":
                list = try criteria(v, "\(key).criteria", reader: &reader, ids: &ids)
            default:
                reader.unknownKey(k, "\(key).\(name)", known: ["base", "criteria"])
            }
        }
        return (base, list)
    }

    private static func criteria(_ node: Node, _ key: String, reader: inout YAMLReader,
                                 ids: inout [String: Int]) throws(AssayError) -> [Criterion] {
        if reader.isNull(node) { return [] }
        guard let list = node.sequence else {
            throw reader.error(node, "`\(key)` must be a list of criteria",
                               fix: "write one `- id: …` entry per criterion, with `count:` and `weight:`")
        }
        var out: [Criterion] = []
        for item in list {
            guard let mapping = item.mapping else {
                throw reader.error(item, "each entry of `\(key)` must be a mapping with `id`, `count` and `weight`",
                                   fix: "write `- id: blocking-findings` with `count: { severity: block }` and `weight: 40` under it")
            }
            var id: String?
            var description: String?
            var selector: Selector?
            var weight: Double?
            var max: Double?
            for (k, v) in mapping {
                let name = k.string ?? "?"
                switch name {
                case "id": id = try reader.string(v, "\(key).id", fix: "write `id: a-short-name`")
                case "description": description = try reader.string(v, "\(key).description", fix: "write one string")
                case "count": selector = try Rubric.selector(v, "\(key).count", reader: reader)
                case "weight": weight = try reader.number(v, "\(key).weight", fix: "write points per counted item, e.g. `weight: 10` or `weight: -5`")
                case "max":
                    let m = try reader.number(v, "\(key).max", fix: "write the cap as a positive number, e.g. `max: 40`")
                    guard m >= 0 else {
                        throw reader.error(v, "`\(key).max` must not be negative",
                                           fix: "`max` caps the absolute contribution: write a positive number")
                    }
                    max = m
                default: reader.unknownKey(k, "\(key).\(name)", known: ["id", "description", "count", "weight", "max"])
                }
            }
            guard let id, !id.isEmpty else {
                throw reader.error(item, "a criterion of `\(key)` has no `id`", fix: "add `id: a-short-name`")
            }
            if let first = ids[id] {
                throw reader.error(item, "criterion id `\(id)` is used twice (first at line \(first))", fix: "give each criterion its own id")
            }
            ids[id] = reader.line(item)
            guard let selector else {
                throw reader.error(item, "criterion `\(id)` has no `count`",
                                   fix: "add `count:` with one of `severity: block|warn|info`, `rule: RULE-ID`, `claim: VERDICT`")
            }
            guard let weight else {
                throw reader.error(item, "criterion `\(id)` has no `weight`", fix: "add `weight:` with points per counted item")
            }
            out.append(Criterion(id: id, description: description, selector: selector, weight: weight, max: max))
        }
        return out
    }

    private static let selectorFix = "write `count:` with exactly one of `severity: block|warn|info`, `rule: RULE-ID`, "
        + "`claim: verified|contradicted|stale|unverifiable|abstain`"

    private static func selector(_ node: Node, _ key: String, reader: YAMLReader) throws(AssayError) -> Selector {
        guard let mapping = node.mapping else {
            throw reader.error(node, "`\(key)` must be a mapping with one selector", fix: selectorFix)
        }
        guard mapping.count == 1, let (k, v) = mapping.first else {
            throw reader.error(node, "`\(key)` must hold exactly one selector, not \(mapping.count)", fix: selectorFix)
        }
        let name = k.string ?? "?"
        let word = reader.isNull(v) ? "" : (v.scalar?.string ?? "")
        switch name {
        case "severity":
            guard let s = Severity(rawValue: word) else {
                throw reader.error(v, "`\(key).severity`: `\(word)` is not a severity a finding can have", fix: "use block, warn or info")
            }
            return .severity(s)
        case "rule":
            guard !word.isEmpty else {
                throw reader.error(v, "`\(key).rule` must name a rule id", fix: "write e.g. `rule: todo-added`")
            }
            return .rule(word)
        case "claim":
            guard let verdict = Verdict(rawValue: word) else {
                throw reader.error(v, "`\(key).claim`: `\(word)` is not a claim verdict",
                                   fix: "use verified, contradicted, stale, unverifiable or abstain")
            }
            return .claim(verdict)
        default:
            throw reader.error(k, "`\(key)`: unknown selector `\(name)`" + didYouMean(name, among: ["severity", "rule", "claim"]),
                               fix: selectorFix)
        }
    }

    private static func decision(_ node: Node, reader: YAMLReader) throws(AssayError) -> ([Condition], [Condition]) {
        guard let mapping = try reader.mapping(node, "decision", fix: "write `reject:` and `hold:` under `decision:`") else {
            return ([], [])
        }
        var reject: [Condition] = []
        var hold: [Condition] = []
        for (k, v) in mapping {
            let name = k.string ?? "?"
            switch name {
            case "reject": reject = try conditions(v, "decision.reject", reader: reader)
            case "hold": hold = try conditions(v, "decision.hold", reader: reader)
            default:
                throw reader.error(k, "`decision.\(name)` is not a decision this rubric can set" + didYouMean(name, among: ["reject", "hold"]),
                                   fix: "write `reject:` and `hold:` conditions; APPROVE is what remains when none holds")
            }
        }
        return (reject, hold)
    }

    private static func conditions(_ node: Node, _ key: String, reader: YAMLReader) throws(AssayError) -> [Condition] {
        let fix = "write `risk_at_least: N` and/or `utility_below: N` (0–100) under `\(key):`"
        guard let mapping = try reader.mapping(node, key, fix: fix) else { return [] }
        var out: [Condition] = []
        for (k, v) in mapping {
            let name = k.string ?? "?"
            switch name {
            case "risk_at_least":
                out.append(.riskAtLeast(try reader.integer(v, "\(key).risk_at_least", minimum: 0, fix: fix)))
            case "utility_below":
                out.append(.utilityBelow(try reader.integer(v, "\(key).utility_below", minimum: 0, fix: fix)))
            default:
                throw reader.error(k, "`\(key).\(name)` is not a condition" + didYouMean(name, among: ["risk_at_least", "utility_below"]),
                                   fix: fix)
            }
        }
        return out
    }
}
