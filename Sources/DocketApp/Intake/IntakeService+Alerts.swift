import AlertIntake
import DocketTime
import Domain
import EventLog

/// What intake did with one alert.
public enum AlertOutcome: Sendable, Equatable {
    /// A firing alert with no open ticket opened this one.
    case opened(TicketNumber)
    /// A repeat of a firing alert was added to its open ticket.
    case occurrence(TicketNumber)
    /// A firing alert that resolved a short while ago (flapping) reopened its ticket.
    case reopened(TicketNumber)
    /// A resolved alert was noted on its ticket and closed it as auto-resolved.
    case autoResolved(TicketNumber)
    /// A resolved alert was noted on its ticket (already closed, or auto-close is off).
    case noted(TicketNumber)
    /// A resolved alert for a condition Docket never saw: counted and dropped, nothing written.
    case dropped
}

/// How alert intake behaves.
public struct AlertPolicy: Sendable {
    /// The client for alerts that name none, or name one Docket does not know; nil refuses them.
    public var defaultClient: String?
    /// A firing alert within this long after its resolution reopens the same ticket (flapping).
    public var flapWindowMilliseconds: Int64 = 24 * 3_600_000
    /// Close a ticket when its alert resolves (auto-resolved, no billable time).
    public var autoClose = true

    public init(defaultClient: String? = nil) { self.defaultClient = defaultClient }

    /// The priority for a sender's severity.
    public static func priority(for severity: String) -> Priority {
        switch severity {
        case "critical", "fatal", "emergency", "disaster": .p1
        case "high", "error", "major": .p2
        case "warning", "average", "minor": .p3
        default: .p4
        }
    }
}

extension IntakeService {
    /// Takes one delivery of alerts: each alert is decided by its own status and fingerprint.
    public func receiveAlerts(_ batch: AlertBatch, policy: AlertPolicy, as actor: String) throws -> [AlertOutcome] {
        try batch.alerts.map { try receive($0, policy: policy, as: actor) }
    }

    private func receive(_ alert: MonitoringAlert, policy: AlertPolicy, as actor: String) throws -> AlertOutcome {
        let record = try models.alerts.record(source: alert.source, fingerprint: alert.fingerprint, in: store)
        let received = NewEvent(type: TicketAlertReceived.descriptor.type, payload: TicketAlertEvent.received(payload(of: alert)).payload())
        let now = clock.now()
        guard let record else {
            guard alert.status == .firing else { return .dropped }
            return .opened(try openTicket(for: alert, policy: policy, as: actor, event: received))
        }
        let summary = try tickets.ticketSummary(record.ticket)
        let stream = StreamName.ticket(record.ticket)
        switch alert.status {
        case .firing where summary.isOpen:
            try appendToTicket(stream, [received], as: actor)
            return .occurrence(record.ticket)
        case .firing:
            let resolvedAt = record.resolvedAt ?? summary.updatedAt
            guard summary.mergedInto == nil, now.millisecondsSinceEpoch - resolvedAt <= policy.flapWindowMilliseconds else {
                return .opened(try openTicket(for: alert, policy: policy, as: actor, event: received, previous: record.ticket))
            }
            try tickets.ticket(record.ticket, .reopen(reason: "alert \(alert.check) fired again (flapping)"), as: actor)
            try appendToTicket(stream, [received], as: actor)
            return .reopened(record.ticket)
        case .resolved:
            try appendToTicket(stream, [received], as: actor)
            guard policy.autoClose, summary.isOpen else { return .noted(record.ticket) }
            let when = alert.endsAt?.iso8601 ?? now.iso8601
            try tickets.closeAutoResolved(record.ticket, resolution: "Auto-resolved: \(alert.check)\(alert.device.map { " on \($0)" } ?? "") cleared at \(when); no billable time.", as: actor)
            return .autoResolved(record.ticket)
        }
    }

    private func openTicket(
        for alert: MonitoringAlert, policy: AlertPolicy, as actor: String, event: NewEvent, previous: TicketNumber? = nil
    ) throws -> TicketNumber {
        var client = alert.client.flatMap { (try? directory.client($0))?.code ?? nil }
        if client == nil { client = policy.defaultClient }
        guard let client else {
            throw DomainError(
                .notFound,
                "alert \(alert.check) (\(alert.fingerprint)) names no known client\(alert.client.map { " (\"\($0)\")" } ?? ""); add the client or pass --default-client CODE")
        }
        var description = alert.description
        if let previous { description += (description.isEmpty ? "" : "\n") + "Fired again after \(previous) was resolved." }
        var intake = TicketIntake(
            client: client, priority: AlertPolicy.priority(for: alert.severity), source: .alert,
            subject: "[\(alert.check)] \(alert.summary)".trimmingCharacters(in: .whitespaces), description: description)
        let routing = try routeNewTicket(&intake, alertLabels: alert.labels, severity: alert.severity)
        return try tickets.openTicket(intake, as: actor, routing: routing, also: { _ in [event] })
    }

    private func appendToTicket(_ stream: String, _ events: [NewEvent], as actor: String) throws {
        let context = try context(for: actor)
        try store.append(AppendRequest(stream: stream, events: events, actor: context.actor.login))
    }

    private func payload(of alert: MonitoringAlert) -> TicketAlertReceived {
        TicketAlertReceived(
            fingerprint: alert.fingerprint, source: alert.source, status: alert.status.rawValue, check: alert.check,
            device: alert.device, severity: alert.severity, summary: alert.summary, description: alert.description,
            startsAt: alert.startsAt?.iso8601, endsAt: alert.endsAt?.iso8601)
    }
}
