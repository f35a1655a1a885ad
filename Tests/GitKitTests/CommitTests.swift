import AssayTestSupport
import Foundation
import GitKit
import Testing

/// "+0530" → 330, "-0700" → -420.
func offsetMinutes(_ text: some StringProtocol) throws -> Int32 {
    let t = Array(text)
    guard t.count == 5, let hh = Int32(String(t[1...2])), let mm = Int32(String(t[3...4])) else {
        throw TestFailure("bad offset \(text)")
    }
    return (t[0] == "-" ? -1 : 1) * (hh * 60 + mm)
}

@Suite("Commit values")
struct CommitTests {
    @Test func commitFieldsMatchGitLog() throws {
        let f = try GitFixture()
        try f.commit("base", files: ["a.txt": "a\n"])
        try f.git("checkout", "-q", "-b", "side")
        try f.commit("side", files: ["s.txt": "s\n"])
        try f.git("checkout", "-q", "main")
        let message = """
            Add the thing

            A longer body explaining
            the change.

            Co-Authored-By: A <a@x>
            Signed-off-by: Fixture Author <fixture@example.com>

            """
        try f.write("b.txt", "b\n")
        try f.git("add", "-A")
        let env = [
            "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_AUTHOR_DATE": "1700000000 +0530",
            "GIT_COMMITTER_NAME": "Charles Babbage", "GIT_COMMITTER_EMAIL": "cb@example.com", "GIT_COMMITTER_DATE": "1700003600 -0700",
        ]
        try f.gitData(["commit", "-q", "--cleanup=verbatim", "-F", "-"], input: Data(message.utf8), environment: env)
        let withTrailers = try f.head()
        try f.merge("side", message: "merge side")

        let repo = try f.repository()
        let format = "%H%n%T%n%P%n%an%n%ae%n%at%n%ai%n%cn%n%ce%n%ct%n%ci%n%s"
        for line in try f.lines("rev-list", "--all") {
            let fields = try f.git("log", "-1", "--format=\(format)", line)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let id = try oid(fields[0])
            let c = try repo.commit(id)
            #expect(c.id == id)
            #expect(c.tree == (try oid(fields[1])))
            #expect(c.parents == (try fields[2].split(separator: " ").map { try oid($0) }))
            #expect(c.isMerge == (c.parents.count > 1))
            #expect(c.author.name == fields[3])
            #expect(c.author.email == fields[4])
            #expect(c.author.time == Int64(fields[5]))
            #expect(c.author.offsetMinutes == (try offsetMinutes(fields[6].split(separator: " ").last!)))
            #expect(c.committer.name == fields[7])
            #expect(c.committer.email == fields[8])
            #expect(c.committer.time == Int64(fields[9]))
            #expect(c.committer.offsetMinutes == (try offsetMinutes(fields[10].split(separator: " ").last!)))
            #expect(c.subject == fields[11])

            let raw = try f.rawCommitMessage(line)
            #expect(c.rawMessage == raw)
            #expect(c.message == String(decoding: raw, as: UTF8.self))

            let parsed = try f.gitData(["interpret-trailers", "--parse"], input: Data(raw)).out
                .split(separator: "\n").map(String.init)
            #expect(c.trailers.map { "\($0.key): \($0.value)" } == parsed, "trailers of \(id.short)")

            let header = try repo.commitHeader(id)
            #expect(header.tree == c.tree && header.parents == c.parents)
        }

        // The commit with trailers, checked explicitly too.
        let c = try repo.commit(try oid(withTrailers))
        #expect(c.author.offsetMinutes == 330)
        #expect(c.committer.offsetMinutes == -420)
        #expect(c.rawMessage == Array(message.utf8))
        #expect(c.trailers.count == 2)
        #expect(c.trailers.first?.key == "Co-Authored-By")
        #expect(c.trailers.first?.value == "A <a@x>")
        #expect(c.trailers.last?.key == "Signed-off-by")
        #expect(c.encoding == nil)
    }

    @Test func missingCommitThrows() throws {
        let f = try GitFixture()
        try f.commit("one", files: ["a.txt": "a\n"])
        let repo = try f.repository()
        let blob = try f.id("HEAD:a.txt")
        let absent = try oid(String(repeating: "ab", count: 20))
        #expect(try f.gitUnchecked(["cat-file", "-e", absent.hex]).status != 0)
        #expect(repo.contains(absent) == false)
        #expect(repo.contains(blob))
        let error = #expect(throws: GitError.self) { try repo.commit(absent) }
        #expect(error?.isMissingObject == true)
        // A blob is not a commit.
        #expect(throws: GitError.self) { try repo.commit(blob) }
    }

    /// A commit message with invalid UTF-8 and a path that is not UTF-8, both made with plumbing.
    @Test func nonUTF8MessageAndPath() throws {
        let f = try GitFixture()
        let c1 = try f.commit("first", files: ["a.txt": "a\n"])

        let blobText = Data("latin-1 name\n".utf8)
        let blobSha = try f.gitData(["hash-object", "-w", "--stdin"], input: blobText).out.trimmed
        let pathBytes: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
        let nestedBytes: [UInt8] = Array("dir".utf8) + [0xFF] + Array("/inner.txt".utf8)
        var info = Data()
        for p in [pathBytes, nestedBytes] {
            info.append(contentsOf: Array("100644 \(blobSha)\t".utf8) + p + [0x0A])
        }
        try f.gitData(["update-index", "--add", "--index-info"], input: info)
        let tree = try f.git("write-tree").trimmed

        let message: [UInt8] = Array("Caf".utf8) + [0xE9] + Array(" au lait \u{2615}\n\nbroken bytes: ".utf8)
            + [0xFF, 0xFE, 0xC3] + Array("\nend\n".utf8)
        // `git commit-tree` would re-encode a non-UTF-8 message (it assumes Latin-1 and converts), so take
        // the headers of a commit-tree commit and write the raw bytes with `git hash-object -t commit`.
        let template = try f.gitData(["commit-tree", tree, "-p", c1, "-m", "template"], environment: f.dateEnvironment()).out.trimmed
        let headers = try f.commitHeaders(template).joined(separator: "\n")
        let object = Data(Array((headers + "\n\n").utf8) + message)
        let c2 = try f.gitData(["hash-object", "-t", "commit", "-w", "--stdin"], input: object).out.trimmed
        try f.git("update-ref", "refs/heads/main", c2)
        #expect(try f.rev("main^{tree}") == tree)
        #expect(try f.rev("main^") == c1)

        let repo = try f.repository()
        let id2 = try oid(c2)

        // Message bytes exactly as git stored them; decoded leniently.
        let raw = try f.rawCommitMessage(c2)
        #expect(raw == message)
        let commit = try repo.commit(id2)
        #expect(commit.rawMessage == raw)
        #expect(commit.message.contains("\u{FFFD}"))
        #expect(commit.message.hasSuffix("\nend\n"))
        #expect(commit.encoding == nil)
        #expect(!(try f.commitHeaders(c2)).contains { $0.hasPrefix("encoding ") })
        _ = commit.trailers
        _ = commit.subject
        #expect(Set(try repo.commits(["main"])) == Set(try f.ids(["rev-list", "main"])))

        // The diff names the path by its raw bytes.
        let expected = parseNameStatusZ(try f.gitData(["diff-tree", "-r", "--no-renames", "--name-status", "-z", c1, c2]).stdout)
        let diff = try repo.diffCommit(id2)
        #expect(nameStatus(diff) == expected)
        let change = try #require(diff.changes.first { $0.path.bytes == pathBytes })
        #expect(change.status == .added)
        #expect(change.path.isValidUTF8 == false)
        #expect(change.newID == (try oid(blobSha)))
        #expect(diff.changes.contains { $0.path.bytes == nestedBytes && !$0.path.isValidUTF8 })

        // Line stats for the non-UTF-8 paths.
        let numstat = zFields(try f.gitData(["diff-tree", "-r", "--no-renames", "--numstat", "-z", c1, c2]).stdout)
            .map { String(decoding: $0, as: UTF8.self) }.sorted()
        #expect(numstatLines(try repo.diffCommit(id2, options: DiffOptions(lineStats: true))) == numstat)

        // Trees look the path up by its bytes.
        let lsTree = try parseLsTreeZ(try f.gitData(["ls-tree", "-z", c2]).stdout)
        let gitEntry = try #require(lsTree.first { $0.name == pathBytes })
        let entry = try #require(try repo.treeEntry(GitPath(bytes: pathBytes), atCommit: id2))
        #expect(entry.id == gitEntry.id)
        #expect(entry.mode == gitEntry.mode)
        #expect(entry.name.bytes == pathBytes)
        #expect(try repo.blob(entry.id) == Array(try f.gitData(["cat-file", "blob", gitEntry.id.hex]).stdout))
        #expect(try repo.file(GitPath(bytes: pathBytes), atCommit: id2) == Array(blobText))
        let root = try #require(try repo.listDirectory(GitPath(bytes: []), inTree: repo.commit(id2).tree))
        #expect(root.map(\.name.bytes) == lsTree.map(\.name))
        let nested = try #require(try repo.treeEntry(GitPath(bytes: nestedBytes), atCommit: id2))
        #expect(nested.id == (try oid(blobSha)))
        let dirBytes = Array(nestedBytes.prefix(4))
        let dirList = try #require(try repo.listDirectory(GitPath(bytes: dirBytes), inTree: repo.commit(id2).tree))
        #expect(dirList.map(\.name.bytes) == [Array("inner.txt".utf8)])

        // The index holds the raw path too.
        let staged = try parseLsFilesStageZ(try f.gitData(["ls-files", "-s", "-z"]).stdout).sorted()
        let index = try repo.indexEntries().map { StagedEntry(mode: $0.mode, id: $0.id, stage: $0.stage, path: $0.path.bytes) }.sorted()
        #expect(index == staged)
        #expect(try repo.indexEntry(GitPath(bytes: pathBytes))?.id == (try oid(blobSha)))
    }

    @Test func encodingHeader() throws {
        let f = try GitFixture()
        let c1 = try f.commit("first", files: ["a.txt": "a\n"])
        let message: [UInt8] = Array("Caf".utf8) + [0xE9] + Array("\n".utf8)
        let c2 = try f.gitData(["-c", "i18n.commitEncoding=ISO-8859-1", "commit-tree", f.rev("HEAD^{tree}"), "-p", c1],
                               input: Data(message), environment: f.dateEnvironment()).out.trimmed
        let header = try #require(try f.commitHeaders(c2).first { $0.hasPrefix("encoding ") })
        let commit = try f.repository().commit(try oid(c2))
        #expect(commit.encoding == String(header.dropFirst("encoding ".count)))
        #expect(commit.rawMessage == (try f.rawCommitMessage(c2)))
    }
}
