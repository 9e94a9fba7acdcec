/// Outbound email: queued on the ticket it is about (stream `ticket-T-<n>`), then delivered or not, attempt by
/// attempt, on its own stream (`mail-<Message-ID>`).
public enum OutboxEvent: Sendable, Equatable {
    /// See ``TicketMailQueued``.
    case queued(TicketMailQueued)
    /// See ``MailSent``.
    case sent(MailSent)
    /// See ``MailSendFailed``.
    case sendFailed(MailSendFailed)
    /// See ``TicketMailBounced``.
    case bounced(TicketMailBounced)
    /// See ``MailCancelled``.
    case cancelled(MailCancelled)
    /// See ``MailRequeued``.
    case requeued(MailRequeued)
}

/// Why Docket writes to a client.
public enum OutboundReason: String, Codable, Sendable, CaseIterable {
    /// The ticket was opened: we have it.
    case acknowledgement
    /// A technician replied publicly.
    case reply
    /// The ticket was closed: what fixed it.
    case resolution
    /// To the assignee: an SLA clock reached a warning threshold.
    case slaWarning = "sla-warning"
    /// To the assignee and the dispatchers: an SLA clock breached.
    case slaBreach = "sla-breach"
    /// To the dispatchers: an escalation rule fired.
    case escalation
    /// To a client's contact: a one-time portal sign-in link (queued on the contact's `portal-<id>` stream, no ticket).
    case signIn = "sign-in"
    /// To the requester of a ticket merged into another: their request goes on there.
    case mergeNotice = "merge-notice"
    /// To the client of a ticket waiting on them as long as the follow-up policy allows: a reminder.
    case followUp = "follow-up"
    /// To an outbound notification channel (`docket notify add`): an SLA event it is subscribed to, as a signed JSON
    /// POST (``PageReaction``); `to` names the channel, the message is the JSON body.
    case page
}

/// `ticket.mail-queued.v1`: a complete RFC 5322 message to the client was queued for delivery.
public struct TicketMailQueued: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.mail-queued", schemaVersion: 1,
        summary: "An email to the client (acknowledgement, reply or resolution) was queued; the event holds the whole message.")
    /// Our Message-ID, without angle brackets, e.g. `T-1042.2.5f3a9c1e@docket`.
    public var messageId: String
    /// `acknowledgement`, `reply` or `resolution`.
    public var reason: OutboundReason
    /// The recipients' addresses: To, then those on Cc.
    public var to: [String]
    /// Those of ``to`` on Cc (the ticket's mail thread, the requesters of tickets merged into it); absent when none,
    /// and in events written before it was recorded (2026-12-07: those named their Cc only in `to` and the message).
    public var cc: [String]?
    /// The Subject as written (before any RFC 2047 encoding).
    public var subject: String
    /// The client's message this answers (without angle brackets), if any.
    public var inReplyTo: String?
    /// The whole message, headers and body, with CRLF line ends.
    public var message: String

    /// A payload with the given fields.
    public init(
        messageId: String, reason: OutboundReason, to: [String], subject: String, inReplyTo: String?, message: String, cc: [String]? = nil
    ) {
        self.messageId = messageId
        self.reason = reason
        self.to = to
        self.cc = cc
        self.subject = subject
        self.inReplyTo = inReplyTo
        self.message = message
    }
}

/// `mail.sent.v1`: the mail transport accepted a queued message.
public struct MailSent: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "mail", type: "mail.sent", schemaVersion: 1,
        summary: "The mail transport (sendmail) accepted a queued message; it is never sent again.")
    /// The message's Message-ID, without angle brackets.
    public var messageId: String
    /// Which delivery attempt this was, from 1.
    public var attempt: Int
    /// The transport, e.g. `sendmail /usr/sbin/sendmail`.
    public var transport: String

    /// A payload with the given fields.
    public init(messageId: String, attempt: Int, transport: String) {
        self.messageId = messageId
        self.attempt = attempt
        self.transport = transport
    }
}

/// `mail.send-failed.v1`: one delivery attempt failed; the message stays queued for the next run.
public struct MailSendFailed: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "mail", type: "mail.send-failed", schemaVersion: 1,
        summary: "A delivery attempt of a queued message failed; it stays queued and is retried.")
    /// The message's Message-ID, without angle brackets.
    public var messageId: String
    /// Which delivery attempt this was, from 1.
    public var attempt: Int
    /// The transport, e.g. `sendmail /usr/sbin/sendmail`.
    public var transport: String
    /// The transport's exit status, if it ran.
    public var exitStatus: Int?
    /// The first line the transport wrote to stderr, or why it could not run.
    public var error: String
    /// True when the receiver refused it for good (an HTTP 4xx other than 408 and 429 from a notification channel):
    /// it is undeliverable at once, not retried. Absent otherwise.
    public var final: Bool?

    /// A payload with the given fields.
    public init(messageId: String, attempt: Int, transport: String, exitStatus: Int?, error: String, final: Bool? = nil) {
        self.messageId = messageId
        self.attempt = attempt
        self.transport = transport
        self.exitStatus = exitStatus
        self.error = error
        self.final = final
    }
}

/// `ticket.mail-bounced.v1`: a report from a mail system (a bounce, a feedback report) came back about one of our
/// queued messages; recorded on the ticket, in the same append as the report's `ticket.mail-received` (kind `bounce`).
public struct TicketMailBounced: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.mail-bounced", schemaVersion: 1,
        summary: "A bounce or other mail-system report came back about one of our queued messages; the message is marked bounced.")
    /// Our message the report is about, without angle brackets.
    public var messageId: String
    /// The report's own identity (its Message-ID, or `sha256-…@docket.invalid`), as in its `ticket.mail-received`.
    public var reportMessageId: String
    /// The classifier rule that made the report a bounce, e.g. `delivery-status-report` (see docs/mail-parser.md).
    public var rule: String

    /// A payload with the given fields.
    public init(messageId: String, reportMessageId: String, rule: String) {
        self.messageId = messageId
        self.reportMessageId = reportMessageId
        self.rule = rule
    }
}

/// `mail.cancelled.v1`: `docket outbox send` did not send a queued message and never will: its recipient may no
/// longer be mailed (the ticket's contact was removed from the client after it was queued).
public struct MailCancelled: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "mail", type: "mail.cancelled", schemaVersion: 1,
        summary: "A queued message was not sent and never will be: its recipient may no longer be mailed; the reason says why.")
    /// The message's Message-ID, without angle brackets.
    public var messageId: String
    /// Why, for people: e.g. `contact acme-1 was removed from client acme`.
    public var reason: String

    /// A payload with the given fields.
    public init(messageId: String, reason: String) {
        self.messageId = messageId
        self.reason = reason
    }
}

/// `mail.requeued.v1`: an admin asked for an undeliverable message to be tried again (`docket outbox retry`): it is
/// queued again, with a fresh set of attempts (the count so far is kept in the event).
public struct MailRequeued: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "mail", type: "mail.requeued", schemaVersion: 1,
        summary: "An undeliverable message was queued again by an admin (outbox retry); it gets a fresh set of attempts.")
    /// The message's Message-ID, without angle brackets.
    public var messageId: String
    /// The failed attempts it had when it was queued again.
    public var attemptsBefore: Int

    /// A payload with the given fields.
    public init(messageId: String, attemptsBefore: Int) {
        self.messageId = messageId
        self.attemptsBefore = attemptsBefore
    }
}

extension OutboxEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<OutboxEvent>] = [
        .init(TicketMailQueued.self) { .queued($0) },
        .init(MailSent.self) { .sent($0) },
        .init(MailSendFailed.self) { .sendFailed($0) },
        .init(TicketMailBounced.self) { .bounced($0) },
        .init(MailCancelled.self) { .cancelled($0) },
        .init(MailRequeued.self) { .requeued($0) },
    ]
}
