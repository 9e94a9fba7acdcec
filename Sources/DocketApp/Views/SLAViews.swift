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
