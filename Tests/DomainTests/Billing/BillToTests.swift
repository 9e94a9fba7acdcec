import DocketTime
import Domain
import Testing

/// ``BillTo/of(client:contracts:lines:)``: the client's name, address and tax id as they stand, and the purchase orders
/// of the contract versions that priced the lines, each once, in line order.
@Suite struct BillToTests {
    static let hourly: JSONValue = .object(["model": .string("hourly"), "currency": .string("USD"), "rates": .object(["*": .integer(12_000)])])

    func line(contract: String, amendment: Int, key: String) -> InvoiceLine {
        let charge = Charge(
            key: key, kind: .time, period: "2026-11", description: key, ticket: "T-1001", workType: "remote", afterHours: false,
            contract: contract, amendment: amendment, currency: "USD", entries: [], loggedMinutes: 60, roundingMinutes: 0, minimumMinutes: 0,
            coveredMinutes: 0, coverage: nil, chargedMinutes: 60, ratePerHour: 12_000, multiplierPercent: 100, amount: 12_000, taxBasisPoints: 0)
        return InvoiceLine(charge: charge, previousChargedMinutes: 0, previousCoveredMinutes: 0, previousAmount: 0, previousInvoices: [], adjustment: false)
    }

    @Test func thePurchaseOrdersAreThoseOfTheVersionsThatPricedTheLines() throws {
        let msa = try BillingFixture.contract(
            "acme-msa", from: BillingFixture.at("2026-10-01T00:00:00Z"), terms: Self.hourly,
            amendments: [
                (BillingFixture.at("2026-11-01T00:00:00Z"), .object(["purchaseOrder": .string("PO-1")])),
                (BillingFixture.at("2026-12-01T00:00:00Z"), .object(["purchaseOrder": .string("PO-2")])),
            ])
        let other = try BillingFixture.contract(
            "acme-r", from: BillingFixture.at("2026-10-01T00:00:00Z"), terms: Self.hourly,
            amendments: [(BillingFixture.at("2026-10-01T00:00:00Z"), .object(["purchaseOrder": .string("PO-1")]))])
        var client = ClientState(code: "acme", name: "Acme", isActive: true, timeZone: "UTC", currency: "USD")
        client.billingAddress = ["12 Rue de la Paix", "75002 Paris"]
        client.taxId = "FR40303265045"
        let lines = [
            line(contract: "acme-msa", amendment: 2, key: "a"), line(contract: "acme-msa", amendment: 0, key: "b"),
            line(contract: "acme-msa", amendment: 1, key: "c"), line(contract: "acme-r", amendment: 1, key: "d"),
        ]
        let billTo = BillTo.of(client: client, contracts: [msa, other], lines: lines)
        #expect(billTo == BillTo(name: "Acme", address: ["12 Rue de la Paix", "75002 Paris"], taxId: "FR40303265045", purchaseOrders: ["PO-2", "PO-1"]))
        #expect(billTo.lines == ["Acme", "12 Rue de la Paix", "75002 Paris", "tax id FR40303265045", "PO PO-2, PO-1"])
        let bare = BillTo.of(client: ClientState(code: "acme", name: "Acme"), contracts: [], lines: lines)
        #expect(bare.address == nil && bare.taxId == nil && bare.purchaseOrders == nil && bare.lines == ["Acme"])
    }

    /// A purchase order is a line of text: blank, padded, too long or not a string is refused, naming the field.
    @Test(arguments: [JSONValue.string(""), .string(" PO"), .string(String(repeating: "9", count: 65)), .string("PO\n2"), .integer(4500)])
    func aPurchaseOrderThatIsNotOneIsRefused(_ order: JSONValue) {
        guard case .object(var terms) = Self.hourly else { return }
        terms["purchaseOrder"] = order
        #expect(throws: DomainError.self) { try BillingTerms(.object(terms)) }
        terms["purchaseOrder"] = .string("4500012345")
        #expect((try? BillingTerms(.object(terms)))?.purchaseOrder == "4500012345")
    }
}
