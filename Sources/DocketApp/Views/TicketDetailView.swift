import DocketTime
import Domain

/// `docket ticket show --json` and `GET /v1/tickets/{number}`: the ticket, its SLA clocks at `now`, and its whole
/// history, one line per event (the CLI and the server answer with this one shape).
public struct TicketDetailView: Encodable, Sendable {
    /// One event of the ticket's stream.
    public struct Entry: Encodable, Sendable {
        public let position: UInt64
        public let recordedAt: String
        public let actor: String
        public let type: String
        public let change: String
    }
    /// A message queued on the ticket that will not reach its recipient (``OutboxService/undelivered(on:)``).
    public struct UndeliveredMail: Encodable, Sendable {
        public let messageId: String
        public let reason: String
        public let to: [String]
        /// `undeliverable` (given up after its failed attempts; `docket outbox retry` queues it again) or `cancelled`.
        public let status: String
        public let attempts: Int
        /// The last failure, or why it was cancelled.
        public let error: String?
        public let lastAttemptAt: String?

        /// The view of `entry`.
        public init(_ entry: OutboxEntry) {
            messageId = entry.messageId
            reason = entry.reason.rawValue
            to = entry.to
            status = entry.status.rawValue
            attempts = entry.attempts
            error = entry.status == .cancelled ? entry.cancelReason : entry.lastError
            lastAttemptAt = entry.lastAttemptAt.map { Timestamp(millisecondsSinceEpoch: $0).iso8601 }
        }
    }
    /// When the follow-up policy will remind the client and close the ticket (``TicketService/followUp(of:history:)``).
    public struct FollowUp: Encodable, Sendable {
        /// The instant the wait is counted from.
        public let waitingSince: String
        /// When the client is (or was) to be reminded; absent when the policy sends no reminder.
        public let remindAt: String?
        /// When the reminder of this wait was sent; absent until it is.
        public let remindedAt: String?
        /// When the ticket is to be closed for waiting; absent when the policy never closes.
        public let closeAt: String?
        /// Whether the policy is the client's own (`followup set --client`), else the store's.
        public let clientsOwnPolicy: Bool

        /// The view of `followUp`.
        public init(_ followUp: TicketFollowUp) {
            waitingSince = followUp.plan.waitingSince.iso8601
            remindAt = followUp.plan.remindAt?.iso8601
            remindedAt = followUp.plan.remindedAt?.iso8601
            closeAt = followUp.plan.closeAt?.iso8601
            clientsOwnPolicy = followUp.client != nil
        }
    }
    public let ticket: TicketSummaryView
    /// The ticket's version (its stream's: one more with every event on it), to pass as `--expect-version` or `If-Match`
    /// so that a change is made only if nobody changed the ticket since.
    public let version: UInt64
    public let sla: SLAView?
    public let history: [Entry]
    /// Its mail that will not arrive; empty when all is well.
    public let undeliveredMail: [UndeliveredMail]
    /// The addresses on its mail thread (``IntakeService/mailThread(_:)``): who may answer its mail by Message-ID and
    /// land on it, besides any other address of the client's contacts and domains.
    public let mailThread: [String]
    /// What the follow-up policy will do while it waits on the client; absent when it does not wait or none applies.
    public let followUp: FollowUp?
    /// Its client's staff note (`docket client update --staff-note`), for staff only; absent when none.
    public let clientStaffNote: String?
    /// The ticket it is linked under (`docket ticket link`), whose close closes it; absent when none.
    public let parent: String?
    /// The tickets linked under it, in the order they were linked; absent when none.
    public let children: [String]?
    /// The client's rating of the latest close that has one (a later rating of a close replaces an earlier one); nil
    /// when none was rated.
    public let satisfaction: SatisfactionView?

    /// The view of `ticket`, its SLA `clock` (from the sla read model) as it stands at `now`, its `history`, its
    /// `undelivered` mail, the addresses on its `mailThread`, its `followUp` and its client's staff note.
    public init(
        ticket: TicketSummary, clock: SLAClock?, history: [(event: RecordedEvent, change: TicketChange)], now: Timestamp,
        undelivered: [OutboxEntry] = [], mailThread: [String] = [], followUp: TicketFollowUp? = nil, clientStaffNote: String? = nil
    ) {
        self.clientStaffNote = clientStaffNote
        self.ticket = TicketSummaryView(ticket)
        self.followUp = followUp.map(FollowUp.init)
        let links = Self.links(history.map(\.change))
        parent = links.parent?.description
        children = links.children.isEmpty ? nil : links.children.map(\.description)
        self.mailThread = mailThread
        satisfaction = SatisfactionView.latest(in: history)
        version = history.last?.event.streamVersion ?? 0
        undeliveredMail = undelivered.map(UndeliveredMail.init)
        sla = clock.map { SLAView($0.status(at: now)) }
        self.history = history.map { recorded, change in
            Entry(
                position: recorded.position, recordedAt: recorded.recordedAt.iso8601, actor: recorded.actor,
                type: "\(recorded.type).v\(recorded.schemaVersion)", change: HistoryText.describe(change))
        }
    }
}

extension TicketDetailView {
    /// The ticket's parent and children as its history leaves them (``TicketLinked``, ``TicketUnlinked``).
    public static func links(_ history: [TicketChange]) -> (parent: TicketNumber?, children: [TicketNumber]) {
        var state = TicketState()
        for case .ticket(let event) in history { state = TicketDecider.evolve(state, event) }
        return (state.parent, state.children)
    }
}

/// A client's rating of a ticket's resolution, as `ticket show` gives it.
public struct SatisfactionView: Encodable, Sendable, Equatable {
    /// `good`, `okay` or `bad`.
    public let rating: String
    /// What the contact wrote; nil when nothing.
    public let comment: String?
    /// The contact who rated.
    public let contact: String
    /// Which close of the ticket it rates (1 for the first).
    public let close: Int
    /// When it was rated (RFC 3339 UTC).
    public let ratedAt: String
    /// When it was rated, for people's clocks.
    public let at: Timestamp

    private enum CodingKeys: String, CodingKey { case rating, comment, contact, close, ratedAt }

    /// The rating in force of the latest rated close in a ticket's `history`: the last `ticket.rated` of that close.
    public static func latest(in history: [(event: RecordedEvent, change: TicketChange)]) -> SatisfactionView? {
        var found: SatisfactionView?
        for (recorded, change) in history {
            guard case .ticket(.rated(let r)) = change, r.close >= (found?.close ?? 0) else { continue }
            found = SatisfactionView(
                rating: r.rating.rawValue, comment: r.comment, contact: r.contact, close: r.close, ratedAt: recorded.recordedAt.iso8601,
                at: recorded.recordedAt)
        }
        return found
    }

    /// `comment` on one line, quoted, at most 200 characters (`ticket show`'s history; `--json` has it whole).
    public static func quoted(_ comment: String) -> String {
        let line = comment.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\"" + (line.count > 200 ? line.prefix(199) + "…" : line) + "\""
    }
}

/// One line per ticket event, for people.
public enum HistoryText {
    /// One line for `change`, its instants written by `time` (RFC 3339 UTC unless given).
    public static func describe(_ change: TicketChange, time: (Timestamp) -> String = \.iso8601) -> String {
        switch change {
        case .ticket(let event): describe(event, time: time)
        case .alert(.received(let alert)):
            "alert \(alert.status): \(alert.check)\(alert.device.map { " on \($0)" } ?? "") — \(alert.summary) (\(alert.source) \(alert.fingerprint))"
                + (alert.truncatedAlerts.map { "; its delivery left \($0) more alert\($0 == 1 ? "" : "s") out (truncatedAlerts)" } ?? "")
        case .mail(.received(let mail)):
            "mail \(mail.kind) from \(mail.from): \(mail.subject) (\(mail.messageId))\(mail.attachments.isEmpty ? "" : ", \(mail.attachments.count) attachment(s)")"
        case .attachment(.added(let file)): "attachment \(file.name.isEmpty ? "(no name)" : file.name) (\(file.contentType), \(file.size) bytes, sha256 \(file.sha256))"
        case .outbox(.queued(let mail)):
            "mail queued (\(mail.reason.rawValue)) to \(OutboxRecipients.text(to: mail.to, cc: mail.cc)): \(mail.subject) (\(mail.messageId))"
        case .outbox(.sent(let sent)): "mail \(sent.messageId) sent"
        case .outbox(.sendFailed(let failed)): "mail \(failed.messageId) not sent: \(failed.error)"
        case .outbox(.bounced(let bounced)): "mail \(bounced.messageId) bounced: report \(bounced.reportMessageId) (\(bounced.rule))"
        case .outbox(.cancelled(let cancelled)): "mail \(cancelled.messageId) cancelled: \(cancelled.reason)"
        case .outbox(.requeued(let requeued)): "mail \(requeued.messageId) queued again after \(requeued.attemptsBefore) failed attempts"
        case .sla(let event): describe(event, time: time)
        case .other(let type): type
        }
    }

    /// The priorities of `started` that count time with a calendar of their own, to follow the policy's calendar in a
    /// line of text (` (P1 on calendar 24x7 (amendment 0))`); empty when none does.
    public static func priorityCalendars(_ started: TicketSLAStarted) -> String {
        let own = Priority.allCases.compactMap { priority in
            started.calendars[priority].map { "\(priority) on calendar \($0.calendarId) (amendment \($0.calendarAmendment))" }
        }
        return own.isEmpty ? "" : " (\(own.joined(separator: ", ")))"
    }

    public static func describe(_ event: TicketSLAEvent, time: (Timestamp) -> String = \.iso8601) -> String {
        switch event {
        case .started(let e):
            "SLA started: policy \(e.policy) (amendment \(e.policyAmendment)) on calendar \(e.calendarId) (amendment \(e.calendarAmendment))\(priorityCalendars(e)), \(e.priority)"
        case .warned(let e):
            "SLA warning: \(e.clock) reached \(e.percent)% at \(time(e.dueAt))"
                + (e.skipped.map { reason in
                    let why = e.breachedAt.map { "\(reason) at \(time($0)), before the tick that recorded this warning ran" }
                    return " (not sent: \(why ?? instantsWritten(in: reason, time: time)))"
                } ?? "")
        case .breached(let e): "SLA breached: \(e.clock) due \(time(e.dueAt))"
        case .escalated(let e):
            "escalated by rule \(e.rule) at \(time(e.dueAt)): \(e.action)"
                + (e.skipped.map { reason in
                    let why = e.mootAt.map { "\(reason) at \(time($0)), after the rule was due" }
                    return " (not carried out: \(why ?? instantsWritten(in: reason, time: time)))"
                } ?? "")
        }
    }

    /// `text` (a reason Docket wrote into an event) with each RFC 3339 UTC instant in it written by `time`: events
    /// recorded before their instants were kept apart from their text named them so, among times in the reader's zone.
    public static func instantsWritten(in text: String, time: (Timestamp) -> String) -> String {
        text.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/) { match in
            Timestamp(iso8601: String(match.output.0)).map(time) ?? String(match.output.0)
        }
    }

    /// One line for `event`, its instants (a due date) written by `time` (RFC 3339 UTC unless given).
    public static func describe(_ event: TicketEvent, time: (Timestamp) -> String = \.iso8601) -> String {
        switch event {
        case .opened(let e):
            "opened for \(e.client) via \(e.source), \(e.priority): \(e.subject)" + (e.description.isEmpty ? "" : " — \(e.description)")
        case .assigned(let e):
            (e.previousAssignee.map { "reassigned from \($0) to \(e.assignee)" } ?? "assigned to \(e.assignee)")
                + (e.routingRule.map { " by routing rule \($0)" } ?? e.escalationRule.map { " by escalation rule \($0)" } ?? "")
        case .unassigned(let e): "unassigned from \(e.previousAssignee)"
        case .priorityChanged(let e): "priority \(e.previousPriority) → \(e.priority)"
        case .categoryChanged(let e): "category \(e.previousCategory ?? "—") → \(e.category)"
        case .watcherAdded(let e): "\(e.login) watches"
        case .watcherRemoved(let e): "\(e.login) stopped watching"
        case .commented(let e):
            "\(e.visibility == .public ? "public reply" : "internal note")\(e.mailMessageId.map { " by email (\($0))" } ?? ""): \(e.text)"
        case .statusChanged(let e): "status \(e.previousStatus.displayName) → \(e.status.displayName)"
        case .merged(let e): "merged into \(e.into)"
        case .mergeReceived(let e): "\(e.from) merged into this ticket"
        case .closed(let e):
            // Alert intake's resolution named the instant the alert cleared in RFC 3339 UTC before it wrote it in the
            // client's zone: such an old one is written as the other times are.
            "closed: \(e.resolution.hasPrefix("Auto-resolved: ") ? instantsWritten(in: e.resolution, time: time) : e.resolution)"
                + (e.noTimeReason.map { " (no time logged: \($0))" } ?? "")
                + (e.alertSilencedUntil.map { " (its alert silenced until \(time($0)))" } ?? "")
        case .reopened(let e): "reopened" + (e.reason.map { ": \($0)" } ?? "")
        case .dueDateSet(let e): e.dueAt.map { "due \(time($0))" } ?? "due date cleared"
        case .contactSet(let e): "contact \(e.contact) (the sender, added to the client)"
        case .participantAdded(let e): "\(e.address) put on the mail thread (Cc of its public mail; may answer on it)"
        case .participantRemoved(let e): "\(e.address) taken off the mail thread (no more Cc; its mail no longer lands here)"
        case .followUpSent(let e): "client reminded: waiting on them since \(time(e.waitingSince)) (follow-up policy)"
        case .linked(let e): "\(e.child) linked under \(e.parent) (closed with it)"
        case .unlinked(let e): "\(e.child) taken out from under \(e.parent)"
        case .surveySent(let e): "rating links sent to contact \(e.contact) with the resolution (close \(e.close); they work until \(time(e.expiresAt)))"
        case .rated(let e):
            "rated \(e.rating.rawValue) by contact \(e.contact) (close \(e.close))" + (e.comment.map { ": \(SatisfactionView.quoted($0))" } ?? "")
        }
    }
}
