#if canImport(Glibc)
import Glibc
#endif

/// The `docket` CLI as a client of `docket serve` (with `$DOCKET_SERVER` set): it sends the command line as it is
/// to `POST /v1/cli`, where the server parses it with the same command tree and runs it as the caller it
/// identifies, and reproduces the outcome (stdout, stderr, exit code). Nothing here parses the command: usage
/// errors and `--help` come from the server, so the client and the embedded CLI run one code path. The client
/// links nothing but the C library's calls: no argument parser, no Foundation coders, nothing that needs the
/// Swift runtime to scan its conformance tables, which in the one static `docket` binary is most of a process's
/// start-up (docs/architecture.md).
public enum DocketClient {
    /// The server to send `arguments` to: `$DOCKET_SERVER`, unless it is unset or empty or the command is
    /// host-only (``CommandWords/hostOnly``); nil means "run embedded".
    public static func server(for arguments: [String]) -> String? {
        guard let server = ClientCredentials.environment("DOCKET_SERVER") else { return nil }
        return CommandWords.isHostOnly(arguments) ? nil : server
    }

    /// Sends `arguments` to `server`, writes what the command printed and returns its exit code.
    public static func run(_ arguments: [String], server: String) -> Int32 {
        // A command that takes --command-id gets one of the client's own when the caller gave none (``LostAnswer``).
        let given = LostAnswer.givenCommandId(arguments)
        let generated = given == nil && LostAnswer.takesCommandId(arguments) ? LostAnswer.generatedId() : nil
        var retry = BusyRetry(budgetSeconds: 0)
        do throws(ClientFailure) {
            let endpoint = try ServerEndpoint.parse(server)
            // Over HTTP(S) a token is needed: without one, say which address has none saved (not the server's "no API token").
            let token: String?
            if case .socket = endpoint { token = nil } else { token = try ClientCredentials.requiredToken(for: server) }
            retry = try BusyRetry.fromEnvironment()
            let stdin = CommandWords.readsStandardInput(arguments) ? SystemError.readAll(STDIN_FILENO) ?? [] : nil
            // Built once: a retry sends these very bytes (the same arguments, command id and stdin).
            let body = ClientJSON.commandRequest(arguments, stdin: stdin)
            let request = Request(
                endpoint: endpoint, server: server, body: body, token: token,
                headers: generated.map { [("Idempotency-Key", $0)] } ?? [], resendable: given != nil || generated != nil)
            var reply = try request.exchange(&retry)
            while true {
                let decision = retry.next(status: reply.status, retryAfter: reply.retryAfter)
                if decision == .answer { break }
                guard case .retry(let wait) = decision else { throw retry.gaveUp(server: server, status: reply.status) }
                if retry.refusals == 1, isatty(STDERR_FILENO) == 1 {
                    SystemError.writeAll(STDERR_FILENO, Array(retry.progressLine(server: server).utf8))
                }
                BusyRetry.sleep(milliseconds: wait)
                reply = try request.exchange(&retry)
            }
            let answer = ClientJSON.parse(reply.body)
            if reply.contentType.hasPrefix("application/json"), let answer, let status = answer["status"]?.int32,
                let out = answer["stdout"]?.string, let err = answer["stderr"]?.string
            {
                // Control characters shown, not obeyed, on a terminal (`TerminalText`); a pipe gets the bytes as they are.
                SystemError.writeAll(STDOUT_FILENO, TerminalText.forDescriptor(STDOUT_FILENO, Array(out.utf8)))
                SystemError.writeAll(STDERR_FILENO, TerminalText.forDescriptor(STDERR_FILENO, Array(err.utf8)))
                return status
            }
            if let answer, let detail = answer["detail"]?.string, let code = answer["exitCode"]?.int32 {
                throw ClientFailure(code: code, detail)
            }
            throw .failure("the server answered HTTP \(reply.status) without a command outcome; check DOCKET_SERVER")
        } catch {
            let message =
                error.unanswered
                ? unanswered(server: server, commandId: given ?? generated, waitedSeconds: retry.resends > 0 ? (retry.waited + 999) / 1_000 : nil)
                : error.message
            SystemError.writeAll(STDERR_FILENO, TerminalText.forDescriptor(STDERR_FILENO, Array("docket: error: \(message)\n".utf8)))
            return error.code
        }
    }

    /// One command's request, as sent (and sent again) to the server.
    private struct Request {
        let endpoint: ServerEndpoint
        let server: String
        let body: [UInt8]
        let token: String?
        /// `Idempotency-Key` with the client's own command id, when it made one.
        let headers: [(String, String)]
        /// Whether the command has a command id, so that sending it again cannot do it twice.
        let resendable: Bool

        /// Sends the request and returns the reply. When the answer is lost and the command has a command id, sends it
        /// again (waiting while a restarting server does not listen yet) until an answer comes or `retry`'s wait is
        /// used up; then, or at once without an id, the failure is the lost answer.
        func exchange(_ retry: inout BusyRetry) throws(ClientFailure) -> ServerReply {
            var lost = false
            while true {
                do throws(ClientFailure) {
                    return try send(endpoint, server: server, path: "/v1/cli", body: body, token: token, headers: headers)
                } catch where error.unanswered || (lost && error.noServer) {
                    guard resendable, let wait = retry.nextResend() else { throw .unanswered }
                    if !lost, isatty(STDERR_FILENO) == 1 {
                        SystemError.writeAll(STDERR_FILENO, Array(retry.resendLine(server: server).utf8))
                    }
                    lost = true
                    BusyRetry.sleep(milliseconds: wait)
                }
            }
        }
    }

    /// What to say when the server closed the connection before answering a command (with `commandId`, the caller's
    /// or the client's own, if it has one; `waitedSeconds`: how long it was sent again for, nil if it was not): the
    /// command may have run (the server stopped, restarted or died after it committed), so a plain retry of a write
    /// could do it twice.
    static func unanswered(server: String, commandId: String?, waitedSeconds: Int?) -> String {
        let next =
            commandId.map { "run it again with --command-id \($0) once the server is back: a retry with the same id writes nothing twice" }
            ?? "check before running it again (a command without --command-id is not sent twice)"
        let again = waitedSeconds.map { ", and did not answer it again within \($0) s" } ?? ""
        return "the server at \(server) closed the connection before answering (stopped or restarted?)\(again); the command may have run: \(next)"
    }

    /// One request to the server, with the caller's token on HTTP(S) (`token`, else ``ClientCredentials``).
    public static func send(
        _ endpoint: ServerEndpoint, server: String, method: String = "POST", path: String, body: [UInt8] = [], token: String? = nil,
        headers given: [(String, String)] = []
    ) throws(ClientFailure) -> ServerReply {
        var headers = given
        if case .socket = endpoint {} else {
            let presented: String?
            if let token { presented = token } else { presented = try ClientCredentials.token(for: server) }
            if let presented { headers.append(("Authorization", "Bearer \(presented)")) }
        }
        if case .https(let origin) = endpoint { return try CurlRequest.send(method, origin: origin, path: path, headers: headers, body: body) }
        return try SocketHTTP.send(method, endpoint, path: path, headers: headers, body: body)
    }
}

/// What the client needs to know of a command line without parsing it: read from its words.
public enum CommandWords {
    /// Commands that make no sense through a server: they run on the server's host, embedded (the server refuses
    /// them on `POST /v1/cli`).
    public static let hostOnly = ["serve", "login", "init", "restore"]

    /// Whether the command (its first word) runs embedded even with `$DOCKET_SERVER` set.
    public static func isHostOnly(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return hostOnly.contains(first)
    }

    /// Whether the command reads stdin, so the client sends it along: `-` for a file, `--stdin`, `--x=-`, an
    /// import without a file, an alert, an email without `--maildir`, `rules test` without `--schedule`. Never for a
    /// help request.
    public static func readsStandardInput(_ arguments: [String]) -> Bool {
        let words = arguments.prefix { $0 != "--" }
        if words.contains("--help") || words.contains("-h") || arguments.first == "help" { return false }
        if arguments.contains("-") || words.contains("--stdin") || words.contains(where: { $0.hasSuffix("=-") }) { return true }
        switch (arguments.first, arguments.dropFirst().first) {
        case ("import"?, _): return !hasOperand(arguments.dropFirst(), valueOptions: ["--store", "--as"])
        case ("intake"?, "alert"?): return true
        case ("intake"?, "email"?): return !words.contains { $0 == "--maildir" || $0.hasPrefix("--maildir=") }
        case ("rules"?, "test"?): return !words.contains { $0 == "--schedule" || $0.hasPrefix("--schedule=") }
        default: return false
        }
    }

    /// Whether `words` hold an operand: a word that is not an option nor the value of one of `valueOptions`.
    private static func hasOperand(_ words: ArraySlice<String>, valueOptions: [String]) -> Bool {
        var skipNext = false
        var afterTerminator = false
        for word in words {
            if afterTerminator { return true }
            if skipNext {
                skipNext = false
                continue
            }
            if word == "--" {
                afterTerminator = true
            } else if valueOptions.contains(word) {
                skipNext = true
            } else if !word.hasPrefix("-") || word == "-" {
                return true
            }
        }
        return false
    }
}
