import Domain

/// The `--json` shape of one clock's status.
public struct SLATimerView: Encodable, Sendable {
    /// Breached when any target of the clock was used up, before a priority change or since.
    public let state: String
    /// The state against the current target alone.
    public let targetState: String
    /// When the current target was set (the start, or the last priority change while unmet).
    public let targetSince: String
    /// When a target before a priority change was used up, if one was.
    public let earlierBreachAt: String?
    public let targetMinutes: Int64
    public let usedMinutes: Int64
    public let remainingMinutes: Int64
    public let dueAt: String?
    public let metAt: String?
    public let intervals: [Interval]

    public struct Interval: Encodable, Sendable {
        public let start: String
        public let end: String?
        public let mode: String
        public let reason: String
        public let businessMinutes: Int64?
    }

    public init(_ status: SLATimerStatus) {
        state = status.state.rawValue
        targetState = status.targetState.rawValue
        targetSince = status.targetSince.iso8601
        earlierBreachAt = status.earlierBreachAt?.iso8601
        targetMinutes = status.targetSeconds / 60
        usedMinutes = status.usedSeconds / 60
        remainingMinutes = status.remainingSeconds / 60
        dueAt = status.dueAt?.iso8601
        metAt = status.metAt?.iso8601
        intervals = status.intervals.map {
            Interval(start: $0.start.iso8601, end: $0.end?.iso8601, mode: "\($0.mode)", reason: $0.reason, businessMinutes: $0.countedMilliseconds.map { $0 / 60_000 })
        }
    }
}

/// The `--json` shape of a ticket's SLA.
public struct SLAView: Encodable, Sendable {
    public let priority: String
    public let response: SLATimerView
    public let resolution: SLATimerView
    public let dueAt: String?

    public init(_ status: SLAStatus) {
        priority = status.priority.rawValue
        response = SLATimerView(status.response)
        resolution = SLATimerView(status.resolution)
        dueAt = status.dueAt?.iso8601
    }
}

/// The `--json` shape of one row of `docket sla` (and `GET /v1/sla`): an open ticket and its clocks.
public struct SLAClockRow: Encodable, Sendable {
    public let ticket: String
    public let client: String
    public let assignee: String?
    /// The worst state of the two clocks (``overall(_:)``).
    public let state: String
    public let sla: SLAView

    /// The worst state of the two clocks, for one-word summaries.
    public static func overall(_ status: SLAStatus) -> SLAState {
        let order: [SLAState] = [.breached, .atRisk, .onTrack, .paused, .met]
        return order.first { $0 == status.response.state || $0 == status.resolution.state } ?? .met
    }

    /// Open tickets with an SLA, soonest due first, at most `limit`: only `client`'s when given; with `atRisk`, only
    /// those with a clock at risk, with `breached`, only those with a clock breached, with both, those with either
    /// (whatever the other clock's state); each row with its clocks' status at the application's now.
    @available(*, noasync, message: "reads the store")
    public static func open(in app: DocketApplication, limit: Int, client: String?, atRisk: Bool, breached: Bool) throws
        -> [(row: SLAClockRow, status: SLAStatus)]
    {
        let now = try app.now()
        var statuses: [TicketNumber: SLAStatus] = [:]
        let rows = try app.sla.openClocks(limit: limit) { row in
            guard let clock = row.clock, client == nil || row.client == client else { return false }
            let status = clock.status(at: now)
            let states = [status.response.state, status.resolution.state]
            if atRisk || breached {
                guard (atRisk && states.contains(.atRisk)) || (breached && states.contains(.breached)) else { return false }
            }
            statuses[row.number] = status
            return true
        }
        return rows.compactMap { row in
            statuses[row.number].map { status in
                (SLAClockRow(
                    ticket: row.number.description, client: row.client, assignee: row.assignee, state: overall(status).rawValue,
                    sla: SLAView(status)), status)
            }
        }
    }
}
