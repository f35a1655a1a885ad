import AssayCore

/// GitHub Actions workflow commands (`::error file=…,line=…::message`). A step shows at most 10
/// annotations of each kind, so the most severe come first, at most 10 errors, 10 warnings and 10
/// notices are written, and one notice says how many more there are.
public enum GitHubAnnotations {
    public static let perKind = 10

    public static func report(_ input: ReportInput) -> String {
        var out = ""
        var left = 0
        for severity in [Severity.block, .warn, .info] {
            let kind = severity == .block ? "error" : severity == .warn ? "warning" : "notice"
            let matching = input.findings.filter { $0.severity == severity }
            for f in matching.prefix(perKind) {
                var props: [String] = []
                if f.isInRepository {
                    props.append("file=\(property(f.displayPath))")
                    if f.line > 0 { props += ["line=\(f.line)", "endLine=\(max(f.line, f.endLine))"] }
                }
                props.append("title=\(property("assay \(f.rule)"))")
                let where_ = f.isInRepository ? "" : "\(f.path): "
                out += "::\(kind) \(props.joined(separator: ","))::\(data(where_ + f.message))\n"
            }
            left += max(0, matching.count - perKind)
        }
        if left > 0 {
            out += "::notice title=assay::\(data("\(left) more finding\(left == 1 ? "" : "s") — see the job summary"))\n"
        }
        return out
    }

    /// Message text: `%`, CR and LF escaped as the runner expects.
    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Property values: also `:` and `,`.
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
