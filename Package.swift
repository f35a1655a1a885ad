// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "assay",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "assay", targets: ["assay"]),
        // Libraries for Fuzz/Package.swift (the fuzz targets depend on this package by path).
        .library(name: "MarkdownKit", targets: ["MarkdownKit"]),
        .library(name: "AssayCore", targets: ["AssayCore"]),
        .library(name: "AssayRules", targets: ["AssayRules"]),
        .library(name: "AssayPolicy", targets: ["AssayPolicy"]),
        .library(name: "AssayKit", targets: ["AssayKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        /** libgit2 as a system library: module map, shim with typed wrappers for macros and variadics. */
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        /** cmark-gfm (GitHub's Markdown parser) with the table and tasklist extensions. */
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        /** libcurl, loaded on the first request (dlopen) rather than at start-up, behind typed wrappers
            for the variadic setopt/getinfo. Builds against libcurl4-openssl-dev's headers. */
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        /** Safe Swift over cmark-gfm: Markdown as blocks with lines, sections, task states, table cells. */
        .target(name: "MarkdownKit", dependencies: ["CCmark"]),
        /** Safe Swift over libgit2: the only target that touches libgit2 pointers. */
        .target(name: "GitKit", dependencies: ["CLibGit2"]),
        /** Value types and pure logic shared by every stage: errors with exit codes, findings, fingerprints. */
        .target(name: "AssayCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        /** Extractors, verifiers and checks over plain values — no git, no I/O. */
        .target(name: "AssayRules", dependencies: ["AssayCore", "MarkdownKit"]),
        /** Policies (rule severities, globs, branch overrides, thresholds) and rubrics (scores, decision), from YAML. */
        .target(name: "AssayPolicy", dependencies: [
            "AssayCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        /** Reporters: findings to SARIF, JUnit XML, Markdown and GitHub annotations — pure functions. */
        .target(name: "AssayReport", dependencies: ["AssayCore"]),
        /** HTTP through libcurl (timeouts, retries, redaction) and the forge APIs: commit statuses, check runs, PR comments. */
        .target(name: "AssayForge", dependencies: ["CCurl", "AssayCore"]),
        /** The SQLite ledger (GRDB): records, named append-only migrations. An index, never the truth. */
        .target(name: "AssayLedger", dependencies: [
            "AssayCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        /** Services that compose GitKit and the ledger: SnapshotService, … */
        .target(name: "AssayKit", dependencies: [
            "GitKit", "AssayCore", "AssayLedger", "AssayRules", "AssayPolicy", "AssayReport", "AssayForge", "MarkdownKit",
            .product(name: "Yams", package: "Yams"),
        ]),
        /** The `assay` executable: argument parsing only; each command calls a service. */
        .executableTarget(name: "assay", dependencies: [
            "AssayKit", "AssayCore", "AssayReport", "AssayForge", "GitKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /** Test helpers: real git repositories built in temp directories with the git CLI. */
        .target(name: "AssayTestSupport", dependencies: []),

        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "AssayTestSupport"]),
        .testTarget(name: "MarkdownKitTests", dependencies: ["MarkdownKit"]),
        .testTarget(name: "AssayRulesTests", dependencies: ["AssayRules", "AssayCore", "MarkdownKit"]),
        .testTarget(name: "AssayReportTests", dependencies: ["AssayReport", "AssayCore", "AssayTestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "AssayForgeTests", dependencies: ["AssayForge", "AssayCore", "AssayTestSupport"]),
        .testTarget(name: "AssayPolicyTests", dependencies: ["AssayPolicy", "AssayCore"]),
        .testTarget(name: "AssayLedgerTests", dependencies: ["AssayLedger", "AssayTestSupport"]),
        .testTarget(name: "AssayKitTests", dependencies: ["AssayKit", "AssayLedger", "GitKit", "AssayTestSupport"]),
        .testTarget(name: "AssayCLITests", dependencies: ["assay", "AssayTestSupport"]),
    ]
)
