import DocketTime

/// Monitoring alerts recorded on the ticket they opened or joined (stream `ticket-T-<n>`), beside the
/// ticket's own events.
public enum TicketAlertEvent: Sendable, Equatable {
    /// See ``TicketAlertReceived``.
    case received(TicketAlertReceived)
}

/// `ticket.alert-received.v1`: a monitoring alert (firing or resolved) was delivered for this ticket.
/// The first one opens the ticket; repeats are occurrences on it; a resolved one may close it.
public struct TicketAlertReceived: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.alert-received", schemaVersion: 1,
        summary: "A monitoring alert (firing or resolved) was delivered for this ticket; the fingerprint identifies the condition.")
    /// The stable identity of the alerting condition.
    public var fingerprint: String
    /// `alertmanager` or `generic`.
    public var source: String
    /// `firing` or `resolved`.
    public var status: String
    public var check: String
    public var device: String?
    public var severity: String
    public var summary: String
    public var description: String
    /// When the condition started, and ended, as the sender said (RFC 3339), if it said.
    public var startsAt: String?
    public var endsAt: String?
    /// The client whose condition this is (the ticket's client): a condition is a client's fingerprint, as two
    /// clients' systems may send the same id. Absent in events written before it was recorded.
    public var client: String?
    /// How many alerts the sender left out of the delivery this one came in (Alertmanager's `truncatedAlerts`, when
    /// its `max_alerts` cut the notification): conditions that opened, updated or closed no ticket. Absent when none were.
    public var truncatedAlerts: Int?

    /// A payload with the given fields.
    public init(
        fingerprint: String, source: String, status: String, check: String, device: String?, severity: String,
        summary: String, description: String, startsAt: String?, endsAt: String?, client: String? = nil,
        truncatedAlerts: Int? = nil
    ) {
        self.fingerprint = fingerprint
        self.source = source
        self.status = status
        self.check = check
        self.device = device
        self.severity = severity
        self.summary = summary
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.client = client
        self.truncatedAlerts = truncatedAlerts
    }
}

extension TicketAlertEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TicketAlertEvent>] = [
        .init(TicketAlertReceived.self) { .received($0) },
    ]
}
