import AssayCore

/// Finds a binary file a change adds or changes whose new content is larger than the policy's
/// `large-binary` limit (`CheckSettings.largeBinaryBytes`, 1 MiB by default), and a text file
/// larger than the text limit (`CheckSettings.largeTextBytes`, 10 MiB by default): such a file is
/// not read line by line (no other check sees it), so the audit's memory stays bounded, and the
/// finding says so.
///
/// The finding is about the whole file (line 0); its fingerprint text is the blob id (the size when
/// the id is unknown), so a baselined file stays baselined until its content changes.
public struct LargeBinaryCheck: Check {
    public init() {}

    public static let description = RuleDescription(
        id: "large-binary",
        name: "Large binary files",
        summary: "Finds binary files added or changed whose size exceeds the configured limit (1 MiB by default), "
            + "and text files over the text limit (10 MiB by default), which are not checked line by line.",
        rationale: "Git keeps every version of a binary forever: each one makes every clone and fetch slower, "
            + "and binaries cannot be reviewed or diffed. Keep large assets in Git LFS or an artifact store, "
            + "or raise the limit in the policy when the file belongs in the repository. A text file that large "
            + "(a dump, generated data) is as costly, and no other rule reads it: assay does not scan it for stubs "
            + "or notes.",
        defaultSeverity: .warn,
        triggering: [
            RuleExample("assets/intro.mp4", "", file: ChangedFile(
                path: "assets/intro.mp4", addedLines: [], lines: [], isBinary: true, size: 3_355_443, isNew: true,
                blobID: "5b1e7c0f2a9d4e8b6c3a1f0e9d8c7b6a5f4e3d2c")),
            RuleExample("vendor/libfoo.a", "", file: ChangedFile(
                path: "vendor/libfoo.a", addedLines: [], lines: [], isBinary: true, size: 1_048_577, isNew: false,
                blobID: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")),
            RuleExample("models/weights.bin", "", file: ChangedFile(
                path: "models/weights.bin", addedLines: [], lines: [], isBinary: true, size: 734_003_200, isNew: true)),
            RuleExample("web/dist/app.wasm", "", file: ChangedFile(
                path: "web/dist/app.wasm", addedLines: [], lines: [], isBinary: true, size: 2_621_440, isNew: false,
                blobID: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")),
            RuleExample("db/dump.sql", "", file: ChangedFile(
                path: "db/dump.sql", addedLines: [], lines: [], isBinary: false, size: 188_743_680, isNew: true,
                blobID: "d0d0cafed0d0cafed0d0cafed0d0cafed0d0cafe")),
        ],
        nonTriggering: [
            RuleExample("assets/logo.png", "", file: ChangedFile(
                path: "assets/logo.png", addedLines: [], lines: [], isBinary: true, size: 48_213, isNew: true,
                blobID: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432")),
            RuleExample("assets/exactly-limit.bin", "", file: ChangedFile(
                path: "assets/exactly-limit.bin", addedLines: [], lines: [], isBinary: true, size: 1_048_576,
                isNew: true)),
            RuleExample("data/big.csv", "", file: ChangedFile(
                path: "data/big.csv", addedLines: [AddedLine(number: 1, text: "id,name")], lines: ["id,name"],
                isBinary: false, size: 5_000_000, isNew: true)),
            RuleExample("data/exactly-text-limit.csv", "", file: ChangedFile(
                path: "data/exactly-text-limit.csv", addedLines: [], lines: [], isBinary: false, size: 10_485_760,
                isNew: true)),
            RuleExample("fixtures/small.json", """
            {"id": 1, "name": "a small text file"}
            """),
        ]
    )

    public func findings(in file: ChangedFile, settings: CheckSettings) -> [CheckFinding] {
        let verb = file.isNew ? "added" : "changed"
        if !file.isBinary {
            guard file.size > settings.largeTextBytes else { return [] }
            return [CheckFinding(
                line: 0,
                message: "text file of \(Self.humanSize(file.size)) \(verb) (limit for text \(Self.humanSize(settings.largeTextBytes))); "
                    + "its lines are not checked",
                evidence: ["size: \(file.size) bytes", "text limit: \(settings.largeTextBytes) bytes (thresholds.large_text_bytes)"],
                fingerprintText: file.blobID ?? "\(file.size)")]
        }
        guard file.size > settings.largeBinaryBytes else { return [] }
        return [CheckFinding(
            line: 0,
            message: "binary file of \(Self.humanSize(file.size)) \(verb) (limit \(Self.humanSize(settings.largeBinaryBytes)))",
            evidence: ["size: \(file.size) bytes", "limit: \(settings.largeBinaryBytes) bytes"],
            fingerprintText: file.blobID ?? "\(file.size)")]
    }

    /// `1.0 MiB`, `3.2 MiB`, `512.0 KiB`, `900 bytes`: one decimal, binary units.
    static func humanSize(_ bytes: Int) -> String {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, unit) in units where bytes >= unit {
            let tenths = (bytes * 10 + unit / 2) / unit
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}
