import Foundation

/// HTTPS to a server behind a TLS-terminating proxy, through the `curl` program (certificates checked against the
/// system's trust store, or `$CURL_CA_BUNDLE`). A child process rather than Foundation's URLSession: linking
/// FoundationNetworking (and libcurl's library tree) costs every `docket` process ~5 ms of start-up, embedded or not,
/// while only HTTPS clients need it (docs/operations.md).
enum HTTPSRequest {
    @available(*, noasync, message: "blocks until the reply")
    static func send(_ method: String, url: URL, path: String, headers: [(String, String)], body: Data) throws -> HTTPOverSocket.Reply {
        guard let target = URL(string: path, relativeTo: url) else { throw CLIError.usage("bad server URL \(url)") }
        guard let curl = executable("curl") else {
            throw CLIError.usage("DOCKET_SERVER \(url) is https: install curl (the HTTPS client docket uses), or use the server's socket")
        }
        // The token goes in curl's config on stdin, never on its command line (other users can read that).
        var config = ["url = \(quoted(target.absoluteString))", "request = \(quoted(method))", "silent", "show-error", "stderr = \"-\"",
            "max-time = 300", "output = \"-\"", #"write-out = "\n%{http_code} %{content_type}""#,
            "header = \(quoted("Content-Type: application/json"))"]
        config += headers.map { "header = \(quoted("\($0.0): \($0.1)"))" }
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("docket-body-\(UUID().uuidString)")
        if method != "GET" {
            guard FileManager.default.createFile(atPath: bodyFile.path, contents: body, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError.failure("cannot write the request body to \(bodyFile.path)")
            }
            config.append("data-binary = \(quoted("@" + bodyFile.path))")
        }
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        let (status, output) = try run(curl, arguments: ["--config", "-"], input: Data((config.joined(separator: "\n") + "\n").utf8))
        guard status == 0, let split = output.lastIndex(of: UInt8(ascii: "\n")) else {
            let reason = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError.noStore("cannot reach the server at \(url) (\(reason.isEmpty ? "no reply" : reason)); check DOCKET_SERVER")
        }
        let trailer = String(decoding: output[output.index(after: split)...], as: UTF8.self).split(separator: " ", maxSplits: 1)
        return HTTPOverSocket.Reply(
            status: Int(trailer.first ?? "") ?? 0, contentType: trailer.count > 1 ? String(trailer[1]) : "", body: Data(output[..<split]))
    }

    /// `text` as a double-quoted curl config value.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The first `name` on `$PATH`.
    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` with `input` on its stdin: exit status and stdout (curl writes its errors there too).
    private static func run(_ executable: String, arguments: [String], input: Data) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let (stdin, stdout) = (Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
