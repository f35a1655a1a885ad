/// One block of a Markdown document, flattened out of cmark-gfm's tree: what it is, its own text, where it
/// starts, the section it sits in and how deeply it is nested in lists. Values only; no C types escape.
public struct MarkdownBlock: Hashable, Sendable {
    /// What kind of block this is, with the facts that only that kind has.
    public enum Kind: Hashable, Sendable {
        /// An ATX (`## Title`) or setext (`Title` over `---`) heading, level 1–6.
        case heading(level: Int)
        /// A paragraph that is not part of a list item's own text (top level, or in a block quote).
        case paragraph
        /// A list item. `checked` is nil for a plain bullet or numbered item, and true/false for a GFM
        /// task item (`[x]`/`[X]` or `[ ]`) as recognised by cmark-gfm's tasklist extension.
        case listItem(checked: Bool?)
        /// One row of a GFM table; `isHeader` for the row above the delimiter row.
        case tableRow(isHeader: Bool)
        /// A fenced or indented code block; `info` is the fence's info string (empty when there is none).
        case codeBlock(info: String)
    }

    public var kind: Kind
    /// The block's own inline text: code spans kept WITH their backticks (`like/this.ts`), emphasis markers
    /// dropped, links as their text, soft and hard line breaks as one space, runs of whitespace collapsed,
    /// trimmed. Table rows: cells joined with " | ". Code blocks: their literal content, line endings as "\n".
    public var text: String
    /// Table rows only: each cell's text (same rendering as `text`); empty for other kinds.
    public var cells: [String]
    /// The contents of every code span in this block's own inlines, without backticks, in order.
    public var codeSpans: [String]
    /// 1-based line where the block starts in the source.
    public var line: Int
    /// Titles of the enclosing headings, outermost first (the section this block sits in); for a heading,
    /// the headings above it (not itself).
    public var headings: [String]
    /// List nesting depth: 0 outside lists, 1 for a top-level item, 2 for an item nested in one, …
    /// Other blocks inside list items (code blocks, tables, quoted paragraphs) get the depth of their item.
    public var depth: Int
}

/// A Markdown document as the flat, ordered list of blocks an auditor needs: headings, paragraphs, list and
/// task items, table rows and code blocks, each with its line and section.
public struct MarkdownDocument: Hashable, Sendable {
    /// The blocks in document order (a pre-order walk of the parse tree).
    public var blocks: [MarkdownBlock]

    /// Parses Markdown (GitHub Flavored: tables, task lists, strikethrough, autolinks) from bytes, which need
    /// not be valid UTF-8 (decoded leniently: invalid sequences become U+FFFD, never a crash). Never throws:
    /// any input yields a document. Safe to call from any thread.
    public static func parse(_ bytes: [UInt8]) -> MarkdownDocument {
        MarkdownDocument(blocks: CmarkParser.blocks(of: bytes))
    }

    /// Parses Markdown text; see `parse(_:)` for bytes.
    public static func parse(_ text: String) -> MarkdownDocument {
        parse(Array(text.utf8))
    }
}
