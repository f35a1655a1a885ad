import AssayKit
import Foundation
import FuzzDriver

/// An empty repository the hooks plan against (made once, with the git CLI, as the tests make fixtures).
let repository: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assay-fuzz-hook-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let git = Process()
    git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    git.arguments = ["git", "init", "-q", dir]
    try? git.run()
    git.waitUntilExit()
    return dir
}()

/// The input is a hook's standard input: git's pre-push lines, then (same bytes) pre-receive lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? HookRun.plan(.prePush, repositoryPath: repository, arguments: ["origin"], input: input, environment: [:])
    _ = try? HookRun.plan(.preReceive, repositoryPath: repository, arguments: [], input: input, environment: [:])
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzHookInput_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzHookInput_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
