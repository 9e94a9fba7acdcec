import DocketTime
import Domain
import Testing

@Suite("User cost rates")
struct UserCostRateTests {
    let bob = given(UserDecider.self, [UserTests.addedBob])

    @Test func billingSetsNumberedVersionsAndTechsCannot() throws {
        let rate = SetCostRate(costPerHourMinor: 4_500, currency: "USD", effectiveFrom: Fixture.date(1, 1))
        let first = try bob.when(.setCostRate(rate), by: Fixture.billing)
        #expect(first == [.costRateSet(UserCostRateSet(version: 1, costPerHourMinor: 4_500, currency: "USD", effectiveFrom: Fixture.date(1, 1)))])
        let second = try given(UserDecider.self, [UserTests.addedBob] + first).when(
            .setCostRate(SetCostRate(costPerHourMinor: 5_000, currency: "USD", effectiveFrom: Fixture.date(7, 1))), by: Fixture.admin)
        #expect(second.count == 1)
        if case .costRateSet(let set) = second.first { #expect(set.version == 2) }
        #expect(bob.refusal(of: .setCostRate(rate), by: Fixture.tech)?.code == .forbidden)
        #expect(bob.refusal(of: .setCostRate(rate), by: Fixture.dispatcher)?.code == .forbidden)
        // The same rate again is nothing to do.
        #expect(try given(UserDecider.self, [UserTests.addedBob] + first).when(.setCostRate(rate), by: Fixture.billing).isEmpty)
    }

    @Test func badRatesAreRefused() {
        #expect(bob.refusal(of: .setCostRate(SetCostRate(costPerHourMinor: -1, currency: "USD", effectiveFrom: Fixture.date(1, 1))))?.code == .invalid)
        #expect(bob.refusal(of: .setCostRate(SetCostRate(costPerHourMinor: 1, currency: "usd", effectiveFrom: Fixture.date(1, 1))))?.code == .invalid)
        #expect(given(UserDecider.self).refusal(of: .setCostRate(SetCostRate(costPerHourMinor: 1, currency: "USD", effectiveFrom: Fixture.date(1, 1))))?.code == .notFound)
        // A year out of ``BillingDates`` (a typo: 0026 for 2026), as a contract's effective date.
        let typo = SetCostRate(costPerHourMinor: 1, currency: "USD", effectiveFrom: Fixture.date(1, 1, year: 26))
        #expect(bob.refusal(of: .setCostRate(typo))?.code == .invalid)
    }

    @Test func theVersionInForceIsTheLatestEffectiveThenTheHigherVersion() {
        let state = UserDecider.fold([
            UserTests.addedBob,
            .costRateSet(UserCostRateSet(version: 1, costPerHourMinor: 4_000, currency: "USD", effectiveFrom: Fixture.date(1, 1))),
            .costRateSet(UserCostRateSet(version: 2, costPerHourMinor: 6_000, currency: "USD", effectiveFrom: Fixture.date(9, 1))),
            // Recorded later, effective earlier: in force from March until September.
            .costRateSet(UserCostRateSet(version: 3, costPerHourMinor: 5_000, currency: "USD", effectiveFrom: Fixture.date(3, 1))),
            .costRateSet(UserCostRateSet(version: 4, costPerHourMinor: 5_500, currency: "USD", effectiveFrom: Fixture.date(3, 1))),
        ])
        #expect(state.costRate(at: Fixture.date(12, 31, year: 2025)) == nil)
        #expect(state.costRate(at: Fixture.date(2, 1))?.costPerHourMinor == 4_000)
        #expect(state.costRate(at: Fixture.date(3, 1))?.costPerHourMinor == 5_500)
        #expect(state.costRate(at: Fixture.date(10, 1))?.costPerHourMinor == 6_000)
    }
}
