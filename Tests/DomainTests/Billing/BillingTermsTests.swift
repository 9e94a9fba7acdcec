import DocketTime
import Domain
import Testing

@Suite("Billing: terms are read and checked")
struct BillingTermsTests {
    @Test func readsHourlyTerms() throws {
        let terms = try BillingTerms(
            JSONValue.parse(
                #"""
                {"model": "hourly", "currency": "USD", "rates": {"remote": 12500, "onsite": 15000, "*": 12500},
                 "rounding": {"incrementMinutes": 15, "scope": "ticket"}, "minimumMinutesPerTicket": 30,
                 "afterHours": {"calendar": "ny-office", "multiplierPercent": 150},
                 "nonBillableWorkTypes": ["internal"], "nonBillableCategories": ["warranty"], "taxBasisPoints": 825}
                """#))
        #expect(terms.model == .hourly)
        #expect(terms.currency == "USD")
        #expect(terms.rates == ["remote": 12_500, "onsite": 15_000, "*": 12_500])
        #expect(terms.rate(for: "onsite") == 15_000)
        #expect(terms.rate(for: "travel") == 12_500, "the * rate prices other work types")
        #expect(terms.rounding?.incrementMinutes == 15 && terms.rounding?.scope == .ticket)
        #expect(terms.minimumMinutesPerTicket == 30)
        #expect(try BillingTerms(["model": "hourly", "currency": "USD", "rates": ["*": 1], "minimumTopUp": "business-hours"]).minimumTopUp == .businessHours)
        #expect(terms.afterHours?.calendar == "ny-office" && terms.afterHours?.multiplierPercent == 150)
        #expect(terms.nonBillableWorkTypes == ["internal"])
        #expect(terms.nonBillableCategories == ["warranty"])
        #expect(terms.taxRate == TaxRate(basisPoints: 825))
        #expect(terms.block == nil && terms.retainer == nil)
    }

    @Test func defaultsAreNeutral() throws {
        let terms = try BillingTerms(["model": "hourly", "currency": "EUR", "rates": ["remote": 10_000]])
        #expect(terms.rate(for: "onsite") == nil, "no * rate: other work types have no rate")
        #expect(terms.rounding == nil)
        #expect(terms.minimumMinutesPerTicket == 0)
        #expect(terms.minimumTopUp == .firstWork, "a minimum is topped up at the first work's rate unless the terms say otherwise")
        #expect(terms.afterHours == nil)
        #expect(terms.nonBillableWorkTypes.isEmpty && terms.nonBillableCategories.isEmpty)
        #expect(terms.taxRate.millionths == 0)
        let entryScope = try BillingTerms(
            ["model": "hourly", "currency": "EUR", "rates": ["*": 1], "rounding": ["incrementMinutes": 6]])
        #expect(entryScope.rounding?.scope == .entry, "rounding scope defaults to entry")
    }

    @Test func readsBlockTerms() throws {
        let terms = try BillingTerms([
            "model": "block", "currency": "USD",
            "block": [
                "id": "2026-Q4", "minutes": 1_200, "priceMinor": 180_000, "overageRatePerHour": 15_000, "expiresAt": "2027-01-01T00:00:00Z",
            ],
        ])
        #expect(terms.model == .block)
        #expect(terms.rates.isEmpty, "block terms need no rates")
        let block = try #require(terms.block)
        #expect(block.id == "2026-Q4" && block.minutes == 1_200 && block.priceMinor == 180_000 && block.overageRatePerHour == 15_000)
        #expect(block.expiresAt == BillingFixture.at("2027-01-01T00:00:00Z"))
        let unpriced = try BillingTerms([
            "model": "block", "currency": "USD", "block": ["id": "b", "minutes": 60, "overageRatePerHour": 1],
        ])
        #expect(unpriced.block?.priceMinor == nil && unpriced.block?.expiresAt == nil)
    }

    @Test func readsRetainerTerms() throws {
        let terms = try BillingTerms([
            "model": "retainer", "currency": "GBP", "rates": ["*": 9_000],
            "retainer": ["monthlyFeeMinor": 250_000, "includedMinutes": 600, "coveredCategories": ["helpdesk"]],
        ])
        let retainer = try #require(terms.retainer)
        #expect(retainer.monthlyFeeMinor == 250_000 && retainer.includedMinutes == 600 && retainer.coveredCategories == ["helpdesk"])
        let bare = try BillingTerms(["model": "retainer", "currency": "GBP", "retainer": ["monthlyFeeMinor": 1]])
        #expect(bare.retainer?.monthlyFeeMinor == 1 && bare.retainer?.includedMinutes == 0 && bare.retainer?.coveredCategories == [])
    }

    @Test func readsRecurringChargesPerUnitUnderAnyModel() throws {
        let terms = try BillingTerms([
            "model": "retainer", "currency": "USD", "retainer": ["monthlyFeeMinor": 100_000],
            "recurring": [
                "workstations": ["description": "Managed workstation", "unitPriceMinor": 4_500, "quantity": 25],
                "m365-users": ["description": "Microsoft 365 Business Premium", "unitPriceMinor": 2_200, "quantity": 0],
            ],
        ])
        #expect(terms.recurring.map(\.id) == ["m365-users", "workstations"], "by id")
        #expect(terms.recurring.last?.description == "Managed workstation" && terms.recurring.last?.amountMinor == 112_500)
        #expect(terms.recurring.first?.quantity == 0 && terms.recurring.first?.amountMinor == 0)
        #expect(try BillingTerms(["model": "hourly", "currency": "USD", "rates": ["*": 1]]).recurring.isEmpty)
    }

    static let refusals: [(JSONValue, String)] = [
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["Work Stations": ["description": "x", "unitPriceMinor": 1, "quantity": 1]]],
            "billingTerms.recurring.Work Stations is not an item id: 1 to 32 lower-case letters"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": ["description": "x", "unitPriceMinor": 1, "quantity": 1, "price": 2]]],
            "billingTerms.recurring.ws.price is not a billing term"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": ["description": "x", "unitPriceMinor": 1, "quantity": -1]]],
            "billingTerms.recurring.ws.quantity must be a whole number from 0 to 1000000, not -1 (how many units: 25)"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": ["description": "x", "unitPriceMinor": 1]]],
            "billingTerms.recurring.ws.quantity is required"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": ["description": "two\nlines", "unitPriceMinor": 1, "quantity": 1]]],
            "billingTerms.recurring.ws.description must be one line of 1 to 100 characters"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": ["description": "x", "unitPriceMinor": "45.00", "quantity": 1]]],
            "billingTerms.recurring.ws.unitPriceMinor must be a whole number (money in minor units"
        ),
        (["model": "hourly", "currency": "USD", "rates": ["*": 1], "recurring": ["ws": 25]], "billingTerms.recurring.ws must be a JSON object"),
        (["model": "hourly", "currency": "USD", "rates": ["*": 1], "discount": 5], "billingTerms.discount is not a billing term"),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "rounding": ["incrementMinutes": 15, "mode": "up"]],
            "billingTerms.rounding.mode is not a billing term"
        ),
        (
            ["model": "block", "currency": "USD", "block": ["id": "b", "minutes": 60, "overageRatePerHour": 1, "price": 5]],
            "billingTerms.block.price is not a billing term"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "taxBasisPoints": 10_001],
            "billingTerms.taxBasisPoints must be a whole number from 0 to 10000, not 10001"
        ),
        (["model": "hourly", "currency": "USD", "rates": ["remote": -1]], "billingTerms.rates.remote must be a whole number from 0"),
        (["model": "hourly", "currency": "USD", "rates": ["remote": "125.00"]], "billingTerms.rates.remote must be a whole number"),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "afterHours": ["calendar": "ny", "multiplierPercent": 99]],
            "billingTerms.afterHours.multiplierPercent must be a whole number from 100 to 1000, not 99"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "rounding": ["incrementMinutes": 0]],
            "billingTerms.rounding.incrementMinutes must be a whole number from 1 to 480, not 0"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "rounding": ["incrementMinutes": 15, "scope": "month"]],
            "billingTerms.rounding.scope must be entry or ticket, not month"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "minimumMinutesPerTicket": 1_441],
            "billingTerms.minimumMinutesPerTicket must be a whole number from 0 to 1440"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "minimumTopUp": "normal-rate"],
            "billingTerms.minimumTopUp must be first-work or business-hours, not normal-rate"
        ),
        (["model": "hourly", "currency": "USD"], "billingTerms.rates hourly terms need at least one rate"),
        (["model": "hourly", "currency": "USD", "rates": [:]], "billingTerms.rates hourly terms need at least one rate"),
        (["model": "block", "currency": "USD", "rates": ["*": 1]], "billingTerms.block block terms need a block object"),
        (["model": "retainer", "currency": "USD", "rates": ["*": 1]], "billingTerms.retainer retainer terms need a retainer object"),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "block": ["id": "b", "minutes": 60, "overageRatePerHour": 1]],
            "billingTerms.model hourly terms take no block or retainer"
        ),
        (
            ["model": "weekly", "currency": "USD", "rates": ["*": 1]],
            "billingTerms.model must be one of hourly, block or retainer, not weekly"
        ),
        (["currency": "USD", "rates": ["*": 1]], "billingTerms.model is required"),
        (["model": "hourly", "rates": ["*": 1]], "billingTerms.currency is required"),
        (["model": "hourly", "currency": "usd", "rates": ["*": 1]], "billingTerms.currency must be an ISO 4217 code"),
        (["model": "hourly", "currency": "DOLLAR", "rates": ["*": 1]], "billingTerms.currency must be an ISO 4217 code"),
        (
            ["model": "block", "currency": "USD", "block": ["id": "b", "minutes": 0, "overageRatePerHour": 1]],
            "billingTerms.block.minutes must be a whole number from 1"
        ),
        (
            ["model": "block", "currency": "USD", "block": ["id": "b", "minutes": 60, "overageRatePerHour": 1, "expiresAt": "soon"]],
            "billingTerms.block.expiresAt must be an RFC 3339 time"
        ),
        (["model": "block", "currency": "USD", "block": ["minutes": 60, "overageRatePerHour": 1]], "billingTerms.block.id is required"),
        (
            ["model": "retainer", "currency": "USD", "retainer": ["includedMinutes": 60]],
            "billingTerms.retainer.monthlyFeeMinor is required"
        ),
        (
            ["model": "retainer", "currency": "USD", "retainer": ["monthlyFeeMinor": 1, "coveredCategories": "helpdesk"]],
            "billingTerms.retainer.coveredCategories must be a list of names"
        ),
        (
            ["model": "hourly", "currency": "USD", "rates": ["*": 1], "nonBillableWorkTypes": [1]],
            "billingTerms.nonBillableWorkTypes must be a list of names"
        ),
        (["model": "hourly", "currency": "USD", "rates": ["*": 1], "rounding": 15], "billingTerms.rounding must be a JSON object"),
        ([1, 2], "billingTerms must be a JSON object"),
    ]

    @Test(arguments: refusals)
    func refusalNamesTheField(_ terms: JSONValue, _ message: String) throws {
        let error = try #require(refusal { () throws(DomainError) in try BillingTerms(terms) })
        #expect(error.code == .invalid)
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func fractionsAreRefusedByJSONValueWithTheirPath() throws {
        let error = try #require(
            refusal { () throws(DomainError) in
                try JSONValue.parse(#"{"model": "hourly", "currency": "USD", "rates": {"remote": 125.5}}"#)
            })
        #expect(error.code == .invalid)
        #expect(error.message.contains("fractional"), "\(error.message)")
        #expect(error.message.contains("rates.remote"), "\(error.message)")
    }

    @Test func contractsRefuseUnreadableTerms() throws {
        let error = try #require(
            refusal { () throws(DomainError) in
                try ContractDecider.decide(
                    .create(
                        CreateContract(
                            id: "acme-msa", client: "acme", clientSnapshot: Fixture.acme, name: "MSA", effectiveFrom: Fixture.date(1, 1),
                            billingTerms: ["model": "hourly", "currency": "USD"])),
                    state: ContractDecider.initialState, context: DecisionContext(actor: Fixture.billing, now: Fixture.now))
            })
        #expect(error.message.hasPrefix("billingTerms.rates"))
    }

    static func createRefusal(_ terms: JSONValue) -> DomainError? {
        refusal { () throws(DomainError) in
            try ContractDecider.decide(
                .create(
                    CreateContract(
                        id: "acme-msa", client: "acme", clientSnapshot: Fixture.acme, name: "MSA", effectiveFrom: Fixture.date(1, 1),
                        billingTerms: terms)),
                state: ContractDecider.initialState, context: DecisionContext(actor: Fixture.billing, now: Fixture.now))
        }
    }

    /// Logged work types are lower case: a key with capitals would never match, so new terms refuse it.
    static let workTypeRefusals: [(JSONValue, String, String)] = [
        (["rates": ["*": 10_000, "Onsite": 20_000]], #"billingTerms.rates key "Onsite" would never match"#, #"write "onsite""#),
        (["rates": ["*": 10_000], "nonBillableWorkTypes": ["Internal"]], #"billingTerms.nonBillableWorkTypes entry "Internal""#, #"write "internal""#),
        (["rates": ["on site": 10_000]], #"billingTerms.rates key "on site" is not a work type"#, "lower-case letters"),
        (["rates": ["*": 1], "nonBillableWorkTypes": ["-x"]], #"billingTerms.nonBillableWorkTypes entry "-x" is not a work type"#, "dashes"),
    ]

    @Test(arguments: workTypeRefusals)
    func newTermsRefuseWorkTypesThatAreNotWorkTypes(_ extra: JSONValue, _ prefix: String, _ fix: String) throws {
        guard case .object(var fields) = extra else { return }
        fields["model"] = "hourly"
        fields["currency"] = "USD"
        let error = try #require(Self.createRefusal(.object(fields)))
        #expect(error.code == .invalid)
        #expect(error.message.hasPrefix(prefix), "\(error.message)")
        #expect(error.message.contains(fix), "\(error.message)")
    }

    @Test func storedTermsWithCapitalsStillRead() throws {
        let terms = try BillingTerms(["model": "hourly", "currency": "USD", "rates": ["*": 1, "Onsite": 2], "nonBillableWorkTypes": ["Internal"]])
        #expect(terms.rates["Onsite"] == 2 && terms.nonBillableWorkTypes == ["Internal"])
        #expect(Self.createRefusal(["model": "hourly", "currency": "USD", "rates": ["*": 1, "on-site": 2, "t2": 3]]) == nil)
    }
}
