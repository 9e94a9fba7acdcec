#if canImport(Glibc)
import Glibc
#endif

/// HTTPS to a server behind a TLS-terminating proxy, through the `curl` program (certificates checked against the
/// system's trust store, or `$CURL_CA_BUNDLE`). A child process rather than a TLS library: linking
/// FoundationNetworking (and libcurl's library tree) would cost every `docket` process start-up time, while only
/// HTTPS clients need it (docs/operations.md).
enum CurlRequest {
    static func send(_ method: String, origin: String, path: String, headers: [(String, String)], body: [UInt8])
        throws(ClientFailure) -> ServerReply
    {
        guard let curl = executable("curl") else {
            throw .usage("DOCKET_SERVER \(origin) is https: install curl (the HTTPS client docket uses), or use the server's socket")
        }
        // The token goes in curl's config on stdin, never on its command line (other users can read that).
        var config = ["url = \(quoted(origin + path))", "request = \(quoted(method))", "silent", "show-error", "stderr = \"-\"",
            "max-time = 300", "output = \"-\"", #"write-out = "\n%header{retry-after}\n%{http_code} %{content_type}""#,
            "header = \(quoted("Content-Type: application/json"))"]
        config += headers.map { "header = \(quoted("\($0.0): \($0.1)"))" }
        var bodyFile: String?
        defer { if let bodyFile { unlink(bodyFile) } }
        if method != "GET" {
            let file = try temporaryFile(holding: body)
            bodyFile = file
            config.append("data-binary = \(quoted("@" + file))")
        }
        let (status, output) = try run(curl, ["curl", "--config", "-"], input: Array((SystemError.join(config, "\n") + "\n").utf8))
        // curl's 52 (empty reply), 56 (failure receiving) and 18 (partial body): the request reached the server, which
        // closed the connection before its whole answer.
        if [18, 52, 56].contains(status) { throw .unanswered }
        guard status == 0, let split = output.lastIndex(of: UInt8(ascii: "\n")) else {
            let reason = SystemError.join(String(decoding: output, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init), " ")
            throw .unreachable("cannot reach the server at \(origin) (\(reason.isEmpty ? "no reply" : reason)); check DOCKET_SERVER")
        }
        let trailer = String(decoding: output[(split + 1)...], as: UTF8.self).split(separator: " ", maxSplits: 1)
        // The line before the trailer: Retry-After, empty without one (a curl before 7.84 prints the variable itself).
        let headerSplit = output[..<split].lastIndex(of: UInt8(ascii: "\n")) ?? split
        let retryAfter = String(decoding: output[min(headerSplit + 1, split)..<split], as: UTF8.self)
        return ServerReply(
            status: Int(trailer.first ?? "") ?? 0, contentType: trailer.count > 1 ? String(trailer[1]) : "", body: Array(output[..<headerSplit]),
            retryAfter: !retryAfter.isEmpty && retryAfter.utf8.allSatisfy { (0x30...0x39).contains($0) } ? retryAfter : nil)
    }

    /// `text` as a double-quoted curl config value.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// The first `name` on `$PATH` that is executable.
    private static func executable(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// A new file only this user can read (mode 0600, from mkstemp) holding `bytes`.
    private static func temporaryFile(holding bytes: [UInt8]) throws(ClientFailure) -> String {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/docket-body-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard fd >= 0 else { throw .failure("cannot write the request body to \(path): \(SystemError.text(errno))") }
        SystemError.writeAll(fd, bytes)
        close(fd)
        return path
    }

    /// Runs `executable` with `arguments` (argv, its name first) and `input` on its stdin, its stderr discarded:
    /// exit status and stdout (curl writes its errors there too).
    private static func run(_ executable: String, _ arguments: [String], input: [UInt8]) throws(ClientFailure) -> (Int32, [UInt8]) {
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw .failure("cannot make a pipe: \(SystemError.text(errno))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw .failure("cannot make a pipe: \(SystemError.text(errno))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw .failure("cannot run \(executable): \(SystemError.text(spawned))")
        }
        SystemError.writeAll(toChild[1], input)
        close(toChild[1])
        let output = SystemError.readAll(fromChild[0]) ?? []
        close(fromChild[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }
}
