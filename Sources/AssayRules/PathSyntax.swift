import Foundation

/// Decides whether a backticked token names a file or directory, and how code would resolve it.
/// Precision first: config values, flags, URLs, `key=value`, shell commands, placeholders, versions
/// and package names are not paths.
public enum PathSyntax {
    /// Extensions of files that docs name when they claim code exists.
    public static let knownExtensions: Set<String> = [
        "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "rs", "py", "go", "swift", "md", "mdx", "json",
        "jsonl", "yml", "yaml", "toml", "sh", "bash", "rb", "java", "kt", "kts", "c", "h", "cc", "cpp", "hpp",
        "cs", "css", "scss", "html", "sql", "txt", "lock", "cfg", "ini", "proto", "graphql", "gql", "vue",
        "svelte", "php", "ex", "exs", "erl", "hs", "ml", "scala", "dart", "lua", "r", "pl", "zig", "nim",
        "gradle", "xml", "csv", "tsv", "env", "dockerfile", "mk", "cmake", "ipynb", "wasm", "svg", "png",
    ]
    /// File names that have no extension but are files all the same.
    public static let knownNames: Set<String> = [
        "Makefile", "Dockerfile", "Package.swift", "Cargo.toml", "Gemfile", "Rakefile", "Procfile", "LICENSE",
        "README", "Justfile", "Taskfile",
    ]

    static let jsLibraries: Set<String> = ["node", "next", "nuxt", "vue", "express", "three", "chart", "d3", "react",
                                           "angular", "ember", "backbone", "moment", "socket", "p5", "anime", "alpine",
                                           "solid", "preact", "svelte", "deno", "bun", "hapi", "koa", "nest", "remix"]

    /// True when `token` (a code span's content) reads as a repository path.
    public static func looksLikePath(_ token: String) -> Bool {
        let t = token.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 240 else { return false }
        if t.contains(where: { $0.isWhitespace }) { return false }  // shell commands, prose
        if t.contains("://") || t.hasPrefix("www.") { return false }  // URLs
        if t.hasPrefix("-") || t.hasPrefix("@") || t.hasPrefix("~") || t.hasPrefix("$") || t.hasPrefix("#") { return false }
        let forbidden: Set<Character> = ["=", "<", ">", "{", "}", "*", "?", "|", ";", "(", ")", ",", "'", "\"", "[", "]", "!", "&", "%", "^", "+", ":"]
        if t.contains(where: { forbidden.contains($0) }) { return false }  // placeholders, globs, calls, key=value
        var body = t
        while body.hasPrefix("./") { body.removeFirst(2) }
        if body.hasPrefix("/") { body.removeFirst() }
        if body.hasSuffix("/") {  // a directory: `src/ports/`
            let name = body.dropLast()
            return !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "._-/".contains($0) }
                && name.contains(where: { $0.isLetter })
        }
        let last = body.split(separator: "/").last.map(String.init) ?? body
        if knownNames.contains(last) { return true }
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return false }
        let ext = last[last.index(after: dot)...].lowercased()
        let stem = last[..<dot]
        guard knownExtensions.contains(ext) else { return false }
        // `Next.js`, `node.js`, `Chart.js`: libraries, not files (a file has a folder or a lowercase name).
        if !body.contains("/") && ext == "js" && (stem.first?.isUppercase == true || jsLibraries.contains(stem.lowercased())) {
            return false
        }
        // `v1.2.3`-like versions and numbers are not files.
        if stem.allSatisfy({ $0.isNumber || $0 == "." }) { return false }
        return stem.contains(where: { $0.isLetter || $0 == "_" })
    }

    /// Candidate repository paths for a token named in the doc at `docPath`, in the order code would
    /// try them: from the repository root, then relative to the doc's folder; an ESM `.js` specifier
    /// also maps to its TypeScript source.
    public static func candidates(for token: String, namedIn docPath: String) -> [String] {
        var t = token.trimmingCharacters(in: .whitespaces)
        let isDirectory = t.hasSuffix("/")
        if isDirectory { t.removeLast() }
        var bases: [String?] = []
        let rootRelative = normalize(t.hasPrefix("/") ? String(t.dropFirst()) : t)
        let docDir = docPath.split(separator: "/").dropLast().joined(separator: "/")
        let docRelative = normalize(docDir.isEmpty ? t : docDir + "/" + t)
        if t.hasPrefix("./") || t.hasPrefix("../") {
            bases = [docRelative, rootRelative]
        } else {
            bases = [rootRelative, docRelative]
        }
        var out: [String] = []
        for base in bases.compactMap({ $0 }) where !out.contains(base) {
            out.append(base)
            for (js, sources) in [(".js", [".ts", ".tsx"]), (".jsx", [".tsx"]), (".mjs", [".mts"]), (".cjs", [".cts"])]
                where base.hasSuffix(js) {
                for s in sources { out.append(String(base.dropLast(js.count)) + s) }
            }
        }
        return out
    }

    /// Resolves `.` and `..`; nil when the path climbs above the root.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
