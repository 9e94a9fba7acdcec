// MARK: - Priority

/// How urgent a ticket is: P1 (most urgent) to P4. Write literals as `"P2"`.
public enum Priority: String, Codable, CaseIterable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Critical: business stopped.
    case p1 = "P1"
    /// High.
    case p2 = "P2"
    /// Normal (the usual default).
    case p3 = "P3"
    /// Low.
    case p4 = "P4"

    /// A literal `"P1"` … `"P4"`; any other literal is a programming error.
    public init(stringLiteral value: String) {
        guard let priority = Priority(rawValue: value) else {
            preconditionFailure("\"\(value)\" is not a priority literal; use \"P1\" to \"P4\"")
        }
        self = priority
    }

    /// Parses `P1` … `P4` (also lower-case) or throws a message listing them.
    public static func parse(_ text: String) throws(DomainError) -> Priority {
        guard let priority = Priority(rawValue: text.uppercased()) else {
            throw DomainError(.invalid, "\"\(text)\" is not a priority; use P1, P2, P3 or P4")
        }
        return priority
    }

    public var description: String { rawValue }

    /// P1 sorts first: it is the most urgent.
    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
}

// MARK: - Source

/// Where a ticket came from.
public enum TicketSource: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// An e-mail to the intake address.
    case email
    /// The client portal.
    case portal
    /// A phone call.
    case phone
    /// A monitoring alert.
    case alert
    /// A recurring schedule (`docket schedule add`), opened by `docket tick`.
    case schedule

    public var description: String { rawValue }
}

// MARK: - Status

/// Where a ticket stands. Persisted as the raw value; shown with ``displayName``.
public enum TicketStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// Opened, not yet worked.
    case new
    /// Being worked.
    case inProgress = "in-progress"
    /// Waiting for the client to answer.
    case waitingOnClient = "waiting-on-client"
    /// Closed (with a resolution note, or merged).
    case closed

    /// "New", "In progress", "Waiting on client", "Closed".
    public var displayName: String {
        switch self {
        case .new: "New"
        case .inProgress: "In progress"
        case .waitingOnClient: "Waiting on client"
        case .closed: "Closed"
        }
    }

    /// The statuses `setStatus` accepts; closing goes through `close`.
    public static let settable: [TicketStatus] = [.new, .inProgress, .waitingOnClient]

    public var description: String { rawValue }
}

// MARK: - Comment visibility

/// Who sees a comment.
public enum CommentVisibility: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// The client's contacts see it too.
    case `public`
    /// Only staff see it.
    case `internal`

    public var description: String { rawValue }
}
