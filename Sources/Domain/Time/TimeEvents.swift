import DocketTime

/// Time entries (stream `time-TE-<n>`) and per-tech timers (stream `timer-<login>`).
public enum TimeEvent: Sendable, Equatable {
    /// See ``TimeLogged``.
    case logged(TimeLogged)
    /// See ``TimeCorrected``.
    case corrected(TimeCorrected)
    /// See ``TimeVoided``.
    case voided(TimeVoided)
    /// See ``TimerStarted``.
    case timerStarted(TimerStarted)
    /// See ``TimerStopped``.
    case timerStopped(TimerStopped)
    /// See ``TimerCancelled``.
    case timerCancelled(TimerCancelled)
}

/// `time.logged.v1`: a tech logged time worked on a ticket.
public struct TimeLogged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.logged", schemaVersion: 1,
        summary: "A tech logged time worked on a ticket: minutes, work type, billable or not, and when it started.")
    /// `TE-7`.
    public var entryId: String
    /// `T-1042`.
    public var ticket: String
    /// The tech's login.
    public var tech: String
    /// 1 to 1440.
    public var minutes: Int
    /// e.g. `remote`, `onsite`, `travel`.
    public var workType: String
    public var billable: Bool
    /// RFC 3339.
    public var startedAt: String
    public var note: String?

    public init(entryId: String, ticket: String, tech: String, minutes: Int, workType: String, billable: Bool, startedAt: String, note: String?) {
        self.entryId = entryId
        self.ticket = ticket
        self.tech = tech
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
    }
}

/// `time.corrected.v1`: some fields of a time entry were corrected; absent fields keep their value.
public struct TimeCorrected: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.corrected", schemaVersion: 1,
        summary: "A time entry was corrected; only the fields given change, and the reason says why.")
    public var minutes: Int?
    public var workType: String?
    public var billable: Bool?
    public var startedAt: String?
    public var note: String?
    public var reason: String

    public init(minutes: Int? = nil, workType: String? = nil, billable: Bool? = nil, startedAt: String? = nil, note: String? = nil, reason: String) {
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
        self.reason = reason
    }
}

/// `time.voided.v1`: a time entry no longer counts.
public struct TimeVoided: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.voided", schemaVersion: 1,
        summary: "A time entry was voided: it no longer counts; the reason says why.")
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// `time.timer-started.v1`: a tech started a timer on a ticket (stream `timer-<login>`).
public struct TimerStarted: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.timer-started", schemaVersion: 1,
        summary: "A tech started a timer on a ticket; stopping it logs a time entry for the elapsed minutes.")
    public var ticket: String
    public var workType: String
    /// RFC 3339.
    public var startedAt: String
    public init(ticket: String, workType: String, startedAt: String) {
        self.ticket = ticket
        self.workType = workType
        self.startedAt = startedAt
    }
}

/// `time.timer-stopped.v1`: the running timer stopped and logged the entry `entryId`.
public struct TimerStopped: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.timer-stopped", schemaVersion: 1,
        summary: "The tech's running timer stopped; the elapsed minutes, rounded up, were logged as the entry named.")
    public var entryId: String
    public var minutes: Int
    public init(entryId: String, minutes: Int) {
        self.entryId = entryId
        self.minutes = minutes
    }
}

/// `time.timer-cancelled.v1`: the running timer was discarded without logging any time (stream `timer-<login>`).
public struct TimerCancelled: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "time", type: "time.timer-cancelled", schemaVersion: 1,
        summary: "The tech's running timer was cancelled: it stopped without logging any time; the reason, if given, says why.")
    /// The ticket the timer ran on, `T-1042`.
    public var ticket: String
    public var reason: String?
    public init(ticket: String, reason: String?) {
        self.ticket = ticket
        self.reason = reason
    }
}

extension TimeEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TimeEvent>] = [
        .init(TimeLogged.self) { .logged($0) },
        .init(TimeCorrected.self) { .corrected($0) },
        .init(TimeVoided.self) { .voided($0) },
        .init(TimerStarted.self) { .timerStarted($0) },
        .init(TimerStopped.self) { .timerStopped($0) },
        .init(TimerCancelled.self) { .timerCancelled($0) },
    ]
}
