import DocketTime

/// What a user asks of a ticket.
///
/// Commands that refer to other aggregates carry the snapshot the application looked up (nil when it
/// does not exist), so the decider stays pure.
public enum TicketCommand: Sendable, Equatable {
    /// Open a new ticket under the number the application allocated.
    case open(OpenTicket)
    /// Assign to `login` (or reassign). `user` is that login's snapshot, nil when no such user exists.
    case assign(to: String, user: UserSnapshot?)
    /// Remove the assignee.
    case unassign
    /// Change the priority.
    case setPriority(Priority)
    /// Change the category (free text, non-empty).
    case setCategory(String)
    /// Add a login to the watchers.
    case addWatcher(String)
    /// Remove a login from the watchers.
    case removeWatcher(String)
    /// Add a comment; `mailSubject` is the filled-in subject of the reply template a public reply was written with
    /// (``TicketCommented/mailSubject``).
    case comment(String, visibility: CommentVisibility, mailSubject: String? = nil)
    /// Record a technician's own email to the client, received on the ticket's thread, as their public reply
    /// (``TicketCommented/mailMessageId``: the client has it already).
    case replyByMail(String, messageId: String)
    /// Move to new, in progress or waiting on client. Closing goes through ``close(resolution:time:)``.
    case setStatus(TicketStatus)
    /// Merge this ticket into `into`; `target` is that ticket's current state.
    /// The application also decides ``receiveMerge(from:)`` on the target and appends both in one transaction.
    case merge(into: TicketNumber, target: TicketState)
    /// Record on the target that ticket `from` was merged into it.
    case receiveMerge(from: TicketNumber)
    /// Close with a resolution note (required). `time` is what the application found in the log about the
    /// closer's time on the ticket, and what the closer said (see ``ClosingTime``). `silencingAlertUntil`: the
    /// ticket's monitoring alert, still firing, reopens nothing before then (``TicketClosed/alertSilencedUntil``).
    case close(resolution: String, time: ClosingTime, silencingAlertUntil: Timestamp? = nil)
    /// Reopen a closed ticket; it goes back to in progress.
    case reopen(reason: String?)
    /// Set the date the ticket is due, or clear it with nil (dispatchers and admins).
    case setDueDate(Timestamp?)
    /// Put an address on the ticket's mail thread by hand (`docket ticket cc add`). `thread` is who is on it now, the
    /// support address and `users`' addresses are the MSP's own (``MailThread/isOurs(_:supportAddress:users:)``), all
    /// lowercased, as the application found them.
    case addMailParticipant(String, thread: Set<String>, supportAddress: String, users: Set<String>)
    /// Take an address off the ticket's mail thread (`docket ticket cc remove`). `thread` is who is on it now
    /// (lowercased, ``MailThread``), as the application found it.
    case removeMailParticipant(String, thread: Set<String>)
    /// Remind the client of a ticket waiting on them (the follow-up policy, `docket tick`); the ticket must be waiting.
    case remindClient(TicketFollowUpSent)
    /// Rate the resolution of the ticket's latest close (a client's contact, by the resolution mail's link or in the
    /// portal); the ticket must be closed (``Satisfaction``).
    case rate(RateResolution)
}

/// The input of ``TicketCommand/open(_:)``.
public struct OpenTicket: Sendable, Equatable {
    /// The number the application allocated.
    public var number: TicketNumber
    /// The client's code.
    public var client: String
    /// The client as the application found it; nil when there is no such client.
    public var clientSnapshot: ClientSnapshot?
    /// The contact's id, which must belong to the client.
    public var contact: String?
    /// Free-text category; blank means none.
    public var category: String?
    /// The starting priority.
    public var priority: Priority
    /// Where the ticket came from.
    public var source: TicketSource
    /// A one-line subject (required).
    public var subject: String
    /// The body; may be empty.
    public var description: String

    /// The input to open a ticket.
    public init(
        number: TicketNumber, client: String, clientSnapshot: ClientSnapshot?, contact: String? = nil,
        category: String? = nil, priority: Priority = .p3, source: TicketSource, subject: String,
        description: String = ""
    ) {
        self.number = number
        self.client = client
        self.clientSnapshot = clientSnapshot
        self.contact = contact
        self.category = category
        self.priority = priority
        self.source = source
        self.subject = subject
        self.description = description
    }
}

/// The closer's time on a ticket being closed: whoever closes a ticket accounts for their time on it.
///
/// The application fills this in from the log (the time read model) so the decider stays pure; a caller's claim
/// that time was logged is checked, never trusted.
public enum ClosingTime: Sendable, Equatable {
    /// The closer has time on the ticket: logged before, or appended in the same transaction as the close.
    case logged
    /// The closer logs this time with the close: it goes on `ticket.closed`, and the ``CloseTimeReaction`` logs it as a
    /// time entry in the same transaction.
    case logging(CloseTimeLog)
    /// The closer logged no time and says why; recorded as `noTimeReason` on `ticket.closed`.
    case none(reason: String)
    /// No person closed it: monitoring reported the condition cleared (alert auto-resolve). No time is expected.
    case automatic
    /// The closer logged no time and gave no reason: the close is refused.
    case missing
}
