import AssayKit
import Foundation
import FuzzDriver

let githubEvents = ["pull_request", "pull_request_target", "push", "workflow_dispatch"]

/// The first byte picks what the rest is: a GitHub Actions event payload (for one of four event
/// names), or GitLab CI's environment as `NAME=value` lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size > 0 else { return 0 }
    let choice = Int(data[0]) % 5
    let rest = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if choice < 4 {
        let env = ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": githubEvents[choice], "GITHUB_SHA": String(repeating: "b", count: 40),
                   "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "1", "GITHUB_REF_NAME": "main"]
        _ = try? CIEvent.context(environment: env, eventPayload: rest)
    } else {
        var env = ["GITLAB_CI": "true"]
        for line in String(decoding: rest, as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        _ = try? CIEvent.context(environment: env)
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzCIEvent_main`): libFuzzer's driver over `fuzz`.
@_cdecl("FuzzCIEvent_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    assay_fuzz_main(argc, argv) { data, size in fuzz(data, size) }
}
