import BusinessTime
import DocketTime

/// The business calendar aggregate (stream `calendar-<id>`): definition and dated amendments.
///
/// Calendars are commercial terms, like contracts: defining and amending them needs ``Action/manageContracts``
/// (roles billing and admin). There is no separate SLA action.
public enum CalendarDecider: Decider {
    public static let initialState = CalendarState()

    /// Decides `command`. Needs ``Action/manageContracts``.
    ///
    /// An amendment records a complete calendar. One that equals the version in force at its `effectiveFrom`
    /// returns no events.
    public static func decide(
        _ command: CalendarCommand, state: CalendarState, context: DecisionContext
    ) throws(DomainError) -> [CalendarEvent] {
        try Permissions.require(.manageContracts, by: context.actor.role)
        switch command {
        case .define(let define):
            if let id = state.id {
                throw DomainError(
                    .conflict, "calendar \(id) already exists; amend it with `docket calendar amend \(id)`")
            }
            guard define.id != CalendarState.twentyFourSevenID else {
                throw DomainError(
                    .invalid,
                    "calendar id \(CalendarState.twentyFourSevenID) is built in (round the clock, UTC); "
                        + "choose another id")
            }
            let id = try Validate.slug(define.id, "calendar id", length: 2...64)
            let name = try Validate.name(define.name, "the calendar name", fix: "give the calendar a name")
            try BillingDates.check(define.effectiveFrom, "calendar \(id)'s effective date")
            return [
                .defined(
                    CalendarDefined(id: id, name: name, effectiveFrom: define.effectiveFrom, calendar: define.calendar))
            ]
        case .amend(let effectiveFrom, let calendar):
            guard let id = state.id, let start = state.startsAt else {
                throw DomainError(.notFound, "no such calendar; list calendars with `docket calendar list`")
            }
            try BillingDates.check(effectiveFrom, "calendar \(id)'s amendment date")
            guard effectiveFrom >= start else {
                throw DomainError(
                    .invalid,
                    timed: "the amendment would take effect at \(time: effectiveFrom), before calendar \(id) starts at \(time: start); "
                        + "use a date on or after the start")
            }
            guard state.version(at: effectiveFrom)?.calendar != calendar else { return [] }
            return [
                .amended(
                    CalendarAmended(amendment: state.nextAmendment, effectiveFrom: effectiveFrom, calendar: calendar))
            ]
        }
    }
}
