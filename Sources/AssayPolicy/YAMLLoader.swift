import AssayCore
internal import CYaml
import Yams

/// The one way assay reads YAML (`.assay.yml`, policies, rubrics): the document is first walked as
/// libyaml events, counting what it would become, and refused before anything is built when it
/// would be too big. A "billion laughs" document (anchors that alias anchors, each level
/// multiplying the last) is a few hundred bytes that expand to billions of nodes: Yams shares the
/// aliased nodes, but anything that walks the tree (re-serializing an inline policy, comparing
/// mapping keys) expands them, and a hook must never run out of memory on a settings file.
public enum YAMLLoader {
    /// Limits on one document. Far above any real settings file (the built-in policy has about a
    /// hundred nodes), far below what could hurt.
    public struct Limits: Sendable {
        /// Alias uses (`*name`) in the document.
        public var aliases: Int
        /// Nodes once every alias is expanded (a scalar is one node, a list or mapping one more
        /// than its contents).
        public var nodes: Int
        /// Nesting of lists and mappings.
        public var depth: Int

        public init(aliases: Int = 1_000, nodes: Int = 100_000, depth: Int = 200) {
            self.aliases = aliases; self.nodes = nodes; self.depth = depth
        }
    }

    /// The default limits.
    public static let limits = Limits()

    /// The document's root node, or nil for an empty document. A syntax error, or a document past
    /// `limits`, is an `AssayError` (exit 2) naming `file:line:column`.
    public static func compose(_ bytes: [UInt8], file: String, limits: Limits = YAMLLoader.limits) throws(AssayError) -> Node? {
        try check(bytes, file: file, limits: limits)
        let text = String(decoding: bytes, as: UTF8.self)
        do { return try Yams.compose(yaml: text) } catch {
            throw AssayError("\(file)\(position(of: error))", at: file,
                             fix: "fix the YAML syntax (indentation, quotes, colons) and run again")
        }
    }

    /// `:LINE:COLUMN: invalid YAML: problem` for a Yams error, so the message names where the YAML broke.
    static func position(of error: Error) -> String {
        guard let yaml = error as? YamlError else { return ": invalid YAML: \(error)" }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ":\(mark.line):\(mark.column): invalid YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            return ":\(context.mark.line):\(context.mark.column): invalid YAML: key \(keys) appears more than once in one mapping"
        default:
            return ": invalid YAML: \(yaml)"
        }
    }

    /// Walks the document's events and throws when it passes a limit. A syntax error ends the walk
    /// quietly: composing the document reports it, with Yams' wording.
    static func check(_ bytes: [UInt8], file: String, limits: Limits) throws(AssayError) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw AssayError("cannot start the YAML parser (out of memory?)", at: file)
        }
        defer { yaml_parser_delete(&parser) }
        // Each open list or mapping: its anchor, and the nodes it holds so far (itself included).
        var open: [(anchor: String?, nodes: Int)] = []
        // Expanded size of each anchored node; a later anchor of the same name replaces it.
        var anchored: [String: Int] = [:]
        var aliases = 0
        var total = 0

        func refuse(_ event: yaml_event_t, _ what: String) -> AssayError {
            let mark = "\(file):\(event.start_mark.line + 1):\(event.start_mark.column + 1)"
            return AssayError("\(mark): \(what); assay refuses such a document (aliases that expand to a huge tree "
                              + "are a \"billion laughs\" attack)", at: file,
                              fix: "write the settings out with fewer aliases (`*name`) and less nesting")
        }
        /// Adds a finished node of `size` expanded nodes to its parent (or to the root).
        func add(_ size: Int) { if !open.isEmpty { open[open.count - 1].nodes += size } }

        try bytes.withUnsafeBufferPointer { (buffer) throws(AssayError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    total += 1
                    if let anchor = name(event.data.scalar.anchor) { anchored[anchor] = 1 }
                    add(1)
                case YAML_ALIAS_EVENT:
                    aliases += 1
                    if aliases > limits.aliases {
                        throw refuse(event, "more than \(limits.aliases) aliases")
                    }
                    // An undefined alias is Yams' error to report.
                    let size = name(event.data.alias.anchor).flatMap { anchored[$0] } ?? 1
                    total += size
                    add(size)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    total += 1
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append((anchor, 1))
                    if open.count > limits.depth {
                        throw refuse(event, "lists and mappings nested more than \(limits.depth) deep")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let done = open.popLast() else { return }
                    if let anchor = done.anchor { anchored[anchor] = done.nodes }
                    add(done.nodes)
                default:
                    break
                }
                if total > limits.nodes {
                    throw refuse(event, "the document expands to more than \(limits.nodes) nodes through its aliases")
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
