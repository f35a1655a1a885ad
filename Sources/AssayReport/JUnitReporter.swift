import AssayCore

/// JUnit XML, the format every CI system shows as tests: one test case per finding (a failure when
/// it is at or above the gate, a skipped case when suppressed or below it), and one passing case
/// named after the audit when nothing was found.
public enum JUnitReporter {
    /// `failOn`: the lowest severity that fails the gate (nil: nothing fails).
    public static func report(_ input: ReportInput, failOn: Severity? = .block) -> String {
        var cases: [String] = []
        var failures = 0, skipped = 0
        for f in input.findings {
            let name = escape("\(f.rule) \(f.displayPath)\(f.line > 0 ? ":\(f.line)" : "")")
            let body = escape(([f.message] + f.evidence + ["fingerprint \(f.fingerprint)"]).joined(separator: "\n"))
            if let failOn, f.severity >= failOn {
                failures += 1
                cases.append("    <testcase classname=\"assay.\(escape(f.rule))\" name=\"\(name)\">\n"
                    + "      <failure type=\"\(f.severity.rawValue)\" message=\"\(escape(f.message))\">\(body)</failure>\n    </testcase>")
            } else {
                skipped += 1
                cases.append("    <testcase classname=\"assay.\(escape(f.rule))\" name=\"\(name)\">\n"
                    + "      <skipped message=\"\(f.severity.rawValue), below the gate: \(escape(f.message))\"/>\n    </testcase>")
            }
        }
        for f in input.suppressed {
            skipped += 1
            let name = escape("\(f.rule) \(f.displayPath)\(f.line > 0 ? ":\(f.line)" : "")")
            cases.append("    <testcase classname=\"assay.\(escape(f.rule))\" name=\"\(name)\">\n"
                + "      <skipped message=\"suppressed (\(escape(f.suppression?.kind ?? "?"))): \(escape(f.suppression?.reason ?? ""))\"/>\n    </testcase>")
        }
        if cases.isEmpty {
            cases.append("    <testcase classname=\"assay\" name=\"audit \(escape(String(input.sha.prefix(12))))\"/>")
        }
        let total = cases.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"assay\" tests=\"\(total)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        out += "  <testsuite name=\"assay audit\" tests=\"\(total)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        out += "    <properties>\n"
        out += "      <property name=\"sha\" value=\"\(escape(input.sha))\"/>\n"
        out += "      <property name=\"verdict\" value=\"\(escape(input.verdict))\"/>\n"
        out += "      <property name=\"decision\" value=\"\(escape(input.decision))\"/>\n"
        out += "    </properties>\n"
        out += cases.joined(separator: "\n") + "\n  </testsuite>\n</testsuites>\n"
        return out
    }

    /// XML text and attribute escaping; characters XML 1.0 cannot hold are replaced.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
