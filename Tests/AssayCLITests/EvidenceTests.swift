import AssayTestSupport
import Foundation
import Testing

@Suite struct EvidenceTests {
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Parser tests", files: [
            "tests/parser.test.ts": "it('a', () => {})\nit('b', () => {})\ntest('c', () => {})\n",
            "STATUS.md": "# Status\n\n- Tests: 3 passing in `tests/parser.test.ts`\n",
        ])
        return fx
    }

    func junit(_ fx: GitFixture, failures: Int) throws -> String {
        var cases = ""
        for i in 0..<3 {
            cases += i < failures ? "<testcase name=\"t\(i)\"><failure message=\"boom\"/></testcase>" : "<testcase name=\"t\(i)\"/>"
        }
        let path = fx.root.appendingPathComponent("junit-\(failures).xml")
        try Data("<?xml version=\"1.0\"?><testsuites><testsuite name=\"parser\" tests=\"3\">\(cases)</testsuite></testsuites>".utf8).write(to: path)
        return path.path
    }

    func verdict(_ r: ProcessResult) throws -> [String: Any] {
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "\(r.err)")
        return try #require((json["claims"] as? [[String: Any]])?.first { $0["kind"] as? String == "test-result" })
    }

    @Test func withoutEvidencePassingIsUnverifiable() throws {
        let fx = try repo()
        let c = try verdict(try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"]))
        #expect(c["verdict"] as? String == "unverifiable")
    }

    @Test func aGreenReportVerifiesAndAFailureContradicts() throws {
        let fx = try repo()
        let green = try verdict(try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json",
                                                                  "--evidence", try junit(fx, failures: 0)]))
        #expect(green["verdict"] as? String == "verified")
        let red = try verdict(try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json",
                                                                "--evidence", try junit(fx, failures: 1)]))
        #expect(red["verdict"] as? String == "contradicted")
        #expect(red["class"] as? String == "tests-failing")
        #expect((red["evidence"] as? [String])?.contains { $0.contains("3 ran, 2 passed, 1 failed") } == true)
    }

    @Test func aBrokenReportIsExitTwoNamingIt() throws {
        let fx = try repo()
        let bad = fx.root.appendingPathComponent("bad.xml")
        try Data("<testsuite><testcase name=\"x\">".utf8).write(to: bad)
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--evidence", bad.path])
        #expect(r.status == 2)
        #expect(r.err.contains("not valid XML"))
        #expect(r.err.contains(bad.path))
    }
}
