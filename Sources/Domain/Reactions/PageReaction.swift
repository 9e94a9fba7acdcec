import DocketTime
import Foundation

/// Queues a page to each outbound notification channel (`docket notify add`) subscribed to an SLA event of a tick: a
/// warning (not one skipped as overtaken by its breach), a breach, an escalation (not one skipped as moot); to each
/// subscribed to `rated-bad`, a client's `bad` rating of a resolution (`ticket.rated`); and, for an
/// escalation whose rule's action is to page a channel (`{"kind": "page", "channel": "oncall"}`), to that channel,
/// whatever it is subscribed to (once, when it is subscribed to escalations too). A page is an outbox entry of reason
/// ``OutboundReason/page``: `to` names the channel, the message is the JSON body (``PageBody``) that `docket outbox send`
/// POSTs, signed, to the channel's URL. Queued in the same append as the event, as the staff mail is, so it is never
/// lost and never doubled by a retried tick.
///
/// A rule naming a channel removed since the policy was defined (the tick reads the rules frozen in the ticket's
/// `ticket.sla-started`) still queues its page, which `outbox send` cancels with the reason (`ticket show` and
/// `outbox list` show it), and the tick warns: the page is not lost without a word.
public struct PageReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        let triggered: [(trigger: NotifyTrigger, headline: String, clock: SLAClockKind?, dueAt: Timestamp?, percent: Int?, rule: String?, named: String?)] =
            input.caused.compactMap { event in
                switch event {
                case .ticket(.rated(let r)) where r.rating == .bad:
                    (.ratedBad, "the client rated the resolution bad", nil, nil, nil, nil, nil)
                case .ticketSLA(.warned(let w)) where w.skipped == nil:
                    (.slaWarned, "the \(w.clock) clock reached \(w.percent)%", w.clock, w.dueAt, w.percent, nil, nil)
                case .ticketSLA(.breached(let b)): (.slaBreached, "the \(b.clock) target was breached", b.clock, b.dueAt, nil, nil, nil)
                case .ticketSLA(.escalated(let e)) where e.skipped == nil:
                    (.escalated, "escalation rule \(e.rule) fired", nil, e.dueAt, nil, e.rule, e.action.pagedChannel)
                default: nil
                }
            }
        guard !triggered.isEmpty else { return .none }
        let channels = try state.notifyChannels().filter(\.isActive)
        guard !channels.isEmpty || triggered.contains(where: { $0.named != nil }) else { return .none }
        let (ticket, subject) = state.ticket(history: try state.ticketHistory(), caused: input.caused)
        let clientName = (try? state.client(ticket.client))?.name ?? ticket.client
        let number = input.ticket
        var ids = MessageIds(seed: input.messageSeed &+ 0x5041_4745)
        var sequence = 0
        var events: [DocketEvent] = []
        var warnings: [TimedMessage] = []
        let rating = input.caused.lazy.compactMap { if case .ticket(.rated(let r)) = $0 { r } else { nil } }.last
        for page in triggered {
            var names = channels.filter { $0.on.contains(page.trigger) }.compactMap(\.name)
            if let named = page.named, !names.contains(named) {
                names.append(named)
                if !channels.contains(where: { $0.name == named }) {
                    warnings.append(
                        "\(number): escalation rule \(page.rule ?? "") pages notification channel \(named), which was removed: "
                            + "its page is queued and `docket outbox send` cancels it; add the channel again (`docket notify add "
                            + "\(named) --url …`) or amend the SLA policy")
                }
            }
            for name in names {
                sequence += 1
                let id = "\(number).page-\(sequence).\(ids.next(padded: false))@docket"
                let body = PageBody(
                    id: id, event: page.trigger.rawValue, ticket: number.description, client: ticket.client, clientName: clientName,
                    subject: subject, priority: ticket.priority.rawValue, assignee: ticket.assignee, at: input.recordedAt.iso8601,
                    clock: page.clock?.rawValue, dueAt: page.dueAt?.iso8601, percent: page.percent, rule: page.rule, rating: rating?.rating.rawValue,
                    comment: rating?.comment)
                let kind = page.trigger == .ratedBad ? "Rating" : "SLA"
                events.append(.outbox(.queued(TicketMailQueued(
                    messageId: id, reason: .page, to: [name], subject: "[\(number)] \(kind): \(page.headline) — \(subject)", inReplyTo: nil,
                    message: try body.json()))))
            }
        }
        return ReactionOutput(events: events, warnings: warnings)
    }
}

/// What a notification channel is POSTed (`Content-Type: application/json`): one SLA event, or a bad rating, of one
/// ticket. Keys sorted, absent when they do not apply (`clock` for an escalation and a rating, `dueAt` for a rating,
/// `percent` but for a warning, `rule` but for an escalation, `rating` and `comment` but for a rating, `assignee` for an
/// unassigned ticket). docs/operations.md, "Paging on call", shows one.
public struct PageBody: Codable, Sendable, Equatable {
    /// The delivery's id, also its `Docket-Delivery` header: the same on every attempt, so a receiver dedupes on it.
    public var id: String
    /// `sla-warned`, `sla-breached`, `escalated` or `rated-bad`.
    public var event: String
    /// The ticket, e.g. `T-1042`.
    public var ticket: String
    /// The client's code.
    public var client: String
    /// The client's name.
    public var clientName: String
    /// The ticket's subject.
    public var subject: String
    /// `P1` to `P4`.
    public var priority: String
    /// Who the ticket is assigned to, if anyone.
    public var assignee: String?
    /// When the event was recorded (RFC 3339 UTC).
    public var at: String
    /// `response` or `resolution`; absent for an escalation.
    public var clock: String?
    /// When the threshold was reached: the deadline, for a breach (RFC 3339 UTC); absent for a rating.
    public var dueAt: String?
    /// The warning's percentage.
    public var percent: Int?
    /// The escalation rule's id.
    public var rule: String?
    /// A rating's `bad`.
    public var rating: String?
    /// A rating's comment, if the contact wrote one.
    public var comment: String?

    /// The body as sent: JSON, keys sorted, slashes not escaped.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
