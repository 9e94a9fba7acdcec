import ArgumentParser
import DocketServer
import Foundation

/// The CLI as a client: with `$DOCKET_SERVER` set, a command is parsed here (help and usage errors stay local)
/// and run by the server, as the user the server identifies; its output and exit code are reproduced here.
enum RemoteInvocation {
    /// True in a client process that sends its command to a server (set once at start, before parsing).
    nonisolated(unsafe) static var isRemote = false

    /// Sends `arguments` to `server` and reproduces the outcome; returns the exit code.
    @available(*, noasync, message: "blocks on the socket")
    static func run(_ arguments: [String], command: any ParsableCommand, server: String) -> Int32 {
        do {
            let endpoint = try ServerEndpoint.parse(server)
            let stdin = readsStandardInput(command, arguments) ? Terminal.standardInput() : nil
            let body = try JSONEncoder().encode(CommandRequest(arguments: arguments, stdin: stdin))
            let reply = try send(endpoint, server: server, path: "/v1/cli", body: body)
            if reply.contentType.hasPrefix("application/json"), let outcome = try? JSONDecoder().decode(CommandOutcome.self, from: reply.body) {
                Terminal.out(outcome.stdout)
                FileHandle.standardError.write(Data(outcome.stderr.utf8))
                return outcome.status
            }
            if let problem = try? JSONDecoder().decode(Problem.self, from: reply.body) {
                Terminal.error("docket: error: \(problem.detail)")
                return problem.exitCode
            }
            Terminal.error("docket: error: the server answered HTTP \(reply.status) without a command outcome; check DOCKET_SERVER")
            return CLIError.failure("").exitCode
        } catch {
            let failure = CLIError.from(error, store: server)
            Terminal.error("docket: error: \(failure.description)")
            return failure.exitCode
        }
    }

    /// One request to the server, with the caller's token on HTTP(S).
    @available(*, noasync, message: "blocks on the socket")
    static func send(_ endpoint: ServerEndpoint, server: String, method: String = "POST", path: String, body: Data = Data(), token: String? = nil)
        throws -> HTTPOverSocket.Reply
    {
        var headers: [(String, String)] = []
        if case .socket = endpoint {} else if let token = try token ?? Credentials.token(for: server) {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if case .https(let url) = endpoint { return try HTTPSRequest.send(method, url: url, path: path, headers: headers, body: body) }
        return try HTTPOverSocket.send(method, endpoint, path: path, headers: headers, body: body)
    }

    /// Whether the command reads stdin: `-` for a file, `--stdin`, an import without a file, an alert or an email
    /// without `--maildir`.
    static func readsStandardInput(_ command: any ParsableCommand, _ arguments: [String]) -> Bool {
        if arguments.contains("-") || arguments.contains("--stdin") || arguments.contains(where: { $0.hasSuffix("=-") }) { return true }
        switch command {
        case let command as ImportCommand: return command.file == nil
        case is IntakeAlert: return true
        case let command as IntakeEmail: return command.maildir == nil
        default: return false
        }
    }
}

/// The `docket` executable's entry: the embedded CLI, or the client of `$DOCKET_SERVER`.
public enum DocketEntry {
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let server = ProcessInfo.processInfo.environment["DOCKET_SERVER"] ?? ""
        let hostOnly = arguments.first.map { InProcessCommands.hostOnly.contains($0) } ?? false
        guard !server.isEmpty, !hostOnly else { return DocketCommand.main() }
        RemoteInvocation.isRemote = true
        let command: any ParsableCommand
        do {
            command = try DocketCommand.parseAsRoot(arguments)
        } catch {
            DocketCommand.exit(withError: error)
        }
        exit(RemoteInvocation.run(arguments, command: command, server: server))
    }
}
