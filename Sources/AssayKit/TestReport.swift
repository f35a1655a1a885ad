import AssayCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What a JUnit XML report (as pytest, Jest, cargo2junit, go-junit-report and `swift test
/// --xunit-output` write) says ran: the execution evidence a "N tests passing" claim needs.
public struct TestReport: Sendable, Equatable {
    public var tests = 0
    public var failures = 0
    public var errors = 0
    public var skipped = 0
    public var passing: Int { tests - failures - errors - skipped }

    /// Reads a JUnit file: counts `<testcase>` elements and their `<failure>`, `<error>` and
    /// `<skipped>` children (the suite attributes are not always there, nor right).
    public static func read(_ path: String) throws(AssayError) -> TestReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AssayError("cannot read the test report", at: path, fix: "pass --evidence with a JUnit XML file")
        }
        return try parse(data, at: path)
    }

    /// Reads a JUnit report's bytes; `path` names it in errors.
    public static func parse(_ data: Data, at path: String) throws(AssayError) -> TestReport {
        // Foundation's XMLParser traps on an element name that is not UTF-8 (`<\u{FF}\u{FF}`, found
        // by fuzzing), so a report that is neither UTF-8 nor says its encoding is refused first.
        guard isUTF8OrDeclaresItsEncoding(data) else {
            throw AssayError("the test report is not UTF-8 (nor UTF-16 with a byte-order mark, nor declared ISO-8859-1)", at: path,
                             fix: "pass the JUnit XML your test runner wrote, in UTF-8")
        }
        let delegate = JUnitDelegate()
        let parser = XMLParser(data: withProcessingInstructionData(data))
        parser.delegate = delegate
        guard parser.parse(), delegate.open.isEmpty else {
            if let unclosed = delegate.open.last {
                throw AssayError("the test report is not valid XML (<\(unclosed)> is never closed)", at: path,
                                 fix: "pass the complete JUnit XML your test runner wrote")
            }
            let line = parser.lineNumber
            throw AssayError("the test report is not valid XML (\(parser.parserError.map { "\($0.localizedDescription)" } ?? "parse error"))",
                             at: "\(path):\(line)", fix: "pass the JUnit XML your test runner wrote")
        }
        guard delegate.sawTestcase || delegate.sawSuite else {
            throw AssayError("the test report holds no <testsuite> or <testcase>", at: path,
                             fix: "pass a JUnit XML report (e.g. pytest --junitxml, jest-junit, swift test --xunit-output)")
        }
        return delegate.report
    }
}

/// True for UTF-8, for a UTF-16 or UTF-32 byte-order mark, and for an XML declaration that names
/// ISO-8859-1 (every byte is a character there, and libxml2 converts it to UTF-8 before Foundation
/// sees a name). Any other declared encoding may leave bytes Foundation traps on (`encoding="\u{FF}`).
func isUTF8OrDeclaresItsEncoding(_ data: Data) -> Bool {
    let bytes = [UInt8](data)
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) { return true }
    if String(validating: bytes, as: UTF8.self) != nil { return true }
    guard bytes.starts(with: Array("<?xml".utf8)), let end = bytes.prefix(200).firstIndex(of: UInt8(ascii: ">")) else { return false }
    let declaration = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
    return ["iso-8859-1", "latin1", "iso_8859-1"].contains { declaration.contains("encoding=\"\($0)\"") || declaration.contains("encoding='\($0)'") }
}

/// The report with a space before the `?>` of each processing instruction that has no data
/// (`<?target?>`): Foundation's XMLParser on Linux reads a null pointer for its data (found by
/// fuzzing). Counting test cases never looks at processing instructions.
func withProcessingInstructionData(_ data: Data) -> Data {
    let bytes = [UInt8](data)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    // After each `<?`, the bytes up to the first space, `?`, `>` or `<`; a space goes in when `?>` follows.
    var spaceAt: Int?
    for (i, byte) in bytes.enumerated() {
        if i == spaceAt { out.append(UInt8(ascii: " ")) }
        out.append(byte)
        guard byte == UInt8(ascii: "<"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "?") else { continue }
        var j = i + 2
        while j < bytes.count, !" \t\r\n?><".utf8.contains(bytes[j]) { j += 1 }
        if j + 1 < bytes.count, bytes[j] == UInt8(ascii: "?"), bytes[j + 1] == UInt8(ascii: ">") { spaceAt = j }
    }
    return Data(out)
}

private final class JUnitDelegate: NSObject, XMLParserDelegate {
    var report = TestReport()
    var sawTestcase = false
    var sawSuite = false
    /// Elements opened and not yet closed (a truncated file leaves some).
    var open: [String] = []
    private var inCase = false
    private var caseOutcome: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(name)
        switch name {
        case "testsuite", "testsuites": sawSuite = true
        case "testcase":
            sawTestcase = true
            inCase = true
            caseOutcome = nil
        case "failure", "error", "skipped":
            if inCase && caseOutcome == nil { caseOutcome = name }
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if !open.isEmpty { open.removeLast() }
        guard name == "testcase" else { return }
        inCase = false
        report.tests += 1
        switch caseOutcome {
        case "failure": report.failures += 1
        case "error": report.errors += 1
        case "skipped": report.skipped += 1
        default: break
        }
    }
}
