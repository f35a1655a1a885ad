import AssayCore
import AssayRules
import Foundation
import GitKit

/// What `assay init` is asked to do.
public struct InitRequest: Sendable {
    public var repositoryPath: String
    /// Replace an existing `.assay.yml` (and write the baseline again).
    public var force: Bool

    public init(repositoryPath: String, force: Bool = false) {
        self.repositoryPath = repositoryPath; self.force = force
    }
}

/// What `assay init` found and wrote (schema `assay.init/v1`).
public struct InitReport: Codable, Sendable {
    /// A group of claim-bearing docs read by convention: why they are read, how many, a few paths.
    public struct DocGroup: Codable, Sendable, Equatable {
        public var reason: String
        public var count: Int
        public var examples: [String]
    }

    /// A test framework found from its manifest, and how many files look like its tests.
    public struct Framework: Codable, Sendable, Equatable {
        public var name: String
        public var manifest: String
        public var testFiles: Int

        enum CodingKeys: String, CodingKey {
            case name, manifest
            case testFiles = "test_files"
        }
    }

    public struct BaselineSummary: Codable, Sendable {
        public var file: String
        public var accepted: Int
    }

    /// Filled in by the command line, which decides whether to install the hooks.
    public struct HooksSummary: Codable, Sendable {
        public var installed: Bool
        public var changes: [HookChange]
        /// The command that installs them (printed when they were not installed).
        public var command: String

        public init(installed: Bool, changes: [HookChange], command: String) {
            self.installed = installed; self.changes = changes; self.command = command
        }
    }

    public var schema = "assay.init/v1"
    /// The commit the repository was read at; nil for a repository with no commits yet.
    public var head: String?
    /// The settings file written (absolute path).
    public var config: String
    /// True when an existing `.assay.yml` was replaced (`--force`).
    public var replaced: Bool
    public var docs: [DocGroup]
    public var include: [String]
    public var exclude: [String]
    public var testFrameworks: [Framework]
    /// Claim verdicts at HEAD (the docs as `assay claims` reads them), before the baseline.
    public var claims: [String: Int]
    /// The claims baseline written, when some claims were contradicted.
    public var baseline: BaselineSummary?
    public var hooks: HooksSummary?
    public var warnings: [String]
    /// The settings file's text, as written.
    public var yaml: String

    enum CodingKeys: String, CodingKey {
        case schema, head, config, replaced, docs, include, exclude, claims, baseline, hooks, warnings, yaml
        case testFrameworks = "test_frameworks"
    }
}

/// Writes a commented `.assay.yml` from what the repository holds (its claim-bearing docs, archive
/// folders, test frameworks), read through libgit2 at HEAD, and a claims baseline accepting what is
/// already contradicted, so existing drift does not block on day one.
public struct InitService: Sendable {
    public init() {}

    /// Folder names whose docs describe the past: their claims are not checked.
    static let archiveNames: Set<String> = ["archive", "archives", "archived", "old", "attic", "deprecated", "obsolete"]

    public func run(_ request: InitRequest, today: Date = Date()) throws(AssayError) -> InitReport {
        let repo = try RepositoryAccess.open(request.repositoryPath)
        guard let workdir = repo.workingDirectory else {
            throw AssayError("assay init writes .assay.yml into a working tree, and \(request.repositoryPath) is a bare repository",
                             fix: "run it in a clone, commit .assay.yml there and push it; in a bare repository `assay hooks install` sets up pre-receive")
        }
        let configURL = workdir.appendingPathComponent(AssayConfig.fileName)
        let exists = FileManager.default.fileExists(atPath: configURL.path)
        if exists && !request.force {
            throw AssayError("\(AssayConfig.fileName) already exists", at: configURL.path,
                             fix: "edit it by hand, or run `assay init --force` to replace it (and write the claims baseline again)")
        }
        let head: ObjectID?
        do { head = try repo.head() } catch { throw RepositoryAccess.explain(error, doing: "read HEAD") }
        var files: [(path: GitPath, entry: TreeEntry)] = []
        if let head {
            do { files = try repo.files(inTree: try repo.commitHeader(head).tree) { _, _ in } } catch {
                throw RepositoryAccess.explain(error, doing: "list the files at HEAD")
            }
        }
        let blobs = files.filter { $0.entry.kind == .blob && $0.path.isValidUTF8 }
        let paths = blobs.map(\.path.string)
        let found = Self.survey(paths) { path in
            guard let entry = blobs.first(where: { $0.path.string == path })?.entry else { return nil }
            return try? repo.blob(entry.id)
        }
        let yaml = Self.render(found, head: head, date: Self.day(today))
        // What is written must read back cleanly: no error, no warning.
        let parsed = try AssayConfig.parse(Array(yaml.utf8))
        guard parsed.warnings.isEmpty else {
            throw AssayError("the settings assay init wrote do not read back cleanly: \(parsed.warnings.joined(separator: "; "))",
                             fix: "report this as a bug in assay init")
        }
        guard FileManager.default.createFile(atPath: configURL.path, contents: Data(yaml.utf8)) else {
            throw AssayError("cannot write \(AssayConfig.fileName)", at: configURL.path, fix: "check that the working tree is writable")
        }

        var report = InitReport(head: head?.hex, config: configURL.path, replaced: exists, docs: found.docs,
                                include: found.include, exclude: found.exclude, testFrameworks: found.frameworks,
                                claims: [:], baseline: nil, hooks: nil, warnings: [], yaml: yaml)
        guard let head else { return report }

        // The baseline: every claim contradicted now, as `assay claims` reads the docs today (the
        // committed settings) and once the new file is committed (the settings just written).
        var accepted: [String: ClaimsBaseline.Entry] = [:]
        var order: [String] = []
        for config in [nil, parsed] as [AssayConfig?] {
            var claimsRequest = ClaimsRequest(repositoryPath: request.repositoryPath, at: head.hex)
            claimsRequest.config = config
            claimsRequest.useBaseline = false
            let claims: ClaimsReport
            do { claims = try ClaimsService().run(claimsRequest) } catch {
                // A committed .assay.yml that does not parse (being replaced with --force): the
                // baseline covers the claims as the new settings read them.
                guard config == nil, error.location == AssayConfig.fileName else { throw error }
                report.warnings.append("the committed \(AssayConfig.fileName) cannot be read (\(error.what)); the baseline covers the claims as the new file reads them — commit it")
                continue
            }
            if config == nil || report.claims.isEmpty { report.claims = claims.summary }
            for warning in claims.warnings where !report.warnings.contains(warning) { report.warnings.append(warning) }
            for c in claims.claims where c.verdict == "contradicted" && accepted[c.id] == nil {
                accepted[c.id] = ClaimsBaseline.Entry(
                    id: c.id, path: c.source.path, line: c.source.line, kind: c.kind, verdictClass: c.verdictClass,
                    text: c.text, reason: "contradicted when assay init ran (\(Self.day(today)), at \(head.short))")
                order.append(c.id)
            }
        }
        guard !order.isEmpty else { return report }
        let entries = order.compactMap { accepted[$0] }
            .sorted { ($0.path ?? "", $0.line ?? 0, $0.id) < ($1.path ?? "", $1.line ?? 0, $1.id) }
        let baseline = ClaimsBaseline(sha: head.hex, created: Self.day(today), claims: entries)
        let baselineURL = workdir.appendingPathComponent(ClaimsBaseline.fileName)
        guard FileManager.default.createFile(atPath: baselineURL.path, contents: baseline.encoded()) else {
            throw AssayError("cannot write \(ClaimsBaseline.fileName)", at: baselineURL.path, fix: "check that the working tree is writable")
        }
        report.baseline = InitReport.BaselineSummary(file: baselineURL.path, accepted: entries.count)
        return report
    }

    /// What the repository's files say about it.
    struct Survey: Equatable {
        var docs: [InitReport.DocGroup] = []
        /// Docs outside the conventions worth reading (agent notes).
        var include: [String] = []
        /// Archive folders holding docs.
        var exclude: [String] = []
        var frameworks: [InitReport.Framework] = []
    }

    /// Surveys repository-relative `paths`; `read` gives a file's bytes (manifests are looked into).
    static func survey(_ paths: [String], read: (String) -> [UInt8]?) -> Survey {
        var survey = Survey()
        let vendored: Set<String> = ["node_modules", "vendor", ".build", "target", "dist", "build", ".venv", "venv", "third_party"]
        let own = paths.filter { path in !path.split(separator: "/").dropLast().contains { vendored.contains(String($0)) } }

        // Agent notes under .claude/ and a CLAUDE.md at the root hold status claims but are not read by default.
        var include: [String] = []
        if own.contains(where: { $0.hasPrefix(".claude/") && isMarkdown($0) }) { include.append(".claude/**/*.md") }
        if own.contains("CLAUDE.md") { include.append("CLAUDE.md") }
        let includeGlobs = include.map(Glob.init)

        var groups: [String: [String]] = [:]
        var archives: Set<String> = []
        for path in own {
            var reason = ClaimsService.defaultSource(path)
            if reason == nil, includeGlobs.contains(where: { $0.matches(path) }) {
                reason = path.hasPrefix(".claude/") ? "under .claude/ (agent notes)" : "CLAUDE.md (agent notes)"
            }
            guard let reason else { continue }
            let components = path.split(separator: "/").map(String.init)
            if let i = components.dropLast().firstIndex(where: { archiveNames.contains($0.lowercased()) }) {
                let folder = components[...i].joined(separator: "/") + "/"
                if !folder.contains(where: { $0 == "*" || $0 == "?" || $0 == "\"" || $0 == "\\" || $0.isNewline || $0 == "[" || $0 == "{" || $0 == "!" }) {
                    archives.insert(folder)
                    continue
                }
            }
            groups[reason, default: []].append(path)
        }
        survey.docs = groups.map { InitReport.DocGroup(reason: $0.key, count: $0.value.count, examples: Array($0.value.sorted().prefix(3))) }
            .sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
        survey.include = include
        // A folder inside another excluded one adds nothing.
        let sorted = archives.sorted()
        survey.exclude = sorted.filter { folder in !sorted.contains { $0 != folder && folder.hasPrefix($0) } }
        survey.frameworks = frameworks(own, read: read)
        return survey
    }

    static func isMarkdown(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".md") || lower.hasSuffix(".markdown")
    }

    /// Test frameworks named by the repository's manifests, shallowest manifest first.
    static func frameworks(_ paths: [String], read: (String) -> [UInt8]?) -> [InitReport.Framework] {
        let byDepth = paths.sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
        func named(_ name: String) -> [String] { byDepth.filter { $0 == name || $0.hasSuffix("/" + name) } }
        func text(_ path: String) -> String { String(decoding: read(path) ?? [], as: UTF8.self) }
        // Files that can hold the framework's tests and look like tests (Swift and Rust files need a
        // test folder or a test-like name: any of their files could hold tests).
        func testFiles(_ framework: TestFramework) -> Int {
            paths.filter { path in
                guard TestCounter.frameworks(forPath: path).contains(framework) else { return false }
                guard framework == .swiftTesting || framework == .rust else { return true }
                let components = path.split(separator: "/")
                let stem = components.last.map { $0.split(separator: ".").first.map(String.init) ?? "" } ?? ""
                return components.dropLast().contains { ["Tests", "tests", "test"].contains(String($0)) }
                    || stem.hasSuffix("Tests") || stem.hasSuffix("_test") || stem.hasSuffix("_tests")
            }.count
        }
        var out: [InitReport.Framework] = []
        if let manifest = named("Package.swift").first {
            out.append(.init(name: "Swift (swift test: Swift Testing, XCTest)", manifest: manifest, testFiles: testFiles(.swiftTesting)))
        }
        if let manifest = named("Cargo.toml").first {
            out.append(.init(name: "Rust (cargo test)", manifest: manifest, testFiles: testFiles(.rust)))
        }
        if let manifest = named("go.mod").first {
            out.append(.init(name: "Go (go test)", manifest: manifest, testFiles: testFiles(.go)))
        }
        let pytest = named("pytest.ini").first
            ?? named("pyproject.toml").first { text($0).contains("pytest") }
            ?? named("setup.cfg").first { text($0).contains("[tool:pytest]") }
            ?? named("tox.ini").first { text($0).contains("[pytest]") }
            ?? named("conftest.py").first
        if let pytest { out.append(.init(name: "pytest", manifest: pytest, testFiles: testFiles(.pytest))) }
        var jest: String?, vitest: String?
        for manifest in named("package.json") {
            guard let bytes = read(manifest),
                  let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { continue }
            var words = Set<String>()
            for key in ["dependencies", "devDependencies", "peerDependencies"] {
                if let dependencies = json[key] as? [String: Any] { words.formUnion(dependencies.keys) }
            }
            let scripts = ((json["scripts"] as? [String: Any]) ?? [:]).values.compactMap { $0 as? String }.joined(separator: " ")
            if jest == nil, words.contains("jest") || json["jest"] != nil || scripts.contains("jest") { jest = manifest }
            if vitest == nil, words.contains("vitest") || scripts.contains("vitest") { vitest = manifest }
        }
        if let jest { out.append(.init(name: "Jest", manifest: jest, testFiles: testFiles(.jest))) }
        if let vitest { out.append(.init(name: "Vitest", manifest: vitest, testFiles: testFiles(.jest))) }
        return out
    }

    /// `YYYY-MM-DD` in UTC.
    static func day(_ date: Date) -> String { String(isoDate(Int64(date.timeIntervalSince1970)).prefix(10)) }

    /// The settings file: what was found, as comments, and the keys it calls for.
    static func render(_ s: Survey, head: ObjectID?, date: String) -> String {
        func comment(_ text: String) -> String {
            // A path is shown in a comment: no line break or control character may end the comment.
            String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        }
        func list(_ items: [String]) -> String {
            "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
        var y = """
            # assay's settings for this repository, written by `assay init` on \(date)\(head.map { " from what it holds at \($0.short)" } ?? "").
            # Every key is optional: without this file assay uses its defaults. `assay audit --help` and
            # `assay claims --help` describe them; an unknown key is reported with its line.
            version: 1

            """
        y += "\n# Claim-bearing docs found here, read by convention (no setting needed):\n"
        if s.docs.isEmpty {
            y += "#   none yet: assay reads PRD, PHASES, ROADMAP, PLAN, PROGRESS, TODO, TASKS, STATUS, IMPLEMENTATION*\n"
            y += "#   and SUMMARY* docs, everything under memory-bank/ and docs/, specs/*/tasks.md and .taskmaster/.\n"
        }
        for group in s.docs {
            let more = group.count > group.examples.count ? ", …" : ""
            y += "#   \(group.reason): \(group.count) (\(comment(group.examples.joined(separator: ", ")))\(more))\n"
        }
        y += "# Test frameworks found (\"N tests\" claims are counted in their test files):\n"
        if s.frameworks.isEmpty { y += "#   none found (no Package.swift, Cargo.toml, go.mod, pytest configuration, or package.json naming Jest or Vitest)\n" }
        for f in s.frameworks {
            y += "#   \(f.name), from \(comment(f.manifest)): \(f.testFiles) test file\(f.testFiles == 1 ? "" : "s")\n"
        }
        if s.include.isEmpty && s.exclude.isEmpty {
            y += """
                # More claim sources, or folders never to read (globs: *, **, ?, and dir/ for a whole folder):
                # claims:
                #   include: ["design/**/*.md"]
                #   exclude: ["docs/archive/"]

                """
        } else {
            y += "claims:\n"
            if !s.include.isEmpty {
                y += "  # Agent notes hold status claims (\"Phase 2 complete\") but are not read by default.\n"
                y += "  include: \(list(s.include))\n"
            }
            if !s.exclude.isEmpty {
                y += "  # Archive folders: what their docs say was true once; it is not checked.\n"
                y += "  exclude: \(list(s.exclude))\n"
            }
        }
        y += """

            # The audit's policy (what blocks a commit): the built-in default. Name a policy file, or write
            # one inline; it extends the default (`assay rules` lists the rules):
            # policy:
            #   rules:
            #     todo-added: block
            #     test-skipped: { severity: block, include: ["src/**"] }
            #   paths:
            #     exclude: ["vendor/**"]
            #   thresholds: { large_binary_bytes: 5242880, max_warnings: 10 }
            # rubric: rubrics/team.yml   # how findings are scored into APPROVE, HOLD or REJECT

            """
        return y
    }
}
