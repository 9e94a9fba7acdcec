import BusinessTime
import DocketTime

/// What a dispatcher asks of a recurring ticket schedule (stream `schedule-<id>`).
public enum ScheduleCommand: Sendable, Equatable {
    /// Define the schedule (or define a removed one again). `client` is the client's snapshot, nil when unknown;
    /// `assignee` the snapshot of the schedule's assignee, nil when it names none or an unknown user.
    case define(ScheduleDefined, client: ClientSnapshot?, assignee: UserSnapshot? = nil)
    /// Remove schedule `id` (the stream's, named in a refusal): no more tickets.
    case remove(id: String)
}

/// A schedule as its events leave it.
public struct ScheduleState: Sendable, Equatable {
    /// The definition in force; nil before the first.
    public var definition: ScheduleDefined?
    /// True between `schedule.defined` and `schedule.removed`.
    public var isLive = false

    public init(definition: ScheduleDefined? = nil, isLive: Bool = false) {
        self.definition = definition
        self.isLive = isLive
    }
}

/// The recurring ticket schedule aggregate: `docket schedule add/remove`; `docket tick` opens its tickets.
public enum ScheduleDecider: Decider {
    public static let initialState = ScheduleState()

    /// Decides `command`. Needs ``Action/manageSchedules``.
    public static func decide(_ command: ScheduleCommand, state: ScheduleState, context: DecisionContext) throws(DomainError) -> [ScheduleEvent] {
        try Permissions.require(.manageSchedules, by: context.actor.role)
        switch command {
        case .define(var schedule, let client, let assignee):
            if state.isLive, let id = state.definition?.id {
                throw DomainError(.conflict, "schedule \(id) already exists; remove it with `docket schedule remove \(id)` and add it again")
            }
            schedule.id = try Validate.slug(schedule.id, "schedule id", length: 2...64)
            guard let client else {
                throw DomainError(.notFound, "unknown client \(schedule.client); list clients with `docket client list`")
            }
            guard client.isActive else {
                throw DomainError(.inactive, "client \(schedule.client) is deactivated; schedule tickets only for active clients")
            }
            // Checked as each ticket's will be when it opens: a subject or an assignee the ticket rules refuse would
            // have every tick warn and open nothing.
            _ = try Validate.nonEmpty(schedule.subject, "the subject", fix: "give --subject \"Monthly patch review\"")
            schedule.subject = try TicketSubject.validated(schedule.subject)
            if let login = schedule.assignee { try TicketDecider.checkAssignable(login, assignee) }
            schedule.description = Validate.optional(schedule.description)
            schedule.category = Validate.optional(schedule.category)
            try check(schedule.recurrence)
            // Every 1 week is every week: the payload says so the one way.
            if schedule.recurrence.interval == 1 { schedule.recurrence.interval = nil }
            return [.defined(schedule)]
        case .remove(let id):
            guard state.definition != nil else {
                throw DomainError(.notFound, "no schedule \(id); list schedules with `docket schedule list`")
            }
            guard state.isLive else { throw DomainError(.notFound, "schedule \(id) was removed already; list schedules with `docket schedule list`") }
            return [.removed(ScheduleRemoved())]
        }
    }

    /// Refuses a recurrence whose options do not fit its `every`.
    private static func check(_ recurrence: Recurrence) throws(DomainError) {
        if let interval = recurrence.interval {
            switch recurrence.every {
            case .day, .workday:
                throw DomainError(.invalid, "--interval is for --every week or month; leave it out with --every \(recurrence.every.rawValue)")
            case .week where !(1...52).contains(interval):
                throw DomainError(.invalid, "--interval \(interval) is out of range; a weekly schedule repeats every 1 to 52 weeks")
            case .month where !(1...12).contains(interval):
                throw DomainError(.invalid, "--interval \(interval) is out of range; a monthly schedule repeats every 1 to 12 months")
            default: break
            }
        }
        switch recurrence.every {
        case .day, .workday:
            guard recurrence.weekday == nil, recurrence.day == nil, recurrence.lastDay == nil else {
                throw DomainError(.invalid, "a schedule --every \(recurrence.every.rawValue) takes no --weekday or --day")
            }
        case .week:
            guard recurrence.weekday != nil, recurrence.day == nil, recurrence.lastDay == nil else {
                throw DomainError(.invalid, "a weekly schedule needs --weekday (mon … sun) and no --day")
            }
        case .month:
            let onDay = recurrence.day.map { (1...28).contains($0) } ?? false
            guard onDay != (recurrence.lastDay == true), recurrence.weekday == nil else {
                throw DomainError(.invalid, "a monthly schedule needs --day 1 to 28 (every month has it) or --day last, and no --weekday")
            }
        }
    }

    /// Applies one event.
    public static func evolve(_ state: ScheduleState, _ event: ScheduleEvent) -> ScheduleState {
        switch event {
        case .defined(let schedule): ScheduleState(definition: schedule, isLive: true)
        case .removed: ScheduleState(definition: state.definition, isLive: false)
        }
    }
}
