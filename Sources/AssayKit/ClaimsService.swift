import AssayCore
import AssayLedger
import AssayRules
import Foundation
import GitKit
import MarkdownKit

/// What `assay claims` is asked to check.
public struct ClaimsRequest: Sendable {
    /// Where claims are read from.
    public enum Source: String, Sendable, CaseIterable {
        case docs, commits, prBody = "pr-body"
    }

    public var repositoryPath: String
    /// The commit to judge claims at (default HEAD).
    public var at: String
    /// Which sources to read; empty means docs, or the sources the other options name.
    public var sources: Set<Source>
    /// Commit messages to read: revision specs (`REV` for one commit's message, `A..B` for a range).
    public var commits: [String]
    /// A pull-request body (Markdown) to read.
    public var prBodyPath: String?
    /// JUnit XML reports: the execution evidence "N tests passing" claims need.
    public var evidencePaths: [String] = []
    /// Settings to use instead of the commit's `.assay.yml` (`assay init` judging with the file it
    /// is about to write); nil reads the commit's.
    public var config: AssayConfig?
    /// Apply `.assay-baseline.json` (accepted contradicted claims).
    public var useBaseline = true

    public init(repositoryPath: String, at: String = "HEAD", sources: Set<Source> = [], commits: [String] = [],
                prBodyPath: String? = nil, evidencePaths: [String] = []) {
        self.repositoryPath = repositoryPath; self.at = at; self.sources = sources
        self.commits = commits; self.prBodyPath = prBodyPath; self.evidencePaths = evidencePaths
    }

    /// The sources to read once defaults are applied.
    var effectiveSources: Set<Source> {
        if !sources.isEmpty { return sources }
        var s: Set<Source> = []
        if !commits.isEmpty { s.insert(.commits) }
        if prBodyPath != nil { s.insert(.prBody) }
        return s.isEmpty ? [.docs] : s
    }
}

/// A doc picked as a claim source, and why.
public struct ClaimSourceFile: Codable, Sendable, Hashable {
    public var path: String
    public var reason: String
}

/// What `assay claims` found (schema `assay.claims/v1`).
public struct ClaimsReport: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var id: String
        public var kind: String
        public var text: String
        public var subject: String
        public var scope: [String]
        public var source: ClaimSource
        public var verdict: String
        public var verdictClass: String?
        public var evidence: [String]
        /// Set when `.assay-baseline.json` accepts this contradicted claim: the entry's reason.
        public var accepted: String?

        enum CodingKeys: String, CodingKey {
            case id, kind, text, subject, scope, source, verdict, evidence, accepted
            case verdictClass = "class"
        }
    }

    /// How the claims baseline applied: the file, how many contradicted claims it accepted, and
    /// its entries that matched no contradicted claim (fixed, reworded or gone: safe to delete).
    public struct BaselineUse: Codable, Sendable {
        public var file: String
        public var accepted: Int
        public var unmatched: [String]
    }

    public var schema = "assay.claims/v1"
    public var sha: String
    public var sources: [ClaimSourceFile]
    /// Counts by verdict.
    public var summary: [String: Int]
    /// Sources that could not be read as claims (what, where); the rest of the report stands.
    public var warnings: [String]
    /// Things worth knowing that lose nothing, such as unknown keys in `.assay.yml`.
    public var notices: [String]
    public var claims: [Entry]
    /// Present when a claims baseline was read.
    public var baseline: BaselineUse?

    /// Contradicted claims no baseline entry accepts: what `--fail-on contradicted` counts.
    public var unacceptedContradictions: Int {
        claims.filter { $0.verdict == "contradicted" && $0.accepted == nil }.count
    }
}

/// Finds ship-claims in the repository's docs at a SHA and verifies them there.
public final class ClaimsService: Sendable {
    public init() {}

    /// A cheap test on the raw path before `defaultSource` looks closer: Markdown or a tasks.json.
    static func mayBeSource(_ bytes: [UInt8]) -> Bool {
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.utf8)
            guard bytes.count >= s.count else { return false }
            for i in 0..<s.count where bytes[bytes.count - s.count + i] | 0x20 != s[i] | 0x20 { return false }
            return true
        }
        return ends(".md") || ends(".markdown") || ends("tasks.json") || ends("tasks.yaml") || ends("tasks.yml")
    }

    /// The docs assay reads by default, with the reason each was picked: docs named for plans and
    /// status (PRD, PHASES, STATUS, TASKS, *_IMPLEMENTATION_*, *COMPLETION*, HANDOFF…), everything
    /// under docs/, memory-bank/, specs/*/tasks.md, and the folders agents keep their notes in
    /// (.claude/, .cursor/, .taskmaster/), Task Master tasks.json and spec-kit tasks.yaml.
    public static func defaultSource(_ path: String) -> String? {
        let components = path.split(separator: "/").map(String.init)
        guard let name = components.last?.lowercased() else { return nil }
        let dirs = components.dropLast().map { $0.lowercased() }
        if name == "tasks.json" && dirs.contains(".taskmaster") { return "Task Master tasks" }
        if (name == "tasks.yaml" || name == "tasks.yml") && dirs.first == "specs" { return "specs/*/tasks.yaml" }
        guard name.hasSuffix(".md") || name.hasSuffix(".markdown") else { return nil }
        let stem = String(name.split(separator: ".").first ?? "")
        let named = ["prd", "phases", "roadmap", "plan", "progress", "todo", "tasks", "status", "handoff", "completion"]
        if let n = named.first(where: { stem == $0 || stem.hasPrefix($0 + "-") || stem.hasPrefix($0 + "_") }) {
            return "named \(n.uppercased())"
        }
        for prefix in ["implementation", "summary"] where stem.hasPrefix(prefix) {
            return "named \(prefix.uppercased())*"
        }
        let words = stem.split { $0 == "_" || $0 == "-" }
        for word in ["implementation", "completion", "phase"] where words.contains(where: { $0 == word || ($0.hasPrefix(word) && $0.dropFirst(word.count).allSatisfy(\.isNumber)) }) {
            return "named *\(word.uppercased())*"
        }
        if dirs.contains("memory-bank") { return "under memory-bank/" }
        if dirs.first == "specs" && name == "tasks.md" { return "specs/*/tasks.md" }
        if dirs.first == "docs" { return "under docs/" }
        for agentDir in [".claude", ".cursor", ".taskmaster"] where dirs.contains(agentDir) { return "under \(agentDir)/" }
        return nil
    }

    /// Why `path` is a claim source under `config`, or nil when it is not one (excluded, or neither
    /// a doc by convention nor included by `claims.include`).
    static func sourceReason(_ path: String, _ config: AssayConfig) -> String? {
        let included = config.claimsInclude.first { $0.matches(path) }
        guard mayBeSource(Array(path.utf8)) || included != nil,
              !config.claimsExclude.contains(where: { $0.matches(path) }) else { return nil }
        return defaultSource(path) ?? included.map { "included by .assay.yml (\($0.pattern))" }
    }

    /// The claims in one source file: a Task Master `tasks.json`, or Markdown. Nil when a
    /// `tasks.json` is not a Task Master file (invalid JSON, no "tasks").
    /// Bytes that are not UTF-8 (a Latin-1 doc) are kept as escapes (`GitPath.escapingInvalidUTF8`),
    /// so a path the doc names is looked up byte for byte.
    static func extract(_ bytes: [UInt8], path: String, commit: String) -> [ExtractedClaim]? {
        let bytes = GitPath.escapingInvalidUTF8(bytes)
        if TaskMasterExtractor.isTaskMasterFile(path) { return TaskMasterExtractor.claims(in: bytes, path: path, commit: commit) }
        if TasksYAMLExtractor.isTasksYAML(path) { return TasksYAMLExtractor.claims(in: bytes, path: path, commit: commit) }
        return DocClaimExtractor.claims(in: MarkdownDocument.parse(bytes), path: path, commit: commit)
    }

    public func run(_ request: ClaimsRequest) throws(AssayError) -> ClaimsReport {
        let repo = try RepositoryAccess.open(request.repositoryPath)
        let selection = try RepositoryAccess.select(repo, [request.at], all: false)
        guard let sha = selection.include.first else {
            throw AssayError("nothing to check at \(request.at)", fix: "pass --at with a commit")
        }
        let started = Date()
        // History lookups come from the ledger: bring it up to date first (incremental, usually instant).
        _ = try SnapshotService().run(SnapshotRequest(repositoryPath: request.repositoryPath, revisions: [sha.hex], workers: 1))
        trace("claims: ledger up to date at \(elapsedMs(since: started)) ms")
        let ledger = try RepositoryAccess.openLedger(for: repo)
        let tree: ObjectID
        let files: [(path: GitPath, entry: TreeEntry)]
        var missingTrees: [String] = []
        do {
            tree = try repo.commitHeader(sha).tree
            var skipped: [String] = []
            files = try repo.files(inTree: tree) { path, id in skipped.append("\(path.string.isEmpty ? "/" : path.string) (tree \(id.short))") }
            missingTrees = skipped
        } catch { throw RepositoryAccess.explain(error, doing: "list the files of \(sha.hex)") }

        let factsCache = FactsCache(ledger: ledger)
        let facts = factsCache.facts(at: sha, repo: repo, tree: tree)!
        trace("claims: \(files.count) files listed at \(elapsedMs(since: started)) ms")
        let wanted = request.effectiveSources
        var sources: [ClaimSourceFile] = []
        var results: [ClaimResult] = []
        var warnings: [String] = missingTrees.map { "the folder \($0) is missing from the object database (a partial clone?); its docs were not read" }
        var notices: [String] = []
        // .assay.yml, read from the audited tree (so every commit is judged by its own settings).
        var config = AssayConfig()
        if let override = request.config {
            config = override
        } else if let entry = files.first(where: { $0.path.string == AssayConfig.fileName }) {
            do { config = try AssayConfig.parse(try repo.blob(entry.entry.id)) } catch let error as GitError {
                throw RepositoryAccess.explain(error, doing: "read \(AssayConfig.fileName)")
            } catch let error as AssayError {
                throw error
            } catch { throw AssayError("\(error)", at: AssayConfig.fileName) }
            notices += config.warnings
        }
        if wanted.contains(.docs) {
            let candidates = files.filter { file in
                file.entry.kind == .blob
                    && (Self.mayBeSource(file.path.bytes) || config.claimsInclude.contains { $0.matches(file.path.string) })
            }
            for (path, entry) in candidates.sorted(by: { $0.path < $1.path }) {
                guard let reason = Self.sourceReason(path.string, config) else { continue }
                sources.append(ClaimSourceFile(path: path.string, reason: reason))
                let bytes: [UInt8]
                do { bytes = try repo.blob(entry.id) } catch {
                    if error.isMissingObject {  // a partial clone: the doc is not here; say so (exit 3), never pass silently
                        warnings.append("\(path): the doc's blob \(entry.id.short) is missing from the object database (a partial clone?); its claims were not read; `git fetch` or a full clone brings it back")
                        continue
                    }
                    throw RepositoryAccess.explain(error, doing: "read \(path)")
                }
                guard let extracted = Self.extract(bytes, path: path.string, commit: sha.hex) else {
                    warnings.append("\(path): not a Task Master tasks file (invalid JSON or no \"tasks\"); skipped")
                    continue
                }
                // When was it written? Blame the doc (once) and judge each claim at the commit that wrote
                // its line as well as at the audited commit.
                trace("claims: \(path): \(extracted.count) claims extracted at \(elapsedMs(since: started)) ms")
                // Blame is the costly step (seconds on a long history): it is needed only when a claim is
                // false here, to tell a claim that went stale from one that was false when written.
                // Each claim is verified here once; that result stands wherever no blame says otherwise.
                var falseHere = false
                let here = extracted.map { c in
                    Self.verifyNoting(c, facts) {
                        let r = ClaimVerifier.verify(c, facts: facts)
                        if c.abstainReason == nil && c.dependsOnTheTree && r.verdict == .contradicted { falseHere = true }
                        return Self.proseIfNeverCode(r)
                    }
                }
                let blame = falseHere ? try? repo.blame(path, at: sha) : nil
                trace("claims: \(path) blamed at \(elapsedMs(since: started)) ms")
                for (i, var claim) in extracted.enumerated() {
                    guard let line = claim.claim.source.line, let written = blame?.commit(forLine: line), written != sha,
                          let writtenFacts = factsCache.facts(at: written, repo: repo) else {
                        results.append(here[i])
                        continue
                    }
                    claim.claim.source.commit = written.hex
                    let c = claim
                    results.append(Self.verifyNoting(c, facts) {
                        Self.verifyNoting(c, writtenFacts) { Self.judge(c, writtenAt: writtenFacts, auditedAt: facts) }
                    })
                }
            }
        }
        if wanted.contains(.commits) {
            let specs = request.commits.isEmpty ? [sha.hex] : request.commits
            for spec in specs {
                // `REV` alone means that one commit's message; ranges mean every commit in them.
                let ids: [ObjectID]
                if spec.contains("..") {
                    let range = try RepositoryAccess.select(repo, [spec], all: false)
                    do { ids = try repo.walk(range) } catch { throw RepositoryAccess.explain(error, doing: "walk \(spec)") }
                } else {
                    ids = try RepositoryAccess.select(repo, [spec], all: false).include
                }
                for id in ids {
                    let commit: Commit
                    do { commit = try repo.commit(id) } catch { throw RepositoryAccess.explain(error, doing: "read commit \(id.hex)") }
                    sources.append(ClaimSourceFile(path: "commit \(id.short)", reason: commit.subject))
                    let written: GitFacts
                    do { written = factsCache.facts(at: id, repo: repo, tree: try repo.commitHeader(id).tree)! } catch {
                        throw RepositoryAccess.explain(error, doing: "read commit \(id.hex)")
                    }
                    for extracted in DocClaimExtractor.claims(inCommitMessage: commit.message, commit: id.hex) {
                        results.append(Self.verifyNoting(extracted, facts) {
                            Self.verifyNoting(extracted, written) { Self.judge(extracted, writtenAt: written, auditedAt: facts) }
                        })
                    }
                }
            }
        }
        if wanted.contains(.prBody), let path = request.prBodyPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the PR body", at: path, fix: "pass --pr-body with a readable Markdown file")
            }
            sources.append(ClaimSourceFile(path: path, reason: "--pr-body"))
            let document = MarkdownDocument.parse(Array(data))
            for extracted in DocClaimExtractor.claims(in: document, source: ClaimSource(kind: "pr-body", path: path, commit: sha.hex)) {
                results.append(Self.verifyNoting(extracted, facts) { Self.proseIfNeverCode(ClaimVerifier.verify(extracted, facts: facts)) })
            }
        }
        if !request.evidencePaths.isEmpty {
            var ran = TestReport()
            for path in request.evidencePaths {
                let r = try TestReport.read(path)
                ran.tests += r.tests; ran.failures += r.failures; ran.errors += r.errors; ran.skipped += r.skipped
            }
            results = results.map { Self.withEvidence($0, ran, request.evidencePaths) }
        }
        let unreadable = results.filter { $0.verdictClass == "objects missing" }.count
        if unreadable > 0 {
            warnings.append("\(unreadable) claim\(unreadable == 1 ? "" : "s") could not be checked: git objects are missing (a partial clone?); `git fetch` brings them back")
        }
        let cut = results.filter { $0.verdictClass == "shallow clone" || $0.verdictClass == "absent-in-shallow-history" }.count
        if cut > 0 {
            let boundary = repo.shallowBoundary.map { String($0.hex.prefix(12)) }.sorted().joined(separator: ", ")
            notices.append("this clone is shallow (history stops at \(boundary)): \(cut) claim\(cut == 1 ? "" : "s") about missing paths could not be checked against older commits; `git fetch --unshallow` (or `fetch-depth: 0` in CI) fetches them")
        }
        let inSubmodules = results.filter { $0.verdictClass == "inside a submodule" }.count
        if inSubmodules > 0 {
            notices.append("\(inSubmodules) claim\(inSubmodules == 1 ? "" : "s") name files inside submodules, which are not read; check them in the submodule's repository")
        }
        trace("claims: \(results.count) verified at \(elapsedMs(since: started)) ms")
        var summary: [String: Int] = [:]
        for v in Verdict.allCases { summary[v.rawValue] = 0 }
        for r in results { summary[r.verdict.rawValue, default: 0] += 1 }
        var report = ClaimsReport(sha: sha.hex, sources: sources, summary: summary, warnings: warnings, notices: notices,
                                  claims: results.map { r in
            // Bytes kept as escapes for byte-exact lookups are shown as git shows them (U+FFFD).
            .init(id: r.claim.id, kind: r.claim.kind.rawValue, text: GitPath.displayString(r.claim.text),
                  subject: GitPath.displayString(r.claim.subject), scope: r.claim.scope.map(GitPath.displayString),
                  source: r.claim.source, verdict: r.verdict.rawValue,
                  verdictClass: r.verdictClass, evidence: r.evidence.map(GitPath.displayString))
        })
        if request.useBaseline, let (baseline, file) = try ClaimsBaseline.load(repo, tree: tree) {
            report.apply(baseline, file: file)
        }
        return report
    }
}

extension ClaimsService {
    /// Judges a claim where it was written and where it is audited: false when written is
    /// `contradicted`; true when written but false now is `stale`.
    static func judge(_ extracted: ExtractedClaim, writtenAt: RepositoryFacts, auditedAt: RepositoryFacts) -> ClaimResult {
        let then = ClaimVerifier.verify(extracted, facts: writtenAt)
        if then.verdict == .contradicted, writtenAt.sha != auditedAt.sha, then.claim.kind != .symbol {
            // False when written; if it holds now, say both (the doc ran ahead of the code).
            let now = ClaimVerifier.verify(extracted, facts: auditedAt)
            guard now.verdict == .verified else { return then }
            return ClaimResult(claim: now.claim, verdict: .verified, verdictClass: "false-when-written",
                               evidence: then.evidence.map { "when written: \($0)" } + now.evidence.map { "now: \($0)" })
        }
        guard then.verdict == .verified, writtenAt.sha != auditedAt.sha else { return proseIfNeverCode(then) }
        let now = ClaimVerifier.verify(extracted, facts: auditedAt)
        guard now.verdict == .contradicted else { return now }
        return ClaimResult(claim: now.claim, verdict: .stale, verdictClass: now.verdictClass,
                           evidence: then.evidence.map { "when written: \($0)" } + now.evidence.map { "now: \($0)" })
    }

    /// Verifies at `facts`, and turns a contradiction reached while objects were missing into
    /// `unverifiable` (a partial clone must not produce false findings).
    static func verifyNoting(_ extracted: ExtractedClaim, _ facts: GitFacts, _ body: () -> ClaimResult) -> ClaimResult {
        let before = facts.missingObjects.count
        let result = body()
        guard facts.missingObjects.count > before, result.verdict == .contradicted || result.verdict == .stale else { return result }
        return ClaimResult(claim: result.claim, verdict: .unverifiable, verdictClass: "objects missing",
                           evidence: result.evidence + ["could not read: \(facts.missingObjects[before])"] )
    }

    /// "N tests passing" whose static count matched: the test report decides. N passing with no
    /// failures or errors is verified; fewer passing, or any failure, contradicts it.
    static func withEvidence(_ result: ClaimResult, _ ran: TestReport, _ paths: [String]) -> ClaimResult {
        guard result.claim.kind == .testResult, result.verdict == .unverifiable,
              result.verdictClass == "passing needs execution evidence",
              let claimed = Int(result.claim.subject.split(separator: " ").first ?? "") else { return result }
        let evidence = result.evidence.filter { !$0.hasPrefix("the count matches") }
            + ["\(paths.joined(separator: ", ")): \(ran.tests) ran, \(ran.passing) passed, \(ran.failures) failed, \(ran.errors) errors, \(ran.skipped) skipped"]
        if ran.failures + ran.errors == 0 && ran.passing >= claimed {
            return ClaimResult(claim: result.claim, verdict: .verified, evidence: evidence)
        }
        return ClaimResult(claim: result.claim, verdict: .contradicted, verdictClass: "tests-failing", evidence: evidence)
    }

    /// A symbol that is not defined where the claim was written (nor now) was never code: the
    /// backticked word is prose, not a claim (precision first).
    static func proseIfNeverCode(_ result: ClaimResult) -> ClaimResult {
        guard result.claim.kind == .symbol, result.verdict == .contradicted else { return result }
        return ClaimResult(claim: result.claim, verdict: .abstain, verdictClass: "never defined in code (prose, not a symbol claim)",
                           evidence: result.evidence)
    }
}

/// What every `GitFacts` of one run shares: the ledger, and its commit graph read once. The
/// ledger can be opened on first use (an audit needs history only when a named path is missing).
final class SharedHistory {
    private var opened: Ledger??
    private let open: () -> Ledger?
    private var graph: CommitGraph??

    init(ledger: Ledger) { opened = .some(ledger); open = { ledger } }
    init(opening open: @escaping () -> Ledger?) { self.open = open }

    var ledger: Ledger? {
        if opened == nil { opened = .some(open()) }
        return opened ?? nil
    }

    var commitGraph: CommitGraph? {
        if graph == nil { graph = .some(try? ledger?.commitGraph()) }
        return graph ?? nil
    }
}

/// One `GitFacts` per commit claims were written at.
final class FactsCache {
    let shared: SharedHistory
    private var byCommit: [ObjectID: GitFacts] = [:]

    init(ledger: Ledger) { shared = SharedHistory(ledger: ledger) }
    init(shared: SharedHistory) { self.shared = shared }

    func facts(at commit: ObjectID, repo: Repository, tree: ObjectID? = nil) -> GitFacts? {
        if let cached = byCommit[commit] { return cached }
        guard let tree = tree ?? (try? repo.commitHeader(commit).tree) else { return nil }
        let facts = GitFacts(repo: repo, shared: shared, commit: commit, tree: tree)
        byCommit[commit] = facts
        return facts
    }
}

/// Answers the verifier's questions from git (the tree at the SHA, ignore rules, rename detection)
/// and the ledger (when a path was deleted).
final class GitFacts: RepositoryFacts {
    let repo: Repository
    let shared: SharedHistory
    var ledger: Ledger? { shared.ledger }
    let commit: ObjectID
    let tree: ObjectID
    var sha: String { commit.hex }

    init(repo: Repository, shared: SharedHistory, commit: ObjectID, tree: ObjectID) {
        self.repo = repo; self.shared = shared; self.commit = commit; self.tree = tree
    }

    /// Objects that could not be read while answering (a partial or treeless clone). A verdict
    /// reached while this grew rests on absent data and is reported as unverifiable, not contradicted.
    private(set) var missingObjects: [String] = []

    /// Runs a lookup; a missing or unreadable object is remembered and answers nil.
    private func noting<T>(_ body: () throws(GitError) -> T?) -> T? {
        do { return try body() } catch {
            missingObjects.append(error.message)
            return nil
        }
    }

    func kind(of path: String) -> PathKind? {
        guard let entry = noting({ () throws(GitError) in try repo.treeEntry(GitPath(escaped: path), inTree: tree) }) else { return nil }
        return entry.kind == .tree ? .directory : .file
    }

    func contents(of path: String) -> [UInt8]? {
        guard let entry = noting({ () throws(GitError) in try repo.treeEntry(GitPath(escaped: path), inTree: tree) }),
              entry.kind == .blob else { return nil }
        return noting { () throws(GitError) in try repo.blob(entry.id) }
    }

    func deletion(of path: String) -> (commit: String, subject: String, renamedTo: String?)? {
        // A directory is deleted when its files are: look for the path itself, then for files under it.
        guard let events = try? ledger?.events(of: Data(GitPath(escaped: path).bytes)) else { return nil }
        for event in events where event.status == "D" {
            guard let id = ObjectID(hex: event.commit), isAncestor(event.commit) else { continue }
            return (event.commit, event.subject, renameTarget(of: path, in: id))
        }
        return nil
    }

    /// Where a path deleted in `commit` went, if it moved: a file the same commit added with the same
    /// content, else the one it added with the same name. The added paths come from the ledger; only
    /// their entries are looked up (no tree diff, no similarity search over the whole tree).
    func renameTarget(of path: String, in commit: ObjectID) -> String? {
        guard let added = try? ledger?.paths(of: commit.hex).filter({ $0.status == "A" }), !added.isEmpty,
              let header = try? repo.commitHeader(commit), let parent = header.parents.first,
              let parentTree = try? repo.commitHeader(parent).tree,
              let gone = try? repo.treeEntry(GitPath(escaped: path), inTree: parentTree) else { return nil }
        let addedPaths = added.map { GitPath(bytes: Array($0.path)) }
        for candidate in addedPaths {
            if let entry = try? repo.treeEntry(candidate, inTree: header.tree), entry.id == gone.id { return candidate.escapedString }
        }
        let named = addedPaths.filter { $0.lastComponent == GitPath(escaped: path).lastComponent }
        return named.count == 1 ? named[0].escapedString : nil
    }


    /// True when `sha` is this commit or one of its ancestors. The ancestry comes from the ledger's
    /// recorded parents once (the ledger was brought up to date for the audited commit), with a
    /// libgit2 check for commits the ledger does not hold (a commit judged where it was written).
    private func isAncestor(_ sha: String) -> Bool {
        if ancestors == nil { ancestors = .some(shared.commitGraph?.ancestors(of: commit.hex)) }
        if let known = ancestors ?? nil { return known.contains(sha) }
        guard let id = ObjectID(hex: sha) else { return false }
        return (try? repo.isAncestor(id, of: commit)) ?? false
    }

    private var ancestors: Set<String>??

    func isIgnored(_ path: String) -> Bool { repo.isIgnored(GitPath(escaped: path)) }

    func files(under path: String) -> [String] {
        if let cached = filesUnder[path] { return cached }
        let listed = (noting { () throws(GitError) in try repo.files(inTree: tree, under: GitPath(escaped: path)) } ?? [])
            .filter { $0.entry.kind == .blob }.map(\.path.escapedString)
        filesUnder[path] = listed
        return listed
    }

    /// Set when the facts describe a change that is not a commit (staged or working-tree content).
    var changedFilesOverride: [String]?

    var changedFiles: [String] {
        if let changedFilesOverride { return changedFilesOverride }
        return ((try? repo.diffCommit(commit))?.changes ?? []).filter { $0.status != .deleted }.map(\.path.escapedString)
    }

    /// Tests in a file, counted once per blob: the same content at two commits or paths is scanned once.
    func tests(in path: String) -> FileTests { tests(in: path, tree: tree) }

    /// The tree's files by name, built on first use and kept for the run.
    lazy var pathIndex = TreePathIndex(files: files(under: ""))

    /// Set when the facts describe a change that is not a commit: the tree it is measured against
    /// (HEAD's for a staged change; none before the first commit).
    var baseTreeOverride: ObjectID??

    func testsAtParent(in path: String) -> FileTests? {
        if let baseTreeOverride { return baseTreeOverride.map { tests(in: path, tree: $0) } ?? FileTests.none }
        guard let header = try? repo.commitHeader(commit), let parent = header.parents.first,
              let parentTree = try? repo.commitHeader(parent).tree else { return nil }
        return tests(in: path, tree: parentTree)
    }

    private func tests(in path: String, tree: ObjectID) -> FileTests {
        guard !TestCounter.frameworks(forPath: path).isEmpty,
              let entry = noting({ () throws(GitError) in try repo.treeEntry(GitPath(escaped: path), inTree: tree) }),
              entry.kind == .blob else { return .none }
        let kind = TestCounter.frameworks(forPath: path).map(\.rawValue).joined(separator: ",") + (RustDoctestCounter.runsDoctests(path: path) ? "+doc" : "")
        if let cached = ScanCaches.tests.value(for: entry.id, kind) { return cached }
        guard let bytes = noting({ () throws(GitError) in try repo.blob(entry.id) }) else { return .none }
        let found = FileTests.scan(bytes, path: path)
        ScanCaches.tests.store(found, for: entry.id, kind)
        return found
    }

    func commit(named id: String) -> (sha: String, subject: String)? {
        guard let found = try? repo.resolveCommit(id), let c = try? repo.commit(found) else { return nil }
        return (found.hex, c.subject)
    }

    var isShallow: Bool { repo.isShallow }

    var shallowBoundary: [String] { repo.shallowBoundary.map(\.hex) }

    func submodule(containing path: String) -> (path: String, commit: String)? {
        let components = GitPath(escaped: path).components
        var prefix = GitPath(bytes: [])
        for component in components.dropLast() {
            prefix = prefix.appending(component)
            guard let entry = noting({ () throws(GitError) in try repo.treeEntry(prefix, inTree: tree) }) else { return nil }
            if entry.kind == .submodule { return (prefix.escapedString, entry.id.hex) }
            guard entry.kind == .tree else { return nil }
        }
        return nil
    }

    func definition(of name: String) -> String? {
        if symbolIndex == nil { symbolIndex = buildSymbolIndex() }
        return symbolIndex?[name]
    }

    /// Name → first file defining it, over every source file of the tree; each blob is scanned once
    /// per process however many trees hold it (`ScanCaches.symbols`).
    private func buildSymbolIndex() -> [String: String] {
        var index: [String: String] = [:]
        let files = ((try? repo.files(inTree: tree)) ?? []).filter { $0.entry.kind == .blob }
        for (path, entry) in files.sorted(by: { $0.path < $1.path }) {
            guard let language = SymbolDefinitions.language(forPath: path.string) else { continue }
            let names: Set<String>
            if let cached = ScanCaches.symbols.value(for: entry.id, language.rawValue) { names = cached } else {
                guard let bytes = try? repo.blob(entry.id), !bytes.contains(0) else { continue }
                names = SymbolDefinitions.definitions(in: String(decoding: bytes, as: UTF8.self), language: language)
                ScanCaches.symbols.store(names, for: entry.id, language.rawValue)
            }
            for name in names where index[name] == nil { index[name] = path.escapedString }
        }
        return index
    }

    private var symbolIndex: [String: String]?

    private var filesUnder: [String: [String]] = [:]
}

/// Results of scanning a blob (test counts, symbol definitions), keyed by blob id and the kind of
/// scan: a file unchanged between commits or paths is scanned once per process.
final class BlobCache<Value>: @unchecked Sendable {
    private var values: [String: Value] = [:]
    private let lock = NSLock()

    func value(for id: ObjectID, _ kind: String) -> Value? {
        lock.lock(); defer { lock.unlock() }
        return values[id.hex + ":" + kind]
    }

    func store(_ value: Value, for id: ObjectID, _ kind: String) {
        lock.lock(); defer { lock.unlock() }
        values[id.hex + ":" + kind] = value
    }
}

enum ScanCaches {
    /// Symbol definitions, by blob and language.
    static let symbols = BlobCache<Set<String>>()
    /// Test counts, by blob and the frameworks the file's path allows.
    static let tests = BlobCache<FileTests>()
}
