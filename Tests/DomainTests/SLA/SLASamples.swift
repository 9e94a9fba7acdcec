import BusinessTime
import DocketTime
import Domain

/// Samples of the SLA events (registered in ``EventSamples/all``); optional shapes appear in several forms.
extension EventSamples {
    static let slaTickets: [TicketSLAEvent] = [
        .started(
            TicketSLAStarted(
                policy: "gold", policyAmendment: 2, calendarId: "ny-office", calendarAmendment: 1,
                calendar: SLAFixture.newYorkWithHolidays, targets: SLAFixture.targets, warnAtPercent: [50, 75, 90],
                escalations: SLAFixture.escalations, priority: "P2", startedAt: Fixture.date(1, 9))),
        .started(
            TicketSLAStarted(
                policy: "basic", policyAmendment: 0, calendarId: "24x7", calendarAmendment: 0,
                calendar: .twentyFourSeven, targets: SLAFixture.targets, warnAtPercent: [], escalations: [],
                priority: "P4", startedAt: Timestamp(millisecondsSinceEpoch: 1_793_000_000_123))),
        .warned(TicketSLAWarned(clock: .response, percent: 75, dueAt: Fixture.date(1, 9))),
        .warned(TicketSLAWarned(clock: .resolution, percent: 90, dueAt: Fixture.date(1, 12))),
        .warned(
            TicketSLAWarned(
                clock: .response, percent: 90, dueAt: Fixture.date(1, 9),
                skipped: "the response clock was breached at 2026-01-01T10:00:00.000Z, before the tick that recorded this warning ran")),
        // Since the instant is kept apart from the words: `breachedAt`.
        .warned(
            TicketSLAWarned(
                clock: .response, percent: 90, dueAt: Fixture.date(1, 9), skipped: "the response clock was breached",
                breachedAt: Fixture.date(1, 10))),
        .breached(TicketSLABreached(clock: .response, dueAt: Fixture.date(1, 10))),
        .breached(TicketSLABreached(clock: .resolution, dueAt: Fixture.date(1, 13))),
        .escalated(TicketEscalated(rule: "p1-untouched", dueAt: Fixture.date(1, 9), action: .notifyDispatchers)),
        .escalated(TicketEscalated(rule: "p2-to-dora", dueAt: Fixture.date(1, 9), action: .assign(login: "dora"))),
        .escalated(TicketEscalated(rule: "p3-raise", dueAt: Fixture.date(1, 9), action: .raisePriority)),
        .escalated(
            TicketEscalated(
                rule: "p2-to-dora", dueAt: Fixture.date(1, 9), action: .assign(login: "dora"),
                skipped: "the ticket was assigned to bob at 2026-01-09T16:00:00.000Z, after the rule was due")),
        // Since the instant is kept apart from the words: `mootAt`.
        .escalated(
            TicketEscalated(
                rule: "p2-to-dora", dueAt: Fixture.date(1, 9), action: .assign(login: "dora"), skipped: "the ticket was assigned to bob",
                mootAt: Fixture.date(1, 10))),
    ]

    static let calendars: [CalendarEvent] = [
        .defined(
            CalendarDefined(
                id: "ny-office", name: "New York office", effectiveFrom: Fixture.date(1, 1),
                calendar: SLAFixture.newYorkWithHolidays)),
        .defined(
            CalendarDefined(
                id: "always", name: "Always on (UTC)", effectiveFrom: Fixture.date(1, 1), calendar: .twentyFourSeven)),
        .amended(CalendarAmended(amendment: 1, effectiveFrom: Fixture.date(7, 1), calendar: SLAFixture.berlin)),
    ]

    static let slaPolicies: [SLAPolicyEvent] = [
        .defined(
            SLAPolicyDefined(id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1), terms: SLAFixture.goldTerms)),
        .amended(
            SLAPolicyAmended(
                amendment: 1, effectiveFrom: Fixture.date(3, 1),
                terms: SLATerms(calendar: "24x7", targets: SLAFixture.targets, warnAtPercent: [], escalations: []))),
    ]

    /// The SLA samples as any domain event.
    static let sla: [DocketEvent] =
        slaTickets.map(DocketEvent.ticketSLA) + calendars.map(DocketEvent.calendar)
        + slaPolicies.map(DocketEvent.slaPolicy)
}
