import Crypto
import Foundation

/// An Ed25519 public key for receipts, with its securesystemslib key id: the SHA-256 of the
/// canonical JSON `{"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}`.
public struct ReceiptPublicKey: Sendable {
    /// The 32 raw key bytes (kept as bytes: swift-crypto's key type is not `Sendable`).
    public let raw: [UInt8]

    public init(_ key: Curve25519.Signing.PublicKey) { self.raw = Array(key.rawRepresentation) }

    public var key: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: raw) }

    public var rawHex: String { hexString(raw) }

    private var keyJSON: [String: JSONValue] {
        ["keytype": .string("ed25519"), "scheme": .string("ed25519"), "keyval": .object(["public": .string(rawHex)])]
    }

    public var keyid: String { sha256Hex(JSONValue.object(keyJSON).canonicalBytes) }

    /// The public key file `assay receipts keygen` writes: securesystemslib's key dictionary plus its
    /// `keyid` (Python: `d = json.load(f); SSlibKey.from_dict(d.pop("keyid"), d)`).
    public var fileContents: String {
        var o = keyJSON
        o["keyid"] = .string(keyid)
        return JSONValue.object(o).canonicalText + "\n"
    }

    /// PEM SubjectPublicKeyInfo (`openssl pkey -pubin` reads it).
    public var pem: String { KeyPEM.encode(KeyPEM.spkiPrefix + raw, label: "PUBLIC KEY") }

    /// Reads a public key file: the JSON `fileContents` (or any securesystemslib ed25519 key
    /// dictionary), or a PEM SubjectPublicKeyInfo.
    public init(fileContents text: String) throws(ReceiptFormatError) {
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            guard let der = KeyPEM.decode(text, label: "PUBLIC KEY"), der.count == 44, Array(der.prefix(12)) == KeyPEM.spkiPrefix,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
                throw ReceiptFormatError("the PEM public key is not an Ed25519 SubjectPublicKeyInfo")
            }
            self.init(key)
            return
        }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw ReceiptFormatError("the public key file is neither JSON nor PEM: \(error)") }
        guard json["keytype"]?.stringValue == "ed25519" else { throw ReceiptFormatError("the public key is not an ed25519 key (keytype)") }
        guard let hexKey = json["keyval"]?["public"]?.stringValue, let raw = bytes(fromHex: hexKey), raw.count == 32,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw ReceiptFormatError("keyval.public is not 32 bytes of hex")
        }
        self.init(key)
    }
}

/// An Ed25519 private key for signing receipts.
public struct ReceiptSigningKey: Sendable {
    /// The 32-byte seed (kept as bytes: swift-crypto's key type is not `Sendable`).
    let seed: [UInt8]

    /// A new random key.
    public init() { self.init(Curve25519.Signing.PrivateKey()) }

    public init(_ key: Curve25519.Signing.PrivateKey) { self.seed = Array(key.rawRepresentation) }

    public var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

    public var publicKey: ReceiptPublicKey { ReceiptPublicKey(privateKey.publicKey) }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey -algorithm ed25519` writes it;
    /// Python's `cryptography` loads it with `load_pem_private_key`.
    public var pem: String { KeyPEM.encode(KeyPEM.pkcs8Prefix + seed, label: "PRIVATE KEY") }

    /// Reads a private key file: PKCS#8 PEM, or a securesystemslib-style JSON dictionary whose
    /// `keyval.private` holds the 32-byte seed (or seed + public key) in hex.
    public init(fileContents text: String) throws(ReceiptFormatError) {
        if text.contains("-----BEGIN PRIVATE KEY-----") {
            guard let der = KeyPEM.decode(text, label: "PRIVATE KEY"), der.count == 48, Array(der.prefix(16)) == KeyPEM.pkcs8Prefix,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
                throw ReceiptFormatError("the PEM private key is not an unencrypted Ed25519 PKCS#8 key")
            }
            self.init(key)
            return
        }
        if text.contains("-----BEGIN") {
            throw ReceiptFormatError("the private key is PEM but not an unencrypted PKCS#8 Ed25519 key")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw ReceiptFormatError("the private key file is neither PEM nor JSON: \(error)") }
        guard json["keytype"]?.stringValue == "ed25519" else { throw ReceiptFormatError("the private key is not an ed25519 key (keytype)") }
        guard let hexKey = json["keyval"]?["private"]?.stringValue, let raw = bytes(fromHex: hexKey), raw.count == 32 || raw.count == 64,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.prefix(32)) else {
            throw ReceiptFormatError("keyval.private is not a 32-byte ed25519 seed in hex")
        }
        self.init(key)
    }
}

/// DER framing for Ed25519 keys (RFC 8410): the fixed prefixes before the 32 key bytes.
enum KeyPEM {
    /// SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (0 unused bits) … }
    static let spkiPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
    /// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING … } }
    static let pkcs8Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                                       0x04, 0x22, 0x04, 0x20]

    static func encode(_ der: [UInt8], label: String) -> String {
        let b64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(b64)\n-----END \(label)-----\n"
    }

    static func decode(_ text: String, label: String) -> [UInt8]? {
        guard let start = text.range(of: "-----BEGIN \(label)-----"),
              let end = text.range(of: "-----END \(label)-----", range: start.upperBound..<text.endIndex) else { return nil }
        let body = text[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map(Array.init)
    }
}

/// Bytes from an even-length hex string; nil for anything else.
func bytes(fromHex text: String) -> [UInt8]? {
    let u = Array(text.utf8)
    guard u.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
    var i = 0
    while i < u.count {
        guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}
