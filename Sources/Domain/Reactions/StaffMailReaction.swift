import BusinessTime
import DocketTime

/// Queues the staff mail the SLA events of a tick announce: a warning (not skipped as overtaken by its breach) to the
/// assignee (else every dispatcher), a
/// breach to the assignee and every dispatcher, an escalation that notifies dispatchers (and was not skipped as moot)
/// to every dispatcher. Staff mail goes to people: service accounts (``UserKind/service``: intake, the scheduler),
/// users without an email address, and deactivated users get none; a warning whose assignee cannot get it goes to the
/// dispatchers, as for an unassigned ticket, instead of to nobody. Bodies
/// are the mail templates in force (``MailTemplate``). `{{sla.due}}` is written in each recipient's own time zone
/// (`docket user time-zone`), else in UTC, as a person reads it (``StaffMailReaction/dueText(_:zone:)``).
public struct StaffMailReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        let notices: [(MailTemplate, OutboundReason, headline: String, values: [String: String], due: Timestamp, toAssignee: Bool, toDispatchers: Bool)] =
            input.caused.compactMap { event in
                switch event {
                case .ticketSLA(.warned(let w)) where w.skipped == nil:
                    (.slaWarning, .slaWarning, "the \(w.clock) clock reached \(w.percent)%", ["sla.clock": "\(w.clock)", "sla.percent": "\(w.percent)"], w.dueAt, true, false)
                case .ticketSLA(.breached(let b)):
                    (.slaBreach, .slaBreach, "the \(b.clock) target was breached", ["sla.clock": "\(b.clock)"], b.dueAt, true, true)
                case .ticketSLA(.escalated(let e)) where e.action == .notifyDispatchers && e.skipped == nil:
                    (.slaEscalation, .escalation, "escalation rule \(e.rule) fired", ["sla.rule": e.rule], e.dueAt, false, true)
                default: nil
                }
            }
        guard !notices.isEmpty else { return .none }
        let dispatchers = try state.users().filter { $0.role == .dispatcher && $0.isActive && $0.kind == .person }.compactMap(\.login)
        let (ticket, subject) = state.ticket(history: try state.ticketHistory(), caused: input.caused)
        let clientName = (try? state.client(ticket.client))?.name ?? ticket.client
        let number = input.ticket
        var ids = MessageIds(seed: input.messageSeed)
        var sequence = 0
        var events: [DocketEvent] = []
        func reachable(_ login: String) -> UserState? {
            guard let user = try? state.user(login), user.isActive, user.kind == .person, user.email.contains("@") else { return nil }
            return user
        }
        let assignee = ticket.assignee.flatMap { reachable($0) == nil ? nil : $0 }
        for notice in notices {
            // A warning no assignee can get goes to the dispatchers instead.
            let toAssignee = notice.toAssignee ? assignee.map { [$0] } ?? [] : []
            let recipients = toAssignee + (notice.toDispatchers || (notice.toAssignee && assignee == nil) ? dispatchers : [])
            let stored = try state.storedTemplate(notice.0.name)
            for login in Set(recipients).sorted() {
                guard let user = reachable(login) else { continue }
                sequence += 1
                let messageId = "\(number).sla-\(sequence).\(ids.next(padded: false))@docket"
                let fullSubject = "[\(number)] SLA: \(notice.headline) — \(subject)"
                var values = notice.values
                values.merge([
                    "sla.due": Self.dueText(notice.due, zone: user.timeZone),
                    "ticket.number": number.description, "ticket.subject": subject, "client.name": clientName, "recipient.name": user.name,
                    "greeting": "Hello" + (user.name.isEmpty ? "" : " " + user.name),
                ]) { $1 }
                let message = OutboundMessage(
                    from: input.supportAddress, to: user.email, toName: user.name, subject: fullSubject, date: input.context.now,
                    messageId: messageId, inReplyTo: nil, isAutomatic: true, ticket: number.description,
                    body: try notice.0.render(stored: stored, values: values))
                events.append(.outbox(.queued(TicketMailQueued(
                    messageId: messageId, reason: notice.1, to: [user.email], subject: fullSubject, inReplyTo: nil, message: message.rendered))))
            }
        }
        return ReactionOutput(events: events)
    }
}

extension StaffMailReaction {
    /// `2026-12-07 10:00 America/New_York (UTC-05:00)`: `instant` on the wall clock of the IANA `zone` (a recipient's own
    /// zone), seconds only when not zero; `2026-12-07 15:00 UTC` without a zone Docket knows. The notices said
    /// `2026-12-07T15:00:00.000Z`, which an on-call tech in New York had to convert at 3 a.m.
    public static func dueText(_ instant: Timestamp, zone identifier: String?) -> String {
        let zone = identifier.flatMap(WallTimeZone.init) ?? .utc
        let iso = zone.reading(at: instant).iso8601
        let seconds = iso.dropFirst(17).prefix(2)
        let clock = iso.prefix(10) + " " + (seconds == "00" ? iso.dropFirst(11).prefix(5) : iso.dropFirst(11).prefix(8))
        let offset = zone.offsetSeconds(at: instant)
        guard zone.identifier != WallTimeZone.utc.identifier, let name = identifier else { return clock + " UTC" }
        let minutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        let hours = String(minutes / 60), rest = String(minutes % 60)
        return clock + " \(name) (UTC\(sign)\(hours.count < 2 ? "0" + hours : hours):\(rest.count < 2 ? "0" + rest : rest))"
    }
}
