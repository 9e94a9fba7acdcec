/// Something that happened to a ticket (stream `ticket-T-<n>`).
public enum TicketEvent: Sendable, Equatable {
    case opened(TicketOpened)
    case assigned(TicketAssigned)
    case unassigned(TicketUnassigned)
    case priorityChanged(TicketPriorityChanged)
    case categoryChanged(TicketCategoryChanged)
    case watcherAdded(TicketWatcherAdded)
    case watcherRemoved(TicketWatcherRemoved)
    case commented(TicketCommented)
    case statusChanged(TicketStatusChanged)
    case merged(TicketMerged)
    case mergeReceived(TicketMergeReceived)
    case closed(TicketClosed)
    case reopened(TicketReopened)
}

/// `ticket.opened.v1`: a ticket was opened.
public struct TicketOpened: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.opened", schemaVersion: 1, summary: "A ticket was opened; its status is New.")
    public var number: TicketNumber
    public var client: String
    public var contact: String?
    public var category: String?
    public var priority: Priority
    public var source: TicketSource
    public var subject: String
    public var description: String

    public init(
        number: TicketNumber, client: String, contact: String?, category: String?, priority: Priority,
        source: TicketSource, subject: String, description: String
    ) {
        self.number = number
        self.client = client
        self.contact = contact
        self.category = category
        self.priority = priority
        self.source = source
        self.subject = subject
        self.description = description
    }
}

/// `ticket.assigned.v1`: the ticket was assigned, or reassigned when `previousAssignee` is set.
public struct TicketAssigned: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.assigned", schemaVersion: 1,
        summary: "The ticket was assigned to a user (a reassignment when previousAssignee is present).")
    public var assignee: String
    public var previousAssignee: String?

    public init(assignee: String, previousAssignee: String?) {
        self.assignee = assignee
        self.previousAssignee = previousAssignee
    }
}

/// `ticket.unassigned.v1`: the assignee was removed.
public struct TicketUnassigned: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.unassigned", schemaVersion: 1, summary: "The ticket's assignee was removed.")
    public var previousAssignee: String

    public init(previousAssignee: String) { self.previousAssignee = previousAssignee }
}

/// `ticket.priority-changed.v1`.
public struct TicketPriorityChanged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.priority-changed", schemaVersion: 1,
        summary: "The ticket's priority changed.")
    public var priority: Priority
    public var previousPriority: Priority

    public init(priority: Priority, previousPriority: Priority) {
        self.priority = priority
        self.previousPriority = previousPriority
    }
}

/// `ticket.category-changed.v1`.
public struct TicketCategoryChanged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.category-changed", schemaVersion: 1,
        summary: "The ticket's category changed.")
    public var category: String
    public var previousCategory: String?

    public init(category: String, previousCategory: String?) {
        self.category = category
        self.previousCategory = previousCategory
    }
}

/// `ticket.watcher-added.v1`.
public struct TicketWatcherAdded: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.watcher-added", schemaVersion: 1,
        summary: "A user started watching the ticket.")
    public var login: String

    public init(login: String) { self.login = login }
}

/// `ticket.watcher-removed.v1`.
public struct TicketWatcherRemoved: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.watcher-removed", schemaVersion: 1,
        summary: "A user stopped watching the ticket.")
    public var login: String

    public init(login: String) { self.login = login }
}

/// `ticket.commented.v1`: a public or internal comment. The author is the envelope's actor.
public struct TicketCommented: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.commented", schemaVersion: 1,
        summary: "A comment was added; public comments are visible to the client, internal ones only to staff.")
    public var text: String
    public var visibility: CommentVisibility

    public init(text: String, visibility: CommentVisibility) {
        self.text = text
        self.visibility = visibility
    }
}

/// `ticket.status-changed.v1`: between new, in progress and waiting on client.
public struct TicketStatusChanged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.status-changed", schemaVersion: 1,
        summary: "The ticket moved between New, In progress and Waiting on client.")
    public var status: TicketStatus
    public var previousStatus: TicketStatus

    public init(status: TicketStatus, previousStatus: TicketStatus) {
        self.status = status
        self.previousStatus = previousStatus
    }
}

/// `ticket.merged.v1`: this ticket was merged into another and is now closed-like.
public struct TicketMerged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.merged", schemaVersion: 1,
        summary: "The ticket was merged into another one; it is closed for good and work continues on the target.")
    public var into: TicketNumber

    public init(into: TicketNumber) { self.into = into }
}

/// `ticket.merge-received.v1`: another ticket was merged into this one.
public struct TicketMergeReceived: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.merge-received", schemaVersion: 1,
        summary: "Another ticket was merged into this one (appended with ticket.merged in one transaction).")
    public var from: TicketNumber

    public init(from: TicketNumber) { self.from = from }
}

/// `ticket.closed.v1`: closed with a resolution note.
public struct TicketClosed: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.closed", schemaVersion: 1, summary: "The ticket was closed with a resolution note.")
    public var resolution: String

    public init(resolution: String) { self.resolution = resolution }
}

/// `ticket.reopened.v1`: a closed ticket went back to in progress.
public struct TicketReopened: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.reopened", schemaVersion: 1,
        summary: "A closed ticket was reopened; its status is In progress.")
    public var reason: String?

    public init(reason: String?) { self.reason = reason }
}
