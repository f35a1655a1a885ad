import AssayCore
import Foundation
import GitKit

/// `.assay-baseline.json` at the repository root: contradicted claims accepted as they are (written
/// by `assay init`, so drift that predates assay does not block on day one). An accepted claim keeps
/// its verdict in every report; only the `--fail-on contradicted` gates of `assay claims` and
/// `assay drift` pass over it. Claims are matched by their stable id (kind, doc, subject, text), so an
/// edit elsewhere in the doc keeps the entry, and rewording the claim ends it.
///
/// ```json
/// {"schema":"assay.claims-baseline/v1","sha":"4b7bbbb4…","created":"2026-12-05",
///  "claims":[{"id":"9f3c…","path":"PRD.md","line":12,"kind":"path","class":"never-existed",
///             "text":"Created `src/cli.ts`","reason":"contradicted when assay init ran"}]}
/// ```
public struct ClaimsBaseline: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var path: String?
        public var line: Int?
        public var kind: String
        public var verdictClass: String?
        public var text: String
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case id, path, line, kind, text, reason
            case verdictClass = "class"
        }

        public init(id: String, path: String?, line: Int?, kind: String, verdictClass: String?, text: String, reason: String) {
            self.id = id; self.path = path; self.line = line; self.kind = kind
            self.verdictClass = verdictClass; self.text = text; self.reason = reason
        }
    }

    public var schema = ClaimsBaseline.schemaName
    /// The commit the claims were judged at when the baseline was written.
    public var sha: String
    /// `YYYY-MM-DD` (UTC).
    public var created: String
    public var claims: [Entry]

    public static let schemaName = "assay.claims-baseline/v1"
    public static let fileName = ".assay-baseline.json"

    public init(sha: String, created: String, claims: [Entry]) {
        self.sha = sha; self.created = created; self.claims = claims
    }

    public var acceptedIDs: Set<String> { Set(claims.map(\.id)) }

    /// Pretty, sorted JSON with a final line end: a file people read in review and diff.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(AssayError) -> ClaimsBaseline {
        let baseline: ClaimsBaseline
        do { baseline = try JSONDecoder().decode(ClaimsBaseline.self, from: Data(bytes)) } catch {
            throw AssayError("\(file) is not an assay claims baseline (\(Self.describe(error)))", at: file,
                             fix: "fix the JSON, or delete the file and run `assay init --force` to write it again")
        }
        guard baseline.schema == schemaName else {
            throw AssayError("\(file) has schema \(baseline.schema); this assay reads \(schemaName)", at: file,
                             fix: "delete the file and run `assay init --force` to write it again")
        }
        return baseline
    }

    /// The baseline that applies to `repo`: the working tree's file when the repository has one
    /// (so a baseline applies as soon as `assay init` writes it, before it is committed), else the
    /// file in `tree` (a bare repository, a server). Nil when there is none. The second value says
    /// where it was read from.
    public static func load(_ repo: Repository, tree: ObjectID?) throws(AssayError) -> (ClaimsBaseline, String)? {
        if let workdir = repo.workingDirectory {
            let url = workdir.appendingPathComponent(fileName)
            if let data = FileManager.default.contents(atPath: url.path) {
                return (try parse(Array(data), file: fileName), fileName)
            }
        }
        guard let tree else { return nil }
        do {
            guard let entry = try repo.treeEntry(GitPath(fileName), inTree: tree), entry.kind == .blob else { return nil }
            return (try parse(try repo.blob(entry.id), file: fileName), "\(fileName) (committed)")
        } catch let error as GitError {
            if error.isMissingObject { return nil }
            throw RepositoryAccess.explain(error, doing: "read \(fileName)")
        } catch let error as AssayError {
            throw error
        } catch {
            throw AssayError("\(error)", at: fileName)
        }
    }

    /// The baseline for the repository at `path`, read as `load` does at `rev`'s tree.
    public static func load(repositoryPath path: String, at rev: String) throws(AssayError) -> (ClaimsBaseline, String)? {
        let repo = try RepositoryAccess.open(path)
        let tree = try? repo.commitHeader(repo.resolveCommit(rev)).tree
        return try load(repo, tree: tree)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no `\(key.stringValue)`"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "\(error)"
        }
    }
}

extension ClaimsReport {
    /// Marks the contradicted claims `baseline` accepts, and records which of its entries, in a doc
    /// this run read, matched none.
    mutating func apply(_ baseline: ClaimsBaseline, file: String) {
        let reasons = Dictionary(baseline.claims.map { ($0.id, $0.reason) }, uniquingKeysWith: { first, _ in first })
        var matched: Set<String> = []
        var accepted = 0
        for i in claims.indices where claims[i].verdict == "contradicted" {
            guard let reason = reasons[claims[i].id] else { continue }
            claims[i].accepted = reason
            matched.insert(claims[i].id)
            accepted += 1
        }
        // An entry whose doc this run did not read (excluded, or not committed yet) is not judged.
        let read = Set(sources.map(\.path))
        let unmatched = baseline.claims.filter { !matched.contains($0.id) && $0.path.map(read.contains) == true }
            .map { entry in "\(entry.path ?? "?")\(entry.line.map { ":\($0)" } ?? "") \(entry.id)" }
        self.baseline = BaselineUse(file: file, accepted: accepted, unmatched: unmatched)
    }
}
