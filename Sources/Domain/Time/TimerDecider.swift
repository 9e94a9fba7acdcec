import DocketTime

/// Commands on a tech's timer (stream `timer-<login>`).
public enum TimerCommand: Sendable, Equatable {
    /// Start timing work on a ticket whose current state is `ticketState`.
    case start(ticket: TicketNumber, workType: String, ticketState: TicketState)
    /// Stop the running timer; the application logs the entry `entryId` in the same transaction. `minutes`, when
    /// given, is the time actually worked and replaces the elapsed time (needed when a timer was left running).
    case stop(entryId: String, minutes: Int? = nil)
}

/// The timer's state: the running timer, if any.
public struct TimerState: Sendable, Equatable {
    public var running: TimerStarted?
    public init(running: TimerStarted? = nil) { self.running = running }
}

/// One timer per tech: start refuses while one runs; stop refuses when none runs.
public enum TimerDecider: Decider {
    public static let initialState = TimerState()

    public static func decide(_ command: TimerCommand, state: TimerState, context: DecisionContext) throws(DomainError) -> [TimeEvent] {
        try Permissions.require(.workTickets, by: context.actor.role)
        switch command {
        case .start(let number, let workType, let ticket):
            if let running = state.running {
                throw DomainError(
                    .conflict, "a timer is already running on \(running.ticket) since \(running.startedAt); stop it first with `docket time stop`")
            }
            guard ticket.exists, ticket.number == number else {
                throw DomainError(.notFound, "unknown ticket \(number); list tickets with `docket ticket list`")
            }
            if let into = ticket.mergedInto {
                throw DomainError(.merged, "\(number) was merged into \(into); time \(into) instead")
            }
            return [.timerStarted(TimerStarted(
                ticket: number.description, workType: try TimeEntryDecider.checkWorkType(workType), startedAt: context.now.iso8601))]
        case .stop(let entryId, let worked):
            guard let running = state.running else {
                throw DomainError(.conflict, "no timer is running; start one with `docket time start T-<n>`")
            }
            if let worked {
                return [.timerStopped(TimerStopped(entryId: entryId, minutes: try TimeEntryDecider.checkMinutes(worked)))]
            }
            let elapsed = elapsedMinutes(running, now: context.now)
            guard elapsed <= TimeEntryDecider.maxMinutes else {
                throw DomainError(
                    .invalid,
                    "the timer on \(running.ticket) has run \(elapsed / 60)h\(elapsed % 60)m since \(running.startedAt), more than one entry "
                        + "holds; stop it with the time actually worked, e.g. `docket time stop --minutes 7h30m`")
            }
            return [.timerStopped(TimerStopped(entryId: entryId, minutes: elapsed))]
        }
    }

    /// Minutes since the timer started, rounded up to the whole minute (at least 1).
    public static func elapsedMinutes(_ running: TimerStarted, now: Timestamp) -> Int {
        guard let start = Timestamp(iso8601: running.startedAt) else { return 1 }
        let ms = max(0, now.millisecondsSinceEpoch - start.millisecondsSinceEpoch)
        return max(1, Int((ms + 59_999) / 60_000))
    }

    public static func evolve(_ state: TimerState, _ event: TimeEvent) -> TimerState {
        switch event {
        case .timerStarted(let e): TimerState(running: e)
        case .timerStopped: TimerState()
        default: state
        }
    }
}
