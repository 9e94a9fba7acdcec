@testable import DocketApp
import DocketTime
import Domain
import EventLog
import TestSupport
import Testing

/// Moving a contract's end is refused while a final invoice billed a month between the two ends (docs/billing.md,
/// "Moving a contract's end"). `contract end` read the final invoices from the billing read model, then wrote the move
/// in a transaction of its own: an invoice finalized in between was changed under it by the move all the same. The
/// check and the write are one decision now: the move is appended only while the client's invoice stream is at the
/// version it was checked at, and the kernel decides again when it is not. The race is played step by step, no timing.
@Suite struct ContractEndRaceTests {
    /// acme on hourly terms from October, ending 1 January 2027; 1 h logged on 3 November; drafted for November (not
    /// final yet); the clock on 1 December.
    func fixture() throws -> ServiceFixture {
        let f = try ServiceFixture()
        f.clock.advance(milliseconds: 23 * 86_400_000)
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: Timestamp(iso8601: "2026-10-01T00:00:00Z")!,
                billingTerms: ["model": "hourly", "currency": "USD", "rates": ["*": 12_000]]), as: "bill")
        try f.app.billing.endContract("acme-msa", at: Timestamp(iso8601: "2027-01-01T00:00:00Z")!, as: "bill")
        let ticket = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Server down"), as: "bob")
        try f.app.billing.logTime(
            TimeLogRequest(ticket: ticket, minutes: 60, workType: "remote", startedAt: Timestamp(iso8601: "2026-11-03T15:00:00Z")), as: "bob")
        f.clock.advance(milliseconds: 6 * 86_400_000)
        _ = try f.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill")
        return f
    }

    static let newEnd = Timestamp(iso8601: "2026-11-15T00:00:00Z")!

    /// The move, decided while November's invoice is a draft (a draft does not stop it), is not written once the
    /// invoice is finalized before the append: the append is refused as stale, and nothing is written.
    @Test func aMoveDecidedBeforeAFinalizationIsNotAppendedAfterIt() throws {
        let f = try fixture()
        let decision = try f.app.billing.contractEnd("acme-msa", at: Self.newEnd, context: try f.app.context(for: "bill"), commandId: nil)
        #expect(decision.output.count == 1, "decided against the draft: the move is allowed then")
        try f.app.billing.finalizeInvoice("acme-D1", as: "bill")
        let head = try f.store.head().position
        #expect(throws: WrongExpectedVersion.self) { try f.store.append(decision.appends) }
        #expect(try f.store.head().position == head, "nothing written")
        #expect(try f.app.directory.contract("acme-msa").endsAt == Timestamp(iso8601: "2027-01-01T00:00:00Z"))
    }

    /// Through the kernel: the invoice is finalized after the move was decided and before it is appended; the kernel
    /// decides again on the new state and the move is refused, naming the invoice.
    @Test func theKernelDecidesTheMoveAgainAndRefusesIt() throws {
        let f = try fixture()
        let context = try f.app.context(for: "bill")
        var attempts = 0
        do {
            _ = try f.app.billing.kernel.execute(commandId: nil, actor: "bill", replay: { _ in [ContractEvent]() }) {
                attempts += 1
                let decision = try f.app.billing.contractEnd("acme-msa", at: Self.newEnd, context: context, commandId: nil)
                if attempts == 1 { try f.app.billing.finalizeInvoice("acme-D1", as: "bill") }
                return decision
            }
            Issue.record("the move must be refused once the invoice is final")
        } catch let refusal as DomainError {
            #expect(refusal.message.contains("final invoice INV-2026-0001 billed 2026-11 under it"), "\(refusal.message)")
        }
        #expect(attempts == 2)
        #expect(try f.app.directory.contract("acme-msa").endsAt == Timestamp(iso8601: "2027-01-01T00:00:00Z"))
    }
}
