import AssayCore
import AssayPolicy
import Foundation
import Testing
import Yams

/// Policy files by name, as a loader would read them from a repository.
private func parse(_ yaml: String, file: String = "p.yml", files: [String: String] = [:]) throws(AssayError) -> Policy {
    try Policy.parse(Array(yaml.utf8), file: file, knownRules: Policy.builtInRuleIDs,
                     load: { (name: String) throws(AssayError) -> (bytes: [UInt8], file: String)? in
                         files[name].map { (Array($0.utf8), name) }
                     })
}

/// The error parsing `yaml` throws, or nil.
private func parseError(_ yaml: String, file: String = "p.yml", files: [String: String] = [:]) -> AssayError? {
    do throws(AssayError) {
        _ = try parse(yaml, file: file, files: files)
        return nil
    } catch {
        return error
    }
}

private func patterns(_ globs: [Glob]) -> [String] { globs.map(\.pattern) }

/// The repository root, from this file's path (Tests/AssayPolicyTests/PolicyTests.swift).
func repositoryRoot(_ filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

@Suite("Policy: the built-in default")
struct DefaultPolicyTests {
    @Test(arguments: [
        ("stub-marker", Severity.block), ("conflict-marker", .block), ("claim-contradicted", .block),
        ("todo-added", .warn), ("test-without-assertion", .warn), ("test-skipped", .warn), ("large-binary", .warn),
    ])
    func severityOfEveryRule(rule: String, severity: Severity) {
        let policy = Policy.builtInDefault()
        #expect(policy.severity(of: rule, at: "Sources/App/main.swift") == severity)
        #expect(policy.severity(of: rule, at: nil) == severity)
        #expect(policy.rules[rule] == Policy.RuleSetting(severity: severity))
    }

    @Test func settings() {
        let policy = Policy.builtInDefault()
        #expect(policy.name == "default")
        #expect(policy.files == ["<built-in default>"])
        #expect(policy.warnings.isEmpty)
        #expect(policy.largeBinaryBytes == 1_048_576)
        #expect(policy.maxWarnings == nil)
        #expect(patterns(policy.include) == ["**"])
        #expect(policy.exclude.isEmpty)
        #expect(policy.branches.isEmpty)
        #expect(policy.covers("vendor/lib/x.c"))
        #expect(Set(policy.rules.keys) == Policy.builtInRuleIDs)
        #expect(policy.severity(of: "no-such-rule", at: "a.swift") == nil)
    }

    @Test func fileIsByteIdenticalToTheEmbeddedPolicy() throws {
        let url = repositoryRoot().appendingPathComponent("policies/default.yml")
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(bytes == Array(Policy.defaultYAML.utf8))
    }

    @Test func strictExample() throws {
        let path = "policies/strict.yml"
        let text = try String(contentsOf: repositoryRoot().appendingPathComponent(path), encoding: .utf8)
        let policy = try parse(text, file: path)
        #expect(policy.name == "strict")
        #expect(policy.files == ["<built-in default>", path])
        #expect(policy.warnings.isEmpty)
        for rule in ["todo-added", "test-without-assertion", "test-skipped", "large-binary", "stub-marker",
                     "conflict-marker", "claim-contradicted"] {
            #expect(policy.severity(of: rule, at: "src/a.swift") == .block, "\(rule)")
        }
        #expect(policy.maxWarnings == 0)
        #expect(policy.largeBinaryBytes == 1_048_576)
    }
}

@Suite("Policy: merging")
struct PolicyMergeTests {
    @Test func withoutExtendsAPolicyExtendsTheDefault() throws {
        let policy = try parse("""
        version: 1
        name: team
        rules:
          todo-added: block
        """)
        #expect(policy.name == "team")
        #expect(policy.files == ["<built-in default>", "p.yml"])
        #expect(policy.severity(of: "todo-added", at: "a.swift") == .block)
        #expect(policy.severity(of: "stub-marker", at: "a.swift") == .block)
        #expect(policy.severity(of: "test-skipped", at: "a.swift") == .warn)
    }

    @Test func extendsNoneStartsEmpty() throws {
        let policy = try parse("""
        extends: none
        rules: { todo-added: info }
        """)
        #expect(policy.rules.keys.sorted() == ["todo-added"])
        #expect(policy.severity(of: "todo-added", at: "a.swift") == .info)
        #expect(policy.severity(of: "stub-marker", at: "a.swift") == nil)
        #expect(policy.files == ["p.yml"])
        #expect(policy.covers("any/where.txt"))
    }

    @Test func emptyFileIsTheDefault() throws {
        let policy = try parse("")
        #expect(policy.files == ["<built-in default>", "p.yml"])
        #expect(policy.severity(of: "stub-marker", at: "a.swift") == .block)
        #expect(policy.name == "p.yml")
    }

    static let base = """
    version: 1
    name: base
    extends: none
    rules:
      todo-added:
        severity: warn
        include: ["src/**"]
        exclude: ["src/gen/**"]
      test-skipped:
        severity: warn
        include: ["tests/**"]
      large-binary:
        severity: info
        include: ["assets/**"]
        exclude: ["assets/ok/**"]
    paths:
      include: ["**"]
      exclude: ["vendor/**"]
    thresholds:
      large_binary_bytes: 100
      max_warnings: 10
    """

    @Test func shortFormSetsOnlyTheSeverity() throws {
        let policy = try parse("""
        extends: base.yml
        rules:
          todo-added: block
        """, files: ["base.yml": Self.base])
        let todo = try #require(policy.rules["todo-added"])
        #expect(todo.severity == .block)
        #expect(patterns(todo.include) == ["src/**"])
        #expect(patterns(todo.exclude) == ["src/gen/**"])
        #expect(policy.severity(of: "todo-added", at: "src/a.swift") == .block)
        #expect(policy.severity(of: "todo-added", at: "lib/a.swift") == nil)
        #expect(policy.severity(of: "todo-added", at: "src/gen/a.swift") == nil)
    }

    @Test func longFormReplacesOnlyTheFieldsItGives() throws {
        let policy = try parse("""
        extends: base.yml
        rules:
          test-skipped:
            include: ["spec/**"]
          large-binary:
            exclude: []
          todo-added:
            severity: off
        """, files: ["base.yml": Self.base])
        let skipped = try #require(policy.rules["test-skipped"])
        #expect(skipped.severity == .warn)  // kept
        #expect(patterns(skipped.include) == ["spec/**"])
        #expect(policy.severity(of: "test-skipped", at: "tests/a_test.py") == nil)
        #expect(policy.severity(of: "test-skipped", at: "spec/a_spec.rb") == .warn)

        let binary = try #require(policy.rules["large-binary"])
        #expect(binary.severity == .info)
        #expect(patterns(binary.include) == ["assets/**"])  // kept
        #expect(binary.exclude.isEmpty)                     // replaced
        #expect(policy.severity(of: "large-binary", at: "assets/ok/logo.png") == .info)

        let todo = try #require(policy.rules["todo-added"])
        #expect(todo.severity == nil)
        #expect(patterns(todo.include) == ["src/**"])
        #expect(policy.severity(of: "todo-added", at: "src/a.swift") == nil)
    }

    @Test func pathsReplaceTheParentsListWhenGiven() throws {
        let replaced = try parse("""
        extends: base.yml
        paths:
          exclude: ["build/**"]
        """, files: ["base.yml": Self.base])
        #expect(patterns(replaced.exclude) == ["build/**"])
        #expect(replaced.covers("vendor/x.c"))
        #expect(!replaced.covers("build/out.o"))

        let kept = try parse("""
        extends: base.yml
        paths:
          include: ["src/**"]
        """, files: ["base.yml": Self.base])
        #expect(patterns(kept.include) == ["src/**"])
        #expect(patterns(kept.exclude) == ["vendor/**"])
        #expect(!kept.covers("docs/a.md"))
        #expect(kept.covers("src/a.swift"))
    }

    @Test func thresholdsOverrideKeyByKey() throws {
        let one = try parse("""
        extends: base.yml
        thresholds:
          max_warnings: 3
        """, files: ["base.yml": Self.base])
        #expect(one.largeBinaryBytes == 100)
        #expect(one.maxWarnings == 3)

        let none = try parse("""
        extends: base.yml
        thresholds:
          large_binary_bytes: 5000
          max_warnings: null
        """, files: ["base.yml": Self.base])
        #expect(none.largeBinaryBytes == 5000)
        #expect(none.maxWarnings == nil)
    }

    @Test func offInEveryForm() throws {
        let policy = try parse("""
        rules:
          stub-marker: off
          todo-added: "off"
          conflict-marker:
            severity: off
        """)
        for rule in ["stub-marker", "todo-added", "conflict-marker"] {
            #expect(policy.rules[rule]?.severity == nil, "\(rule)")
            #expect(policy.severity(of: rule, at: "a.swift") == nil, "\(rule)")
            #expect(policy.severity(of: rule, at: nil) == nil, "\(rule)")
        }
        #expect(policy.severity(of: "test-skipped", at: "a.swift") == .warn)
    }

    @Test func extendsChainThroughTheLoader() throws {
        let files = [
            "policies/b.yml": """
            extends: policies/c.yml
            name: b
            rules: { test-skipped: info }
            thresholds: { max_warnings: 4 }
            bogus: 1
            """,
            "policies/c.yml": """
            extends: none
            name: c
            rules: { test-skipped: block, todo-added: warn }
            thresholds: { large_binary_bytes: 7 }
            """,
        ]
        let policy = try parse("""
        extends: policies/b.yml
        name: a
        rules: { todo-added: block }
        """, file: "a.yml", files: files)
        #expect(policy.name == "a")
        #expect(policy.files == ["policies/c.yml", "policies/b.yml", "a.yml"])
        #expect(policy.severity(of: "test-skipped", at: "x") == .info)
        #expect(policy.severity(of: "todo-added", at: "x") == .block)
        #expect(policy.severity(of: "stub-marker", at: "x") == nil)
        #expect(policy.largeBinaryBytes == 7)
        #expect(policy.maxWarnings == 4)
        #expect(policy.warnings == ["policies/b.yml:5: unknown key `bogus` ignored"])
        #expect(policy.sources.allSatisfy { $0.sha256?.count == 64 })
    }

    @Test func extendsDefaultByName() throws {
        let policy = try parse("extends: default\nrules: { large-binary: block }")
        #expect(policy.files == ["<built-in default>", "p.yml"])
        #expect(policy.severity(of: "large-binary", at: "a.bin") == .block)
        #expect(policy.severity(of: "todo-added", at: "a.c") == .warn)
    }

    @Test func missingExtendsFileIsAnError() throws {
        let error = try #require(parseError("""
        version: 1
        extends: team/policy.yml
        """))
        #expect(error.what.hasPrefix("p.yml:2:10:"))
        #expect(error.what.contains("`extends: team/policy.yml`: no such policy file"))
        #expect(error.fix?.contains("extends: default") == true)
        #expect(error.status == .couldNotRun)
    }

    @Test func extendsCycleIsAnErrorNamingTheChain() throws {
        let files = [
            "a.yml": "extends: b.yml\n",
            "b.yml": "rules: { todo-added: info }\nextends: a.yml\n",
        ]
        let error = try #require(parseError("extends: b.yml\n", file: "a.yml", files: files))
        #expect(error.what.hasPrefix("b.yml:2:10:"))
        #expect(error.what.contains("a.yml → b.yml → a.yml"))

        let selfCycle = try #require(parseError("extends: a.yml\n", file: "a.yml", files: files))
        #expect(selfCycle.what.contains("a.yml → a.yml"))
    }

    @Test func extendsDepthIsLimitedToFive() throws {
        // p0 extends p1 … p(n-1) extends none.
        func chain(_ n: Int) -> [String: String] {
            var files: [String: String] = [:]
            for i in 1..<n { files["p\(i).yml"] = i == n - 1 ? "extends: none\n" : "extends: p\(i + 1).yml\n" }
            return files
        }
        // Five hops (p0 → p1 → … → p5) are fine.
        let ok = try parse("extends: p1.yml\n", file: "p0.yml", files: chain(6))
        #expect(ok.files == ["p5.yml", "p4.yml", "p3.yml", "p2.yml", "p1.yml", "p0.yml"])
        // Six are not.
        let error = try #require(parseError("extends: p1.yml\n", file: "p0.yml", files: chain(7)))
        #expect(error.what.hasPrefix("p5.yml:1:10:"))
        #expect(error.what.contains("deeper than 5"))
        #expect(error.what.contains("p0.yml → p1.yml → p2.yml → p3.yml → p4.yml → p5.yml → p6.yml"))
    }
}

@Suite("Policy: paths and branches")
struct PolicyBranchTests {
    @Test func ruleAndAuditPaths() throws {
        let policy = try parse("""
        rules:
          todo-added:
            severity: warn
            include: ["src/**", "lib/*.c"]
            exclude: ["src/generated/**"]
        paths:
          include: ["src/**", "lib/", "docs/*.md"]
          exclude: ["src/vendor/**"]
        """)
        #expect(policy.covers("src/a/b.swift"))
        #expect(policy.covers("lib/deep/x.h"))
        #expect(policy.covers("docs/a.md"))
        #expect(!policy.covers("docs/deep/a.md"))
        #expect(!policy.covers("README.md"))
        #expect(!policy.covers("src/vendor/x.swift"))

        #expect(policy.severity(of: "todo-added", at: "src/a.swift") == .warn)
        #expect(policy.severity(of: "todo-added", at: "lib/a.c") == .warn)
        #expect(policy.severity(of: "todo-added", at: "lib/sub/a.c") == nil)  // rule include `lib/*.c`
        #expect(policy.severity(of: "todo-added", at: "src/generated/x.swift") == nil)
        #expect(policy.severity(of: "todo-added", at: "src/vendor/x.swift") == nil)  // not covered
        #expect(policy.severity(of: "stub-marker", at: "README.md") == nil)  // not covered
        #expect(policy.severity(of: "stub-marker", at: "docs/a.md") == .block)
        #expect(policy.severity(of: "stub-marker", at: nil) == .block)  // no path: no path filters
    }

    static let yaml = """
    rules:
      todo-added: warn
    thresholds:
      max_warnings: 10
    branches:
      main:
        rules: { todo-added: block }
      "release/**":
        thresholds: { max_warnings: 0 }
        paths: { exclude: ["docs/**"] }
      "feature/*":
        rules: { todo-added: info }
      "*":
        rules: { test-skipped: block }
    """

    @Test func exactBranch() throws {
        let policy = try parse(Self.yaml)
        let main = policy.resolved(forBranch: "main")
        #expect(main.severity(of: "todo-added", at: "a.c") == .block)
        #expect(main.severity(of: "test-skipped", at: "a.c") == .block)  // `*` matches `main`
        #expect(main.maxWarnings == 10)
        #expect(main.appliedBranchOverrides == ["main (p.yml:6)", "* (p.yml:13)"])
        #expect(main.branches.isEmpty)
        #expect(policy.resolved(forBranch: "refs/heads/main").severity(of: "todo-added", at: "a.c") == .block)
        #expect(policy.resolved(forBranch: "mainline").severity(of: "todo-added", at: "a.c") == .warn)
        // The unresolved policy is the top level only.
        #expect(policy.severity(of: "todo-added", at: "a.c") == .warn)
        #expect(policy.branches.count == 4)
    }

    @Test func doubleStarCrossesSlashes() throws {
        let policy = try parse(Self.yaml)
        for branch in ["release/1.2", "release/1.2/hotfix"] {
            let release = policy.resolved(forBranch: branch)
            #expect(release.maxWarnings == 0, "\(branch)")
            #expect(patterns(release.exclude) == ["docs/**"], "\(branch)")
            #expect(!release.covers("docs/a.md"), "\(branch)")
            #expect(release.severity(of: "todo-added", at: "a.c") == .warn, "\(branch)")
            #expect(release.severity(of: "test-skipped", at: "a.c") == .warn, "\(branch)")  // `*` stops at `/`
            #expect(release.appliedBranchOverrides == ["release/** (p.yml:8)"], "\(branch)")
        }
    }

    @Test func singleStarStaysInOneSegment() throws {
        let policy = try parse(Self.yaml)
        #expect(policy.resolved(forBranch: "feature/login").severity(of: "todo-added", at: "a.c") == .info)
        #expect(policy.resolved(forBranch: "feature/login/v2").severity(of: "todo-added", at: "a.c") == .warn)
        #expect(policy.resolved(forBranch: "feature").severity(of: "todo-added", at: "a.c") == .warn)
    }

    @Test func detachedHeadAppliesNoOverride() throws {
        let detached = try parse(Self.yaml).resolved(forBranch: nil)
        #expect(detached.severity(of: "todo-added", at: "a.c") == .warn)
        #expect(detached.severity(of: "test-skipped", at: "a.c") == .warn)
        #expect(detached.maxWarnings == 10)
        #expect(detached.appliedBranchOverrides.isEmpty)
        #expect(detached.branches.isEmpty)
    }

    @Test func laterEntriesWin() throws {
        let broadFirst = try parse("""
        branches:
          "**": { rules: { todo-added: info } }
          main: { rules: { todo-added: block } }
        """).resolved(forBranch: "main")
        #expect(broadFirst.severity(of: "todo-added", at: "a.c") == .block)

        let broadLast = try parse("""
        branches:
          main: { rules: { todo-added: block } }
          "**": { rules: { todo-added: info } }
        """).resolved(forBranch: "main")
        #expect(broadLast.severity(of: "todo-added", at: "a.c") == .info)
    }

    @Test func childBranchEntriesApplyAfterTheParents() throws {
        let parent = """
        extends: none
        rules: { todo-added: warn }
        branches:
          main: { rules: { todo-added: info }, thresholds: { max_warnings: 1 } }
        """
        let child = try parse("""
        extends: parent.yml
        rules: { todo-added: off }
        branches:
          "**": { thresholds: { max_warnings: 2 } }
        """, files: ["parent.yml": parent])
        #expect(child.severity(of: "todo-added", at: "a.c") == nil)
        let main = child.resolved(forBranch: "main")
        // The parent's branch entry applies on top of the child's top level …
        #expect(main.severity(of: "todo-added", at: "a.c") == .info)
        // … and the child's entry after the parent's.
        #expect(main.maxWarnings == 2)
        #expect(main.appliedBranchOverrides == ["main (parent.yml:4)", "** (p.yml:4)"])
    }
}

@Suite("Policy: warnings and errors")
struct PolicyDiagnosticsTests {
    @Test func unknownKeysAndRulesAreWarningsWithLines() throws {
        let policy = try parse("""
        version: 1
        colour: blue
        rules:
          todo-add: block
          todo-added:
            severty: block
          my-own-rule: warn
        paths:
          includes: ["src/**"]
        thresholds:
          max_warning: 3
        branches:
          main:
            rule: { todo-added: block }
        """)
        #expect(policy.warnings == [
            "p.yml:2: unknown key `colour` ignored",
            "p.yml:4: unknown rule `todo-add` ignored (did you mean `todo-added`?)",
            "p.yml:6: unknown key `rules.todo-added.severty` ignored (did you mean `severity`?)",
            "p.yml:7: unknown rule `my-own-rule` ignored",
            "p.yml:9: unknown key `paths.includes` ignored (did you mean `include`?)",
            "p.yml:11: unknown key `thresholds.max_warning` ignored (did you mean `max_warnings`?)",
            "p.yml:14: unknown key `branches.main.rule` ignored (did you mean `rules`?)",
        ])
        #expect(policy.rules["todo-add"] == nil)
        #expect(policy.rules["my-own-rule"] == nil)
        #expect(policy.severity(of: "todo-added", at: "a.c") == .warn)  // the long form changed nothing
        #expect(policy.maxWarnings == nil)
    }

    @Test func invalidYAMLNamesTheLine() throws {
        let error = try #require(parseError("""
        version: 1
        rules:
          todo-added: [block
        paths: {}
        """))
        #expect(error.what.hasPrefix("p.yml:4:"))
        #expect(error.what.contains("invalid YAML"))
        #expect(error.location == "p.yml")
        #expect(error.status == .couldNotRun)
    }

    @Test func duplicateKeyIsAnError() throws {
        let error = try #require(parseError("""
        rules:
          todo-added: warn
          todo-added: block
        """))
        #expect(error.what.hasPrefix("p.yml:2:"))
        #expect(error.what.contains("`todo-added` appears more than once"))
    }

    @Test func badSeverityNamesTheLine() throws {
        let error = try #require(parseError("""
        version: 1
        rules:
          stub-marker: blocker
        """))
        #expect(error.what == "p.yml:3:16: `rules.stub-marker`: `blocker` is not a severity")
        #expect(error.fix == "use one of block, warn, info, off")

        let longForm = try #require(parseError("""
        rules:
          stub-marker:
            severity: error
        """))
        #expect(longForm.what == "p.yml:3:15: `rules.stub-marker.severity`: `error` is not a severity")

        let empty = try #require(parseError("rules:\n  stub-marker:\n"))
        #expect(empty.what.hasPrefix("p.yml:2:"))
        #expect(empty.what.contains("is not a severity"))
    }

    @Test(arguments: [
        // (yaml, line, pattern fragment)
        ("rules:\n  todo-added:\n    include: [\"src/[ab]/*\"]\n", 3, "`src/[ab]/*` uses `[`"),
        ("paths:\n  exclude: [\"\"]\n", 2, "an empty pattern"),
        ("paths:\n  include:\n    - \"src/{a,b}/**\"\n", 3, "`src/{a,b}/**` uses `{`"),
        ("paths:\n  exclude: [\"!src/**\"]\n", 2, "negation is not supported"),
        ("branches:\n  \"release/[0-9]*\":\n    rules: { todo-added: block }\n", 2, "`release/[0-9]*` uses `[`"),
        ("branches:\n  \"\":\n    rules: { todo-added: block }\n", 2, "an empty pattern"),
    ])
    func badGlobNamesTheLineAndTheFix(yaml: String, line: Int, fragment: String) throws {
        let error = try #require(parseError(yaml))
        #expect(error.what.hasPrefix("p.yml:\(line):"), "\(error.what)")
        #expect(error.what.contains(fragment), "\(error.what)")
        #expect(error.fix != nil)
    }

    @Test func versionMustBeOne() throws {
        let error = try #require(parseError("name: x\nversion: 2\n"))
        #expect(error.what.hasPrefix("p.yml:2:10:"))
        #expect(error.what.contains("version `2`"))
        #expect(error.fix?.contains("version: 1") == true)
        #expect(try parse("version: 1\n").files == ["<built-in default>", "p.yml"])
    }

    @Test(arguments: [
        ("- rules\n", 1, "a policy must be a mapping"),
        ("rules: [stub-marker]\n", 1, "`rules` must be a mapping"),
        ("rules:\n  stub-marker: [block]\n", 2, "`rules.stub-marker` must be a severity"),
        ("thresholds:\n  max_warnings: -1\n", 2, "`thresholds.max_warnings` must be a whole number ≥ 0"),
        ("thresholds:\n  large_binary_bytes: 1MB\n", 2, "`thresholds.large_binary_bytes` must be a whole number"),
        ("paths:\n  include: { a: b }\n", 2, "`paths.include` must be a list of path globs"),
        ("extends: [a.yml]\n", 1, "`extends` must be a string"),
        ("branches: [main]\n", 1, "`branches` must be a mapping"),
    ])
    func wrongShapesAreErrors(yaml: String, line: Int, fragment: String) throws {
        let error = try #require(parseError(yaml))
        #expect(error.what.hasPrefix("p.yml:\(line):"), "\(error.what)")
        #expect(error.what.contains(fragment), "\(error.what)")
    }
}

@Suite("Policy: inline in .assay.yml, by name, and the gate")
struct PolicyUseTests {
    static func noFiles(_ name: String) throws(AssayError) -> (bytes: [UInt8], file: String)? { nil }

    @Test func inlineMappingExtendsTheDefaultAndKeepsLines() throws {
        let config = """
        version: 1
        claims:
          exclude: ["fixtures/"]
        policy:
          rules:
            todo-added: block
            todo-addd: warn
        """
        let node = try #require(try Yams.compose(yaml: config)?.mapping?["policy"])
        let policy = try Policy.parse(node: node, file: ".assay.yml", knownRules: Policy.builtInRuleIDs, load: Self.noFiles)
        #expect(policy.files == ["<built-in default>", ".assay.yml"])
        #expect(policy.severity(of: "todo-added", at: "a.c") == .block)
        #expect(policy.severity(of: "stub-marker", at: "a.c") == .block)
        #expect(policy.warnings == [".assay.yml:7: unknown rule `todo-addd` ignored (did you mean `todo-added`?)"])

        let bad = try #require(try Yams.compose(yaml: "policy:\n  rules:\n    stub-marker: maybe\n")?.mapping?["policy"])
        do throws(AssayError) {
            _ = try Policy.parse(node: bad, file: ".assay.yml", knownRules: Policy.builtInRuleIDs, load: Self.noFiles)
            Issue.record("expected an error")
        } catch {
            #expect(error.what.hasPrefix(".assay.yml:3:18:"))
        }
    }

    @Test func byName() throws {
        let load = { (name: String) throws(AssayError) -> (bytes: [UInt8], file: String)? in
            name == "team.yml" ? (Array("rules: { todo-added: info }\n".utf8), "team.yml") : nil
        }
        let known = Policy.builtInRuleIDs
        #expect(try Policy.named("default", referencedAt: ".assay.yml:2", knownRules: known, load: load).name == "default")
        #expect(try Policy.named("none", referencedAt: ".assay.yml:2", knownRules: known, load: load).rules.isEmpty)
        let team = try Policy.named("team.yml", referencedAt: ".assay.yml:2", knownRules: known, load: load)
        #expect(team.severity(of: "todo-added", at: "a.c") == .info)
        #expect(team.files == ["<built-in default>", "team.yml"])
        do throws(AssayError) {
            _ = try Policy.named("gone.yml", referencedAt: ".assay.yml:2", knownRules: known, load: load)
            Issue.record("expected an error")
        } catch {
            #expect(error.what == ".assay.yml:2: policy file `gone.yml` does not exist")
        }
    }

    @Test func gate() {
        let unlimited = Policy()
        #expect(unlimited.gate(blocking: 0, warnings: 50) == GateResult(passed: true, reasons: ["no blocking findings"]))
        #expect(unlimited.gate(blocking: 2, warnings: 0) == GateResult(passed: false, reasons: ["2 blocking findings"]))
        let limited = Policy(maxWarnings: 3)
        #expect(limited.gate(blocking: 0, warnings: 3)
                == GateResult(passed: true, reasons: ["no blocking findings", "3 warnings ≤ max_warnings 3"]))
        #expect(limited.gate(blocking: 0, warnings: 4) == GateResult(passed: false, reasons: ["4 warnings > max_warnings 3"]))
        #expect(limited.gate(blocking: 1, warnings: 4)
                == GateResult(passed: false, reasons: ["1 blocking finding", "4 warnings > max_warnings 3"]))
    }
}

/// Found by fuzzing: YAML aliases nested inside one another (a "billion laughs") used as a mapping
/// key made Yams hash 10^8 values before the policy was read, and serialize them for an inline policy.
@Suite struct YAMLAliasTests {
    /// Eight levels of ten aliases each, the last one a key: 10^8 values from 300 bytes.
    static let bomb: String = {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1..<8 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
        return (lines + ["? *a7", ": v"]).joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefusedQuickly() {
        let error = parseError(Self.bomb, file: "team.yml")
        #expect(error?.what.hasPrefix("team.yml:") == true)
        #expect(error?.what.contains("expands to more than 100000 nodes through its aliases") == true, "\(String(describing: error))")
        #expect(error?.fix != nil)
        #expect(throws: AssayError.self) { try Rubric.parse(Array(Self.bomb.utf8), file: "r.yml") }
    }

    @Test func aliasesOfAFewValuesStillWork() throws {
        let policy = try parse("""
        extends: none
        rules:
          stub-marker: { severity: block, exclude: &generated ["gen/**", "vendor/**"] }
          todo-added: { severity: warn, exclude: *generated }
        """)
        #expect(policy.severity(of: "todo-added", at: "src/a.c") == .warn)
        #expect(policy.severity(of: "todo-added", at: "vendor/x/a.c") == nil)
        #expect(policy.severity(of: "stub-marker", at: "gen/a.c") == nil)
    }
}

/// Found by fuzzing (FuzzPolicy): Yams reads `a:b` as a base-60 number and overflowed, trapping, on
/// a long one; every whole-number setting now refuses such a value with an error naming the line.
@Suite struct BaseSixtyNumberTests {
    static let long = "888888888889888888:1"

    @Test(arguments: [
        ("version: \(long)\n", 1, "policy version `\(long)` is not one this assay knows"),
        ("thresholds:\n  max_warnings: \(long)\n", 2, "`thresholds.max_warnings` must be a whole number"),
        ("thresholds:\n  large_binary_bytes: \(long)\n", 2, "`thresholds.large_binary_bytes` must be a whole number"),
    ])
    func policySettings(yaml: String, line: Int, fragment: String) throws {
        let error = try #require(parseError(yaml))
        #expect(error.what.hasPrefix("p.yml:\(line):"), "\(error.what)")
        #expect(error.what.contains(fragment), "\(error.what)")
    }

    @Test func rubricSettings() throws {
        for (yaml, fragment) in [("version: \(Self.long)\n", "rubric version"),
                                 ("risk:\n  base: \(Self.long)\n", "`risk.base` must be"),
                                 ("decision:\n  hold: { risk_at_least: \(Self.long) }\n", "must be a whole number")] {
            do throws(AssayError) {
                _ = try Rubric.parse(Array(yaml.utf8), file: "r.yml")
                Issue.record("\(yaml) parsed")
            } catch {
                #expect(error.what.contains(fragment), "\(error.what)")
            }
        }
    }
}
