@testable import MarkdownKit
import Foundation
import Testing

/// A block as the tests expect it; `@testable` gives the memberwise initializer, so whole blocks compare.
private func block(_ kind: MarkdownBlock.Kind, _ text: String, line: Int, headings: [String] = [], depth: Int = 0,
                   cells: [String] = [], codeSpans: [String] = []) -> MarkdownBlock {
    MarkdownBlock(kind: kind, text: text, cells: cells, codeSpans: codeSpans, line: line, headings: headings,
                  depth: depth)
}

private func lines(_ lines: String...) -> String { lines.joined(separator: "\n") + "\n" }

@Suite("MarkdownDocument")
struct MarkdownDocumentTests {
    @Test("headings build a section stack; a later level 2 replaces the earlier one and pops level 3")
    func headingsAndSections() {
        let doc = MarkdownDocument.parse(lines(
            "# Guide",             // 1
            "",
            "Intro text.",         // 3
            "",
            "## Install",          // 5
            "",
            "Run it.",             // 7
            "",
            "### Linux",           // 9
            "",
            "Use apt.",            // 11
            "",
            "## Usage",            // 13
            "",
            "Call `assay`.",       // 15
            "",
            "Setext *Title*",      // 17
            "==============",
            "",
            "Last.",               // 20
        ))
        #expect(doc.blocks == [
            block(.heading(level: 1), "Guide", line: 1),
            block(.paragraph, "Intro text.", line: 3, headings: ["Guide"]),
            block(.heading(level: 2), "Install", line: 5, headings: ["Guide"]),
            block(.paragraph, "Run it.", line: 7, headings: ["Guide", "Install"]),
            block(.heading(level: 3), "Linux", line: 9, headings: ["Guide", "Install"]),
            block(.paragraph, "Use apt.", line: 11, headings: ["Guide", "Install", "Linux"]),
            block(.heading(level: 2), "Usage", line: 13, headings: ["Guide"]),
            block(.paragraph, "Call `assay`.", line: 15, headings: ["Guide", "Usage"], codeSpans: ["assay"]),
            block(.heading(level: 1), "Setext Title", line: 17),
            block(.paragraph, "Last.", line: 20, headings: ["Setext Title"]),
        ])
    }

    @Test("a heading that skips a level still pops the deeper headings")
    func skippedLevels() {
        let doc = MarkdownDocument.parse(lines("# A", "### C", "## B", "text"))
        #expect(doc.blocks.map(\.headings) == [[], ["A"], ["A"], ["A", "B"]])
        #expect(doc.blocks.map(\.kind) == [.heading(level: 1), .heading(level: 3), .heading(level: 2), .paragraph])
    }

    @Test("task items: [x], [X] and [ ], nested task items at depth 2, a plain bullet stays nil")
    func taskList() {
        let doc = MarkdownDocument.parse(lines(
            "## Tasks",                  // 1
            "",
            "- [x] Ship the parser",     // 3
            "- [X] Write `docs/api.md`", // 4
            "- [ ] Add caching",         // 5
            "  - [x] Measure first",     // 6
            "  - [ ] Then decide",       // 7
            "- Plain bullet",            // 8
        ))
        #expect(doc.blocks == [
            block(.heading(level: 2), "Tasks", line: 1),
            block(.listItem(checked: true), "Ship the parser", line: 3, headings: ["Tasks"], depth: 1),
            block(.listItem(checked: true), "Write `docs/api.md`", line: 4, headings: ["Tasks"], depth: 1,
                  codeSpans: ["docs/api.md"]),
            block(.listItem(checked: false), "Add caching", line: 5, headings: ["Tasks"], depth: 1),
            block(.listItem(checked: true), "Measure first", line: 6, headings: ["Tasks"], depth: 2),
            block(.listItem(checked: false), "Then decide", line: 7, headings: ["Tasks"], depth: 2),
            block(.listItem(checked: nil), "Plain bullet", line: 8, headings: ["Tasks"], depth: 1),
        ])
    }

    @Test("the box decides the state, not an [x] later on the line (cmark-gfm 0.29.0.gfm.6 looks line-wide)")
    func checkboxStateComesFromTheBox() {
        let doc = MarkdownDocument.parse(lines(
            "- [ ] fix the [x] icon",
            "- [ ] review `[X]` rendering",
            "- [x] done, [ ] was the old state",
            "1. [ ] numbered with [x]",
            "2) [X] numbered done",
            "-   [ ] wide gap",
            "*\t[x] tab gap",
        ))
        #expect(doc.blocks.map(\.kind) == [
            .listItem(checked: false), .listItem(checked: false), .listItem(checked: true),
            .listItem(checked: false), .listItem(checked: true), .listItem(checked: false), .listItem(checked: true),
        ])
        #expect(doc.blocks.map(\.text) == [
            "fix the [x] icon", "review `[X]` rendering", "done, [ ] was the old state", "numbered with [x]",
            "numbered done", "wide gap", "tab gap",
        ])
        #expect(doc.blocks.map(\.line) == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test("what is not a task item: no text after the box, a box in a code span, another mark in the box")
    func notTaskItems() {
        let doc = MarkdownDocument.parse(lines(
            "- [x]",            // nothing after the box: a plain item whose text is "[x]"
            "- `[x]` literal",
            "- [-] dash",
            "- [ ] ",           // a box and a space: an empty task item
        ))
        #expect(doc.blocks == [
            block(.listItem(checked: nil), "[x]", line: 1, depth: 1),
            block(.listItem(checked: nil), "`[x]` literal", line: 2, depth: 1, codeSpans: ["[x]"]),
            block(.listItem(checked: nil), "[-] dash", line: 3, depth: 1),
            block(.listItem(checked: false), "", line: 4, depth: 1),
        ])
    }

    @Test("plain bullets and ordered lists, with a nested ordered list")
    func plainAndOrderedLists() {
        let doc = MarkdownDocument.parse(lines(
            "* alpha",           // 1
            "+ beta",            // 2 (another bullet character: a new list)
            "",
            "1. first",          // 4
            "2. second",         // 5
            "   1) inner",       // 6
            "   2) _inner two_", // 7
            "3. third",          // 8
        ))
        #expect(doc.blocks == [
            block(.listItem(checked: nil), "alpha", line: 1, depth: 1),
            block(.listItem(checked: nil), "beta", line: 2, depth: 1),
            block(.listItem(checked: nil), "first", line: 4, depth: 1),
            block(.listItem(checked: nil), "second", line: 5, depth: 1),
            block(.listItem(checked: nil), "inner", line: 6, depth: 2),
            block(.listItem(checked: nil), "inner two", line: 7, depth: 2),
            block(.listItem(checked: nil), "third", line: 8, depth: 1),
        ])
    }

    @Test("inline rendering: code spans keep backticks, markup is dropped, breaks become one space")
    func inlineRendering() {
        let source = "See `src/app.ts` and *really* **bold** _x_ ~~old~~ [the docs](https://x.y) "
            + "![alt text](i.png) plus ``a`b`` end.  \nNext   line\\\nthird <span>hi</span> www.example.com\n"
        let doc = MarkdownDocument.parse(source)
        #expect(doc.blocks == [
            block(.paragraph,
                  "See `src/app.ts` and really bold x old the docs alt text plus `a`b` end. Next line third "
                      + "<span>hi</span> www.example.com",
                  line: 1, codeSpans: ["src/app.ts", "a`b"]),
        ])
    }

    @Test("a list item's text is its own paragraphs; nested items and code blocks are blocks of their own")
    func listItemWithParagraphsAndNestedList() {
        let doc = MarkdownDocument.parse(lines(
            "- First para with `one`.",   // 1
            "  continued line.",          // 2
            "",
            "  Second para with `two`.",  // 4
            "",
            "  - nested item `three`",    // 6
            "",
            "  ```sh",                    // 8
            "  make",
            "  ```",
            "- Next",                     // 11
        ))
        #expect(doc.blocks == [
            block(.listItem(checked: nil), "First para with `one`. continued line. Second para with `two`.",
                  line: 1, depth: 1, codeSpans: ["one", "two"]),
            block(.listItem(checked: nil), "nested item `three`", line: 6, depth: 2, codeSpans: ["three"]),
            block(.codeBlock(info: "sh"), "make\n", line: 8, depth: 1),
            block(.listItem(checked: nil), "Next", line: 11, depth: 1),
        ])
    }

    @Test("a GFM table: header row and body rows with cells, escaped pipes, padded short rows, lines")
    func table() {
        let doc = MarkdownDocument.parse(lines(
            "## Data",                                   // 1
            "",
            "| Name | Path | Notes |",                    // 3
            "|------|:----:|------:|",
            "| app  | `src/app.ts` | *main* |",          // 5
            "| lib  | `lib/x\\|y.ts` |  |",              // 6
            "| short |",                                 // 7
            "",
            "After.",                                    // 9
        ))
        #expect(doc.blocks == [
            block(.heading(level: 2), "Data", line: 1),
            block(.tableRow(isHeader: true), "Name | Path | Notes", line: 3, headings: ["Data"],
                  cells: ["Name", "Path", "Notes"]),
            block(.tableRow(isHeader: false), "app | `src/app.ts` | main", line: 5, headings: ["Data"],
                  cells: ["app", "`src/app.ts`", "main"], codeSpans: ["src/app.ts"]),
            block(.tableRow(isHeader: false), "lib | `lib/x|y.ts` | ", line: 6, headings: ["Data"],
                  cells: ["lib", "`lib/x|y.ts`", ""], codeSpans: ["lib/x|y.ts"]),
            block(.tableRow(isHeader: false), "short |  | ", line: 7, headings: ["Data"],
                  cells: ["short", "", ""]),
            block(.paragraph, "After.", line: 9, headings: ["Data"]),
        ])
    }

    @Test("a table right under a paragraph line: both get their real lines (cmark-gfm reports 0 and 1)")
    func tableInterruptingParagraph() {
        let doc = MarkdownDocument.parse(lines(
            "# T",                 // 1
            "Results below",       // 2
            "were measured:",      // 3
            "| a | b |",           // 4
            "|---|---|",
            "| 1 | 2 |",           // 6
            "",
            "> quoted intro",      // 8
            "> | q |",             // 9
            "> |---|",
            "",
            "- item",              // 12
            "  | x |",             // 13
            "  |---|",
        ))
        #expect(doc.blocks == [
            block(.heading(level: 1), "T", line: 1),
            block(.paragraph, "Results below were measured:", line: 2, headings: ["T"]),
            block(.tableRow(isHeader: true), "a | b", line: 4, headings: ["T"], cells: ["a", "b"]),
            block(.tableRow(isHeader: false), "1 | 2", line: 6, headings: ["T"], cells: ["1", "2"]),
            block(.paragraph, "quoted intro", line: 8, headings: ["T"]),
            block(.tableRow(isHeader: true), "q", line: 9, headings: ["T"], cells: ["q"]),
            block(.listItem(checked: nil), "item", line: 12, headings: ["T"], depth: 1),
            block(.tableRow(isHeader: true), "x", line: 13, headings: ["T"], depth: 1, cells: ["x"]),
        ])
    }

    @Test("fenced and indented code blocks: info string and literal; a task line inside stays code")
    func codeBlocks() {
        let doc = MarkdownDocument.parse(lines(
            "Before.",             // 1
            "",
            "```swift title=x",    // 3
            "let x = 1",
            "- [x] not a task",
            "```",
            "",
            "    indented code",   // 8
            "",
            "~~~",                 // 10
            "~~~",
        ))
        #expect(doc.blocks == [
            block(.paragraph, "Before.", line: 1),
            block(.codeBlock(info: "swift title=x"), "let x = 1\n- [x] not a task\n", line: 3),
            block(.codeBlock(info: ""), "indented code\n", line: 8),
            block(.codeBlock(info: ""), "", line: 10),
        ])
        #expect(!doc.blocks.contains { if case .listItem = $0.kind { true } else { false } })
    }

    @Test("block quotes: their paragraphs and items are emitted as usual")
    func blockQuote() {
        let doc = MarkdownDocument.parse(lines(
            "## Notes",            // 1
            "> Quoted *text*",     // 2
            "> more",
            ">",
            "> - quoted item",     // 5
            ">",
            "> > deeper `q`",      // 7
        ))
        #expect(doc.blocks == [
            block(.heading(level: 2), "Notes", line: 1),
            block(.paragraph, "Quoted text more", line: 2, headings: ["Notes"]),
            block(.listItem(checked: nil), "quoted item", line: 5, headings: ["Notes"], depth: 1),
            block(.paragraph, "deeper `q`", line: 7, headings: ["Notes"], codeSpans: ["q"]),
        ])
        // A quote inside a list item is not the item's own text: its paragraph is a block, at the item's depth.
        #expect(MarkdownDocument.parse(lines("- item", "", "  > quoted in item")).blocks == [
            block(.listItem(checked: nil), "item", line: 1, depth: 1),
            block(.paragraph, "quoted in item", line: 3, depth: 1),
        ])
    }

    @Test("every block kind starts on its 1-based source line")
    func lineNumbersForEveryKind() {
        let doc = MarkdownDocument.parse(lines(
            "",                    // 1
            "# Heading",           // 2
            "para",                // 3
            "- item",              // 4
            "",
            "| h |",               // 6
            "|---|",
            "| r |",               // 8
            "```",                 // 9
            "code",
            "```",
            "Setext",              // 12
            "---",
        ))
        #expect(doc.blocks.map(\.line) == [2, 3, 4, 6, 8, 9, 12])
        #expect(doc.blocks.map(\.kind) == [
            .heading(level: 1), .paragraph, .listItem(checked: nil), .tableRow(isHeader: true),
            .tableRow(isHeader: false), .codeBlock(info: ""), .heading(level: 2),
        ])
    }

    @Test("CRLF line endings: same blocks and lines, no carriage returns in any text")
    func crlf() {
        let source = [
            "# Title", "", "Para one", "line two", "", "- [x] done", "- [ ] todo", "", "```", "code", "more", "```",
            "", "| a | b |", "|---|---|", "| 1 | 2 |",
        ].joined(separator: "\r\n") + "\r\n"
        let doc = MarkdownDocument.parse(source)
        #expect(doc.blocks == [
            block(.heading(level: 1), "Title", line: 1),
            block(.paragraph, "Para one line two", line: 3, headings: ["Title"]),
            block(.listItem(checked: true), "done", line: 6, headings: ["Title"], depth: 1),
            block(.listItem(checked: false), "todo", line: 7, headings: ["Title"], depth: 1),
            block(.codeBlock(info: ""), "code\nmore\n", line: 9, headings: ["Title"]),
            block(.tableRow(isHeader: true), "a | b", line: 14, headings: ["Title"], cells: ["a", "b"]),
            block(.tableRow(isHeader: false), "1 | 2", line: 16, headings: ["Title"], cells: ["1", "2"]),
        ])
        #expect(!doc.blocks.contains { $0.text.unicodeScalars.contains("\r") })
        // A lone CR ends a line too.
        #expect(MarkdownDocument.parse("a\rb\r\r- [x] c\r").blocks == [
            block(.paragraph, "a b", line: 1),
            block(.listItem(checked: true), "c", line: 4, depth: 1),
        ])
    }

    @Test("invalid UTF-8 and NUL bytes: no crash, U+FFFD in their place")
    func invalidUTF8() {
        var bytes = Array("# Caf".utf8) + [0xC3] + Array("\n\nHello ".utf8) + [0xFF, 0xFE]
        bytes += Array(" world `x".utf8) + [0x80] + Array("`\n\n- [x] t".utf8) + [0xE2, 0x82]
        bytes += Array("ask\n\nnul".utf8) + [0x00] + Array("here\n".utf8)
        let doc = MarkdownDocument.parse(bytes)
        #expect(doc.blocks == [
            block(.heading(level: 1), "Caf\u{FFFD}", line: 1),
            block(.paragraph, "Hello \u{FFFD}\u{FFFD} world `x\u{FFFD}`", line: 3, headings: ["Caf\u{FFFD}"],
                  codeSpans: ["x\u{FFFD}"]),
            block(.listItem(checked: true), "t\u{FFFD}ask", line: 5, headings: ["Caf\u{FFFD}"], depth: 1),
            block(.paragraph, "nul\u{FFFD}here", line: 7, headings: ["Caf\u{FFFD}"]),
        ])
    }

    @Test("a UTF-8 byte order mark is dropped: a task item on the first line is still one (cmark-gfm misses it)")
    func byteOrderMark() {
        let doc = MarkdownDocument.parse([0xEF, 0xBB, 0xBF] + Array("- [ ] has [x] later\n".utf8))
        #expect(doc.blocks == [block(.listItem(checked: false), "has [x] later", line: 1, depth: 1)])
    }

    @Test("empty and blank documents have no blocks")
    func emptyDocument() {
        #expect(MarkdownDocument.parse("").blocks.isEmpty)
        #expect(MarkdownDocument.parse([UInt8]()).blocks.isEmpty)
        #expect(MarkdownDocument.parse("\n\n   \n\t\n").blocks.isEmpty)
        #expect(MarkdownDocument.parse("---\n\n<!-- only html -->\n").blocks.isEmpty)
    }

    @Test("a checkbox-looking line inside a code span stays a paragraph")
    func checkboxInCodeSpan() {
        let doc = MarkdownDocument.parse("`- [x] foo` is how a done task is written.\n")
        #expect(doc.blocks == [
            block(.paragraph, "`- [x] foo` is how a done task is written.", line: 1, codeSpans: ["- [x] foo"]),
        ])
    }

    @Test("pathological input (deep nesting, long delimiter runs, arbitrary bytes) parses without crashing")
    func pathologicalInput() {
        let deepQuote = String(repeating: ">", count: 20_000) + " deep\n"
        #expect(MarkdownDocument.parse(deepQuote).blocks.map(\.text) == ["deep"])
        let deepList = (0..<2_000).map { String(repeating: "  ", count: $0) + "- x" }.joined(separator: "\n")
        #expect(MarkdownDocument.parse(deepList).blocks.count == 2_000)
        let emphasis = String(repeating: "*a **b ", count: 5_000) + String(repeating: "**", count: 5_000)
        #expect(MarkdownDocument.parse(emphasis).blocks.count == 1)
        _ = MarkdownDocument.parse(String(repeating: "[", count: 10_000) + String(repeating: "](x)", count: 10_000))
        _ = MarkdownDocument.parse(String(repeating: "| a ", count: 2_000) + "\n" + String(repeating: "|---", count: 2_000))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<512 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            _ = MarkdownDocument.parse(bytes)
        }
    }

    @Test("concurrent parses agree with a serial parse (cmark-gfm's special-character table is global)")
    func concurrentParses() {
        let source = lines(
            "# Doc", "", "~~struck~~ and www.example.com and https://a.b/c", "", "| a | ~~b~~ |", "|---|---|",
            "| www.x.org | 2 |", "", "- [x] done ~~not~~",
        )
        let expected = MarkdownDocument.parse(source)
        #expect(expected.blocks.map(\.text) == [
            "Doc", "struck and www.example.com and https://a.b/c", "a | b", "www.x.org | 2", "done not",
        ])
        // Unserialised, a large share of concurrent parses lose strikethrough or autolinks halfway through.
        // Plain threads (more than there are cores) so that parses really overlap.
        let mismatches = MismatchCounter()
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                for _ in 0..<300 where MarkdownDocument.parse(source) != expected { mismatches.increment() }
                done.leave()
            }
        }
        done.wait()
        #expect(mismatches.value == 0)
    }
}

/// A counter the parsing threads share.
private final class MismatchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
