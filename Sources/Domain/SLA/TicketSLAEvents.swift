import BusinessTime
import DocketTime

/// An SLA fact about a ticket. These live on the ticket's stream (`ticket-T-<n>`) next to ``TicketEvent``, in a
/// separate enum so that the ticket decider stays about tickets; ``SLAClock`` folds both.
public enum TicketSLAEvent: Sendable, Equatable {
    /// See ``TicketSLAStarted``.
    case started(TicketSLAStarted)
    /// See ``TicketSLAWarned``.
    case warned(TicketSLAWarned)
    /// See ``TicketSLABreached``.
    case breached(TicketSLABreached)
    /// See ``TicketEscalated``.
    case escalated(TicketEscalated)
}

/// `ticket.sla-started.v1`: the SLA that applies to the ticket, frozen at intake.
///
/// The application records it in the same transaction as `ticket.opened`, from the contract → SLA policy →
/// calendar in force when the ticket is opened (see ``resolve(policy:calendar:calendars:priority:at:)``). The whole
/// calendar and all targets are copied in, and so is the whole calendar of each priority whose calendar is not the
/// policy's (``calendars``), so later amendments never change the deadlines of tickets already open.
public struct TicketSLAStarted: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.sla-started", schemaVersion: 1,
        summary: "The ticket's SLA clocks started, with the policy, calendar and targets in force at intake frozen in.")
    /// The SLA policy's id.
    public var policy: String
    /// The policy version used (0 for the definition).
    public var policyAmendment: Int
    /// The calendar's id, or `24x7`.
    public var calendarId: String
    /// The calendar version used (0 for the definition and for `24x7`).
    public var calendarAmendment: Int
    /// The complete calendar that measures business time for this ticket (for each priority not in ``calendars``).
    public var calendar: BusinessCalendar
    /// The calendar of each priority whose terms name another calendar than the policy's (`P1` on `24x7`), complete
    /// with its id and amendment; empty for most policies, and then not written (events before it have none).
    public var calendars: [Priority: SLAFrozenCalendar]
    /// The targets of every priority (a priority change re-targets from these).
    public var targets: [Priority: SLATarget]
    /// The warning percentages.
    public var warnAtPercent: [Int]
    /// The escalation rules.
    public var escalations: [EscalationRule]
    /// The ticket's priority at the start.
    public var priority: Priority
    /// When the clocks started: the intake instant.
    public var startedAt: Timestamp

    /// A payload with the given fields.
    public init(
        policy: String, policyAmendment: Int, calendarId: String, calendarAmendment: Int, calendar: BusinessCalendar,
        targets: [Priority: SLATarget], warnAtPercent: [Int], escalations: [EscalationRule], priority: Priority,
        startedAt: Timestamp, calendars: [Priority: SLAFrozenCalendar] = [:]
    ) {
        self.policy = policy
        self.policyAmendment = policyAmendment
        self.calendarId = calendarId
        self.calendarAmendment = calendarAmendment
        self.calendar = calendar
        self.calendars = calendars
        self.targets = targets
        self.warnAtPercent = warnAtPercent
        self.escalations = escalations
        self.priority = priority
        self.startedAt = startedAt
    }

    private enum CodingKeys: String, CodingKey {
        case policy, policyAmendment, calendarId, calendarAmendment, calendar, calendars, targets, warnAtPercent,
            escalations, priority, startedAt
    }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decode(String.self, forKey: .policy)
        policyAmendment = try c.decode(Int.self, forKey: .policyAmendment)
        calendarId = try c.decode(String.self, forKey: .calendarId)
        calendarAmendment = try c.decode(Int.self, forKey: .calendarAmendment)
        calendar = try c.decode(BusinessCalendar.self, forKey: .calendar)
        calendars = try c.decodeIfPresent(PriorityKeyed<SLAFrozenCalendar>.self, forKey: .calendars)?.values ?? [:]
        targets = try c.decode(PriorityTargets.self, forKey: .targets).targets
        warnAtPercent = try c.decode([Int].self, forKey: .warnAtPercent)
        escalations = try c.decode([EscalationRule].self, forKey: .escalations)
        priority = try c.decode(Priority.self, forKey: .priority)
        startedAt = try c.decodeTimestamp(forKey: .startedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        try c.encode(policyAmendment, forKey: .policyAmendment)
        try c.encode(calendarId, forKey: .calendarId)
        try c.encode(calendarAmendment, forKey: .calendarAmendment)
        try c.encode(calendar, forKey: .calendar)
        if !calendars.isEmpty { try c.encode(PriorityKeyed(calendars), forKey: .calendars) }
        try c.encode(PriorityTargets(targets), forKey: .targets)
        try c.encode(warnAtPercent, forKey: .warnAtPercent)
        try c.encode(escalations, forKey: .escalations)
        try c.encode(priority, forKey: .priority)
        try c.encode(timestamp: startedAt, forKey: .startedAt)
    }

    /// The calendar that counts business time for `priority`: its own (``calendars``), else ``calendar``.
    public func calendar(for priority: Priority) -> BusinessCalendar {
        calendars.isEmpty ? calendar : (calendars[priority]?.calendar ?? calendar)
    }

    /// The id of the calendar that counts business time for `priority`.
    public func calendarId(for priority: Priority) -> String {
        calendars.isEmpty ? calendarId : (calendars[priority]?.calendarId ?? calendarId)
    }

    /// The SLA start of a ticket opened at `instant` with `priority`, under the policy terms and calendars in force
    /// at that instant.
    ///
    /// `policy` is the folded `sla-policy-<id>` stream named by the contract in force; `calendar` is the folded
    /// `calendar-<id>` stream its terms name, or ``CalendarState/builtIn(_:)`` for `24x7`; `calendars` holds, by id,
    /// the calendars the terms give priorities of their own (``SLATerms/calendars``). Throws `notFound` when the policy
    /// has no version in force at `instant`, `conflict` when a calendar has none (it starts later), and `invalid` when
    /// `calendar` is not the one the terms name or `calendars` lacks one they name.
    public static func resolve(
        policy: SLAPolicyState, calendar: CalendarState, calendars: [String: CalendarState] = [:], priority: Priority,
        at instant: Timestamp
    ) throws(DomainError) -> TicketSLAStarted {
        guard let policyId = policy.id else {
            throw DomainError(.notFound, "no such SLA policy; list policies with `docket sla-policy list`")
        }
        guard let (policyAmendment, terms) = policy.terms(at: instant) else {
            throw policyStartsLater(policyId, startsAt: policy.startsAt, ticketAt: instant)
        }
        guard let calendarId = calendar.id, calendarId == terms.calendar else {
            throw DomainError(
                .invalid,
                "SLA policy \(policyId) counts time with calendar \(terms.calendar), not \(calendar.id ?? "an undefined one"); "
                    + "look up calendar \(terms.calendar)")
        }
        let (calendarAmendment, businessCalendar) = try inForce(calendar, calendarId, at: instant, policy: policyId)
        var frozen: [Priority: SLAFrozenCalendar] = [:]
        for other in Priority.allCases {
            guard let id = terms.calendars[other], id != calendarId else { continue }
            guard let state = calendars[id] ?? CalendarState.builtIn(id), state.id == id else {
                throw DomainError(
                    .invalid,
                    "SLA policy \(policyId) counts \(other) time with calendar \(id), which was not looked up; look up calendar \(id)")
            }
            let own = try inForce(state, id, at: instant, policy: policyId)
            frozen[other] = SLAFrozenCalendar(calendarId: id, calendarAmendment: own.amendment, calendar: own.calendar)
        }
        return TicketSLAStarted(
            policy: policyId, policyAmendment: policyAmendment, calendarId: calendarId,
            calendarAmendment: calendarAmendment, calendar: businessCalendar, targets: terms.targets,
            warnAtPercent: terms.warnAtPercent, escalations: terms.escalations, priority: priority,
            startedAt: instant, calendars: frozen)
    }

    /// The version of `calendar` (id `id`) in force at `instant`, or `conflict`: the calendar exists but starts later, a
    /// clash of configurations (refused), not a missing one.
    private static func inForce(
        _ calendar: CalendarState, _ id: String, at instant: Timestamp, policy policyId: String
    ) throws(DomainError) -> (amendment: Int, calendar: BusinessCalendar) {
        guard let found = calendar.calendar(at: instant) else {
            // The calendar exists but starts later: a clash of configurations (refused), not a missing one.
            let start: TimedMessage = calendar.startsAt.map { "\(time: $0)" } ?? "no date"
            throw DomainError(
                .conflict,
                timed: "calendar \(id) starts at \(start), after this ticket's "
                    + "start at \(time: instant), and no amendment can start before a calendar does: define a calendar under a "
                    + "new id with an earlier --effective and amend SLA policy \(policyId) to use it")
        }
        return found
    }

    /// The error for a ticket opened before its SLA policy starts. An amendment cannot start before the policy
    /// does, so the fix is a policy (under a new id) that starts early enough, named by the contract.
    public static func policyStartsLater(_ policyId: String, startsAt: Timestamp?, ticketAt instant: Timestamp) -> DomainError {
        let start: TimedMessage = startsAt.map { "\(time: $0)" } ?? "no date"
        return DomainError(
            .notFound,
            timed: "SLA policy \(policyId) starts at \(start), after this ticket's start at "
                + "\(time: instant), and no amendment can start before a policy does: define a policy under a new id with an "
                + "earlier --effective and point the contract at it with `docket contract amend … --sla-policy NEW`")
    }
}

/// A calendar frozen into a ticket's SLA for the priorities whose terms name it: `{"calendarId": "24x7",
/// "calendarAmendment": 0, "calendar": {…}}`, as ``TicketSLAStarted`` keeps the policy's own.
public struct SLAFrozenCalendar: Codable, Sendable, Equatable {
    /// The calendar's id, or `24x7`.
    public var calendarId: String
    /// The calendar version used (0 for the definition and for `24x7`).
    public var calendarAmendment: Int
    /// The complete calendar.
    public var calendar: BusinessCalendar

    /// A frozen calendar with the given fields.
    public init(calendarId: String, calendarAmendment: Int, calendar: BusinessCalendar) {
        self.calendarId = calendarId
        self.calendarAmendment = calendarAmendment
        self.calendar = calendar
    }
}

/// `ticket.sla-warned.v1`: a clock reached a warning percentage of its target.
public struct TicketSLAWarned: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.sla-warned", schemaVersion: 1,
        summary: "An SLA clock used a warning percentage of its target; dueAt is when it did, not when it was noticed.")
    /// `response` or `resolution`.
    public var clock: SLAClockKind
    /// The warning percentage reached, 1 to 99.
    public var percent: Int
    /// The instant the threshold was reached (not when `docket tick` noticed it).
    public var dueAt: Timestamp
    /// Why nobody was warned: the tick that recorded the warning ran after the same clock's breach, which it records
    /// (and announces) too, so the warning is history, not news (`the response clock was breached`, with the instant
    /// in ``breachedAt``). Nil when the warning was sent (warnings recorded before this field existed have none;
    /// those recorded before ``breachedAt`` existed name the instants in the text, RFC 3339 UTC).
    public var skipped: String?
    /// When the breach that made the warning moot came, for a skipped warning; kept apart from ``skipped`` so that
    /// the text for people gives it in the reader's time zone. Nil when the warning was sent, and in older events.
    public var breachedAt: Timestamp?

    /// A payload with the given fields.
    public init(clock: SLAClockKind, percent: Int, dueAt: Timestamp, skipped: String? = nil, breachedAt: Timestamp? = nil) {
        self.clock = clock
        self.percent = percent
        self.dueAt = dueAt
        self.skipped = skipped
        self.breachedAt = breachedAt
    }

    private enum CodingKeys: String, CodingKey { case clock, percent, dueAt, skipped, breachedAt }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clock = try c.decode(SLAClockKind.self, forKey: .clock)
        percent = try c.decode(Int.self, forKey: .percent)
        dueAt = try c.decodeTimestamp(forKey: .dueAt)
        skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
        breachedAt = try c.decodeTimestampIfPresent(forKey: .breachedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        try c.encode(percent, forKey: .percent)
        try c.encode(timestamp: dueAt, forKey: .dueAt)
        try c.encodeIfPresent(skipped, forKey: .skipped)
        try c.encodeIfPresent(timestamp: breachedAt, forKey: .breachedAt)
    }
}

/// `ticket.sla-breached.v1`: a clock used its whole target before being met.
public struct TicketSLABreached: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.sla-breached", schemaVersion: 1,
        summary: "An SLA clock used its whole target before being met; dueAt is the deadline that passed.")
    /// `response` or `resolution`.
    public var clock: SLAClockKind
    /// The deadline: the instant the target was used up.
    public var dueAt: Timestamp

    /// A payload with the given fields.
    public init(clock: SLAClockKind, dueAt: Timestamp) {
        self.clock = clock
        self.dueAt = dueAt
    }

    private enum CodingKeys: String, CodingKey { case clock, dueAt }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clock = try c.decode(SLAClockKind.self, forKey: .clock)
        dueAt = try c.decodeTimestamp(forKey: .dueAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        try c.encode(timestamp: dueAt, forKey: .dueAt)
    }
}

/// `ticket.escalated.v1`: an escalation rule fired.
public struct TicketEscalated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.escalated", schemaVersion: 1,
        summary: "An escalation rule fired: the ticket stayed without a response for the rule's business minutes.")
    /// The rule's id.
    public var rule: String
    /// The instant the rule's delay ran out.
    public var dueAt: Timestamp
    /// What the rule asks the application to do.
    public var action: EscalationAction
    /// Why the action was not carried out: what happened between `dueAt` and the tick that recorded the escalation
    /// made it moot (the response clock was met or stopped, someone assigned the ticket or changed its priority:
    /// `the ticket was assigned to bob`, with the instant in ``mootAt``). Nil when the action was due (escalations
    /// recorded before this field existed have none; those recorded before ``mootAt`` existed name the instant in the
    /// text, RFC 3339 UTC).
    public var skipped: String?
    /// When what made the action moot happened, for a skipped escalation; kept apart from ``skipped`` so that the
    /// text for people gives it in the reader's time zone. Nil when the action was due, and in older events.
    public var mootAt: Timestamp?

    /// A payload with the given fields.
    public init(rule: String, dueAt: Timestamp, action: EscalationAction, skipped: String? = nil, mootAt: Timestamp? = nil) {
        self.rule = rule
        self.dueAt = dueAt
        self.action = action
        self.skipped = skipped
        self.mootAt = mootAt
    }

    private enum CodingKeys: String, CodingKey { case rule, dueAt, action, skipped, mootAt }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(String.self, forKey: .rule)
        dueAt = try c.decodeTimestamp(forKey: .dueAt)
        action = try c.decode(EscalationAction.self, forKey: .action)
        skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
        mootAt = try c.decodeTimestampIfPresent(forKey: .mootAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(timestamp: dueAt, forKey: .dueAt)
        try c.encode(action, forKey: .action)
        try c.encodeIfPresent(skipped, forKey: .skipped)
        try c.encodeIfPresent(timestamp: mootAt, forKey: .mootAt)
    }
}

extension TicketSLAEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TicketSLAEvent>] = [
        .init(TicketSLAStarted.self) { .started($0) },
        .init(TicketSLAWarned.self) { .warned($0) },
        .init(TicketSLABreached.self) { .breached($0) },
        .init(TicketEscalated.self) { .escalated($0) },
    ]
}
