import Domain

/// A ticket as `docket ticket list|queue --json`, `ticket show --json` (its `ticket`) and the API's ticket answers
/// show it: the `TicketSummary` fields under their own names, its instants (`openedAt`, `updatedAt`, `dueDate`,
/// `sla.dueAt`) as RFC 3339 strings. Only the output changes: the queue row's stored format is its own.
public struct TicketSummaryView: Encodable, Sendable {
    public let ticket: TicketSummary

    public init(_ ticket: TicketSummary) {
        self.ticket = ticket
    }

    public func encode(to encoder: any Encoder) throws {
        typealias Key = TicketSummary.CodingKeys
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(ticket.number, forKey: .number)
        try container.encode(ticket.client, forKey: .client)
        try container.encodeIfPresent(ticket.contact, forKey: .contact)
        try container.encodeIfPresent(ticket.category, forKey: .category)
        try container.encode(ticket.priority, forKey: .priority)
        try container.encode(ticket.source, forKey: .source)
        try container.encode(ticket.subject, forKey: .subject)
        try container.encode(ticket.status, forKey: .status)
        try container.encodeIfPresent(ticket.assignee, forKey: .assignee)
        try container.encode(ticket.watchers, forKey: .watchers)
        try container.encode(RFC3339Instant(millisecondsSinceEpoch: ticket.openedAt), forKey: .openedAt)
        try container.encode(ticket.openedPosition, forKey: .openedPosition)
        try container.encode(RFC3339Instant(millisecondsSinceEpoch: ticket.updatedAt), forKey: .updatedAt)
        try container.encode(ticket.updatedPosition, forKey: .updatedPosition)
        try container.encode(ticket.publicComments, forKey: .publicComments)
        try container.encode(ticket.internalComments, forKey: .internalComments)
        try container.encodeIfPresent(ticket.resolution, forKey: .resolution)
        try container.encodeIfPresent(ticket.mergedInto, forKey: .mergedInto)
        try container.encode(ticket.mergedFrom, forKey: .mergedFrom)
        try container.encodeIfPresent(ticket.sla.map(SLA.init), forKey: .sla)
        try container.encodeIfPresent(ticket.dueDate.map(RFC3339Instant.init), forKey: .dueDate)
        try container.encode(ticket.version, forKey: .version)
    }

    /// `QueueSLA` with its due time as RFC 3339.
    struct SLA: Encodable {
        let dueAt: RFC3339Instant?
        let clock: SLAClockKind?
        let paused: Bool

        init(_ sla: QueueSLA) {
            dueAt = sla.dueAt.map(RFC3339Instant.init)
            clock = sla.clock
            paused = sla.paused
        }
    }
}
