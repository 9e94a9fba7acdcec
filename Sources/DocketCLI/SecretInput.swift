import Foundation

/// A secret a command takes off its command line, where `ps` and the shell's history would show it: one line read from
/// stdin (`--url -`) or from a file (`--url-file PATH`), as `docket login` reads its token from stdin.
enum SecretInput {
    /// Longer than any URL or token a receiver hands out; a longer input is not one line of a secret.
    static let limit = 8 << 10

    /// The one line `flag` reads: stdin for `-`, else the file at `path` (on the host the command runs on: through the
    /// server, the server's, which only an admin may name). Surrounding blanks and one final line break are dropped.
    /// Empty, more than one line, not UTF-8, too long or unreadable: bad input (65), naming the problem and the fix.
    static func line(_ path: String, flag: String, what: String) throws -> String {
        let source = path == "-" ? "stdin (\(flag) -)" : "\(flag) \(path)"
        let data: Data
        if path == "-" {
            data = try BoundedInput.standardInput(limit: limit, what: source)
        } else {
            try HostFiles.requireRead(path, flag: flag)
            data = try BoundedInput.file(path, limit: limit, what: flag)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.badInput("\(source) is not UTF-8 text; give \(what) alone on one line")
        }
        var line = Substring(text)
        // One Character: "\r\n" is a single grapheme.
        if line.last?.isNewline == true { line = line.dropLast() }
        guard !line.contains(where: \.isNewline) else {
            throw CLIError.badInput("\(source) holds more than one line; give \(what) alone on one line")
        }
        let value = line.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw CLIError.badInput("\(source) is empty; give \(what) on one line") }
        return value
    }
}
