import Domain
import Testing

@Suite("Billing: a command id answers one request")
struct BillingRequestTests {
    static let finalized = InvoiceEvent.finalized(InvoiceFinalized(invoice: "acme-D1", number: "INV-2026-0001", finalizedAt: "2026-12-01T09:00:00.000Z"))
    static let issued = InvoiceEvent.numberIssued(InvoiceNumberIssued(number: "INV-2026-0001", invoice: "acme-D1", client: "acme"))
    static let drafted = InvoiceEvent.drafted(InvoiceDrafted(
        invoice: "acme-D2", client: "acme", period: "2026-11", currency: "USD", lines: [], subtotal: 0, taxes: [], total: 0,
        draftedAt: "2026-12-01T09:00:00.000Z"))

    @Test func theSameRequestIsARetry() throws {
        #expect(BillingRequest.finalize(invoice: "acme-D1").isAnswered(by: [Self.finalized]))
        #expect(BillingRequest.draft(period: try #require(BillingPeriod("2026-11"))).isAnswered(by: [Self.drafted]))
    }

    @Test func anotherInvoiceActionOrPeriodIsNot() throws {
        #expect(!BillingRequest.finalize(invoice: "beta-D1").isAnswered(by: [Self.finalized]))
        #expect(!BillingRequest.void(invoice: "acme-D1").isAnswered(by: [Self.finalized]))
        #expect(!BillingRequest.discard(invoice: "acme-D1").isAnswered(by: [Self.finalized]))
        #expect(!BillingRequest.draft(period: try #require(BillingPeriod("2026-10"))).isAnswered(by: [Self.drafted]))
        #expect(!BillingRequest.finalize(invoice: "acme-D1").isAnswered(by: []), "the id was used on another stream")
        #expect(!BillingRequest.finalize(invoice: "acme-D1").isAnswered(by: [Self.issued]))
    }

    @Test func theRefusalSaysWhatTheIdWasUsedFor() {
        #expect(BillingRequest.describe([Self.issued, Self.finalized]) == "to finalize acme-D1")
        #expect(BillingRequest.describe([Self.drafted]) == "to draft acme-D2 through 2026-11")
        #expect(BillingRequest.describe([]) == nil)
        #expect(BillingRequest.finalize(invoice: "beta-D1").description == "finalize beta-D1")
    }
}
