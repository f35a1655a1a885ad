import AssayRules
import AssayCore
import Foundation
import Testing

@Suite struct GlobTests {
    @Test(arguments: [
        ("docs/*.md", "docs/PLAN.md", true), ("docs/*.md", "docs/a/PLAN.md", false),
        ("docs/**/*.md", "docs/PLAN.md", true), ("docs/**/*.md", "docs/a/b/PLAN.md", true),
        ("**/NOTES.md", "NOTES.md", true), ("**/NOTES.md", "x/y/NOTES.md", true), ("**/NOTES.md", "x/NOTES.mdx", false),
        ("notes/", "notes/a.md", true), ("notes/", "notesx/a.md", false), ("PLAN-?.md", "PLAN-1.md", true),
        ("PLAN-?.md", "PLAN-10.md", false), ("*.md", "a/b.md", false), ("/README.md", "README.md", true),
        ("a*b*c*d*e*f*g*h*i*j*k", String(repeating: "a", count: 5_000), false),
        ("**/test.md", "latest.md", false), ("**/test.md", "a/latest.md", false), ("src/**/x.ts", "src/abx.ts", false),
        ("src/**/x.ts", "src/x.ts", true), ("src/**/x.ts", "src/a/b/x.ts", true), ("docs/**", "docs/a/b.md", true),
    ])
    func matching(_ pattern: String, _ path: String, _ expected: Bool) {
        #expect(Glob(pattern).matches(path) == expected, "\(pattern) ~ \(path)")
    }

    /// A pattern that makes backtracking matchers take exponential time finishes at once here.
    @Test func adversarialPatternsStayLinear() {
        let pattern = String(repeating: "**/a*", count: 30) + "b"
        let path = String(repeating: "a/", count: 400) + "c"
        #expect(!Glob(pattern).matches(path))
    }
}
