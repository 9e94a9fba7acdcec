/// What the writer expects a stream's version to be before an append.
public enum ExpectedVersion: Sendable, Equatable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's version must be exactly this (its last event's version).
    case exact(UInt64)

    public var description: String {
        switch self {
        case .any: return "any"
        case .noStream: return "no stream"
        case .exact(let version): return "version \(version)"
        }
    }

    func accepts(_ actual: UInt64) -> Bool {
        switch self {
        case .any: return true
        case .noStream: return actual == 0
        case .exact(let version): return actual == version
        }
    }
}

/// An append found the stream at another version than expected. Nothing was written.
public struct WrongExpectedVersion: Error, Equatable, CustomStringConvertible, Sendable {
    public let stream: String
    public let expected: ExpectedVersion
    /// The stream's actual version; 0 when it does not exist.
    public let actual: UInt64

    public init(stream: String, expected: ExpectedVersion, actual: UInt64) {
        self.stream = stream
        self.expected = expected
        self.actual = actual
    }

    public var description: String {
        let actualText = actual == 0 ? "it does not exist" : "it is at version \(actual)"
        return "stream \(stream) was expected at \(expected) but \(actualText); reload the stream and decide again"
    }
}

/// A request the log refuses, or a store that is not what it should be. Nothing was written.
public struct EventLogError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Kinds of failure, for matching in `catch`.
    public struct Code: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }

        public static let invalidStream = Code("invalidStream")
        public static let invalidEvent = Code("invalidEvent")
        public static let commandReused = Code("commandReused")
        public static let storeNotEmpty = Code("storeNotEmpty")
        public static let corrupt = Code("corrupt")
        public static let unknownProjection = Code("unknownProjection")
        public static let importRejected = Code("importRejected")
        /// A write to a store opened read-only (e.g. a replay made by `docket replay`).
        public static let readOnly = Code("readOnly")
        /// A write to a store that looks rolled back (its head is behind its anchors, or LMDB's meta pages are off).
        public static let rolledBack = Code("rolledBack")
        /// A linked replay whose live store is gone, rolled back before its position, or holds another event there.
        public static let replayUnlinked = Code("replayUnlinked")
    }

    public let code: Code
    /// One line: what is wrong and how to fix it. The instants it names are RFC 3339 UTC.
    public let message: String
    /// The message with the instants it names written by a given function, when it names any (``timesWritten(_:)``).
    private let timed: (@Sendable ((Timestamp) -> String) -> String)?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        timed = nil
    }

    /// An error with `code` whose message names instants: `timed` writes it with each instant written by the function
    /// it is given (RFC 3339 UTC in ``message``).
    public init(_ code: Code, timed: @escaping @Sendable ((Timestamp) -> String) -> String) {
        self.code = code
        message = timed { $0.iso8601 }
        self.timed = timed
    }

    /// The error with the instants its message names written by `write` (for people: in their zone, named).
    public func timesWritten(_ write: (Timestamp) -> String) -> EventLogError {
        guard let timed else { return self }
        return EventLogError(code, timed(write))
    }

    public var description: String { message }

    /// Equal when the code and the message (its instants in UTC) are.
    public static func == (lhs: EventLogError, rhs: EventLogError) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
}
