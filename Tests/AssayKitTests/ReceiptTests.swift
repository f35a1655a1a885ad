import AssayCore
import AssayKit
import AssayLedger
import AssayTestSupport
import Foundation
import GitKit
import Testing

/// A repository with one commit and an output file written next to it (not committed).
private func receiptRepo() throws -> GitFixture {
    let fx = try GitFixture()
    try fx.commit("root", files: ["src/lib.rs": "pub fn f() -> u32 { 1 }\n", "policy.yml": "rules: {}\n"])
    try fx.write("out/report.sarif", "{\"version\":\"2.1.0\",\"runs\":[]}\n")
    return fx
}

private func record(_ fx: GitFixture, command: String = "audit", outputs: [String] = ["out/report.sarif"],
                    parents: [String] = []) -> RunRecord {
    RunRecord(command: command, argv: ["audit", "--staged"], inputFiles: ["src/lib.rs"], outputFiles: outputs,
              policyFiles: ["policy.yml"], recordCounts: RecordCounts(input: 3, output: 2, quarantined: 1, byCategory: ["block": 1, "warn": 1]),
              validationPass: true, warnings: ["one warning"], verdict: "pass", exitCode: 0,
              startedAt: Date(timeIntervalSince1970: 1_800_000_000.123), endedAt: Date(timeIntervalSince1970: 1_800_000_000.456),
              parents: parents, workingDirectory: fx.path.path)
}

/// The note on `rev` as the git CLI prints it.
private func noteLines(_ fx: GitFixture, _ rev: String = "HEAD") throws -> [String] {
    try fx.lines("notes", "--ref=assay/receipts", "show", rev)
}

@Suite struct CanonicalJSONTests {
    @Test func keysAreSortedAndNothingButTheNecessaryIsEscaped() throws {
        let value = JSONValue.object(["b": .int(2), "a": .array([.bool(true), .null, .string("x\"y\\z\n\u{1}é/")]), "A": .bool(false)])
        #expect(value.canonicalText == #"{"A":false,"a":[true,null,"x\"y\\z\n\u0001é/"],"b":2}"#)
        #expect(try JSONValue.parse(value.canonicalText) == value)
        // Spaces, another key order and escaped slashes read back as the same value, whose canonical text differs.
        let loose = #"{ "b" : 2, "A": false, "a": [true, null, "x\"y\\z\n\u0001\u00e9\/"] }"#
        #expect(try JSONValue.parse(loose) == value)
    }

    @Test func integersBooleansAndDoublesStayApart() throws {
        #expect(try JSONValue.parse("[1, true, 1.5, -0, 12345678901]") == .array([.int(1), .bool(true), .double(1.5), .int(0), .int(12_345_678_901)]))
        for bad in ["{\"a\":1,}", "[01]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "[1] x", "tru", "\"a\u{1}\""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }

    @Test func timesAreRFC3339UTCWithMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_800_000_000.123)
        let text = ReceiptTime.format(date)
        #expect(text == "2027-01-15T08:00:00.123Z")
        #expect(abs(ReceiptTime.parse(text)!.timeIntervalSince1970 - 1_800_000_000.123) < 0.0005)
        #expect(ReceiptTime.parse("2027-01-15T09:00:00+01:00")!.timeIntervalSince1970 == 1_800_000_000)
        #expect(ReceiptTime.parse("2027-01-15 08:00:00Z") == nil)
    }
}

@Suite struct DSSETests {
    @Test func theEncodingSignedIsDSSEsPAE() {
        // The example from the DSSE protocol document.
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test func aSignatureVerifiesWithItsKeyOnlyAndKeysSurviveTheirFiles() throws {
        let key = ReceiptSigningKey()
        let envelope = try DSSEEnvelope.sign(payload: Array("{}".utf8), payloadType: ReceiptFormat.payloadType, with: key)
        let reread = try DSSEEnvelope(json: JSONValue.parse(envelope.json.canonicalText))
        #expect(reread == envelope)
        #expect(reread.signatures(verifyingWith: key.publicKey).count == 1)
        #expect(reread.signatures(verifyingWith: ReceiptSigningKey().publicKey).isEmpty)
        var tampered = reread
        tampered.payload = Array("{\"x\":1}".utf8)
        #expect(tampered.signatures(verifyingWith: key.publicKey).isEmpty)
        // The files keygen writes read back as the same keys; the PEM public key too.
        let again = try ReceiptSigningKey(fileContents: key.pem)
        #expect(again.publicKey.keyid == key.publicKey.keyid)
        #expect(try ReceiptPublicKey(fileContents: key.publicKey.fileContents).keyid == key.publicKey.keyid)
        #expect(try ReceiptPublicKey(fileContents: key.publicKey.pem).raw == key.publicKey.raw)
        #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    }

    @Test func theKeyidIsTheSHA256OfSecuresystemslibsCanonicalKeyDictionary() throws {
        let key = ReceiptSigningKey().publicKey
        let canonical = "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"\(key.rawHex)\"},\"scheme\":\"ed25519\"}"
        #expect(key.keyid == sha256Hex(Array(canonical.utf8)))
        let file = try JSONValue.parse(key.fileContents)
        #expect(file["keyid"]?.stringValue == key.keyid)
        #expect(file["keyval"]?["public"]?.stringValue == key.rawHex)
    }
}

@Suite struct ReceiptWriterTests {
    @Test func theStatementHasFullDigestsRealBooleansAndReadsBack() throws {
        let fx = try receiptRepo()
        let repo = try Repository(discoveringFrom: fx.path.path)
        let statement = try ReceiptWriter.makeStatement(record(fx), repository: repo)
        let p = statement.predicate
        #expect(p.gitSHA == (try fx.head()))
        #expect(p.gitTree == (try fx.rev("HEAD^{tree}")))
        #expect(p.gitDirty == false)  // the output file is untracked: git describe --dirty says clean
        #expect(p.startedAt == "2027-01-15T08:00:00.123Z" && p.endedAt == "2027-01-15T08:00:00.456Z" && p.durationMs == 333)
        // Ground truth: sha256sum and git hash-object.
        for (file, path) in [(p.outputFiles[0], "out/report.sarif"), (p.inputFiles[0], "src/lib.rs"), (p.policyFiles[0], "policy.yml")] {
            #expect(file.path == path)
            let sum = try runProcess("sha256sum", [fx.path.appendingPathComponent(path).path]).out.split(separator: " ").first.map(String.init)
            #expect(file.sha256 == sum)
            #expect(file.gitBlob == (try fx.git("hash-object", "--no-filters", path).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        #expect(statement.subjects == [ReceiptSubject(name: "out/report.sarif", digest: ["sha256": p.outputFiles[0].sha256, "gitBlob": p.outputFiles[0].gitBlob])])
        let json = try JSONValue.parse(statement.canonicalLine)
        #expect(json["predicate"]?["validation_pass"] == .bool(true))
        #expect(json["predicate"]?["git_dirty"] == .bool(false))
        #expect(json["predicate"]?["record_counts"]?["by_category"]?["block"] == .int(1))
        #expect(json["predicate"]?["tool"]?["version"]?.stringValue == AssayVersion.current)
        #expect(!statement.canonicalLine.contains("\n") && !statement.canonicalLine.contains(": "))
        let line = try ReceiptLine.parse(statement.canonicalLine)
        #expect(line.statement == statement && line.isCanonical && line.digest == statement.digest)
        #expect(statement.digest == sha256Hex(Array(statement.canonicalLine.utf8)))
    }

    @Test func withoutOutputFilesTheCommitIsTheSubject() throws {
        let fx = try receiptRepo()
        let repo = try Repository(discoveringFrom: fx.path.path)
        let statement = try ReceiptWriter.makeStatement(record(fx, outputs: []), repository: repo)
        #expect(statement.subjects == [ReceiptSubject(name: "git+commit", digest: ["gitCommit": try fx.head()])])
    }

    @Test func gitPrintsTheLineThatWasWrittenAndTheLedgerIndexesIt() throws {
        let fx = try receiptRepo()
        let first = try ReceiptWriter.write(record(fx), repositoryPath: fx.path.path, signingKey: nil)
        // A caller with the ledger open indexes at once; without it, the next read of the notes does.
        let repo = try Repository(discoveringFrom: fx.path.path)
        let ledger = try Ledger(path: fx.path.appendingPathComponent(".git/assay/ledger.sqlite").path)
        let second = try ReceiptWriter.write(record(fx, command: "claims", parents: [first.digest]), repository: repo,
                                             signingKey: nil, ledger: ledger)
        #expect(first.commit == (try fx.head()) && first.notesRef == "refs/notes/assay/receipts")
        #expect(try noteLines(fx) == [first.line, second.line])
        #expect(first.warnings.isEmpty && second.warnings.isEmpty)
        #expect(try ledger.receipts(on: first.commit).map(\.digest) == [second.digest])
        #expect(try ledger.receipt(digest: second.digest)?.command == "claims")
        _ = try ReceiptService().list(repositoryPath: fx.path.path)
        #expect(try ledger.receipts(on: first.commit).map(\.digest).sorted() == [first.digest, second.digest].sorted())
        #expect(second.phaseMilliseconds["note"] != nil && second.phaseMilliseconds["ledger"] != nil)
    }

    @Test func aDirtyIndexOrTrackedFileIsRecordedAsDirty() throws {
        let fx = try receiptRepo()
        let repo = try Repository(discoveringFrom: fx.path.path)
        try fx.write("src/lib.rs", "pub fn f() -> u32 { 2 }\n")
        #expect(try ReceiptWriter.makeStatement(record(fx), repository: repo).predicate.gitDirty == true)
        var told = record(fx)
        told.gitDirty = false
        #expect(try ReceiptWriter.makeStatement(told, repository: repo).predicate.gitDirty == false)
    }

    @Test func twentyThreadsWithTheirOwnHandlesLoseNoReceipt() throws {
        let fx = try receiptRepo()
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var digests: [String] = []
            var errors: [String] = []
        }
        let results = Results()
        let path = fx.path.path
        let base = record(fx)
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            var r = base
            r.command = "stage-\(i)"
            do {
                let written = try ReceiptWriter.write(r, repositoryPath: path, signingKey: nil)
                results.lock.withLock { results.digests.append(written.digest) }
            } catch {
                results.lock.withLock { results.errors.append("\(error)") }
            }
        }
        #expect(results.errors.isEmpty, "\(results.errors)")
        let stored = try noteLines(fx).map { try ReceiptLine.parse($0).digest }
        #expect(stored.count == 20)
        if stored.count != 20 {
            let log = try String(contentsOf: fx.path.appendingPathComponent(".git/logs/refs/notes/assay/receipts"), encoding: .utf8)
            let chain = log.split(separator: "\n").map { $0.split(separator: " ").prefix(2).map { String($0.prefix(8)) }.joined(separator: " ") }
            let history = try fx.git("log", "--format=%h %p", "refs/notes/assay/receipts")
            Issue.record(Comment(rawValue: chain.joined(separator: "\n") + "\n---\n" + history))
        }
        #expect(Set(stored) == Set(results.digests))
    }

    @Test func aMissingFileOrUnbornHeadIsAnErrorThatSaysWhatToDo() throws {
        let fx = try receiptRepo()
        do {
            _ = try ReceiptWriter.write(record(fx, outputs: ["out/missing.sarif"]), repositoryPath: fx.path.path, signingKey: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("out/missing.sarif") && error.description.contains("no such file"))
            #expect(error.status == .couldNotRun)
        }
        let empty = try GitFixture()
        do {
            _ = try ReceiptWriter.write(RunRecord(command: "audit", verdict: "pass", startedAt: Date()), repositoryPath: empty.path.path, signingKey: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("unborn"))
        }
        #expect(throws: AssayError.self) {
            _ = try ReceiptWriter.write(record(fx, parents: ["abc"]), repositoryPath: fx.path.path, signingKey: nil)
        }
    }
}
