import AssayTestSupport
import Foundation
import Testing

@Suite struct ClaimsCommandTests {
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("Add the CLI", files: [
            "src/a.ts": "export const a = 1\n",
            "TASKS.md": "# Tasks\n\n- [x] T001 `src/a.ts`\n- [x] T002 `src/gone.ts`\n- [ ] T003 `src/later.ts`\n",
            "notes.md": "- [x] `src/not-a-source-doc.ts`\n",
        ])
        return fx
    }

    @Test func jsonFollowsTheVersionedSchema() throws {
        let fx = try repo()
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(json["schema"] as? String == "assay.claims/v1")
        #expect(json["sha"] as? String == (try fx.head()))
        let claims = try #require(json["claims"] as? [[String: Any]])
        #expect(claims.count == 3)  // notes.md is not a claim source by default
        for c in claims {
            for key in ["id", "kind", "text", "source", "verdict", "evidence"] { #expect(c[key] != nil, "\(key)") }
        }
        let verdicts = claims.compactMap { $0["verdict"] as? String }.sorted()
        #expect(verdicts == ["abstain", "contradicted", "verified"])
        let source = try #require(claims.first?["source"] as? [String: Any])
        #expect(source["path"] as? String == "TASKS.md")
        #expect(source["commit"] as? String == (try fx.head()))
        // Ids are stable across runs.
        let again = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"])
        let ids = { (d: Data) throws -> [String] in
            let j = try JSONSerialization.jsonObject(with: d) as? [String: Any]
            return ((j?["claims"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try ids(r.stdout) == ids(again.stdout))
    }

    @Test func failOnContradictedGatesWithExitOne() throws {
        let fx = try repo()
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--fail-on", "contradicted"])
        #expect(r.status == 1)
        #expect(r.out.contains("src/gone.ts"))
        #expect(r.out.contains("never-existed"))
    }

    @Test func listSourcesSaysWhyEachDocWasPicked() throws {
        let fx = try repo()
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--list-sources"])
        #expect(r.status == 0)
        #expect(r.out.contains("TASKS.md"))
        #expect(r.out.contains("named TASKS"))
        #expect(!r.out.contains("notes.md"))
    }

    @Test func badUsageIsExitTwo() throws {
        let fx = try repo()
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--range", "main"])
        #expect(r.status == 2)
        #expect(r.err.contains("A..B"))
        let unknown = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--at", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("unknown revision 'nope'"))
    }
    @Test func malformedTaskFileIsReportedAndTheRestStands() throws {
        let fx = try repo()
        try fx.commit("Broken task file", files: [".taskmaster/tasks/tasks.json": "{\"tasks\": [ {\"id\": 1, \"title\": "])
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.err.contains(".taskmaster/tasks/tasks.json"))
        #expect(r.err.contains("not a Task Master tasks file"))
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect((json["claims"] as? [[String: Any]])?.count == 3)  // TASKS.md still read
        #expect((json["warnings"] as? [String])?.count == 1)
    }
    @Test func missingObjectsMakeClaimsUnverifiableNotFalse() throws {
        let fx = try GitFixture()
        try fx.commit("Ship", files: [
            "src/deep/a.ts": "export const a = 1\n",
            "src/deep/b.ts": "export const b = 2\n",
            "TASKS.md": "- [x] `src/deep/a.ts`\n- [x] `src/nope.ts`\n",
        ])
        // A partial clone without the src/deep tree (loose objects: delete it).
        let tree = try fx.rev("HEAD:src/deep")
        try FileManager.default.removeItem(at: fx.path.appendingPathComponent(".git/objects/\(tree.prefix(2))/\(tree.dropFirst(2))"))
        let r = try runProcess(assayExecutable(), ["claims", "--repo", fx.path.path, "--format", "json"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.err.contains("src/deep"))
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let claims = try #require(json["claims"] as? [[String: Any]])
        let deep = try #require(claims.first { ($0["scope"] as? [String]) == ["src/deep/a.ts"] })
        #expect(deep["verdict"] as? String == "unverifiable")
        #expect(deep["class"] as? String == "objects missing")
        // A path under a tree that is present is still judged.
        let nope = try #require(claims.first { ($0["scope"] as? [String]) == ["src/nope.ts"] })
        #expect(nope["verdict"] as? String == "contradicted")
    }
}
