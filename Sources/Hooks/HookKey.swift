import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server's hook key: 32 random bytes in a `0600` file beside the store (`<store>/hook-secrets.key`), under which
/// webhook secrets are sealed (AES-256-GCM) in the log. HMAC checking needs the secret itself, so the log cannot keep
/// only a hash as it does for API tokens; sealing keeps an export, a backup or a reader of the log from using a
/// secret without this file (see docs/security.md).
public struct HookKey: Sendable {
    /// The file's name inside the store folder.
    public static let fileName = "hook-secrets.key"

    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: bytes) }
    /// The first 16 hex digits of SHA-256 of the key: which key sealed a secret.
    public let keyId: String

    /// A key from its 32 bytes.
    public init(bytes: [UInt8]) throws(HookKeyError) {
        guard bytes.count == 32 else { throw HookKeyError("the hook key must be 32 bytes, not \(bytes.count)") }
        self.bytes = bytes
        keyId = String(HookSignature.hex(SHA256.hash(data: bytes)).prefix(16))
    }

    /// The key in `folder`, made (32 bytes from the system's CSPRNG, mode 0600, never overwritten) when `create` is
    /// true and there is none. Nil when there is none and `create` is false.
    @available(*, noasync, message: "reads and writes a file")
    public static func load(inFolder folder: String, create: Bool) throws(HookKeyError) -> HookKey? {
        let path = folder + "/" + fileName
        if let data = FileManager.default.contents(atPath: path) { return try HookKey(bytes: Array(data)) }
        guard create else { return nil }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let fd = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            // Another process made it first: use theirs.
            if errno == EEXIST, let data = FileManager.default.contents(atPath: path) { return try HookKey(bytes: Array(data)) }
            throw HookKeyError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw HookKeyError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return try HookKey(bytes: bytes)
    }

    /// A new secret, `prefix` (`dkh_` for a webhook source, `dkn_` for a notification channel) and 64 hex digits (256
    /// bits from the system's CSPRNG).
    public static func newSecret(prefix: String = "dkh_") -> String {
        prefix + SymmetricKey(size: .bits256).withUnsafeBytes { HookSignature.hex($0) }
    }

    /// The first 16 hex digits of SHA-256 of `secret`.
    public static func fingerprint(_ secret: String) -> String {
        String(HookSignature.hex(SHA256.hash(data: Array(secret.utf8))).prefix(16))
    }

    /// `secret` sealed: AES-GCM nonce ‖ ciphertext ‖ tag, base64.
    public func seal(_ secret: String) throws(HookKeyError) -> String {
        do {
            guard let combined = try AES.GCM.seal(Array(secret.utf8), using: key).combined else {
                throw HookKeyError("AES-GCM gave no combined form")
            }
            return combined.base64EncodedString()
        } catch let error as HookKeyError {
            throw error
        } catch {
            throw HookKeyError("cannot seal the secret: \(error)")
        }
    }

    /// The secret `sealed` holds. Fails when it was sealed under another key or was altered.
    public func open(_ sealed: String) throws(HookKeyError) -> String {
        guard let data = Data(base64Encoded: sealed) else { throw HookKeyError("the sealed secret is not base64") }
        do {
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw HookKeyError("the secret does not open with this hook key (another key, or altered)")
        }
    }
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.open(path, flags, mode)
    #else
        Darwin.open(path, flags, mode)
    #endif
}

/// A hook key that cannot be read, made or used.
public struct HookKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
