import DocketTime

/// What to log: the ticket's snapshot comes from the application (its stream's fold).
public struct LogTime: Sendable, Equatable {
    public var entryId: String
    public var ticket: TicketNumber
    public var minutes: Int
    public var workType: String
    public var billable: Bool
    /// When the work started; nil: the work was just done, so it ends now and started `minutes` before now (as the
    /// time given with a close, ``CloseTimeReaction``).
    public var startedAt: Timestamp?
    public var note: String?
    /// The tech who did the work, when a dispatcher or admin logs it for them (nil: the actor did it). The
    /// application looks the user up; nil `forTech` with a `forLogin` means there is no such user.
    public var forLogin: String?
    public var forTech: UserSnapshot?
    /// Whether `startedAt` is a timer's start, which the clock recorded (nobody typed it): the work is not checked
    /// against now, since a stop with the clock behind that start logs the minutes given (``TimerDecider`` checks them).
    public var timed: Bool

    public init(
        entryId: String, ticket: TicketNumber, minutes: Int, workType: String, billable: Bool = true, startedAt: Timestamp? = nil, note: String? = nil,
        forLogin: String? = nil, forTech: UserSnapshot? = nil, timed: Bool = false
    ) {
        self.forLogin = forLogin
        self.forTech = forTech
        self.timed = timed
        self.entryId = entryId
        self.ticket = ticket
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
    }
}

/// What a correction changes; nil fields stay as they are.
public struct TimeCorrection: Sendable, Equatable {
    public var minutes: Int?
    public var workType: String?
    public var billable: Bool?
    public var startedAt: Timestamp?
    public var note: String?
    public var reason: String

    public init(minutes: Int? = nil, workType: String? = nil, billable: Bool? = nil, startedAt: Timestamp? = nil, note: String? = nil, reason: String) {
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
        self.reason = reason
    }
}

/// Commands on one time entry.
public enum TimeEntryCommand: Sendable, Equatable {
    /// Log a new entry on a ticket whose current state is `ticketState` (``TicketDecider/initialState`` when unknown).
    case log(LogTime, ticketState: TicketState)
    case correct(TimeCorrection)
    case void(reason: String)
}

/// A time entry as the fold of its events.
public struct TimeEntryState: Sendable, Equatable, Codable {
    public var entryId: String
    public var ticket: String
    public var tech: String
    public var minutes: Int
    public var workType: String
    public var billable: Bool
    public var startedAt: String
    public var note: String?
    public var voided: Bool
    /// The log position of the entry's latest event, set by the read model (nil in a pure fold).
    public var position: UInt64?

    /// Whether the entry has been logged.
    public var exists: Bool { !entryId.isEmpty }

    public static let none = TimeEntryState(entryId: "", ticket: "", tech: "", minutes: 0, workType: "", billable: false, startedAt: "", note: nil, voided: false)

    public init(entryId: String, ticket: String, tech: String, minutes: Int, workType: String, billable: Bool, startedAt: String, note: String?, voided: Bool, position: UInt64? = nil) {
        self.entryId = entryId
        self.ticket = ticket
        self.tech = tech
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
        self.voided = voided
        self.position = position
    }

    /// Applies one entry event (timer events leave it alone).
    public func applying(_ event: TimeEvent) -> TimeEntryState {
        var s = self
        s.apply(event)
        return s
    }

    /// Applies one entry event in place (timer events leave it alone); returns whether the state changed (what
    /// `applying` returns differs from the state before). A read model changes its kept row this way, without the
    /// copies of its strings that `applying` takes.
    @discardableResult
    public mutating func apply(_ event: TimeEvent) -> Bool {
        switch event {
        case .logged(let e):
            return log(TimeEntryState(logged: e))
        case .corrected(let e):
            var changed = false
            if let v = e.minutes, v != minutes { (minutes, changed) = (v, true) }
            if let v = e.workType, v != workType { (workType, changed) = (v, true) }
            if let v = e.billable, v != billable { (billable, changed) = (v, true) }
            if let v = e.startedAt, v != startedAt { (startedAt, changed) = (v, true) }
            if let v = e.note, v != note { (note, changed) = (v, true) }
            return changed
        case .voided:
            guard !voided else { return false }
            voided = true
            return true
        case .timerStarted, .timerStopped, .timerCancelled:
            return false
        }
    }

    /// The entry a `time.logged` logs: not voided, no position.
    public init(logged e: TimeLogged) {
        self.init(
            entryId: e.entryId, ticket: e.ticket, tech: e.tech, minutes: e.minutes, workType: e.workType, billable: e.billable,
            startedAt: e.startedAt, note: e.note, voided: false)
    }

    /// Becomes `logged`, the entry a `time.logged` logs (`init(logged:)`), as applying that event does; returns whether
    /// the state changed. A read model that reads the payload straight into the entry applies it this way, without a
    /// `TimeLogged` or a `TimeEvent` to copy the strings out of.
    @discardableResult
    public mutating func log(_ logged: TimeEntryState) -> Bool {
        guard logged != self else { return false }
        self = logged
        return true
    }
}

/// Time entries: who may log, correct and void, and the bounds on minutes.
public enum TimeEntryDecider: Decider {
    public static let initialState = TimeEntryState.none

    /// The most one entry may hold: a day.
    public static let maxMinutes = 24 * 60

    /// How far past now logged work may end, for clocks a little apart (a laptop's and the server's).
    public static let clockSkewMilliseconds: Int64 = 5 * 60_000

    public static func decide(_ command: TimeEntryCommand, state: TimeEntryState, context: DecisionContext) throws(DomainError) -> [TimeEvent] {
        switch command {
        case .log(let log, let ticket):
            try Permissions.require(.workTickets, by: context.actor.role)
            guard !state.exists else { throw DomainError(.conflict, "time entry \(log.entryId) already exists; log again to get a new entry id") }
            guard ticket.exists, ticket.number == log.ticket else {
                throw DomainError(.notFound, "unknown ticket \(log.ticket); list tickets with `docket ticket list`")
            }
            if let into = ticket.mergedInto {
                throw DomainError(.merged, "\(log.ticket) was merged into \(into); log the time on \(into)")
            }
            let minutes = try checkMinutes(log.minutes)
            let workType = try checkWorkType(log.workType)
            let tech = try techOf(log, actor: context.actor)
            // A start given must leave the work done by now; without one the work was just done: it ends now
            // (``LogTime/startedAt``).
            if let startedAt = log.startedAt, !log.timed { try checkWorked(startedAt, minutes: minutes, now: context.now, entry: nil) }
            return [.logged(TimeLogged(
                entryId: log.entryId, ticket: log.ticket.description, tech: tech, minutes: minutes, workType: workType,
                billable: log.billable, startedAt: (log.startedAt ?? justDone(minutes, now: context.now)).iso8601, note: Validate.optional(log.note)))]
        case .correct(let c):
            let reason = try checkChange(state, context: context, reason: c.reason, verb: "correct")
            let given = TimeCorrected(
                minutes: try c.minutes.map(checkMinutes), workType: try c.workType.map(checkWorkType), billable: c.billable,
                startedAt: c.startedAt?.iso8601, note: Validate.optional(c.note), reason: reason)
            guard given.minutes != nil || given.workType != nil || given.billable != nil || given.startedAt != nil
                || given.note != nil
            else {
                throw DomainError(.invalid, "nothing to correct on \(state.entryId); give --minutes, --work-type, --billable/--non-billable, --at or --note")
            }
            let correction = changes(given, to: state)
            // Values the entry already has change nothing: no event (the caller says so).
            guard correction.minutes != nil || correction.workType != nil || correction.billable != nil || correction.startedAt != nil
                || correction.note != nil
            else { return [] }
            if correction.minutes != nil || correction.startedAt != nil, let startedAt = c.startedAt ?? Timestamp(iso8601: state.startedAt) {
                try checkWorked(startedAt, minutes: correction.minutes ?? state.minutes, now: context.now, entry: state.entryId)
            }
            return [.corrected(correction)]
        case .void(let reason):
            return [.voided(TimeVoided(reason: try checkChange(state, context: context, reason: reason, verb: "void")))]
        }
    }

    public static func evolve(_ state: TimeEntryState, _ event: TimeEvent) -> TimeEntryState { state.applying(event) }

    /// `given` with the fields the entry already has left out (a start is compared as an instant).
    private static func changes(_ given: TimeCorrected, to state: TimeEntryState) -> TimeCorrected {
        var changed = given
        if given.minutes == state.minutes { changed.minutes = nil }
        if given.workType == state.workType { changed.workType = nil }
        if given.billable == state.billable { changed.billable = nil }
        if let start = given.startedAt, Timestamp(iso8601: start) == Timestamp(iso8601: state.startedAt) { changed.startedAt = nil }
        if given.note != nil, given.note == state.note { changed.note = nil }
        return changed
    }

    /// Who did the work: the actor, or the user a dispatcher or admin logs it for.
    private static func techOf(_ log: LogTime, actor: Actor) throws(DomainError) -> String {
        guard let login = log.forLogin, login != actor.login else { return actor.login }
        guard [.dispatcher, .admin].contains(actor.role) else {
            throw DomainError(.forbidden, "\(actor) cannot log time for \(login); log your own time, or ask a dispatcher or an admin")
        }
        guard let user = log.forTech, user.login == login else {
            throw DomainError(.notFound, "unknown user \(login); list users with `docket user list`")
        }
        guard user.isActive else {
            throw DomainError(.inactive, "\(login) is deactivated; reactivate them first or log the time for someone else")
        }
        guard Permissions.allows(user.role, to: .workTickets) else {
            throw DomainError(.invalid, "\(login) is \(user.role) and does not work tickets; log the time for the tech who did the work")
        }
        return login
    }

    /// Checks that `minutes` is 1 to a day.
    public static func checkMinutes(_ minutes: Int) throws(DomainError) -> Int {
        guard minutes > 0 else {
            throw DomainError(.invalid, "\(minutes) minutes is no time to log; an entry holds 1 minute to 24h (1440 minutes)")
        }
        guard minutes <= maxMinutes else {
            throw DomainError(.invalid, "\(minutes) minutes is out of range; an entry holds 1 minute to 24h (1440 minutes), split longer work")
        }
        return minutes
    }

    /// Refuses work that starts before the billing dates (``BillingDates``) or would end after `now` (past the clock
    /// skew allowed): time is logged once it is worked, and a typo in the year or the month must not be billed. `entry` names the entry a correction is for.
    /// The start of `minutes` of work that ends `now`.
    static func justDone(_ minutes: Int, now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - Int64(minutes) * 60_000)
    }

    private static func checkWorked(_ startedAt: Timestamp, minutes: Int, now: Timestamp, entry: String?) throws(DomainError) {
        try BillingDates.check(startedAt, entry.map { "\($0)'s start" } ?? "the work's start")
        if let refusal = endsAfterNow(startedAt, minutes: minutes, now: now, entry: entry) { throw refusal }
    }

    /// The refusal of `minutes` of work from `startedAt` that would end after `now` (past the clock skew allowed), nil
    /// when it ends in time. Its instants are apart (``TimedMessage``): the CLI gives them in the reader's zone.
    static func endsAfterNow(_ startedAt: Timestamp, minutes: Int, now: Timestamp, entry: String? = nil) -> DomainError? {
        let end = Timestamp(millisecondsSinceEpoch: startedAt.millisecondsSinceEpoch + Int64(minutes) * 60_000)
        guard end.millisecondsSinceEpoch > now.millisecondsSinceEpoch + clockSkewMilliseconds else { return nil }
        let what = entry.map { "\($0) would be work" } ?? "the work"
        return DomainError(
            .invalid,
            timed: "\(what) from \(time: startedAt) for \(TimeDuration.format(minutes)) ends at \(time: end), after now (\(time: now)); "
                + "time is logged once it is worked: check the date and time of --at and the duration")
    }

    /// A work type such as `remote`, `onsite` or `travel`.
    public static func checkWorkType(_ text: String) throws(DomainError) -> String {
        try Validate.slug(text.lowercased(), "work type", length: 1...32)
    }

    /// Permission, existence, not voided, and a reason: what correcting and voiding share. Returns the reason.
    private static func checkChange(_ state: TimeEntryState, context: DecisionContext, reason: String, verb: String) throws(DomainError) -> String {
        guard state.exists else { throw DomainError(.notFound, "unknown time entry; list entries with `docket time list`") }
        let actor = context.actor
        let allowed = actor.login == state.tech || [.dispatcher, .admin, .billing].contains(actor.role)
        guard allowed else {
            throw DomainError(
                .forbidden, "\(actor) cannot \(verb) \(state.entryId), logged by \(state.tech); ask \(state.tech), a dispatcher, billing or an admin")
        }
        guard !state.voided else { throw DomainError(.conflict, "time entry \(state.entryId) is voided; log a new entry instead") }
        return try Validate.nonEmpty(reason, "the reason to \(verb) \(state.entryId)", fix: "add --reason \"why\"")
    }
}
