import AssayCore
import AssayLedger
import Foundation
import GitKit

/// One line of a receipts note, parsed when it is a receipt.
public struct StoredReceipt: Sendable {
    /// The commit the note is attached to (40 hex).
    public var commit: String
    /// 1-based line number in that note.
    public var lineNumber: Int
    public var line: String
    public var parsed: ReceiptLine?
    /// Why the line is not a receipt (nil when it is one).
    public var problem: String?

    public var digest: String? { parsed?.digest }
    public var predicate: ReceiptPredicate? { parsed?.statement.predicate }

    /// Parses a note line.
    public init(commit: String, lineNumber: Int, line: String) {
        self.commit = commit; self.lineNumber = lineNumber; self.line = line
        do { parsed = try ReceiptLine.parse(line) } catch { problem = error.message }
    }
}

/// Reads receipts from `refs/notes/assay/receipts`: git is the truth, the ledger only an index.
public enum ReceiptStore {
    /// The receipts in the note on `commit`, in note order (blank lines skipped).
    public static func receipts(on commit: ObjectID, in repo: Repository) throws(AssayError) -> [StoredReceipt] {
        let bytes: [UInt8]?
        do { bytes = try repo.note(ReceiptFormat.notesRef, on: commit) } catch {
            throw RepositoryAccess.explain(error, doing: "read the receipts note on \(commit.short)")
        }
        return parse(bytes ?? [], commit: commit.hex)
    }

    /// Every receipt under the notes ref, keyed by the commit it is attached to.
    public static func allReceipts(in repo: Repository) throws(AssayError) -> [String: [StoredReceipt]] {
        var out: [String: [StoredReceipt]] = [:]
        do {
            guard let tip = try repo.referenceTarget(ReceiptFormat.notesRef) else { return [:] }
            let tree = try repo.commitHeader(tip).tree
            // Notes trees name each annotated object by its hex id, possibly split into fan-out directories.
            for (path, entry) in try repo.files(inTree: tree) where entry.kind == .blob {
                let name = path.string.replacingOccurrences(of: "/", with: "")
                guard ObjectID(hex: name) != nil else { continue }
                out[name] = parse(try repo.blob(entry.id), commit: name)
            }
        } catch {
            throw RepositoryAccess.explain(error, doing: "read \(ReceiptFormat.notesRef)")
        }
        return out
    }

    static func parse(_ bytes: [UInt8], commit: String) -> [StoredReceipt] {
        var out: [StoredReceipt] = []
        for (i, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = Array(raw)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            out.append(StoredReceipt(commit: commit, lineNumber: i + 1, line: String(decoding: line, as: UTF8.self)))
        }
        return out
    }

    /// Adds receipts to the ledger index (best effort: the index can always be rebuilt from git).
    /// Returns a warning when the ledger could not be written.
    @discardableResult
    static func index(_ receipts: [StoredReceipt], repository repo: Repository) -> String? {
        let rows = receipts.compactMap { r -> ReceiptIndexRecord? in
            guard let p = r.parsed else { return nil }
            let pr = p.statement.predicate
            return ReceiptIndexRecord(digest: p.digest, sha: r.commit, command: pr.command, verdict: pr.verdict,
                                      startedAt: pr.startedAt, signed: p.isSigned)
        }
        guard !rows.isEmpty else { return nil }
        do { try RepositoryAccess.openLedger(for: repo).recordReceipts(rows) } catch {
            return "the ledger index was not updated: \(error.description)"
        }
        return nil
    }
}
