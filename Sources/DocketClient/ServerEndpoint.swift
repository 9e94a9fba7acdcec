/// Where the server is: its Unix socket, or an HTTP address (plain HTTP only on loopback; HTTPS goes through
/// a TLS-terminating proxy and is sent with the `curl` program: ``CurlRequest``).
public enum ServerEndpoint: Equatable, Sendable {
    case socket(path: String)
    case http(host: String, port: Int)
    /// `https://AUTHORITY` (scheme and authority only: request paths are absolute).
    case https(origin: String)

    /// Reads `$DOCKET_SERVER`: a socket path, `http://127.0.0.1:8642` (loopback only) or `https://host[:port]`.
    public static func parse(_ text: String) throws(ClientFailure) -> ServerEndpoint {
        if text.hasPrefix("https://") {
            guard let authority = authority(text.dropFirst("https://".count)) else {
                throw .usage("DOCKET_SERVER \(text) is not a URL")
            }
            return .https(origin: "https://" + authority)
        }
        if text.hasPrefix("http://") {
            guard let authority = authority(text.dropFirst("http://".count)), let (host, port) = hostAndPort(authority) else {
                throw .usage("DOCKET_SERVER \(text) is not a URL")
            }
            guard host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
                throw .usage(
                    "DOCKET_SERVER \(text): plain http:// is allowed only to a loopback address (tokens would cross the network in clear); use https://")
            }
            return .http(host: host == "localhost" ? "127.0.0.1" : host, port: port ?? 80)
        }
        if SystemError.contains(text, "://") { throw .usage("DOCKET_SERVER \(text): use a socket path, https://… or http://127.0.0.1:PORT") }
        return .socket(path: text)
    }

    /// The authority of a URL after its scheme (up to the first `/`, `?` or `#`), nil when empty or when it holds
    /// a space.
    private static func authority(_ rest: Substring) -> String? {
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains(where: { $0 == " " }) else { return nil }
        return String(authority)
    }

    /// Host (IPv6 without brackets) and port of an authority (user info dropped); nil when the port is not a number.
    private static func hostAndPort(_ authority: String) -> (String, Int?)? {
        var text = Substring(authority)
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":") else { return (String(text), nil) }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}
