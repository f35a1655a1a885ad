import AssayTestSupport
import Foundation
import Testing

/// What a run does before its command starts: the index of a staged or working-tree audit (and of
/// the pre-commit hook) starts loading before the command line is parsed, and libcurl is not among
/// the libraries every run loads.
@Suite struct StartupTests {
    func staged() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n"])
        try fx.write("src/new.rs", "pub fn g() -> u32 { todo!() }\n")
        try fx.git("add", "src/new.rs")
        return fx
    }

    /// The trace line saying where the audit's index came from, or nil when no index was read.
    func indexOrigin(_ r: ProcessResult) -> String? {
        r.err.split(separator: "\n").first { $0.contains("audit: index loading") }.map(String.init)
    }

    @Test func stagedAndWorkingTreeAuditsUseTheIndexLoadedAtStartUp() throws {
        let fx = try staged()
        let env = ["ASSAY_TRACE": "1"]
        for args in [["audit", "--staged"], ["audit"], ["audit", "--staged", "--format", "json"]] {
            // --repo before the command (hoisted) and after it.
            for r in [try assayRun(fx, args, environment: env),
                      try runProcess(assayExecutable(), args + ["--repo=\(fx.path.path)"], environment: env)] {
                #expect(r.status == 1, "\(args): \(r.err)")  // the staged todo!() blocks
                #expect(r.out.contains("src/new.rs"), "\(args): \(r.out)")
                #expect(indexOrigin(r)?.hasSuffix("since start-up") == true, "\(args): \(r.err)")
            }
        }
        // Run from inside the working tree, with no --repo.
        let inside = try runProcess(assayExecutable(), ["audit", "--staged"], in: fx.path.appendingPathComponent("src"), environment: env)
        #expect(inside.status == 1, "\(inside.err)")
        #expect(indexOrigin(inside)?.hasSuffix("since start-up") == true, "\(inside.err)")
    }

    @Test func thePreCommitHookUsesTheIndexLoadedAtStartUp() throws {
        let fx = try staged()
        let r = try assayRun(fx, ["hooks", "run", "pre-commit"], environment: ["ASSAY_TRACE": "1"])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("todo!()"), "\(r.err)")
        #expect(indexOrigin(r)?.hasSuffix("since start-up") == true, "\(r.err)")
    }

    @Test func aCommitAuditReadsNoIndex() throws {
        let fx = try staged()
        try fx.git("commit", "-q", "-m", "Add g")
        let r = try assayRun(fx, ["audit", "--commit", "HEAD"], environment: ["ASSAY_TRACE": "1"])
        #expect(r.status == 1, "\(r.err)")
        #expect(indexOrigin(r) == nil, "\(r.err)")
    }

    @Test func aGitIndexFileFromTheEnvironmentIsTheOneRead() throws {
        // `git commit -a` hands its hook a temporary index: the prefetch must read that file too.
        let fx = try staged()
        let temp = fx.path.appendingPathComponent(".git/index.commit-a")
        try FileManager.default.copyItem(at: fx.path.appendingPathComponent(".git/index"), to: temp)
        try fx.git("rm", "-q", "--cached", "src/new.rs")  // the real index no longer has the stub
        let env = ["ASSAY_TRACE": "1", "GIT_INDEX_FILE": temp.path]
        let r = try assayRun(fx, ["audit", "--staged"], environment: env)
        #expect(r.status == 1, "\(r.err)")
        #expect(indexOrigin(r)?.hasSuffix("since start-up") == true, "\(r.err)")
        let plain = try assayRun(fx, ["audit", "--staged"])
        #expect(plain.status == 0, "\(plain.out)\(plain.err)")
    }

    @Test func libcurlIsNotLoadedAtStartUp() throws {
        // ldd lists every library the dynamic loader maps before main: libcurl (and the thirty
        // libraries it needs) must not be one of them; it is loaded by the first HTTP request.
        let r = try runProcess("ldd", [assayExecutable()])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("libgit2"), "\(r.out)")
        #expect(!r.out.contains("libcurl"), "\(r.out)")
    }
}
