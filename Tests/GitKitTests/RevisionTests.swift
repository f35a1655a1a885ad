import AssayTestSupport
import Foundation
import GitKit
import Testing

/// main and feature diverge at m2; feature is merged into main once and then both move on.
/// Tags: annotated `v1` (m2), lightweight `light` (f1), annotated `only-tag` on a commit no branch
/// contains. Extra refs outside branches and tags: `refs/pull/1/head` and `refs/remotes/origin/topic`.
func makeBranchyHistory() throws -> GitFixture {
    let f = try GitFixture()
    try f.commit("m1", files: ["m.txt": "1\n"])
    try f.commit("m2", files: ["m.txt": "2\n"])
    try f.git("tag", "-a", "v1", "-m", "release 1")
    try f.git("checkout", "-q", "-b", "feature")
    try f.commit("f1", files: ["f.txt": "1\n"])
    try f.git("tag", "light")
    try f.commit("f2", files: ["f.txt": "2\n"])
    try f.git("checkout", "-q", "main")
    try f.commit("m3", files: ["m.txt": "3\n"])
    try f.merge("feature", message: "merge feature")
    try f.git("checkout", "-q", "feature")
    try f.commit("f3", files: ["f.txt": "3\n"])
    try f.commit("f4", files: ["g.txt": "4\n"])
    try f.git("checkout", "-q", "main")
    try f.commit("m4", files: ["m.txt": "4\n"])
    // A commit reachable only from a tag.
    try f.git("checkout", "-q", "--detach", "main~1")
    try f.commit("tag only", files: ["t.txt": "t\n"])
    try f.git("tag", "-a", "only-tag", "-m", "only")
    try f.git("checkout", "-q", "main")
    // Commits in no branch or tag: a pull request head and a remote-tracking branch.
    let tree = try f.rev("main^{tree}")
    let pull = try f.gitData(["commit-tree", tree, "-p", "main", "-m", "pull request"], environment: f.dateEnvironment()).out.trimmed
    try f.git("update-ref", "refs/pull/1/head", pull)
    let remote = try f.gitData(["commit-tree", tree, "-p", "feature", "-m", "remote"], environment: f.dateEnvironment()).out.trimmed
    try f.git("update-ref", "refs/remotes/origin/topic", remote)
    return f
}

@Suite("Revisions and walks")
struct RevisionTests {
    @Test func resolveMatchesRevParse() throws {
        let f = try makeBranchyHistory()
        let repo = try f.repository()
        for spec in ["HEAD", "HEAD~1", "main~1^2", "main~2", "feature", "feature~1", "light", "v1", "only-tag", "refs/pull/1/head"] {
            #expect(try repo.resolveCommit(spec) == f.id("\(spec)^{commit}"), "\(spec)")
            #expect(try repo.resolve(spec) == f.id(spec), "\(spec)")
        }
        // An annotated tag resolves to the tag object and peels to its commit.
        let tagObject = try f.id("v1")
        #expect(try f.git("cat-file", "-t", "v1").trimmed == "tag")
        #expect(try repo.resolve("v1") == tagObject)
        #expect(try repo.resolveCommit("v1") == f.id("v1^{commit}"))
        #expect(try repo.resolveCommit("v1") != tagObject)
        #expect(try repo.resolve("v1^{tree}") == f.id("v1^{tree}"))
        // A short SHA.
        let short = try f.git("rev-parse", "--short=8", "HEAD~1").trimmed
        #expect(short.count == 8)
        #expect(try repo.resolveCommit(short) == f.id("\(short)^{commit}"))
        #expect(try repo.resolve(short) == f.id(short))

        // Unknown revisions: git fails, GitKit throws.
        for bad in ["no-such-branch", "main~99", "0000000", "feature..nope"] {
            #expect(try f.gitUnchecked(["rev-parse", "--verify", "-q", "\(bad)^{commit}"]).status != 0, "\(bad)")
            #expect(throws: GitError.self, "\(bad)") { try repo.resolveCommit(bad) }
        }
        let unknown = #expect(throws: GitError.self) { try repo.resolve("no-such-branch") }
        #expect(unknown?.code == .notFound)
        // A tree does not peel to a commit.
        #expect(try f.gitUnchecked(["rev-parse", "--verify", "-q", "HEAD^{tree}^{commit}"]).status != 0)
        #expect(throws: GitError.self) { try repo.resolveCommit("HEAD^{tree}") }
    }

    @Test func referencesMatchForEachRef() throws {
        let f = try makeBranchyHistory()
        let repo = try f.repository()
        for glob in ["refs/heads/*", "refs/tags/*"] {
            let prefix = String(glob.dropLast())
            var expected: [String: ObjectID] = [:]
            for line in try f.lines("for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", prefix) {
                let parts = line.split(separator: " ")
                expected[String(parts[0])] = try oid(parts.count > 2 ? parts[2] : parts[1])
            }
            let actual = Dictionary(try repo.references(glob: glob).map { ($0.name, $0.target) }, uniquingKeysWith: { a, _ in a })
            #expect(actual == expected, "\(glob)")
        }
        #expect(try repo.referenceTarget("refs/tags/v1") == f.id("refs/tags/v1"))
        #expect(try repo.referenceTarget("refs/pull/1/head") == f.id("refs/pull/1/head"))
        #expect(try repo.referenceTarget("refs/heads/absent") == nil)
    }

    @Test func commitListsMatchRevList() throws {
        let f = try makeBranchyHistory()
        let repo = try f.repository()
        let parents = try f.parentMap()
        let cases: [[String]] = [
            ["main"], ["feature"], ["main..feature"], ["feature..main"], ["main...feature"],
            ["^main", "feature"], ["main", "^feature"], ["main", "feature"], ["v1"], ["HEAD~2"],
            ["..feature"], ["feature..."], ["only-tag"], ["refs/pull/1/head"], ["light..main"],
        ]
        for specs in cases {
            let expected = try f.ids(["rev-list"] + specs)
            let actual = try repo.commits(specs)
            #expect(actual.count == expected.count, "\(specs)")
            #expect(Set(actual).count == actual.count, "\(specs): duplicates")
            #expect(Set(actual) == Set(expected), "\(specs)")
            expectTopological(actual, parents: parents, "\(specs)")
            let reversed = try repo.commits(specs, order: .reverseTopological)
            #expect(Set(reversed) == Set(expected), "\(specs) reversed")
            expectTopological(reversed.reversed(), parents: parents, "\(specs) reversed")
        }
    }

    @Test func allIncludesBranchesAndTagsOnly() throws {
        let f = try makeBranchyHistory()
        let repo = try f.repository()
        let parents = try f.parentMap()
        let pull = try f.id("refs/pull/1/head"), remote = try f.id("refs/remotes/origin/topic"), tagOnly = try f.id("only-tag^{commit}")

        let expected = try f.ids(["rev-list", "--branches", "--tags"])
        #expect(!expected.contains(pull) && !expected.contains(remote) && expected.contains(tagOnly))
        let actual = try repo.commits([], all: true)
        #expect(actual.count == expected.count)
        #expect(Set(actual) == Set(expected))
        #expect(!actual.contains(pull))
        #expect(!actual.contains(remote))
        #expect(actual.contains(tagOnly))
        expectTopological(actual, parents: parents, "all")

        // Specs and `all` combine; an explicit pull ref is walked.
        let withPull = try f.ids(["rev-list", "--branches", "--tags", "refs/pull/1/head"])
        let actualWithPull = try repo.commits(["refs/pull/1/head"], all: true)
        #expect(Set(actualWithPull) == Set(withPull))
        #expect(actualWithPull.count == withPull.count)
        #expect(actualWithPull.contains(pull))
    }

    @Test func mergeBaseAndAncestry() throws {
        let f = try makeBranchyHistory()
        // An unrelated root commit.
        try f.git("checkout", "-q", "--orphan", "lonely")
        try f.git("rm", "-q", "-r", "-f", ".")
        try f.commit("lonely root", files: ["lonely.txt": "x\n"])
        try f.git("checkout", "-q", "-f", "main")
        let repo = try f.repository()
        let all = try f.ids(["rev-list", "--all"])
        // Ancestry from git: A is an ancestor of B when `git rev-list B` lists A.
        var reachable: [ObjectID: Set<ObjectID>] = [:]
        for c in all { reachable[c] = Set(try f.ids(["rev-list", c.hex])) }
        for a in all {
            for b in all {
                #expect(try repo.isAncestor(a, of: b) == reachable[b]!.contains(a), "\(a.short) ancestor of \(b.short)")
            }
        }
        // Spot checks against `git merge-base --is-ancestor` itself.
        for (a, b) in [("main~2", "main"), ("feature", "main"), ("v1", "feature"), ("lonely", "main")] {
            let truth = try f.gitUnchecked(["merge-base", "--is-ancestor", a, b]).status == 0
            #expect(try repo.isAncestor(f.id("\(a)^{commit}"), of: f.id("\(b)^{commit}")) == truth, "\(a) \(b)")
        }
        // Merge bases for every pair.
        for (i, a) in all.enumerated() {
            for b in all[i...] {
                let result = try f.gitUnchecked(["merge-base", a.hex, b.hex])
                let expected: ObjectID? = result.status == 0 ? try oid(result.out) : nil
                #expect(try repo.mergeBase(a, b) == expected, "merge-base \(a.short) \(b.short)")
            }
        }
        #expect(try repo.mergeBase(f.id("main"), f.id("lonely")) == nil)
        #expect(try repo.mergeBase(f.id("main"), f.id("feature")) == f.id(f.git("merge-base", "main", "feature").trimmed))
    }
}

/// Every commit comes before each of its parents (parents from git).
func expectTopological(_ ids: some Collection<ObjectID>, parents: [ObjectID: [ObjectID]], _ comment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
    var position: [ObjectID: Int] = [:]
    for (i, id) in ids.enumerated() { position[id] = i }
    for (i, id) in ids.enumerated() {
        for p in parents[id] ?? [] {
            if let j = position[p] {
                #expect(i < j, "\(comment): \(id.short) listed after its parent \(p.short)", sourceLocation: sourceLocation)
            }
        }
    }
}
