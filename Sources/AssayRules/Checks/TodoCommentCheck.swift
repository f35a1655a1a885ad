import AssayCore

/// Finds `TODO`, `FIXME` and `XXX` notes a change adds, in any text file (code, Markdown, YAML).
///
/// The word must be uppercase and whole: `TODO:`, `TODO(ana)` and `FIXME -` count; `TODOS`,
/// `todo_list`, `XXXL`, `mytodo`, a member such as `Status.TODO`, a file name such as `TODO.md`, a
/// hyphenated token such as `XXX-XXX-XXXX`, and a word that is the whole of a quoted string (`"TODO"`,
/// `'FIXME'`, `` `XXX` ``: a value, a stub's bare message, or a mention in prose) do not.
/// The rule reads lines only, so a note in a comment, a string or prose counts alike; a line that
/// also holds a stub marker is a finding here too when its note says more than the bare word
/// (`todo!("TODO: parse")` is both; `panic("TODO")` is only a stub marker).
public struct TodoCommentCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "todo-added",
        name: "TODO notes",
        summary: "Finds TODO, FIXME and XXX notes added as whole uppercase words, in any text file.",
        rationale: "A note added in a change is work the change admits it did not do. It is fine while a "
            + "branch is in progress, but merged notes pile up and nobody owns them. Do the work, or turn the "
            + "note into a tracked issue and reference it.",
        defaultSeverity: .warn,
        triggering: [
            RuleExample("src/cache.rs", """
            fn evict(&mut self) {
            ↓    // TODO: evict by size, not by count
                self.entries.pop_front();
            }
            """),
            RuleExample("Sources/App/Login.swift", """
            ↓/// FIXME - the token is never refreshed
            func login() {}
            ↓let retries = 3 // XXX guessed
            """),
            RuleExample("app/views.py", """
            ↓# TODO(ana): paginate
            def index(request):
            ↓    return render(request, "index.html")  # FIXME: N+1 query
            """),
            RuleExample("docs/plan.md", """
            # Plan

            ↓- TODO write the migration guide
            - done: the parser
            """),
            RuleExample("config/deploy.yml", """
            replicas: 2
            ↓# XXX: raise once the cache is warm
            image: app:latest
            """),
            RuleExample("src/lib.rs", """
            ↓fn parse() -> Ast { todo!("TODO: the grammar") }
            """),
            RuleExample("web/app.ts", """
            ↓const label = "TODO: translate"; /* shown until loaded */
            ↓/*TODO*/ render();
            ↓throw new Error("FIXME wire the API")
            """),
        ],
        nonTriggering: [
            RuleExample("src/todo.rs", """
            fn todo_list() -> Vec<Todo> { Vec::new() }
            fn mytodo() {}
            let TODOS = load();
            """),
            RuleExample("web/shop.ts", """
            const sizes = ["S", "M", "L", "XL", "XXL", "XXXL"];
            const phone = "XXX-XXX-XXXX";
            const photodocs = [];
            """),
            RuleExample("docs/guide.md", """
            Write `TODO` or `FIXME` in a comment and assay reports it; a 'XXX' in prose is a mention.
            Our todo list lives in the tracker; fixme notes are not allowed.
            """),
            RuleExample("src/board.go", """
            \tif task.Status == "TODO" {
            \t\tpanic("TODO")
            \t}
            """),
            RuleExample("Sources/App/Board.swift", """
            enum Status { case todo, doing, done }
            let column = Status.TODO_COLUMN
            let state = board.TODO
            """),
            RuleExample("app/models.py", """
            # Todo: lowercase and capitalized notes are not the convention this rule enforces
            STATUS_TODO = "todo"
            def fixme_later(): pass
            """),
            RuleExample("README.md", """
            Install
            =======
            Run TODOs.sh to list the open work; see TODO-123 in the tracker and TODO.md for the plan.
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        var findings: [CheckFinding] = []
        for added in file.addedLines {
            var line = added.text
            let word = line.withUTF8 { Self.note(in: $0) }
            guard let word else { continue }
            let trimmed = Byte.trimmed(added.text)
            findings.append(CheckFinding(line: added.number, message: "`\(word)` added", evidence: [trimmed],
                                         fingerprintText: trimmed))
        }
        return findings
    }

    /// The first note word in a line's bytes (`TODO`, `FIXME`, `XXX`), or nil.
    static func note(in b: UnsafeBufferPointer<UInt8>) -> String? {
        let n = b.count
        guard n >= 3 else { return nil }
        @inline(__always) func at(_ k: Int) -> UInt8 { k >= 0 && k < n ? b[k] : 0 }
        var i = 0
        while i <= n - 3 {
            let c = b[i]
            // Only `T`, `F` and `X` can start a note: one compare rejects almost every byte.
            guard c == 0x54 || c == 0x46 || c == 0x58 else { i += 1; continue }
            let word: String
            let length: Int
            if c == 0x54, at(i + 1) == 0x4F, at(i + 2) == 0x44, at(i + 3) == 0x4F {
                word = "TODO"; length = 4
            } else if c == 0x46, at(i + 1) == 0x49, at(i + 2) == 0x58, at(i + 3) == 0x4D, at(i + 4) == 0x45 {
                word = "FIXME"; length = 5
            } else if c == 0x58, at(i + 1) == 0x58, at(i + 2) == 0x58 {
                word = "XXX"; length = 3
            } else {
                i += 1
                continue
            }
            let before = at(i - 1), after = at(i + length)
            if isNote(before: before, beforeThat: at(i - 2), after: after, afterThat: at(i + length + 1)) { return word }
            i += length
        }
        return nil
    }

    /// True when the bytes around a note word leave it a note: whole word, not a member, not part of
    /// a hyphenated token, not a backticked mention.
    private static func isNote(before: UInt8, beforeThat: UInt8, after: UInt8, afterThat: UInt8) -> Bool {
        if Byte.isIdent(before) || Byte.isIdent(after) { return false }
        if before == Byte.dot && Byte.isIdent(beforeThat) { return false }  // Status.TODO
        if after == Byte.dot && Byte.isLetter(afterThat) { return false }  // TODO.md, a file name
        if after == Byte.minus && (Byte.isLetter(afterThat) || Byte.isDigit(afterThat)) { return false }  // XXX-XXX
        if before == Byte.minus && (Byte.isLetter(beforeThat) || Byte.isDigit(beforeThat)) { return false }
        // The whole of a quoted string: a value (`status == "TODO"`), a stub's message (`panic("TODO")`, the
        // stub-marker rule's), or a mention in prose (`` `TODO` ``), not a note.
        if before == after && (before == Byte.dq || before == Byte.sq || before == Byte.bt) { return false }
        return true
    }
}
