import DocketTime
import Domain
import Testing

@Suite("Billing: money in minor units")
struct MoneyTests {
    @Test(arguments: [
        (Int64(5), Int64(2), Int64(3)), (-5, 2, -3), (4, 3, 1), (-4, 3, -1), (5, 3, 2), (-5, 3, -2), (6, 3, 2), (-6, 3, -2),
        (0, 7, 0), (1, 2, 1), (-1, 2, -1), (1, 3, 0), (-1, 3, 0), (149, 100, 1), (150, 100, 2), (-150, 100, -2), (-149, 100, -1),
    ])
    func divideRoundsHalfAwayFromZero(numerator: Int64, denominator: Int64, expected: Int64) {
        #expect(Money.divide(numerator, by: denominator) == expected)
    }

    @Test func priceRoundsOnceAtTheEnd() {
        #expect(Money.price(minutes: 60, ratePerHour: 12_500, multiplierPercent: 100) == 12_500)
        // 50 min at 125.00/h = 104.1666… → 104.17
        #expect(Money.price(minutes: 50, ratePerHour: 12_500, multiplierPercent: 100) == 10_417)
        // ×1.5 after hours: 156.25 exactly
        #expect(Money.price(minutes: 50, ratePerHour: 12_500, multiplierPercent: 150) == 15_625)
        // half a minor unit rounds away from zero, both ways
        #expect(Money.price(minutes: 30, ratePerHour: 1, multiplierPercent: 100) == 1)
        #expect(Money.price(minutes: -30, ratePerHour: 1, multiplierPercent: 100) == -1)
        #expect(Money.price(minutes: 29, ratePerHour: 1, multiplierPercent: 100) == 0)
        #expect(Money.price(minutes: 0, ratePerHour: 12_500, multiplierPercent: 200) == 0)
        // 7 min at 99.99/h ×1.25 = 14.58125 → 14.58
        #expect(Money.price(minutes: 7, ratePerHour: 9_999, multiplierPercent: 125) == 1_458)
    }

    @Test func taxIsPerBaseAndBasisPoints() {
        #expect(Money.tax(on: 10_000, rate: TaxRate(basisPoints: 825)) == 825)
        #expect(Money.tax(on: 6_061, rate: TaxRate(basisPoints: 825)) == 500)  // 500.0325
        #expect(Money.tax(on: 200, rate: TaxRate(basisPoints: 25)) == 1)  // 0.5 rounds up
        #expect(Money.tax(on: -200, rate: TaxRate(basisPoints: 25)) == -1)  // and down for credits
        #expect(Money.tax(on: 199, rate: TaxRate(basisPoints: 25)) == 0)
        #expect(Money.tax(on: 12_345, rate: TaxRate(basisPoints: 0)) == 0)
        #expect(Money.tax(on: 12_345, rate: TaxRate(basisPoints: 10_000)) == 12_345)
    }

    @Test func formatUsesTheCurrencysMinorDigits() {
        #expect(Money.format(123_450, currency: "USD") == "1,234.50")
        #expect(Money.format(5, currency: "USD") == "0.05")
        #expect(Money.format(0, currency: "EUR") == "0.00")
        #expect(Money.format(100, currency: "EUR") == "1.00")
        #expect(Money.format(-123_456_789, currency: "USD") == "-1,234,567.89")
        #expect(Money.format(-5, currency: "USD") == "-0.05")
        #expect(Money.format(1_234, currency: "JPY") == "1,234")
        #expect(Money.format(-999, currency: "JPY") == "-999")
        #expect(Money.format(1_234_567, currency: "BHD") == "1,234.567")
        #expect(Money.format(7, currency: "BHD") == "0.007")
        #expect(Money.format(100_000, currency: "USD") == "1,000.00")
        #expect(Money.minorDigits("JPY") == 0)
        #expect(Money.minorDigits("KWD") == 3)
        #expect(Money.minorDigits("CHF") == 2)
        // ISO 4217's zero-decimal currencies beyond the yen (they showed two decimals: 12,500 guaraní as "125.00").
        for code in ["BIF", "DJF", "GNF", "KMF", "PYG", "RWF", "UYI", "VUV"] { #expect(Money.minorDigits(code) == 0, "\(code)") }
        #expect(Money.format(12_500, currency: "PYG") == "12,500")
        #expect(Money.format(12_345, currency: "CLF") == "1.2345")
        #expect(Money.minorDigits("UYW") == 4)
    }

    @Test func hoursHaveTwoDecimalsWithoutFloatingPoint() {
        #expect(Money.hours(95) == "1.58")
        #expect(Money.hours(90) == "1.50")
        #expect(Money.hours(65) == "1.08")
        #expect(Money.hours(1) == "0.02")
        #expect(Money.hours(0) == "0.00")
        #expect(Money.hours(600) == "10.00")
        #expect(Money.hours(-95) == "-1.58")
        #expect(Money.hours(-1) == "-0.02")
    }
}

@Suite("Billing: periods are UTC months")
struct BillingPeriodTests {
    @Test func parsesYearDashMonth() throws {
        let period = try #require(BillingPeriod("2026-11"))
        #expect(period.year == 2026 && period.month == 11)
        #expect(period.description == "2026-11")
        #expect(BillingPeriod("2026-01")?.description == "2026-01")
    }

    @Test(arguments: ["2026-1", "2026-13", "2026-00", "26-11", "2026-11-01", "abcd-11", "2026/11", "", "2026-", "-11", "0999-01", "2026-+1", "+026-11", "2026-1 "])
    func refusesOtherText(_ text: String) {
        #expect(BillingPeriod(text) == nil)
    }

    @Test func boundsAreTheFirstInstantsOfTheMonthAndTheNext() throws {
        let period = try #require(BillingPeriod("2026-11"))
        #expect(period.start == BillingFixture.at("2026-11-01T00:00:00Z"))
        #expect(period.end == BillingFixture.at("2026-12-01T00:00:00Z"))
        #expect(try #require(BillingPeriod("2028-02")).end == BillingFixture.at("2028-03-01T00:00:00Z"))
    }

    @Test func containingIsUTC() {
        let lastMillisecond = Timestamp(millisecondsSinceEpoch: BillingFixture.at("2026-12-01T00:00:00Z").millisecondsSinceEpoch - 1)
        #expect(BillingPeriod(containing: lastMillisecond).description == "2026-11")
        #expect(BillingPeriod(containing: BillingFixture.at("2026-12-01T00:00:00Z")).description == "2026-12")
        #expect(BillingPeriod(containing: BillingFixture.at("1969-12-31T23:00:00Z")).description == "1969-12")
        #expect(BillingPeriod(containing: Timestamp(millisecondsSinceEpoch: 0)).description == "1970-01")
    }

    @Test func nextCrossesDecember() throws {
        let december = try #require(BillingPeriod("2026-12"))
        #expect(december.next.description == "2027-01")
        #expect(december.next.start == december.end)
        #expect(try #require(BillingPeriod("2026-01")).next.description == "2026-02")
        #expect(december < december.next)
        #expect(try #require(BillingPeriod("2026-11")) < december)
        #expect(!(december < december))
    }

    /// Periods recorded on charges compare as months, not text: year 26's January is "26-01", which sorts after "2026-11".
    @Test func recordedPeriodsCompareAsMonths() throws {
        let november = try #require(BillingPeriod("2026-11"))
        #expect(november.includes(recorded: "26-01"))
        #expect(november.includes(recorded: "999-12"))
        #expect(november.includes(recorded: "2026-11"))
        #expect(!november.includes(recorded: "2026-12"))
        #expect(!november.includes(recorded: "10000-01"))
        let year26 = BillingPeriod(containing: BillingFixture.at("0026-01-15T00:00:00Z"))
        #expect(year26.description == "26-01", "the key's spelling is kept")
        #expect(year26 < november)
    }

    /// A run drafts every fee a charge sheet says is due, whatever the spelling of its period. Such a contract can no
    /// longer be made (``BillingDates``), but a store may hold one recorded before the deciders refused it.
    @Test func aRunDraftsFeesOfYearsBelow1000() throws {
        let recorded = ContractEvent.created(
            ContractCreated(
                id: "acme-r", client: "acme", name: "acme-r", effectiveFrom: BillingFixture.at("0026-01-01T00:00:00Z"), slaPolicy: nil,
                billingTerms: ["model": "retainer", "currency": "USD", "retainer": ["monthlyFeeMinor": 1]]))
        let contract = ContractDecider.evolve(ContractDecider.initialState, recorded)
        let sheet = try ChargeCalculator.charges(
            BillingInput(client: "acme", contracts: [contract], calendars: [:], tickets: [:], entries: []),
            through: try #require(BillingPeriod("2026-11")))
        let lines = try BillingDecider.pendingLines(
            period: try #require(BillingPeriod("2026-11")), charges: sheet.charges, ledger: BillingDecider.initialState)
        #expect(sheet.charges.count == 2_000 * 12 + 11)
        #expect(lines.count == sheet.charges.count)
    }
}
