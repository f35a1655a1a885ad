import AssayTestSupport
import Foundation
import Testing

/// The ceiling on the address space (`ulimit -v`, KiB) the runs below get: a normal audit of a
/// small repository, and of a 64 MiB staged text file, fits under it (each test checks that), and
/// the old loaders, which expanded a "billion laughs" document or split a huge file into lines,
/// need several times more.
let memoryCeilingKiB = 1_000_000

/// Runs `assay ARGS` under `ulimit -v memoryCeilingKiB`; a run that does not finish in `timeout`
/// seconds is killed (and fails its test).
func assayUnderCeiling(_ args: [String], timeout: Double = 120) throws -> ProcessResult {
    try runProcess("/bin/sh", ["-c", "ulimit -v \(memoryCeilingKiB); exec \"$0\" \"$@\"", assayExecutable()] + args,
                   timeout: timeout)
}

/// `levels` anchors, each a list of nine aliases of the one before, under `key` (indented by
/// `indent`): about 9^levels nodes once expanded, in a few hundred bytes.
func billionLaughsYAML(levels: Int, key: String, indent: String = "") -> String {
    var text = "\(indent)\(key):\n\(indent)  l0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    for level in 1...levels {
        let aliases = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
        text += "\(indent)  l\(level): &l\(level) [\(aliases)]\n"
    }
    return text
}

@Suite struct HardeningYAMLTests {
    /// A repository whose working tree adds a TODO (a `warn`: the gate passes).
    func repo(config: String? = nil) throws -> GitFixture {
        let fx = try GitFixture()
        var files = ["src/app.ts": "export const a = 1\n"]
        if let config { files[".assay.yml"] = config }
        try fx.commit("root", files: files)
        try fx.write("src/app.ts", "export const a = 1\n// TODO: name this\n")
        return fx
    }

    @Test func aBillionLaughsConfigIsExitTwoUnderAMemoryCeilingThatANormalRunFits() throws {
        // The same audit with a normal inline policy fits under the ceiling.
        let normal = try repo(config: "version: 1\npolicy:\n  rules:\n    todo-added: warn\n")
        let passed = try assayUnderCeiling(["audit", "--repo", normal.path.path, "--format", "json"])
        #expect(passed.status == 0, "\(passed.err)")
        #expect(passed.out.contains("\"todo-added\""))

        // 9^12 nodes under `policy:`: re-serializing the inline policy expanded every alias.
        let bomb = try repo(config: "version: 1\npolicy:\n  rules:\n    todo-added: warn\n"
                            + billionLaughsYAML(levels: 12, key: "x-lol", indent: "  "))
        let refused = try assayUnderCeiling(["audit", "--repo", bomb.path.path, "--format", "json"])
        #expect(refused.status == 2, "status \(refused.status): \(refused.err.prefix(500))")
        #expect(refused.err.contains(".assay.yml:11:14:"), "\(refused.err.prefix(500))")
        #expect(refused.err.contains("aliases"))
    }

    @Test func aBillionLaughsPolicyOrRubricFileIsExitTwoNamingTheFile() throws {
        let fx = try repo()
        let dir = fx.root.appendingPathComponent("settings")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let policy = dir.appendingPathComponent("bomb-policy.yml")
        try Data(("version: 1\n" + billionLaughsYAML(levels: 12, key: "x-lol")).utf8).write(to: policy)
        let rubric = dir.appendingPathComponent("bomb-rubric.yml")
        try Data(("version: 1\n" + billionLaughsYAML(levels: 12, key: "x-lol")).utf8).write(to: rubric)

        let byPolicy = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--policy", policy.path])
        #expect(byPolicy.status == 2, "\(byPolicy.err.prefix(500))")
        #expect(byPolicy.err.contains("bomb-policy.yml:"), "\(byPolicy.err.prefix(500))")
        #expect(byPolicy.err.contains("nodes"))

        let byRubric = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--rubric", rubric.path])
        #expect(byRubric.status == 2, "\(byRubric.err.prefix(500))")
        #expect(byRubric.err.contains("bomb-rubric.yml:"), "\(byRubric.err.prefix(500))")

        // A policy file named in .assay.yml is read through the same loader.
        try fx.write(".assay/policy.yml", "version: 1\n" + billionLaughsYAML(levels: 12, key: "x-lol"))
        try fx.write(".assay.yml", "version: 1\npolicy: .assay/policy.yml\n")
        let named = try assayUnderCeiling(["audit", "--repo", fx.path.path])
        #expect(named.status == 2, "\(named.err.prefix(500))")
        #expect(named.err.contains(".assay/policy.yml:"), "\(named.err.prefix(500))")
    }

    @Test func aFlowStyleInlinePolicyErrorNamesItsOwnLineAndColumn() throws {
        // Line 2, column 32 is `loud`; re-serializing the mapping in block style used to put it on line 3.
        let fx = try repo(config: "version: 1\npolicy: { rules: { todo-added: loud } }\n")
        let (r, _) = try audit(fx, [])
        #expect(r.status == 2)
        #expect(r.err.contains(".assay.yml:2:32: `rules.todo-added`: `loud` is not a severity"), "\(r.err)")
    }
}

@Suite struct HardeningResourceTests {
    /// `count` lines, each with a TODO note, numbered so no two are the same text.
    func todoLines(_ count: Int, width: Int) -> Data {
        var data = Data(capacity: count * width)
        for k in 0..<count {
            var line = "// TODO item \(k) "
            line += String(repeating: "x", count: max(0, width - line.utf8.count - 1)) + "\n"
            data.append(contentsOf: line.utf8)
        }
        return data
    }

    @Test func aHugeStagedTextFileIsALargeFileFindingWithinTheMemoryCeiling() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        // 64 MiB of text with a TODO on each of its 1,048,576 lines.
        let big = todoLines(1 << 20, width: 64)
        #expect(big.count == 64 << 20)
        try fx.write("data/dump.txt", big)
        try fx.git("add", "data/dump.txt")

        let r = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--staged", "--format", "json"], timeout: 300)
        // large-binary is a warning in the default policy: the gate passes.
        #expect(r.status == 0, "status \(r.status): \(r.err.prefix(500))")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let found = findings(json).filter { $0["path"] as? String == "data/dump.txt" }
        #expect(found.count == 1)
        #expect(found.first?["rule"] as? String == "large-binary")
        #expect((found.first?["message"] as? String)?.hasPrefix("text file of 64.0 MiB added") == true)
        let notices = (json["notices"] as? [String]) ?? []
        #expect(notices.contains { $0.hasPrefix("data/dump.txt: 67108864 bytes of text") && $0.contains("not checked") })
        #expect(r.stdout.count < 20_000)
    }

    @Test func findingsOfOneRuleInOneFileAreCappedWithACount() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        // 50,000 TODO lines: 2.4 MiB, under the text limit, so every line is checked.
        try fx.write("notes/todo.txt", todoLines(50_000, width: 48))
        try fx.git("add", "notes/todo.txt")

        let r = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--staged", "--format", "json"], timeout: 300)
        #expect(r.status == 0, "status \(r.status): \(r.err.prefix(500))")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let found = findings(json).filter { $0["path"] as? String == "notes/todo.txt" }
        #expect(found.count == 201)
        let listed = found.filter { ($0["message"] as? String)?.hasPrefix("`TODO` added") == true }
        #expect(listed.count == 200)
        #expect(listed.compactMap { $0["line"] as? Int }.sorted() == Array(1...200))
        let more = try #require(found.first { ($0["message"] as? String)?.hasPrefix("… and") == true })
        #expect(more["message"] as? String == "… and 49800 more `todo-added` findings in this file (only the first 200 are listed)")
        #expect(more["line"] as? Int == 201)
        #expect(more["end_line"] as? Int == 50_000)
        #expect(more["severity"] as? String == "warn")
        #expect(r.stdout.count < 200_000)
        // The findings left unlisted still count: in the summary and against max_warnings.
        #expect((json["summary"] as? [String: Any])?["warn"] as? Int == 50_000)
        try fx.write(".assay.yml", "version: 1\npolicy:\n  thresholds: { max_warnings: 1000 }\n")
        try fx.git("add", ".assay.yml")
        let limited = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--staged", "--format", "json"], timeout: 300)
        #expect(limited.status == 1, "status \(limited.status): \(limited.err.prefix(500))")
        let gate = try #require(try JSONSerialization.jsonObject(with: limited.stdout) as? [String: Any])["gate"] as? [String: Any]
        #expect((gate?["reasons"] as? [String]) == ["50000 warnings, more than the policy's max_warnings 1000"])
    }

    @Test func aTenMegabyteLineIsQuotedShortWithItsLength() throws {
        let fx = try GitFixture()
        try fx.commit("root", files: ["README.md": "# x\n"])
        // A stub on one line of 10,000,000 bytes (minified code); the file stays under the text limit.
        let head = "fn parse() -> Ast { todo!() } // "
        let line = head + String(repeating: "a", count: 10_000_000 - head.utf8.count)
        try fx.write("src/min.rs", line + "\n")
        try fx.git("add", "src/min.rs")

        let r = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--staged", "--format", "json"])
        #expect(r.status == 1, "status \(r.status): \(r.err.prefix(500))")
        #expect(r.stdout.count < 20_000, "the report is \(r.stdout.count) bytes")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let stub = try #require(findings(json).first { $0["rule"] as? String == "stub-marker" })
        let evidence = (stub["evidence"] as? [String]) ?? []
        #expect(evidence.first == String(line.prefix(200)) + "… (10,000,000 bytes)", "\(evidence.first?.prefix(300) ?? "")")

        // The text report says the length too.
        let text = try assayUnderCeiling(["audit", "--repo", fx.path.path, "--staged"])
        #expect(text.status == 1)
        #expect(text.stdout.count + text.stderr.count < 20_000)
        #expect((text.out + text.err).contains("(10,000,000 bytes)"), "\((text.out + text.err).prefix(1000))")
    }
}
