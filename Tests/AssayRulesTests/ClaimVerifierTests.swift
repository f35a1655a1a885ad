import AssayCore
@testable import AssayRules
import Testing

/// Facts given as plain values: files, deletions, ignore rules.
struct FakeFacts: RepositoryFacts {
    var sha = "0123456789abcdef0123456789abcdef01234567"
    var files: [String: String] = [:]
    var deletions: [String: (String, String, String?)] = [:]
    var ignoredPrefixes: [String] = []

    func kind(of path: String) -> PathKind? {
        if files[path] != nil { return .file }
        if files.keys.contains(where: { $0.hasPrefix(path + "/") }) { return .directory }
        return nil
    }
    func contents(of path: String) -> [UInt8]? { files[path].map { Array($0.utf8) } }
    func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)? {
        deletions[path].map { (commit: $0.0, subject: $0.1, renamedTo: $0.2) }
    }
    func isIgnored(_ path: String) -> Bool { ignoredPrefixes.contains { path.hasPrefix($0) } }
    func files(under path: String) -> [String] {
        files.keys.filter { path.isEmpty || $0.hasPrefix(path + "/") }.sorted()
    }
    var changedFiles: [String] = []
    var commits: [String: String] = [:]
    func commit(named id: String) -> (sha: String, subject: String)? {
        commits.first { $0.key.hasPrefix(id) }.map { (sha: $0.key, subject: $0.value) }
    }
    var isShallow = false
    var symbols: [String: String] = [:]
    func definition(of name: String) -> String? { symbols[name] }
}

private func claim(_ kind: ClaimKind, _ subject: String, scope: [String] = []) -> ExtractedClaim {
    ExtractedClaim(claim: Claim(kind: kind, text: "t", subject: subject, scope: scope,
                                source: ClaimSource(kind: "doc", path: "docs/PLAN.md", line: 1)), abstainReason: nil)
}

@Suite struct ClaimVerifierTests {
    let facts = FakeFacts(
        files: ["src/a.ts": "export {}\n", "src/stub.rs": "fn f() {\n    todo!()\n}\n"],
        deletions: ["src/old.rs": ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Remove old", nil),
                    "src/moved.ts": ("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "Rename", "src/new.ts")],
        ignoredPrefixes: ["generated/"])

    @Test func existingPathIsVerified() {
        let r = ClaimVerifier.verify(claim(.path, "src/a.ts"), facts: facts)
        #expect(r.verdict == .verified)
        #expect(r.evidence.first?.contains("src/a.ts exists at 0123456789ab") == true)
    }

    @Test(arguments: [("src/old.rs", "deleted"), ("src/moved.ts", "renamed"), ("generated/x.ts", "gitignored"),
                      ("src/none.ts", "never-existed")])
    func missingPathIsClassified(_ path: String, _ cls: String) {
        let r = ClaimVerifier.verify(claim(.path, path), facts: facts)
        #expect(r.verdict == .contradicted)
        #expect(r.verdictClass == cls)
    }

    @Test func absenceIsVerifiedWhenGoneAndContradictedWhenPresent() {
        #expect(ClaimVerifier.verify(claim(.absence, "src/old.rs"), facts: facts).verdict == .verified)
        let present = ClaimVerifier.verify(claim(.absence, "src/a.ts"), facts: facts)
        #expect(present.verdict == .contradicted)
        #expect(present.verdictClass == "still-present")
    }

    @Test func statusNeedsEveryScopedPathAndNoStub() {
        #expect(ClaimVerifier.verify(claim(.status, "x", scope: ["src/a.ts", "src/"]), facts: facts).verdict == .verified)
        let missing = ClaimVerifier.verify(claim(.status, "x", scope: ["src/a.ts", "src/old.rs"]), facts: facts)
        #expect(missing.verdict == .contradicted)
        #expect(missing.verdictClass == "deleted")
        let stub = ClaimVerifier.verify(claim(.status, "x", scope: ["src/stub.rs"]), facts: facts)
        #expect(stub.verdict == .contradicted)
        #expect(stub.verdictClass == "stub-present")
        #expect(stub.evidence.contains("stub marker at src/stub.rs:2"))
    }

    @Test func abstainCarriesItsReason() {
        var c = claim(.path, "src/a.ts")
        c.abstainReason = "unchecked item"
        let r = ClaimVerifier.verify(c, facts: facts)
        #expect(r.verdict == .abstain)
        #expect(r.verdictClass == "unchecked item")
    }

    @Test func idsAreStableAndLineIndependent() {
        let a = Claim(kind: .path, text: "Created `a.ts`", subject: "a.ts", source: ClaimSource(kind: "doc", path: "P.md", line: 3))
        let b = Claim(kind: .path, text: "Created `a.ts`", subject: "a.ts", source: ClaimSource(kind: "doc", path: "P.md", line: 40))
        let c = Claim(kind: .path, text: "Created `b.ts`", subject: "b.ts", source: ClaimSource(kind: "doc", path: "P.md", line: 3))
        #expect(a.id == b.id)
        #expect(a.id != c.id)
        #expect(a.id.count == 16)
    }
    @Test func aBareFileNameIsFoundWhereverItLives() {
        let r = ClaimVerifier.verify(claim(.path, "a.ts"), facts: facts)
        #expect(r.verdict == .verified)
        #expect(r.evidence.first?.contains("src/a.ts") == true)
    }
}
