import BusinessTime
import DocketTime
import Domain
import Testing

/// Calendars, terms and instants shared by the SLA tests.
enum SLAFixture {
    /// An RFC 3339 instant (test literals only).
    static func at(_ text: String) -> Timestamp {
        guard let instant = Timestamp(iso8601: text) else { preconditionFailure("not an RFC 3339 time: \(text)") }
        return instant
    }

    /// 09:00–17:00 Monday to Friday in `zone`, with optional holidays and replacement hours.
    static func officeHours(
        _ zone: String, holidays: [String] = [], replacements: [String: [(String, String)]] = [:]
    ) -> BusinessCalendar {
        do {
            let day = [try BusinessSlot("09:00", "17:00")]
            var replaced: [LocalDate: [BusinessSlot]] = [:]
            for (date, pairs) in replacements {
                replaced[try LocalDate(parsing: date)] = try pairs.map { try BusinessSlot($0.0, $0.1) }
            }
            return try BusinessCalendar(
                timeZone: zone, weeklyHours: WeeklyHours(day, on: [.mon, .tue, .wed, .thu, .fri]),
                holidays: try holidays.map { try LocalDate(parsing: $0) }, replacementHours: replaced)
        } catch {
            preconditionFailure("bad test calendar: \(error)")
        }
    }

    /// 00:00–24:00 every day in `zone`.
    static func roundTheClock(_ zone: String) -> BusinessCalendar {
        do {
            return try BusinessCalendar(timeZone: zone, weeklyHours: .alwaysOpen)
        } catch {
            preconditionFailure("bad test calendar: \(error)")
        }
    }

    static let newYork = officeHours("America/New_York")
    static let newYorkWithHolidays = officeHours(
        "America/New_York", holidays: ["2026-01-19", "2026-12-25"], replacements: ["2026-12-24": [("09:00", "13:00")]])
    static let berlin = officeHours("Europe/Berlin")

    /// Minutes → target.
    static func target(_ response: Int, _ resolution: Int) -> SLATarget {
        SLATarget(responseMinutes: response, resolutionMinutes: resolution)
    }

    /// P1 1h/4h, P2 2h/8h, P3 4h/16h, P4 8h/40h.
    static let targets: [Priority: SLATarget] = [
        "P1": target(60, 240), "P2": target(120, 480), "P3": target(240, 960), "P4": target(480, 2400),
    ]

    static let escalations: [EscalationRule] = [
        EscalationRule(id: "p1-untouched", priorities: ["P1"], untouchedMinutes: 30, action: .notifyDispatchers),
        EscalationRule(
            id: "p2-to-dora", priorities: ["P1", "P2"], untouchedMinutes: 90, action: .assign(login: "dora")),
        EscalationRule(id: "p3-raise", priorities: ["P3", "P4"], untouchedMinutes: 180, action: .raisePriority),
    ]

    static let goldTerms = SLATerms(calendar: "ny-office", targets: targets, escalations: escalations)

    /// A `ticket.sla-started` on `calendar` with the fixture targets.
    static func started(
        calendar: BusinessCalendar = newYork, calendarId: String = "ny-office", priority: Priority = "P3",
        at startedAt: Timestamp, targets: [Priority: SLATarget] = targets, warnAtPercent: [Int] = [75, 90],
        escalations: [EscalationRule] = []
    ) -> TicketSLAStarted {
        TicketSLAStarted(
            policy: "gold", policyAmendment: 0, calendarId: calendarId, calendarAmendment: 0, calendar: calendar,
            targets: targets, warnAtPercent: warnAtPercent, escalations: escalations, priority: priority,
            startedAt: startedAt)
    }

    // MARK: - Ticket events

    static let publicReply = TicketEvent.commented(TicketCommented(text: "On it", visibility: .public))
    static let internalNote = TicketEvent.commented(TicketCommented(text: "Looks like DNS", visibility: .internal))
    static let waiting = TicketEvent.statusChanged(
        TicketStatusChanged(status: .waitingOnClient, previousStatus: .inProgress))
    static let backInProgress = TicketEvent.statusChanged(
        TicketStatusChanged(status: .inProgress, previousStatus: .waitingOnClient))
    static let closed = TicketEvent.closed(TicketClosed(resolution: "Fixed"))
    static let reopened = TicketEvent.reopened(TicketReopened(reason: "Back again"))

    static func priority(_ new: Priority, from old: Priority) -> TicketEvent {
        .priorityChanged(TicketPriorityChanged(priority: new, previousPriority: old))
    }
}

/// Folds `events` (each with its instant) into the clock started by `started`.
func clock(_ started: TicketSLAStarted, _ events: [(TicketEvent, String)] = []) -> SLAClock {
    var clock = SLAClock.start(started)
    for (event, instant) in events { clock.apply(event, at: SLAFixture.at(instant)) }
    return clock
}
