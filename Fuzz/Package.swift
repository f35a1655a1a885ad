// swift-tools-version:6.0
// libFuzzer targets for assay's parsers of outside input. Built only by `make fuzz` (see
// docs/fuzzing.md), with `-sanitize=fuzzer`, so the main package's `swift build`
// and `swift test` never see them. Depends on the root package by path.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (the clone's, not "assay").
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let assay = root.lastPathComponent

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzDriver"] + products.map { .product(name: $0, package: assay) })
}

let package = Package(
    name: "assay-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        /** Calls libFuzzer's driver from a target's `<Target>_main` (SwiftPM gives each executable its own `main`). */
        .target(name: "FuzzDriver"),
        /** Markdown docs and commit messages: MarkdownKit, DocClaimExtractor, CountClaimExtractor, CommitReferenceExtractor. */
        fuzzTarget("FuzzMarkdownClaims", ["MarkdownKit", "AssayRules"]),
        /** Task Master `tasks.json` (TaskMasterExtractor). */
        fuzzTarget("FuzzTaskMaster", ["AssayRules"]),
        /** Policies (with `extends`) and rubrics, from YAML. */
        fuzzTarget("FuzzPolicy", ["AssayPolicy"]),
        /** `.assay.yml`, and the policy written inline in it. */
        fuzzTarget("FuzzConfig", ["AssayKit", "AssayPolicy"]),
        /** pre-push and pre-receive standard input (HookRun). */
        fuzzTarget("FuzzHookInput", ["AssayKit"]),
        /** The CI event payload (GitHub Actions) and environment (GitLab CI). */
        fuzzTarget("FuzzCIEvent", ["AssayKit"]),
        /** Receipt note lines: ReceiptLine, DSSE envelopes, the canonical JSON reader. */
        fuzzTarget("FuzzReceiptLine", ["AssayCore"]),
        /** JUnit XML evidence (TestReport). */
        fuzzTarget("FuzzJUnit", ["AssayKit"]),
    ]
)
