import Foundation

/// The result of running a process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Runs an executable (searched on PATH when not absolute) and waits for it.
@discardableResult
/// Runs a program to completion. With `timeout`, a program still running after that many seconds is
/// killed (its status is then the signal's, 9): a test that must not hang fails instead.
public func runProcess(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                       environment: [String: String] = [:], input: Data? = nil,
                       timeout: Double? = nil) throws -> ProcessResult {
    let process = Process()
    if executable.hasPrefix("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    if let timeout {
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak process] in
            if process?.isRunning == true { kill(pid, SIGKILL) }
        }
    }
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    // Read both pipes concurrently so a full pipe never blocks the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: out, stderr: errBox.data)
}

/// A real git repository in a temporary directory, built with the git CLI. Deleted on deinit.
public final class GitFixture: @unchecked Sendable {
    public let root: URL
    /// The repository: the working tree, or the bare repository itself.
    public let path: URL
    private var tick = 0

    /// A fresh repository on branch `main` with a fixed identity.
    public init(bare: Bool = false) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        path = root.appendingPathComponent(bare ? "repo.git" : "repo")
        try runChecked("git", ["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []) + [path.path], in: root)
        try git("config", "user.name", "Fixture Author")
        try git("config", "user.email", "fixture@example.com")
        try git("config", "commit.gpgsign", "false")
        try git("config", "core.autocrlf", "false")
    }

    /// Wraps an existing directory (e.g. a clone made by a test) without creating anything.
    public init(existing: URL, root: URL) {
        self.path = existing
        self.root = root
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Environment that makes commits deterministic: each commit one minute after the last.
    public func dateEnvironment() -> [String: String] {
        tick += 1
        let date = "\(1_700_000_000 + tick * 60) +0000"
        return ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
    }

    /// Runs git in the repository; throws with stderr on a non-zero exit. Returns stdout as text.
    @discardableResult
    public func git(_ args: String..., input: Data? = nil, environment: [String: String] = [:]) throws -> String {
        try gitData(args, input: input, environment: environment).out
    }

    @discardableResult
    public func gitData(_ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try runChecked("git", ["-C", path.path] + args, in: root, input: input, environment: environment)
    }

    /// Writes a file in the working tree, creating directories.
    public func write(_ relative: String, _ content: String) throws {
        try write(relative, Data(content.utf8))
    }

    public func write(_ relative: String, _ data: Data) throws {
        let url = path.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(at: path.appendingPathComponent(relative))
    }

    /// Writes `files`, removes `deleting`, stages everything and commits; returns the new SHA.
    @discardableResult
    public func commit(_ message: String, files: [String: String] = [:], deleting: [String] = []) throws -> String {
        for (p, c) in files.sorted(by: { $0.key < $1.key }) { try write(p, c) }
        for p in deleting { try git("rm", "-q", "-r", p) }
        try git("add", "-A")
        try gitData(["commit", "-q", "--allow-empty", "-m", message], environment: dateEnvironment())
        return try head()
    }

    /// The full SHA of a revision.
    public func rev(_ spec: String) throws -> String {
        try git("rev-parse", spec).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func head() throws -> String { try rev("HEAD") }

    /// Lines of a git command's output, empty lines dropped.
    public func lines(_ args: String...) throws -> [String] {
        try gitData(args).out.split(separator: "\n").map(String.init)
    }

    @discardableResult
    func runChecked(_ exe: String, _ args: [String], in dir: URL, input: Data? = nil,
                    environment: [String: String] = [:]) throws -> ProcessResult {
        var env = environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        let result = try runProcess(exe, args, in: dir, environment: env, input: input)
        guard result.status == 0 else {
            throw FixtureError(description: "\(exe) \(args.joined(separator: " ")) failed (\(result.status)): \(result.err)")
        }
        return result
    }
}

/// The `assay` executable built next to the test bundle (`.build/<config>/assay`).
public func assayExecutable() -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("assay")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        dir = dir.deletingLastPathComponent()
    }
    // swift-testing runs inside `<bundle>.xctest`; fall back to the build directory from the source tree.
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for config in ["debug", "release"] {
        let candidate = source.appendingPathComponent(".build/\(config)/assay")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
    }
    return "assay"
}

extension GitFixture {
    /// Appends `count` commits to `branch` with `git fast-import`, each changing a few files under
    /// `src/`; fast for histories of hundreds of commits. Returns the new tip.
    @discardableResult
    public func importLinearHistory(count: Int, branch: String = "main", startAt: Int = 0) throws -> String {
        var stream = ""
        let parent = try? rev("refs/heads/\(branch)")
        for i in startAt..<(startAt + count) {
            let time = 1_700_000_000 + i * 60
            let message = "change \(i)\n"
            stream += "commit refs/heads/\(branch)\n"
            stream += "committer Importer <import@example.com> \(time) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)"
            if i == startAt, let parent { stream += "from \(parent)\n" }
            for f in 0..<3 {
                let path = "src/dir\(i % 7)/file\((i * 3 + f) % 40).txt"
                let content = "file \(path)\nrevision \(i)\n" + String(repeating: "line \(f)\n", count: (i % 5) + 1)
                stream += "M 100644 inline \(path)\ndata \(content.utf8.count)\n\(content)"
            }
            if i % 11 == 5 { stream += "D src/dir\((i + 1) % 7)/file\((i * 3) % 40).txt\n" }
            stream += "\n"
        }
        try gitData(["fast-import", "--quiet"], input: Data(stream.utf8))
        return try rev("refs/heads/\(branch)")
    }
}
