import Crypto
import Foundation

/// The secret a delivery presents in its `Authorization` header: `Bearer <secret>`, or `Basic` with the secret as
/// the password (any user name) — the two ways Alertmanager's `http_config` (`authorization`, `basic_auth`) can send
/// one.
public enum HookCredentials {
    /// The presented secret, nil when the header is absent or neither form.
    public static func presented(authorization: String?) -> String? {
        guard let header = authorization?.trimmingCharacters(in: .whitespaces), let space = header.firstIndex(of: " ") else {
            return nil
        }
        let scheme = header[..<space].lowercased()
        let value = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer": return value.isEmpty ? nil : value
        case "basic":
            guard let data = Data(base64Encoded: value), let pair = String(data: data, encoding: .utf8),
                let colon = pair.firstIndex(of: ":")
            else { return nil }
            let password = String(pair[pair.index(after: colon)...])
            return password.isEmpty ? nil : password
        default: return nil
        }
    }

    /// True when `presented` is one of `secrets`, compared through SHA-256 digests in time that does not depend on
    /// where they differ.
    public static func matches(_ presented: String, secrets: [String]) -> Bool {
        let digest = Array(SHA256.hash(data: Array(presented.utf8)))
        var found = false
        for secret in secrets {
            let expected = Array(SHA256.hash(data: Array(secret.utf8)))
            if zip(digest, expected).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 { found = true }
        }
        return found
    }
}
