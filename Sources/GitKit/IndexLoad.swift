import Foundation

/// An index file being loaded on another thread. Loading a large index (50,000 entries: tens of
/// milliseconds in libgit2) is the slowest step of a staged audit, so it starts as early as it can:
/// beside other work (`start`), or before the command line is even parsed (`IndexLoad.prefetch`).
///
/// The file's identity (device, inode, size, modification time) is taken before loading starts and
/// compared when the result is claimed: an index that git replaced in between is loaded again, so
/// an early start never hands out content older than a late one would.
public final class IndexLoad: @unchecked Sendable {
    /// The index file; nil until a prefetch has found its repository (or found none).
    private(set) var path: String?
    private var stamp: FileStamp?
    private var result: Result<IndexSnapshot, GitError>?
    private let located = DispatchSemaphore(value: 0)
    private let loaded = DispatchSemaphore(value: 0)

    private init() {}

    /// Starts loading `path` on a new thread.
    public static func start(_ path: String) -> IndexLoad {
        let load = IndexLoad()
        load.path = path
        load.located.signal()
        Thread.detachNewThread { load.run() }
        return load
    }

    /// The index, once loaded (waits for it); call it once. A file changed since loading began is
    /// read again.
    public func snapshot() throws(GitError) -> IndexSnapshot {
        loaded.wait()
        let outcome = result!
        result = nil  // the caller's reference is the only one now (see `release`)
        let snapshot = try outcome.get()
        guard let path, FileStamp(path) != stamp else { return snapshot }
        Self.release(snapshot)
        return try IndexSnapshot.load(path)
    }

    private func run() {
        stamp = FileStamp(path!)
        result = Result { () throws(GitError) in try IndexSnapshot.load(path!) }
        loaded.signal()
    }

    // MARK: Prefetching at start-up

    nonisolated(unsafe) private static var early: IndexLoad?
    private static let earlyLock = NSLock()

    /// Loads the index of the repository containing `directory` on a new thread (after libgit2's
    /// initialisation, which it does), for `claim` to take. It is registered before this returns, so
    /// a `claim` made while the repository is still being found waits for it rather than loading the
    /// file twice. Nothing is loaded for a bare repository or a directory outside any repository.
    public static func prefetch(repositoryAt directory: String) {
        let load = IndexLoad()
        earlyLock.withLock { early = load }
        Thread.detachNewThread {
            LibGit2.warmUp()
            let found = try? Repository(discoveringFrom: directory)
            if let found, !found.isBare { load.path = found.indexFilePath }
            load.located.signal()
            if load.path != nil { load.run() }
        }
    }

    /// The prefetched load of `path`, if one was started for that file (it is then handed out once);
    /// nil otherwise, and the caller loads the file itself.
    public static func claim(_ path: String) -> IndexLoad? {
        guard let load = earlyLock.withLock({ early }) else { return nil }
        load.located.wait()
        load.located.signal()  // a later claim (of another path) does not wait
        return earlyLock.withLock { () -> IndexLoad? in
            guard early === load, load.path == path else { return nil }
            early = nil
            return load
        }
    }

    /// Drops `snapshot` on another thread, a while after the caller is done with it: freeing 50,000
    /// index entries takes milliseconds nobody needs to wait for (and a command line exits first).
    public static func release(_ snapshot: IndexSnapshot) {
        let box = Box(snapshot)
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(250)) { box.value = nil }
    }

    private final class Box: @unchecked Sendable {
        var value: IndexSnapshot?
        init(_ value: IndexSnapshot) { self.value = value }
    }
}

/// What identifies one version of a file without reading it: git replaces the index by renaming a
/// new file over it, which changes the inode; an edit in place changes the size or modification time.
struct FileStamp: Equatable {
    let device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int

    /// nil when the file does not exist (or cannot be examined).
    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        #if canImport(Darwin)
        seconds = Int(st.st_mtimespec.tv_sec); nanoseconds = Int(st.st_mtimespec.tv_nsec)
        #else
        seconds = Int(st.st_mtim.tv_sec); nanoseconds = Int(st.st_mtim.tv_nsec)
        #endif
    }
}

