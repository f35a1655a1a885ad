import AssayCore
import Foundation
import MarkdownKit

/// A claim found in a source, or a mention that is not a ship claim (with the reason it abstains).
public struct ExtractedClaim: Hashable, Sendable {
    public var claim: Claim
    /// Why this is not a ship claim (plans, unchecked items, future work); nil for a claim to verify.
    public var abstainReason: String?
    /// For count and test-result claims: the number stated and what it counts.
    public var count: CountClaim? = nil
    /// False for a claim no tree can settle (a ship line that names nothing checkable, a count of
    /// things assay does not count): judging it where it was written would say nothing more.
    public var dependsOnTheTree: Bool {
        if claim.kind == .status && claim.scope.isEmpty { return false }
        if case .other = count?.counted { return false }
        return true
    }

    /// For an absence claim: the subject is a code symbol ("Remove `hello()`"), not a path.
    public var subjectIsSymbol: Bool = false
    /// Paths of the claim written without backticks that are not strong enough to contradict it
    /// when missing (`BarePathExtractor.isStrong`): found, they verify; missing, they leave it unverifiable.
    public var weakPaths: Set<String> = []
}

/// Finds ship-claims about paths in a Markdown document: checked task items, ✅ lines and done table
/// rows (status claims scoped to the paths they name), sentences that say a file was created or
/// deleted (path and absence claims). Plans, next steps, future work, non-goals and unchecked items
/// abstain. Only backticked tokens that read as paths (see `PathSyntax`) are subjects.
public enum DocClaimExtractor {
    /// Section titles whose contents are plans, not ship claims.
    static let planSections = ["next step", "future", "roadmap", "non-goal", "nongoal", "out of scope", "backlog",
                               "todo", "to do", "planned", "ideas", "open question", "later", "upcoming",
                               "wishlist", "proposal"]

    /// A section title that announces plans: one of `planSections`, or a title that starts with "Plan"
    /// ("Plan", "Plan for Q3" — not "Test plan", which describes what was done).
    /// A table row with a done status in some cell ("✅", "Done", "complete", "shipped").
    static func isDoneRow(_ block: MarkdownBlock) -> Bool {
        block.cells.contains { cell in
            let c = cell.lowercased()
            return doneMarkers.contains { c.has($0) } || doneWords.contains { word(word: $0, in: c) }
        }
    }

    static func isPlanSection(_ title: String) -> Bool {
        let t = title.lowercased()
        if doneMarkers.contains(where: { t.has($0) }) { return false }
        if planSections.contains(where: { t.has($0) }) { return true }
        let first = t.split { !$0.isLetter }.first
        return first == "plan" || first == "plans"
    }
    static let doneMarkers = ["✅", "✔", "☑", "✓", "[x]"]
    static let doneWords = ["done", "complete", "completed", "shipped", "implemented", "finished", "merged", "landed"]
    static let shipVerbs = ["created", "added", "implemented", "shipped", "built", "wrote", "written", "introduced",
                            "landed", "completed", "finished", "done", "exists", "lives in", "extracted"]
    /// A commit message (or a pull request's body) says what the change does, in the imperative or
    /// the present ("Add `src/x.rs`", "Adds …"): a claim about its own content, where in a doc it
    /// could be a plan.
    static let commitVerbs = ["add", "adds", "create", "creates", "implement", "implements", "introduce", "introduces"]
    static let deletionWords = ["deleted", "removed", "dropped", "gone", "deleting", "removing", "delete", "remove"]
    static let futureWords = ["will ", "todo", "to do", "planned", "plan to", "should ", "later", "next:", "tbd",
                              "not yet", "pending", "wip", "in progress", "eventually", "would "]

    public static func claims(in document: MarkdownDocument, path: String, commit: String?) -> [ExtractedClaim] {
        claims(in: document, source: ClaimSource(kind: "doc", path: path, commit: commit))
    }

    /// Claims in a commit message (its subject, body and trailers). Messages are written line by
    /// line, so each line is read as its own Markdown block (a list item, a checked item, a sentence).
    public static func claims(inCommitMessage message: String, commit: String) -> [ExtractedClaim] {
        var out: [ExtractedClaim] = []
        for (i, line) in message.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            out += claims(in: MarkdownDocument.parse(text), source: ClaimSource(kind: "commit", line: i + 1, commit: commit))
                .map { var c = $0; c.claim.source.line = i + 1; return c }
        }
        return out
    }

    /// Claims in a document; each claim's source is `source` with the block's line.
    public static func claims(in document: MarkdownDocument, source template: ClaimSource) -> [ExtractedClaim] {
        var out: [ExtractedClaim] = []
        for block in document.blocks {
            let backticked = unique(block.codeSpans.filter(PathSyntax.looksLikePath))
            let bare: [String]
            // A bare name that a backticked path ends with is that path, not another one.
            if case .codeBlock = block.kind { bare = [] } else {
                bare = BarePathExtractor.paths(in: block.text).filter { b in !backticked.contains { $0 == b || $0.hasSuffix("/" + b) } }
            }
            let weak = Set(bare.filter { !BarePathExtractor.isStrong($0) && !backticked.contains($0) })
            let paths = unique(backticked + bare)
            var source = template
            source.line = block.line
            if case .codeBlock(let info) = block.kind {
                out += listingClaims(block, info: info, source: source)
                continue
            }
            for ref in CommitReferenceExtractor.references(in: block.text) {
                if case .codeBlock = block.kind { break }
                out.append(ExtractedClaim(claim: Claim(kind: .commitReference, text: block.text, subject: ref.id,
                                                       scope: ref.description.map { [$0] } ?? [], source: source),
                                          abstainReason: nil))
            }
            // A block that states a count is about that count; its paths are the count's scope.
            let counts = countClaims(block, paths: paths, source: source).map { c -> ExtractedClaim in
                var c = c; c.weakPaths = weak.intersection(c.claim.scope); return c
            }
            out += counts
            // Counts of things assay does not count ("3 handlers") leave the line's other claims standing.
            guard counts.allSatisfy({ if case .other = $0.count?.counted { true } else { false } }) else { continue }
            let symbols = symbolClaims(block, source: source)
            out += symbols
            let lower = block.text.lowercased()
            let inPlan = block.headings.contains(where: isPlanSection)
            guard !paths.isEmpty else {
                // A ship line that names nothing checkable is still a claim: say it cannot be checked.
                if symbols.isEmpty, isShipLine(block, lower: lower, message: template.kind != "doc"), !inPlan {
                    out.append(ExtractedClaim(claim: Claim(kind: .status, text: block.text, subject: block.text, source: source),
                                              abstainReason: nil))
                }
                continue
            }
            // Under "Files Removed" / "Deleted files", every path listed is said to be gone.
            if let heading = block.headings.last?.lowercased(),
               ["removed", "deleted", "dropped", "files removed"].contains(where: { word(word: $0, in: heading) }),
               !inPlan, !isCode(block) {
                for p in paths {
                    out.append(ExtractedClaim(claim: Claim(kind: .absence, text: block.text, subject: p, source: source),
                                              abstainReason: nil, weakPaths: weak.contains(p) ? [p] : []))
                }
                continue
            }
            func abstain(_ reason: String) {
                for p in backticked {
                    out.append(ExtractedClaim(claim: Claim(kind: .path, text: block.text, subject: p, source: source),
                                              abstainReason: reason))
                }
            }
            switch block.kind {
            case .codeBlock:
                continue
            case .listItem(checked: false?):
                abstain("unchecked item")
            case .listItem(checked: true?):
                out += statusClaims(block, paths, source, weak: weak)
            case .tableRow(isHeader: true):
                continue
            case .tableRow(isHeader: false):
                if isDoneRow(block) && !futureWords.contains(where: { lower.has($0) }) {
                    out += statusClaims(block, paths, source, weak: weak)
                } else {
                    abstain("row without a done status")
                }
            case .heading, .paragraph, .listItem(checked: nil):
                if inPlan {
                    abstain("in a plan / future-work section")
                    continue
                }
                if futureWords.contains(where: { lower.has($0) }) {
                    abstain("future or planned work")
                    continue
                }
                if isHypothetical(lower) {
                    abstain("an example or a condition, not a claim")
                    continue
                }
                if doneMarkers.contains(where: { block.text.has($0) }) {
                    out += statusClaims(block, paths, source, weak: weak)
                    continue
                }
                var any = false
                // "- `src/x.ts` - what it does", "**COVERAGE.md** - Coverage analysis": a list of
                // deliverables says each file is there.
                let listed = leadingPath(block, paths: paths)
                for p in paths {
                    if p == listed && !isRemoved(p, in: lower) {
                        out.append(ExtractedClaim(claim: Claim(kind: .path, text: block.text, subject: p, source: source),
                                                  abstainReason: nil, weakPaths: weak.contains(p) ? [p] : []))
                        any = true
                    } else if isRemoved(p, in: lower) {
                        out.append(ExtractedClaim(claim: Claim(kind: .absence, text: block.text, subject: p, source: source),
                                                  abstainReason: nil))
                        any = true
                    } else if shipVerbs.contains(where: { word(word: $0, in: lower) })
                                || ((template.kind == "commit" || template.kind == "pr-body") && commitVerbs.contains(where: { word(word: $0, in: lower) })) {
                        out.append(ExtractedClaim(claim: Claim(kind: .path, text: block.text, subject: p, source: source),
                                                  abstainReason: nil, weakPaths: weak.contains(p) ? [p] : []))
                        any = true
                    }
                }
                if !any { abstain("mentions a path without claiming it shipped") }
            }
        }
        return out
    }

    /// Count and test-result claims of a block: "48 tests passing", "`app.rs` (1,772 lines)".
    static func countClaims(_ block: MarkdownBlock, paths: [String], source: ClaimSource) -> [ExtractedClaim] {
        if case .codeBlock = block.kind { return [] }
        if case .tableRow(isHeader: true) = block.kind { return [] }
        var counts = CountClaimExtractor.counts(in: block.text, paths: paths)
        guard !counts.isEmpty else { return [] }
        // "### activeContext-history-001.md" then "- Row Count: 520": a figure that names no file
        // counts the one its section is titled with, if any, rather than the doc it is written in.
        if paths.isEmpty, let title = block.headings.last,
           let named = (title.split(separator: "`").enumerated().compactMap { $0 % 2 == 1 ? String($1) : nil } + BarePathExtractor.paths(in: title))
            .first(where: { PathSyntax.looksLikePath($0) && !$0.hasSuffix("/") }) {
            counts = counts.map { c in
                guard case .lines(let p) = c.counted, p.isEmpty else { return c }
                var c = c; c.counted = .lines(path: named); return c
            }
        }
        let lower = block.text.lowercased()
        var reason: String?
        if case .listItem(checked: false?) = block.kind { reason = "unchecked item" }
        if block.headings.contains(where: isPlanSection) {
            reason = reason ?? "in a plan / future-work section"
        }
        if futureWords.contains(where: { lower.has($0) }) { reason = reason ?? "future or planned work" }
        return counts.map { count in
            let kind: ClaimKind
            let subject: String
            switch count.counted {
            case .tests(let passing):
                kind = passing ? .testResult : .count
                subject = "\(count.value) tests"
            case .lines(let path):
                kind = .count
                subject = "\(count.value) lines in \(path.isEmpty ? (source.path ?? "this doc") : path)"
            case .files(let directory):
                kind = .count
                subject = "\(count.value) files under \(directory)"
            case .tasks(let total):
                kind = .count
                subject = total.map { "\(count.value)/\($0) tasks" } ?? "\(count.value) tasks"
            case .changedFiles:
                kind = .count
                subject = "\(count.value) files changed"
            case .other(let noun):
                kind = .count
                subject = "\(count.value) \(noun)"
            }
            return ExtractedClaim(claim: Claim(kind: kind, text: block.text, subject: subject, scope: paths, source: source),
                                  abstainReason: reason, count: count)
        }
    }

    /// Symbol claims of a block that says something shipped: "✅ `ContextDoc` - Document store",
    /// "- [x] Implemented `parse_manifest`". Only in ship contexts; elsewhere a symbol is just named.
    static func symbolClaims(_ block: MarkdownBlock, source: ClaimSource) -> [ExtractedClaim] {
        if case .codeBlock = block.kind { return [] }
        let backticked = unique(block.codeSpans.filter { !PathSyntax.looksLikePath($0) && SymbolDefinitions.looksLikeSymbol($0) })
        let bare = BareSymbolExtractor.symbols(in: block.text).filter { !backticked.contains($0) && !PathSyntax.looksLikePath($0) }
        let symbols = backticked + bare
        guard !symbols.isEmpty else { return [] }
        let lower = block.text.lowercased()
        let message = source.kind == "commit" || source.kind == "pr-body"
        let shipped: Bool
        switch block.kind {
        case .listItem(checked: true?): shipped = true
        case .tableRow(isHeader: false):
            shipped = isDoneRow(block)
        case .paragraph, .listItem(checked: nil), .heading:
            shipped = doneMarkers.contains { block.text.has($0) } || shipVerbs.contains { word(word: $0, in: lower) }
                || (message && (commitVerbs + Array(removalVerbs)).contains { word(word: $0, in: lower) })
        default: shipped = false
        }
        let inPlan = block.headings.contains(where: isPlanSection)
        guard shipped, !inPlan, !futureWords.contains(where: { lower.has($0) }) else { return [] }
        return symbols.map { symbol in
            if removedSymbol(symbol, in: lower) {
                var c = ExtractedClaim(claim: Claim(kind: .absence, text: block.text, subject: symbol, source: source), abstainReason: nil)
                c.subjectIsSymbol = true
                return c
            }
            return ExtractedClaim(claim: Claim(kind: .symbol, text: block.text, subject: symbol, source: source), abstainReason: nil)
        }
    }

    /// A removal verb among the four words before the symbol, in its clause: "Remove obsolete
    /// `hello()` placeholder", "removed the FireVector wrapper".
    static func removedSymbol(_ symbol: String, in lowerText: String) -> Bool {
        guard let r = lowerText.range(of: "`" + symbol.lowercased() + "`") ?? lowerText.range(of: symbol.lowercased()) else { return false }
        var head = String(lowerText[..<r.lowerBound])
        for separator in [". ", "; ", " - ", " and ", ", "] {
            if let cut = head.range(of: separator, options: .backwards) { head = String(head[cut.upperBound...]) }
        }
        let words = head.split { !$0.isLetter }.suffix(4).map(String.init)
        if words.contains(where: removalVerbs.contains) { return true }
        let after = lowerText[r.upperBound...].split { !$0.isLetter }.prefix(3).map(String.init)
        return after.contains { ["removed", "deleted", "dropped", "gone"].contains($0) }
    }

    /// A code block that lists files, one a line, as a tree (`├── a.test.ts  # 262→87 lines`) or a
    /// plain list: each entry's line count, and under a "Files Removed" heading, that it is gone.
    static func listingClaims(_ block: MarkdownBlock, info: String, source: ClaimSource) -> [ExtractedClaim] {
        guard ["", "text", "txt", "plaintext", "tree", "console"].contains(info.lowercased()),
              !block.headings.contains(where: isPlanSection) else { return [] }
        let removedSection = block.headings.last.map { h in
            ["removed", "deleted", "dropped"].contains { word(word: $0, in: h.lowercased()) }
        } ?? false
        var out: [ExtractedClaim] = []
        for (i, raw) in block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = raw.drop { " \t│├└─|`-*".contains($0) }
            guard let first = entry.split(separator: " ").first.map(String.init),
                  PathSyntax.looksLikePath(first), first.contains(".") || first.hasSuffix("/") else { continue }
            var lineSource = source
            lineSource.line = block.line + i + 1  // the fence is the block's first line
            let weak: Set<String> = BarePathExtractor.isStrong(first) ? [] : [first]
            let text = String(entry)
            if removedSection {
                out.append(ExtractedClaim(claim: Claim(kind: .absence, text: text, subject: first, source: lineSource),
                                          abstainReason: nil, weakPaths: weak))
                continue
            }
            for count in CountClaimExtractor.counts(in: text, paths: [first]) {
                guard case .lines(let path) = count.counted else { continue }
                out.append(ExtractedClaim(claim: Claim(kind: .count, text: text, subject: "\(count.value) lines in \(path)",
                                                       scope: [first], source: lineSource),
                                          abstainReason: nil, count: count, weakPaths: weak))
            }
        }
        return out
    }

    /// Verbs a commit message's list item starts with when it says what the change does.
    static let imperativeVerbs = ["update", "updates", "fix", "fixes", "refactor", "rewrite", "extract", "split", "make", "move",
                                  "test", "verify", "ensure", "handle", "support", "use", "register", "integrate", "optimize",
                                  "improve", "document", "configure", "enable", "disable", "rename", "replace", "restore",
                                  "revert", "bump", "upgrade", "migrate", "convert", "wire", "expose", "export", "build", "write"]

    /// Examples and conditions: "Let's say you …", "the file we have written named `x.txt`",
    /// "available if CURL was built and installed", "`Makefile` … needs to be added".
    static let hypotheticalMarkers = ["let's say", "let us say", "suppose", "imagine", "for example", "for instance",
                                      "we want to", "you want to", "needs to", "need to", "has to", "must be", "you can",
                                      "you may", "you might"]

    static func isHypothetical(_ lower: String) -> Bool {
        if hypotheticalMarkers.contains(where: { lower.has($0) }) { return true }
        // A ship verb inside an "if …" clause describes a condition, not what happened.
        guard let cond = lower.range(of: " if ") ?? lower.range(of: " when ") ?? lower.range(of: " once ") else { return false }
        let after = String(lower[cond.upperBound...])
        let before = String(lower[..<cond.lowerBound])
        return shipVerbs.contains { word(word: $0, in: after) } && !shipVerbs.contains { word(word: $0, in: before) }
    }

    static func isCode(_ block: MarkdownBlock) -> Bool {
        if case .codeBlock = block.kind { return true }
        return false
    }

    /// A line that says something shipped: a checked item, a done row, a ✅ line; in a commit message
    /// or PR body also a list item that starts with a verb of change ("- Add …", "- Remove …").
    static func isShipLine(_ block: MarkdownBlock, lower: String, message: Bool) -> Bool {
        if futureWords.contains(where: { lower.has($0) }) { return false }
        switch block.kind {
        case .listItem(checked: true?): return true
        case .tableRow(isHeader: false): return isDoneRow(block)
        case .paragraph, .listItem(checked: nil):
            if doneMarkers.contains(where: { block.text.has($0) }) { return true }
            guard message, case .listItem = block.kind, let first = lower.split(whereSeparator: { !$0.isLetter }).first else { return false }
            return (commitVerbs + imperativeVerbs + shipVerbs + Array(removalVerbs)).contains(String(first))
        default: return false
        }
    }

    /// The path a list item starts with, before a dash or colon: "`src/x.ts` - loader",
    /// "COVERAGE.md - analysis", "`a.rs`: parser".
    static func leadingPath(_ block: MarkdownBlock, paths: [String]) -> String? {
        guard case .listItem(checked: nil) = block.kind else { return nil }
        let text = block.text.trimmingCharacters(in: CharacterSet(charactersIn: " *_"))
        for p in paths {
            for written in ["`" + p + "`", p] where text.hasPrefix(written) {
                let rest = text.dropFirst(written.count).drop { $0 == "*" || $0 == "_" || $0 == " " }
                if rest.hasPrefix("- ") || rest.hasPrefix("— ") || rest.hasPrefix("– ") || rest.hasPrefix(":") { return p }
            }
        }
        return nil
    }

    /// A done item's claim: the paths it says were removed or moved away become absence claims;
    /// the rest are the scope of one status claim ("- [x] Remove `a.ts`" is not a claim that a.ts exists).
    static func statusClaims(_ block: MarkdownBlock, _ paths: [String], _ source: ClaimSource,
                             weak: Set<String> = []) -> [ExtractedClaim] {
        let lower = block.text.lowercased()
        let removed = paths.filter { isRemoved($0, in: lower) }
        let kept = paths.filter { !removed.contains($0) }
        var out = removed.map {
            ExtractedClaim(claim: Claim(kind: .absence, text: block.text, subject: $0, source: source), abstainReason: nil,
                           weakPaths: weak.contains($0) ? [$0] : [])
        }
        if !kept.isEmpty {
            out.append(ExtractedClaim(claim: Claim(kind: .status, text: block.text, subject: block.text, scope: kept, source: source),
                                      abstainReason: nil, weakPaths: weak.intersection(kept)))
        }
        return out
    }

    static let removalVerbs: Set<String> = ["delete", "deleted", "deletes", "deleting", "remove", "removed", "removes",
                                            "removing", "drop", "dropped", "drops", "dropping", "move", "moved", "moves",
                                            "moving", "rename", "renamed", "renames", "renaming", "retire", "retired"]

    /// True when the sentence says the path itself went away: a removal verb right before it
    /// ("removed `a.ts`"), or right after it, possibly after "was/is/has been" ("`a.ts` deleted",
    /// "`a.ts` was removed"). Not when something is removed *from* or *in* it ("`app.ts`: remove
    /// unused import", "removed `x` from `src/`" for `src/`).
    static func isRemoved(_ token: String, in lowerText: String) -> Bool {
        guard let r = lowerText.range(of: "`" + token.lowercased() + "`") ?? lowerText.range(of: token.lowercased()) else { return false }
        let tail = lowerText[r.upperBound...]
        if tail.first == ":" { return false }
        let before = lowerText[..<r.lowerBound].split { !$0.isLetter }.last.map(String.init) ?? ""
        var after = tail.split { !$0.isLetter }.prefix(4).map(String.init)
        while let first = after.first, ["was", "is", "has", "have", "been", "got", "now", "and", "stays", "remains", "stay", "remain"].contains(first) { after.removeFirst() }
        if removalVerbs.contains(before) { return true }
        if after.first.map({ removalVerbs.contains($0) || $0 == "gone" || $0 == "untracked" }) ?? false { return true }
        // "Remove core generator files (a.ts, b.ts)": the verb opens the clause, and no "from", "in",
        // "to" or "of" stands between it and the path (in "removed x from `a.ts`", a.ts is kept).
        var head = String(lowerText[..<r.lowerBound])
        for separator in [". ", "; ", " - ", "\n"] {
            if let cut = head.range(of: separator, options: .backwards) { head = String(head[cut.upperBound...]) }
        }
        let words = head.split { !$0.isLetter }.map(String.init)
        guard let verb = words.lastIndex(where: removalVerbs.contains), words.count - verb <= 9 else { return false }
        return !words[(verb + 1)...].contains { ["from", "in", "into", "to", "of", "with", "inside", "within"].contains($0) }
    }

    /// `word` (one word, or a phrase of words separated by single spaces) appears in `text` as whole words.
    static func word(word: String, in text: String) -> Bool {
        let words = text.split { !$0.isLetter }
        let wanted = word.split(separator: " ")
        guard !wanted.isEmpty, words.count >= wanted.count else { return false }
        for start in 0...(words.count - wanted.count) where words[start] == wanted[0] {
            if wanted.count == 1 || zip(words[start...], wanted).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
