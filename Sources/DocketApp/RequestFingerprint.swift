import Crypto
import Foundation

/// What a caller's command id was given for: the command line (`--command-id`) or the HTTP request (`Idempotency-Key`)
/// in a canonical text. The kernel stamps the first event a command appends with an event id derived from it, so that a
/// retry of the same id can be told from a *different* request that reuses the id: the retry replays what the first
/// attempt did; the other request is refused (exit 65 / HTTP 422) instead of being answered with the first one's result
/// while nothing it asked for happens. Set by the edge (the CLI, the server's routes) for the duration of one command.
public struct RequestFingerprint: Sendable, Equatable {
    /// The command id the request gave.
    public let commandId: String
    /// The request in canonical text (e.g. the subcommand path and its arguments, without output-only options).
    public let request: String

    /// The request being served on this thread or task, if it gave a command id.
    @TaskLocal public static var current: RequestFingerprint?

    /// A fingerprint of `request` for `commandId`.
    public init(commandId: String, request: String) {
        self.commandId = commandId
        self.request = request
    }

    /// This request with `input` counted in it: what the command read from a file or stdin (`--file`, a rules file),
    /// in a canonical form. A command line names a file, not its content: retried under the same id after the file
    /// changed, it was answered as a retry ("amended SLA policy gold") while the new terms were never recorded.
    public func including(input: some Sequence<UInt8>) -> RequestFingerprint {
        let digest = SHA256.hash(data: Array(input)).map { String(format: "%02x", $0) }.joined()
        return RequestFingerprint(commandId: commandId, request: request + "\u{0}--input\u{0}" + digest)
    }

    /// The event id the first event of the command gets: SHA-256 of the request, as a version 8 UUID (RFC 9562's
    /// custom version), which random (version 4) event ids never are.
    var eventId: UUID {
        var bytes = Array(SHA256.hash(data: Array("docket.request\u{0}\(commandId)\u{0}\(request)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }

    /// Whether `eventId` is a stamp (version 8): its command's request is known and can be compared.
    static func isStamp(_ eventId: UUID) -> Bool { eventId.uuid.6 >> 4 == 8 }
}
