import BusinessTime
import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

/// A policy on New York office hours whose P1 runs on calendar `p1-desk` (round the clock in New York): the P1
/// calendar is frozen into each ticket when it opens, through the application, the `sla` and `queue` models and their
/// rebuilds.
@Suite struct PriorityCalendarsTests {
    static let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    static let targets: [Priority: SLATarget] = [
        .p1: SLATarget(responseMinutes: 60, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 120, resolutionMinutes: 480),
        .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 960), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 2400),
    ]

    static func office(_ zone: String = "America/New_York") throws -> BusinessCalendar {
        try BusinessCalendar(timeZone: zone, weeklyHours: WeeklyHours([try BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri]))
    }

    /// The fixture with the policy on acme's contract, its clock at Friday 6 November 2026, 18:00 EST.
    func fixture() throws -> ServiceFixture {
        let f = try ServiceFixture()
        try f.app.directory.calendar(
            "ny-office", .define(DefineCalendar(id: "ny-office", name: "NY office", effectiveFrom: Self.start, calendar: try Self.office())),
            as: "bill")
        let desk = try BusinessCalendar(timeZone: "America/New_York", weeklyHours: .alwaysOpen)
        try f.app.directory.calendar(
            "p1-desk", .define(DefineCalendar(id: "p1-desk", name: "P1 desk", effectiveFrom: Self.start, calendar: desk)), as: "bill")
        let terms = SLATerms(calendar: "ny-office", calendars: [.p1: "p1-desk"], targets: Self.targets)
        try f.app.directory.slaPolicy(
            "gold", .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Self.start, terms: terms)), as: "bill")
        try f.app.directory.createContract(
            CreateContract(id: "acme-2026", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: Self.start, slaPolicy: "gold"),
            as: "bill")
        f.clock.advance(milliseconds: (4 * 24 + 14) * 3_600_000)
        #expect(f.clock.now() == Timestamp(iso8601: "2026-11-06T23:00:00Z"))
        return f
    }

    /// The resolution deadline of `number` as the `sla` model, the `queue` model and the ticket's summary folded from the log
    /// each give it (the queue's due time is the earlier clock's, the response's: given here as its own).
    func deadlines(_ f: ServiceFixture, _ number: TicketNumber) throws -> [Timestamp?] {
        let clock = try #require(try f.app.sla.clock(of: number))
        let queued = try #require(try f.app.tickets.list(QueueFilter(), limit: 100).first { $0.number == number })
        let summary = try f.app.tickets.ticketSummary(number)
        return [clock.dueAt(.resolution), clock.dueAt(.response)]
            + [queued.sla?.dueAt, summary.sla?.dueAt].map { $0.map(Timestamp.init(millisecondsSinceEpoch:)) }
    }

    @Test func anAmendmentOfAPrioritysCalendarDoesNotMoveATicketAlreadyOpen() throws {
        let f = try fixture()
        let p1 = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p1, subject: "Server down"), as: "dora")
        let p4 = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p4, subject: "Password reset"), as: "dora")
        let frozen = try #require(try f.app.sla.clock(of: p1)).started
        #expect(frozen.calendars[.p1]?.calendarId == "p1-desk" && frozen.calendars[.p1]?.calendarAmendment == 0)
        let evening = Timestamp(iso8601: "2026-11-07T03:00:00Z"), response = Timestamp(iso8601: "2026-11-07T00:00:00Z")
        #expect(try deadlines(f, p1) == [evening, response, response, response], "Friday 22:00 and 19:00 EST, round the clock")
        let monday = Timestamp(iso8601: "2026-11-09T22:00:00Z")
        #expect(try deadlines(f, p4)[1] == monday, "8 h of office hours: Monday 17:00 EST")

        // p1-desk becomes office hours, back-dated before the opening: the open ticket keeps its frozen calendar.
        try f.app.directory.calendar(
            "p1-desk", .amend(effectiveFrom: Timestamp(iso8601: "2026-10-01T00:00:00Z")!, calendar: try Self.office()), as: "bill")
        #expect(try deadlines(f, p1) == [evening, response, response, response])
        for batchSize in [1, 1_000_000] {
            try f.store.rebuild(["sla", "queue"], batchSize: batchSize)
            #expect(try deadlines(f, p1) == [evening, response, response, response], "rebuilt in batches of \(batchSize)")
        }
        // A P1 opened now gets the amended calendar: 4 h from Monday 09:00 EST.
        let later = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p1, subject: "Server down again"), as: "dora")
        #expect(try deadlines(f, later)[0] == Timestamp(iso8601: "2026-11-09T18:00:00Z"))
        #expect(try #require(try f.app.sla.clock(of: later)).started.calendars[.p1]?.calendarAmendment == 1)
    }

    /// A policy may not give a priority a calendar that does not exist or starts after the policy's terms take effect.
    @Test func aPrioritysCalendarMustExistAndStartInTime() throws {
        let f = try fixture()
        try f.app.directory.calendar(
            "late", .define(DefineCalendar(id: "late", name: "Late", effectiveFrom: Timestamp(iso8601: "2026-02-01T00:00:00Z")!, calendar: try Self.office())),
            as: "bill")
        let before = try f.store.head().position
        for (calendar, message) in [
            ("late", "calendar late starts at 2026-02-01T00:00:00.000Z (its first version), after SLA policy silver's --effective"),
            ("nowhere", "unknown calendar nowhere"),
        ] {
            let terms = SLATerms(calendar: "ny-office", calendars: [.p2: calendar], targets: Self.targets)
            let error = #expect(throws: DomainError.self) {
                try f.app.directory.slaPolicy(
                    "silver", .define(DefineSLAPolicy(id: "silver", name: "Silver", effectiveFrom: Self.start, terms: terms)), as: "bill")
            }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        }
        #expect(try f.store.head().position == before, "nothing written")
    }
}
