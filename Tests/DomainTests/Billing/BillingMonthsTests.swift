import DocketTime
import Domain
import Testing

/// Issue 15 point 7: billing months follow the client's time zone; a new zone takes effect from the next unbilled month.
@Suite("Billing: months in the client's time zone")
struct BillingMonthsTests {
    typealias F = BillingFixture
    static let newYork = BillingMonths(current: "America/New_York")

    @Test func workAt1930NewYorkTimeOnThe30thOfNovemberIsNovember() throws {
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly())
        // 19:30 in New York on 30 November is 00:30 UTC on 1 December.
        let entry = F.entry(1, minutes: 60, at: "2026-12-01T00:30:00Z")
        let sheet = try ChargeCalculator.charges(
            BillingInput(client: "acme", contracts: [contract], calendars: F.calendars, tickets: F.tickets, entries: [entry], months: Self.newYork),
            through: F.november)
        #expect(sheet.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0"])
        #expect(sheet.charges.first?.period == "2026-11")
        // And work at 23:30 New York time on 31 October is October, not November.
        let october = F.entry(2, minutes: 30, at: "2026-11-01T03:30:00Z")
        let both = try ChargeCalculator.charges(
            BillingInput(
                client: "acme", contracts: [contract], calendars: F.calendars, tickets: F.tickets, entries: [entry, october], months: Self.newYork),
            through: F.november)
        #expect(both.charges.map(\.period) == ["2026-10", "2026-11"])
    }

    @Test func monthsEndAtLocalMidnightAcrossDaylightSaving() {
        // November starts at 04:00 UTC (EDT) and ends at 05:00 UTC (EST).
        #expect(Self.newYork.start(of: F.november) == F.at("2026-11-01T04:00:00Z"))
        #expect(Self.newYork.end(of: F.november) == F.at("2026-12-01T05:00:00Z"))
        #expect(Self.newYork.period(containing: F.at("2026-12-01T04:59:59Z")) == F.november)
        #expect(Self.newYork.period(containing: F.at("2026-12-01T05:00:00Z")) == F.december)
        #expect(Self.newYork.period(containing: F.at("2026-11-01T03:59:59Z")) == BillingPeriod("2026-10"))
        let tokyo = BillingMonths(current: "Asia/Tokyo")
        #expect(tokyo.period(containing: F.at("2026-11-30T15:00:00Z")) == F.december, "midnight 1 December in Tokyo")
        #expect(BillingMonths.utc.end(of: F.november) == F.november.end)
    }

    @Test func aNewZoneTakesEffectFromTheNextUnbilledMonth() {
        var ledger = InvoiceLedger()
        ledger = ledger.applying(.drafted(Self.draft("acme-D1", period: "2026-11", timeZone: "America/New_York")))
        let months = ledger.billingMonths(current: "America/Los_Angeles")
        #expect(months.zone(of: F.november) == "America/New_York", "November was billed in New York time")
        #expect(months.zone(of: BillingPeriod("2026-06")!) == "America/New_York", "so were the months before it")
        #expect(months.zone(of: F.december) == "America/Los_Angeles")
        // December starts where November ended (midnight in New York) and ends at midnight in Los Angeles.
        #expect(months.start(of: F.december) == F.at("2026-12-01T05:00:00Z"))
        #expect(months.end(of: F.december) == F.at("2027-01-01T08:00:00Z"))
        // 22:00 on 30 November in Los Angeles is already December: November is closed.
        #expect(months.period(containing: F.at("2026-12-01T06:00:00Z")) == F.december)
    }

    /// A wall-clock reading (a report's `--from 2026-11-01`) is read in the zone of the billing month it falls in, and
    /// midnight starting a month is where the month starts: after October billed in Kolkata and a move to UTC, 1
    /// November is 18:30Z on 31 October, not midnight UTC; after a move the other way, a reading Kolkata's clock puts
    /// before the month's start (00:30 on 1 November, UTC's 31 October) is the start.
    @Test func aReadingIsInTheZoneOfItsBillingMonth() {
        var ledger = InvoiceLedger()
        ledger = ledger.applying(.drafted(Self.draft("kol-D1", period: "2026-10", timeZone: "Asia/Kolkata")))
        let toUTC = ledger.billingMonths(current: "UTC")
        #expect(toUTC.instant(reading: F.at("2026-11-01T00:00:00Z")) == F.at("2026-10-31T18:30:00Z"))
        #expect(toUTC.instant(reading: F.at("2026-10-15T10:00:00Z")) == F.at("2026-10-15T04:30:00Z"), "October is Kolkata's")
        #expect(toUTC.instant(reading: F.at("2026-11-15T10:00:00Z")) == F.at("2026-11-15T10:00:00Z"), "November is UTC's")
        #expect(toUTC.instant(reading: F.at("2026-12-01T00:00:00Z")) == F.at("2026-12-01T00:00:00Z"))

        ledger = InvoiceLedger().applying(.drafted(Self.draft("kol-D1", period: "2026-10", timeZone: "UTC")))
        let toKolkata = ledger.billingMonths(current: "Asia/Kolkata")
        #expect(toKolkata.instant(reading: F.at("2026-11-01T00:00:00Z")) == F.at("2026-11-01T00:00:00Z"), "October ended at midnight UTC")
        #expect(toKolkata.instant(reading: F.at("2026-11-01T00:30:00Z")) == F.at("2026-11-01T00:00:00Z"), "not before the month's start")
        #expect(toKolkata.instant(reading: F.at("2026-11-02T00:00:00Z")) == F.at("2026-11-01T18:30:00Z"))
        // Without a billed month it is the zone's own clock.
        #expect(BillingMonths(current: "Asia/Kolkata").instant(reading: F.at("2026-11-01T00:00:00Z")) == F.at("2026-10-31T18:30:00Z"))
    }

    @Test func invoicesWithoutAZoneKeepTheirUTCMonthsAndDiscardedDraftsFixNothing() {
        var ledger = InvoiceLedger()
        ledger = ledger.applying(.drafted(Self.draft("acme-D1", period: "2026-10", timeZone: nil)))
        ledger = ledger.applying(.drafted(Self.draft("acme-D2", period: "2026-11", timeZone: "Asia/Tokyo")))
        ledger = ledger.applying(.discarded(InvoiceDiscarded(invoice: "acme-D2", reason: "rerun")))
        let months = ledger.billingMonths(current: "America/New_York")
        #expect(months.spans == [BillingMonths.Span(through: BillingPeriod("2026-10")!, zone: "UTC")])
        #expect(months.start(of: F.november) == F.at("2026-11-01T00:00:00Z"), "November starts where UTC October ended")
        #expect(months.end(of: F.november) == F.at("2026-12-01T05:00:00Z"))
    }

    @Test func aRunRecordsTheZoneOfItsPeriod() throws {
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly())
        let sheet = F.sheet([contract], [F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z")])
        var books = BillingBooks()
        let events = try books.decide(.draft(client: "acme", period: F.november, charges: sheet.charges, timeZone: "America/New_York"))
        guard case .drafted(let drafted)? = events.first else {
            Issue.record("no draft")
            return
        }
        #expect(drafted.timeZone == "America/New_York")
        #expect(books.ledger.invoices.first?.timeZone == "America/New_York")
    }

    @Test func anOldStoreReRunsWithoutAdjustmentsWhenTheClientsZoneTakesEffect() throws {
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly())
        // 15:00 and 21:00 in New York on 30 November; the second is 02:00 UTC on 1 December.
        let entries = [F.entry(1, minutes: 60, at: "2026-11-30T20:00:00Z"), F.entry(2, minutes: 30, at: "2026-12-01T02:00:00Z")]
        func sheet(_ months: BillingMonths, through period: BillingPeriod) -> ChargeSheet {
            try! ChargeCalculator.charges(
                BillingInput(client: "acme", contracts: [contract], calendars: F.calendars, tickets: F.tickets, entries: entries, months: months),
                through: period)
        }
        // November invoiced before billing months followed the client's zone: UTC months, no zone recorded.
        var books = BillingBooks()
        try books.run(sheet(.utc, through: F.november))
        books.ledger.invoices[0].timeZone = nil
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        #expect(books.ledger.invoices[0].lines.map(\.charge.key) == ["time:T-1001:2026-11:remote:std:acme-msa#0"])

        let months = books.ledger.billingMonths(current: "America/New_York")
        #expect(try books.run(sheet(months, through: F.november)).isEmpty, "November re-runs as it was billed")
        let december = try #require(try books.run(sheet(months, through: F.december), F.december).first)
        #expect(december.lines.map(\.charge.key) == ["time:T-1001:2026-12:remote:std:acme-msa#0"])
        #expect(december.lines.allSatisfy { !$0.adjustment })
    }

    static func draft(_ id: String, period: String, timeZone: String?) -> InvoiceDrafted {
        InvoiceDrafted(
            invoice: id, client: "acme", period: period, currency: "USD", lines: [], subtotal: 0, taxes: [], total: 0,
            draftedAt: "2026-12-01T10:00:00.000Z", timeZone: timeZone)
    }
}
