/// One line of a receipts note, read back: a bare statement, or a DSSE envelope around one.
public struct ReceiptLine: Sendable {
    public var statement: ReceiptStatement
    /// The statement as it was stored (it may hold members this version does not know).
    public var statementJSON: JSONValue
    /// The statement's bytes: the line itself, or the envelope's payload.
    public var statementBytes: [UInt8]
    public var envelope: DSSEEnvelope?
    /// SHA-256 of `statementBytes`: the receipt's digest, the same whether or not it is signed.
    public var digest: String
    /// True when `statementBytes` is the canonical form of the statement (sorted keys, no spaces).
    public var isCanonical: Bool

    public var isSigned: Bool { envelope != nil }

    /// Reads a note line. Throws when it is not JSON, not an in-toto statement with assay's
    /// predicate, or an envelope whose payload is not one.
    public static func parse(_ line: String) throws(ReceiptFormatError) -> ReceiptLine {
        let json: JSONValue
        do { json = try JSONValue.parse(line) } catch { throw ReceiptFormatError("not JSON: \(error)") }
        var envelope: DSSEEnvelope?
        var bytes = Array(line.utf8)
        var statementJSON = json
        if DSSEEnvelope.looksLikeEnvelope(json) {
            let e = try DSSEEnvelope(json: json)
            guard e.payloadType == ReceiptFormat.payloadType else {
                throw ReceiptFormatError("the envelope's payloadType is \(e.payloadType), not \(ReceiptFormat.payloadType)")
            }
            do { statementJSON = try JSONValue.parse(e.payload) } catch { throw ReceiptFormatError("the envelope's payload is not JSON: \(error)") }
            bytes = e.payload
            envelope = e
        }
        let statement = try ReceiptStatement(json: statementJSON)
        return ReceiptLine(statement: statement, statementJSON: statementJSON, statementBytes: bytes, envelope: envelope,
                           digest: sha256Hex(bytes), isCanonical: statementJSON.canonicalBytes == bytes)
    }
}

extension ReceiptStatement {
    /// The line to store: the canonical statement, or (with a key) a DSSE envelope around it, compact.
    public func noteLine(signedWith key: ReceiptSigningKey? = nil) throws(ReceiptFormatError) -> String {
        guard let key else { return canonicalLine }
        let envelope = try DSSEEnvelope.sign(payload: json.canonicalBytes, payloadType: ReceiptFormat.payloadType, with: key)
        return envelope.json.canonicalText
    }
}
