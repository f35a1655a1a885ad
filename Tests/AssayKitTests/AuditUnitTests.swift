import AssayCore
@testable import AssayKit
import Foundation
import Testing

@Suite struct AuditUnitTests {
    @Test func fingerprintIsVersionedAndLineIndependent() throws {
        let a = Fingerprint.make(rule: "stub-marker", path: "src/a.rs", text: "fn b() { todo!() }")
        #expect(a.hasPrefix("v1:") && a.count == 35)
        #expect(Fingerprint.make(rule: "stub-marker", path: "src/a.rs", text: "    fn b() {  todo!() }  ") == a)
        #expect(Fingerprint.make(rule: "stub-marker", path: "src/a.rs", text: "fn c() { todo!() }") != a)
        #expect(Fingerprint.make(rule: "todo-added", path: "src/a.rs", text: "fn b() { todo!() }") != a)
        #expect(Fingerprint.make(rule: "stub-marker", path: "src/b.rs", text: "fn b() { todo!() }") != a)
        #expect(Fingerprint.make(rule: "stub-marker", path: "src/a.rs", text: "fn b() { todo!() }", occurrence: 1) != a)
        // Ground truth from a real SHA-256: sha256sum over the same framed bytes.
        let framed = "assay-fingerprint/v1\0stub-marker\0src/a.rs\0fn b() { todo!() }\00\0"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(getpid())")
        try Data(framed.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run(); p.waitUntilExit()
        let sum = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(a == "v1:" + sum.prefix(32))
    }

    @Test(arguments: [
        ("// assay:allow stub-marker tracked in #12", ["stub-marker"], "tracked in #12"),
        ("# assay:allow todo-added,stub-marker vendored", ["todo-added", "stub-marker"], "vendored"),
        ("<!-- assay:allow claim-contradicted the file lands in #9 -->", ["claim-contradicted"], "the file lands in #9"),
        ("/* assay:allow all generated */", ["all"], "generated"),
        ("// assay:allow stub-marker", ["stub-marker"], ""),
    ])
    func inlineAllows(_ line: String, _ rules: [String], _ reason: String) throws {
        let allow = try #require(InlineAllow.parse(line))
        #expect(allow.rules == rules)
        #expect(allow.reason == reason)
    }

    @Test func ignoreListParsesEntriesAndRejectsBadLines() throws {
        let fp = "v1:" + String(repeating: "0f", count: 16)
        let list = try IgnoreList.parse(Array("""
            # comment
            \(fp) src/a.rs expires=2027-03-31 vendored; fixed upstream
            \(fp) "docs/with space.md" reason here

            """.utf8))
        #expect(list.entries.count == 2)
        #expect(list.entries[0].expires == "2027-03-31" && list.entries[0].reason == "vendored; fixed upstream" && list.entries[0].line == 2)
        #expect(list.entries[1].path == "docs/with space.md" && list.entries[1].expires == nil)
        for bad in ["v1:abc src/a.rs reason", "\(fp)", "\(fp) src/a.rs", "\(fp) src/a.rs expires=2027-13-01 r"] {
            #expect(throws: AssayError.self, "\(bad)") { try IgnoreList.parse(Array(bad.utf8)) }
        }
        #expect(IgnoreList.day("1970-01-02") == 1)
        #expect(IgnoreList.day("2000-03-01") == 11_017)
    }
}
