internal import CLibGit2
import Foundation

/// libgit2 is initialised once per process; reads skip strict hash verification (objects are still
/// located by their id, and git's own fsck is the place to verify them), which makes full-history walks
/// markedly faster.
public enum LibGit2 {
    /// Initialises libgit2 now (it loads the system's CA certificates: several milliseconds). A
    /// command line calls this on a background thread at start-up, so the work overlaps argument
    /// parsing; the first repository opened waits for it if it has not finished.
    public static func warmUp() { _ = initialized }

    static let initialized: Bool = {
        git_libgit2_init()
        _ = assay_git_set_strict_hash_verification(0)
        // Keep parsed trees of any size in the object cache: history walks revisit the same subtrees.
        _ = assay_git_set_cache_object_limit(GIT_OBJECT_TREE, 16 << 20)
        if ProcessInfo.processInfo.environment["ASSAY_NO_GIT_CACHE"] != nil { git_libgit2_opts_caching_off() }
        return true
    }()
}

/// A git repository opened through libgit2. One owner per handle: the class frees the repository in
/// `deinit`. Not thread-safe: open one `Repository` per thread (they share nothing but the files).
public final class Repository {
    let pointer: OpaquePointer

    /// Where the repository was found: the `.git` directory (or the bare repository itself), the
    /// common directory shared by linked worktrees, and the working tree (nil when bare).
    public let gitDirectory: URL
    public let commonDirectory: URL
    public let workingDirectory: URL?
    public var isBare: Bool { workingDirectory == nil }
    /// The boundary commits of a shallow clone (`$GIT_DIR/shallow`); empty for a full clone.
    public let shallowBoundary: Set<ObjectID>
    public var isShallow: Bool { !shallowBoundary.isEmpty }

    /// Opens the repository containing `path`: any directory inside a working tree, a `.git`
    /// directory, a bare repository, or a linked worktree. Searches upwards like `git` does.
    ///
    /// With `objectsInMemory`, objects this handle writes (blobs and trees made from the index or
    /// the working tree) stay in memory and vanish with it: nothing is added to `.git/objects`.
    public init(discoveringFrom path: String, objectsInMemory: Bool = false) throws(GitError) {
        _ = LibGit2.initialized
        var repo: OpaquePointer?
        let result = git_repository_open_ext(&repo, path, 0, nil)
        if result < 0 {
            let error = lastError(result, "git_repository_open_ext")
            if error.code == .notFound {
                throw GitError(code: .notFound, errorClass: error.errorClass,
                               message: "not a git repository (or any parent up to /): \(path)",
                               function: "git_repository_open_ext")
            }
            throw error
        }
        pointer = repo!
        gitDirectory = URL(fileURLWithPath: String(cString: git_repository_path(pointer)))
        commonDirectory = URL(fileURLWithPath: String(cString: git_repository_commondir(pointer)))
        if let wd = git_repository_workdir(pointer) {
            workingDirectory = URL(fileURLWithPath: String(cString: wd))
        } else {
            workingDirectory = nil
        }
        try Self.addObjectDirectoriesFromEnvironment(pointer)
        try LooseObjectGuard.install(on: pointer, directories: Self.looseObjectDirectories(commonDirectory))
        if objectsInMemory {
            var odb: OpaquePointer?
            try check(git_repository_odb(&odb, pointer), "git_repository_odb")
            defer { git_odb_free(odb) }
            var backend: UnsafeMutablePointer<git_odb_backend>?
            try check(git_mempack_new(&backend), "git_mempack_new")
            // Highest priority: writes land here first; reads of everything else fall through to disk.
            try check(git_odb_add_backend(odb, backend, 999), "git_odb_add_backend")
        }
        let shallowFile = commonDirectory.appendingPathComponent("shallow")
        if let text = try? String(contentsOf: shallowFile, encoding: .utf8) {
            shallowBoundary = Set(text.split(whereSeparator: \.isNewline).compactMap { ObjectID(hex: $0) })
        } else {
            shallowBoundary = []
        }
    }

    deinit { git_repository_free(pointer) }

    /// Object directories git hands to hooks: during `pre-receive` the pushed objects wait in a
    /// quarantine directory named by `GIT_OBJECT_DIRECTORY` (the repository's own directory is then
    /// in `GIT_ALTERNATE_OBJECT_DIRECTORIES`). Both are read as alternates, as git reads them.
    private static func addObjectDirectoriesFromEnvironment(_ repo: OpaquePointer) throws(GitError) {
        let env = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let dir = env["GIT_OBJECT_DIRECTORY"], !dir.isEmpty { directories.append(dir) }
        if let dirs = env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] {
            directories += dirs.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        guard !directories.isEmpty else { return }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repo), "git_repository_odb")
        defer { git_odb_free(odb) }
        let own = URL(fileURLWithPath: String(cString: git_repository_commondir(repo)))
            .appendingPathComponent("objects").resolvingSymlinksInPath().path
        for dir in directories where FileManager.default.fileExists(atPath: dir)
            && URL(fileURLWithPath: dir).resolvingSymlinksInPath().path != own {
            try check(git_odb_add_disk_alternate(odb, dir), "git_odb_add_disk_alternate(\(dir))")
        }
    }

    /// Every directory loose objects are read from: the repository's `objects`, the directories
    /// hooks name in the environment, and the alternates listed in `objects/info/alternates`.
    private static func looseObjectDirectories(_ common: URL) -> [String] {
        let own = common.appendingPathComponent("objects").path
        var directories = [own]
        let env = ProcessInfo.processInfo.environment
        if let dir = env["GIT_OBJECT_DIRECTORY"], !dir.isEmpty { directories.append(dir) }
        if let dirs = env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] {
            directories += dirs.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let text = try? String(contentsOfFile: own + "/info/alternates", encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.isEmpty {
                let path = String(line)
                directories.append(path.hasPrefix("/") ? path : URL(fileURLWithPath: own).appendingPathComponent(path).standardized.path)
            }
        }
        return directories
    }

    /// Whether any gitattributes source could apply here (`.gitattributes` files in the index or work
    /// tree, `info/attributes`, `core.attributesFile`, the user's and the system's attributes file).
    /// When none does, line counting skips libgit2's per-path attribute lookups, which otherwise
    /// cost a dozen failed `stat`/`readlink` calls per changed file.
    public lazy var hasAttributeSources: Bool = {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        var candidates = [commonDirectory.appendingPathComponent("info/attributes").path, "/etc/gitattributes"]
        if let configured = try? configString("core.attributesFile") {
            candidates.append((configured as NSString).expandingTildeInPath)
        }
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { candidates.append(xdg + "/git/attributes") }
        if let home = env["HOME"] { candidates.append(home + "/.config/git/attributes") }
        if let wd = workingDirectory { candidates.append(wd.appendingPathComponent(".gitattributes").path) }
        if candidates.contains(where: { fm.fileExists(atPath: $0) }) { return true }
        let suffix = Array(".gitattributes".utf8)
        return ((try? indexEntries()) ?? []).contains { $0.path.bytes.count >= suffix.count && Array($0.path.bytes.suffix(suffix.count)) == suffix }
    }()

    // MARK: - Revisions

    /// Resolves any revspec git understands (`HEAD~2`, `main`, `v1.0^{commit}`, a short SHA) to an object id.
    public func resolve(_ spec: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, spec), "git_revparse_single(\(spec))")
        defer { git_object_free(object) }
        return ObjectID(git_object_id(object)!)
    }

    /// Resolves a revspec and peels it to a commit (tags are followed).
    public func resolveCommit(_ spec: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, spec), "git_revparse_single(\(spec))")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "git_object_peel(\(spec))")
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled)!)
    }

    /// True when the object is present in the object database.
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0 else { return false }
        defer { git_odb_free(odb) }
        var oid = id.gitOID
        return git_odb_exists(odb, &oid) == 1
    }

    /// The commit `HEAD` points at, or nil on an unborn branch.
    public func head() throws(GitError) -> ObjectID? {
        var ref: OpaquePointer?
        let result = git_repository_head(&ref, pointer)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_repository_head")
        defer { git_reference_free(ref) }
        var peeled: OpaquePointer?
        try check(git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT), "git_reference_peel(HEAD)")
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled)!)
    }

    /// The branch `HEAD` is on (`main`, `feature/x`), also on an unborn branch; nil when detached.
    public func currentBranch() -> String? {
        var ref: OpaquePointer?
        guard git_reference_lookup(&ref, pointer, "HEAD") == 0 else { return nil }
        defer { git_reference_free(ref) }
        guard let target = git_reference_symbolic_target(ref) else { return nil }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
    }

    /// Reference names matching a glob (e.g. `refs/heads/*`), with the commit each peels to.
    public func references(glob: String) throws(GitError) -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, pointer, glob), "git_reference_iterator_glob_new(\(glob))")
        defer { git_reference_iterator_free(iterator) }
        var out: [(String, ObjectID)] = []
        var ref: OpaquePointer?
        while git_reference_next(&ref, iterator) == 0 {
            defer { git_reference_free(ref) }
            let name = String(cString: git_reference_name(ref))
            var peeled: OpaquePointer?
            if git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0 {
                out.append((name, ObjectID(git_object_id(peeled)!)))
                git_object_free(peeled)
            }
        }
        return out
    }

    /// The target of a direct reference, or nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_reference_name_to_id(\(name))")
        return ObjectID(oid)
    }

    /// The best common ancestor of two commits, or nil when they share no history.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid()
        var one = a.gitOID, two = b.gitOID
        let result = git_merge_base(&out, pointer, &one, &two)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_merge_base")
        return ObjectID(out)
    }

    /// True when `ancestor` is reachable from `descendant` (or equal to it).
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        var a = descendant.gitOID, b = ancestor.gitOID
        let result = git_graph_descendant_of(pointer, &a, &b)
        try check(result, "git_graph_descendant_of")
        return result == 1
    }

    // MARK: - Configuration

    /// A string from git's configuration (repository, global, system), or nil when unset.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, pointer), "git_repository_config_snapshot")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_config_get_string(\(key))")
        return value.map { String(cString: $0) }
    }
}
