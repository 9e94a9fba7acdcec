import DocketTime
import Domain

/// One alerting condition as `docket alert list --json` and `GET /v1/alerts` show it: the condition, its last state
/// and its ticket; instants as RFC 3339.
public struct AlertConditionView: Encodable, Sendable, Equatable {
    /// The condition's identity at its source, and the source (`alertmanager`, `generic`).
    public let fingerprint: String
    public let source: String
    /// The client whose condition it is (empty for conditions recorded before events named the client).
    public let client: String
    /// `firing` or `resolved`: the last delivery's status.
    public let status: String
    /// The ticket its deliveries go to, that ticket's status and subject (`[check] summary`).
    public let ticket: TicketNumber
    public let ticketStatus: TicketStatus
    public let subject: String
    /// How many firing deliveries it has had.
    public let occurrences: Int
    /// Its first and last delivery, and its last resolution (absent while it fires).
    public let firstSeen: RFC3339Instant
    public let lastSeen: RFC3339Instant
    public let resolvedAt: RFC3339Instant?
    /// Until when its ticket's close silenced it (`ticket close --silence-alert`), while the ticket is closed and the
    /// silence lasts: its repeats are only noted until then. Absent otherwise.
    public let silencedUntil: RFC3339Instant?
}

extension IntakeService {
    /// The alerting conditions Docket knows, firing ones first, each group the most recently delivered first:
    /// those still firing only unless `resolvedToo`, of `client` only when given (an unknown client is `notFound`).
    /// A firing condition on a closed ticket is one a tech closed while it fired (or whose close silenced it).
    public func alertConditions(client: String? = nil, resolvedToo: Bool = false) throws -> [AlertConditionView] {
        if let client { _ = try directory.client(client) }
        let now = clock.now()
        var views: [AlertConditionView] = []
        for condition in try models.alerts.conditions(in: store) {
            let record = condition.record
            guard resolvedToo || record.status == "firing" else { continue }
            guard let summary = try models.queue.summary(record.ticket, in: store) else { continue }
            let owner = condition.client.isEmpty ? summary.client : condition.client
            if let client, owner != client { continue }
            let silencedUntil = summary.status == .closed ? try alertSilencedUntil(on: record.ticket).flatMap { $0 > now ? $0 : nil } : nil
            views.append(
                AlertConditionView(
                    fingerprint: condition.fingerprint, source: condition.source, client: owner, status: record.status,
                    ticket: record.ticket, ticketStatus: summary.status, subject: summary.subject, occurrences: record.occurrences,
                    firstSeen: RFC3339Instant(millisecondsSinceEpoch: record.firstSeen),
                    lastSeen: RFC3339Instant(millisecondsSinceEpoch: record.lastSeen),
                    resolvedAt: record.resolvedAt.map(RFC3339Instant.init(millisecondsSinceEpoch:)),
                    silencedUntil: silencedUntil.map { RFC3339Instant(millisecondsSinceEpoch: $0.millisecondsSinceEpoch) }))
        }
        return views.sorted {
            ($0.status == "firing" ? 0 : 1, -$0.lastSeen.timestamp.millisecondsSinceEpoch, $0.fingerprint)
                < ($1.status == "firing" ? 0 : 1, -$1.lastSeen.timestamp.millisecondsSinceEpoch, $1.fingerprint)
        }
    }
}
