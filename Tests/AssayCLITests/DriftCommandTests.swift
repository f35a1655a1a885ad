import AssayTestSupport
import Foundation
import Testing

/// `assay drift` as a process: formats, files, exit codes, and the HTML report in a real browser.
@Suite struct DriftCommandTests {
    /// A stale claim, a claim false when written, a verified one, and a doc whose text tries HTML injection.
    func repo() throws -> GitFixture {
        let fx = try GitFixture()
        try fx.git("remote", "add", "origin", "https://gitlab.com/acme/widgets.git")
        try fx.commit("Ship", files: [
            "src/a.ts": "export const a = 1\n", "src/b.ts": "export const b = 2\n",
            "PROGRESS.md": "# Progress\n\n- [x] `src/a.ts` parser\n- [x] `src/ghost.ts` ghost mode <img src=x onerror=\"document.title='pwned'\">\n- [x] `src/b.ts` lexer <script>document.title='pwned'</script>\n",
        ])
        try fx.commit("Grow", files: ["src/c.ts": "c\n"])
        try fx.commit("Remove a", deleting: ["src/a.ts"])
        return fx
    }

    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "\(r.out) \(r.err)")
    }

    @Test func jsonIsVersionedAndTheGateFollowsFailOn() throws {
        let fx = try repo()
        let r = try assayRun(fx, ["drift", "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let report = try json(r)
        #expect(report["schema"] as? String == "assay.drift/v1")
        #expect(report["sha"] as? String == (try fx.head()))
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["contradicted"] as? Int == 1 && summary["stale"] as? Int == 1 && summary["drifting"] as? Int == 2)
        let claims = try #require(report["claims"] as? [[String: Any]])
        let stale = try #require(claims.first { $0["verdict"] as? String == "stale" })
        #expect((stale["since"] as? [String: Any])?["sha"] as? String == (try fx.head()))
        #expect((stale["since"] as? [String: Any])?["subject"] as? String == "Remove a")

        #expect(try assayRun(fx, ["drift", "--fail-on", "contradicted"]).status == 1)
        #expect(try assayRun(fx, ["drift", "--fail-on", "stale"]).status == 1)
        #expect(try assayRun(fx, ["drift", "--fail-on", "never"]).status == 0)
        let bad = try assayRun(fx, ["drift", "--at", "no-such-branch"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("unknown revision 'no-such-branch'"), "\(bad.err)")
    }

    @Test func textAndMarkdownNameTheCommitThatBrokeAClaim() throws {
        let fx = try repo()
        let head = String(try fx.head().prefix(12))
        let text = try assayRun(fx, ["drift", "--no-record"])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("went stale in \(head)"), "\(text.out)")
        #expect(text.out.contains("false when written"))
        let md = try assayRun(fx, ["drift", "--format", "markdown", "--since", "HEAD~2", "--no-record"])
        #expect(md.status == 0, "\(md.err)")
        #expect(md.out.contains("## assay drift: 2 drifting claims"))
        #expect(md.out.contains("https://gitlab.com/acme/widgets/-/commit/"))
        #expect(md.out.contains("1 new · 0 resolved · 1 persistent"), "\(md.out)")
        #expect(!md.out.contains("<script") && !md.out.contains("<img"))
    }

    @Test func aPartialCloneMakesClaimsUnverifiableNotContradicted() throws {
        let fx = try GitFixture()
        try fx.git("config", "uploadpack.allowFilter", "true")
        try fx.commit("Ship", files: [
            "src/a.ts": "export const a = 1\nexport const b = 2\n",
            "PROGRESS.md": "# Progress\n\n- Lexer done: `src/a.ts` (5 lines)\n",  // 2 lines: off by more than one
        ])
        let full = try assayRun(fx, ["drift", "--format", "json", "--no-record"])
        #expect(((try json(full))["summary"] as? [String: Any])?["contradicted"] as? Int == 1)
        let clone = fx.root.appendingPathComponent("partial")
        let made = try runProcess("git", ["clone", "-q", "--no-checkout", "--filter=blob:none", "file://\(fx.path.path)", clone.path])
        try #require(made.status == 0, "\(made.err)")
        // The doc itself is fetched (git fetches a missing blob on demand; libgit2 does not).
        _ = try runProcess("git", ["-C", clone.path, "cat-file", "-p", "HEAD:PROGRESS.md"])
        let partial = try runProcess(assayExecutable(), ["drift", "--repo", clone.path, "--format", "json", "--fail-on", "contradicted"], timeout: 60)
        #expect(partial.status == 3, "\(partial.err)")
        let summary = try #require((try json(partial))["summary"] as? [String: Any])
        #expect(summary["contradicted"] as? Int == 0 && summary["unverifiable"] as? Int == 1)
        #expect(partial.err.contains("git objects are missing"), "\(partial.err)")
    }

    /// The HTML report in Debian's chromium: it renders (a screenshot), and the DOM after its script
    /// ran shows the counts the JSON has; injected markup from the doc stays text.
    @Test func theHTMLReportRendersInAHeadlessBrowserWithTheJSONCounts() throws {
        let fx = try repo()
        let htmlFile = fx.root.appendingPathComponent("drift.html")
        let r = try assayRun(fx, ["drift", "--format", "html", "--output", htmlFile.path, "--backfill", "2"])
        #expect(r.status == 0, "\(r.err)")
        let report = try json(try assayRun(fx, ["drift", "--format", "json", "--no-record"]))
        let summary = try #require(report["summary"] as? [String: Any])

        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "chromium is needed for this test: apt-get install -y chromium")
        let profile = fx.root.appendingPathComponent("chromium-profile").path
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(profile)", "--window-size=1280,1800"]
        let shot = fx.root.appendingPathComponent("drift.png")
        let rendered = try runProcess(browser, common + ["--screenshot=\(shot.path)", htmlFile.absoluteString], timeout: 120)
        #expect(rendered.status == 0, "\(rendered.err)")
        let png = try Data(contentsOf: shot)
        #expect(png.count > 10_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "a real PNG")

        let dumped = try runProcess(browser, common + ["--dump-dom", htmlFile.absoluteString], timeout: 120)
        #expect(dumped.status == 0, "\(dumped.err)")
        let dom = dumped.out
        func shown(_ id: String) -> Int? {
            guard let start = dom.range(of: "id=\"\(id)\">") else { return nil }
            return Int(dom[start.upperBound...].prefix { $0.isNumber })
        }
        for key in ["drifting", "contradicted", "stale", "verified", "unverifiable", "claims", "docs"] {
            #expect(shown("count-\(key)") == summary[key] as? Int, "\(key)")
        }
        #expect(shown("count-false-when-written") == summary["false_when_written"] as? Int)
        #expect(shown("count-possibly-stale") == summary["possibly_stale"] as? Int)
        // The filter script ran: contradicted and stale rows are shown; unverifiable and verified ones hidden.
        let expectedShown = (summary["contradicted"] as? Int ?? 0) + (summary["stale"] as? Int ?? 0)
        #expect(shown("shown") == expectedShown)
        // The chart has a point per recorded run (two backfilled, one run).
        #expect(dom.components(separatedBy: "<circle").count - 1 == 3)
        // Injected markup stayed text: the title is ours, no <img> element, one script (ours).
        #expect(dom.contains("<title>assay drift"))
        #expect(!dom.contains("pwned</title>") && !dom.contains("<img"))
        #expect(dom.components(separatedBy: "<script").count == 2)
        #expect(dom.contains("&lt;script&gt;document.title="))
        // Links to file@SHA on GitLab.
        #expect(dom.contains("https://gitlab.com/acme/widgets/-/blob/\(try fx.head())/PROGRESS.md#L3"))
    }

    /// The HTML as written: drift first (filter, doc order), code spans as code after escaping, the
    /// false-when-written count marked as part of the contradicted one, and a time axis whose two ends
    /// differ when every point falls on one day (the fixture's commits are a minute apart).
    @Test func theHTMLReportLeadsWithDriftAndKeepsCodeSpans() throws {
        let fx = try repo()
        // A doc that sorts before PROGRESS.md by name, with nothing drifting and a code span holding markup.
        try fx.commit("Plan", files: ["PLAN.md": "# Plan\n\n- [x] `src/b.ts` lexer with `<b>x</b>` output, one ` tick\n"])
        let r = try assayRun(fx, ["drift", "--format", "html", "--backfill", "2"])
        #expect(r.status == 0, "\(r.err)")
        let html = r.out
        let report = try json(try assayRun(fx, ["drift", "--format", "json", "--no-record"]))
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["contradicted"] as? Int == 1 && summary["false_when_written"] as? Int == 1)

        // Filters: contradicted and stale on, the rest off.
        for (verdict, on) in [("contradicted", true), ("stale", true), ("unverifiable", false), ("verified", false), ("abstain", false)] {
            #expect(html.contains("data-filter=\"\(verdict)\" checked>") == on, "\(verdict)")
            #expect(html.contains("data-filter=\"\(verdict)\">") == !on, "\(verdict)")
        }
        // Docs by severity: PROGRESS.md (drifting) before PLAN.md (verified), though PLAN sorts first by name.
        let progress = try #require(html.range(of: ">PROGRESS.md</a></h3>"))
        let plan = try #require(html.range(of: ">PLAN.md</a></h3>"))
        #expect(progress.lowerBound < plan.lowerBound)
        // False when written is a subset of contradicted, and says so.
        #expect(html.contains("<span class=\"sub\" id=\"subset-false-when-written\">of the 1 contradicted</span>"))
        // Code spans: escaped first, then <code>.
        #expect(html.contains("<code>src/a.ts</code> parser"))
        #expect(html.contains("<code>&lt;b&gt;x&lt;/b&gt;</code> output, one ` tick"))
        #expect(!html.contains("<b>x</b>"))
        #expect(html.contains("&lt;script&gt;document.title="))
        // The time axis: two labels, not the same text.
        func axis(_ id: String) -> String? {
            guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
            let rest = html[start.upperBound...]
            guard let open = rest.firstIndex(of: ">") else { return nil }
            return String(rest[rest.index(after: open)...].prefix { $0 != "<" })
        }
        let history = try #require(report["history"] as? [[String: Any]])
        #expect(history.count >= 2)
        let days = Set(history.compactMap { ($0["date"] as? String)?.prefix(10) })
        #expect(days.count == 1)  // one day: a date alone would label both ends the same
        let start = try #require(axis("axis-start")), end = try #require(axis("axis-end"))
        #expect(start != end, "\(start) | \(end)")
        #expect(start.hasPrefix(String(days.first!)) && end.hasPrefix(String(days.first!)))
    }

    /// The Markdown report keeps the evidence the text report prints, such as where a file was renamed.
    @Test func markdownKeepsTheRenamedToHint() throws {
        let fx = try GitFixture()
        try fx.commit("Ship", files: ["src/old.ts": "export const o = 1\n", "PROGRESS.md": "# Progress\n\n- [x] `src/old.ts` parser\n"])
        try fx.git("mv", "src/old.ts", "src/new.ts")
        try fx.commit("Rename old to new")
        let text = try assayRun(fx, ["drift", "--no-record"])
        #expect(text.out.contains("renamed to src/new.ts"), "\(text.out)")
        let md = try assayRun(fx, ["drift", "--format", "markdown", "--no-record"])
        #expect(md.status == 0, "\(md.err)")
        let row = try #require(md.out.split(separator: "\n").first { $0.contains("src/old.ts") && $0.hasPrefix("|") }, "\(md.out)")
        #expect(row.contains("renamed to src/new.ts"), "\(row)")
        #expect(md.out.contains("| of which false when written |"))
    }

    /// The scheduled examples parse as YAML, and every option they pass to `assay drift` exists.
    @Test(arguments: ["examples/github/assay-drift.yml", "examples/gitlab/assay-drift.gitlab-ci.yml"])
    func theScheduledExamplesUseRealOptions(_ file: String) throws {
        let parsed = try runProcess("python3", ["-c", "import sys, yaml; yaml.safe_load(open(sys.argv[1]))", sourceRoot.appendingPathComponent(file).path])
        #expect(parsed.status == 0, "\(file): \(parsed.err)")
        let text = try String(contentsOf: sourceRoot.appendingPathComponent(file), encoding: .utf8)
        let help = try runProcess(assayExecutable(), ["drift", "--help"]).out
        let invocations = text.components(separatedBy: "assay drift").dropFirst()
        #expect(invocations.count >= 3)
        let flag = try NSRegularExpression(pattern: "(?<![\\w-])--[a-z][a-z-]+")
        for invocation in invocations {
            // The command up to the end of its line or the next command.
            let line = String(invocation.prefix { $0 != "\n" }.components(separatedBy: "||")[0])
            for m in flag.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                let name = (line as NSString).substring(with: m.range)
                #expect(help.contains(name), "assay drift has no \(name)")
            }
        }
    }
}
