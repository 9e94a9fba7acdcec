import DocketTime

/// What an SLA clock did during one stretch of its history.
public enum SLAIntervalMode: String, Codable, Sendable, CustomStringConvertible {
    /// Business time counts.
    case running
    /// Business time does not count (waiting on the client).
    case paused
    /// The clock was met (a public reply, or the ticket closed or merged); nothing counts.
    case met

    public var description: String { rawValue }
}

/// One stretch of an SLA clock's history, so that a deadline can be explained line by line.
public struct SLAInterval: Codable, Sendable, Equatable {
    /// When the stretch began.
    public var start: Timestamp
    /// When it ended; nil for the current stretch.
    public var end: Timestamp?
    /// Running, paused or met.
    public var mode: SLAIntervalMode
    /// What began it: `opened`, `waiting on client`, `resumed`, `reopened`, `priority P3→P1`, `first public reply`,
    /// `closed` or `merged`.
    public var reason: String
    /// The target in force during the stretch (a priority change starts a stretch with the new target).
    public var targetSeconds: Int64
    /// Business milliseconds that counted in the stretch: the calendar's business time of `[start, end)` when
    /// running, 0 otherwise. Nil while the stretch is open (``SLAClock/status(at:)`` fills it in up to its instant).
    public var countedMilliseconds: Int64?

    /// A stretch with every field given.
    public init(
        start: Timestamp, end: Timestamp?, mode: SLAIntervalMode, reason: String, targetSeconds: Int64,
        countedMilliseconds: Int64?
    ) {
        self.start = start
        self.end = end
        self.mode = mode
        self.reason = reason
        self.targetSeconds = targetSeconds
        self.countedMilliseconds = countedMilliseconds
    }

    private enum CodingKeys: String, CodingKey { case start, end, mode, reason, targetSeconds, countedMilliseconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decodeTimestamp(forKey: .start)
        end = try c.decodeTimestampIfPresent(forKey: .end)
        mode = try c.decode(SLAIntervalMode.self, forKey: .mode)
        reason = try c.decode(String.self, forKey: .reason)
        targetSeconds = try c.decode(Int64.self, forKey: .targetSeconds)
        countedMilliseconds = try c.decodeIfPresent(Int64.self, forKey: .countedMilliseconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timestamp: start, forKey: .start)
        try c.encodeIfPresent(timestamp: end, forKey: .end)
        try c.encode(mode, forKey: .mode)
        try c.encode(reason, forKey: .reason)
        try c.encode(targetSeconds, forKey: .targetSeconds)
        try c.encodeIfPresent(countedMilliseconds, forKey: .countedMilliseconds)
    }
}

/// One of a ticket's two SLA clocks (response or resolution) as folded so far.
///
/// Business time is banked in milliseconds, because events carry millisecond instants: banking whole seconds
/// would lose up to a second at every pause.
public struct SLATimer: Codable, Sendable, Equatable {
    /// Response or resolution.
    public internal(set) var kind: SLAClockKind
    /// The target in force, in business seconds.
    public internal(set) var targetSeconds: Int64
    /// Business milliseconds used against the current target in finished stretches.
    public internal(set) var bankedMilliseconds: Int64
    /// When the current running stretch began; nil when paused or met.
    public internal(set) var runningSince: Timestamp?
    /// When the clock was met; nil while it is not.
    public internal(set) var metAt: Timestamp?
    /// When the current target was set: the start, or the last priority change while the clock was unmet.
    public internal(set) var targetSince: Timestamp
    /// When the current target was used up, once a finished stretch crossed it.
    public internal(set) var breachedAt: Timestamp?
    /// Every stretch, oldest first; the last one is open (no `end`).
    public internal(set) var intervals: [SLAInterval]

    /// A timer with every field given.
    public init(
        kind: SLAClockKind, targetSeconds: Int64, bankedMilliseconds: Int64, runningSince: Timestamp?,
        metAt: Timestamp?, targetSince: Timestamp, breachedAt: Timestamp?, intervals: [SLAInterval]
    ) {
        self.kind = kind
        self.targetSeconds = targetSeconds
        self.bankedMilliseconds = bankedMilliseconds
        self.runningSince = runningSince
        self.metAt = metAt
        self.targetSince = targetSince
        self.breachedAt = breachedAt
        self.intervals = intervals
    }

    /// Whole business seconds banked (rounded down).
    public var bankedSeconds: Int64 { bankedMilliseconds / 1000 }
    /// The target in milliseconds.
    public var targetMilliseconds: Int64 { targetSeconds * 1000 }
    /// Whether the clock has been met.
    public var isMet: Bool { metAt != nil }
    /// Whether business time counts now.
    public var isRunning: Bool { runningSince != nil }
    /// Whether the clock is paused (unmet and not running).
    public var isPaused: Bool { metAt == nil && runningSince == nil }
    /// The business time counted in every finished stretch, under every target it had: for a met clock, all the
    /// business time it ran from the start to the reply or the close. (``SLATimerStatus/usedSeconds`` counts only
    /// against the current target, from the last priority change.)
    public var countedMilliseconds: Int64 { intervals.reduce(0) { $0 + ($1.countedMilliseconds ?? 0) } }

    private enum CodingKeys: String, CodingKey {
        case kind, targetSeconds, bankedMilliseconds, runningSince, metAt, targetSince, breachedAt, intervals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(SLAClockKind.self, forKey: .kind)
        targetSeconds = try c.decode(Int64.self, forKey: .targetSeconds)
        bankedMilliseconds = try c.decode(Int64.self, forKey: .bankedMilliseconds)
        runningSince = try c.decodeTimestampIfPresent(forKey: .runningSince)
        metAt = try c.decodeTimestampIfPresent(forKey: .metAt)
        targetSince = try c.decodeTimestamp(forKey: .targetSince)
        breachedAt = try c.decodeTimestampIfPresent(forKey: .breachedAt)
        intervals = try c.decode([SLAInterval].self, forKey: .intervals)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(targetSeconds, forKey: .targetSeconds)
        try c.encode(bankedMilliseconds, forKey: .bankedMilliseconds)
        try c.encodeIfPresent(timestamp: runningSince, forKey: .runningSince)
        try c.encodeIfPresent(timestamp: metAt, forKey: .metAt)
        try c.encode(timestamp: targetSince, forKey: .targetSince)
        try c.encodeIfPresent(timestamp: breachedAt, forKey: .breachedAt)
        try c.encode(intervals, forKey: .intervals)
    }
}

/// A threshold instant of a ticket's SLA: a warning, a breach or an escalation, and the event that records it.
public struct SLAAlarm: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Which threshold.
    public enum Kind: Sendable, Hashable {
        /// A warning percentage of the clock's target.
        case warning(percent: Int)
        /// The whole target.
        case breach
        /// An escalation rule (always on the response clock).
        case escalation(rule: String, action: EscalationAction)
    }

    /// The clock whose business time reaches the threshold (`response` for escalations).
    public var clock: SLAClockKind
    /// Which threshold.
    public var kind: Kind
    /// The exact instant the threshold is (or was) reached, computed with the ticket's calendar.
    public var dueAt: Timestamp

    /// An alarm with the given fields.
    public init(clock: SLAClockKind, kind: Kind, dueAt: Timestamp) {
        self.clock = clock
        self.kind = kind
        self.dueAt = dueAt
    }

    /// The event that records this alarm: `ticket.sla-warned`, `ticket.sla-breached` or `ticket.escalated`.
    public var event: TicketSLAEvent {
        switch kind {
        case .warning(let percent): .warned(TicketSLAWarned(clock: clock, percent: percent, dueAt: dueAt))
        case .breach: .breached(TicketSLABreached(clock: clock, dueAt: dueAt))
        case .escalation(let rule, let action): .escalated(TicketEscalated(rule: rule, dueAt: dueAt, action: action))
        }
    }

    /// Whether `other` is the same threshold at the same instant (an escalation's action is not compared).
    func isSameThreshold(as other: SLAAlarm) -> Bool {
        guard clock == other.clock, dueAt == other.dueAt else { return false }
        switch (kind, other.kind) {
        case (.warning(let a), .warning(let b)): return a == b
        case (.breach, .breach): return true
        case (.escalation(let a, _), .escalation(let b, _)): return a == b
        default: return false
        }
    }

    /// Earliest first; at the same instant response before resolution, then warnings (smallest first), the
    /// breach, and escalations by rule id.
    func sortsBefore(_ other: SLAAlarm) -> Bool {
        if dueAt != other.dueAt { return dueAt < other.dueAt }
        return rank < other.rank
    }

    private var rank: (Int, Int, Int, String) {
        let clockRank = clock == .response ? 0 : 1
        switch kind {
        case .warning(let percent): return (clockRank, 0, percent, "")
        case .breach: return (clockRank, 1, 0, "")
        case .escalation(let rule, _): return (clockRank, 2, 0, rule)
        }
    }

    /// `2026-01-09T21:00:00.000Z response 75%`, `… resolution breach`, `… escalation p1-untouched`.
    public var description: String {
        switch kind {
        case .warning(let percent): "\(dueAt) \(clock) \(percent)%"
        case .breach: "\(dueAt) \(clock) breach"
        case .escalation(let rule, _): "\(dueAt) escalation \(rule)"
        }
    }

    private enum CodingKeys: String, CodingKey { case clock, kind, percent, rule, action, dueAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clock = try c.decode(SLAClockKind.self, forKey: .clock)
        dueAt = try c.decodeTimestamp(forKey: .dueAt)
        let name = try c.decode(String.self, forKey: .kind)
        switch name {
        case "warning": kind = .warning(percent: try c.decode(Int.self, forKey: .percent))
        case "breach": kind = .breach
        case "escalation":
            kind = .escalation(
                rule: try c.decode(String.self, forKey: .rule),
                action: try c.decode(EscalationAction.self, forKey: .action))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "\"\(name)\" is not warning, breach or escalation")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        switch kind {
        case .warning(let percent):
            try c.encode("warning", forKey: .kind)
            try c.encode(percent, forKey: .percent)
        case .breach:
            try c.encode("breach", forKey: .kind)
        case .escalation(let rule, let action):
            try c.encode("escalation", forKey: .kind)
            try c.encode(rule, forKey: .rule)
            try c.encode(action, forKey: .action)
        }
        try c.encode(timestamp: dueAt, forKey: .dueAt)
    }
}

/// Where a clock stands at an instant.
public enum SLAState: String, Codable, Sendable, CustomStringConvertible {
    /// Running, below the first warning percentage.
    case onTrack = "on-track"
    /// Running, at or above the first warning percentage.
    case atRisk = "at-risk"
    /// The whole target is used (whether running, paused or met late).
    case breached
    /// Met before its target was used up.
    case met
    /// Waiting on the client, target not used up.
    case paused

    public var description: String { rawValue }
}

/// One clock at an instant: ``SLAClock/status(at:)``.
public struct SLATimerStatus: Sendable, Equatable {
    /// Response or resolution.
    public var clock: SLAClockKind
    /// On track, at risk, breached, met or paused: `breached` when any target of this clock was used up, the
    /// current one or one before a priority change (a breach that happened stays a breach), else `targetState`.
    public var state: SLAState
    /// The state against the current target alone (a priority change starts a new target from that moment).
    public var targetState: SLAState
    /// When the current target was set: the start, or the last priority change while the clock was unmet.
    public var targetSince: Timestamp
    /// The first instant an earlier target (before a priority change) was used up; nil when none was.
    public var earlierBreachAt: Timestamp?
    /// The target in force, in business seconds.
    public var targetSeconds: Int64
    /// Business seconds used against it (rounded down).
    public var usedSeconds: Int64
    /// `targetSeconds - usedSeconds`; negative once breached.
    public var remainingSeconds: Int64
    /// When the target is (or was) used up if the clock keeps running; nil when paused or met.
    public var dueAt: Timestamp?
    /// When the clock was met, if it was.
    public var metAt: Timestamp?
    /// Every stretch, the open one counted up to the instant asked about.
    public var intervals: [SLAInterval]
}

/// Both clocks at an instant.
public struct SLAStatus: Sendable, Equatable {
    /// The ticket's priority.
    public var priority: Priority
    /// The response clock.
    public var response: SLATimerStatus
    /// The resolution clock.
    public var resolution: SLATimerStatus
    /// The earliest due time of the two clocks; nil when neither runs.
    public var dueAt: Timestamp?

    /// The status of `clock`.
    public subscript(clock: SLAClockKind) -> SLATimerStatus {
        switch clock {
        case .response: response
        case .resolution: resolution
        }
    }
}

// MARK: - Optional timestamps

extension KeyedEncodingContainer {
    /// Writes `timestamp` as RFC 3339 text when present.
    mutating func encodeIfPresent(timestamp: Timestamp?, forKey key: Key) throws {
        if let timestamp { try encode(timestamp: timestamp, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Reads an RFC 3339 time when the key is present.
    func decodeTimestampIfPresent(forKey key: Key) throws -> Timestamp? {
        try contains(key) ? decodeTimestamp(forKey: key) : nil
    }
}
