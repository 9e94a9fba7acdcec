#if canImport(Glibc)
import Glibc
#endif

/// `~/.config/docket/credentials` (mode 0600, a JSON object of server → token): the API token the client presents,
/// read here; `docket login` writes it.
public enum ClientCredentials {
    /// The file's path (`$XDG_CONFIG_HOME/docket/credentials` when that is set).
    public static var path: String {
        if let config = environment("XDG_CONFIG_HOME") { return config + "/docket/credentials" }
        return home() + "/.config/docket/credentials"
    }

    /// The token to present to `server`: `$DOCKET_TOKEN`, else the credentials file's entry for it, found by the
    /// address as ``key(for:)`` writes it (so `http://127.0.0.1:8642/` finds what `docket login http://127.0.0.1:8642`
    /// saved, and an entry saved before addresses were normalized is found too).
    public static func token(for server: String) throws(ClientFailure) -> String? {
        if let token = environment("DOCKET_TOKEN") { return token }
        let all = try entries()
        if let token = all[server] { return token }
        let wanted = key(for: server)
        return all.first { key(for: $0.key) == wanted }?.value
    }

    /// The token to present to `server`, refused when there is none: "no saved token for X; run `docket login X`"
    /// (exit 5), rather than a request the server answers "no API token".
    public static func requiredToken(for server: String) throws(ClientFailure) -> String {
        guard let token = try token(for: server) else {
            let address = key(for: server)
            throw .forbidden("no saved token for \(address) (nor $DOCKET_TOKEN); run `docket login \(address)`")
        }
        return token
    }

    /// The address a token is saved under: surrounding blanks and trailing slashes dropped, the scheme and host in
    /// lower case (they are case-blind; a path is not). A pure function of the text.
    public static func key(for server: String) -> String {
        var text = Substring(server)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" { text.removeLast() }
        while text.hasSuffix("/"), !text.hasSuffix("://") { text.removeLast() }
        let characters = Array(text)
        guard let colon = characters.indices.first(where: { characters[$0...].starts(with: "://") }) else { return String(text) }
        let authorityStart = colon + 3
        let authorityEnd = characters[authorityStart...].firstIndex(of: "/") ?? characters.endIndex
        return String(characters[..<authorityEnd]).lowercased() + String(characters[authorityEnd...])
    }

    /// The file's entries (server → token); empty when there is no file. Refused when others may read it.
    public static func entries() throws(ClientFailure) -> [String: String] {
        let path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 {
            throw .refused("\(path) is readable by others (mode \(String(info.st_mode & 0o7777, radix: 8))); run `chmod 600 \(path)`")
        }
        guard let bytes = SystemError.readAll(fd), case .object(let members) = ClientJSON.parse(bytes) else {
            throw .badInput("\(path) is not a credentials file; remove it and run `docket login` again")
        }
        var all: [String: String] = [:]
        for (server, value) in members {
            guard let token = value.string else { throw .badInput("\(path) is not a credentials file; remove it and run `docket login` again") }
            all[server] = token
        }
        return all
    }

    /// A non-empty environment variable.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// `$HOME`, else the account's home folder.
    private static func home() -> String {
        if let home = environment("HOME") { return home }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }
}
