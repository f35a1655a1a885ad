import AssayCore
import Yams

/// Reads one YAML file of a policy or rubric and words its errors and warnings with `file:line`,
/// as `.assay.yml` does: unknown keys are warnings, anything of the wrong shape is an `AssayError`
/// (exit 2) that names where it is and what to write instead.
struct YAMLReader {
    let file: String
    /// Warnings collected while reading, each `file:line: …`.
    var warnings: [String] = []

    init(file: String) { self.file = file }

    /// The document's root node, or nil for an empty document; read by `YAMLLoader`, with its limits.
    func compose(_ bytes: [UInt8]) throws(AssayError) -> Node? {
        try YAMLLoader.compose(bytes, file: file)
    }

    func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    /// `file:line:column` of a node.
    func position(_ node: Node) -> String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    /// An error about a node: `file:line:col: message`, with the fix.
    func error(_ node: Node, _ message: String, fix: String) -> AssayError {
        AssayError("\(position(node)): \(message)", at: file, fix: fix)
    }

    mutating func warn(_ node: Node, _ message: String) {
        warnings.append("\(file):\(line(node)): \(message)")
    }

    /// Warns about a key nobody reads, suggesting the closest known one.
    mutating func unknownKey(_ keyNode: Node, _ path: String, known: [String]) {
        let key = keyNode.string ?? "?"
        warn(keyNode, "unknown key `\(path)` ignored" + didYouMean(key, among: known))
    }

    /// A mapping, or an error saying what `key` should hold. A null node is an empty mapping.
    func mapping(_ node: Node, _ key: String, fix: String) throws(AssayError) -> Node.Mapping? {
        if isNull(node) { return nil }
        guard let mapping = node.mapping else {
            throw error(node, "`\(key)` must be a mapping (key: value)", fix: fix)
        }
        return mapping
    }

    /// True for `~`, `null`, or nothing at all after the colon.
    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A plain string value (a scalar that is not null).
    func string(_ node: Node, _ key: String, fix: String) throws(AssayError) -> String {
        guard let scalar = node.scalar, !isNull(node) else {
            throw error(node, "`\(key)` must be a string", fix: fix)
        }
        return scalar.string
    }

    /// A whole number at least `minimum`.
    func integer(_ node: Node, _ key: String, minimum: Int, fix: String) throws(AssayError) -> Int {
        guard node.scalar != nil, let value = node.wholeNumber, value >= minimum else {
            throw error(node, "`\(key)` must be a whole number ≥ \(minimum), not `\(node.scalar?.string ?? "a list or mapping")`",
                        fix: fix)
        }
        return value
    }

    /// The largest magnitude `number` takes: scores are 0…100, so a rubric needs nothing near it,
    /// and sums of counted findings times it stay far inside `Int`.
    static let numberLimit = 1_000_000.0

    /// A finite number (whole or decimal) within ±`numberLimit`.
    func number(_ node: Node, _ key: String, fix: String) throws(AssayError) -> Double {
        guard node.scalar != nil, let value = node.wholeNumber.map(Double.init) ?? node.float, value.isFinite else {
            throw error(node, "`\(key)` must be a number, not `\(node.scalar?.string ?? "a list or mapping")`", fix: fix)
        }
        guard abs(value) <= Self.numberLimit else {
            throw error(node, "`\(key)` must be between -1000000 and 1000000, not `\(node.scalar?.string ?? "")`", fix: fix)
        }
        return value
    }

    /// A list of path globs (a single string is a list of one; null is empty), each checked by
    /// `Self.globProblem`.
    func globs(_ node: Node, _ key: String) throws(AssayError) -> [Glob] {
        if isNull(node) { return [] }
        let items: [Node]
        if node.scalar != nil {
            items = [node]
        } else if let list = node.sequence {
            items = Array(list)
        } else {
            throw error(node, "`\(key)` must be a list of path globs",
                        fix: "write it as [\"src/**\", \"docs/*.md\"] or one `- pattern` per line")
        }
        var out: [Glob] = []
        for item in items {
            out.append(try glob(item, key))
        }
        return out
    }

    /// One glob, checked: assay globs have `*`, `**`, `?` and a trailing `/`, nothing else.
    func glob(_ node: Node, _ key: String) throws(AssayError) -> Glob {
        guard let scalar = node.scalar, !isNull(node) else {
            throw error(node, "`\(key)` holds something that is not a glob", fix: "quote each pattern as a string")
        }
        if let (problem, fix) = Self.globProblem(scalar.string) {
            throw error(node, "`\(key)`: \(problem)", fix: fix)
        }
        return Glob(scalar.string)
    }

    /// Why a pattern cannot be an assay glob, with the fix; nil when it can.
    static func globProblem(_ pattern: String) -> (problem: String, fix: String)? {
        if pattern.isEmpty {
            return ("an empty pattern matches nothing", "write a pattern such as \"src/**\", or remove the entry")
        }
        for c in ["[", "]", "{", "}"] where pattern.contains(c) {
            return ("pattern `\(pattern)` uses `\(c)`: character classes and braces are not supported by assay globs",
                    "list each alternative as its own pattern (`src/a/*`, `src/b/*`); globs know `*`, `**`, `?` and a trailing `/`")
        }
        if pattern.hasPrefix("!") {
            return ("pattern `\(pattern)` starts with `!`: negation is not supported by assay globs",
                    "put the pattern without `!` under `exclude`")
        }
        return nil
    }
}

extension Node {
    /// Yams' `int`, except for base-60 scalars (`1:30`, YAML 1.1), which Yams multiplies out with
    /// trapping arithmetic: a long one (`8888888888:1`, found by fuzzing) crashed the reader.
    package var wholeNumber: Int? {
        guard let text = scalar?.string, !text.contains(":") else { return nil }
        return int
    }
}

/// ` (did you mean `x`?)` when a known word is within a few edits of `word`, else "".
func didYouMean(_ word: String, among known: some Sequence<String>) -> String {
    let w = Array(word.lowercased().utf8)
    var best: (distance: Int, word: String)?
    for candidate in known.sorted() {
        let d = editDistance(w, Array(candidate.lowercased().utf8))
        if d <= max(2, candidate.utf8.count / 3), d < (best?.distance ?? .max) { best = (d, candidate) }
    }
    return best.map { " (did you mean `\($0.word)`?)" } ?? ""
}

