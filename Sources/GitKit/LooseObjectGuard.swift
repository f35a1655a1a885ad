internal import CLibGit2
import Foundation
import Synchronization

/// Stops libgit2 1.5 from spinning forever on a truncated loose object.
///
/// libgit2 1.5 inflates a loose object in a loop that waits for zlib to make progress; when the
/// file ends before its zlib stream does, zlib can make none and the loop never ends (100% CPU in
/// `git_odb_read`), where `git cat-file` fails at once. This guard is an object-database backend
/// consulted before libgit2's own: for an object stored loose it checks once, reading the file's
/// bytes, that the zlib stream is complete, and answers a corrupt-object error naming the object
/// when it is not; otherwise it passes the read on, so libgit2 still does every read.
final class LooseObjectGuard {
    /// `objects` directories to look for loose files in: the repository's own, then alternates.
    let directories: [String]
    /// The loose objects of each fan-out directory (by the id's first byte), as `shared` listed them.
    private var listings: [Int: [ObjectID: String]] = [:]
    private let key: String

    init(directories: [String]) {
        self.directories = directories
        key = directories.joined(separator: "\0")
    }

    /// What every handle of the process shares: directory listings, the objects found whole, and
    /// the buffers to inflate with. A repository opened many times (per thread, per step) lists
    /// and checks each loose object once.
    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        /// By object directories, then fan-out: the listing, with the directories' modification
        /// times it was made at (a handle opened later lists again when they changed).
        var listings: [String: [Int: (stamp: [Int], files: [ObjectID: String])]] = [:]
        /// Loose object files found whole, by path (the same id in another repository is another file).
        var whole: Set<String> = []
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        let stream: UnsafeMutablePointer<z_stream> = {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            return s
        }()
        var streamReady = false
    }

    private static let shared = Shared()
    private var lock: NSLock { Self.shared.lock }

    /// Adds a guard to `repo`'s object database, ahead of every other backend.
    static func install(on repo: OpaquePointer, directories: [String]) throws(GitError) {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repo), "git_repository_odb")
        defer { git_odb_free(odb) }
        let backend = UnsafeMutablePointer<assay_odb_guard>.allocate(capacity: 1)
        backend.initialize(to: assay_odb_guard())
        let initialized = git_odb_init_backend(&backend.pointee.parent, UInt32(GIT_ODB_BACKEND_VERSION))
        if initialized < 0 {
            backend.deinitialize(count: 1)
            backend.deallocate()
            throw lastError(initialized, "git_odb_init_backend")
        }
        backend.pointee.context = Unmanaged.passRetained(LooseObjectGuard(directories: directories)).toOpaque()
        backend.pointee.parent.read = { _, _, _, backend, oid in LooseObjectGuard.answer(backend, oid) }
        backend.pointee.parent.read_header = { _, _, backend, oid in LooseObjectGuard.answer(backend, oid) }
        backend.pointee.parent.read_prefix = { _, _, _, _, backend, prefix, length in
            LooseObjectGuard.answer(backend, prefix, length: length)
        }
        backend.pointee.parent.foreach = { _, _, _ in 0 }
        backend.pointee.parent.free = { backend in
            guard let backend else { return }
            backend.withMemoryRebound(to: assay_odb_guard.self, capacity: 1) { b in
                if let context = b.pointee.context { Unmanaged<LooseObjectGuard>.fromOpaque(context).release() }
                b.deinitialize(count: 1)
                b.deallocate()
            }
        }
        let result = backend.withMemoryRebound(to: git_odb_backend.self, capacity: 1) { git_odb_add_backend(odb, $0, 1000) }
        if result < 0 {
            let error = lastError(result, "git_odb_add_backend")
            if let context = backend.pointee.context { Unmanaged<LooseObjectGuard>.fromOpaque(context).release() }
            backend.deinitialize(count: 1)
            backend.deallocate()
            throw error
        }
    }

    /// `GIT_PASSTHROUGH` (let libgit2's backends read it) unless the object is a damaged loose file.
    private static func answer(_ backend: UnsafeMutablePointer<git_odb_backend>?, _ oid: UnsafePointer<git_oid>?,
                               length: Int = Int(GIT_OID_HEXSZ)) -> Int32 {
        guard let backend, let oid,
              let context = backend.withMemoryRebound(to: assay_odb_guard.self, capacity: 1, { $0.pointee.context })
        else { return GIT_PASSTHROUGH.rawValue }
        let guardian = Unmanaged<LooseObjectGuard>.fromOpaque(context).takeUnretainedValue()
        guard let problem = guardian.problem(ObjectID(oid), length: length) else { return GIT_PASSTHROUGH.rawValue }
        git_error_set_str(Int32(GIT_ERROR_ZLIB.rawValue), problem)
        refused.store(true, ordering: .relaxed)
        Thread.current.threadDictionary[problemKey] = problem
        return GIT_ERROR.rawValue
    }

    /// Set once any guard has refused an object in this process (then `takeProblem` looks closer).
    private static let refused = Atomic<Bool>(false)
    private static let problemKey = "assay.GitKit.damagedObject"

    /// The damaged object this thread's last refused read named, cleared as it is taken. libgit2
    /// rewords some errors on their way up ("the reference cannot be peeled"); `lastError` adds
    /// this back so the message still names the object.
    static func takeProblem() -> String? {
        guard refused.load(ordering: .relaxed) else { return nil }
        let dictionary = Thread.current.threadDictionary
        guard let problem = dictionary[problemKey] as? String else { return nil }
        dictionary.removeObject(forKey: problemKey)
        return problem
    }

    /// What is wrong with the loose object(s) whose id starts with the first `length` hex digits of
    /// `id`, or nil when none is damaged (or none is stored loose). The common case (a full id that
    /// is packed, or loose and already checked) costs a dictionary lookup and no allocation.
    func problem(_ id: ObjectID, length: Int) -> String? {
        guard length >= 2 else { return nil }
        let fanout = Int(truncatingIfNeeded: id.a >> 56)
        lock.lock(); defer { lock.unlock() }
        let table = looseFiles(fanout)
        let candidates: [(ObjectID, String)]
        if length >= 40 {
            guard let path = table[id] else { return nil }
            candidates = [(id, path)]
        } else {
            let prefix = id.hex.prefix(length)
            candidates = table.filter { $0.key.hex.hasPrefix(prefix) }.map { ($0.key, $0.value) }
        }
        for (found, path) in candidates where !Self.shared.whole.contains(path) {
            if let problem = Self.inspect(path: path, id: found) {
                // libgit2 reads packs before loose files: a packed copy is what it will read.
                if !directories.contains(where: { Self.isPacked(found, in: $0) }) { return problem }
            }
            Self.shared.whole.insert(path)
        }
        return nil
    }

    /// The loose objects in one fan-out directory (`<objects>/ab`) of every object directory, with
    /// their files; listed on first use (the repository's own directory wins over alternates).
    private func looseFiles(_ fanout: Int) -> [ObjectID: String] {
        if let listed = listings[fanout] { return listed }
        let hex = Array("0123456789abcdef")
        let name = String([hex[fanout >> 4], hex[fanout & 0xf]])
        let folders = directories.map { $0 + "/" + name }
        // Modification times (ns) of the fan-out directories: adding or removing a file changes them.
        let stamp: [Int] = folders.map { folder in
            var info = stat()
            guard stat(folder, &info) == 0 else { return -1 }
            return info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
        }
        if let listed = Self.shared.listings[key]?[fanout], listed.stamp == stamp {
            listings[fanout] = listed.files
            return listed.files
        }
        var table: [ObjectID: String] = [:]
        for folder in folders {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.utf8.count == 38 {
                if let id = ObjectID(fanout: UInt8(fanout), hexRest: file), table[id] == nil { table[id] = folder + "/" + file }
            }
        }
        listings[fanout] = table
        Self.shared.listings[key, default: [:]][fanout] = (stamp, table)
        return table
    }

    /// True when a pack in `directory` holds the object (asked of libgit2's own pack backend; only
    /// when a loose copy is damaged, so the cost of opening the packs' indexes is rare).
    static func isPacked(_ id: ObjectID, in directory: String) -> Bool {
        var backend: UnsafeMutablePointer<git_odb_backend>?
        guard git_odb_backend_pack(&backend, directory) == 0, let backend else { return false }
        defer { backend.pointee.free?(backend) }
        var oid = id.gitOID
        return backend.pointee.exists?(backend, &oid) == 1
    }

    /// Inflates a loose object file to its end, discarding the output: nil when the zlib stream is
    /// complete (or the file cannot be opened: libgit2 then says why), else what is wrong.
    private static func inspect(path: String, id: ObjectID) -> String? {
        let (input, output, stream) = (shared.input, shared.output, shared.stream)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if shared.streamReady { inflateReset(stream) } else {
            guard assay_inflate_init(stream) == Z_OK else { return nil }
            shared.streamReady = true
        }
        let inBytes = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let outBytes = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var size = 0
        var result: Int32 = Z_OK
        reading: while true {
            let n = read(fd, inBytes, input.count)
            if n < 0 { return nil }
            if n == 0 {
                // The file is read: let zlib hand over what it holds. Each call makes progress or
                // says it cannot (Z_BUF_ERROR), so the loop ends.
                stream.pointee.avail_in = 0
                repeat {
                    stream.pointee.next_out = outBytes
                    stream.pointee.avail_out = uInt(output.count)
                    result = inflate(stream, Z_NO_FLUSH)
                } while result == Z_OK
                break reading
            }
            size += n
            stream.pointee.next_in = inBytes
            stream.pointee.avail_in = uInt(n)
            while stream.pointee.avail_in > 0 {
                stream.pointee.next_out = outBytes
                stream.pointee.avail_out = uInt(output.count)
                result = inflate(stream, Z_NO_FLUSH)
                if result != Z_OK { break reading }
            }
        }
        if result == Z_STREAM_END { return nil }
        let why = result == Z_BUF_ERROR ? "its zlib stream ends early (the file is truncated)"
            : "its zlib stream is damaged (zlib error \(result))"
        return "loose object \(id.hex) is corrupt: \(path) (\(size) bytes): \(why)"
    }
}

extension ObjectID {
    /// The id whose first byte is `fanout` and whose other 19 bytes are the 38 hex digits of a loose
    /// object's file name; nil for any other name. No allocation: directories can hold thousands.
    init?(fanout: UInt8, hexRest: String) {
        var name = hexRest
        let parsed: (UInt64, UInt64, UInt32)? = name.withUTF8 { digits in
            guard digits.count == 38 else { return nil }
            func nibble(_ c: UInt8) -> UInt64? {
                switch c {
                case 0x30...0x39: return UInt64(c - 0x30)
                case 0x61...0x66: return UInt64(c - 0x61 + 10)
                default: return nil
                }
            }
            var a = UInt64(fanout), b: UInt64 = 0, c: UInt64 = 0
            for i in 0..<38 {
                guard let v = nibble(digits[i]) else { return nil }
                if i < 14 { a = a << 4 | v } else if i < 30 { b = b << 4 | v } else { c = c << 4 | v }
            }
            return (a, b, UInt32(c))
        }
        guard let parsed else { return nil }
        a = parsed.0; b = parsed.1; c = parsed.2
    }
}
