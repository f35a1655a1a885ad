import AssayTestSupport
import Foundation
import Testing

/// The hand-judged claims of ten public agent-built repositories (`../shared/realclaims`), scored
/// by their own scorer on this build. The floors are the figures reached when this test was written:
/// a change that loses precision, recall or extraction, or raises a false alarm, fails here.
@Suite struct RealClaimsTests {
    /// Reached with the readings engine (issue 14); raise them as the engine improves, never lower.
    static let minimumPrecision = 1.00
    static let minimumRecall = 0.37
    static let maximumFalseAlarms = 0
    static let maximumNotExtracted = 10

    @Test(.timeLimit(.minutes(10))) func theJudgedSetHoldsItsFigures() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let score = root.deletingLastPathComponent().appendingPathComponent("shared/realclaims/score")
        try #require(FileManager.default.fileExists(atPath: score.path),
                     "the judged set is missing at \(score.path): it ships beside the repository (../shared)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("realclaims-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let mirrors = score.deletingLastPathComponent().appendingPathComponent("repos").path
        let run = try runProcess("python3", [score.path, assayExecutable(), mirrors, "--json", out.path], timeout: 540)
        try #require(run.status == 0, "\(run.err)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let precision = try #require(figures["precision"] as? Double)
        let recall = try #require(figures["recall"] as? Double)
        let falseAlarms = try #require(figures["false_alarms"] as? Int)
        let notExtracted = try #require(figures["not_extracted"] as? Int)
        let headline = run.out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(precision >= Self.minimumPrecision - 1e-9, "\(headline)")
        #expect(recall >= Self.minimumRecall - 1e-9, "\(headline)")
        #expect(falseAlarms <= Self.maximumFalseAlarms, "\(headline)")
        #expect(notExtracted <= Self.maximumNotExtracted, "\(headline)")
        // Every judged claim was scored: a repository the scorer could not open would shrink the set.
        #expect((figures["scored"] as? Int ?? 0) >= 150, "\(headline)")
    }
}
