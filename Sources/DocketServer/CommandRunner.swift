import Foundation

/// One CLI command as the server receives it: the words after `docket`, and what the client read from its stdin.
public struct CommandRequest: Codable, Sendable, Equatable {
    public var arguments: [String]
    /// The client's stdin, base64 (only for commands that read it).
    public var stdin: String?
    /// Read the store as it stood at this moment (RFC 3339): the command runs against a replay of the log (admins).
    public var asOf: String?
    /// The request's `Idempotency-Key` (the server sets it; it is not part of the body): a write's `--command-id`
    /// (``argumentsWithCommandId()``). A read takes no command id and ignores it: it writes nothing, so a retry is
    /// safe without one, as `GET` routes ignore the header.
    public var idempotencyKey: String?

    enum CodingKeys: String, CodingKey {
        case arguments, stdin, asOf
    }

    public init(arguments: [String], stdin: Data? = nil, asOf: String? = nil) {
        self.arguments = arguments
        self.stdin = stdin?.base64EncodedString()
        self.asOf = asOf
    }

    /// The arguments with ``idempotencyKey`` as the command's `--command-id` (unchanged without a key, or when the
    /// arguments already give the same id); a malformed key, or another id in the arguments, is a 400 ``Problem``.
    public func argumentsWithCommandId() throws -> [String] {
        guard let idempotencyKey else { return arguments }
        return try Routes.arguments(arguments, idempotencyKey: idempotencyKey)
    }

    /// The stdin bytes; empty when none were sent or they are not base64.
    public var stdinData: Data { stdin.flatMap { Data(base64Encoded: $0) } ?? Data() }
}

/// What a command printed and returned, for the client to reproduce.
public struct CommandOutcome: Codable, Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs one CLI command in the server's process, against the server's open store, as `actor` (the caller the server
/// identified; the command's own `--as` and `$DOCKET_USER` do not apply). It blocks: the server calls it off the
/// cooperative pool. The CLI module provides it (the server does not depend on the CLI).
public typealias CommandRunner = @Sendable (_ request: CommandRequest, _ actor: String) -> CommandOutcome
