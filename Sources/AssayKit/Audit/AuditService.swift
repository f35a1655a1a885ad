import AssayCore
import AssayLedger
import AssayPolicy
import AssayRules
import Foundation
import GitKit
import MarkdownKit

/// What `assay audit` is asked to do.
public struct AuditRequest: Sendable {
    public var repositoryPath: String
    public var mode: AuditMode
    /// A pull-request body (Markdown) whose claims are checked too.
    public var prBodyPath: String?
    /// A commit message file (the commit-msg hook's `$1`) whose claims are checked against the content.
    public var messagePath: String?
    /// A policy file on disk; overrides `.assay.yml`.
    public var policyPath: String?
    /// A rubric file on disk; overrides `.assay.yml`.
    public var rubricPath: String?
    /// The branch whose overrides apply (default: the branch `HEAD` is on, or the range's end).
    public var branch: String?
    /// The lowest severity that fails the gate; nil never fails it (`--fail-on never`).
    public var failOn: Severity?
    /// Report only findings that are new relative to this revision.
    public var baselineRef: String?
    /// Report only findings whose fingerprints are not in this baseline file.
    public var baselineFile: String?
    /// False: check only the claims in `messagePath` and `prBodyPath`, not the content (the
    /// commit-msg hook, which runs after the pre-commit hook has checked the content).
    public var checksContent = true
    /// Read `.assay.yml`, `.assayignore` and the policy and rubric they name from the base of the
    /// change, not from the change: a gate that others' changes pass through (CI, pre-receive) must
    /// not let a change turn its own rules off.
    public var settingsFromBase = false
    /// False: `ASSAY_SKIP` is ignored (a server's gate: a local push hands the pusher's environment
    /// to the server's hooks).
    public var allowsSkipping = true

    public init(repositoryPath: String, mode: AuditMode = .workingTree, prBodyPath: String? = nil, messagePath: String? = nil,
                policyPath: String? = nil, rubricPath: String? = nil, branch: String? = nil, failOn: Severity? = .block,
                baselineRef: String? = nil, baselineFile: String? = nil) {
        self.repositoryPath = repositoryPath; self.mode = mode; self.prBodyPath = prBodyPath; self.messagePath = messagePath
        self.policyPath = policyPath; self.rubricPath = rubricPath; self.branch = branch; self.failOn = failOn
        self.baselineRef = baselineRef; self.baselineFile = baselineFile
    }
}

/// What `assay audit` found (schema `assay.audit/v1`).
public struct AuditReport: Codable, Sendable {
    public struct PolicyInfo: Codable, Sendable {
        public var name: String
        public var files: [String]
        public var rubric: String
    }

    public struct Summary: Codable, Sendable {
        public var files: Int
        public var addedLines: Int
        public var block: Int
        public var warn: Int
        public var info: Int
        public var suppressed: Int
        /// Claims by verdict.
        public var claims: [String: Int]

        enum CodingKeys: String, CodingKey {
            case files, addedLines = "added_lines", block, warn, info, suppressed, claims
        }
    }

    public struct IgnoreReport: Codable, Sendable {
        /// Entries past their expiry date: they no longer suppress anything.
        public var expired: [IgnoreList.Entry]
        /// Entries for files the change touches whose finding is gone: delete them.
        public var stale: [IgnoreList.Entry]
    }

    public struct Gate: Codable, Sendable {
        public var failOn: String
        /// Why the gate failed (empty when it passed).
        public var reasons: [String]

        enum CodingKeys: String, CodingKey { case failOn = "fail_on", reasons }
    }

    public var schema = "assay.audit/v1"
    /// `pass` or `fail`: the gate's answer.
    public var verdict: String
    public var decision: RubricDecision
    public var gate: Gate
    public var mode: String
    /// The commit the audit is tied to: the audited commit, or the commit the change sits on.
    public var sha: String
    /// What the change is compared with: `HEAD`, the first parent, the merge-base.
    public var base: String?
    public var branch: String?
    public var policy: PolicyInfo
    public var summary: Summary
    /// Findings that count, most severe first, then by path and line.
    public var findings: [Finding]
    /// Findings a suppression (inline, `.assayignore`, baseline) took out of the count.
    public var suppressed: [Finding]
    public var claims: [ClaimsReport.Entry]
    public var ignoreFile: IgnoreReport
    /// Files that could not be read (missing objects in a partial clone): the audit is partial.
    public var unreadable: [String]
    public var warnings: [String]
    public var notices: [String]
    public var durationMs: Int

    enum CodingKeys: String, CodingKey {
        case schema, verdict, decision, gate, mode, sha, base, branch, policy, summary, findings, suppressed, claims
        case ignoreFile = "ignore_file", unreadable, warnings, notices, durationMs = "duration_ms"
    }

    /// True when some input could not be read (exit 3 unless the gate failed).
    public var isPartial: Bool { !unreadable.isEmpty }
}

/// Runs the static checks over what a change adds, checks the claims the change makes, applies the
/// policy and suppressions, and scores the result with the rubric.
public final class AuditService: Sendable {
    public init() {}

    /// Every rule `assay audit` knows: the static checks, then the claim rule.
    public static var rules: [RuleDescription] { Checks.all.map { type(of: $0).description } + [ClaimContradictedRule.description] }

    public func run(_ request: AuditRequest) throws(AssayError) -> AuditReport {
        try run(request, writeBaselineTo: nil)
    }

    public func run(_ request: AuditRequest, writeBaselineTo baselineOut: String?) throws(AssayError) -> AuditReport {
        let started = Date()
        let repo = try RepositoryAccess.open(request.repositoryPath, objectsInMemory: true)
        trace("audit: repository opened at \(elapsedMs(since: started)) ms")
        // The built-in policy and rubric are parsed while the index loads (most runs use them).
        let change = try AuditedChange.resolve(request.mode, in: repo) {
            _ = Policy.builtInDefault()
            _ = Rubric.builtInDefault()
        }
        change.settingsFromBase = request.settingsFromBase
        trace("audit: change resolved (\(change.changes.count) files) at \(elapsedMs(since: started)) ms")
        var warnings: [String] = []
        var notices: [String] = change.notes
        if request.settingsFromBase {
            let edited = change.changes.map(\.path.string).filter { $0 == AssayConfig.fileName || $0 == IgnoreList.fileName }
            for name in edited {
                notices.append("the change edits \(name): its rules apply once it is merged; this audit uses the base's")
            }
        }

        // Settings come from the audited content, so a change is judged by the settings it carries.
        let config = try readConfig(change)
        warnings += config.warnings
        warnings += Self.unappliedSettingsEdits(change, settingsFromBase: request.settingsFromBase)
        let knownRules = Set(AuditService.rules.map(\.id)).union(Policy.builtInRuleIDs)
        let branch = request.branch ?? branchName(request.mode, repo)
        let basePolicy = try loadPolicy(request, config, change, knownRules)
        warnings += basePolicy.warnings
        var policy = basePolicy.resolved(forBranch: branch)
        // ASSAY_SKIP=rule,… turns rules off for one run (the pre-commit framework's SKIP convention).
        for id in request.allowsSkipping ? Self.skippedRules() : [] {
            guard knownRules.contains(id) else {
                warnings.append("ASSAY_SKIP names `\(id)`, which is not a rule; the rules are: \(AuditService.rules.map(\.id).joined(separator: ", "))")
                continue
            }
            policy.rules[id] = Policy.RuleSetting(severity: nil)
            notices.append("\(id) skipped for this run (ASSAY_SKIP)")
        }
        let rubric = try loadRubric(request, config, change)
        warnings += rubric.warnings
        let settings = CheckSettings(largeBinaryBytes: policy.largeBinaryBytes, largeTextBytes: policy.largeTextBytes)
        trace("audit: policy read at \(elapsedMs(since: started)) ms")

        // Static checks over the lines the change adds.
        var unreadable: [String] = change.unreadable
        var files: [ChangedFile] = []
        var findings: [Finding] = []
        var addedLineCount = 0
        var wholeFileCounts: [String: Int] = [:]
        // The findings an "… and N more" finding stands for, by its fingerprint: they count in the gate.
        var omittedBehind: [String: Int] = [:]
        var gitPaths: [String: GitPath] = [:]
        // A file deleted and one added with the same content is a move: it adds no line. One added
        // with the same name as the only deleted file of that name may be a move with edits.
        let deleted = change.changes.filter { $0.status == .deleted && ($0.oldMode & 0o170000) == 0o100000 }
        let deletedContent = Set(deleted.map(\.oldID))
        let deletedByName = Dictionary(grouping: deleted, by: { $0.path.lastComponent })
        for c in change.changes where request.checksContent && c.status != .deleted && (c.newMode & 0o170000) == 0o100000 {
            let path = c.path.string
            guard policy.covers(path) else { continue }
            if c.status == .added && deletedContent.contains(c.newID) { continue }
            let file: ChangedFile
            do {
                let sameName = c.status == .added ? deletedByName[c.path.lastComponent] : nil
                guard let f = try changedFile(c, repo, movedFrom: sameName?.count == 1 ? sameName![0].oldID : nil,
                                              largeTextBytes: settings.largeTextBytes) else { continue }
                file = f
            } catch {
                if error.isMissingObject {
                    unreadable.append("\(path) (blob \(c.newID.short)): missing from the object database (a partial clone?); `git fetch` brings it back")
                    continue
                }
                throw RepositoryAccess.explain(error, doing: "read \(path)")
            }
            if !file.isBinary && file.size > settings.largeTextBytes {
                notices.append("\(path): \(file.size) bytes of text, more than thresholds.large_text_bytes (\(settings.largeTextBytes)): "
                               + "its lines are not checked")
            }
            files.append(file)
            gitPaths[path] = c.path
            addedLineCount += file.addedLines.count
            let checked = Self.findings(in: file, policy: policy, settings: settings, sha: change.sha)
            var found = checked.onAddedLines
            // A path that is not UTF-8 keeps its bytes, so reporters can name the file exactly.
            if !c.path.isValidUTF8 { for k in found.indices { found[k].pathBytes = c.path.bytes } }
            findings += found
            wholeFileCounts.merge(checked.counts, uniquingKeysWith: +)
            omittedBehind.merge(checked.omitted, uniquingKeysWith: +)
        }
        trace("audit: \(files.count) files checked at \(elapsedMs(since: started)) ms")

        // Claims the change makes: edited docs, commit messages, the PR body, a message file.
        var claimResults: [ClaimResult] = []
        var claimFindingsSources: [(result: ClaimResult, path: String, line: Int)] = []
        var admissionLines: [(source: String, text: String)] = []
        let claimsRun = try checkClaims(request, change, config, files, &warnings)
        claimResults = claimsRun.results
        claimFindingsSources = claimsRun.located
        admissionLines = claimsRun.admissionLines
        if !claimsRun.unreadable.isEmpty { unreadable += claimsRun.unreadable }
        for (result, path, line) in claimFindingsSources where result.verdict == .contradicted {
            guard let severity = policy.severity(of: ClaimContradictedRule.id, at: path) else { continue }
            findings.append(Finding(rule: ClaimContradictedRule.id, severity: severity, path: path, line: line, sha: change.sha,
                                    message: Finding.excerpt("claim contradicted (\(result.verdictClass ?? "false")): \(result.claim.text)"),
                                    evidence: result.evidence.map { Finding.excerpt($0) },
                                    fingerprint: Fingerprint.make(rule: ClaimContradictedRule.id, path: path, text: result.claim.text)))
        }
        trace("audit: \(claimResults.count) claims checked at \(elapsedMs(since: started)) ms")

        // Stubs the change's own words admit are info, not block.
        let admissions = StubAdmission.find(in: admissionLines)
        for k in findings.indices where findings[k].rule == StubMarkerRuleID.id && findings[k].severity > .info {
            if let admitted = admissions.first(where: { $0.covers(findings[k].path) }) {
                findings[k].severity = .info
                findings[k].evidence.append("admitted by \(admitted.source): \"\(admitted.text)\"")
            }
        }

        // Suppressions: inline allows, .assayignore, baselines.
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for k in findings.indices {
            guard let file = byPath[findings[k].path], findings[k].line > 0 else { continue }
            for number in [findings[k].line, findings[k].line - 1] where number >= 1 && number <= file.lines.count {
                let text = file.lines[number - 1]
                // The line above counts only when the allow is all it holds (a trailing allow
                // belongs to its own line, not to the next one).
                if number != findings[k].line, !InlineAllow.isCommentOnly(text) { continue }
                guard let allow = InlineAllow.parse(text), allow.allows(findings[k].rule) else { continue }
                if allow.reason.isEmpty {
                    notices.append("\(findings[k].path):\(number): `assay:allow \(allow.rules.joined(separator: ","))` gives no reason, so it is not applied; add one after the rule")
                    continue
                }
                findings[k].suppression = Suppression(kind: "inline", reason: allow.reason, location: "\(findings[k].path):\(number)")
                break
            }
        }
        let ignore = try readIgnoreList(change)
        var expired: [IgnoreList.Entry] = [], stale: [IgnoreList.Entry] = []
        if !ignore.entries.isEmpty {
            var live: [String: IgnoreList.Entry] = [:]
            for entry in ignore.entries {
                if ignore.isExpired(entry) { expired.append(entry) } else { live[entry.fingerprint] = entry }
            }
            for k in findings.indices where findings[k].suppression == nil {
                if let entry = live[findings[k].fingerprint] {
                    findings[k].suppression = Suppression(kind: "ignore-file", reason: entry.reason,
                                                          location: "\(IgnoreList.fileName):\(entry.line)")
                }
            }
            // Stale: an entry for a file the change touches whose finding is nowhere in that file now.
            let touched = Set(change.changes.map(\.path.string))
            for entry in ignore.entries where touched.contains(entry.path) && !ignore.isExpired(entry) {
                let present = byPath[entry.path].map { Self.findings(in: $0, policy: policy, settings: settings, sha: change.sha,
                                                                      allFingerprints: true).allFingerprints } ?? []
                if !present.contains(entry.fingerprint) && !findings.contains(where: { $0.fingerprint == entry.fingerprint }) {
                    stale.append(entry)
                }
            }
            for e in expired {
                warnings.append("\(IgnoreList.fileName):\(e.line): the entry for \(e.path) expired on \(e.expires ?? "?") and no longer suppresses; fix the finding or renew the entry")
            }
            for e in stale {
                notices.append("\(IgnoreList.fileName):\(e.line): the entry for \(e.path) matches no finding any more; delete it")
            }
        }
        if let ref = request.baselineRef {
            // Per kind of finding (rule, path, text): as many as REF already had are not new. The
            // earliest added ones are taken as the old ones.
            let atRef = try baselineCounts(at: ref, files: files, paths: gitPaths, change: change, policy: policy, settings: settings)
            var budget: [String: Int] = [:]
            for (key, now) in wholeFileCounts {
                let added = findings.filter { Self.key(of: $0) == key }.count
                budget[key] = max(0, added - max(0, now - (atRef[key] ?? 0)))
            }
            for k in findings.indices where findings[k].suppression == nil {
                let key = Self.key(of: findings[k])
                guard let left = budget[key], left > 0 else { continue }
                budget[key] = left - 1
                findings[k].suppression = Suppression(kind: "baseline", reason: "present at \(ref)")
            }
        }
        if let path = request.baselineFile {
            let baseline = try BaselineFile.read(path)
            let known = Set(baseline.findings.map(\.fingerprint))
            for k in findings.indices where findings[k].suppression == nil && known.contains(findings[k].fingerprint) {
                findings[k].suppression = Suppression(kind: "baseline", reason: "in \(path)")
            }
        }
        if let out = baselineOut {
            let data = try encodeJSON(BaselineFile(sha: change.sha, findings: findings.filter { $0.suppression == nil }))
            guard FileManager.default.createFile(atPath: out, contents: data) else {
                throw AssayError("cannot write the baseline file", at: out, fix: "check the directory exists and is writable")
            }
        }

        // Gate and decision.
        findings.sort { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.path != b.path { return a.path < b.path }
            return a.line < b.line
        }
        let counted = findings.filter { $0.suppression == nil }
        let suppressed = findings.filter { $0.suppression != nil }
        // How many findings one listed finding counts for: one, or the N of "… and N more".
        func weight(_ f: Finding) -> Int { omittedBehind[f.fingerprint] ?? 1 }
        func total(_ severity: Severity) -> Int { counted.reduce(0) { $0 + ($1.severity == severity ? weight($1) : 0) } }
        var reasons: [String] = []
        if let failOn = request.failOn {
            let failing = counted.filter { $0.severity >= failOn }
            if !failing.isEmpty {
                let parts = Severity.allCases.reversed().filter { $0 >= failOn && total($0) > 0 }
                    .map { s in "\(total(s)) \(s == .block ? "blocking" : s.rawValue)" }
                let count = failing.reduce(0) { $0 + weight($1) }
                reasons.append("\(parts.joined(separator: ", ")) finding\(count == 1 ? "" : "s") at or above \(failOn.rawValue)")
            }
            let warns = total(.warn)
            if let max = policy.maxWarnings, warns > max {
                reasons.append("\(warns) warnings, more than the policy's max_warnings \(max)")
            }
        }
        let decision = rubric.evaluate(RubricInput(findings: counted.flatMap { f in
                                                       repeatElement(RubricInput.Item(rule: f.rule, severity: f.severity), count: weight(f)) },
                                                   claimVerdicts: claimResults.map(\.verdict)))
        var claimSummary: [String: Int] = [:]
        for v in Verdict.allCases { claimSummary[v.rawValue] = 0 }
        for r in claimResults { claimSummary[r.verdict.rawValue, default: 0] += 1 }
        let summary = AuditReport.Summary(files: files.count, addedLines: addedLineCount,
                                          block: total(.block), warn: total(.warn), info: total(.info),
                                          suppressed: suppressed.count, claims: claimSummary)
        return AuditReport(
            verdict: reasons.isEmpty ? "pass" : "fail", decision: decision,
            gate: .init(failOn: request.failOn?.rawValue ?? "never", reasons: reasons),
            mode: request.mode.name, sha: change.sha, base: change.baseCommit?.hex, branch: branch,
            policy: .init(name: policy.name, files: policy.files, rubric: rubric.name),
            summary: summary, findings: counted, suppressed: suppressed,
            claims: claimResults.map { r in
                .init(id: r.claim.id, kind: r.claim.kind.rawValue, text: r.claim.text, subject: r.claim.subject,
                      scope: r.claim.scope, source: r.claim.source, verdict: r.verdict.rawValue,
                      verdictClass: r.verdictClass, evidence: r.evidence)
            },
            ignoreFile: .init(expired: expired, stale: stale), unreadable: unreadable,
            warnings: warnings, notices: notices, durationMs: elapsedMs(since: started))
    }

    /// The rule ids in `ASSAY_SKIP` (comma- or space-separated).
    static func skippedRules() -> [String] {
        guard let value = ProcessInfo.processInfo.environment["ASSAY_SKIP"] else { return [] }
        return value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty }
    }

    // MARK: Files and checks

    /// The file as the change leaves it, with the lines it adds; nil for content no check reads.
    /// `movedFrom`: the content of a file the change deleted with the same name, when there is
    /// exactly one; a new file that is mostly that content is a move with edits, and only the edits
    /// are added lines (as `git diff -M` shows it).
    /// A text file larger than `largeTextBytes` is not split into lines: it has no added lines,
    /// and only its size is checked.
    func changedFile(_ c: FileChange, _ repo: Repository, movedFrom: ObjectID? = nil,
                     largeTextBytes: Int = CheckSettings.defaultLargeTextBytes) throws(GitError) -> ChangedFile? {
        let new = try repo.blob(c.newID)
        let isBinary = new.prefix(8000).contains(0)
        let isNew = c.status == .added || c.oldID.isZero || (c.oldMode & 0o170000) != 0o100000
        if isBinary || new.count > largeTextBytes {
            return ChangedFile(path: c.path.string, addedLines: [], lines: [], isBinary: isBinary, size: new.count,
                               isNew: isNew, blobID: c.newID.hex)
        }
        let lines = ChangedFile.splitLines(String(decoding: new, as: UTF8.self))
        var numbers: [Int]
        if isNew, let movedFrom, let old = try? repo.blob(movedFrom) {
            numbers = try LineDiff.addedLines(old: old, new: new)
            // Not similar enough to be the same file moved: all of it is new.
            if numbers.count * 2 > lines.count { numbers = try LineDiff.addedLines(old: nil, new: new) }
        } else {
            let old: [UInt8]? = isNew ? nil : try repo.blob(c.oldID)
            numbers = try LineDiff.addedLines(old: old, new: new)
        }
        let added = numbers.compactMap { n in n >= 1 && n <= lines.count ? AddedLine(number: n, text: lines[n - 1]) : nil }
        return ChangedFile(path: c.path.string, addedLines: added, lines: lines, isBinary: false, size: new.count,
                           isNew: isNew, blobID: c.newID.hex)
    }

    /// What the checks found in one file: the findings on the lines the change adds, and how many
    /// of each kind (rule, path, text) the whole file holds.
    struct FileFindings {
        var onAddedLines: [Finding] = []
        var counts: [String: Int] = [:]
        var allFingerprints: Set<String> = []
        /// For each "… and N more" finding (by fingerprint), N.
        var omitted: [String: Int] = [:]
    }

    /// The identity of a finding without its occurrence number: rule, path and normalized text.
    static func key(of finding: Finding) -> String { finding.evidenceKey }

    /// How many findings of one rule one file lists; past that, one finding says "… and N more".
    static let maxFindingsPerRuleAndFile = 200

    /// Runs every check the policy turns on for the file's path over the whole file, numbers
    /// identical findings in file order (so a fingerprint means the same in every run, whatever the
    /// change), and keeps those on the lines the change adds, at most `maxFindingsPerRuleAndFile`
    /// per rule. `allFingerprints`: also fingerprint the findings not listed (on lines the change
    /// does not add, or past the cap), for telling stale `.assayignore` entries.
    static func findings(in file: ChangedFile, policy: Policy, settings: CheckSettings, sha: String,
                         allFingerprints: Bool = false) -> FileFindings {
        var out = FileFindings()
        let whole = file.isNew || file.isBinary ? file
            : ChangedFile(path: file.path, addedLines: file.lines.enumerated().map { AddedLine(number: $0.offset + 1, text: $0.element) },
                          lines: file.lines, isBinary: file.isBinary, size: file.size, isNew: file.isNew, blobID: file.blobID)
        for check in Checks.all {
            let id = type(of: check).description.id
            guard let severity = policy.severity(of: id, at: file.path) else { continue }
            var seen: [String: Int] = [:]
            var listed = 0
            var omitted: (count: Int, first: Int, last: Int) = (0, 0, 0)
            for f in check.findings(in: whole, settings: settings).sorted(by: { $0.line < $1.line }) {
                let text = Fingerprint.normalize(f.fingerprintText)
                let occurrence = seen[text, default: 0]
                seen[text] = occurrence + 1
                let key = id + "\u{0}" + file.path + "\u{0}" + text
                out.counts[key, default: 0] += 1
                let isListed = (f.line == 0 || file.adds(line: f.line)) && listed < maxFindingsPerRuleAndFile
                // Hashing is the costly step: only the findings listed, unless every one is wanted.
                guard isListed || allFingerprints else {
                    if f.line == 0 || file.adds(line: f.line) {
                        omitted = (omitted.count + 1, omitted.count == 0 ? f.line : omitted.first, f.line)
                    }
                    continue
                }
                let fingerprint = Fingerprint.make(rule: id, path: file.path, text: f.fingerprintText, occurrence: occurrence)
                out.allFingerprints.insert(fingerprint)
                guard f.line == 0 || file.adds(line: f.line) else { continue }
                if listed == maxFindingsPerRuleAndFile {
                    omitted = (omitted.count + 1, omitted.count == 0 ? f.line : omitted.first, f.line)
                    continue
                }
                listed += 1
                var finding = Finding(rule: id, severity: severity, path: file.path, line: f.line, endLine: f.endLine, sha: sha,
                                      message: Finding.excerpt(f.message), evidence: f.evidence.map { Finding.excerpt($0) },
                                      fingerprint: fingerprint)
                finding.evidenceKey = key
                out.onAddedLines.append(finding)
            }
            if omitted.count > 0 {
                let more = "… and \(omitted.count) more"
                var summary = Finding(rule: id, severity: severity, path: file.path, line: omitted.first, endLine: omitted.last, sha: sha,
                                      message: "\(more) `\(id)` finding\(omitted.count == 1 ? "" : "s") in this file "
                                          + "(only the first \(maxFindingsPerRuleAndFile) are listed)",
                                      evidence: ["\(omitted.count) more on lines \(omitted.first)–\(omitted.last)"],
                                      fingerprint: Fingerprint.make(rule: id, path: file.path, text: "… and more findings"))
                summary.evidenceKey = id + "\u{0}" + file.path + "\u{0}\u{0}more"
                out.onAddedLines.append(summary)
                out.omitted[summary.fingerprint] = omitted.count
            }
        }
        return out
    }

    /// How many findings of each kind (rule, path, text) the changed files hold at `ref` (whole
    /// files, read from git objects: nothing is checked out).
    func baselineCounts(at ref: String, files: [ChangedFile], paths: [String: GitPath], change: AuditedChange, policy: Policy,
                        settings: CheckSettings) throws(AssayError) -> [String: Int] {
        let repo = change.repo
        let selection = try RepositoryAccess.select(repo, [ref], all: false)
        guard selection.exclude.isEmpty, !ref.contains(".."), let id = selection.include.first else {
            throw AssayError("--baseline takes one revision, not `\(ref)`", fix: "name a branch, tag or commit, e.g. --baseline origin/main")
        }
        var counts: [String: Int] = [:]
        do {
            let tree = try repo.commitHeader(id).tree
            for file in files {
                let path = paths[file.path] ?? GitPath(file.path)
                guard let entry = try repo.treeEntry(path, inTree: tree), entry.kind == .blob else { continue }
                let bytes: [UInt8]
                do { bytes = try repo.blob(entry.id) } catch where error.isMissingObject { continue }
                let whole: ChangedFile
                let isBinary = bytes.prefix(8000).contains(0)
                if isBinary || bytes.count > settings.largeTextBytes {
                    whole = ChangedFile(path: file.path, addedLines: [], lines: [], isBinary: isBinary, size: bytes.count, isNew: true,
                                        blobID: entry.id.hex)
                } else {
                    whole = ChangedFile.new(path: file.path, text: String(decoding: bytes, as: UTF8.self))
                }
                counts.merge(Self.findings(in: whole, policy: policy, settings: settings, sha: id.hex).counts, uniquingKeysWith: +)
            }
        } catch {
            throw RepositoryAccess.explain(error, doing: "read the baseline \(ref)")
        }
        return counts
    }

    // MARK: Settings

    /// A settings file at the root of the audited content; nil when absent (or its blob is missing
    /// from a partial clone: the defaults apply).
    func settingsFile(_ name: String, _ change: AuditedChange) throws(AssayError) -> [UInt8]? {
        do { return try change.settingsContents(of: name) } catch {
            if error.isMissingObject { return nil }
            throw RepositoryAccess.explain(error, doing: "read \(name)")
        }
    }

    func readConfig(_ change: AuditedChange) throws(AssayError) -> AssayConfig {
        guard let bytes = try settingsFile(AssayConfig.fileName, change) else { return AssayConfig() }
        return try AssayConfig.parse(bytes)
    }

    func readIgnoreList(_ change: AuditedChange) throws(AssayError) -> IgnoreList {
        guard let bytes = try settingsFile(IgnoreList.fileName, change) else { return IgnoreList() }
        return try IgnoreList.parse(bytes)
    }

    /// A policy file named in `.assay.yml` is read from the audited content; `--policy` from disk.
    func loadPolicy(_ request: AuditRequest, _ config: AssayConfig, _ change: AuditedChange,
                    _ knownRules: Set<String>) throws(AssayError) -> Policy {
        let fromRepo: (String) throws(AssayError) -> (bytes: [UInt8], file: String)? = { name throws(AssayError) in
            let bytes: [UInt8]?
            do throws(GitError) { bytes = try change.settingsContents(of: name) } catch {
                throw RepositoryAccess.explain(error, doing: "read the policy \(name)")
            }
            return bytes.map { ($0, name) }
        }
        if let path = request.policyPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the policy file", at: path, fix: "pass --policy with a readable YAML file")
            }
            let dir = (path as NSString).deletingLastPathComponent
            return try Policy.parse(Array(data), file: path, knownRules: knownRules) { name throws(AssayError) in
                let full = name.hasPrefix("/") ? name : (dir.isEmpty ? name : dir + "/" + name)
                return FileManager.default.contents(atPath: full).map { (Array($0), full) }
            }
        }
        switch config.policy {
        case .none:
            return Policy.builtInDefault()
        case .path(let name):
            return try Policy.named(name, referencedAt: AssayConfig.fileName, knownRules: knownRules, load: fromRepo)
        case .inline(let bytes):
            guard let node = try AssayConfig.inlinePolicy(in: bytes) else { return Policy.builtInDefault() }
            return try Policy.parse(node: node, file: AssayConfig.fileName, knownRules: knownRules, load: fromRepo)
        }
    }

    func loadRubric(_ request: AuditRequest, _ config: AssayConfig, _ change: AuditedChange) throws(AssayError) -> Rubric {
        if let path = request.rubricPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AssayError("cannot read the rubric file", at: path, fix: "pass --rubric with a readable YAML file")
            }
            return try Rubric.parse(Array(data), file: path)
        }
        guard let name = config.rubricPath, name != "default" else { return Rubric.builtInDefault() }
        let bytes: [UInt8]?
        do { bytes = try change.settingsContents(of: name) } catch { throw RepositoryAccess.explain(error, doing: "read the rubric \(name)") }
        guard let bytes else {
            throw AssayError("\(AssayConfig.fileName) names the rubric \(name), which is not in the audited content",
                             at: AssayConfig.fileName, fix: "add the file, or fix the `rubric:` path")
        }
        return try Rubric.parse(bytes, file: name)
    }

    func branchName(_ mode: AuditMode, _ repo: Repository) -> String? {
        if case .range(let spec) = mode {
            let end = spec.components(separatedBy: "..").last?.trimmingCharacters(in: CharacterSet(charactersIn: ".")) ?? ""
            if !end.isEmpty, (try? repo.referenceTarget("refs/heads/\(end)")) != nil { return end }
            if !end.isEmpty, end.hasPrefix("origin/") { return String(end.dropFirst("origin/".count)) }
        }
        return repo.currentBranch()
    }
}

/// The stub rule's id, shared by the admission logic.
enum StubMarkerRuleID { static let id = "stub-marker" }

func encodeJSON<T: Encodable>(_ value: T) throws(AssayError) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do { return try encoder.encode(value) } catch { throw AssayError("cannot encode JSON: \(error)") }
}
