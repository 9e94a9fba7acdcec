import DocketTime
import Domain
import Foundation
import Testing

/// Issue 15 point 6: tax rates finer than a basis point (New York City's 8.875%).
@Suite("Billing: tax rates to a millionth")
struct TaxRateTests {
    @Test(arguments: [
        ("8.875", 88_750), ("8.25", 82_500), ("8", 80_000), ("0.0625", 625), ("100", 1_000_000), ("0", 0), ("7.0001", 70_001),
    ])
    func percentStringsReadExactly(_ text: String, _ millionths: Int) throws {
        #expect(TaxRate(percent: text)?.millionths == millionths)
    }

    @Test(arguments: ["8.87501", "100.5", "101", "8,875", "-1", ".5", "8.", "", "8.875%", " 8"])
    func malformedPercentStringsAreRefused(_ text: String) {
        #expect(TaxRate(percent: text) == nil, "\(text)")
    }

    @Test func ratesPrintWithoutTrailingZeros() {
        #expect(TaxRate(millionths: 88_750).description == "8.875%")
        #expect(TaxRate(basisPoints: 825).description == "8.25%")
        #expect(TaxRate(basisPoints: 1_000).description == "10%")
        #expect(TaxRate(millionths: 625).description == "0.0625%")
    }

    @Test func termsAcceptADecimalStringOrMillionthsAndStillBasisPoints() throws {
        func rate(_ extra: [String: JSONValue]) throws -> TaxRate {
            try BillingTerms(ChargeCalculatorTests.hourly(extra)).taxRate
        }
        #expect(try rate(["taxRate": "8.875"]).millionths == 88_750)
        #expect(try rate(["taxRateMillionths": 88_750]).millionths == 88_750)
        #expect(try rate(["taxBasisPoints": 825]).millionths == 82_500, "old contracts' basis points stay readable")
        #expect(try rate([:]).millionths == 0)
    }

    @Test(arguments: [
        (["taxRate": "8.87555"] as [String: JSONValue], "billingTerms.taxRate must be a percentage from 0 to 100 with at most four decimals"),
        (["taxRate": 8], "billingTerms.taxRate must be a percentage in a string"),
        (["taxRateMillionths": 1_000_001], "billingTerms.taxRateMillionths must be a whole number from 0 to 1000000"),
        (["taxRate": "8.875", "taxBasisPoints": 825], "billingTerms.taxRate gives the tax rate a second time (with taxBasisPoints)"),
    ])
    func badRatesAreRefusedNamingTheField(_ extra: [String: JSONValue], _ message: String) throws {
        let error = try #require(refusal { () throws(DomainError) in try BillingTerms(ChargeCalculatorTests.hourly(extra)) })
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func fractionalBasisPointsPointToTaxRateNotToMinorUnits() throws {
        let error = try #require(
            refusal { () throws(DomainError) in
                try JSONValue.parse(#"{"model": "hourly", "currency": "USD", "rates": {"*": 1}, "taxBasisPoints": 887.5}"#)
            })
        #expect(error.message.contains("\"taxRate\": \"8.875\""), "\(error.message)")
        #expect(!error.message.contains("minor units"), "\(error.message)")
    }

    @Test func newYorkCityTaxIsComputedInIntegersAndRoundedHalfAwayFromZero() throws {
        let F = BillingFixture.self
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly(["taxRate": "8.875"]))
        var books = BillingBooks()
        // 60 min remote at 120.00 + 1 min remote at 120.00 = 122.00; × 8.875% = 10.8275 → 10.83
        let entries = [F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z"), F.entry(2, ticket: "T-1004", minutes: 1, at: "2026-11-10T16:00:00Z")]
        let draft = try #require(try books.run(F.sheet([contract], entries)).first)
        #expect(draft.taxes == [TaxLine(rate: TaxRate(millionths: 88_750), base: 12_200, tax: 1_083)])
        #expect(draft.taxes.first?.basisPoints == 887 && draft.taxes.first?.millionths == 88_750)
        #expect(draft.total == 12_200 + 1_083)
        #expect(draft.lines.allSatisfy { $0.charge.taxRateMillionths == 88_750 && $0.charge.taxBasisPoints == 887 })
        // Rounding happens once, on base × millionths / 1,000,000, half away from zero.
        #expect(Money.tax(on: 4_000, rate: TaxRate(millionths: 88_750)) == 355)  // 355.0
        #expect(Money.tax(on: 10_200, rate: TaxRate(millionths: 88_750)) == 905)  // 905.25
        #expect(Money.tax(on: 1_600, rate: TaxRate(millionths: 88_750)) == 142)  // 142.0
        #expect(Money.tax(on: 200, rate: TaxRate(millionths: 2_500)) == 1)  // 0.5 → 1
        #expect(Money.tax(on: -200, rate: TaxRate(millionths: 2_500)) == -1)  // −0.5 → −1
    }

    @Test func wholeBasisPointRatesKeepTheirOlderEventShape() throws {
        let F = BillingFixture.self
        let contract = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly(["taxRate": "8.25"]))
        let charge = try #require(F.sheet([contract], [F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z")]).charges.first)
        #expect(charge.taxBasisPoints == 825 && charge.taxRateMillionths == nil)
        let json = try JSONEncoder().encode(charge)
        #expect(!String(decoding: json, as: UTF8.self).contains("taxRateMillionths"), "a whole basis-point rate writes the same payload as before")
        // An older charge (no taxRateMillionths) reads as its basis points.
        let old = try JSONDecoder().decode(Charge.self, from: json)
        #expect(old.taxRate == TaxRate(basisPoints: 825))
    }
}
