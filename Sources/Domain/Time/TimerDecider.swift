import DocketTime

/// Commands on a tech's timer (stream `timer-<login>`).
public enum TimerCommand: Sendable, Equatable {
    /// Start timing work on a ticket whose current state is `ticketState`.
    case start(ticket: TicketNumber, workType: String, ticketState: TicketState)
    /// Stop the running timer; the application logs the entry `entryId` in the same transaction. `minutes`, when
    /// given, is the time actually worked and replaces the elapsed time (needed when a timer was left running);
    /// `wholeElapsed` logs the elapsed time even past ``TimerDecider/overdueAfterMinutes``.
    case stop(entryId: String, minutes: Int? = nil, wholeElapsed: Bool = false)
    /// Discard the running timer without logging any time; `reason`, when given, says why.
    case cancel(reason: String?)
}

/// The timer's state: the running timer, if any.
public struct TimerState: Sendable, Equatable {
    public var running: TimerStarted?
    public init(running: TimerStarted? = nil) { self.running = running }
}

/// One timer per tech: start refuses while one runs; stop and cancel refuse when none runs.
public enum TimerDecider: Decider {
    public static let initialState = TimerState()

    /// A working day: a timer that has run longer was most likely left running, so a stop does not log its elapsed
    /// time unless the tech says what to log (the minutes worked, or the whole elapsed time); `time status` shows it
    /// as overdue.
    public static let overdueAfterMinutes = 8 * 60

    /// Whether `running` has run longer than ``overdueAfterMinutes`` by `now`.
    public static func isOverdue(_ running: TimerStarted, now: Timestamp) -> Bool {
        (elapsedMinutes(running, now: now) ?? 0) > overdueAfterMinutes
    }

    public static func decide(_ command: TimerCommand, state: TimerState, context: DecisionContext) throws(DomainError) -> [TimeEvent] {
        try Permissions.require(.workTickets, by: context.actor.role)
        switch command {
        case .start(let number, let workType, let ticket):
            if let running = state.running { throw alreadyRunning(running) }
            guard ticket.exists, ticket.number == number else {
                throw DomainError(.notFound, "unknown ticket \(number); list tickets with `docket ticket list`")
            }
            if let into = ticket.mergedInto {
                throw DomainError(.merged, "\(number) was merged into \(into); time \(into) instead")
            }
            return [.timerStarted(TimerStarted(
                ticket: number.description, workType: try TimeEntryDecider.checkWorkType(workType), startedAt: context.now.iso8601))]
        case .stop(let entryId, let worked, let wholeElapsed):
            guard let running = state.running else {
                throw DomainError(.conflict, "no timer is running; start one with `docket time start T-<n>`")
            }
            if let worked {
                let minutes = try TimeEntryDecider.checkMinutes(worked)
                // With the clock behind the start the time since it is unknown: the minutes given are taken.
                if let start = Timestamp(iso8601: running.startedAt), context.now > start,
                    start.millisecondsSinceEpoch + Int64(minutes) * 60_000 > context.now.millisecondsSinceEpoch + TimeEntryDecider.clockSkewMilliseconds
                {
                    throw DomainError(
                        .invalid,
                        timed: "the timer on \(running.ticket) started at \(time: running.startedAt): \(TimeDuration.format(minutes)) from then "
                            + "ends after now (\(time: context.now)); give --minutes at most the time worked since the start")
                }
                return [.timerStopped(TimerStopped(entryId: entryId, minutes: minutes))]
            }
            guard let elapsed = elapsedMinutes(running, now: context.now) else {
                let why: TimedMessage = Timestamp(iso8601: running.startedAt) == context.now
                    ? "no time has elapsed since the timer on \(running.ticket) started (\(time: running.startedAt))"
                    : "the clock (\(time: context.now)) is behind the start of the timer on \(running.ticket) (\(time: running.startedAt))"
                throw DomainError(
                    .invalid,
                    timed: "\(why); give the time worked, e.g. `docket time stop --minutes 30m`, or discard it with `docket time cancel`")
            }
            guard elapsed <= TimeEntryDecider.maxMinutes else {
                throw DomainError(
                    .invalid,
                    timed: "the timer on \(running.ticket) has run \(elapsed / 60)h\(elapsed % 60)m since \(time: running.startedAt), more "
                        + "than one entry holds; stop it with the time actually worked, e.g. `docket time stop --minutes 7h30m`")
            }
            guard elapsed <= overdueAfterMinutes || wholeElapsed else {
                throw DomainError(
                    .conflict,
                    "the timer on \(running.ticket) has run \(TimeDuration.format(elapsed)), longer than a working day "
                        + "(\(TimeDuration.format(overdueAfterMinutes))), so nothing was logged: give the time worked "
                        + "(`docket time stop --minutes 7h30m`), log all of it (`docket time stop --elapsed`), or discard it (`docket time cancel`)")
            }
            return [.timerStopped(TimerStopped(entryId: entryId, minutes: elapsed))]
        case .cancel(let reason):
            guard let running = state.running else {
                throw DomainError(.conflict, "no timer is running; nothing to cancel")
            }
            return [.timerCancelled(TimerCancelled(ticket: running.ticket, reason: Validate.optional(reason)))]
        }
    }

    /// The ticket a stopped timer's time goes on: the timed ticket, or, when it was merged, the ticket it was merged
    /// into, following merges to the end (`ticket` gives a ticket's current state). A merge never targets a merged
    /// ticket, so the chain ends; `maxMerges` guards against a damaged history that loops.
    public static func loggingTicket(
        for timed: TicketNumber, maxMerges: Int = 1_000, ticket: (TicketNumber) throws -> TicketState
    ) throws -> TicketNumber {
        var number = timed
        for _ in 0...maxMerges {
            guard let into = try ticket(number).mergedInto else { return number }
            number = into
        }
        throw DomainError(
            .conflict, "\(timed) was merged more than \(maxMerges) times in a row; cancel the timer with `docket time cancel` and log the time by hand")
    }

    /// The refusal of a start while `running` runs (its start an instant of the message: ``TimedMessage``).
    public static func alreadyRunning(_ running: TimerStarted) -> DomainError {
        DomainError(
            .conflict, timed: "a timer is already running on \(running.ticket) since \(time: running.startedAt); stop it first with "
                + "`docket time stop` (or discard it with `docket time cancel`)")
    }

    /// Refuses closing `number` while the closer's timer `running` logs its time there on its stop (it runs on
    /// `number`, or on a ticket merged into it: `logsOn` is where its time goes). The close accounts for the closer's
    /// time, and the stop would log the same work again: `--time 30m` with the close, then 32 minutes on the stop.
    public static func refuseClose(of number: TicketNumber, running: TimerStarted?, logsOn: TicketNumber?) throws(DomainError) {
        guard let running, logsOn == number else { return }
        let merged = running.ticket == number.description ? "" : " (merged into \(number))"
        throw DomainError(
            .conflict,
            "your timer is running on \(running.ticket)\(merged); stop it first with `docket time stop` (it logs the time on \(number)) "
                + "or discard it with `docket time cancel`, then close \(number)")
    }

    /// Minutes since the timer started, rounded up to the whole minute; nil when `now` is not after the start (a
    /// clock set back, or no time at all), or the start is not a time.
    public static func elapsedMinutes(_ running: TimerStarted, now: Timestamp) -> Int? {
        guard let start = Timestamp(iso8601: running.startedAt), now > start else { return nil }
        return Int((now.millisecondsSinceEpoch - start.millisecondsSinceEpoch + 59_999) / 60_000)
    }

    public static func evolve(_ state: TimerState, _ event: TimeEvent) -> TimerState {
        switch event {
        case .timerStarted(let e): TimerState(running: e)
        case .timerStopped, .timerCancelled: TimerState()
        default: state
        }
    }
}
