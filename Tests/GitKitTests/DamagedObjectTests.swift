import AssayTestSupport
import Foundation
import GitKit
import Testing

@Suite("Damaged loose objects and non-UTF-8 paths")
struct DamagedObjectTests {
    /// Cuts a loose object file down to `size` bytes.
    func truncate(_ fx: GitFixture, _ id: String, to size: UInt64) throws {
        let file = fx.path.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: size)
        try handle.close()
    }

    /// libgit2 1.5 spins forever inflating a loose object whose file ends early; GitKit answers a
    /// corrupt-object error naming it instead, while intact loose objects read as before.
    @Test(arguments: [2, 5, 12] as [UInt64])
    func truncatedLooseBlobThrowsCorruptNamingTheObject(size: UInt64) throws {
        let fx = try GitFixture()
        try fx.commit("Two files", files: ["a.txt": String(repeating: "hello world\n", count: 40), "b.txt": "intact\n"])
        let a = try fx.rev("HEAD:a.txt"), b = try fx.rev("HEAD:b.txt")
        try truncate(fx, a, to: size)
        let repo = try Repository(discoveringFrom: fx.path.path)
        let aID = try oid(a)
        let started = Date()
        do {
            _ = try repo.blob(aID)
            Issue.record("a truncated blob was read")
        } catch {
            #expect(error.isCorruptObject, "\(error)")
            #expect(!error.isMissingObject)
            #expect(error.message.contains(a), "\(error)")
            #expect(error.message.contains("truncated"), "\(error)")
        }
        // By an abbreviated id too (libgit2 reads it by prefix).
        do {
            _ = try repo.resolve(String(a.prefix(10)))
            Issue.record("a truncated blob was resolved")
        } catch {
            #expect(error.isCorruptObject, "\(error)")
            #expect(error.message.contains(a), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 2)
        // The intact blob next to it still reads, with git's bytes.
        #expect(try repo.blob(oid(b)) == Array(fx.git("cat-file", "blob", b).utf8))
    }

    /// git reads a packed copy before a loose one; so does libgit2. A damaged loose duplicate of a
    /// packed object is not an error.
    @Test func damagedLooseCopyOfAPackedObjectReadsFromThePack() throws {
        let fx = try GitFixture()
        try fx.commit("One", files: ["a.txt": String(repeating: "packed and loose\n", count: 20)])
        let a = try fx.rev("HEAD:a.txt")
        try fx.git("repack", "-a", "-q")  // packs everything and keeps the loose files
        #expect(FileManager.default.fileExists(atPath: fx.path.appendingPathComponent(".git/objects/\(a.prefix(2))/\(a.dropFirst(2))").path))
        try truncate(fx, a, to: 5)
        let expected = Array(try fx.git("cat-file", "blob", a).utf8)
        let repo = try Repository(discoveringFrom: fx.path.path)
        #expect(try repo.blob(oid(a)) == expected)
    }

    /// Handles share what they listed and checked, but a handle opened after git wrote (and here
    /// damaged) a new loose object sees it.
    @Test func aHandleOpenedLaterSeesNewLooseObjects() throws {
        let fx = try GitFixture()
        try fx.commit("One", files: ["a.txt": "first\n"])
        let first = try Repository(discoveringFrom: fx.path.path)
        // Asking for an absent object in every fan-out directory makes the first handle list them all.
        for byte in 0..<256 {
            _ = try? first.blob(#require(ObjectID(bytes: [UInt8(byte)] + [UInt8](repeating: 0, count: 19))))
        }
        let damaged = try fx.git("hash-object", "-w", "--stdin", input: Data("written later\n".utf8)).trimmed
        let intact = try fx.git("hash-object", "-w", "--stdin", input: Data("also written later\n".utf8)).trimmed
        try truncate(fx, damaged, to: 5)
        let second = try Repository(discoveringFrom: fx.path.path)
        let damagedID = try oid(damaged)
        do {
            _ = try second.blob(damagedID)
            Issue.record("a truncated blob was read")
        } catch {
            #expect(error.isCorruptObject && error.message.contains(damaged), "\(error)")
        }
        #expect(try second.blob(oid(intact)) == Array("also written later\n".utf8))
    }

    /// A damaged commit is reported where libgit2 rewords the error (peeling HEAD).
    @Test func truncatedLooseCommitNamesTheObjectWhenPeelingHead() throws {
        let fx = try GitFixture()
        let head = try fx.commit("One", files: ["a.txt": "a\n"])
        try truncate(fx, head, to: 5)
        let repo = try Repository(discoveringFrom: fx.path.path)
        do {
            _ = try repo.head()
            Issue.record("a truncated commit was read")
        } catch {
            #expect(error.isCorruptObject, "\(error)")
            #expect(error.message.contains(head), "\(error)")
        }
    }

    @Test func escapedPathsKeepEveryByte() throws {
        let latin1: [UInt8] = Array("src/caf".utf8) + [0xE9] + Array(".rs".utf8)
        let path = GitPath(bytes: latin1)
        #expect(!path.isValidUTF8)
        #expect(GitPath(escaped: path.escapedString) == path)
        #expect(GitPath.displayString(path.escapedString) == path.string)
        // Valid UTF-8 is unchanged, an escape scalar already in the text survives the round trip,
        // and a lone continuation byte or a truncated sequence is escaped byte by byte.
        for bytes: [UInt8] in [Array("src/café.rs".utf8), Array("\u{10FFE9}".utf8), [0x80, 0x41], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            let p = GitPath(bytes: bytes)
            #expect(GitPath(escaped: p.escapedString) == p, "\(bytes)")
            #expect(GitPath.escapingInvalidUTF8(bytes).count >= bytes.count)
        }
        #expect(GitPath(bytes: Array("src/café.rs".utf8)).escapedString == "src/café.rs")
    }
}
