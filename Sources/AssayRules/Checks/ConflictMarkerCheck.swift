import AssayCore

/// Finds merge-conflict markers a change adds, in any text file.
///
/// A line that starts with exactly seven `<`, `>` or `|` followed by a space (or nothing) is a marker.
/// The separator `=======` (possibly followed by whitespace), and a bare `|||||||`, are markers only
/// when the file also holds a `<<<<<<<` or `>>>>>>>` marker line, so a Markdown setext underline, a
/// reStructuredText rule or an empty table row does not fire.
public struct ConflictMarkerCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "conflict-marker",
        name: "Merge-conflict markers",
        summary: "Finds merge-conflict markers (<<<<<<<, =======, |||||||, >>>>>>>) added to a file.",
        rationale: "A committed conflict marker is a merge resolved by accident: the file no longer builds, "
            + "or, in data and docs, silently carries both sides. Resolve the conflict and remove every marker.",
        defaultSeverity: .block,
        triggering: [
            RuleExample("src/config.rs", """
            fn limit() -> usize {
            ↓<<<<<<< HEAD
                100
            ↓=======
                250
            ↓>>>>>>> feature/limits
            }
            """),
            RuleExample("app/settings.py", """
            ↓<<<<<<< ours
            TIMEOUT = 30
            ↓||||||| base
            TIMEOUT = 10
            ↓=======\u{20}\u{20}
            TIMEOUT = 60
            ↓>>>>>>> theirs
            """),
            RuleExample("README.md", """
            Title
            =====
            ↓<<<<<<<
            old intro
            ↓=======
            new intro
            ↓>>>>>>>
            """),
            RuleExample("package.json", """
            {
            ↓>>>>>>> 3f2a9c1 (Bump deps)
              "name": "app"
            }
            """),
        ],
        nonTriggering: [
            RuleExample("README.md", """
            Installation
            =======
            Run `make`.
            """),
            RuleExample("docs/index.rst", """
            =======
            Project
            =======

            Intro.
            """),
            RuleExample("docs/table.md", """
            | a | b | c | d | e | f |
            |||||||
            """),
            RuleExample("src/shift.rs", """
            let mask = x <<<<<<<< 2; // not a marker: eight, and not at the line start
            // <<<<<<< HEAD in a comment is not at the line start
                >>>>>>> indented
            <<<<<<<< eight
            """),
            RuleExample("notes.txt", """
            ========
            =======x
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        var findings: [CheckFinding] = []
        var fileHasSideMarker: Bool?  // computed once, only when a separator is added
        for added in file.addedLines {
            guard let first = added.text.utf8.first,
                  first == 0x3C || first == 0x3E || first == Byte.pipe || first == Byte.eq else { continue }
            guard let marker = Self.marker(added.text) else { continue }
            if marker.needsSideMarker {
                if fileHasSideMarker == nil {
                    fileHasSideMarker = CheckText.contentLines(of: file).contains { line in
                        guard let c = line.utf8.first, c == 0x3C || c == 0x3E else { return false }
                        return Self.marker(line) != nil
                    }
                }
                guard fileHasSideMarker == true else { continue }
            }
            let trimmed = Byte.trimmed(added.text)
            findings.append(CheckFinding(line: added.number, message: "merge-conflict marker `\(marker.text)` added",
                                         evidence: [trimmed], fingerprintText: trimmed))
        }
        return findings
    }

    /// A conflict marker line: its seven characters, and whether it counts only next to a `<<<<<<<`
    /// or `>>>>>>>` line (the separators, which ordinary text also draws).
    struct Marker {
        var text: String
        var needsSideMarker: Bool
    }

    /// The marker `line` is, or nil.
    static func marker(_ line: String) -> Marker? {
        let b = Array(line.utf8.prefix(9))
        guard b.count >= 7, let first = b.first,
              first == 0x3C || first == 0x3E || first == Byte.pipe || first == Byte.eq,
              b[0..<7].allSatisfy({ $0 == first }) else { return nil }
        let text = String(repeating: Character(Unicode.Scalar(first)), count: 7)
        let next: UInt8 = b.count > 7 ? b[7] : 0
        let bare = next == 0 || ((next == Byte.sp || next == Byte.tab || next == Byte.cr)
                                 && line.utf8.dropFirst(7).allSatisfy { $0 == Byte.sp || $0 == Byte.tab || $0 == Byte.cr })
        switch first {
        case Byte.eq:
            return bare ? Marker(text: text, needsSideMarker: true) : nil
        case Byte.pipe:
            if bare { return Marker(text: text, needsSideMarker: true) }
            return next == Byte.sp || next == Byte.tab ? Marker(text: text, needsSideMarker: false) : nil
        default:  // `<` or `>`
            return next == 0 || next == Byte.sp || next == Byte.tab || next == Byte.cr
                ? Marker(text: text, needsSideMarker: false) : nil
        }
    }
}
