import Foundation

/// Finds code symbols written without backticks: "Implement PluginRegistry struct in …", "Create
/// check.go with ckCmd skeleton", "Remove obsolete hello() placeholder", "Add gen_sum_code_v0".
///
/// A bare word is a symbol when it is shaped like code and not like prose: camelCase or PascalCase
/// with an inner capital after a lowercase letter (`ckCmd`, `PluginRegistry`, not `Implement`),
/// snake_case (`gen_sum_code_v0`), or a call (`hello()`). Brand words shaped like code (`GitHub`,
/// `TypeScript`) come through too; a symbol claim that names nothing defined in code is prose, and
/// the verifier says so rather than contradicting it.
///
/// Examples:
/// - "Implement PluginRegistry struct in crush-core/src/plugin/registry.rs" → ["PluginRegistry"]
/// - "Remove obsolete hello() placeholder" → ["hello()"]
/// - "Implement the parser and the lexer" → []
public enum BareSymbolExtractor {
    static let trimmed = CharacterSet(charactersIn: "*_[]{}<>,;:!?\"'“”‘’«»|.")

    public static func symbols(in text: String) -> [String] {
        var out: [String] = []
        for raw in BarePathExtractor.wordsOutsideCodeSpans(text) {
            var token = String(raw)
            // "(with_plugin()" → "with_plugin()"; "registry)" → "registry"
            while let f = token.first, "(\"'*[“‘".contains(f) { token.removeFirst() }
            let isCall = token.contains("()")
            if isCall, let r = token.range(of: "()") { token = String(token[..<r.upperBound]) }
            if !isCall { token = token.trimmingCharacters(in: trimmed.union(CharacterSet(charactersIn: "()"))) }
            let name = isCall ? String(token.dropLast(2)) : token
            guard name.count >= 3, name.count <= 80, let first = name.unicodeScalars.first,
                  CharacterSet.letters.contains(first) || first == "_",
                  name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" }),
                  name.unicodeScalars.allSatisfy({ $0.isASCII }) else { continue }
            guard isCall || isCamel(name) || isSnake(name) else { continue }
            guard SymbolDefinitions.looksLikeSymbol(token) else { continue }
            if !out.contains(token) { out.append(token) }
        }
        return out
    }

    /// An inner capital after a lowercase letter: `ckCmd`, `PluginRegistry`; not `Implement`, `URL`.
    static func isCamel(_ s: String) -> Bool {
        var previousLower = false
        for c in s.unicodeScalars {
            let upper = c.properties.isUppercase
            if upper && previousLower { return true }
            previousLower = c.properties.isLowercase
        }
        return false
    }

    /// Words joined by underscores, with a letter: `gen_sum_code_v0`; not `__init__` alone or `_`.
    static func isSnake(_ s: String) -> Bool {
        let parts = s.split(separator: "_")
        return parts.count >= 2 && parts.allSatisfy { !$0.isEmpty } && s.contains(where: { $0.isLowercase })
    }
}
