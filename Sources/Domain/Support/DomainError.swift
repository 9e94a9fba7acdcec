import DocketTime

/// Why a decision was refused: a matchable code and a one-line message that names the problem and the fix.
public struct DomainError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of refusal. New codes are added as static members without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The actor's role may not perform the action.
        public static let forbidden = Code("forbidden")
        /// The aggregate (or something the command refers to) does not exist.
        public static let notFound = Code("notFound")
        /// The command's input is malformed or breaks a rule.
        public static let invalid = Code("invalid")
        /// The command clashes with the current state (already exists, already ended, …).
        public static let conflict = Code("conflict")
        /// Another user already has the ticket the caller tried to take (`docket ticket take`): a precondition of the
        /// command, reported as a conflict (exit 3), like a stale expected version.
        public static let taken = Code("taken")
        /// The ticket is closed.
        public static let closed = Code("closed")
        /// The ticket was merged into another one.
        public static let merged = Code("merged")
        /// The user, client or other party is deactivated.
        public static let inactive = Code("inactive")
        /// The caller's credentials (an API token) are missing, wrong, expired or revoked.
        public static let unauthenticated = Code("unauthenticated")
        /// Not taken now, and nothing written, but it may be taken later as it is: a mail system's report about a
        /// message of ours whose delivery is not recorded yet (the report outran `outbox send`'s record). Exit 75
        /// (`EX_TEMPFAIL`, so a mail server's pipe keeps the mail), LMTP `451`, HTTP `503`.
        public static let tryLater = Code("tryLater")

        public var description: String { name }
    }

    /// The kind of refusal.
    public var code: Code
    /// One line: what is wrong and how to fix it. The instants it names are RFC 3339 UTC.
    public var message: String
    /// The message with its instants apart, when it names any (``TimedMessage``): ``timesWritten(_:)`` writes them
    /// another way.
    private var timed: TimedMessage?

    /// A refusal with `code` and `message`. Control characters (say, a newline in quoted user input) are escaped
    /// so that the message stays on one line.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = Self.oneLine(message)
    }

    /// A refusal with `code` and a message naming instants (RFC 3339 UTC in ``message``).
    public init(_ code: Code, timed message: TimedMessage) {
        self.init(code, message.text { $0.iso8601 })
        timed = message
    }

    /// The refusal with the instants its message names written by `write` (the reader's time zone, where a caller
    /// knows it); itself when it names none.
    public func timesWritten(_ write: (Timestamp) -> String) -> DomainError {
        guard let timed else { return self }
        return DomainError(code, timed.text(write))
    }

    /// The message with the instants it names kept apart, for text that quotes it and is written for people elsewhere (a
    /// reaction's warning).
    public var timedMessage: TimedMessage { timed ?? TimedMessage(stringLiteral: message) }

    /// The refusal with `words` before its message, the instants it names still kept apart (a refusal of one of
    /// several things a command does, named: `client acme is not deactivated: contract acme-r: …`).
    public func prefixed(_ words: String) -> DomainError {
        guard let timed else { return DomainError(code, words + message) }
        return DomainError(code, timed: TimedMessage(stringLiteral: words) + timed)
    }

    private static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public var description: String { message }

    /// Equal when the code and the message (its instants in UTC) are: how the instants were kept apart is no part of it.
    public static func == (lhs: DomainError, rhs: DomainError) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
}
