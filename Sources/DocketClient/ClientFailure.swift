/// A failure of the client itself (before or instead of a command outcome from the server): one line for stderr
/// and the exit code of its class (docs/cli.md; the same numbers as `ApplicationFailure.Kind.exitCode`, which
/// `LeanClientTests` checks, kept here so the client links nothing of the application).
public struct ClientFailure: Error, Sendable {
    /// The exit code.
    public let code: Int32
    /// One line naming the problem and the fix.
    public let message: String

    /// The server closed the connection before its whole answer: whether the command ran is not known.
    let unanswered: Bool

    /// No server answered where `DOCKET_SERVER` points (``unreachable(_:)``): nothing was sent.
    var noServer: Bool { code == 66 }

    public init(code: Int32, _ message: String) {
        self.init(code: code, message, unanswered: false)
    }

    private init(code: Int32, _ message: String, unanswered: Bool) {
        self.code = code
        self.message = message
        self.unanswered = unanswered
    }

    static func failure(_ message: String) -> ClientFailure { ClientFailure(code: 1, message) }
    static func forbidden(_ message: String) -> ClientFailure { ClientFailure(code: 5, message) }
    static func refused(_ message: String) -> ClientFailure { ClientFailure(code: 6, message) }
    static func usage(_ message: String) -> ClientFailure { ClientFailure(code: 64, message) }
    static func badInput(_ message: String) -> ClientFailure { ClientFailure(code: 65, message) }
    /// The server stayed busy for as long as the client waits (75, `EX_TEMPFAIL`: ``BusyRetry``); nothing was done.
    static func busy(_ message: String) -> ClientFailure { ClientFailure(code: 75, message) }
    /// No server where `DOCKET_SERVER` points (66, as for an embedded store that is not there).
    static func unreachable(_ message: String) -> ClientFailure { ClientFailure(code: 66, message) }
    /// The server closed the connection before its whole answer (it stopped, restarted or died): what was asked may
    /// have been done. ``DocketClient/run(_:server:)`` says how to go on with a command.
    static let unanswered = ClientFailure(
        code: 1, "the server closed the connection before answering (stopped or restarted?); try again", unanswered: true)
}
