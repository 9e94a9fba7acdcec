import DocketTime
import Domain
import EventLog

/// One close in the closed-without-time report: the closer had no time entry (not voided) on the ticket when
/// they closed it.
public struct ClosedWithoutTimeLine: Sendable, Equatable, Encodable {
    /// The ticket, e.g. `T-1042`.
    public var ticket: String
    /// The client's code.
    public var client: String
    /// When it was closed (RFC 3339, UTC).
    public var closedAt: String
    /// The closer's login (the close's actor).
    public var closedBy: String
    /// The reason the closer gave (`--no-time --reason`); nil for system closes and closes recorded before the rule.
    public var reason: String?
    /// Closed by monitoring (an alert auto-resolve), not by a person.
    public var systemClose: Bool
    /// Whether the ticket has any time entry (not voided) by anyone, as of the report.
    public var ticketHasTime: Bool

    public init(ticket: String, client: String, closedAt: String, closedBy: String, reason: String?, systemClose: Bool, ticketHasTime: Bool) {
        self.ticket = ticket
        self.client = client
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.reason = reason
        self.systemClose = systemClose
        self.ticketHasTime = ticketHasTime
    }

    private enum CodingKeys: String, CodingKey {
        case ticket, client, closedAt, closedBy, reason, systemClose, ticketHasTime
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ticket, forKey: .ticket)
        try container.encode(client, forKey: .client)
        try container.encode(closedAt, forKey: .closedAt)
        try container.encode(closedBy, forKey: .closedBy)
        try container.encode(reason, forKey: .reason)  // null rather than absent: every row has the same keys
        try container.encode(systemClose, forKey: .systemClose)
        try container.encode(ticketHasTime, forKey: .ticketHasTime)
    }
}

/// Which closes the closed-without-time report lists.
public struct ClosedWithoutTimeFilter: Sendable, Equatable {
    /// Closes recorded in the window, a wall-clock end read in the ticket's client's billing months (``ReportWindow``).
    public var window: ReportWindow
    /// Only closes by this login.
    public var tech: String?
    /// Only tickets of this client.
    public var client: String?

    public init(window: ReportWindow, tech: String? = nil, client: String? = nil) {
        self.window = window
        self.tech = tech
        self.client = client
    }

    /// Closes recorded at or after `from` and before `to`, exactly.
    public init(from: Timestamp, to: Timestamp, tech: String? = nil, client: String? = nil) {
        self.init(window: ReportWindow(from: from, to: to), tech: tech, client: client)
    }
}

/// The fold behind the report: walks the log in order, keeping each ticket's client and the number of live
/// (not voided) time entries per ticket and tech, and judges each close against the state at that position.
/// Pure over the events it is given, so the same log always gives the same report.
public struct ClosedWithoutTimeFold: Sendable {
    private var clients: [String: String] = [:]
    /// Whether the ticket's last ticket or alert event was a resolved alert: a close right after it with no
    /// reason is monitoring's auto-resolve.
    private var afterResolvedAlert: Set<String> = []
    private var entries: [String: TimeEntryState] = [:]
    private var liveEntries: [String: Int] = [:]
    /// The tickets merged into each ticket so far (by number): their time counts on it.
    private var mergedFrom: [String: [String]] = [:]
    public private(set) var lines: [ClosedWithoutTimeLine] = []
    private let filter: ClosedWithoutTimeFilter
    /// The window read in each client's billing months (`months`: by client code), and for clients without any.
    private var windows: [String: ResolvedReportWindow]
    private let otherWindow: ResolvedReportWindow

    /// The fold for `filter`, reading a wall-clock end of its window in each client's billing months from `months`.
    public init(_ filter: ClosedWithoutTimeFilter, months: [String: BillingMonths] = [:]) {
        self.filter = filter
        windows = months.mapValues { filter.window.instants(forRowsOf: $0) }
        otherWindow = filter.window.instants(forRowsIn: nil)
    }

    /// Takes the next event of the log.
    public mutating func apply(_ event: RecordedEvent) throws {
        if event.stream.hasPrefix("time-") {
            guard event.type.hasPrefix("time.") else { return }
            let decoded: TimeEvent
            do {
                decoded = try TimeEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
            } catch let error as EventDecodingError where error.reason == .unknownType {
                return
            }
            let id = String(event.stream.dropFirst("time-".count))
            let before = entries[id] ?? .none
            let after = before.applying(decoded)
            if before.exists, !before.voided { liveEntries[Self.key(before.ticket, before.tech), default: 0] -= 1 }
            if after.exists, !after.voided { liveEntries[Self.key(after.ticket, after.tech), default: 0] += 1 }
            entries[id] = after
            return
        }
        guard event.stream.hasPrefix("ticket-") else { return }
        let ticket = String(event.stream.dropFirst("ticket-".count))
        switch event.type {
        case TicketOpened.descriptor.type:
            if case .opened(let opened) = try decodeTicket(event) { clients[ticket] = opened.client }
            afterResolvedAlert.remove(ticket)
        case TicketAlertReceived.descriptor.type:
            if case .received(let alert) = try TicketAlertEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload),
                alert.status == "resolved"
            {
                afterResolvedAlert.insert(ticket)
            } else {
                afterResolvedAlert.remove(ticket)
            }
        case TicketClosed.descriptor.type:
            guard case .closed(let closed) = try decodeTicket(event) else { return }
            let system = closed.noTimeReason == nil && afterResolvedAlert.contains(ticket)
            afterResolvedAlert.remove(ticket)
            let client = clients[ticket] ?? ""
            guard (windows[client] ?? otherWindow).contains(event.recordedAt), !hasTime(on: ticket, by: event.actor) else { return }
            if let tech = filter.tech, tech != event.actor { return }
            if let code = filter.client, code != client { return }
            lines.append(
                ClosedWithoutTimeLine(
                    ticket: ticket, client: client, closedAt: event.recordedAt.iso8601, closedBy: event.actor,
                    reason: closed.noTimeReason, systemClose: system, ticketHasTime: false))
        case TicketMerged.descriptor.type:
            if case .merged(let merged) = try decodeTicket(event) { mergedFrom[merged.into.description, default: []].append(ticket) }
            afterResolvedAlert.remove(ticket)
        default:
            if TicketEvent.handles(type: event.type) { afterResolvedAlert.remove(ticket) }
        }
    }

    /// Whether `tech` has a live entry on `ticket` or on a duplicate merged into it (following merges back).
    private func hasTime(on ticket: String, by tech: String) -> Bool {
        var seen: Set<String> = [ticket]
        var next = [ticket]
        while let current = next.popLast() {
            if (liveEntries[Self.key(current, tech)] ?? 0) > 0 { return true }
            for merged in mergedFrom[current] ?? [] where seen.insert(merged).inserted { next.append(merged) }
        }
        return false
    }

    private func decodeTicket(_ event: RecordedEvent) throws -> TicketEvent {
        try TicketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
    }

    private static func key(_ ticket: String, _ tech: String) -> String { ticket + "\u{0}" + tech }
}

extension BillingService {
    /// Closes in the filter's window (a wall-clock end read in the client's billing months: its time zone now, a month
    /// already invoiced in the zone it was billed in) whose closer had no time
    /// entry (not voided) on the ticket at that moment, in log order. Folds the log from the start up to the window's
    /// latest end (time entries logged before the period count); `ticketHasTime` is read from the time read model, as
    /// of now.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func closedWithoutTimeReport(_ filter: ClosedWithoutTimeFilter) throws -> [ClosedWithoutTimeLine] {
        let months = Dictionary(
            try directory.clients().compactMap { client in try client.code.map { ($0, try billingMonths(of: client)) } },
            uniquingKeysWith: { _, last in last })
        var fold = ClosedWithoutTimeFold(filter, months: months)
        let last = try store.position(atOrBefore: filter.window.latestEnd)
        if last > 0 {
            try store.scan(through: last) { event in
                try fold.apply(event)
                return true
            }
        }
        return try fold.lines.map { line in
            var line = line
            line.ticketHasTime = try timeEntries(TimeFilter(ticket: line.ticket)).contains { !$0.voided }
            return line
        }
    }
}
