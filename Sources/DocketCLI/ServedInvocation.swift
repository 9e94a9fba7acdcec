import ArgumentParser
import DocketApp
import DocketClient
import DocketServer
import Foundation

/// A command the server runs for a client (`POST /v1/cli`): who it acts as, the client's stdin, and where its
/// output goes. Bound (task-local, which also binds on the plain thread the server runs the command on) for the
/// command's duration; `Terminal`, `StoreAccess`, `--as` and `--store` read it.
final class ServedInvocation: @unchecked Sendable {
    // @unchecked Sendable: the captured output is only touched while holding `lock`.
    @TaskLocal static var current: ServedInvocation?

    /// The caller the server identified; the command acts as this user.
    let actor: String
    /// What the client read from its stdin (empty: nothing).
    let stdin: Data
    /// The store the command reads instead of the served one: a replay as of a moment (``AsOfReplays``).
    var asOf: (moment: Timestamp, session: Session)?
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    init(actor: String, stdin: Data) {
        self.actor = actor
        self.stdin = stdin
    }

    func writeOut(_ data: Data) { lock.withLock { out.append(data) } }
    func writeError(_ data: Data) { lock.withLock { err.append(data) } }

    /// The outcome: what was written, and `status`.
    func outcome(status: Int32) -> CommandOutcome {
        lock.withLock {
            CommandOutcome(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
        }
    }
}

/// The store `docket serve` holds open: commands the server runs use it instead of opening the store again (one
/// LMDB environment per path per process).
enum ServedStore {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var served: Session?
    nonisolated(unsafe) private static var usage: TokenUsage?

    /// The served store's token usage (live, ahead of its file) while a server runs in this process.
    static var tokenUsage: TokenUsage? {
        get { lock.withLock { usage } }
        set { lock.withLock { usage = newValue } }
    }

    /// The served session while a server runs in this process.
    static var session: Session? {
        get { lock.withLock { served } }
        set { lock.withLock { served = newValue } }
    }

    /// The session a command in this process reads: the replay its request asked for (`asOf`), else the served one.
    static var current: Session? { ServedInvocation.current?.asOf?.session ?? session }
}

/// Running CLI commands inside the server, for its clients.
enum InProcessCommands {
    /// Runs `request` as `actor`: parses it with the same `DocketCommand`, runs it against the served store, and
    /// returns what it printed and its exit code. Blocks (LMDB, fsync): call it off the cooperative pool.
    @available(*, noasync, message: "runs a blocking command")
    static func run(_ request: CommandRequest, actor: String) -> CommandOutcome {
        let invocation = ServedInvocation(actor: actor, stdin: request.stdinData)
        if let first = request.arguments.first, CommandWords.isHostOnly(request.arguments) {
            invocation.writeError(Data("docket: error: `docket \(first)` runs on the server's host, not through the server; unset DOCKET_SERVER to run it embedded\n".utf8))
            return invocation.outcome(status: CLIError.usage("").exitCode)
        }
        let status = ServedInvocation.$current.withValue(invocation) { () -> Int32 in
            do {
                if let text = request.asOf, let live = ServedStore.session {
                    try reportingFailures(store: live.log.path) {
                        guard let moment = Timestamp(iso8601: text) else {
                            throw CLIError.usage("asOf \(text) is not an RFC 3339 time; give e.g. 2026-11-01T00:00:00Z")
                        }
                        invocation.asOf = (moment, Session(app: try AsOfReplays.app(asOf: moment, live: live.app, actor: actor)))
                    }
                }
                var (command, arguments) = try parsed(request)
                try RefusalReader.$current.withValue(RefusalReader.reading(command)) {
                    try RequestFingerprint.$current.withValue(DocketCommand.requestFingerprint(arguments)) { try command.run() }
                }
                return 0
            } catch {
                let (code, message) = DocketCommand.failure(error, arguments: request.arguments)
                if !message.isEmpty {
                    // As `DocketCommand.main()` prints it embedded: the message and a newline (help ends in a blank line).
                    let text = Data((message + "\n").utf8)
                    if code == 0 { invocation.writeOut(text) } else { invocation.writeError(text) }
                }
                return code
            }
        }
        return invocation.outcome(status: status)
    }

    /// The request's command and the words it runs with: a command that takes `--command-id` (a write) gets the
    /// request's `Idempotency-Key` as its id; one that does not (a read, which writes nothing) runs as sent, the key
    /// ignored. Told by parsing: the words with the id parse only for a command that takes one.
    static func parsed(_ request: CommandRequest) throws -> (command: any ParsableCommand, arguments: [String]) {
        if request.idempotencyKey != nil, let arguments = try? request.argumentsWithCommandId(),
            let command = try? DocketCommand.parse(arguments)
        {
            return (command, arguments)
        }
        return (try DocketCommand.parse(request.arguments), request.arguments)
    }
}
