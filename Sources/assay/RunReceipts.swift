import ArgumentParser
import AssayCore
import AssayKit
import Foundation

/// `--no-receipt` and `--sign`: every command that decides something leaves a receipt in
/// `refs/notes/assay/receipts` on the commit it decided about (`assay receipts` reads them).
struct ReceiptOptions: ParsableArguments {
    @Flag(name: .long, help: "Leave no receipt in refs/notes/assay/receipts for this run.")
    var noReceipt = false

    @Option(name: .long, help: ArgumentHelp("Sign the receipt (DSSE, Ed25519) with this private key (`assay receipts keygen` writes one).", valueName: "key"))
    var sign: String?

    /// Writes the run's receipt; a receipt that cannot be written is a warning, never a change of
    /// the run's exit code. Returns the digest written, if any.
    @discardableResult
    func leave(_ record: RunRecord, scope: ReceiptScope = ReceiptScope(), repositoryPath: String, verbose: Bool) -> String? {
        guard !noReceipt else { return nil }
        do {
            let written = try ReceiptWriter.write(record, repositoryPath: repositoryPath, signingKey: sign, scope: scope)
            for warning in written.warnings { Terminal.standardError.write("assay: warning: receipt: \(warning)\n") }
            if verbose {
                Terminal.standardError.write("assay: receipt \(written.digest) on \(written.commit.prefix(12))\(written.signed ? " (signed)" : "") in \(written.notesRef)\n")
            }
            return written.digest
        } catch {
            Terminal.standardError.write("assay: warning: no receipt was written: \(error.description)\n")
            return nil
        }
    }
}

extension AuditReport {
    /// What a receipt counts for an audit: files in, findings out, suppressed findings aside, and
    /// findings by severity.
    var receiptCounts: RecordCounts {
        RecordCounts(input: summary.files, output: findings.count, quarantined: suppressed.count,
                     byCategory: ["block": summary.block, "warn": summary.warn, "info": summary.info, "suppressed": summary.suppressed])
    }
}
