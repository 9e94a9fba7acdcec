import DocketTime
import Foundation
import Hooks
import Hummingbird

/// The portal's request-level defences: the CSRF cookie and its check, the per-address limit on sign-in link requests,
/// form bodies bounded and parsed, and the cookies' attributes (docs/security.md, "Client portal").
final class PortalGuard: @unchecked Sendable {
    // @unchecked Sendable: `limiter` is only touched under `lock`; the rest is set once.
    private let lock = NSLock()
    private var limiter: RateLimiter
    /// Cookies get `Secure` when the portal's public URL is `https://` (the server is behind TLS).
    let secureCookies: Bool

    /// The session cookie and the CSRF cookie.
    static let sessionCookie = "docket_portal"
    static let csrfCookie = "docket_csrf"
    /// The largest form the portal reads (a reply or a new ticket's description is at most 20 000 bytes).
    static let maxFormBytes = 64 * 1024

    /// Link requests allowed per client address: `perMinute` sustained, a burst of `burst`.
    init(linkRequestsPerMinute perMinute: Int, secureCookies: Bool) {
        limiter = RateLimiter(burst: max(1, min(5, perMinute)), perMinute: perMinute)
        self.secureCookies = secureCookies
    }

    /// Nil when a link request from `address` may go on, else the seconds to wait.
    func limitLinkRequest(from address: String, now: Timestamp) -> Int? {
        lock.withLock { limiter.take(address, now: now) }
    }

    /// The request's CSRF cookie value when it is well formed.
    static func csrfToken(_ request: Request) -> String? {
        guard let value = request.cookies[csrfCookie]?.value, value.utf8.count == 64,
            value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return value
    }

    /// Whether the form's `csrf` field equals the CSRF cookie (compared in constant time): the double-submit check.
    static func csrfMatches(_ request: Request, form: [String: String]) -> Bool {
        guard let cookie = csrfToken(request), let sent = form["csrf"] else { return false }
        let (a, b) = (Array(cookie.utf8), Array(sent.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A cookie scoped to `/portal`, `HttpOnly`, `SameSite=Lax`, and `Secure` behind TLS; `maxAge` 0 deletes it.
    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/portal", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// A new random CSRF token (32 bytes, hex).
    static func newToken() -> String {
        var random = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
    }

    /// An `application/x-www-form-urlencoded` body: name → value (the first of repeated names). Nil when it is not
    /// UTF-8 or not well formed.
    static func parseForm(_ bytes: [UInt8]) -> [String: String]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
