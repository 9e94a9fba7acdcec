import DocketApp
import DocketTime
import Domain
import EventLog
import Testing

/// Invoice runs over a real store: drafts, finals, adjustments, credit notes and gapless numbers.
@Suite struct BillingServiceTests {
    static let hourly: JSONValue = [
        "model": "hourly", "currency": "USD", "rates": ["remote": 12_000, "onsite": 15_000],
        "rounding": ["incrementMinutes": 15, "scope": "entry"], "taxBasisPoints": 1_000,
    ]

    /// acme on hourly terms from October, a ticket, and `minutes` logged by bob on 3 November; the clock on 25 November,
    /// after the work the tests log (time is logged once it is worked).
    func fixture(minutes: [Int]) throws -> (ServiceFixture, TicketNumber, [String]) {
        let f = try ServiceFixture()
        f.clock.advance(milliseconds: 23 * 86_400_000)
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: Timestamp(iso8601: "2026-10-01T00:00:00Z")!,
                billingTerms: Self.hourly), as: "bill")
        let ticket = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Server down"), as: "bob")
        let entries = try minutes.enumerated().map { index, minutes in
            try f.app.billing.logTime(
                TimeLogRequest(
                    ticket: ticket, minutes: minutes, workType: "remote",
                    startedAt: Timestamp(iso8601: "2026-11-03T1\(index):00:00Z")), as: "bob")
        }
        return (f, ticket, entries)
    }

    @Test func aRunDraftsTimeAtTheContractRateWithTax() throws {
        let (f, _, _) = try fixture(minutes: [50, 20])
        let runs = try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill")
        let draft = try #require(runs.first { $0.client == "acme" }?.drafted.first)
        // 50 → 60 and 20 → 30 minutes: 90 minutes at 120.00/h = 180.00; tax 10% = 18.00.
        #expect(draft.lines.count == 1)
        #expect(draft.lines[0].chargedMinutes == 90)
        #expect(draft.subtotal == 18_000)
        #expect(draft.taxes == [TaxLine(basisPoints: 1_000, base: 18_000, tax: 1_800)])
        #expect(draft.total == 19_800)
        #expect(draft.id == "acme-D1")
        #expect(runs.first { $0.client == "globex" }?.drafted.isEmpty == true)
    }

    @Test func aSecondRunDraftsOnlyWhatIsNew() throws {
        let (f, ticket, _) = try fixture(minutes: [60])
        let period = BillingPeriod("2026-11")!
        _ = try f.app.billing.runInvoices(period: period, as: "bill")
        #expect(try f.app.billing.runInvoices(period: period, as: "bill").allSatisfy { $0.drafted.isEmpty })
        try f.app.billing.logTime(
            TimeLogRequest(ticket: ticket, minutes: 30, workType: "onsite", startedAt: Timestamp(iso8601: "2026-11-04T10:00:00Z")), as: "bob")
        let second = try #require(try f.app.billing.runInvoices(period: period, client: "acme", as: "bill").first?.drafted.first)
        #expect(second.lines.map(\.charge.workType) == ["onsite"])
        #expect(second.subtotal == 7_500)
    }

    @Test func aCorrectionToFinalizedTimeBecomesAnAdjustmentLine() throws {
        let (f, _, entries) = try fixture(minutes: [60])
        let period = BillingPeriod("2026-11")!
        let draft = try #require(try f.app.billing.runInvoices(period: period, as: "bill").first?.drafted.first)
        let final = try f.app.billing.finalizeInvoice(draft.id, as: "bill")
        #expect(final.number == "INV-2026-0001")
        let finalRow = try f.models.billing.invoiceRow(draft.id, in: f.store)
        try f.app.billing.correctTime(entries[0], TimeCorrection(minutes: 30, reason: "was half an hour"), as: "bob")
        let adjustment = try #require(try f.app.billing.runInvoices(period: period, as: "bill").first?.drafted.first)
        #expect(adjustment.lines.count == 1)
        #expect(adjustment.lines[0].adjustment)
        #expect(adjustment.lines[0].previousInvoices == [draft.id])
        #expect(adjustment.lines[0].chargedMinutes == -30)
        #expect(adjustment.subtotal == -6_000)
        // The final invoice itself never changed.
        #expect(try f.models.billing.invoiceRow(draft.id, in: f.store) == finalRow)
    }

    @Test func voidingIssuesACreditNoteAndTheNextRunBillsTheTimeAgain() throws {
        let (f, _, _) = try fixture(minutes: [60])
        let period = BillingPeriod("2026-11")!
        let draft = try #require(try f.app.billing.runInvoices(period: period, as: "bill").first?.drafted.first)
        try f.app.billing.finalizeInvoice(draft.id, as: "bill")
        let voided = try f.app.billing.voidInvoice("INV-2026-0001", reason: "wrong client", as: "bill")
        #expect(voided.status == .voided)
        #expect(voided.creditNote == "CN-2026-0001")
        #expect(try f.app.billing.invoice("CN-2026-0001").id == draft.id)
        let again = try #require(try f.app.billing.runInvoices(period: period, as: "bill").first?.drafted.first)
        #expect(again.subtotal == draft.subtotal)
        #expect(again.lines.allSatisfy { !$0.adjustment })
        let next = try f.app.billing.finalizeInvoice(again.id, as: "bill")
        #expect(next.number == "INV-2026-0002")
    }

    @Test func finalInvoicesCannotBeDiscardedAndDraftsCannotBeVoided() throws {
        let (f, _, _) = try fixture(minutes: [60])
        let draft = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill").first?.drafted.first)
        #expect(throws: DomainError.self) { try f.app.billing.voidInvoice(draft.id, reason: "x", as: "bill") }
        try f.app.billing.finalizeInvoice(draft.id, as: "bill")
        let before = try f.store.head()
        #expect(throws: DomainError.self) { try f.app.billing.discardInvoice(draft.id, reason: "x", as: "bill") }
        #expect(throws: DomainError.self) { try f.app.billing.finalizeInvoice(draft.id, as: "bill") }
        #expect(try f.store.head() == before)
    }

    @Test func aTechCannotRunInvoices() throws {
        let (f, _, _) = try fixture(minutes: [60])
        let error = try #require(throws: DomainError.self) { try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bob") }
        #expect(error.code == .forbidden)
    }

    @Test func timeWithoutTermsIsHeldBackWithTheReason() throws {
        let f = try ServiceFixture()
        let ticket = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "No contract"), as: "bob")
        try f.app.billing.logTime(TimeLogRequest(ticket: ticket, minutes: 45, workType: "remote"), as: "bob")
        let run = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, client: "acme", as: "bill").first)
        #expect(run.drafted.isEmpty)
        #expect(run.heldBack.count == 1)
        #expect(run.heldBack[0].reason.contains("no contract with billing terms"))
    }

    @Test func aRetriedRunWithTheSameCommandIdWritesNothing() throws {
        let (f, _, _) = try fixture(minutes: [60])
        let period = BillingPeriod("2026-11")!
        let first = try f.app.billing.runInvoices(period: period, as: "bill", commandId: "run-nov")
        let head = try f.store.head()
        let retry = try f.app.billing.runInvoices(period: period, as: "bill", commandId: "run-nov")
        #expect(try f.store.head() == head)
        #expect(retry.map { $0.drafted.map(\.id) } == first.map { $0.drafted.map(\.id) })
    }

    @Test func invoiceRowsRebuildByteForByte() throws {
        let (f, _, entries) = try fixture(minutes: [60, 15])
        let period = BillingPeriod("2026-11")!
        let draft = try #require(try f.app.billing.runInvoices(period: period, as: "bill").first?.drafted.first)
        try f.app.billing.finalizeInvoice(draft.id, as: "bill")
        try f.app.billing.voidTime(entries[1], reason: "duplicate", as: "bob")
        _ = try f.app.billing.runInvoices(period: period, as: "bill")
        let before = try f.app.billing.invoices().map { try f.models.billing.invoiceRow($0.id, in: f.store) }
        try f.store.rebuild("billing")
        let after = try f.app.billing.invoices().map { try f.models.billing.invoiceRow($0.id, in: f.store) }
        #expect(before == after)
        #expect(before.count == 2)
    }

    /// A draft's lines stay in its `invoice.drafted` event: the model keeps the event's log position (8 bytes) and the
    /// status row, the same size however many lines the invoice has, and reads the lines back from the log.
    @Test func anInvoiceRowKeepsItsDraftsPositionNotItsLines() throws {
        let (f, _, _) = try fixture(minutes: [60])
        let other = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Printer"), as: "bob")
        for day in 10...19 {
            try f.app.billing.logTime(
                TimeLogRequest(ticket: other, minutes: 45, workType: "onsite", startedAt: Timestamp(iso8601: "2026-11-\(day)T09:00:00Z")),
                as: "bob")
        }
        let draft = try #require(try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill").first?.drafted.first)
        #expect(draft.lines.count == 2)
        let drafted = try #require(try f.store.read(stream: "billing-acme").first { $0.type == "invoice.drafted" })
        #expect(drafted.payload.count > 1_000)
        let row = try #require(try f.models.billing.invoiceRow(draft.id, in: f.store))
        #expect(Array(row.prefix(8)) == withUnsafeBytes(of: drafted.position.bigEndian) { Array($0) })
        #expect(row.count < 40, "position, separator and status row only: \(row.count) bytes")
        let read = try f.app.billing.invoice(draft.id)
        #expect(read.lines == draft.lines && read.total == draft.total && read.status == .draft)
    }

    @Test func termsMustBeInTheClientsCurrency() throws {
        let f = try ServiceFixture()
        let start = Timestamp(iso8601: "2026-10-01T00:00:00Z")!
        let error = try #require(throws: DomainError.self) {
            try f.app.directory.createContract(
                CreateContract(id: "globex-msa", client: "globex", clientSnapshot: nil, name: "MSA", effectiveFrom: start, billingTerms: Self.hourly),
                as: "bill")
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("client globex is billed in EUR"))
        try f.app.directory.createContract(
            CreateContract(id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: start, billingTerms: Self.hourly), as: "bill")
        var euro = Self.hourly
        if case .object(var fields) = euro { fields["currency"] = "EUR"; euro = .object(fields) }
        let head = try f.store.head()
        #expect(throws: DomainError.self) {
            try f.app.directory.contract("acme-msa", .amend(effectiveFrom: start, slaPolicy: nil, billingTerms: euro), as: "bill")
        }
        #expect(try f.store.head() == head)
    }
}
