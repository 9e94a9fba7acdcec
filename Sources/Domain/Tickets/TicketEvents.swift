import DocketTime

/// Something that happened to a ticket (stream `ticket-T-<n>`).
public enum TicketEvent: Sendable, Equatable {
    /// See ``TicketOpened``.
    case opened(TicketOpened)
    /// See ``TicketAssigned``.
    case assigned(TicketAssigned)
    /// See ``TicketUnassigned``.
    case unassigned(TicketUnassigned)
    /// See ``TicketPriorityChanged``.
    case priorityChanged(TicketPriorityChanged)
    /// See ``TicketCategoryChanged``.
    case categoryChanged(TicketCategoryChanged)
    /// See ``TicketWatcherAdded``.
    case watcherAdded(TicketWatcherAdded)
    /// See ``TicketWatcherRemoved``.
    case watcherRemoved(TicketWatcherRemoved)
    /// See ``TicketCommented``.
    case commented(TicketCommented)
    /// See ``TicketStatusChanged``.
    case statusChanged(TicketStatusChanged)
    /// See ``TicketMerged``.
    case merged(TicketMerged)
    /// See ``TicketMergeReceived``.
    case mergeReceived(TicketMergeReceived)
    /// See ``TicketClosed``.
    case closed(TicketClosed)
    /// See ``TicketReopened``.
    case reopened(TicketReopened)
    /// See ``TicketDueDateSet``.
    case dueDateSet(TicketDueDateSet)
    /// See ``TicketContactSet``.
    case contactSet(TicketContactSet)
    /// See ``TicketParticipantAdded``.
    case participantAdded(TicketParticipantAdded)
    /// See ``TicketParticipantRemoved``.
    case participantRemoved(TicketParticipantRemoved)
    /// See ``TicketFollowUpSent``.
    case followUpSent(TicketFollowUpSent)
    /// The ticket was linked under a parent (on both tickets' streams).
    case linked(TicketLinked)
    /// The ticket was taken out from under its parent (on both tickets' streams).
    case unlinked(TicketUnlinked)
    /// See ``TicketSurveySent``.
    case surveySent(TicketSurveySent)
    /// See ``TicketRated``.
    case rated(TicketRated)
}

/// `ticket.opened.v1`: a ticket was opened.
public struct TicketOpened: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.opened", schemaVersion: 1, summary: "A ticket was opened; its status is New.")
    /// The ticket number, e.g. `T-1042` (allocated by the application).
    public var number: TicketNumber
    /// The client's code.
    public var client: String
    /// The id of the client's contact who raised it, if known.
    public var contact: String?
    /// Free-text category, if any.
    public var category: String?
    /// `P1` (most urgent) to `P4`.
    public var priority: Priority
    /// `email`, `portal`, `phone` or `alert`.
    public var source: TicketSource
    /// One-line subject, trimmed, never blank.
    public var subject: String
    /// The body; may be empty.
    public var description: String

    /// A payload with the given fields.
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
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.assigned", schemaVersion: 1,
        summary: "The ticket was assigned to a user (a reassignment when previousAssignee is present).")
    /// The new assignee's login.
    public var assignee: String
    /// The assignee before, when this is a reassignment.
    public var previousAssignee: String?
    /// The routing rule that assigned the ticket as it was opened (``RoutingReaction``); nil when a person assigned it
    /// (and on events recorded before 2026-12-07, whoever did).
    public var routingRule: String?
    /// The SLA escalation rule whose `assign` action assigned the ticket (``EscalationReaction``); nil when a person
    /// assigned it (and on events recorded before 2026-12-07, whoever did).
    public var escalationRule: String?

    /// A payload with the given fields.
    public init(assignee: String, previousAssignee: String?, routingRule: String? = nil, escalationRule: String? = nil) {
        self.assignee = assignee
        self.previousAssignee = previousAssignee
        self.routingRule = routingRule
        self.escalationRule = escalationRule
    }

    /// Whether a rule, not a person, made this assignment: a ticket assigned only by a rule is nobody's work yet.
    public var isByRule: Bool { routingRule != nil || escalationRule != nil }
}

extension TicketEvent {
    /// This event, an assignment marked as the routing rule `id`'s; any other event as it is.
    func assignment(byRoutingRule id: String) -> TicketEvent {
        guard case .assigned(var assigned) = self else { return self }
        assigned.routingRule = id
        return .assigned(assigned)
    }

    /// This event, an assignment marked as the escalation rule `id`'s; any other event as it is.
    func assignment(byEscalationRule id: String) -> TicketEvent {
        guard case .assigned(var assigned) = self else { return self }
        assigned.escalationRule = id
        return .assigned(assigned)
    }
}

/// `ticket.unassigned.v1`: the assignee was removed.
public struct TicketUnassigned: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.unassigned", schemaVersion: 1, summary: "The ticket's assignee was removed.")
    /// Who was assigned.
    public var previousAssignee: String

    /// A payload with the given fields.
    public init(previousAssignee: String) { self.previousAssignee = previousAssignee }
}

/// `ticket.priority-changed.v1`.
public struct TicketPriorityChanged: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.priority-changed", schemaVersion: 1,
        summary: "The ticket's priority changed.")
    /// The new priority.
    public var priority: Priority
    /// The priority before.
    public var previousPriority: Priority

    /// A payload with the given fields.
    public init(priority: Priority, previousPriority: Priority) {
        self.priority = priority
        self.previousPriority = previousPriority
    }
}

/// `ticket.category-changed.v1`.
public struct TicketCategoryChanged: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.category-changed", schemaVersion: 1,
        summary: "The ticket's category changed.")
    /// The new category.
    public var category: String
    /// The category before, if there was one.
    public var previousCategory: String?

    /// A payload with the given fields.
    public init(category: String, previousCategory: String?) {
        self.category = category
        self.previousCategory = previousCategory
    }
}

/// `ticket.watcher-added.v1`.
public struct TicketWatcherAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.watcher-added", schemaVersion: 1,
        summary: "A user started watching the ticket.")
    /// The watcher's login.
    public var login: String

    /// A payload with the given fields.
    public init(login: String) { self.login = login }
}

/// `ticket.watcher-removed.v1`.
public struct TicketWatcherRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.watcher-removed", schemaVersion: 1,
        summary: "A user stopped watching the ticket.")
    /// The watcher's login.
    public var login: String

    /// A payload with the given fields.
    public init(login: String) { self.login = login }
}

/// `ticket.commented.v1`: a public or internal comment. The author is the envelope's actor.
public struct TicketCommented: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.commented", schemaVersion: 1,
        summary: "A comment was added; public comments are visible to the client, internal ones only to staff.")
    /// The comment, trimmed. The author is the envelope's actor.
    public var text: String
    /// `public` or `internal`.
    public var visibility: CommentVisibility
    /// Whether Docket wrote it, not a person (a routing rule's template reply): such a public reply does not meet the
    /// response clock. Written only when true (`"automatic": true`).
    public var isAutomatic: Bool
    /// Whether the client wrote it: a portal contact (actor `contact:<id>`, ``Actor/isClientContact(_:)``). Such a reply
    /// does not meet the response clock: only the MSP's answer does. Written only when true (`"fromClient": true`);
    /// comments recorded before the field existed are told by their actor (``TicketEvent/attributed(to:)``).
    public var isFromClient: Bool
    /// The Message-ID of the technician's own email this public reply records (mail intake: a user's authenticated
    /// reply to a ticket's thread). The client already has that email, so no reply mail is queued for it. Written only
    /// when present (`"mailMessageId"`).
    public var mailMessageId: String?
    /// The subject of the reply template this public reply was written with, its placeholders filled in: the reply's
    /// mail goes out as `[T-1042] <mailSubject>` instead of `Re: [T-1042] <ticket subject>`. Written only when present
    /// (`"mailSubject"`); comments recorded before the field existed, and replies from a template without a subject,
    /// have none.
    public var mailSubject: String?

    /// A payload with the given fields.
    public init(
        text: String, visibility: CommentVisibility, isAutomatic: Bool = false, isFromClient: Bool = false, mailMessageId: String? = nil,
        mailSubject: String? = nil
    ) {
        self.text = text
        self.visibility = visibility
        self.isAutomatic = isAutomatic
        self.isFromClient = isFromClient
        self.mailMessageId = mailMessageId
        self.mailSubject = mailSubject
    }

    private enum CodingKeys: String, CodingKey {
        case text, visibility, mailMessageId, mailSubject
        case isAutomatic = "automatic"
        case isFromClient = "fromClient"
    }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        visibility = try c.decode(CommentVisibility.self, forKey: .visibility)
        isAutomatic = try c.decodeIfPresent(Bool.self, forKey: .isAutomatic) ?? false
        isFromClient = try c.decodeIfPresent(Bool.self, forKey: .isFromClient) ?? false
        mailMessageId = try c.decodeIfPresent(String.self, forKey: .mailMessageId)
        mailSubject = try c.decodeIfPresent(String.self, forKey: .mailSubject)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(visibility, forKey: .visibility)
        if isAutomatic { try c.encode(true, forKey: .isAutomatic) }
        if isFromClient { try c.encode(true, forKey: .isFromClient) }
        try c.encodeIfPresent(mailMessageId, forKey: .mailMessageId)
        try c.encodeIfPresent(mailSubject, forKey: .mailSubject)
    }
}

extension TicketEvent {
    /// The event as recorded by `actor` (the envelope's): a comment a portal contact wrote is the client's
    /// (``TicketCommented/isFromClient``) even when it was recorded before the payload said so. Every other event is
    /// returned as it is.
    public func attributed(to actor: String) -> TicketEvent {
        guard case .commented(var comment) = self, !comment.isFromClient, Actor.isClientContact(actor) else { return self }
        comment.isFromClient = true
        return .commented(comment)
    }
}

/// `ticket.status-changed.v1`: between new, in progress and waiting on client.
public struct TicketStatusChanged: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.status-changed", schemaVersion: 1,
        summary: "The ticket moved between New, In progress and Waiting on client.")
    /// `new`, `in-progress` or `waiting-on-client`.
    public var status: TicketStatus
    /// The status before.
    public var previousStatus: TicketStatus

    /// A payload with the given fields.
    public init(status: TicketStatus, previousStatus: TicketStatus) {
        self.status = status
        self.previousStatus = previousStatus
    }
}

/// `ticket.merged.v1`: this ticket was merged into another and is now closed-like.
public struct TicketMerged: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.merged", schemaVersion: 1,
        summary: "The ticket was merged into another one; it is closed for good and work continues on the target.")
    /// The target ticket.
    public var into: TicketNumber

    /// A payload with the given fields.
    public init(into: TicketNumber) { self.into = into }
}

/// `ticket.linked.v1`: a ticket was linked under a parent ticket — one cause, many tickets (an outage that several
/// clients reported): the parent's close closes it too. Appended to both tickets' streams in one transaction; the
/// stream says which side it is on.
public struct TicketLinked: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.linked", schemaVersion: 1,
        summary: "A ticket was linked under a parent ticket (the same event on both tickets' streams, in one transaction).")
    /// The parent ticket.
    public var parent: TicketNumber
    /// The ticket linked under it.
    public var child: TicketNumber

    /// A payload with the given fields.
    public init(parent: TicketNumber, child: TicketNumber) {
        self.parent = parent
        self.child = child
    }
}

/// `ticket.unlinked.v1`: a ticket was taken out from under its parent; the parent's close no longer closes it.
public struct TicketUnlinked: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.unlinked", schemaVersion: 1,
        summary: "A ticket was taken out from under its parent ticket (the same event on both tickets' streams).")
    /// The parent ticket.
    public var parent: TicketNumber
    /// The ticket taken out.
    public var child: TicketNumber

    /// A payload with the given fields.
    public init(parent: TicketNumber, child: TicketNumber) {
        self.parent = parent
        self.child = child
    }
}

/// `ticket.merge-received.v1`: another ticket was merged into this one.
public struct TicketMergeReceived: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.merge-received", schemaVersion: 1,
        summary: "Another ticket was merged into this one (appended with ticket.merged in one transaction).")
    /// The merged (source) ticket.
    public var from: TicketNumber

    /// A payload with the given fields.
    public init(from: TicketNumber) { self.from = from }
}

/// `ticket.closed.v1`: closed with a resolution note; the closer (the envelope's actor) logged time on it, or
/// said why not in `noTimeReason`.
public struct TicketClosed: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.closed", schemaVersion: 1,
        summary: "The ticket was closed with a resolution note.")
    /// What fixed it, trimmed, never blank.
    public var resolution: String
    /// Why the closer logged no time on the ticket (`--no-time --reason`), trimmed; absent when they logged time,
    /// when monitoring closed it (alert auto-resolve), and on closes recorded before the rule existed.
    public var noTimeReason: String?
    /// The time the closer logged with the close (`--time`): the ``CloseTimeReaction`` records it as a time entry in
    /// the same transaction. Absent otherwise, and on closes recorded before the reaction existed (whose entry was
    /// appended by the command itself).
    public var loggedTime: CloseTimeLog?
    /// Until when the ticket's monitoring alert, if it still fires, is only noted on the closed ticket: its repeats
    /// reopen nothing and open no new ticket before then (`docket ticket close --silence-alert 24h`: a known fault
    /// waiting on a part or a vendor). Absent when the closer silenced nothing.
    public var alertSilencedUntil: Timestamp?

    /// The longest an alert may be silenced by a close: a fault forgotten for longer is a fault nobody watches.
    public static let longestAlertSilenceMilliseconds: Int64 = 30 * 86_400_000

    /// A payload with the given fields.
    public init(resolution: String, noTimeReason: String? = nil, loggedTime: CloseTimeLog? = nil, alertSilencedUntil: Timestamp? = nil) {
        self.resolution = resolution
        self.noTimeReason = noTimeReason
        self.loggedTime = loggedTime
        self.alertSilencedUntil = alertSilencedUntil
    }

    private enum CodingKeys: String, CodingKey { case resolution, noTimeReason, loggedTime, alertSilencedUntil }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resolution = try c.decode(String.self, forKey: .resolution)
        noTimeReason = try c.decodeIfPresent(String.self, forKey: .noTimeReason)
        loggedTime = try c.decodeIfPresent(CloseTimeLog.self, forKey: .loggedTime)
        alertSilencedUntil = c.contains(.alertSilencedUntil) ? try c.decodeTimestamp(forKey: .alertSilencedUntil) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resolution, forKey: .resolution)
        try c.encodeIfPresent(noTimeReason, forKey: .noTimeReason)
        try c.encodeIfPresent(loggedTime, forKey: .loggedTime)
        if let alertSilencedUntil { try c.encode(timestamp: alertSilencedUntil, forKey: .alertSilencedUntil) }
    }
}

/// The closer's time given with a close: it ends at the close and started `minutes` before it.
public struct CloseTimeLog: Codable, Sendable, Equatable {
    /// Whole minutes, 1 to a day (checked by ``TimeEntryDecider`` when the entry is logged).
    public var minutes: Int
    /// The work type, e.g. `remote`.
    public var workType: String
    /// Whether the time is billed.
    public var billable: Bool
    /// The entry's note, if any.
    public var note: String?

    /// A log with the given fields.
    public init(minutes: Int, workType: String, billable: Bool = true, note: String? = nil) {
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.note = note
    }
}

/// `ticket.contact-set.v1`: the ticket's contact was set after it was opened — the sender of the email that opened
/// it, added to the client as a new contact in the same transaction (``SenderContactReaction``).
public struct TicketContactSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.contact-set", schemaVersion: 1,
        summary: "The ticket's contact was set (the sender of the email that opened it, added to the client as a contact).")
    /// The contact's id on the ticket's client.
    public var contact: String

    /// A payload with the given fields.
    public init(contact: String) { self.contact = contact }
}

/// `ticket.participant-added.v1`: a technician put an address on the ticket's mail thread by hand (`docket ticket cc
/// add`): it is Cc'd on the ticket's public mail and its answers to the ticket's mail land on the ticket.
public struct TicketParticipantAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.participant-added", schemaVersion: 1,
        summary: "An address was put on the ticket's mail thread by hand: Cc'd on its public mail, its answers land on the ticket.")
    /// The address, lowercased.
    public var address: String

    /// A payload with the given fields.
    public init(address: String) { self.address = address }
}

/// `ticket.participant-removed.v1`: a technician took an address off the ticket's mail thread (`docket ticket cc
/// remove`): it gets no more Cc of the ticket's mail, and its mail no longer threads onto the ticket (unless it is the
/// client's, or comes on the thread again: a Cc of the client's next mail, of a technician's next proven reply).
public struct TicketParticipantRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.participant-removed", schemaVersion: 1,
        summary: "An address was taken off the ticket's mail thread: no more Cc of its mail, its mail no longer threads onto it.")
    /// The address, lowercased.
    public var address: String

    /// A payload with the given fields.
    public init(address: String) { self.address = address }
}

/// `ticket.follow-up-sent.v1`: the ticket had waited on the client as long as the follow-up policy allows before a
/// reminder (`docket followup set --remind-after`), and `docket tick` reminded the client (the mail, `mail-follow-up`,
/// is queued in the same transaction).
public struct TicketFollowUpSent: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.follow-up-sent", schemaVersion: 1,
        summary: "The ticket waited on the client as long as the follow-up policy allows; the client was reminded.")
    /// Since when the ticket was counted as waiting (the later of the status change, the last public comment and the
    /// policy's setting).
    public var waitingSince: Timestamp
    /// When the reminder became due (`tick` may run later).
    public var dueAt: Timestamp

    /// A payload with the given fields.
    public init(waitingSince: Timestamp, dueAt: Timestamp) {
        self.waitingSince = waitingSince
        self.dueAt = dueAt
    }

    private enum CodingKeys: String, CodingKey { case waitingSince, dueAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        waitingSince = try c.decodeTimestamp(forKey: .waitingSince)
        dueAt = try c.decodeTimestamp(forKey: .dueAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timestamp: waitingSince, forKey: .waitingSince)
        try c.encode(timestamp: dueAt, forKey: .dueAt)
    }
}

/// `ticket.reopened.v1`: a closed ticket went back to in progress.
public struct TicketReopened: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.reopened", schemaVersion: 1,
        summary: "A closed ticket was reopened; its status is In progress.")
    /// Why, if given.
    public var reason: String?

    /// A payload with the given fields.
    public init(reason: String?) { self.reason = reason }
}

/// `ticket.due-date-set.v1`: a dispatcher set the date the ticket is due, or cleared it.
public struct TicketDueDateSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.due-date-set", schemaVersion: 1,
        summary: "A dispatcher set the date the ticket is due (cleared when dueAt is absent).")
    /// When the ticket is due; nil clears the due date.
    public var dueAt: Timestamp?
    /// The due date before, if one was set.
    public var previousDueAt: Timestamp?

    /// A payload with the given fields.
    public init(dueAt: Timestamp?, previousDueAt: Timestamp?) {
        self.dueAt = dueAt
        self.previousDueAt = previousDueAt
    }

    private enum CodingKeys: String, CodingKey { case dueAt, previousDueAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dueAt = c.contains(.dueAt) ? try c.decodeTimestamp(forKey: .dueAt) : nil
        previousDueAt = c.contains(.previousDueAt) ? try c.decodeTimestamp(forKey: .previousDueAt) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let dueAt { try c.encode(timestamp: dueAt, forKey: .dueAt) }
        if let previousDueAt { try c.encode(timestamp: previousDueAt, forKey: .previousDueAt) }
    }
}

extension TicketEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TicketEvent>] = [
        .init(TicketOpened.self) { .opened($0) },
        .init(TicketAssigned.self) { .assigned($0) },
        .init(TicketUnassigned.self) { .unassigned($0) },
        .init(TicketPriorityChanged.self) { .priorityChanged($0) },
        .init(TicketCategoryChanged.self) { .categoryChanged($0) },
        .init(TicketWatcherAdded.self) { .watcherAdded($0) },
        .init(TicketWatcherRemoved.self) { .watcherRemoved($0) },
        .init(TicketCommented.self) { .commented($0) },
        .init(TicketStatusChanged.self) { .statusChanged($0) },
        .init(TicketMerged.self) { .merged($0) },
        .init(TicketMergeReceived.self) { .mergeReceived($0) },
        .init(TicketClosed.self) { .closed($0) },
        .init(TicketReopened.self) { .reopened($0) },
        .init(TicketDueDateSet.self) { .dueDateSet($0) },
        .init(TicketContactSet.self) { .contactSet($0) },
        .init(TicketParticipantAdded.self) { .participantAdded($0) },
        .init(TicketParticipantRemoved.self) { .participantRemoved($0) },
        .init(TicketFollowUpSent.self) { .followUpSent($0) },
        .init(TicketLinked.self) { .linked($0) },
        .init(TicketUnlinked.self) { .unlinked($0) },
        .init(TicketSurveySent.self) { .surveySent($0) },
        .init(TicketRated.self) { .rated($0) },
    ]
}
