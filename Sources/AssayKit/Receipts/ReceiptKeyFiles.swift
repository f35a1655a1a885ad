import AssayCore
import Foundation

/// Key files for signed receipts: `PREFIX.key` (Ed25519, PKCS#8 PEM, mode 0600) and `PREFIX.pub`
/// (securesystemslib's JSON key dictionary with its keyid).
public enum ReceiptKeyFiles {
    /// What `keygen` wrote.
    public struct Generated: Sendable, Codable {
        public var privateKey: String
        public var publicKey: String
        public var keyid: String

        enum CodingKeys: String, CodingKey { case privateKey = "private_key", publicKey = "public_key", keyid }
    }

    /// Writes a new key pair to `PREFIX.key` and `PREFIX.pub`; refuses to replace existing files
    /// unless `force`.
    public static func generate(prefix: String, force: Bool = false) throws(AssayError) -> Generated {
        let privatePath = prefix + ".key", publicPath = prefix + ".pub"
        let fm = FileManager.default
        if !force {
            for path in [privatePath, publicPath] where fm.fileExists(atPath: path) {
                throw AssayError("\(path) already exists", fix: "choose another --output PREFIX, or pass --force to replace it")
            }
        }
        let directory = (privatePath as NSString).deletingLastPathComponent
        if !directory.isEmpty, !fm.fileExists(atPath: directory) {
            throw AssayError("no such directory: \(directory)", fix: "create it first, or choose another --output PREFIX")
        }
        let key = ReceiptSigningKey()
        // The private key is created with mode 0600 before any byte is written (no window where others can read it).
        try writeFile(privatePath, key.pem, mode: 0o600)
        try writeFile(publicPath, key.publicKey.fileContents, mode: 0o644)
        return Generated(privateKey: privatePath, publicKey: publicPath, keyid: key.publicKey.keyid)
    }

    private static func writeFile(_ path: String, _ text: String, mode: mode_t) throws(AssayError) {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            throw AssayError("cannot create \(path): \(String(cString: strerror(errno)))", fix: "check the directory's permissions")
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)  // the umask may have removed bits; never adds any to the private key
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { throw AssayError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads a private key for signing.
    public static func signingKey(at path: String) throws(AssayError) -> ReceiptSigningKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AssayError("cannot read the signing key \(path)", fix: "create one with `assay receipts keygen --output PREFIX`")
        }
        do { return try ReceiptSigningKey(fileContents: text) } catch {
            throw AssayError("\(path) is not an Ed25519 private key: \(error.message)",
                             fix: "pass the .key file `assay receipts keygen` wrote (not the .pub)")
        }
    }

    /// Reads a public key for verifying.
    public static func publicKey(at path: String) throws(AssayError) -> ReceiptPublicKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AssayError("cannot read the public key \(path)", fix: "pass the .pub file `assay receipts keygen` wrote")
        }
        if text.contains("PRIVATE KEY") {
            throw AssayError("\(path) is a private key", fix: "verify with the public key (the .pub file); keep the private key private")
        }
        do { return try ReceiptPublicKey(fileContents: text) } catch {
            throw AssayError("\(path) is not an Ed25519 public key: \(error.message)", fix: "pass the .pub file `assay receipts keygen` wrote")
        }
    }
}
