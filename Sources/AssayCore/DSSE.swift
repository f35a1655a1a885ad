import Crypto
import Foundation

/// A DSSE envelope (github.com/secure-systems-lab/dsse): a payload, its type, and signatures over
/// the pre-authentication encoding of both. A signed receipt is stored as one of these, one line.
public struct DSSEEnvelope: Hashable, Sendable {
    public struct Signature: Hashable, Sendable {
        public var keyid: String
        public var sig: [UInt8]
        public init(keyid: String, sig: [UInt8]) { self.keyid = keyid; self.sig = sig }
    }

    public var payloadType: String
    public var payload: [UInt8]
    public var signatures: [Signature]

    public init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType; self.payload = payload; self.signatures = signatures
    }

    /// DSSE's PAE: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = Array("DSSEv1 \(type.count) ".utf8)
        out += type
        out += Array(" \(payload.count) ".utf8)
        out += payload
        return out
    }

    /// Signs `payload` with an Ed25519 key.
    public static func sign(payload: [UInt8], payloadType: String, with key: ReceiptSigningKey) throws(ReceiptFormatError) -> DSSEEnvelope {
        let message = pae(payloadType: payloadType, payload: payload)
        let signature: Data
        do { signature = try key.privateKey.signature(for: message) } catch {
            throw ReceiptFormatError("signing failed: \(error)")
        }
        return DSSEEnvelope(payloadType: payloadType, payload: payload,
                            signatures: [Signature(keyid: key.publicKey.keyid, sig: Array(signature))])
    }

    /// The signatures that verify with `key` (whatever keyid they carry).
    public func signatures(verifyingWith key: ReceiptPublicKey) -> [Signature] {
        let message = DSSEEnvelope.pae(payloadType: payloadType, payload: payload)
        return signatures.filter { key.key.isValidSignature($0.sig, for: message) }
    }

    /// `{"payload": base64, "payloadType": …, "signatures": [{"keyid", "sig": base64}]}`.
    public var json: JSONValue {
        .object([
            "payloadType": .string(payloadType),
            "payload": .string(Data(payload).base64EncodedString()),
            "signatures": .array(signatures.map {
                .object(["keyid": .string($0.keyid), "sig": .string(Data($0.sig).base64EncodedString())])
            }),
        ])
    }

    /// True when a JSON object has the shape of an envelope rather than of a statement.
    public static func looksLikeEnvelope(_ json: JSONValue) -> Bool {
        json["payloadType"] != nil && json["payload"] != nil
    }

    public init(json: JSONValue) throws(ReceiptFormatError) {
        guard let type = json["payloadType"]?.stringValue else { throw ReceiptFormatError("the envelope has no payloadType") }
        guard let encoded = json["payload"]?.stringValue, let payload = Data(base64Encoded: encoded) else {
            throw ReceiptFormatError("the envelope's payload is not base64")
        }
        guard let list = json["signatures"]?.arrayValue else { throw ReceiptFormatError("the envelope has no signatures list") }
        var signatures: [Signature] = []
        for s in list {
            guard let sig = s["sig"]?.stringValue, let bytes = Data(base64Encoded: sig) else {
                throw ReceiptFormatError("an envelope signature is not base64")
            }
            signatures.append(Signature(keyid: s["keyid"]?.stringValue ?? "", sig: Array(bytes)))
        }
        self.init(payloadType: type, payload: Array(payload), signatures: signatures)
    }
}
