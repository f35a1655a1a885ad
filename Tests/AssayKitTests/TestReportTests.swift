import AssayCore
@testable import AssayKit
import Foundation
import Testing

@Suite struct TestReportTests {
    /// Found by fuzzing (FuzzJUnit): Foundation's XMLParser trapped on an element name that is not
    /// UTF-8; such a report is now an error that says what is wrong.
    @Test(arguments: [
        [0x3C, 0xFF, 0xFF, 0x5F, 0x5F] as [UInt8],        // <\xFF\xFF__
        Array(#"<?xml encoding=""#.utf8) + [0xFF, 0x3E, 0x3C, 0xFF, 0x63, 0x73, 0x73],  // a declared encoding that is no name
    ])
    func nameNotUTF8IsAnError(bytes: [UInt8]) {
        do throws(AssayError) {
            _ = try TestReport.parse(Data(bytes), at: "report.xml")
            Issue.record("the report parsed")
        } catch {
            #expect(error.what.contains("not UTF-8"), "\(error.what)")
            #expect(error.location == "report.xml")
        }
    }

    @Test func countsTestcasesByOutcome() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="t" tests="3"><testcase name="a"/><testcase name="b"><failure message="x"/></testcase>
        <testcase name="c"><skipped/></testcase></testsuite>
        """
        let report = try TestReport.parse(Data(xml.utf8), at: "report.xml")
        #expect(report == TestReport(tests: 3, failures: 1, errors: 0, skipped: 1))
    }

    /// A report in another encoding that its declaration names still reads (libxml2 converts it).
    @Test func declaredLatin1Reads() throws {
        var bytes = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="caf"#.utf8)
        bytes += [0xE9] + Array(#""/></testsuite>"#.utf8)
        #expect(try TestReport.parse(Data(bytes), at: "r.xml").tests == 1)
    }

    /// Found by fuzzing (FuzzJUnit): a processing instruction without data, valid XML, made
    /// Foundation's XMLParser read a null pointer.
    @Test func processingInstructionWithoutDataReads() throws {
        for xml in ["<?foo?><testsuite><testcase name=\"a\"/></testsuite>",
                    "<?xml version=\"1.0\"?><testsuite><?x?><testcase name=\"a\"/><?y?></testsuite><?z?>"] {
            #expect(try TestReport.parse(Data(xml.utf8), at: "r.xml").tests == 1)
        }
        #expect(String(decoding: withProcessingInstructionData(Data("<?a?><?b c?><?d?".utf8)), as: UTF8.self) == "<?a ?><?b c?><?d?")
        #expect(String(decoding: withProcessingInstructionData(Data("<?<?m?>".utf8)), as: UTF8.self) == "<?<?m ?>")
        _ = try? TestReport.parse(Data("<?<?m?>".utf8), at: "r.xml")  // not XML, but no crash
    }
}
