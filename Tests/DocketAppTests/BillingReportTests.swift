import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import Testing

/// The billing reports as pure folds: hand-made events in, rows out. Every expected figure is worked out by hand
/// in the comments, not with the report's own arithmetic.
@Suite("Billing reports (fold)")
struct BillingReportTests {
    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
    static let november = BillingReportWindow(from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"))


    /// The scenario of the tests below (November 2026):
    /// - acme (USD): T-1001 "network" opened Nov 2; T-1002 no category, opened Oct 30, closed Nov 5.
    /// - beta (EUR): T-1003 "helpdesk" opened Nov 10, moved to "network", closed Nov 12.
    /// - bob costs 60.00/h from Jan 1 and 90.00/h from Nov 15; alice has no cost rate.
    /// - TE-1 bob 90 min billable Nov 3 on T-1001 · TE-2 bob 30 min non-billable Nov 20 on T-1001 ·
    ///   TE-3 alice 60 min billable Nov 4 on T-1002 · TE-4 bob 45 min Oct 31, corrected to 50 min on Nov 16 ·
    ///   TE-5 bob 100 min Nov 6, voided · TE-6 bob 20 min billable Nov 11 on T-1003 (beta).
    /// - acme-D1: time 150.00 for 90 charged min (TE-1) + retainer fee 500.00, finalized Nov 30.
    ///   acme-D2: time 60.00 for 60 min (TE-3), finalized Oct 15, voided Nov 20. acme-D3: TE-4, only drafted.
    static var events: [BillingReportEvent] {
        [
            .clientRegistered(client: "acme", currency: "USD"),
            .clientRegistered(client: "beta", currency: "EUR"),
            .costRateSet(tech: "bob", rate: UserCostRateSet(version: 1, costPerHourMinor: 6_000, currency: "USD", effectiveFrom: at("2026-01-01T00:00:00Z"))),
            .costRateSet(tech: "bob", rate: UserCostRateSet(version: 2, costPerHourMinor: 9_000, currency: "USD", effectiveFrom: at("2026-11-15T00:00:00Z"))),
            .ticketOpened(ticket: 1002, client: "acme", category: nil, at: at("2026-10-30T09:00:00Z")),
            .timeLogged(entry: 4, ticket: 1001, tech: "bob", minutes: 45, billable: true, startedAt: at("2026-10-31T10:00:00Z")),
            .invoiceDrafted(ReportInvoice(
                invoice: "acme-D2", client: "acme", currency: "USD", timeAmount: 6_000, feeAmount: 0, chargedMinutes: 60,
                timeLines: [ReportInvoiceLine(key: "k2", entries: [ReportBilledEntry(entry: 3, minutes: 60)])])),
            .invoiceFinalized(invoice: "acme-D2", at: at("2026-10-15T12:00:00Z")),
            .ticketOpened(ticket: 1001, client: "acme", category: "network", at: at("2026-11-02T09:00:00Z")),
            .timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 90, billable: true, startedAt: at("2026-11-03T10:00:00Z")),
            .timeLogged(entry: 2, ticket: 1001, tech: "bob", minutes: 30, billable: false, startedAt: at("2026-11-20T10:00:00Z")),
            .timeLogged(entry: 3, ticket: 1002, tech: "alice", minutes: 60, billable: true, startedAt: at("2026-11-04T10:00:00Z")),
            .ticketClosed(ticket: 1002, at: at("2026-11-05T10:00:00Z")),
            .timeLogged(entry: 5, ticket: 1001, tech: "bob", minutes: 100, billable: true, startedAt: at("2026-11-06T10:00:00Z")),
            .timeVoided(entry: 5),
            .ticketOpened(ticket: 1003, client: "beta", category: "helpdesk", at: at("2026-11-10T09:00:00Z")),
            .timeLogged(entry: 6, ticket: 1003, tech: "bob", minutes: 20, billable: true, startedAt: at("2026-11-11T10:00:00Z")),
            .ticketCategoryChanged(ticket: 1003, category: "network"),
            .ticketClosed(ticket: 1003, at: at("2026-11-12T10:00:00Z")),
            .timeCorrected(entry: 4, minutes: 50, billable: nil, startedAt: at("2026-11-16T10:00:00Z")),
            .invoiceVoided(invoice: "acme-D2", at: at("2026-11-20T12:00:00Z")),
            .invoiceDrafted(ReportInvoice(
                invoice: "acme-D1", client: "acme", currency: "USD", timeAmount: 15_000, feeAmount: 50_000, chargedMinutes: 90,
                timeLines: [ReportInvoiceLine(key: "k1", entries: [ReportBilledEntry(entry: 1, minutes: 90)])])),
            .invoiceFinalized(invoice: "acme-D1", at: at("2026-11-30T12:00:00Z")),
            .invoiceDrafted(ReportInvoice(
                invoice: "acme-D3", client: "acme", currency: "USD", timeAmount: 7_500, feeAmount: 0, chargedMinutes: 50,
                timeLines: [ReportInvoiceLine(key: "k3", entries: [ReportBilledEntry(entry: 4, minutes: 50)])])),
        ]
    }

    static func fold(_ window: BillingReportWindow = november) -> BillingReportFold {
        var fold = BillingReportFold(window: window)
        for event in events { fold.apply(event) }
        return fold
    }

    @Test func profitability() throws {
        let rows = Self.fold().profitability()
        #expect(rows.map(\.client) == ["acme", "beta"])
        let acme = rows[0]
        // Revenue: D1 (150.00 time + 500.00 fee) finalized in November; D2's credit note (60.00 time) in November.
        #expect(acme.invoices == 1 && acme.creditNotes == 1)
        #expect(acme.invoicedMinor == 65_000 && acme.creditedMinor == 6_000)
        #expect(acme.timeRevenueMinor == 9_000)  // 15,000 − 6,000
        #expect(acme.feeRevenueMinor == 50_000)
        #expect(acme.revenueMinor == 59_000)
        // Logged on acme in November: TE-1 90 + TE-2 30 + TE-3 60 + TE-4 50 (after its correction) = 230; TE-5 voided.
        #expect(acme.loggedMinutes == 230)
        #expect(acme.unpricedMinutes == 60)  // alice has no rate
        // Cost: TE-1 90 min at 60.00 = 90.00; TE-2 30 min at 90.00 = 45.00; TE-4 50 min at 90.00 = 75.00 → 210.00.
        #expect(acme.costMinor == 21_000)
        #expect(acme.marginMinor == 38_000)
        #expect(acme.marginBasisPoints == 6_441)  // 380 / 590 = 64.4068%
        #expect(acme.billedMinutes == 30)  // 90 billed by D1 − 60 credited with D2
        #expect(acme.effectiveHourlyRateMinor == 18_000)  // 90.00 over half an hour
        let beta = rows[1]
        // bob's rate is in USD, beta is billed in EUR: the 20 minutes are unpriced, not converted.
        #expect(beta.currency == "EUR" && beta.loggedMinutes == 20 && beta.unpricedMinutes == 20 && beta.costMinor == 0)
        #expect(beta.revenueMinor == 0 && beta.marginBasisPoints == nil && beta.effectiveHourlyRateMinor == nil)
    }

    @Test func aClientWhoseTimeIsAllUnpricedHasNoMarginPercentage() {
        var fold = BillingReportFold(window: Self.november)
        // gamma (EUR) pays 300.00 for one hour of bob's, whose only cost rate is in USD: the cost is unknown.
        fold.apply(.clientRegistered(client: "gamma", currency: "EUR"))
        fold.apply(.costRateSet(tech: "bob", rate: UserCostRateSet(version: 1, costPerHourMinor: 6_000, currency: "USD", effectiveFrom: Self.at("2026-01-01T00:00:00Z"))))
        fold.apply(.ticketOpened(ticket: 1001, client: "gamma", category: nil, at: Self.at("2026-11-02T09:00:00Z")))
        fold.apply(.timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 60, billable: true, startedAt: Self.at("2026-11-03T10:00:00Z")))
        fold.apply(.invoiceDrafted(ReportInvoice(
            invoice: "gamma-D1", client: "gamma", currency: "EUR", timeAmount: 30_000, feeAmount: 0, chargedMinutes: 60,
            timeLines: [ReportInvoiceLine(key: "k1", entries: [ReportBilledEntry(entry: 1, minutes: 60)])])))
        fold.apply(.invoiceFinalized(invoice: "gamma-D1", at: Self.at("2026-11-30T12:00:00Z")))
        let row = fold.profitability().first
        #expect(row?.revenueMinor == 30_000 && row?.unpricedMinutes == 60 && row?.costMinor == 0)
        #expect(row?.marginBasisPoints == nil)
    }

    @Test func leakage() {
        let rows = Self.fold().leakage()
        // acme: billable TE-1 90 (on D1) + TE-3 60 (its invoice was voided) + TE-4 50 (only drafted); TE-2 30 non-billable.
        #expect(rows == [
            LeakageRow(client: "acme", billableMinutes: 200, billedMinutes: 90, unbilledMinutes: 110, nonBillableMinutes: 30, leakageBasisPoints: 5_500),
            LeakageRow(client: "beta", billableMinutes: 20, billedMinutes: 0, unbilledMinutes: 20, nonBillableMinutes: 0, leakageBasisPoints: 10_000),
            // 130 / 220 = 59.0909%
            LeakageRow(client: "TOTAL", billableMinutes: 220, billedMinutes: 90, unbilledMinutes: 130, nonBillableMinutes: 30, leakageBasisPoints: 5_909),
        ])
    }

    @Test func utilization() {
        // November 2026 has 21 weekdays (it starts on a Sunday; 9 weekend days): 40 h × 60 × 21 / 5 = 10,080 minutes.
        let rows = Self.fold().utilization()
        #expect(rows == [
            // 60/60; 60/10,080 = 0.595% → 60 bp.
            UtilizationRow(
                tech: "alice", loggedMinutes: 60, billableMinutes: 60, capacityMinutes: 10_080, billableOfLoggedBasisPoints: 10_000,
                billableOfCapacityBasisPoints: 60, loggedOfCapacityBasisPoints: 60),
            // bob: TE-1 90 + TE-2 30 + TE-4 50 + TE-6 20 = 190 logged, 160 billable; 160/190 = 84.21%; 160/10,080 = 1.587%; 190/10,080 = 1.885%.
            UtilizationRow(
                tech: "bob", loggedMinutes: 190, billableMinutes: 160, capacityMinutes: 10_080, billableOfLoggedBasisPoints: 8_421,
                billableOfCapacityBasisPoints: 159, loggedOfCapacityBasisPoints: 188),
        ])
    }

    @Test("capacity is prorated over weekday time", arguments: [
        // A Monday to the next Monday: 5 weekdays = 40 h = 2,400 min.
        ("2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z", 40, Int64(2_400)),
        // A weekend: none.
        ("2026-11-07T00:00:00Z", "2026-11-09T00:00:00Z", 40, 0),
        // Half of Monday at 32 h/week: 32 × 60 / 5 / 2 = 192.
        ("2026-11-02T00:00:00Z", "2026-11-02T12:00:00Z", 32, 192),
    ])
    func capacity(from: String, to: String, hours: Int, expected: Int64) {
        let window = BillingReportWindow(from: Self.at(from), to: Self.at(to), capacityHoursPerWeek: hours)
        var fold = BillingReportFold(window: window)
        fold.apply(.timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 10, billable: true, startedAt: Self.at(from)))
        #expect(fold.utilization().first?.capacityMinutes == expected)
    }

    @Test func volume() {
        #expect(Self.fold().volume() == [
            VolumeRow(client: "acme", category: nil, opened: 0, closed: 1),  // T-1002: opened in October
            VolumeRow(client: "acme", category: "network", opened: 1, closed: 0),
            VolumeRow(client: "beta", category: "network", opened: 1, closed: 1),  // its category now
        ])
    }

    @Test func aLaterFinalChargeUnderTheSameKeyReplacesTheEarlierOne() {
        // Entry TE-1 billed at 90 on INV 1, then corrected to 60 and billed back on INV 2 under the same key.
        var fold = BillingReportFold(window: Self.november)
        fold.apply(.ticketOpened(ticket: 1001, client: "acme", category: nil, at: Self.at("2026-11-02T09:00:00Z")))
        fold.apply(.timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 90, billable: true, startedAt: Self.at("2026-11-03T10:00:00Z")))
        for (id, minutes, billed) in [("acme-D1", 90, 90), ("acme-D2", 60, -30)] {
            fold.apply(.invoiceDrafted(ReportInvoice(
                invoice: id, client: "acme", currency: "USD", timeAmount: 0, feeAmount: 0, chargedMinutes: 0,
                timeLines: [ReportInvoiceLine(key: "k", entries: [ReportBilledEntry(entry: 1, minutes: minutes)], lineMinutes: billed)])))
            fold.apply(.invoiceFinalized(invoice: id, at: Self.at("2026-11-30T00:00:00Z")))
        }
        fold.apply(.timeCorrected(entry: 1, minutes: 60, billable: nil, startedAt: nil))
        #expect(fold.leakage().first == LeakageRow(
            client: "acme", billableMinutes: 60, billedMinutes: 60, unbilledMinutes: 0, nonBillableMinutes: 0, leakageBasisPoints: 0))
    }

    /// TE-1 (180 min) billed on INV 1; corrected to 150 and adjusted by −30 on INV 2 (final); INV 1 then voided. The
    /// key's live final lines add up to −30, not to the 150 the adjustment's charge holds: nothing of TE-1 is billed
    /// (the client was credited its 180 minutes and billed −30), until a run bills the key again. Leakage counted its 150
    /// minutes as billed, from the adjustment line alone.
    @Test func anAdjustmentLineDoesNotBillAKeyWhoseEarlierInvoiceWasVoided() {
        var fold = BillingReportFold(window: Self.november)
        fold.apply(.ticketOpened(ticket: 1001, client: "acme", category: nil, at: Self.at("2026-11-02T09:00:00Z")))
        fold.apply(.timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 180, billable: true, startedAt: Self.at("2026-11-03T10:00:00Z")))
        func bill(_ id: String, minutes: Int, line: Int) {
            fold.apply(.invoiceDrafted(ReportInvoice(
                invoice: id, client: "acme", currency: "USD", timeAmount: 0, feeAmount: 0, chargedMinutes: Int64(line),
                timeLines: [ReportInvoiceLine(key: "k", entries: [ReportBilledEntry(entry: 1, minutes: minutes)], lineMinutes: line)])))
            fold.apply(.invoiceFinalized(invoice: id, at: Self.at("2026-11-30T00:00:00Z")))
        }
        func leakage() -> LeakageRow? { fold.leakage().first }
        bill("acme-D1", minutes: 180, line: 180)
        fold.apply(.timeCorrected(entry: 1, minutes: 150, billable: nil, startedAt: nil))
        bill("acme-D2", minutes: 150, line: -30)
        #expect(leakage()?.billedMinutes == 150)
        fold.apply(.invoiceVoided(invoice: "acme-D1", at: Self.at("2026-12-01T00:00:00Z")))
        #expect(leakage() == LeakageRow(
            client: "acme", billableMinutes: 150, billedMinutes: 0, unbilledMinutes: 150, nonBillableMinutes: 0, leakageBasisPoints: 10_000))
        // The next run bills the key again: 150 − (−30) = 180 minutes on its line; the live finals add up to 150.
        bill("acme-D3", minutes: 150, line: 180)
        #expect(leakage()?.billedMinutes == 150)
    }

    /// Live final lines that add up to part of the charge bill that share of its entries: 60 min billed on INV 1, a
    /// draft adding 30 was discarded and a later run's −30 (drafted against it) finalized: 60 − 30 = 30 of 60.
    @Test func keysBilledInPartBillThatShareOfTheirEntries() {
        var fold = BillingReportFold(window: Self.november)
        fold.apply(.ticketOpened(ticket: 1001, client: "acme", category: nil, at: Self.at("2026-11-02T09:00:00Z")))
        fold.apply(.timeLogged(entry: 1, ticket: 1001, tech: "bob", minutes: 60, billable: true, startedAt: Self.at("2026-11-03T10:00:00Z")))
        for (id, minutes, line, final) in [("acme-D1", 60, 60, true), ("acme-D2", 90, 30, false), ("acme-D3", 60, -30, true)] {
            fold.apply(.invoiceDrafted(ReportInvoice(
                invoice: id, client: "acme", currency: "USD", timeAmount: 0, feeAmount: 0, chargedMinutes: Int64(line),
                timeLines: [ReportInvoiceLine(key: "k", entries: [ReportBilledEntry(entry: 1, minutes: minutes)], lineMinutes: line)])))
            if final { fold.apply(.invoiceFinalized(invoice: id, at: Self.at("2026-11-30T00:00:00Z"))) }
        }
        #expect(fold.leakage().first == LeakageRow(
            client: "acme", billableMinutes: 60, billedMinutes: 30, unbilledMinutes: 30, nonBillableMinutes: 0, leakageBasisPoints: 5_000))
    }

    // MARK: - Reading payloads

    /// Reads `payload` of `type` on `stream` as the scan would.
    static func read(type: String, stream: String, payload: [UInt8], recordedAt: Timestamp = at("2026-11-05T00:00:00Z")) throws -> BillingReportEvent? {
        let typeBytes = Array(type.utf8)
        let streamBytes = Array(stream.utf8)
        return try typeBytes.withUnsafeBytes { t in
            try streamBytes.withUnsafeBytes { s in
                try payload.withUnsafeBytes { p in
                    try BillingReportEvent.read(RawEventView(
                        position: 1, recordedAtMilliseconds: recordedAt.millisecondsSinceEpoch, schemaVersion: 1, stream: s, type: t,
                        actor: UnsafeRawBufferPointer(start: nil, count: 0), payload: p))
                }
            }
        }
    }

    @Test func readsTheCanonicalPayloadsDocketWrites() throws {
        let logged = TimeEvent.logged(TimeLogged(
            entryId: "TE-7", ticket: "T-1042", tech: "bob", minutes: 45, workType: "remote", billable: false,
            startedAt: "2026-11-03T10:00:00.000Z", note: "fixed \"the\" printer\n✓"))
        #expect(try Self.read(type: "time.logged", stream: "time-TE-7", payload: logged.payload()) == .timeLogged(
            entry: 7, ticket: 1042, tech: "bob", minutes: 45, billable: false, startedAt: Self.at("2026-11-03T10:00:00Z"), workType: "remote"))
        let corrected = TimeEvent.corrected(TimeCorrected(minutes: 30, reason: "typo"))
        #expect(try Self.read(type: "time.corrected", stream: "time-TE-7", payload: corrected.payload()) == .timeCorrected(
            entry: 7, minutes: 30, billable: nil, startedAt: nil))
        let moved = TimeEvent.corrected(TimeCorrected(workType: "onsite", reason: "was on site"))
        #expect(try Self.read(type: "time.corrected", stream: "time-TE-7", payload: moved.payload()) == .timeCorrected(
            entry: 7, minutes: nil, billable: nil, startedAt: nil, workType: "onsite"))
        // Contract events are few: the reports decode them in full (for the terms that never bill some work).
        let created = ContractEvent.created(ContractCreated(
            id: "acme-msa", client: "acme", name: "MSA", effectiveFrom: Self.at("2026-01-01T00:00:00Z"), slaPolicy: nil,
            billingTerms: ["model": "hourly", "currency": "USD", "rates": ["*": 1], "nonBillableWorkTypes": ["internal"]]))
        #expect(try Self.read(type: "contract.created", stream: "contract-acme-msa", payload: created.payload()) == .contract(id: "acme-msa", created))
        let rate = UserEvent.costRateSet(UserCostRateSet(version: 2, costPerHourMinor: 4_500, currency: "USD", effectiveFrom: Self.at("2026-01-01T00:00:00Z")))
        #expect(try Self.read(type: "user.cost-rate-set", stream: "user-bob", payload: rate.payload()) == .costRateSet(
            tech: "bob", rate: UserCostRateSet(version: 2, costPerHourMinor: 4_500, currency: "USD", effectiveFrom: Self.at("2026-01-01T00:00:00Z"))))
        // Other types are skipped without reading the payload.
        #expect(try Self.read(type: "ticket.commented", stream: "ticket-T-1", payload: Array("not json".utf8)) == nil)
        // Whitespace and escapes are accepted; a fraction is refused.
        let spaced = Array(#"{ "billable" : true , "entryId":"TE-1", "minutes": 5, "startedAt": "2026-11-03T10:00:00Z", "tech": "b\u006fb", "ticket": "T-1001", "workType": "x" }"#.utf8)
        #expect(try Self.read(type: "time.logged", stream: "time-TE-1", payload: spaced) == .timeLogged(
            entry: 1, ticket: 1001, tech: "bob", minutes: 5, billable: true, startedAt: Self.at("2026-11-03T10:00:00Z"), workType: "x"))
        let fraction = Array(#"{"billable":true,"minutes":5.5,"startedAt":"2026-11-03T10:00:00Z","tech":"b","ticket":"T-1"}"#.utf8)
        #expect(throws: EventDecodingError.self) { try Self.read(type: "time.logged", stream: "time-TE-1", payload: fraction) }
    }

    @Test func readsADraftedInvoiceLineByLine() throws {
        func charge(_ key: String, _ kind: Charge.Kind, amount: Int64, charged: Int, entries: [ChargedEntry]) throws -> Charge {
            // Charge has no public memberwise init: build it from JSON the way the log holds it.
            let json: [String: Any] = [
                "key": key, "kind": kind.rawValue, "period": "2026-11", "description": "d", "afterHours": false, "contract": "c",
                "amendment": 0, "currency": "USD",
                "entries": entries.map { ["entryId": $0.entryId, "tech": $0.tech, "startedAt": $0.startedAt, "minutes": $0.minutes, "workType": $0.workType, "position": $0.position] },
                "loggedMinutes": charged, "roundingMinutes": 0, "minimumMinutes": 0, "coveredMinutes": 0, "chargedMinutes": charged,
                "ratePerHour": 6_000, "multiplierPercent": 100, "amount": amount, "taxBasisPoints": 0,
            ]
            return try JSONDecoder().decode(Charge.self, from: JSONSerialization.data(withJSONObject: json))
        }
        let e1 = ChargedEntry(entryId: "TE-1", tech: "bob", startedAt: "2026-11-03T10:00:00.000Z", minutes: 90, workType: "remote", position: 9)
        let e2 = ChargedEntry(entryId: "TE-2", tech: "bob", startedAt: "2026-11-04T10:00:00.000Z", minutes: 30, workType: "remote", position: 10)
        let lines = [
            InvoiceLine(
                charge: try charge("time:T-1001", .time, amount: 12_000, charged: 120, entries: [e1, e2]), previousChargedMinutes: 90,
                previousCoveredMinutes: 0, previousAmount: 9_000, previousInvoices: ["acme-D1"], adjustment: true),
            InvoiceLine(
                charge: try charge("retainer-fee:c:2026-11", .retainerFee, amount: 50_000, charged: 0, entries: []), previousChargedMinutes: 0,
                previousCoveredMinutes: 0, previousAmount: 0, previousInvoices: [], adjustment: false),
        ]
        let drafted = InvoiceEvent.drafted(InvoiceDrafted(
            invoice: "acme-D2", client: "acme", period: "2026-11", currency: "USD", lines: lines, subtotal: 53_000, taxes: [], total: 53_000,
            draftedAt: "2026-12-01T00:00:00.000Z"))
        // Amounts are the lines' own: 12,000 − 9,000 = 3,000 time for 120 − 90 = 30 minutes; the fee 50,000.
        #expect(try Self.read(type: "invoice.drafted", stream: "billing-acme", payload: drafted.payload()) == .invoiceDrafted(ReportInvoice(
            invoice: "acme-D2", client: "acme", currency: "USD", period: "2026-11", timeAmount: 3_000, feeAmount: 50_000, chargedMinutes: 30,
            timeLines: [ReportInvoiceLine(
                key: "time:T-1001", entries: [ReportBilledEntry(entry: 1, minutes: 90), ReportBilledEntry(entry: 2, minutes: 30)],
                chargeMinutes: 120, lineMinutes: 30)])))
    }
}
