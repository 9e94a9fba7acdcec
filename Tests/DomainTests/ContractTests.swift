import DocketTime
import Domain
import Testing

@Suite("Contracts and terms over time")
struct ContractTests {
    static let created = ContractEvent.created(
        ContractCreated(
            id: "acme-2026", client: "acme", name: "Managed services", effectiveFrom: Fixture.date(1, 1),
            slaPolicy: "gold", billingTerms: retainerTerms(100_000)))

    let contract = given(ContractDecider.self, [created])

    @Test func createRecordsOriginalTerms() throws {
        let events = try given(ContractDecider.self).when(
            .create(
                CreateContract(
                    id: "acme-2026", client: "acme", clientSnapshot: Fixture.acme, name: " Managed services ",
                    effectiveFrom: Fixture.date(1, 1), slaPolicy: "gold", billingTerms: retainerTerms(100_000))),
            by: Fixture.billing)
        #expect(events == [Self.created])
        let terms = try #require(ContractDecider.fold(events).terms(at: Fixture.date(6, 1)))
        #expect(
            terms
                == ContractTerms(
                    amendment: 0, effectiveFrom: Fixture.date(1, 1), slaPolicy: "gold",
                    billingTerms: retainerTerms(100_000)))
    }

    @Test func createForAnUnknownClientIsRefused() throws {
        let error = try #require(
            given(ContractDecider.self).refusal(
                of: .create(
                    CreateContract(
                        id: "x-1", client: "nope", clientSnapshot: nil, name: "X", effectiveFrom: Fixture.date(1, 1)))))
        #expect(error.code == .notFound)
        #expect(error.message == "unknown client nope; list clients with `docket client list`")
    }

    @Test func createTwiceIsAConflict() throws {
        let error = contract.refusal(
            of: .create(
                CreateContract(
                    id: "acme-2026", client: "acme", clientSnapshot: Fixture.acme, name: "X", effectiveFrom: Fixture.now
                )))
        #expect(error?.code == .conflict)
    }

    /// Recorded: created (Jan 1), amendment 1 (effective Mar 1), amendment 2 (recorded later, effective Feb 1),
    /// amendment 3 (effective Mar 1 again, same instant as 1).
    @Test func termsAtTimeWithOutOfOrderEffectiveDates() throws {
        var history = [Self.created]
        func amend(_ date: Timestamp, sla: String?, terms: JSONValue?) throws {
            history += try given(ContractDecider.self, history)
                .when(.amend(effectiveFrom: date, slaPolicy: sla, billingTerms: terms))
        }
        try amend(Fixture.date(3, 1), sla: "silver", terms: nil)
        try amend(Fixture.date(2, 1), sla: nil, terms: retainerTerms(120_000))
        let state = ContractDecider.fold(history)

        #expect(state.terms(at: Fixture.date(12, 31, year: 2025)) == nil, "before the start")
        #expect(state.terms(at: Fixture.date(1, 1))?.amendment == 0, "the start instant is included")
        #expect(state.terms(at: Fixture.date(1, 31))?.amendment == 0)
        let february = try #require(state.terms(at: Fixture.date(2, 15)))
        #expect(february.amendment == 2, "recorded later but effective earlier: wins from Feb 1")
        #expect(february.slaPolicy == "gold", "kept from the version in force on Feb 1")
        #expect(february.billingTerms == retainerTerms(120_000))
        let march = try #require(state.terms(at: Fixture.date(3, 15)))
        #expect(march.amendment == 1, "the Mar 1 version still wins after Mar 1")
        #expect(march.slaPolicy == "silver")
        #expect(
            march.billingTerms == retainerTerms(100_000),
            "amendment 1 copied the terms in force on Mar 1 when recorded")

        // Same effective instant as amendment 1: the later amendment wins.
        try amend(Fixture.date(3, 1), sla: "bronze", terms: nil)
        let later = ContractDecider.fold(history)
        #expect(later.terms(at: Fixture.date(3, 15))?.amendment == 3)
        #expect(later.terms(at: Fixture.date(3, 15))?.slaPolicy == "bronze")
        #expect(later.terms(at: Fixture.date(2, 15))?.amendment == 2)
        #expect(history.count == 4)
    }

    @Test func amendmentNumbersCountUp() throws {
        let first = try contract.when(.amend(effectiveFrom: Fixture.date(2, 1), slaPolicy: "silver", billingTerms: nil))
        #expect(
            first == [
                .amended(
                    ContractAmended(
                        amendment: 1, effectiveFrom: Fixture.date(2, 1), slaPolicy: "silver",
                        billingTerms: retainerTerms(100_000)))
            ])
        let second = try given(ContractDecider.self, [Self.created] + first)
            .when(.amend(effectiveFrom: Fixture.date(4, 1), slaPolicy: "gold", billingTerms: nil))
        guard case .amended(let amended) = try #require(second.first) else {
            Issue.record("expected contract.amended")
            return
        }
        #expect(amended.amendment == 2)
    }

    @Test func amendmentThatChangesNothingIsANoOp() throws {
        #expect(
            try contract.when(.amend(effectiveFrom: Fixture.date(5, 1), slaPolicy: "gold", billingTerms: nil)).isEmpty)
    }

    @Test func amendmentWithNothingIsRefused() throws {
        #expect(
            contract.refusal(of: .amend(effectiveFrom: Fixture.date(5, 1), slaPolicy: nil, billingTerms: nil))?.code
                == .invalid)
        #expect(
            contract.refusal(of: .amend(effectiveFrom: Fixture.date(5, 1), slaPolicy: nil, billingTerms: .null))?.code
                == .invalid)
    }

    @Test func amendmentBeforeTheStartIsRefused() throws {
        let error = try #require(
            contract.refusal(
                of: .amend(effectiveFrom: Fixture.date(12, 1, year: 2025), slaPolicy: "x", billingTerms: nil)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("before contract acme-2026 starts at 2026-01-01T00:00:00.000Z"))
    }

    @Test func endStopsTheTermsAndBlocksLaterAmendments() throws {
        let ended = try contract.when(.end(effectiveFrom: Fixture.date(7, 1)))
        #expect(ended == [.ended(ContractEnded(effectiveFrom: Fixture.date(7, 1)))])
        let scenario = given(ContractDecider.self, [Self.created] + ended)
        #expect(scenario.state.terms(at: Fixture.date(6, 30))?.amendment == 0)
        #expect(scenario.state.terms(at: Fixture.date(7, 1)) == nil, "the end instant has no terms")
        let late = try #require(
            scenario.refusal(of: .amend(effectiveFrom: Fixture.date(8, 1), slaPolicy: "x", billingTerms: nil)))
        #expect(late.code == .conflict)
        #expect(
            try scenario.when(.amend(effectiveFrom: Fixture.date(6, 1), slaPolicy: "x", billingTerms: nil)).count == 1)
    }

    /// A later end moves it, earlier or later, recording the end it moves; the same end again is nothing to change. A
    /// final invoice's month between the two ends refuses the move, naming the invoice. (An end could not be moved: a
    /// mistyped date was there for good.)
    @Test func aLaterEndMovesTheEndUnlessAFinalInvoiceBilledAMonthBetween() throws {
        let ended = given(ContractDecider.self, [Self.created, .ended(ContractEnded(effectiveFrom: Fixture.date(7, 1)))])
        #expect(try ended.when(.end(effectiveFrom: Fixture.date(9, 1))) == [.ended(ContractEnded(effectiveFrom: Fixture.date(9, 1), previousEnd: Fixture.date(7, 1)))])
        #expect(try ended.when(.end(effectiveFrom: Fixture.date(3, 1))) == [.ended(ContractEnded(effectiveFrom: Fixture.date(3, 1), previousEnd: Fixture.date(7, 1)))])
        #expect(try ended.when(.end(effectiveFrom: Fixture.date(7, 1))).isEmpty)
        let moved = given(ContractDecider.self, [Self.created, .ended(ContractEnded(effectiveFrom: Fixture.date(7, 1))),
            .ended(ContractEnded(effectiveFrom: Fixture.date(9, 1), previousEnd: Fixture.date(7, 1)))])
        #expect(moved.state.endsAt == Fixture.date(9, 1) && moved.state.terms(at: Fixture.date(8, 1))?.amendment == 0)
        let june = BilledMonth(invoice: "INV-2026-0006", period: "2026-06", start: Fixture.date(6, 1), end: Fixture.date(7, 1))
        let july = BilledMonth(invoice: "INV-2026-0007", period: "2026-07", start: Fixture.date(7, 1), end: Fixture.date(8, 1))
        // Later: July would bill again; earlier: June's work after the new end would be held back.
        let later = try #require(ended.refusal(of: .end(effectiveFrom: Fixture.date(9, 1), billed: [june, july])))
        #expect(later.code == .conflict && later.message.contains("final invoice INV-2026-0007 billed 2026-07"), "\(later.message)")
        let earlier = try #require(ended.refusal(of: .end(effectiveFrom: Fixture.date(6, 15), billed: [june])))
        #expect(earlier.message.contains("`docket invoice void INV-2026-0006 --reason …`"), "\(earlier.message)")
        #expect(try ended.when(.end(effectiveFrom: Fixture.date(8, 1), billed: [june])).count == 1, "July is no final invoice's month")
    }

    @Test func endAtOrBeforeTheStartIsRefused() {
        #expect(contract.refusal(of: .end(effectiveFrom: Fixture.date(1, 1)))?.code == .invalid)
    }

    @Test func commandsOnAMissingContractAreNotFound() {
        #expect(given(ContractDecider.self).refusal(of: .end(effectiveFrom: Fixture.now))?.code == .notFound)
    }

    /// Partial terms change only the fields they give, inside nested objects too (docs/billing.md, "Amending terms").
    @Test func partialTermsMergeNestedObjectsFieldByField() throws {
        let inForce: JSONValue = [
            "model": "retainer", "currency": "USD", "rates": ["*": 10_000, "onsite": 15_000],
            "rounding": ["incrementMinutes": 15, "scope": "ticket"],
            "retainer": ["monthlyFeeMinor": 100_000, "includedMinutes": 600, "coveredCategories": ["helpdesk"]],
        ]
        let fee = try ContractDecider.completedTerms(["retainer": ["monthlyFeeMinor": 150_000]], inForce: inForce)
        #expect(fee == [
            "model": "retainer", "currency": "USD", "rates": ["*": 10_000, "onsite": 15_000],
            "rounding": ["incrementMinutes": 15, "scope": "ticket"],
            "retainer": ["monthlyFeeMinor": 150_000, "includedMinutes": 600, "coveredCategories": ["helpdesk"]],
        ])
        let rounding = try ContractDecider.completedTerms(["rounding": ["incrementMinutes": 30]], inForce: inForce)
        #expect(rounding.field("rounding") == ["incrementMinutes": 30, "scope": "ticket"])
        // A null inside a nested object removes that field; arrays replace; a new nested object drops its nulls.
        let rates = try ContractDecider.completedTerms(
            ["rates": ["onsite": .null, "remote": 12_000], "retainer": ["coveredCategories": ["network"]],
             "afterHours": ["calendar": "ny", "multiplierPercent": 150, "x": .null]],
            inForce: inForce)
        #expect(rates.field("rates") == ["*": 10_000, "remote": 12_000])
        #expect(rates.field("retainer") == ["monthlyFeeMinor": 100_000, "includedMinutes": 600, "coveredCategories": ["network"]])
        #expect(rates.field("afterHours") == ["calendar": "ny", "multiplierPercent": 150])
        // A nested object given as null is removed whole.
        #expect(try ContractDecider.completedTerms(["rounding": .null], inForce: inForce).field("rounding") == nil)
    }
}

/// Valid retainer billing terms with a monthly fee of `fee` cents.
private func retainerTerms(_ fee: Int64) -> JSONValue {
    ["model": "retainer", "currency": "USD", "retainer": ["monthlyFeeMinor": .integer(fee)]]
}

extension JSONValue {
    /// The field `key` of an object.
    fileprivate func field(_ key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }
}
