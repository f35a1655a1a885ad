import AssayTestSupport
import Foundation
import Testing

@Suite struct ConfigTests {
    func repo(config: String) throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Docs", files: [
            "src/a.ts": "export const a = 1\n",
            "TASKS.md": "- [x] `src/a.ts`\n",
            "docs/archive/OLD.md": "- [x] `src/gone.ts`\n",
            "design/notes.txt": "- [x] `src/missing.ts`\n",
            ".assay.yml": config,
        ])
        return fx
    }

    func sources(_ fx: GitFixture) throws -> (ProcessResult, [String]) {
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
        let paths = ((json?["sources"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        return (r, paths.sorted())
    }

    @Test func includeAndExcludeGlobsChooseTheSources() throws {
        let fx = try repo(config: """
            version: 1
            claims:
              include: ["design/**/*.txt"]
              exclude:
                - docs/archive/
            """)
        let (r, paths) = try sources(fx)
        #expect(r.status == 0, "\(r.err)")
        #expect(paths == ["TASKS.md", "design/notes.txt"])
        let listed = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--list-sources"])
        #expect(listed.out.contains("included by .assay.yml (design/**/*.txt)"))
    }

    @Test func unknownKeysWarnWithTheirLineAndLoseNothing() throws {
        let fx = try repo(config: "version: 1\nclaim:\n  include: [x]\nclaims:\n  exclude: [\"docs/archive/\"]\n  incl: []\n")
        let (r, paths) = try sources(fx)
        #expect(r.status == 0)
        #expect(r.err.contains(".assay.yml:2: unknown key `claim` ignored"))
        #expect(r.err.contains(".assay.yml:6: unknown key `claims.incl` ignored"))
        #expect(paths == ["TASKS.md"])
    }

    @Test func invalidYAMLIsExitTwoWithFileLineAndColumn() throws {
        let fx = try repo(config: "version: 1\nclaims:\n  include: [\"a\", \n  exclude: : :\n")
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path])
        #expect(r.status == 2)
        #expect(r.err.contains(".assay.yml:") && r.err.contains("invalid YAML"))
        let location = r.err.components(separatedBy: ".assay.yml:").dropFirst().first ?? ""
        #expect(location.first?.isNumber == true, "\(r.err)")
    }

    @Test func unsupportedVersionIsExitTwo() throws {
        let fx = try repo(config: "version: 7\n")
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path])
        #expect(r.status == 2)
        #expect(r.err.contains(".assay.yml:1 has version 7"))
    }
}
