import DocketClient
import Foundation

/// `~/.config/docket/credentials` (mode 0600): the API token for each server, written by `docket login` (the
/// client reads it: ``ClientCredentials``).
enum Credentials {
    /// Saves `token` for `server` (the file is created 0600, its folder 0700), keeping the other servers' tokens.
    static func save(token: String, for server: String) throws {
        let path = ClientCredentials.path
        var all = try clientCall { () throws(ClientFailure) in try ClientCredentials.entries() }
        // Under the normalized address (ClientCredentials.key), replacing any entry that normalizes the same.
        let key = ClientCredentials.key(for: server)
        for old in all.keys where ClientCredentials.key(for: old) == key { all.removeValue(forKey: old) }
        all[key] = token
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
}

/// Runs a call of the client module, its failure as the CLI's (same line, same exit code).
func clientCall<T>(_ body: () throws(ClientFailure) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw CLIError.client(error.code, error.message)
    }
}
