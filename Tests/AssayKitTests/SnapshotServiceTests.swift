import AssayCore
import AssayKit
import AssayLedger
import AssayTestSupport
import Foundation
import GitKit
import Testing

/// `git log` output per commit: "S\tpath" lines and "added\tdeleted\tpath" lines.
private func gitLogPerCommit(_ fx: GitFixture, _ args: [String]) throws -> [String: [String]] {
    let out = try fx.gitData(["log", "--no-renames", "--diff-merges=first-parent", "--format=#%H"] + args).stdout
    var result: [String: [String]] = [:]
    var current = ""
    for line in out.split(separator: UInt8(ascii: "\n")) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("#") { current = String(text.dropFirst()); result[current] = [] } else if !text.isEmpty {
            result[current, default: []].append(text)
        }
    }
    return result.mapValues { $0.sorted() }
}

private func ledgerNameStatus(_ ledger: Ledger, _ sha: String) throws -> [String] {
    try ledger.paths(of: sha).map { "\($0.status)\t\(String(decoding: $0.path, as: UTF8.self))" }.sorted()
}

private func ledgerNumstat(_ ledger: Ledger, _ sha: String) throws -> [String] {
    try ledger.paths(of: sha).map { p in
        let counts = p.binary ? "-\t-" : "\(p.additions.map(String.init) ?? "?")\t\(p.deletions.map(String.init) ?? "?")"
        return "\(counts)\t\(String(decoding: p.path, as: UTF8.self))"
    }.sorted()
}

/// A history with a root commit, adds, edits, deletes, a binary file and a merge of a side branch.
private func richHistory() throws -> GitFixture {
    let fx = try GitFixture()
    try fx.commit("root", files: ["README.md": "# demo\n", "src/a.swift": "let a = 1\n"])
    try fx.commit("add and edit", files: ["src/a.swift": "let a = 2\nlet b = 3\n", "src/b.rs": "fn main() {}\n"])
    try fx.write("assets/logo.bin", Data([0, 1, 2, 0, 255, 10, 0]))
    try fx.commit("binary")
    try fx.git("checkout", "-q", "-b", "side")
    try fx.commit("side work", files: ["side.txt": "one\ntwo\n", "src/a.swift": "let a = 2\nlet b = 4\n"])
    try fx.git("checkout", "-q", "main")
    try fx.commit("main work", files: ["docs/PLAN.md": "- [x] done\n"], deleting: ["src/b.rs"])
    try fx.gitData(["merge", "-q", "--no-ff", "-m", "merge side", "side"], environment: fx.dateEnvironment())
    try fx.commit("after merge", files: ["docs/PLAN.md": "- [x] done\n- [ ] next\n"])
    return fx
}

@Suite struct SnapshotServiceTests {
    @Test func recordsEveryCommitWithTheSamePathsAndStatsAsGitLog() throws {
        let fx = try richHistory()
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, withStats: true))
        let expected = try fx.lines("rev-list", "HEAD").sorted()
        #expect(report.newCommits == expected.count)
        #expect(report.head == (try fx.head()))
        #expect(report.missingObjects == 0)

        let ledger = try Ledger(path: report.ledger)
        #expect(try ledger.allCommitShas() == expected)
        let nameStatus = try gitLogPerCommit(fx, ["--name-status"])
        let numstat = try gitLogPerCommit(fx, ["--numstat"])
        for sha in expected {
            #expect(try ledgerNameStatus(ledger, sha) == nameStatus[sha] ?? [], "name-status of \(sha)")
            #expect(try ledgerNumstat(ledger, sha) == numstat[sha] ?? [], "numstat of \(sha)")
        }
        // The merge was diffed against its first parent, so it carries the side branch's files.
        let merge = try fx.rev("HEAD^")
        #expect(try ledgerNameStatus(ledger, merge).contains("A\tside.txt"))
    }

    @Test func secondRunRecordsOnlyNewCommits() throws {
        let fx = try GitFixture()
        try fx.importLinearHistory(count: 120)
        let service = SnapshotService()
        let request = SnapshotRequest(repositoryPath: fx.path.path)
        let first = try service.run(request)
        #expect(first.newCommits == 120)
        #expect(first.knownCommits == 0)

        let second = try service.run(request)
        #expect(second.newCommits == 0)
        #expect(second.walkedCommits == 0)
        #expect(second.knownCommits == 120)

        try fx.importLinearHistory(count: 1, startAt: 120)
        let third = try service.run(request)
        #expect(third.newCommits == 1)
        #expect(third.walkedCommits == 1)
        #expect(third.head == (try fx.head()))
        let ledger = try Ledger(path: third.ledger)
        #expect(try ledger.commitCount() == 121)
        #expect(try ledger.runs().count == 3)
    }

    @Test func statsAreAddedToCommitsRecordedWithoutThem() throws {
        let fx = try richHistory()
        let service = SnapshotService()
        _ = try service.run(SnapshotRequest(repositoryPath: fx.path.path))
        let ledger = try Ledger(path: RepositoryAccess.ledgerPath(for: try RepositoryAccess.open(fx.path.path)))
        let head = try fx.head()
        #expect(try ledger.paths(of: head).allSatisfy { $0.additions == nil })

        let withStats = try service.run(SnapshotRequest(repositoryPath: fx.path.path, withStats: true))
        #expect(withStats.newCommits == 0)
        #expect(withStats.walkedCommits == (try fx.lines("rev-list", "HEAD").count))
        #expect(try ledgerNumstat(ledger, head) == (try gitLogPerCommit(fx, ["--numstat"]))[head])
    }

    @Test func allMeansBranchesAndTagsButNotPullRefs() throws {
        let fx = try richHistory()
        try fx.git("tag", "-a", "v1", "-m", "v1", "HEAD~2")
        // A pull-request ref pointing at a commit no branch contains.
        let tree = try fx.rev("HEAD^{tree}")
        let stray = try fx.gitData(["commit-tree", tree, "-p", "HEAD", "-m", "pr only"], environment: fx.dateEnvironment())
            .out.trimmingCharacters(in: .whitespacesAndNewlines)
        try fx.git("update-ref", "refs/pull/7/head", stray)
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, all: true))
        let expected = try fx.lines("rev-list", "--branches", "--tags").sorted()
        let ledger = try Ledger(path: report.ledger)
        #expect(try ledger.allCommitShas() == expected)
        #expect(!(try ledger.allCommitShas()).contains(stray))
    }

    @Test func rangeRecordsOnlyTheRange() throws {
        let fx = try GitFixture()
        try fx.importLinearHistory(count: 10)
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, revisions: ["HEAD~3..HEAD"]))
        #expect(report.newCommits == 3)
        // A range is not a complete tip: a later full run still records the rest.
        let full = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path))
        #expect(full.newCommits == 7)
    }

    @Test func missingBlobIsCountedAndTheRunGoesOn() throws {
        let fx = try richHistory()
        // Loose objects only (no gc): delete the blob of src/b.rs, as a partial clone would lack it.
        let blob = try fx.rev("HEAD~3:src/b.rs")
        let objectFile = fx.path.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        try FileManager.default.removeItem(at: objectFile)

        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, withStats: true))
        #expect(report.missingObjects == 1)
        #expect(report.missing.map(\.object).contains(blob))
        let ledger = try Ledger(path: report.ledger)
        #expect(try ledger.allCommitShas() == (try fx.lines("rev-list", "HEAD").sorted()))
        #expect(try ledger.missingObjects().contains { $0.object == blob })
    }

    @Test func missingTreeIsCountedAndTheRunGoesOn() throws {
        let fx = try richHistory()
        let tree = try fx.rev("HEAD~5:src")  // the src/ subtree of the second commit
        let objectFile = fx.path.appendingPathComponent(".git/objects/\(tree.prefix(2))/\(tree.dropFirst(2))")
        try FileManager.default.removeItem(at: objectFile)
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path))
        #expect(report.missingObjects >= 1)
        let ledger = try Ledger(path: report.ledger)
        #expect(try ledger.commitCount() == (try fx.lines("rev-list", "HEAD").count))
    }

    @Test func unbornBranchRecordsNothing() throws {
        let fx = try GitFixture()
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path))
        #expect(report.head == nil)
        #expect(report.newCommits == 0)
    }

    @Test func unknownRevisionIsAnErrorNamingIt() throws {
        let fx = try richHistory()
        do {
            _ = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, revisions: ["no-such-branch"]))
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .couldNotRun)
            #expect(error.description.contains("no-such-branch"))
        }
    }

    @Test func linkedWorktreeSharesTheLedgerOfTheMainRepository() throws {
        let fx = try richHistory()
        let wt = fx.root.appendingPathComponent("wt")
        try fx.git("worktree", "add", "-q", wt.path, "side")
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: wt.path))
        #expect(report.head == (try fx.rev("side")))
        #expect(report.ledger == fx.path.appendingPathComponent(".git/assay/ledger.sqlite").path)
        #expect(report.newCommits == (try fx.lines("rev-list", "side").count))
    }
    @Test func shallowCloneIsWalkedToItsBoundaryLikeGitLog() throws {
        let origin = try richHistory()
        let clone = try GitFixture()
        try FileManager.default.removeItem(at: clone.path)
        let cloned = try runProcess("git", ["clone", "-q", "--depth", "3", "file://\(origin.path.path)", clone.path.path])
        try #require(cloned.status == 0, "\(cloned.err)")
        let boundary = try String(contentsOf: clone.path.appendingPathComponent(".git/shallow"), encoding: .utf8)
        #expect(!boundary.isEmpty)

        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: clone.path.path, withStats: true))
        #expect(report.missingObjects == 0)
        let expected = try clone.lines("rev-list", "HEAD").sorted()
        let ledger = try Ledger(path: report.ledger)
        #expect(try ledger.allCommitShas() == expected)
        // git shows a boundary commit as if it had no parent: every file added.
        let nameStatus = try gitLogPerCommit(clone, ["--name-status"])
        let numstat = try gitLogPerCommit(clone, ["--numstat"])
        for sha in expected {
            #expect(try ledgerNameStatus(ledger, sha) == nameStatus[sha] ?? [], "name-status of \(sha)")
            #expect(try ledgerNumstat(ledger, sha) == numstat[sha] ?? [], "numstat of \(sha)")
        }
        let repo = try Repository(discoveringFrom: clone.path.path)
        #expect(repo.isShallow)
        let walked = try repo.commits(["HEAD"])
        #expect(walked.count == expected.count)
        #expect(Set(walked.map(\.hex)) == Set(expected))
    }
    @Test func gitattributesDecideBinaryLikeGitLog() throws {
        let fx = try GitFixture()
        try fx.commit("attrs", files: [".gitattributes": "*.dat binary\n", "data.dat": "one\ntwo\n", "plain.txt": "a\n"])
        try fx.commit("edit", files: ["data.dat": "one\nthree\n", "plain.txt": "a\nb\n"])
        let report = try SnapshotService().run(SnapshotRequest(repositoryPath: fx.path.path, withStats: true))
        let ledger = try Ledger(path: report.ledger)
        let numstat = try gitLogPerCommit(fx, ["--numstat"])
        let head = try fx.head()
        #expect(numstat[head]?.contains("-\t-\tdata.dat") == true)
        #expect(try ledgerNumstat(ledger, head) == numstat[head])
    }
}
