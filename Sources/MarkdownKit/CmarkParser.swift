internal import CCmark
import Foundation

/// The only place that touches cmark-gfm pointers: parses bytes into a tree, flattens the tree into
/// `MarkdownBlock`s, and frees everything before returning.
enum CmarkParser {
    /// The GFM extensions every parser gets.
    static let extensionNames = ["table", "tasklist", "strikethrough", "autolink"]

    /// `cmark_gfm_core_extensions_ensure_registered` guards itself with a plain static flag, so two threads
    /// racing into it could register the plugins twice; a Swift global is initialised exactly once.
    static let extensionsRegistered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    /// Serialises parsing. cmark-gfm 0.29.0.gfm.6 keeps the inline parser's table of special characters in
    /// process-wide static arrays, and every parse with inline extensions (strikethrough `~`, autolink `:`
    /// and `w`, tables) adds their characters on entry and removes them on exit. Two concurrent parses would
    /// race on that table, and one could switch strikethrough or autolinks off in the middle of the other.
    static let parseLock = NSLock()

    /// Parses `bytes` and returns its blocks; the tree and the parser are freed before returning.
    static func blocks(of input: [UInt8]) -> [MarkdownBlock] {
        // cmark steps over a leading byte order mark but leaves it in the first line, where it hides a task
        // item from the tasklist extension (which matches from the line's first byte). Dropping it first
        // changes nothing else: the mark is not text, and it holds no line break.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        guard let document = parseTree(bytes) else { return [] }
        defer { cmark_node_free(document) }
        var collector = BlockCollector(source: bytes)
        collector.collect(document)
        return collector.blocks
    }

    /// Runs the cmark-gfm parser with the GFM extensions attached; the caller frees the returned document.
    private static func parseTree(_ bytes: [UInt8]) -> OpaquePointer? {
        _ = extensionsRegistered
        parseLock.lock()
        defer { parseLock.unlock() }
        guard let parser = cmark_parser_new(assay_cmark_options_default()) else { return nil }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                _ = cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                cmark_parser_feed(parser, $0, buffer.count)
            }
        }
        return cmark_parser_finish(parser)
    }
}

/// Walks a cmark-gfm document once, iteratively (deeply nested quotes or emphasis cannot exhaust the stack),
/// keeping the heading stack and the list depth as it goes.
struct BlockCollector {
    let source: [UInt8]
    private(set) var blocks: [MarkdownBlock] = []
    /// Open sections: each heading seen, popped when a heading of the same or a higher level arrives.
    private var sections: [(level: Int, title: String)] = []
    /// How many list items enclose the current node.
    private var itemDepth = 0
    /// Byte offsets where each source line starts, built on first need.
    private var lineStarts: [Int]?

    init(source: [UInt8]) {
        self.source = source
    }

    mutating func collect(_ root: OpaquePointer) {
        guard let iterator = cmark_iter_new(root) else { return }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            if event == CMARK_EVENT_EXIT {
                if type == CMARK_NODE_ITEM { itemDepth -= 1 }
                continue
            }
            switch type {
            case CMARK_NODE_HEADING:
                let level = Int(cmark_node_get_heading_level(node))
                let inline = InlineText(of: node)
                sections.removeAll { $0.level >= level }
                append(.heading(level: level), inline.text, codeSpans: inline.codeSpans, node: node)
                sections.append((level, inline.text))
                skipChildren(iterator, node)
            case CMARK_NODE_PARAGRAPH:
                // A list item's own paragraphs are its text; every other paragraph is a block of its own.
                if let parent = cmark_node_parent(node), cmark_node_get_type(parent) == CMARK_NODE_ITEM {
                    // part of the item emitted on entering it
                } else {
                    let inline = InlineText(of: node)
                    append(.paragraph, inline.text, codeSpans: inline.codeSpans, node: node)
                }
                skipChildren(iterator, node)
            case CMARK_NODE_ITEM:
                itemDepth += 1
                appendItem(node)
            case CMARK_NODE_CODE_BLOCK:
                let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
                let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
                append(.codeBlock(info: info), normalizingLineEndings(literal), node: node)
            default:
                let name = typeString(node)
                if name == "table_row" || name == "table_header" {
                    appendRow(node)
                    skipChildren(iterator, node)
                }
            }
        }
    }

    /// Moves the iterator to `node`'s exit, so its inline children are not visited one by one.
    private func skipChildren(_ iterator: OpaquePointer, _ node: OpaquePointer) {
        cmark_iter_reset(iterator, node, CMARK_EVENT_EXIT)
    }

    private mutating func append(_ kind: MarkdownBlock.Kind, _ text: String, cells: [String] = [],
                                 codeSpans: [String] = [], node: OpaquePointer) {
        blocks.append(MarkdownBlock(kind: kind, text: text, cells: cells, codeSpans: codeSpans,
                                    line: startLine(of: node),
                                    headings: sections.map(\.title), depth: itemDepth))
    }

    /// The node's 1-based start line: cmark's, except where cmark-gfm 0.29.0.gfm.6 gets it wrong.
    ///
    /// When a table interrupts a paragraph (`Results:` directly above `| a | b |`), the table extension
    /// splits the paragraph's lines off into a new paragraph whose position is 0, and gives the table and
    /// its header row the old paragraph's start line. The header row's line is recomputed from the rows
    /// below it (table rows are one line each, the delimiter row sits between header and body), and the
    /// split-off paragraph's from the source: it ends just above the header row and starts after the
    /// nearest blank line (or the previous block).
    private mutating func startLine(of node: OpaquePointer) -> Int {
        let reported = Int(cmark_node_get_start_line(node))
        if typeString(node) == "table_header" {
            return headerRowLine(node) ?? reported
        }
        if reported < 1, cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH {
            return paragraphLineBeforeTable(node) ?? 1
        }
        return reported
    }

    /// The line of a table's header row: two above the first body row, or one above the table's last line
    /// (the delimiter row) when there is no body row.
    private func headerRowLine(_ header: OpaquePointer) -> Int? {
        if let firstBody = cmark_node_next(header) {
            let line = Int(cmark_node_get_start_line(firstBody)) - 2
            return line >= 1 ? line : nil
        }
        guard let table = cmark_node_parent(header) else { return nil }
        let line = Int(cmark_node_get_end_line(table)) - 1
        return line >= 1 ? line : nil
    }

    /// The start line of a paragraph the table extension split off (see `startLine(of:)`).
    private mutating func paragraphLineBeforeTable(_ paragraph: OpaquePointer) -> Int? {
        guard let table = cmark_node_next(paragraph), typeString(table) == "table",
              let header = cmark_node_first_child(table), let headerLine = headerRowLine(header) else { return nil }
        let lastLine = headerLine - 1
        var lowest = 1
        if let previous = cmark_node_previous(paragraph) {
            lowest = Int(cmark_node_get_end_line(previous)) + 1
        } else if let parent = cmark_node_parent(paragraph) {
            lowest = Int(cmark_node_get_start_line(parent))
        }
        lowest = max(lowest, 1)
        guard lastLine >= lowest else { return max(lastLine, 1) }
        var line = lastLine
        while line > lowest, !isBlankInContainer(line: line - 1) { line -= 1 }
        return line
    }

    /// Whether a source line holds nothing but whitespace and block-quote markers: such a line can never be
    /// part of a paragraph, in any container.
    private mutating func isBlankInContainer(line: Int) -> Bool {
        let starts = lineStarts ?? computeLineStarts()
        lineStarts = starts
        guard line >= 1, line <= starts.count else { return true }
        let end = line < starts.count ? starts[line] : source.count
        return source[starts[line - 1]..<end].allSatisfy {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ">")
                || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
        }
    }

    /// A list item: the text of its direct child paragraphs (nested lists and code blocks are blocks of
    /// their own), and its task state from the tasklist extension.
    private mutating func appendItem(_ item: OpaquePointer) {
        var parts: [String] = []
        var codeSpans: [String] = []
        var child = cmark_node_first_child(item)
        while let current = child {
            if cmark_node_get_type(current) == CMARK_NODE_PARAGRAPH {
                let inline = InlineText(of: current)
                if !inline.text.isEmpty { parts.append(inline.text) }
                codeSpans += inline.codeSpans
            }
            child = cmark_node_next(current)
        }
        append(.listItem(checked: taskState(item)), parts.joined(separator: " "), codeSpans: codeSpans, node: item)
    }

    /// A table row: each cell rendered like a paragraph, joined with " | ".
    private mutating func appendRow(_ row: OpaquePointer) {
        var cells: [String] = []
        var codeSpans: [String] = []
        var child = cmark_node_first_child(row)
        while let cell = child {
            if typeString(cell) == "table_cell" {
                let inline = InlineText(of: cell)
                cells.append(inline.text)
                codeSpans += inline.codeSpans
            }
            child = cmark_node_next(cell)
        }
        let isHeader = cmark_gfm_extensions_get_table_row_is_header(row) != 0
        append(.tableRow(isHeader: isHeader), cells.joined(separator: " | "), cells: cells, codeSpans: codeSpans,
               node: row)
    }

    /// nil for a plain item; for an item the tasklist extension claimed, whether its box is ticked.
    ///
    /// Whether an item is a task item is the extension's call. Its checked flag, though, is unreliable in
    /// cmark-gfm 0.29.0.gfm.6: the extension sets it when "[x]" or "[X]" occurs anywhere on the item's first
    /// line (`- [ ] fix the [x] icon` reads as checked). So the state is read from the three bytes the
    /// extension matched — the box right after the item's marker at the item's start position — and the
    /// extension's flag is the fallback when the source does not show a box there.
    private mutating func taskState(_ item: OpaquePointer) -> Bool? {
        guard typeString(item) == "tasklist" else { return nil }
        let reported = cmark_gfm_extensions_get_tasklist_item_checked(item)
        let line = Int(cmark_node_get_start_line(item))
        let column = Int(cmark_node_get_start_column(item))
        return checkbox(line: line, column: column) ?? reported
    }

    /// The state of the `[ ]`/`[x]` box following the list marker that starts at `line`/`column` (1-based,
    /// column in bytes as cmark counts it), or nil when the source shows no box there.
    private mutating func checkbox(line: Int, column: Int) -> Bool? {
        let starts = lineStarts ?? computeLineStarts()
        lineStarts = starts
        guard line >= 1, line <= starts.count, column >= 1 else { return nil }
        var i = starts[line - 1] + column - 1
        func byte(_ index: Int) -> UInt8? {
            guard index < source.count else { return nil }
            let b = source[index]
            return b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") ? nil : b
        }
        // The list marker: one of - + * or 1–9 digits followed by . or )
        guard let first = byte(i) else { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: "*") {
            i += 1
        } else {
            let digitsStart = i
            while let b = byte(i), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { i += 1 }
            guard i > digitsStart, i - digitsStart <= 9, let delimiter = byte(i),
                  delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")") else { return nil }
            i += 1
        }
        let spacesStart = i
        while let b = byte(i), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { i += 1 }
        guard i > spacesStart, byte(i) == UInt8(ascii: "["), let mark = byte(i + 1),
              byte(i + 2) == UInt8(ascii: "]") else { return nil }
        return mark == UInt8(ascii: "x") || mark == UInt8(ascii: "X")
    }

    /// Line starts as cmark counts lines: "\n", "\r\n" and a lone "\r" each end one.
    private func computeLineStarts() -> [Int] {
        var starts = [0]
        var i = 0
        while i < source.count {
            let b = source[i]
            if b == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if b == UInt8(ascii: "\r") {
                if i + 1 < source.count, source[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        return starts
    }
}

/// The inline text of one leaf block (paragraph, heading, table cell), rendered as `MarkdownBlock.text`
/// describes, plus its code spans.
struct InlineText {
    var text: String
    var codeSpans: [String]

    init(of container: OpaquePointer) {
        var raw = ""
        var spans: [String] = []
        if let iterator = cmark_iter_new(container) {
            defer { cmark_iter_free(iterator) }
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator), node != container
                else { continue }
                switch cmark_node_get_type(node) {
                case CMARK_NODE_TEXT, CMARK_NODE_HTML_INLINE:
                    raw += literal(node)
                case CMARK_NODE_CODE:
                    let code = literal(node)
                    raw += "`" + code + "`"
                    spans.append(code)
                case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                    raw += " "
                default:
                    break  // emphasis, strong, strikethrough, links, images: their children carry the text
                }
            }
        }
        text = collapsingWhitespace(raw)
        codeSpans = spans
    }
}

/// The node's type name, including the names extensions give their nodes ("table_row", "tasklist", …).
func typeString(_ node: OpaquePointer) -> String {
    cmark_node_get_type_string(node).map { String(cString: $0) } ?? ""
}

/// A node's literal, decoded leniently (`String(cString:)` repairs invalid UTF-8 with U+FFFD).
func literal(_ node: OpaquePointer) -> String {
    cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
}

/// Runs of whitespace become one space; leading and trailing whitespace is dropped.
func collapsingWhitespace(_ raw: String) -> String {
    var out = ""
    out.reserveCapacity(raw.utf8.count)
    var pendingSpace = false
    for character in raw {
        if character.isWhitespace {
            pendingSpace = true
        } else {
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
    }
    return out
}

/// "\r\n" and lone "\r" as "\n", so that code block text splits into lines on "\n" (in Swift, "\r\n" is a
/// single Character and never equals "\n").
func normalizingLineEndings(_ text: String) -> String {
    guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
    return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
}
