/// Whether the mail server that received a message proved its From: the verdict it wrote in an
/// `Authentication-Results` header (RFC 8601) under its own name, the **authserv-id** the deployment configured
/// (``DocketConfiguration/mailAuthservId``). Anyone can write a From header, and anyone can write an
/// `Authentication-Results` header too; only the receiving server's own one counts, and that server removes headers
/// claiming its name from incoming mail (RFC 8601 §5; OpenDKIM does with `RemoveARAll`).
///
/// The From is proven by a `dmarc=pass` whose `header.from` is the From's domain, or a `dkim=pass` whose signing
/// domain (`header.d`) is the From's domain or one it is under (DKIM alignment, RFC 7489 §3.1.1). Only the first header
/// with the configured authserv-id is read: the receiving server adds its own on top.
public enum MailAuthentication {
    /// Why the From `address` of a message with these `Authentication-Results` values (in header order) is not proven
    /// by the server named `authservId`; nil when it is.
    public static func problem(from address: String, authenticationResults: [String], authservId: String?) -> String? {
        guard let authservId, !authservId.isEmpty else {
            return "no mail server is trusted to prove a sender ($DOCKET_MAIL_AUTHSERV_ID is not set)"
        }
        guard let at = address.lastIndex(of: "@") else { return "the From has no domain" }
        let domain = address[address.index(after: at)...].lowercased()
        guard let results = authenticationResults.lazy.compactMap(parse).first(where: { $0.authservId == authservId.lowercased() }) else {
            return "no Authentication-Results header of \(authservId)"
        }
        for result in results.methods where result.result == "pass" {
            switch result.method {
            case "dmarc" where result.properties["header.from"] == domain:
                return nil
            case "dkim":
                if let signer = result.properties["header.d"], domain == signer || domain.hasSuffix("." + signer) { return nil }
            default:
                continue
            }
        }
        return "\(authservId) reports no DMARC or aligned DKIM pass for \(domain)"
    }

    /// One method's result (`dkim=pass header.d=msp.example`): lower-cased method, result and property values.
    struct MethodResult: Equatable {
        var method: String
        var result: String
        var properties: [String: String]
    }

    /// One header's value: its authserv-id and its results, lower-cased, comments removed; nil when it has no
    /// authserv-id.
    static func parse(_ value: String) -> (authservId: String, methods: [MethodResult])? {
        let parts = withoutComments(value).split(separator: ";", omittingEmptySubsequences: false)
        guard let first = parts.first?.split(whereSeparator: \.isWhitespace).first else { return nil }
        var methods: [MethodResult] = []
        for part in parts.dropFirst() {
            let words = part.split(whereSeparator: \.isWhitespace)
            guard let head = words.first, let equals = head.firstIndex(of: "=") else { continue }
            var result = MethodResult(
                method: head[..<equals].lowercased(), result: unquoted(head[head.index(after: equals)...]).lowercased(), properties: [:])
            if let slash = result.method.firstIndex(of: "/") { result.method = String(result.method[..<slash]) }  // method/version
            for word in words.dropFirst() {
                guard let sign = word.firstIndex(of: "=") else { continue }
                let name = word[..<sign].lowercased()
                if result.properties[name] == nil { result.properties[name] = unquoted(word[word.index(after: sign)...]).lowercased() }
            }
            methods.append(result)
        }
        return (first.lowercased(), methods)
    }

    /// `value` without its RFC 5322 comments (parenthesised, nested, with backslash escapes), outside quoted strings.
    static func withoutComments(_ value: String) -> String {
        var text = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
                if depth == 0 { text.append(character) }
                continue
            }
            switch character {
            case "\\":
                escaped = true
                if depth == 0 { text.append(character) }
            case "\"" where depth == 0:
                quoted.toggle()
                text.append(character)
            case "(" where !quoted:
                depth += 1
            case ")" where !quoted && depth > 0:
                depth -= 1
                if depth == 0 { text.append(" ") }
            default:
                if depth == 0 { text.append(character) }
            }
        }
        return text
    }

    private static func unquoted(_ value: Substring) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : String(value)
    }
}
