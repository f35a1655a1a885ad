import AssayCore
import AssayPolicy
import Foundation
import Testing
import Yams

/// A "billion laughs" document: `levels` anchors, each a list of nine aliases of the one before,
/// under `key`; it expands to about 9^levels nodes. `indent` puts it under a parent mapping.
func billionLaughs(levels: Int, key: String = "x-lol", indent: String = "") -> String {
    var text = "\(indent)\(key):\n\(indent)  l0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    for level in 1...levels {
        let aliases = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
        text += "\(indent)  l\(level): &l\(level) [\(aliases)]\n"
    }
    return text
}

private func loaderError(_ yaml: String, file: String = "f.yml",
                         limits: YAMLLoader.Limits = YAMLLoader.limits) -> AssayError? {
    do throws(AssayError) {
        _ = try YAMLLoader.compose(Array(yaml.utf8), file: file, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite("YAML loader: limits on aliases, nodes and nesting")
struct YAMLLoaderTests {
    @Test func aBillionLaughsPolicyIsRefusedNamingTheFileAndTheAlias() throws {
        // 9^12 nodes once expanded; the document is a few hundred bytes.
        let yaml = "version: 1\nrules:\n  todo-added: warn\n" + billionLaughs(levels: 12)
        var error: AssayError?
        do throws(AssayError) {
            _ = try Policy.parse(Array(yaml.utf8), file: "team.yml", knownRules: Policy.builtInRuleIDs,
                                 load: { (_: String) throws(AssayError) in nil })
        } catch let e { error = e }
        let refused = try #require(error)
        #expect(refused.status == .couldNotRun)
        #expect(refused.location == "team.yml")
        // Up to `l4` the document holds 74,746 nodes; the first `*l4` (66,430 more) passes 100,000.
        #expect(refused.what.hasPrefix("team.yml:10:12:"), "\(refused.what)")
        #expect(refused.what.contains("more than 100000 nodes"), "\(refused.what)")
        #expect(refused.fix?.contains("aliases") == true)
    }

    @Test func aBillionLaughsRubricIsRefused() throws {
        let yaml = "version: 1\n" + billionLaughs(levels: 12)
        var error: AssayError?
        do throws(AssayError) { _ = try Rubric.parse(Array(yaml.utf8), file: "r.yml") } catch let e { error = e }
        let refused = try #require(error)
        #expect(refused.what.hasPrefix("r.yml:"), "\(refused.what)")
        #expect(refused.what.contains("nodes"), "\(refused.what)")
    }

    @Test func theNodeLimitCountsExpandedAliases() throws {
        // 1 (root) + 1 (`a`) + 10 (its list) + 1 (`b`) + 1 (its list) + 9 aliases of 10 nodes = 104.
        let yaml = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        #expect(loaderError(yaml, limits: .init(nodes: 113)) == nil)
        let error = try #require(loaderError(yaml, limits: .init(nodes: 100)))
        // The ninth alias passes 100 (14 + 9×10).
        #expect(error.what.hasPrefix("f.yml:2:37:"), "\(error.what)")
    }

    @Test func theAliasLimitIsAboutUses() throws {
        let uses = Array(repeating: "*x", count: 5).joined(separator: ", ")
        let yaml = "x: &x 1\nys: [\(uses)]\n"
        #expect(loaderError(yaml, limits: .init(aliases: 5)) == nil)
        let error = try #require(loaderError(yaml, limits: .init(aliases: 4)))
        #expect(error.what.hasPrefix("f.yml:2:22:"), "\(error.what)")  // the fifth `*x`
        #expect(error.what.contains("more than 4 aliases"))
    }

    @Test func deepNestingIsRefusedBeforeItIsBuilt() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n" }
        #expect(loaderError(nested(200)) == nil)
        let error = try #require(loaderError(nested(300)))
        #expect(error.what.hasPrefix("f.yml:1:201:"), "\(error.what)")
        #expect(error.what.contains("nested more than 200 deep"))
        // Far deeper, libyaml's own nesting limit speaks first; either way it is an error, not a crash.
        let deeper = try #require(loaderError(nested(100_000)))
        #expect(deeper.what.hasPrefix("f.yml:1:"), "\(deeper.what)")
        #expect(deeper.status == .couldNotRun)
    }

    @Test func anchorsWithinTheLimitsLoad() throws {
        let yaml = """
        version: 1
        x-globs: &generated ["Sources/Generated/**", "gen/"]
        rules:
          todo-added: { severity: warn, exclude: *generated }
          stub-marker: { severity: block, exclude: *generated }
        """
        let policy = try Policy.parse(Array(yaml.utf8), file: "p.yml", knownRules: Policy.builtInRuleIDs,
                                      load: { (_: String) throws(AssayError) in nil })
        #expect(policy.rules["stub-marker"]?.exclude.map(\.pattern) == ["Sources/Generated/**", "gen/"])
        #expect(policy.warnings.contains { $0.contains("x-globs") })
    }

    @Test func syntaxErrorsStillNameLineAndColumn() throws {
        let error = try #require(loaderError("a: [1, 2\nb: c\n"))
        #expect(error.what.hasPrefix("f.yml:"), "\(error.what)")
        #expect(error.what.contains("invalid YAML"))
        let line = String(error.what.split(separator: ":")[1])
        #expect(!line.isEmpty && line.allSatisfy { $0.isNumber }, "\(error.what)")
    }

    @Test func flowStyleNodesKeepTheirOwnLineAndColumn() throws {
        let yaml = "version: 1\nrules: { todo-added: { severity: loud } }\n"
        var error: AssayError?
        do throws(AssayError) {
            _ = try Policy.parse(Array(yaml.utf8), file: "p.yml", knownRules: Policy.builtInRuleIDs,
                                 load: { (_: String) throws(AssayError) in nil })
        } catch let e { error = e }
        let bad = try #require(error)
        #expect(bad.what.hasPrefix("p.yml:2:34: "), "\(bad.what)")
        #expect(bad.what.contains("`loud` is not a severity"))
    }

    @Test func largeTextBytesIsAThreshold() throws {
        #expect(Policy.builtInDefault().largeTextBytes == 10_485_760)
        let policy = try Policy.parse(Array("thresholds: { large_text_bytes: 2048 }\n".utf8), file: "p.yml",
                                      knownRules: Policy.builtInRuleIDs, load: { (_: String) throws(AssayError) in nil })
        #expect(policy.largeTextBytes == 2048)
        #expect(policy.largeBinaryBytes == 1_048_576)
        #expect(policy.warnings.isEmpty)
    }
}
