import AssayCore

/// Finds stub markers a change adds to code: the calls and returns that stand in for work not done yet
/// (`todo!()`, `fatalError("TODO")`, `raise NotImplementedError`, `return Err("not implemented")`, …).
///
/// Markers count only in the language that has them (`todo!()` in Rust, `fatalError` in Swift, …) and
/// only in code: the marker's keyword must survive blanking of comments and strings, so a marker
/// quoted in a comment, a docstring or a string literal does not fire. A Python `raise
/// NotImplementedError` is the normal body of an abstract method, so under `@abstractmethod` (or
/// when its message says subclasses must override) it is not a stub.
public struct StubMarkerCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "stub-marker",
        name: "Stub markers",
        summary: "Finds stub markers added to code: todo!(), unimplemented!(), fatalError(\"TODO\"), "
            + "raise NotImplementedError, throw new Error(\"not implemented\"), panic(\"TODO\") and "
            + "\"not implemented\" returns.",
        rationale: "A stub compiles and often passes review because the surrounding change looks complete, "
            + "then fails at run time on the first real call. Agents leave stubs when they run out of context "
            + "or defer a hard part. Implement the code path before merging, or, if the skeleton is deliberate, "
            + "say so in the change's docs or suppress the finding with a reason.",
        defaultSeverity: .block,
        triggering: [
            RuleExample("src/parser.rs", """
            pub fn parse(input: &str) -> Result<Ast, Error> {
            ↓    todo!()
            }
            """),
            RuleExample("src/lib.rs", """
            fn render(&self) -> String {
            ↓    let body = unimplemented!("render the body");
                body
            }
            ↓fn name(&self) -> &str { std::todo!() }
            """),
            RuleExample("Sources/App/Sync.swift", """
            func sync() async throws -> Int {
            ↓    fatalError("TODO: call the server")
            }
            func merge() {
            ↓    fatalError("Not implemented yet")
            }
            """),
            RuleExample("app/store.py", """
            class Store:
                def save(self, item):
            ↓        raise NotImplementedError
            """),
            RuleExample("src/api.ts", """
            export function fetchUser(id: string): Promise<User> {
            ↓  throw new Error('Not implemented');
            }
            export const remove = () => {
            ↓  throw new Error(`TODO: remove`) // later
            }
            """),
            RuleExample("internal/store/store.go", """
            func (s *Store) Delete(id string) error {
            ↓\tpanic("TODO")
            }

            func (s *Store) Compact() error {
            ↓\treturn errors.New("not implemented")
            }
            """),
            RuleExample("src/client.rs", """
            fn connect(&self) -> Result<Conn, String> {
            ↓    return Err("not implemented".into());
            }
            """),
            RuleExample("web/format.js", """
            function formatDate(d) {
            ↓  return "not implemented yet";
            }
            """),
        ],
        nonTriggering: [
            RuleExample("src/parser.rs", """
            // todo!() once the grammar settles
            /* unimplemented!() */
            /// Panics like `todo!()` when the input is empty.
            fn parse() {}
            """),
            RuleExample("src/messages.rs", """
            const HELP: &str = "write todo!() where the body goes";
            fn todo_list() -> Vec<String> { Vec::new() }
            fn mytodo() {}
            """),
            RuleExample("Sources/App/Main.swift", """
            fatalError("Unreachable: the table has every case")
            let hint = "fatalError(\\"TODO\\") marks a stub"
            fatalError("Todos list is corrupt")
            """),
            RuleExample("app/shapes.py", """
            from abc import ABC, abstractmethod

            class Shape(ABC):
                @abstractmethod
                def area(self) -> float:
                    raise NotImplementedError

                @property
                @abc.abstractmethod
                def name(self):
                    \"\"\"Subclasses name the shape.\"\"\"
                    raise NotImplementedError()

            class Base:
                def run(self):
                    raise NotImplementedError("subclasses must override run()")

                def __eq__(self, other):
                    return NotImplemented
            """),
            RuleExample("app/docs.py", """
            # raise NotImplementedError
            HELP = "raise NotImplementedError in a stub"
            \"\"\"
            raise NotImplementedError
            \"\"\"
            """),
            RuleExample("src/api.ts", """
            throw new Error("User not found");
            // throw new Error("not implemented")
            const message = 'throw new Error("not implemented")';
            throw new Error(`Unsupported: ${kind}`);
            """),
            RuleExample("main.go", """
            \tpanic("unreachable: every kind is handled")
            \t// panic("TODO")
            \treturn fmt.Errorf("%s: not implemented by the server", name)
            \treturn kind == "unimplemented"
            \treturn strings.Contains(s, "todo!") || strings.Contains(s, "unimplemented!")
            """),
            RuleExample("README.md", """
            Stubs look like `todo!()` or `raise NotImplementedError`.

                return "not implemented"
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        guard let language = SymbolDefinitions.language(forPath: file.path), !file.addedLines.isEmpty else { return [] }
        let candidates = file.addedLines.filter { Self.mayHoldMarker($0.text, language) }
        guard !candidates.isEmpty else { return [] }
        let text = CheckText(file, blanking: language)
        var findings: [CheckFinding] = []
        for added in candidates where added.number >= 1 && added.number <= text.lineCount {
            if Byte.isCommentOnly(added.text, hashComments: language == .python) { continue }
            guard let marker = Self.marker(onLine: added.number, in: text, language) else { continue }
            if language == .python, marker.hasPrefix("raise"), Self.isDeliberate(line: added.number, in: text) { continue }
            let trimmed = Byte.trimmed(added.text)
            findings.append(CheckFinding(line: added.number, message: "stub marker `\(marker)` added",
                                         evidence: [trimmed], fingerprintText: trimmed))
        }
        return findings
    }

    /// The cheap test run on every added line before any parsing: the line holds a marker's keyword.
    static func mayHoldMarker(_ line: String, _ language: SourceLanguage) -> Bool {
        // Returns and most messages: `not implemented`, `Unimplemented`, `NOT IMPLEMENTED`.
        if Byte.contains(line, "mplemented") || Byte.contains(line, "MPLEMENTED") { return true }
        switch language {
        case .rust: return Byte.contains(line, "todo!") || Byte.contains(line, "unimplemented!")
        case .swift: return Byte.contains(line, "fatalError") || Byte.contains(line, "preconditionFailure")
        case .python: return Byte.contains(line, "NotImplemented")
        case .typescript, .javascript: return Byte.contains(line, "throw")
        case .go: return Byte.contains(line, "panic")
        }
    }

    /// Message openings that mark a stub (lowercase; each must end at a word boundary).
    private static let stubMessages: [StaticString] = ["todo", "fixme", "not implemented", "not yet implemented",
                                                       "unimplemented", "method not implemented",
                                                       "function not implemented"]
    /// Message openings that mark a stub in a `return` (no `todo`: `return "TODO"` is often a status value).
    private static let returnMessages: [StaticString] = ["not implemented", "not yet implemented", "unimplemented"]

    /// The marker on line `n`, as it is shown in the finding's message, or nil.
    static func marker(onLine n: Int, in text: CheckText, _ language: SourceLanguage) -> String? {
        let range = text.range(ofLine: n)
        return text.firstMatch(identifiersOnLine: n) { k, end -> String? in
            if text.isWord(k, "return"), let message = stringMessage(in: text, from: end, to: range.upperBound,
                                                                      openings: returnMessages) {
                return "return \"\(message)\""
            }
            switch language {
            case .rust:
                for name: StaticString in ["todo", "unimplemented"] where text.isWord(k, name) {
                    let bang = text.skipBlank(end)
                    guard text[code: bang] == Byte.bang else { continue }
                    let open = text[code: text.skipBlank(bang + 1)]
                    if open == Byte.lp || open == Byte.lb || open == Byte.lc { return "\(name)!()" }
                }
            case .swift:
                for name: StaticString in ["fatalError", "preconditionFailure"] where text.isWord(k, name) {
                    if let message = callMessage(in: text, after: end, limit: range.upperBound) {
                        return "\(name)(\"\(message)\")"
                    }
                }
            case .python:
                guard text.isWord(k, "raise") else { break }
                let e = text.skipBlank(end)
                for name: StaticString in ["NotImplementedError", "NotImplemented"] where text.isWord(e, name) {
                    return "raise \(name)"
                }
            case .typescript, .javascript:
                guard text.isWord(k, "throw") else { break }
                var e = text.skipBlank(end)
                let newKeyword = text.isWord(e, "new") ? "new " : ""
                if !newKeyword.isEmpty { e = text.skipBlank(e + 3) }
                let nameEnd = text.identEnd(e)
                let name = text.codeText(e, nameEnd)
                guard name.hasSuffix("Error") || name.hasSuffix("Exception") else { break }
                if name.hasPrefix("NotImplemented") { return "throw \(newKeyword)\(name)()" }
                if let message = callMessage(in: text, after: nameEnd, limit: range.upperBound) {
                    return "throw \(newKeyword)\(name)(\"\(message)\")"
                }
            case .go:
                if text.isWord(k, "panic"), let message = callMessage(in: text, after: end, limit: range.upperBound) {
                    return "panic(\"\(message)\")"
                }
            }
            return nil
        }
    }

    /// For a call whose callee ends at `after`: the stub opening of its first argument when that is a
    /// string literal (`("TODO: …"`), in its original case, or nil.
    private static func callMessage(in text: CheckText, after: Int, limit: Int) -> String? {
        let open = text.skipBlank(after)
        guard text[code: open] == Byte.lp else { return nil }
        var q = open + 1  // the argument is blanked in the code: read the original
        while q < limit && (text.bytes[q] == Byte.sp || text.bytes[q] == Byte.tab) { q += 1 }
        guard q < limit else { return nil }
        while text[text: q] == Byte.hash { q += 1 }  // Swift raw strings: #"…"#
        let quote = text[text: q]
        guard quote == Byte.dq || quote == Byte.sq || quote == Byte.bt else { return nil }
        return opening(in: text, at: q + 1, openings: stubMessages)
    }

    /// The stub opening of the first string literal between `from` and `to` when it is what the
    /// `return` gives back, directly or as a constructor's argument (`return "…"`, `return Err("…")`,
    /// `return nil, errors.New("…")`), or nil. Only names, `.`, `::`, `(`, `,` and `!` may come before it,
    /// so `return kind == "unimplemented"` or `return contains(x, "todo!") || …` is not a stub.
    private static func stringMessage(in text: CheckText, from: Int, to: Int, openings: [StaticString]) -> String? {
        var k = from
        while k < to {
            let c = text.bytes[k]
            // A string literal starts where the original has a quote and the blanked code does not.
            if (c == Byte.dq || c == Byte.sq || c == Byte.bt) && text.code[k] != c {
                return opening(in: text, at: k + 1, openings: openings)
            }
            guard Byte.isIdent(c) || Byte.isSpace(c) || c == Byte.dot || c == Byte.colon || c == Byte.lp
                    || c == Byte.comma || c == Byte.bang else { return nil }  // `!`: Rust's `anyhow!(…)`
            k += 1
        }
        return nil
    }

    /// The first of `openings` at `k` (ignoring case), as written in the original text.
    private static func opening(in text: CheckText, at k: Int, openings: [StaticString]) -> String? {
        for candidate in openings where Byte.startsWord(text.bytes, at: k, candidate) {
            let n = candidate.utf8CodeUnitCount
            return String(decoding: text.bytes[k..<(k + n)], as: UTF8.self)
        }
        return nil
    }

    /// True when the Python `raise` on line `n` is an abstract method's body (the enclosing `def` is
    /// decorated with `@abstractmethod`, `@abc.abstractmethod`, `@abstractproperty`, …) or its message
    /// says subclasses must implement or override it: an interface, not a stub.
    static func isDeliberate(line n: Int, in text: CheckText) -> Bool {
        let rest = text.range(ofLine: n)
        let line = String(decoding: text.bytes[rest], as: UTF8.self)
        if Byte.containsIgnoringCase(line, "subclass") || Byte.containsIgnoringCase(line, "override") { return true }
        guard var limit = text.codeIndent(line: n), limit > 0 else { return false }  // module level: no def
        var k = n - 1
        while k >= 1 {
            defer { k -= 1 }
            guard let indent = text.codeIndent(line: k), indent < limit, let first = text.firstCode(line: k) else { continue }
            let c = text.code[first]
            if c == Byte.rp || c == Byte.rb { continue }  // the end of a signature split over lines
            var d = first
            if text.isWord(d, "async") { d = text.skipBlank(d + 5) }
            if text.isWord(d, "def") { return isAbstract(defLine: k, indent: indent, in: text) }
            if text.isWord(first, "class") { return false }
            limit = indent
        }
        return false
    }

    /// True when a decorator just above the `def` on line `defLine` names an abstract method.
    private static func isAbstract(defLine: Int, indent: Int, in text: CheckText) -> Bool {
        var k = defLine - 1
        while k >= 1 {
            defer { k -= 1 }
            guard let lineIndent = text.codeIndent(line: k), let first = text.firstCode(line: k) else { continue }
            if lineIndent > indent || text.code[first] == Byte.rp { continue }  // a decorator's arguments
            guard lineIndent == indent, text.code[first] == Byte.at else { return false }
            var e = first + 1
            while e < text.code.count && (Byte.isIdent(text.code[e]) || text.code[e] == Byte.dot) { e += 1 }
            let name = text.codeText(first + 1, e)
            let last = name.split(separator: ".").last.map(String.init) ?? name
            if last.hasPrefix("abstract") { return true }
        }
        return false
    }
}
