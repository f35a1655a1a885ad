/// The version of assay, in `--version`, reports, receipts and the HTTP User-Agent.
public enum AssayVersion {
    public static let current = "0.1.0"
}
