import DocketTime
import Domain
import Testing

@Suite("Billing: one-off charges")
struct OneOffChargeTests {
    typealias F = BillingFixture

    static func charge(_ number: Int, at date: String, quantity: Int = 2, price: Int64 = 124_900, ticket: String? = nil, voided: Bool = false)
        -> OneOffCharge
    {
        OneOffCharge(
            id: "CH-\(number)", client: "acme", ticket: ticket, description: "Dell Latitude 5440", quantity: quantity, unitPriceMinor: price,
            unitCostMinor: 98_000, currency: "USD", date: date, category: "hardware", voided: voided, voidReason: voided ? "returned" : nil)
    }

    static func sheet(_ contracts: [ContractState], _ charges: [OneOffCharge], through period: BillingPeriod = F.november) throws -> ChargeSheet {
        try ChargeCalculator.charges(
            BillingInput(client: "acme", contracts: contracts, calendars: F.calendars, tickets: F.tickets, entries: [], oneOffCharges: charges),
            through: period)
    }

    /// Each charge not voided and dated before the period's end is one line keyed by its id, in the month of its date,
    /// under the contract version in force then (its tax rate); a charge dated before any terms is held back, naming it.
    @Test func aChargeIsBilledOnceUnderTheTermsInForceAtItsDate() throws {
        let contract = try F.contract(
            "acme-msa", from: F.at("2026-10-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly(),
            amendments: [(F.at("2026-11-10T00:00:00Z"), ChargeCalculatorTests.hourly(["taxRate": "8.875"]))])
        let sheet = try Self.sheet(
            [contract],
            [
                Self.charge(1, at: "2026-11-12T15:00:00.000Z", ticket: "T-1001"), Self.charge(2, at: "2026-10-05T15:00:00.000Z", quantity: 1),
                Self.charge(3, at: "2026-11-20T15:00:00.000Z", voided: true), Self.charge(4, at: "2026-12-01T00:00:00.000Z"),
                Self.charge(5, at: "2026-09-30T15:00:00.000Z"),
            ])
        #expect(sheet.keys == ["one-off:CH-1", "one-off:CH-2"])
        let first = try #require(sheet.charge("one-off:CH-1"))
        #expect(first.kind == .oneOff && first.amount == 249_800 && first.period == "2026-11" && first.ticket == "T-1001")
        #expect(first.description == "Dell Latitude 5440, 2 × 1,249.00")
        #expect(first.amendment == 1 && first.taxRate.millionths == 88_750, "the terms in force at its date")
        let second = try #require(sheet.charge("one-off:CH-2"))
        #expect(second.period == "2026-10" && second.amount == 124_900 && second.amendment == 0)
        #expect(sheet.heldBack.map(\.entryId) == ["CH-5"])
        #expect(sheet.heldBack.first?.reason.hasPrefix("no contract with billing terms is in force for client acme at 2026-09-30T15:00:00.000Z") == true)
    }

    @Test(arguments: [
        ("12.50", "USD", 1_250 as Int64?), ("1,249.00", "USD", 124_900), ("75", "USD", 7_500), ("0.5", "USD", 50), ("1000", "JPY", 1_000),
        ("1.234", "KWD", 1_234), ("12.505", "USD", nil), ("100.5", "JPY", nil), ("-1", "USD", nil), ("1.", "USD", nil), (".5", "USD", nil),
        ("1.2.3", "USD", nil), ("12e3", "USD", nil), ("", "USD", nil), ("99999999999999999999", "USD", nil),
    ])
    func moneyIsReadExactlyInTheCurrencysDecimals(text: String, currency: String, minor: Int64?) {
        let read = try? Money.parse(text, currency: currency).get()
        #expect(read == minor, "\(text) \(currency)")
    }

    /// More decimals than the currency has is refused saying so, never rounded.
    @Test func tooManyDecimalsAreRefusedNotRounded() {
        guard case .failure(let error) = Money.parse("12.505", currency: "USD") else {
            Issue.record("12.505 USD was read")
            return
        }
        #expect(error.code == .invalid && error.message.contains("USD has 2 decimals"))
    }
}
