@testable import AssayRules
import Testing

@Suite struct PathSyntaxTests {
    @Test(arguments: [
        "src/ports/evidence.ts", "tui/app.rs", "tmux.rs", "./lib/util.js", "/src/main.swift", "src/cli/",
        "Package.swift", "crates/shared/src/types.rs", "memory-bank/progress.md", ".taskmaster/tasks/tasks.json",
        "scripts/build_answers_corpus.ts", "Makefile", "docs/", "a_b.py", "web/app.component.tsx",
    ])
    func pathsAreRecognised(_ token: String) {
        #expect(PathSyntax.looksLikePath(token), "\(token)")
    }

    @Test(arguments: [
        "npm test", "--format", "--format=json", "KEY=value", "LOG_LEVEL=debug", "https://example.com/a.ts",
        "<name>.ts", "{{module}}/index.ts", "v1.2.3", "1.0", "e.g.", "foo()", "src/*.ts", "a,b.ts", "$HOME/x.ts",
        "~/notes.md", "@scope/pkg", "ContextDoc", "feature/branch", "owner/repo", "true", "127.0.0.1",
        "cargo build --release", "x.y", "#123", "key: value.yaml", "Next.js", "node.js", "Chart.js",
    ])
    func nonPathsAreNot(_ token: String) {
        #expect(!PathSyntax.looksLikePath(token), "\(token)")
    }

    @Test func candidatesResolveLikeCode() {
        #expect(PathSyntax.candidates(for: "src/a.ts", namedIn: "docs/x.md") == ["src/a.ts", "docs/src/a.ts"])
        #expect(PathSyntax.candidates(for: "../src/lib/util.js", namedIn: "docs/arch.md")
            == ["src/lib/util.js", "src/lib/util.ts", "src/lib/util.tsx"])
        #expect(PathSyntax.candidates(for: "./util.js", namedIn: "src/lib/README.md").prefix(3)
            == ["src/lib/util.js", "src/lib/util.ts", "src/lib/util.tsx"])
        #expect(PathSyntax.candidates(for: "src/cli/", namedIn: "TASKS.md") == ["src/cli"])
    }
}
