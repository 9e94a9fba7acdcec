import DocketApp
import DocketTime
import Domain
import EventLog
import Testing

/// Issue 15 point 7 over a real store: acme is in New York.
@Suite struct BillingMonthsServiceTests {
    func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    @Test func eveningWorkOnTheLastDayIsBilledInThatMonthAndANewZoneWaitsForTheNextUnbilledMonth() throws {
        let f = try ServiceFixture()
        f.clock.advance(milliseconds: (29 * 24 - 1) * 3_600_000)  // 1 December, 08:00Z: the work logged below is done
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: at("2026-10-01T00:00:00Z"),
                billingTerms: BillingServiceTests.hourly), as: "bill")
        let ticket = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Server down"), as: "bob")
        // 19:30 on 30 November in New York.
        try f.app.billing.logTime(TimeLogRequest(ticket: ticket, minutes: 60, workType: "remote", startedAt: at("2026-12-01T00:30:00Z")), as: "bob")
        let november = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill").first?.drafted.first)
        #expect(november.lines.map(\.charge.period) == ["2026-11"])
        #expect(november.timeZone == "America/New_York")
        try f.app.billing.finalizeInvoice(november.id, as: "bill")

        // The client moves to Los Angeles; November stays billed in New York time.
        try f.app.directory.client("acme", .update(name: nil, domains: nil, timeZone: "America/Los_Angeles"), as: "dora")
        // 22:00 on 30 November in Los Angeles, 01:00 on 1 December in New York: after November's end, so December's.
        try f.app.billing.logTime(TimeLogRequest(ticket: ticket, minutes: 30, workType: "remote", startedAt: at("2026-12-01T06:00:00Z")), as: "bob")
        f.clock.advance(milliseconds: 40 * 86_400_000)  // 10 January: the December run is not ahead of time
        let december = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-12")!, as: "bill").first?.drafted.first)
        #expect(december.lines.map(\.charge.period) == ["2026-12"])
        #expect(december.lines.allSatisfy { !$0.adjustment }, "nothing billed for November changes")
        #expect(december.timeZone == "America/Los_Angeles")
        // 23:00 on 31 December in Los Angeles is still December.
        try f.app.billing.logTime(TimeLogRequest(ticket: ticket, minutes: 15, workType: "remote", startedAt: at("2027-01-01T07:00:00Z")), as: "bob")
        let sheet = try f.app.billing.charges(client: "acme", through: BillingPeriod("2026-12")!)
        #expect(sheet.charges.first { $0.period == "2026-12" }?.loggedMinutes == 45)
    }
}
