import AssayCore
import AssayKit
import AssayTestSupport
import Foundation
import Testing

/// The claims corpus in `fixtures/claims/`: real-shaped docs whose lines carry their expected verdict
/// as `<!-- expect: VERDICT [class] -->` (or `<!-- expect-line N: … -->` for table rows).
struct Expectation: Hashable {
    var verdict: String  // verified, contradicted, abstain, or none (no claim at all)
    var verdictClass: String?
}

let claimsFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures/claims")

func fixtureFiles() throws -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: claimsFixtures.path)
    var out: [String] = []
    while let p = enumerator?.nextObject() as? String {
        if p.hasPrefix("commits/") || p.hasPrefix("pr/") { continue }  // messages and PR bodies, not docs
        if p.hasSuffix(".md") || p.hasSuffix("tasks.json") { out.append(p) }
    }
    return out.sorted()
}

/// The commit messages of the corpus history, in order, and the PR body.
let commitMessageFixtures = ["commits/01-scaffold.txt", "commits/02-remove-tmux.txt", "commits/03-docs.txt"]
let prBodyFixture = "pr/pr-body.md"

func expectations(in files: [String]? = nil) throws -> [String: [Int: Expectation]] {
    var out: [String: [Int: Expectation]] = [:]
    for file in try files ?? fixtureFiles() {
        let text = try String(contentsOf: claimsFixtures.appendingPathComponent(file), encoding: .utf8)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // JSON sources carry `"assayExpect": "VERDICT [class]"` on the line of the task's title.
            if let key = line.range(of: "\"assayExpect\": \"") {
                let value = line[key.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map(String.init)
                out[file, default: [:]][i + 1] = Expectation(verdict: value[0], verdictClass: value.count > 1 ? value[1] : nil)
                continue
            }
            guard let open = line.range(of: "<!-- expect"), let close = line.range(of: "-->") else { continue }
            var body = line[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var target = i + 1
            if body.hasPrefix("-line ") {
                let rest = body.dropFirst(6)
                let number = rest.prefix { $0.isNumber }
                target = Int(number)!
                body = String(rest.dropFirst(number.count))
            }
            body = body.trimmingCharacters(in: CharacterSet(charactersIn: ": "))
            let words = body.split(separator: " ").map(String.init)
            out[file, default: [:]][target] = Expectation(verdict: words[0], verdictClass: words.count > 1 ? words[1] : nil)
        }
    }
    return out
}

/// A repository with the history the corpus needs: a deleted file, a rename, an ignored directory,
/// a stub; then the docs.
func corpusRepository() throws -> GitFixture {
    let fx = try GitFixture()
    let parser = (1...30).map { "export function parse\($0)(input: string) { return input.length + \($0) }\n" }.joined()
    let messages = try commitMessageFixtures.map {
        try String(contentsOf: claimsFixtures.appendingPathComponent($0), encoding: .utf8)
    }
    try fx.commit(messages[0], files: [
        ".gitignore": "generated/\nnode_modules/\n",
        "src/cli/index.ts": "export function main() { return 0 }\n",
        "src/ports/evidence.ts": "export interface Evidence { id: string }\n",
        "src/ports/receipt.ts": "export function writeReceipt() {\n  throw new Error(\"not implemented\")\n}\n",
        "src/legacy/tmux.rs": "pub fn attach() {}\n",
        "src/old_name.ts": parser,
        "src/lib/util.ts": "export const id = (x: string) => x\n",
        "tests/parser.test.ts": """
            import { parse1 } from "../src/new_name"
            describe("parser", () => {
              it("parses", () => { expect(parse1("a")).toBe(2) })
              it("counts", () => { expect(parse1("ab")).toBe(3) })
              test("empty", () => { expect(parse1("")).toBe(1) })
              it.skip("unicode", () => {})
            })

            """,
    ])
    try fx.git("mv", "src/old_name.ts", "src/new_name.ts")
    try fx.commit(messages[1], deleting: ["src/legacy/tmux.rs"])
    var docs: [String: String] = [:]
    for file in try fixtureFiles() {
        docs[file] = try String(contentsOf: claimsFixtures.appendingPathComponent(file), encoding: .utf8)
    }
    try fx.commit(messages[2], files: docs)
    return fx
}

/// Every marked line holds claims with the expected verdict (and class); `none` lines hold none.
func checkMarkedLines(_ expected: [String: [Int: Expectation]], _ claims: [(file: String, claim: ClaimsReport.Entry)]) {
    for (file, lines) in expected {
        for (line, e) in lines {
            let found = claims.filter { $0.file == file && $0.claim.source.line == line }.map(\.claim)
            if e.verdict == "none" {
                #expect(found.isEmpty, "\(file):\(line) should hold no claim, found \(found.map(\.subject))")
                continue
            }
            #expect(!found.isEmpty, "\(file):\(line): no claim found, expected \(e.verdict)")
            for c in found {
                #expect(c.verdict == e.verdict, "\(file):\(line) \(c.kind) \(c.subject): \(c.verdict) \(c.verdictClass ?? "") — \(c.evidence)")
                if let cls = e.verdictClass {
                    #expect(c.verdictClass == cls, "\(file):\(line) \(c.subject): class \(c.verdictClass ?? "nil"), expected \(cls)")
                }
            }
        }
    }
}

@Suite struct ClaimsCorpusTests {
    @Test func everyMarkedLineGetsItsExpectedVerdict() throws {
        let fx = try corpusRepository()
        let report = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        #expect(report.schema == "assay.claims/v1")
        #expect(report.sha == (try fx.head()))
        let expected = try expectations()
        #expect(Set(report.sources.map(\.path)) == Set(try fixtureFiles()))

        checkMarkedLines(expected, report.claims.map { (file: $0.source.path!, claim: $0) })
        // No claim on an unmarked line may be contradicted (precision first).
        for c in report.claims where expected[c.source.path!]?[c.source.line!] == nil {
            #expect(c.verdict != "contradicted", "unexpected contradiction at \(c.source.path!):\(c.source.line!): \(c.subject)")
        }
    }

    /// The claims of every source, keyed like the expectations: docs by path, commit messages by
    /// their fixture file, the PR body by its fixture file.
    func allClaims(_ fx: GitFixture) throws -> [(file: String, claim: ClaimsReport.Entry)] {
        let docs = try ClaimsService().run(ClaimsRequest(repositoryPath: fx.path.path))
        let root = try fx.rev("HEAD~2")
        let others = try ClaimsService().run(ClaimsRequest(
            repositoryPath: fx.path.path, sources: [.commits, .prBody], commits: [root, "\(root)..HEAD"],
            prBodyPath: claimsFixtures.appendingPathComponent(prBodyFixture).path))
        let shas = try [fx.rev("HEAD~2"), fx.rev("HEAD~1"), fx.rev("HEAD")]
        var out = docs.claims.map { (file: $0.source.path!, claim: $0) }
        for c in others.claims {
            if c.source.kind == "pr-body" { out.append((prBodyFixture, c)); continue }
            let i = try #require(shas.firstIndex(of: c.source.commit ?? ""))
            out.append((commitMessageFixtures[i], c))
        }
        return out
    }

    @Test func commitMessagesAndThePRBodyGetTheirExpectedVerdicts() throws {
        let fx = try corpusRepository()
        let claims = try allClaims(fx).filter { $0.file.hasPrefix("commits/") || $0.file.hasPrefix("pr/") }
        let expected = try expectations(in: commitMessageFixtures + [prBodyFixture])
        checkMarkedLines(expected, claims)
    }

    @Test func contradictedPrecisionAndRecallPerKind() throws {
        let fx = try corpusRepository()
        let files = try fixtureFiles() + commitMessageFixtures + [prBodyFixture]
        let expected = try expectations(in: files)
        let all = try allClaims(fx)
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:]
        for (file, c) in all {
            let e = expected[file]?[c.source.line!]
            let shouldContradict = e?.verdict == "contradicted"
            let did = c.verdict == "contradicted"
            if did && shouldContradict { tp[c.kind, default: 0] += 1 }
            if did && !shouldContradict { fp[c.kind, default: 0] += 1 }
            if !did && shouldContradict { fn[c.kind, default: 0] += 1 }
        }
        // Expected contradictions with no claim at all are misses too.
        for (file, lines) in expected {
            for (line, e) in lines where e.verdict == "contradicted" {
                if !all.contains(where: { $0.file == file && $0.claim.source.line == line }) { fn["missing", default: 0] += 1 }
            }
        }
        let kinds = Set(tp.keys).union(fp.keys).union(fn.keys).sorted()
        var totalTP = 0, totalFP = 0, totalFN = 0
        for k in kinds {
            let t = tp[k] ?? 0, f = fp[k] ?? 0, n = fn[k] ?? 0
            totalTP += t; totalFP += f; totalFN += n
            let precision = t + f == 0 ? 1 : Double(t) / Double(t + f)
            let recall = t + n == 0 ? 1 : Double(t) / Double(t + n)
            print("contradicted \(k): precision \(String(format: "%.2f", precision)) recall \(String(format: "%.2f", recall)) (tp \(t) fp \(f) fn \(n))")
        }
        let precision = totalTP + totalFP == 0 ? 1 : Double(totalTP) / Double(totalTP + totalFP)
        let recall = totalTP + totalFN == 0 ? 1 : Double(totalTP) / Double(totalTP + totalFN)
        print("contradicted overall: precision \(String(format: "%.2f", precision)) recall \(String(format: "%.2f", recall))")
        #expect(totalTP >= 8)
        #expect(precision >= 0.95)
        #expect(recall >= 0.90)
    }
}
