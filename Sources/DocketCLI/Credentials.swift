import Foundation

/// `~/.config/docket/credentials` (mode 0600): the API token for each server, written by `docket login`.
enum Credentials {
    /// The file's path (`$XDG_CONFIG_HOME/docket/credentials` when that is set).
    static var path: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/docket/credentials"
    }

    /// The token to present to `server`: `$DOCKET_TOKEN`, else the credentials file's entry for it.
    static func token(for server: String) throws -> String? {
        if let token = ProcessInfo.processInfo.environment["DOCKET_TOKEN"], !token.isEmpty { return token }
        return try read()[server]
    }

    /// Saves `token` for `server` (the file is created 0600, its folder 0700).
    static func save(token: String, for server: String) throws {
        var all = try read()
        all[server] = token
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(all)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError.destination("cannot write \(path); check its folder is writable")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    private static func read() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CLIError.refused("\(path) is readable by others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`")
        }
        guard let all = try? JSONDecoder().decode([String: String].self, from: data) else {
            throw CLIError.badInput("\(path) is not a credentials file; remove it and run `docket login` again")
        }
        return all
    }
}
