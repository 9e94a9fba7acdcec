import DocketTime
import Domain
import Testing

/// Money rule 5: amounts too large for `Int64` are refused, never trapped on.
@Suite("Billing: money arithmetic is checked")
struct MoneyOverflowTests {
    typealias F = BillingFixture

    @Test func taxOnABaseWhoseProductOverflows64BitsIsExact() {
        // Eleven monthly fees of 10,000,000,000.00 at 100%: base × 1,000,000 is 1.1e19, past Int64.max.
        #expect(Money.tax(on: 11_000_000_000_000, rate: TaxRate(millionths: 1_000_000)) == 11_000_000_000_000)
        #expect(Money.tax(on: -11_000_000_000_000, rate: TaxRate(millionths: 88_750)) == -976_250_000_000)
        #expect(Money.tax(on: Int64.max, rate: TaxRate(millionths: 500_000)) == Int64.max / 2 + 1)
    }

    @Test func aPriceOrTaxThatDoesNotFitIsNil() {
        #expect(Money.price(minutes: Int.max / 2, ratePerHour: 100_000_000, multiplierPercent: 1_000) == nil)
        #expect(Money.price(minutes: Int.max, ratePerHour: Int64.max, multiplierPercent: Int.max) == nil)
        #expect(Money.tax(on: Int64.max, rate: TaxRate(millionths: 2_000_000)) == nil)
        #expect(Money.sum([Int64.max, 1]) == nil)
        #expect(Money.sum([Int64.max, 1, -2]) == nil)
        #expect(Money.sum([5, -7]) == -2)
    }

    @Test func aTimeChargeWhosePriceDoesNotFitIsRefusedNamingTheContract() throws {
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly())
        let entry = F.entry(1, minutes: Int.max / 4, at: "2026-11-03T15:00:00Z")
        let error = #expect(throws: DomainError.self) {
            try ChargeCalculator.charges(
                BillingInput(client: "acme", contracts: [contract], calendars: F.calendars, tickets: F.tickets, entries: [entry]),
                through: F.november)
        }
        #expect(error?.code == .invalid)
        #expect(error?.message.contains("contract acme-msa") == true)
        #expect(error?.message.contains("client acme") == true)
    }

    @Test func aDraftWhoseSubtotalOrTaxDoesNotFitIsRefused() throws {
        func fee(_ month: Int, _ amount: Int64, taxMillionths: Int? = nil) -> Charge {
            Charge(
                key: "retainer-fee:acme-r:2026-\(month)", kind: .retainerFee, period: "2026-\(month)", description: "fee", ticket: nil,
                workType: nil, afterHours: false, contract: "acme-r", amendment: 0, currency: "USD", entries: [], loggedMinutes: 0,
                roundingMinutes: 0, minimumMinutes: 0, coveredMinutes: 0, coverage: nil, chargedMinutes: 0, ratePerHour: 0,
                multiplierPercent: 100, amount: amount, taxBasisPoints: 0, taxRateMillionths: taxMillionths)
        }
        let context = DecisionContext(actor: Fixture.billing, now: Fixture.now)
        let subtotal = #expect(throws: DomainError.self) {
            try BillingDecider.decide(
                .draft(client: "acme", period: F.november, charges: [fee(10, Int64.max), fee(11, 1)]), state: BillingDecider.initialState,
                context: context)
        }
        #expect(subtotal?.code == .invalid)
        #expect(subtotal?.message.contains("subtotal") == true && subtotal?.message.contains("contract acme-r") == true)
        // A stored charge's rate could say more than 100%: its tax must not trap either.
        let tax = #expect(throws: DomainError.self) {
            try BillingDecider.decide(
                .draft(client: "acme", period: F.november, charges: [fee(11, Int64.max / 2, taxMillionths: 3_000_000)]),
                state: BillingDecider.initialState, context: context)
        }
        #expect(tax?.message.contains("tax") == true)
        // The total (subtotal plus tax) is checked too.
        let total = #expect(throws: DomainError.self) {
            try BillingDecider.decide(
                .draft(client: "acme", period: F.november, charges: [fee(11, Int64.max / 4 * 3, taxMillionths: 500_000)]),
                state: BillingDecider.initialState, context: context)
        }
        #expect(total?.message.contains("total") == true)
    }
}
