import AssayCore
@testable import AssayKit
import Testing

@Suite struct AssayConfigTests {
    /// Found by fuzzing (FuzzConfig): an inline policy holding nested aliases (a "billion laughs")
    /// was serialized expanded, 10^8 values, before it was read; now it is an error naming the line.
    @Test func aliasBombIsRefusedQuickly() {
        var lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1..<8 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
        lines += ["policy:", "  rules: *a7"]
        do throws(AssayError) {
            _ = try AssayConfig.parse(Array(lines.joined(separator: "\n").utf8))
            Issue.record("the alias bomb parsed")
        } catch {
            #expect(error.what.hasPrefix(".assay.yml:"))
            #expect(error.what.contains("expands to more than 100000 nodes through its aliases"), "\(error.what)")
        }
    }

    @Test func anInlinePolicyWithAnAliasIsKept() throws {
        let config = try AssayConfig.parse(Array("""
        version: 1
        claims:
          exclude: &skip ["docs/archive/"]
        policy:
          paths: { exclude: *skip }
        """.utf8))
        #expect(config.claimsExclude.map(\.pattern) == ["docs/archive/"])
        guard case .inline(let bytes) = config.policy else { Issue.record("no inline policy"); return }
        #expect(String(decoding: bytes, as: UTF8.self).contains("docs/archive/"))
    }

    /// Found by fuzzing (FuzzPolicy, the same reader): a long base-60 `version` trapped inside Yams.
    @Test func longBaseSixtyVersionIsAnError() {
        do throws(AssayError) {
            _ = try AssayConfig.parse(Array("version: 888888888889888888:1\n".utf8))
            Issue.record("the version parsed")
        } catch {
            #expect(error.what.hasPrefix(".assay.yml:1"))
            #expect(error.what.contains("888888888889888888:1"))
        }
    }
}
