import Domain

/// A ticket command given the version its caller saw (`--expect-version`, HTTP `If-Match`) found the ticket at another
/// one: someone changed it since. Nothing was written; the CLI exits 3 (conflict), the HTTP API answers 412.
public struct StaleTicketVersion: Error, Equatable, Sendable, CustomStringConvertible {
    public let number: TicketNumber
    /// The version the caller gave.
    public let expected: UInt64
    /// The ticket's stream's version now.
    public let actual: UInt64

    /// One line: the version now, and how to see what changed.
    public var message: String {
        let count = actual > expected ? actual - expected : 0
        let changes = count == 0 ? "" : count == 1 ? " (the last line of its history)" : " (the last \(count) lines of its history)"
        return "\(number) is at version \(actual), not \(expected): it changed since you read it; see what changed with "
            + "`docket ticket show \(number)`\(changes), then run the command again with --expect-version \(actual)"
    }

    public var description: String { message }

    /// Refuses `actual` when the caller expected another version; nil expects any.
    static func check(_ number: TicketNumber, expected: UInt64?, actual: UInt64) throws {
        if let expected, expected != actual { throw StaleTicketVersion(number: number, expected: expected, actual: actual) }
    }
}
