import AssayCore
import AssayLedger
import AssayRules
import Foundation
import GitKit
import MarkdownKit

/// Judges every claim-bearing doc at commits of one first-parent chain, keeping what it learns so the
/// next commit costs only what changed: the docs under a tree (by tree id), a doc's claims and sections
/// (by blob id), its blame (by the last chain commit that changed it), each claim's verdict (by the
/// tree entries it looked at), and each claim's verdict at every commit a bisection probed.
final class DriftEngine {
    let repo: Repository
    let ledger: Ledger
    let shared: SharedHistory
    let history: DriftHistory
    let trees: TreeCache
    /// The chain, oldest first: `chain[d]` is the commit at depth `d`.
    private(set) var chain: [ObjectID] = []
    private var factsByCommit: [ObjectID: DriftFacts] = [:]
    private var times: [String: Int64]?
    private var commitInfo: [ObjectID: (time: Int64, subject: String)] = [:]

    private var candidatesByTree: [ObjectID: [(path: String, id: ObjectID)]] = [:]
    private var docs: [String: ParsedDoc] = [:]
    private var blames: [String: [ObjectID]?] = [:]
    private var atCache: [String: CachedVerdict] = [:]
    private var holdsMemo: [String: Bool] = [:]
    private var thenMemo: [String: Verdict] = [:]
    private var candidateMemo: [String: [String]] = [:]
    /// How much was reused, for `--verbose` and the benchmark.
    private(set) var stats = Stats()

    struct Stats: CustomStringConvertible {
        var docsParsed = 0, docsReused = 0, blames = 0, blamesReused = 0
        var verdicts = 0, verdictsReused = 0, probes = 0, probesReused = 0
        /// Seconds spent blaming, judging at the judged commit, probing history, and finding possibly stale sections.
        var blameTime = 0.0, verdictTime = 0.0, probeTime = 0.0, staleTime = 0.0
        var description: String {
            "docs parsed \(docsParsed) (reused \(docsReused)), blames \(blames) (reused \(blamesReused)), "
                + "verdicts \(verdicts) (reused \(verdictsReused)), bisection probes \(probes) (reused \(probesReused)); "
                + String(format: "blame %.2f s, verdicts %.2f s, probes %.2f s, possibly stale %.2f s", blameTime, verdictTime, probeTime, staleTime)
        }
    }

    /// A doc's claims and sections, read once per blob.
    struct ParsedDoc {
        var claims: [ExtractedClaim]?
        var sections: [Section]
        /// The headings above each block, by the block's line.
        var headings: [Int: [String]]
    }

    struct Section {
        var title: String
        var line: Int
        var endLine: Int
        var paths: [String]
    }

    struct CachedVerdict {
        var at: DriftFacts
        var inputs: [DriftInput]
        var fingerprints: [AnyHashable]
        var result: ClaimResult
    }

    init(repo: Repository, ledger: Ledger) {
        self.repo = repo
        self.ledger = ledger
        shared = SharedHistory(ledger: ledger)
        history = DriftHistory(repo: repo, ledger: ledger)
        trees = TreeCache(repo: repo)
    }

    // MARK: - The chain

    /// Reads the first-parent chain that ends at `tip` (from the ledger's commit graph, else libgit2).
    func prepareChain(tip: ObjectID) throws(AssayError) {
        if history.depth[tip] != nil { return }
        var newestFirst: [ObjectID]
        if let listed = shared.commitGraph?.firstParentChain(from: tip.hex) {
            newestFirst = listed.compactMap { ObjectID(hex: $0) }
        } else {
            newestFirst = []
            var current: ObjectID? = tip
            while let c = current {
                newestFirst.append(c)
                do { current = try repo.walkParents(of: c).first } catch {
                    if error.isMissingObject { break }
                    throw RepositoryAccess.explain(error, doing: "walk the first parents of \(tip.hex)")
                }
            }
        }
        chain = newestFirst.reversed()
        history.depth = [:]
        for (d, c) in chain.enumerated() { history.depth[c] = d }
    }

    func depth(of commit: ObjectID) -> Int? { history.depth[commit] }

    func time(of commit: ObjectID) -> Int64 { info(commit).time }

    func info(_ commit: ObjectID) -> (time: Int64, subject: String) {
        if let hit = commitInfo[commit] { return hit }
        let c = try? repo.commit(commit)
        let value = (c?.committer.time ?? 0, c?.subject ?? "")
        commitInfo[commit] = value
        return value
    }

    func describe(_ commit: ObjectID, verdict: String? = nil) -> DriftCommit {
        let i = info(commit)
        return DriftCommit(sha: commit.hex, date: isoDate(i.time), subject: i.subject, verdict: verdict)
    }

    /// Committer times by sha from the ledger (for `--since DATE` along the chain).
    func committerTime(_ commit: ObjectID) -> Int64 {
        if times == nil { times = (try? ledger.committerTimes()) ?? [:] }
        return times?[commit.hex] ?? time(of: commit)
    }

    func facts(_ commit: ObjectID) -> DriftFacts? {
        if let hit = factsByCommit[commit] { return hit }
        guard let tree = try? repo.commitHeader(commit).tree else { return nil }
        let facts = DriftFacts(base: GitFacts(repo: repo, shared: shared, commit: commit, tree: tree), history: history)
        factsByCommit[commit] = facts
        return facts
    }

    // MARK: - One commit

    /// Every claim in the docs at `commit`, judged there and where it was written, with when it went wrong.
    func snapshot(at commit: ObjectID) throws(AssayError) -> DriftSnapshot {
        guard let at = facts(commit) else {
            throw AssayError("cannot read commit \(commit.hex)", fix: "fetch it, or pass --at with a commit that is here")
        }
        at.trees = trees
        var warnings: [String] = []
        var notices: [String] = []
        var config = AssayConfig()
        do {
            if let entry = try repo.treeEntry(GitPath(AssayConfig.fileName), inTree: at.tree), entry.kind == .blob {
                config = try AssayConfig.parse(try repo.blob(entry.id))
                notices += config.warnings
            }
        } catch let error as GitError {
            throw RepositoryAccess.explain(error, doing: "read \(AssayConfig.fileName)")
        } catch let error as AssayError {
            throw error
        } catch { throw AssayError("\(error)", at: AssayConfig.fileName) }

        var missingTrees: [String] = []
        let files: [(path: String, id: ObjectID)]
        do {
            if config.claimsInclude.isEmpty {
                files = try candidates(inTree: at.tree) { p, id in missingTrees.append("\(p.isEmpty ? "/" : p) (tree \(id.short))") }
            } else {
                files = try repo.files(inTree: at.tree) { path, id in missingTrees.append("\(path.string.isEmpty ? "/" : path.string) (tree \(id.short))") }
                    .filter { $0.entry.kind == .blob }.map { ($0.path.string, $0.entry.id) }
            }
        } catch { throw RepositoryAccess.explain(error, doing: "list the files of \(commit.hex)") }
        warnings += missingTrees.map { "the folder \($0) is missing from the object database (a partial clone?); its docs were not read" }

        var sources: [ClaimSourceFile] = []
        var claims: [DriftClaim] = []
        var sections: [PossiblyStaleSection] = []
        for (path, blobID) in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            guard let reason = ClaimsService.sourceReason(path, config) else { continue }
            sources.append(ClaimSourceFile(path: path, reason: reason))
            guard let doc = try parsed(path: path, blob: blobID) else {
                warnings.append("\(path): the blob \(blobID.short) is missing from the object database (a partial clone?); its claims were not read")
                continue
            }
            guard let extracted = doc.claims else {
                warnings.append("\(path): not a Task Master tasks file (invalid JSON or no \"tasks\"); skipped")
                continue
            }
            let blame = origins(path, blob: blobID, at: commit)
            for claim in extracted {
                var judged = judge(claim, at: at, blame: blame)
                judged.section = claim.claim.source.line.flatMap { doc.headings[$0] } ?? []
                claims.append(judged)
            }
            if let blame {
                let t0 = Date()
                sections += possiblyStale(path: path, doc: doc, blame: blame, at: at)
                stats.staleTime += Date().timeIntervalSince(t0)
            }
        }
        let unreadable = claims.filter { $0.verdictClass == "objects missing" }.count
        if unreadable > 0 {
            warnings.append("\(unreadable) claim\(unreadable == 1 ? "" : "s") could not be checked: git objects are missing (a partial clone?); `git fetch` brings them back")
        }
        // Drifting first, then by doc (already in path order) and line; sorted as indices, the claims are big.
        let order = claims.indices.sorted { i, j in
            let a = claims[i], b = claims[j]
            if a.isDrifting != b.isDrifting { return a.isDrifting }
            if a.path != b.path { return i < j }
            return (a.line ?? 0, a.id) < (b.line ?? 0, b.id)
        }
        claims = order.map { claims[$0] }
        return DriftSnapshot(sha: commit.hex, commitTime: time(of: commit), sources: sources, claims: claims,
                             possiblyStale: sections, warnings: warnings, notices: notices)
    }

    /// Files that may be claim sources (Markdown, tasks.json) under a tree; each subtree is listed once
    /// per process, however many commits share it. `missing` gets each unreadable subtree (relative path).
    private func candidates(inTree tree: ObjectID, missing: (String, ObjectID) -> Void) throws(GitError) -> [(path: String, id: ObjectID)] {
        if let hit = candidatesByTree[tree] { return hit }
        let entries: [TreeEntry]
        do { entries = try repo.entries(ofTree: tree) } catch {
            guard error.isMissingObject else { throw error }
            missing("", tree)
            return []
        }
        var out: [(path: String, id: ObjectID)] = []
        var complete = true
        for entry in entries {
            let name = entry.name.string
            if entry.kind == .tree {
                let below = try candidates(inTree: entry.id) { p, id in
                    missing(name + (p.isEmpty ? "" : "/" + p), id)
                    complete = false
                }
                out += below.map { (name + "/" + $0.path, $0.id) }
            } else if entry.kind == .blob, ClaimsService.mayBeSource(entry.name.bytes) {
                out.append((name, entry.id))
            }
        }
        if complete { candidatesByTree[tree] = out }
        return out
    }

    /// A doc's claims and sections; nil when its blob is missing. A blob that is there but cannot be
    /// read (a corrupt object) is an error: the report would be built on a doc it never saw.
    private func parsed(path: String, blob: ObjectID) throws(AssayError) -> ParsedDoc? {
        let key = path + "\0" + blob.hex
        if let hit = docs[key] { stats.docsReused += 1; return hit }
        let bytes: [UInt8]
        do { bytes = try repo.blob(blob) } catch {
            if error.isMissingObject { return nil }
            throw RepositoryAccess.explain(error, doing: "read \(path)")
        }
        stats.docsParsed += 1
        // The claims' commit is set per point; extraction does not depend on it.
        let claims = ClaimsService.extract(bytes, path: path, commit: "")
        var sections: [Section] = []
        var headings: [Int: [String]] = [:]
        if !TaskMasterExtractor.isTaskMasterFile(path) {
            let document = MarkdownDocument.parse(bytes)
            var current = Section(title: "", line: 1, endLine: Int.max, paths: [])
            for block in document.blocks {
                headings[block.line] = block.headings
                if case .heading = block.kind {
                    current.endLine = block.line - 1
                    if !current.paths.isEmpty { sections.append(current) }
                    current = Section(title: block.text, line: block.line, endLine: Int.max, paths: [])
                    continue
                }
                if case .codeBlock = block.kind { continue }
                for span in block.codeSpans where PathSyntax.looksLikePath(span) && !current.paths.contains(span) {
                    current.paths.append(span)
                }
            }
            if !current.paths.isEmpty { sections.append(current) }
        }
        let doc = ParsedDoc(claims: claims, sections: sections, headings: headings)
        docs[key] = doc
        return doc
    }

    /// The commit that wrote each line of a doc (1-based line n at index n-1), as `git blame --first-parent`
    /// tells; reused from any commit after the last chain commit that changed the doc.
    private func origins(_ path: String, blob: ObjectID, at commit: ObjectID) -> [ObjectID]? {
        var key = path + "\0" + commit.hex
        var versions: [ObjectID] = []
        if let d = depth(of: commit) {
            let touched = history.changes(of: path).compactMap { e in ObjectID(hex: e.commit).flatMap { c in depth(of: c).map { ($0, c) } } }
                .filter { $0.0 <= d }.sorted { $0.0 < $1.0 }
            versions = touched.map(\.1)
            if let last = touched.last { key = path + "\0@" + String(last.0) }
        }
        if let hit = blames[key] { stats.blamesReused += 1; return hit }
        stats.blames += 1
        let t0 = Date()
        defer { stats.blameTime += Date().timeIntervalSince(t0) }
        let found = chainOrigins(path, blob: blob, versions: versions) ?? blameOrigins(path, at: commit)
        blames[key] = .some(found)
        return found
    }

    /// Line origins from the doc's own versions along the chain (the commits the ledger says changed it,
    /// oldest first), each diffed with the one before through libgit2: the lines a version adds are its
    /// commit's. Nil when the versions do not end in the doc as it is (the ledger is incomplete).
    private func chainOrigins(_ path: String, blob: ObjectID, versions: [ObjectID]) -> [ObjectID]? {
        guard !versions.isEmpty else { return nil }
        var origins: [ObjectID] = []
        var previous: [UInt8]?
        var lastID: ObjectID?
        for version in versions {
            guard let tree = try? repo.commitHeader(version).tree,
                  let entry = try? repo.treeEntry(GitPath(path), inTree: tree), entry.kind == .blob else {
                origins = []; previous = nil; lastID = nil
                continue
            }
            if entry.id == lastID { continue }
            guard let content = try? repo.blob(entry.id) else { return nil }
            if let old = previous, let hunks = try? LineDiff.hunks(old: old, new: content) {
                var next: [ObjectID] = []
                next.reserveCapacity(LineDiff.lineCount(content))
                var oldPos = 1
                for h in hunks {
                    let unchanged = (h.oldLines == 0 ? h.oldStart : h.oldStart - 1) - (oldPos - 1)
                    guard unchanged >= 0, oldPos - 1 + unchanged <= origins.count else { return nil }
                    next += origins[(oldPos - 1)..<(oldPos - 1 + unchanged)]
                    next += Array(repeating: version, count: h.newLines)
                    oldPos += unchanged + h.oldLines
                }
                guard oldPos - 1 <= origins.count else { return nil }
                next += origins[(oldPos - 1)...]
                origins = next
            } else {
                origins = Array(repeating: version, count: LineDiff.lineCount(content))
            }
            guard origins.count == LineDiff.lineCount(content) else { return nil }
            previous = content
            lastID = entry.id
        }
        return lastID == blob ? origins : nil
    }

    /// Line origins from libgit2's blame (first parent): when the ledger cannot tell the doc's versions.
    private func blameOrigins(_ path: String, at commit: ObjectID) -> [ObjectID]? {
        guard let blame = try? repo.blame(GitPath(path), at: commit) else { return nil }
        var out: [ObjectID] = []
        for hunk in blame.hunks.sorted(by: { $0.start < $1.start }) {
            guard hunk.start == out.count + 1 else { return nil }
            out += Array(repeating: hunk.commit, count: hunk.count)
        }
        return out
    }

    // MARK: - Claims

    /// Judges a claim at `at` and where its line was written (ClaimsService's rules), then dates it.
    private func judge(_ extracted: ExtractedClaim, at: DriftFacts, blame: [ObjectID]?) -> DriftClaim {
        var c = extracted
        c.claim.source.commit = at.sha
        let writtenID = c.claim.source.line.flatMap { line in blame.flatMap { line >= 1 && line <= $0.count ? $0[line - 1] : nil } }
        let missingBefore = at.base.missingObjects.count
        var result: ClaimResult
        var written: DriftFacts?
        if let writtenID, writtenID != at.commit, let w = facts(writtenID) {
            c.claim.source.commit = writtenID.hex
            written = w
            result = verdict(c, at: at, written: w)
        } else {
            let claimAtHead = c
            result = ClaimsService.verifyNoting(claimAtHead, at.base) {
                ClaimsService.proseIfNeverCode(ClaimVerifier.verify(claimAtHead, facts: at))
            }
        }
        result.claim = c.claim
        if at.base.missingObjects.count > missingBefore, result.verdict == .unverifiable, result.verdictClass != "objects missing" {
            // Not checkable because something was not there to read (a partial clone), whatever the verifier made of it.
            result = ClaimResult(claim: result.claim, verdict: .unverifiable, verdictClass: "objects missing",
                                 evidence: ["could not read: \(at.base.missingObjects[missingBefore])"])
        }
        // Bytes a non-UTF-8 doc kept as escapes (for byte-exact lookups) are shown as U+FFFD.
        var out = DriftClaim(id: c.claim.id, kind: c.claim.kind.rawValue, text: GitPath.displayString(c.claim.text),
                             subject: GitPath.displayString(c.claim.subject), scope: c.claim.scope.map(GitPath.displayString),
                             path: c.claim.source.path ?? "", line: c.claim.source.line,
                             section: [], verdict: result.verdict.rawValue, verdictClass: result.verdictClass,
                             evidence: result.evidence.map(GitPath.displayString), origin: nil, introduced: nil, since: nil,
                             firstSeen: nil, lastVerified: nil, drift: nil)
        let introducedID = written?.commit ?? writtenID ?? at.commit
        out.firstSeen = introducedID.hex
        let thenVerdict: Verdict
        if let w = written {
            let key = c.claim.id + "\0" + w.sha
            if let hit = thenMemo[key] { thenVerdict = hit } else {
                let claim = c
                thenVerdict = ClaimsService.verifyNoting(claim, w.base) { ClaimVerifier.verify(claim, facts: w) }.verdict
                thenMemo[key] = thenVerdict
            }
        } else {
            thenVerdict = result.verdict
        }
        out.introduced = describe(introducedID, verdict: thenVerdict.rawValue)
        guard c.abstainReason == nil else { return out }
        let atDepth = depth(of: at.commit)
        switch result.verdict {
        case .verified:
            out.lastVerified = at.sha
        case .contradicted where thenVerdict == .contradicted || written == nil:
            out.origin = "false-when-written"
            out.since = describe(introducedID, verdict: thenVerdict.rawValue)
        case .contradicted, .stale:
            out.origin = "went-stale"
            if let w = written, let wd = depth(of: w.commit), let ad = atDepth, wd < ad,
               let broke = wentStale(c, from: wd, to: ad) {
                out.since = describe(chain[broke], verdict: Verdict.contradicted.rawValue)
                out.lastVerified = chain[broke - 1].hex
            }
        default:
            break
        }
        if let since = out.since, let sinceID = ObjectID(hex: since.sha), let sd = depth(of: sinceID), let ad = atDepth {
            let days = Double(time(of: at.commit) - time(of: sinceID)) / 86_400
            out.drift = DriftAge(commits: ad - sd + 1, days: (max(0, days) * 10).rounded() / 10)
        }
        return out
    }

    /// The verdict at `at` for a claim written at `written`: reused from the last commit where it was
    /// computed when every input it read (tree entries, listings, history answers) is the same here.
    private func verdict(_ c: ExtractedClaim, at: DriftFacts, written: DriftFacts) -> ClaimResult {
        let key = c.claim.id + "\0" + written.sha
        if let cached = atCache[key], cached.at === at || zip(cached.inputs, cached.fingerprints).allSatisfy({ at.fingerprint($0) == $1 }) {
            stats.verdictsReused += 1
            var result = cached.result
            if cached.at !== at {
                // Evidence names the commit it was read at ("exists at X"); other commits it names stay.
                let old = String(cached.at.sha.prefix(12)), new = String(at.sha.prefix(12))
                result.evidence = result.evidence.map { replacing("at " + old, with: "at " + new, in: $0) }
            }
            return result
        }
        stats.verdicts += 1
        let t0 = Date()
        defer { stats.verdictTime += Date().timeIntervalSince(t0) }
        let missingBefore = (at.base.missingObjects.count, written.base.missingObjects.count)
        at.recording = []
        let result = ClaimsService.verifyNoting(c, at.base) {
            ClaimsService.verifyNoting(c, written.base) { ClaimsService.judge(c, writtenAt: written, auditedAt: at) }
        }
        let inputs = Array(Set(at.recording ?? []))
        at.recording = nil
        if missingBefore == (at.base.missingObjects.count, written.base.missingObjects.count) {
            atCache[key] = CachedVerdict(at: at, inputs: inputs, fingerprints: inputs.map { at.fingerprint($0) }, result: result)
        }
        return result
    }

    /// `text` with every `target` replaced (byte-wise; faster than Foundation's for these short strings).
    private func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let t = Array(target.utf8), bytes = Array(text.utf8)
        guard bytes.count >= t.count, let first = t.first else { return text }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < bytes.count {
            if bytes[i] == first, i + t.count <= bytes.count, Array(bytes[i..<(i + t.count)]) == t {
                out += replacement.utf8
                i += t.count
                changed = true
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// Whether a claim holds (is not contradicted) at a commit; remembered per claim and commit.
    private func holds(_ c: ExtractedClaim, at commit: ObjectID) -> Bool {
        let key = c.claim.id + "\0" + commit.hex
        if let hit = holdsMemo[key] { stats.probesReused += 1; return hit }
        stats.probes += 1
        let t0 = Date()
        defer { stats.probeTime += Date().timeIntervalSince(t0) }
        guard let f = facts(commit) else { return true }
        let result = ClaimsService.verifyNoting(c, f.base) { ClaimVerifier.verify(c, facts: f) }
        let value = result.verdict != .contradicted
        holdsMemo[key] = value
        return value
    }

    /// The depth of the commit where a claim that held at depth `from` stopped holding, at or before
    /// `to` (where it does not hold). The probes go out from `from` in doubling steps, then bisect: the
    /// same probes for every judged commit past the break, so a backfill reuses them and agrees with
    /// separate runs.
    private func wentStale(_ c: ExtractedClaim, from: Int, to: Int) -> Int? {
        var lo = from
        var step = 1
        var hi: Int
        while true {
            let probe = min(from + step, to)
            if !holds(c, at: chain[probe]) { hi = probe; break }
            lo = probe
            if probe == to { return nil }
            step *= 2
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if holds(c, at: chain[mid]) { lo = mid } else { hi = mid }
        }
        return hi
    }

    // MARK: - Possibly stale

    /// Sections whose named files changed on the chain after the section's newest line was written.
    private func possiblyStale(path: String, doc: ParsedDoc, blame: [ObjectID], at: DriftFacts) -> [PossiblyStaleSection] {
        guard let atDepth = depth(of: at.commit) else { return [] }
        var out: [PossiblyStaleSection] = []
        for section in doc.sections {
            var newest: (depth: Int, id: ObjectID)?
            for line in section.line...max(section.line, min(section.endLine, blame.count)) where line <= blame.count {
                guard let d = depth(of: blame[line - 1]) else { continue }
                if newest == nil || d > newest!.depth { newest = (d, blame[line - 1]) }
            }
            guard let touched = newest else { continue }
            var changed: [PossiblyStaleSection.Change] = []
            for token in section.paths {
                let key = path + "\0" + token
                let candidates = candidateMemo[key] ?? PathSyntax.candidates(for: token, namedIn: path)
                candidateMemo[key] = candidates
                guard let resolved = candidates.first(where: { at.kind(of: $0) == .file }) else { continue }
                var latest: (depth: Int, id: ObjectID)?
                for event in history.changes(of: resolved) {
                    guard let id = ObjectID(hex: event.commit), let d = depth(of: id), d > touched.depth, d <= atDepth else { continue }
                    if latest == nil || d > latest!.depth { latest = (d, id) }
                }
                if let latest { changed.append(.init(path: resolved, commit: describe(latest.id))) }
            }
            if !changed.isEmpty {
                out.append(PossiblyStaleSection(path: path, section: section.title, line: section.line,
                                                lastTouched: describe(touched.id), changed: changed))
            }
        }
        return out
    }
}
