import DocketApp
import DocketTime
import Domain
import EventLog
import Testing

/// Issue 15 point 9: revenue belongs to the invoice's period; leakage counts only billable time never billed.
@Suite("Billing reports: revenue by period, leakage without contract non-billable time")
struct BillingReportDatingTests {
    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
    static func window(_ from: String, _ to: String, by: RevenueDating = .period) -> BillingReportWindow {
        BillingReportWindow(from: at(from), to: at(to), revenueBy: by)
    }

    static func invoice(_ id: String, period: String, time: Int64) -> BillingReportEvent {
        var data = ReportInvoice(
            invoice: id, client: "acme", currency: "USD", timeAmount: time, feeAmount: 0, chargedMinutes: 60, timeLines: [])
        data.period = period
        return .invoiceDrafted(data)
    }

    /// November's invoice finalized on 2 December; October's invoice voided on 20 November; 60 min of November work
    /// by bob at 50.00/h.
    static let events: [BillingReportEvent] = [
        .clientRegistered(client: "acme", currency: "USD"),
        .costRateSet(tech: "bob", rate: UserCostRateSet(version: 1, costPerHourMinor: 5_000, currency: "USD", effectiveFrom: at("2026-01-01T00:00:00Z"))),
        .ticketOpened(ticket: 1001, client: "acme", category: nil, at: at("2026-10-02T09:00:00Z")),
        invoice("acme-D1", period: "2026-10", time: 8_000),
        .invoiceFinalized(invoice: "acme-D1", at: at("2026-11-01T10:00:00Z")),
        .timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 60, billable: true, startedAt: at("2026-11-10T15:00:00Z")),
        .invoiceVoided(invoice: "acme-D1", at: at("2026-11-20T10:00:00Z")),
        invoice("acme-D2", period: "2026-11", time: 12_000),
        .invoiceFinalized(invoice: "acme-D2", at: at("2026-12-02T10:00:00Z")),
    ]

    static func profitability(_ window: BillingReportWindow) -> ProfitabilityRow? {
        var fold = BillingReportFold(window: window)
        for event in events { fold.apply(event) }
        return fold.profitability().first
    }

    @Test func novembersInvoiceFinalizedInDecemberIsNovembersRevenue() throws {
        let november = try #require(Self.profitability(Self.window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")))
        #expect(november.invoices == 1 && november.invoicedMinor == 12_000)
        // October's invoice and its credit note both belong to October.
        #expect(november.creditNotes == 0 && november.creditedMinor == 0)
        #expect(november.revenueMinor == 12_000)
        #expect(november.costMinor == 5_000)
        #expect(november.marginMinor == 7_000, "November's cost meets November's revenue: no loss")
        let october = try #require(Self.profitability(Self.window("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")))
        #expect(october.invoicedMinor == 8_000 && october.creditedMinor == 8_000 && october.revenueMinor == 0)
    }

    @Test func byIssuedDatesRevenueWhenInvoicesAndCreditNotesWereIssued() throws {
        let november = try #require(Self.profitability(Self.window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", by: .issued)))
        // D1 finalized 1 November and voided 20 November; D2 finalized in December.
        #expect(november.invoices == 1 && november.invoicedMinor == 8_000)
        #expect(november.creditNotes == 1 && november.creditedMinor == 8_000)
        #expect(november.revenueMinor == 0 && november.marginMinor == -5_000)
        let december = try #require(Self.profitability(Self.window("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", by: .issued)))
        #expect(december.revenueMinor == 12_000)
    }

    @Test func leakageKeepsContractNonBillableTimeInItsOwnColumn() throws {
        let f = try ServiceFixture()
        f.clock.advance(milliseconds: 10 * 86_400_000)  // 12 November: after the work logged below
        let terms: JSONValue = [
            "model": "retainer", "currency": "USD", "rates": ["*": 12_000], "nonBillableWorkTypes": ["internal"],
            "retainer": ["monthlyFeeMinor": 100_000, "includedMinutes": 0, "coveredCategories": ["helpdesk"]],
        ]
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: Self.at("2026-10-01T00:00:00Z"),
                billingTerms: terms), as: "bill")
        let network = try f.app.tickets.openTicket(TicketIntake(client: "acme", category: "network", subject: "VPN"), as: "bob")
        let helpdesk = try f.app.tickets.openTicket(TicketIntake(client: "acme", category: "helpdesk", subject: "Password"), as: "bob")
        func log(_ ticket: TicketNumber, _ minutes: Int, _ workType: String, billable: Bool = true, day: Int) throws {
            try f.app.billing.logTime(
                TimeLogRequest(
                    ticket: ticket, minutes: minutes, workType: workType, billable: billable, startedAt: Self.at("2026-11-0\(day)T15:00:00Z")),
                as: "bob")
        }
        try log(network, 60, "remote", day: 3)
        try log(network, 30, "internal", day: 4)
        try log(helpdesk, 45, "remote", day: 5)
        try log(network, 15, "remote", billable: false, day: 6)
        let draft = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill").first?.drafted.first)
        try f.app.billing.finalizeInvoice(draft.id, as: "bill")
        try log(network, 20, "remote", day: 9)
        let rows = try f.app.billing.billingReports(Self.window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")).leakage()
        let acme = try #require(rows.first { $0.client == "acme" })
        // Billable: 60 (billed) + 20 (logged after the invoice); internal work and the covered category are not leakage.
        #expect(acme.billableMinutes == 80 && acme.billedMinutes == 60 && acme.unbilledMinutes == 20)
        #expect(acme.contractNonBillableMinutes == 75)
        #expect(acme.nonBillableMinutes == 15)
        #expect(acme.leakageBasisPoints == 2_500)
        #expect(rows.last?.contractNonBillableMinutes == 75, "the total carries the column too")
    }
}
