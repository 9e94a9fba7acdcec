/// A failure of the client itself (before or instead of a command outcome from the server): one line for stderr
/// and the exit code of its class (docs/cli.md; the same numbers as `ApplicationFailure.Kind.exitCode`, which
/// `LeanClientTests` checks, kept here so the client links nothing of the application).
public struct ClientFailure: Error, Sendable {
    /// The exit code.
    public let code: Int32
    /// One line naming the problem and the fix.
    public let message: String

    public init(code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }

    static func failure(_ message: String) -> ClientFailure { ClientFailure(code: 1, message) }
    static func forbidden(_ message: String) -> ClientFailure { ClientFailure(code: 5, message) }
    static func refused(_ message: String) -> ClientFailure { ClientFailure(code: 6, message) }
    static func usage(_ message: String) -> ClientFailure { ClientFailure(code: 64, message) }
    static func badInput(_ message: String) -> ClientFailure { ClientFailure(code: 65, message) }
    /// No server where `DOCKET_SERVER` points (66, as for an embedded store that is not there).
    static func unreachable(_ message: String) -> ClientFailure { ClientFailure(code: 66, message) }
}
