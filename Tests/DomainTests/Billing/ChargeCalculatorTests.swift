import DocketTime
import Domain
import Testing

@Suite("Billing: time and fees become charges")
struct ChargeCalculatorTests {
    typealias F = BillingFixture

    static func hourly(_ extra: [String: JSONValue] = [:], rates: JSONValue = ["remote": 12_000, "*": 9_000]) -> JSONValue {
        var fields: [String: JSONValue] = ["model": "hourly", "currency": "USD", "rates": rates]
        fields.merge(extra) { _, new in new }
        return .object(fields)
    }

    static func msa(_ terms: JSONValue = hourly(), from start: String = "2026-01-01T00:00:00Z") throws -> ContractState {
        try F.contract("acme-msa", from: F.at(start), terms: terms)
    }

    @Test func ratesByWorkTypeAndStar() throws {
        let sheet = F.sheet(
            [try Self.msa()],
            [
                F.entry(1, minutes: 60, at: "2026-11-03T15:00:00Z"),
                F.entry(2, minutes: 30, at: "2026-11-04T15:00:00Z", workType: "onsite"),
                F.entry(3, minutes: 30, at: "2026-11-05T15:00:00Z"),
                F.entry(4, minutes: 45, at: "2026-10-20T15:00:00Z"),
                F.entry(5, minutes: 45, at: "2026-12-01T00:00:00Z"),
            ])
        #expect(
            sheet.keys == [
                "time:T-1001:2026-10:remote:std:acme-msa#0", "time:T-1001:2026-11:onsite:std:acme-msa#0",
                "time:T-1001:2026-11:remote:std:acme-msa#0",
            ], "December's work is after the period")
        let remote = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0"))
        #expect(remote.entries.map(\.entryId) == ["TE-1", "TE-3"])
        #expect(remote.loggedMinutes == 90 && remote.chargedMinutes == 90 && remote.ratePerHour == 12_000)
        #expect(remote.amount == 18_000)
        #expect(remote.kind == .time && remote.period == "2026-11" && remote.ticket == "T-1001" && remote.currency == "USD")
        let onsite = try #require(sheet.charge("time:T-1001:2026-11:onsite:std:acme-msa#0"))
        #expect(onsite.ratePerHour == 9_000, "onsite has no rate of its own: the * rate")
        #expect(onsite.amount == 4_500)
        #expect(sheet.heldBack.isEmpty && sheet.excluded.isEmpty)
    }

    @Test func entriesWithoutAContractAreHeldBack() throws {
        let sheet = F.sheet([try Self.msa(from: "2026-11-10T00:00:00Z")], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z")])
        #expect(sheet.charges.isEmpty)
        #expect(sheet.heldBack.map(\.entryId) == ["TE-1"])
        #expect(sheet.heldBack.first?.reason.contains("no contract with billing terms is in force") == true)
        #expect(sheet.heldBack.first?.minutes == 30 && sheet.heldBack.first?.ticket == "T-1001")
    }

    /// Work after the client's contract ended is held back naming the contract, its end and fixes that work: it said
    /// "create one, or amend one with an earlier --effective", and an amendment from the end on is refused (an end
    /// cannot be moved either). Work before it ended is billed as ever.
    @Test func workAfterTheContractEndedIsHeldBackNamingTheEnd() throws {
        let ended = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: Self.hourly(), endsAt: F.at("2026-11-10T00:00:00Z"))
        let sheet = F.sheet([ended], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z"), F.entry(2, minutes: 45, at: "2026-11-12T15:00:00Z")])
        #expect(sheet.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0"])
        #expect(sheet.heldBack.map(\.entryId) == ["TE-2"])
        #expect(sheet.heldBack.first?.reason == """
            contract acme-msa of client acme ended at 2026-11-10T00:00:00.000Z, before this work (started 2026-11-12T15:00:00.000Z), \
            and no other contract with billing terms is in force then; bill it under a new contract in force then \
            (`docket contract add … --client acme --effective …`), or, if it is not to be billed, `docket time correct TE-2 --non-billable --reason …`
            """)
    }

    @Test func workTypesWithoutARateAreHeldBack() throws {
        let sheet = F.sheet(
            [try Self.msa(Self.hourly(rates: ["remote": 12_000]))],
            [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z", workType: "travel"), F.entry(2, minutes: 30, at: "2026-11-05T16:00:00Z")])
        #expect(sheet.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0"])
        #expect(sheet.heldBack.map(\.entryId) == ["TE-1"])
        #expect(sheet.heldBack.first?.reason.contains("no rate for work type travel") == true)
    }

    @Test func unknownCalendarsHoldBack() throws {
        let terms = Self.hourly(["afterHours": ["calendar": "paris-office", "multiplierPercent": 150]])
        let sheet = F.sheet([try Self.msa(terms)], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z")])
        #expect(sheet.charges.isEmpty)
        #expect(sheet.heldBack.first?.reason.contains("calendar paris-office") == true)
        // A calendar whose hours start after the work holds it back too.
        let late: [String: CalendarState] = [
            "paris-office": CalendarState(
                id: "paris-office", name: "Paris",
                versions: [CalendarVersion(amendment: 0, effectiveFrom: F.at("2026-11-06T00:00:00Z"), calendar: SLAFixture.berlin)])
        ]
        let sheet2 = F.sheet(
            [try Self.msa(terms)],
            [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z"), F.entry(2, minutes: 30, at: "2026-11-06T10:00:00Z")],
            calendars: late)
        #expect(sheet2.heldBack.map(\.entryId) == ["TE-1"])
        #expect(sheet2.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0"])
    }

    /// The held-back reason gives a fix that works: `calendar define` refuses a calendar that exists and `calendar
    /// amend` a date before its start, so a calendar that starts after the work gets a new calendar from the terms'
    /// start, the contract amended to use it, and back to the old one once it starts.
    @Test func aCalendarThatStartsAfterTheWorkNamesAFixThatWorks() throws {
        let terms = Self.hourly(["afterHours": ["calendar": "paris-office", "multiplierPercent": 150]])
        let unknown = F.sheet([try Self.msa(terms)], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z")])
        let defineIt = try #require(unknown.heldBack.first?.reason)
        #expect(defineIt.contains("calendar paris-office of contract acme-msa does not exist"), "\(defineIt)")
        #expect(defineIt.contains("`docket calendar define paris-office --name … --file HOURS --effective 2026-01-01T00:00:00.000Z`"), "\(defineIt)")

        let late: [String: CalendarState] = [
            "paris-office": CalendarState(
                id: "paris-office", name: "Paris",
                versions: [CalendarVersion(amendment: 0, effectiveFrom: F.at("2026-11-06T09:30:00Z"), calendar: SLAFixture.berlin)])
        ]
        let sheet = F.sheet([try Self.msa(terms)], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z")], calendars: late)
        let reason = try #require(sheet.heldBack.first?.reason)
        #expect(!reason.contains("define it with"), "define refuses a calendar that exists: \(reason)")
        #expect(reason.contains("it starts at 2026-11-06T09:30:00.000Z"), "\(reason)")
        #expect(reason.contains("`docket calendar define paris-office-early --name … --file HOURS --effective 2026-01-01T00:00:00.000Z`"), "\(reason)")
        #expect(reason.contains(
            #"`docket contract amend acme-msa --effective 2026-01-01T00:00:00.000Z --terms '{"afterHours":{"calendar":"paris-office-early","multiplierPercent":150}}'`"#),
            "\(reason)")
        #expect(reason.contains(
            #"`docket contract amend acme-msa --effective 2026-11-06T09:30:00.000Z --terms '{"afterHours":{"calendar":"paris-office","multiplierPercent":150}}'`"#),
            "\(reason)")

        // Terms that end before the calendar starts need no way back.
        let ended = try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: terms, endsAt: F.at("2026-11-06T00:00:00Z"))
        let short = F.sheet([ended], [F.entry(1, minutes: 30, at: "2026-11-05T15:00:00Z")], calendars: late)
        let noWayBack = try #require(short.heldBack.first?.reason)
        #expect(noWayBack.contains("paris-office-early") && !noWayBack.contains("go back"), "\(noWayBack)")
    }

    @Test func nonBillableTimeIsExcluded() throws {
        let terms = Self.hourly(["nonBillableWorkTypes": ["internal"], "nonBillableCategories": ["warranty"]])
        let sheet = F.sheet(
            [try Self.msa(terms)],
            [
                F.entry(1, minutes: 10, at: "2026-11-05T15:00:00Z", billable: false),
                F.entry(2, minutes: 20, at: "2026-11-05T16:00:00Z", workType: "internal"),
                F.entry(3, ticket: "T-1003", minutes: 30, at: "2026-11-05T17:00:00Z"),
                F.entry(4, minutes: 40, at: "2026-11-05T18:00:00Z", voided: true),
                F.entry(5, ticket: "T-1004", minutes: 50, at: "2026-11-05T19:00:00Z"),
            ])
        #expect(sheet.excluded.map(\.entryId) == ["TE-1", "TE-2", "TE-3"])
        #expect(sheet.excluded.map(\.minutes) == [10, 20, 30])
        #expect(sheet.excluded[0].reason == "logged as non-billable")
        #expect(sheet.excluded[1].reason.contains("work type internal is non-billable"))
        #expect(sheet.excluded[2].reason.contains("category warranty is non-billable"))
        #expect(sheet.heldBack.isEmpty)
        #expect(sheet.keys == ["time:T-1004:2026-11:remote:std:acme-msa#0"], "voided time is neither billed nor listed")
    }

    @Test func afterHoursUsesTheTermsCalendarAtTheStartInstant() throws {
        let terms = Self.hourly(["afterHours": ["calendar": "ny-office", "multiplierPercent": 150]])
        let sheet = F.sheet(
            [try Self.msa(terms)],
            [
                F.entry(1, minutes: 60, at: "2026-11-02T14:00:00Z"),  // Monday 09:00 EST: open
                F.entry(2, minutes: 60, at: "2026-11-02T22:00:00Z"),  // Monday 17:00 EST: closed
                F.entry(3, minutes: 60, at: "2026-11-07T15:00:00Z"),  // Saturday
                F.entry(4, minutes: 60, at: "2026-11-02T21:59:00Z"),  // 16:59, runs past closing: started in hours
            ])
        let business = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0"))
        #expect(business.entries.map(\.entryId) == ["TE-1", "TE-4"])
        #expect(business.multiplierPercent == 100 && !business.afterHours && business.amount == 24_000)
        let after = try #require(sheet.charge("time:T-1001:2026-11:remote:after-hours:acme-msa#0"))
        #expect(after.entries.map(\.entryId) == ["TE-2", "TE-3"])
        #expect(after.afterHours && after.multiplierPercent == 150)
        #expect(after.amount == 36_000)  // 120 min × 120.00/h × 1.5
    }

    @Test func entryRoundingRoundsEachEntry() throws {
        let terms = Self.hourly(["rounding": ["incrementMinutes": 15, "scope": "entry"]])
        let sheet = F.sheet(
            [try Self.msa(terms)], [F.entry(1, minutes: 7, at: "2026-11-03T15:00:00Z"), F.entry(2, minutes: 7, at: "2026-11-04T15:00:00Z")])
        let charge = try #require(sheet.charges.first)
        #expect(charge.loggedMinutes == 14 && charge.roundingMinutes == 16 && charge.chargedMinutes == 30)
        #expect(charge.amount == 6_000)
    }

    @Test func ticketRoundingRoundsTheGroupTotal() throws {
        let terms = Self.hourly(["rounding": ["incrementMinutes": 15, "scope": "ticket"]])
        let sheet = F.sheet(
            [try Self.msa(terms)],
            [
                F.entry(1, minutes: 7, at: "2026-11-03T15:00:00Z"), F.entry(2, minutes: 7, at: "2026-11-04T15:00:00Z"),
                F.entry(3, minutes: 15, at: "2026-11-04T16:00:00Z", workType: "onsite"),
            ])
        let remote = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0"))
        #expect(remote.loggedMinutes == 14 && remote.roundingMinutes == 1 && remote.chargedMinutes == 15)
        #expect(remote.amount == 3_000)
        let onsite = try #require(sheet.charge("time:T-1001:2026-11:onsite:std:acme-msa#0"))
        #expect(onsite.roundingMinutes == 0, "already a multiple")
    }

    @Test func minimumTopsUpTheTicketsFirstGroupOfTheMonth() throws {
        let terms = Self.hourly(["minimumMinutesPerTicket": 60])
        let sheet = F.sheet(
            [try Self.msa(terms)],
            [
                F.entry(1, minutes: 20, at: "2026-11-03T15:00:00Z"),
                F.entry(2, minutes: 10, at: "2026-11-04T15:00:00Z", workType: "onsite"),
                F.entry(3, ticket: "T-1004", minutes: 90, at: "2026-11-04T15:00:00Z"),
                F.entry(4, minutes: 5, at: "2026-10-04T15:00:00Z", workType: "onsite"),
            ])
        let first = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0"))
        #expect(first.minimumMinutes == 30 && first.billedMinutes == 50 && first.amount == 10_000)
        let second = try #require(sheet.charge("time:T-1001:2026-11:onsite:std:acme-msa#0"))
        #expect(second.minimumMinutes == 0 && second.amount == 1_500)
        #expect(sheet.charge("time:T-1004:2026-11:remote:std:acme-msa#0")?.minimumMinutes == 0)
        #expect(sheet.charge("time:T-1001:2026-10:onsite:std:acme-msa#0")?.minimumMinutes == 55, "each month has its own minimum")
    }

    @Test func aMinimumIsToppedUpAtTheBusinessHoursRateWhenTheTermsSaySo() throws {
        // Minimum 60, ×150% after hours, remote 120.00: 10 minutes on Saturday, then 20 on Monday in hours.
        let base: [String: JSONValue] = ["minimumMinutesPerTicket": 60, "afterHours": ["calendar": "ny-office", "multiplierPercent": 150]]
        let entries = [F.entry(1, minutes: 10, at: "2026-11-07T15:00:00Z"), F.entry(2, minutes: 20, at: "2026-11-09T15:00:00Z")]
        let afterHoursKey = "time:T-1001:2026-11:remote:after-hours:acme-msa#0"
        let inHoursKey = "time:T-1001:2026-11:remote:std:acme-msa#0"

        let firstWork = F.sheet([try Self.msa(Self.hourly(base))], entries)
        #expect(firstWork.charge(afterHoursKey)?.minimumMinutes == 30, "without the term: the month's first work, at its rate")
        #expect(firstWork.charges.reduce(0) { $0 + $1.amount } == 16_000, "40 min × 180.00/h + 20 min × 120.00/h")

        var topUp = base
        topUp["minimumTopUp"] = "business-hours"
        let sheet = F.sheet([try Self.msa(Self.hourly(topUp))], entries)
        #expect(sheet.charge(afterHoursKey)?.minimumMinutes == 0 && sheet.charge(afterHoursKey)?.amount == 3_000)
        let inHours = try #require(sheet.charge(inHoursKey))
        #expect(inHours.minimumMinutes == 30 && inHours.chargedMinutes == 50 && inHours.amount == 10_000)
        #expect(sheet.charges.reduce(0) { $0 + $1.amount } == 13_000, "the 30 minutes added at 120.00/h, not 180.00/h")

        // All of the month's work after hours: a top-up of its own, without entries, at the rate without the multiplier.
        let weekendOnly = F.sheet([try Self.msa(Self.hourly(topUp))], [entries[0]])
        #expect(weekendOnly.keys == [afterHoursKey, inHoursKey])
        let own = try #require(weekendOnly.charge(inHoursKey))
        #expect(own.entries.isEmpty && own.loggedMinutes == 0 && own.minimumMinutes == 50 && !own.afterHours)
        #expect(own.multiplierPercent == 100 && own.amount == 10_000 && own.description == "T-1001 remote, 2026-11")
        #expect(weekendOnly.charge(afterHoursKey)?.amount == 3_000)
        #expect(F.sheet([try Self.msa(Self.hourly(base))], [entries[0]]).charges.map(\.amount) == [18_000], "60 min × 180.00/h")
    }

    @Test func aMinimumToppedUpAtTheBusinessHoursRateDrawsOnTheBlockInOrderOfWork() throws {
        // A block of 60 minutes: Saturday's 10 minutes, then their top-up of 50, use it up; Monday's work is overage.
        let terms: JSONValue = [
            "model": "block", "currency": "USD", "minimumMinutesPerTicket": 60, "minimumTopUp": "business-hours",
            "afterHours": ["calendar": "ny-office", "multiplierPercent": 150],
            "block": ["id": "B1", "minutes": 60, "overageRatePerHour": 15_000],
        ]
        let sheet = F.sheet(
            [try Self.msa(terms)],
            [F.entry(1, minutes: 10, at: "2026-11-07T15:00:00Z"), F.entry(2, ticket: "T-1004", minutes: 30, at: "2026-11-09T15:00:00Z")])
        #expect(sheet.charge("time:T-1001:2026-11:remote:after-hours:acme-msa#0")?.coveredMinutes == 10)
        #expect(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0")?.coveredMinutes == 50)
        let overage = try #require(sheet.charge("time:T-1004:2026-11:remote:std:acme-msa#0"))
        #expect(overage.coveredMinutes == 0 && overage.minimumMinutes == 30 && overage.amount == 15_000, "60 min of overage at 150.00/h")
    }

    @Test func anAmendmentThatChangesOnlyTheSLAPolicySharesTheMinimum() throws {
        let terms = Self.hourly(["minimumMinutesPerTicket": 60, "rounding": ["incrementMinutes": 15]])
        var contract = try Self.msa(terms)
        // Mid-month, an SLA policy is attached: a new version with the same billing terms.
        contract.versions.append(ContractTerms(amendment: 1, effectiveFrom: F.at("2026-11-15T00:00:00Z"), slaPolicy: "gold", billingTerms: terms))
        let entries = [F.entry(1, minutes: 10, at: "2026-11-10T10:00:00Z"), F.entry(2, minutes: 10, at: "2026-11-20T10:00:00Z")]
        let sheet = F.sheet([contract], entries)
        #expect(sheet.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0", "time:T-1001:2026-11:remote:std:acme-msa#1"], "each line names its version")
        #expect(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#0")?.minimumMinutes == 30, "15 + 15 rounded, topped up to 60")
        #expect(sheet.charge("time:T-1001:2026-11:remote:std:acme-msa#1")?.minimumMinutes == 0, "one minimum for the ticket's month")
        #expect(sheet.charges.reduce(0) { $0 + $1.amount } == 12_000, "60 minutes at 120.00, as without the amendment")
    }

    @Test func aRateChangeMidMonthDoesNotStartASecondMinimum() throws {
        // The QA probe: minimum 60, ticket-scope rounding 15, remote 125.00; from 15 October remote is 150.00.
        let terms = Self.hourly(
            ["minimumMinutesPerTicket": 60, "rounding": ["incrementMinutes": 15, "scope": "ticket"]], rates: ["remote": 12_500])
        let contract = try F.contract(
            "acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: terms,
            amendments: [(F.at("2026-10-15T00:00:00Z"), Self.hourly(
                ["minimumMinutesPerTicket": 60, "rounding": ["incrementMinutes": 15, "scope": "ticket"]], rates: ["remote": 15_000]))])
        let sheet = F.sheet(
            [contract], [F.entry(1, minutes: 50, at: "2026-10-12T15:00:00Z"), F.entry(2, minutes: 25, at: "2026-10-16T15:00:00Z")],
            through: BillingPeriod(year: 2026, month: 10)!)
        let before = try #require(sheet.charge("time:T-1001:2026-10:remote:std:acme-msa#0"))
        let after = try #require(sheet.charge("time:T-1001:2026-10:remote:std:acme-msa#1"))
        #expect(before.minimumMinutes == 0 && before.chargedMinutes == 60 && before.amount == 12_500)
        #expect(after.minimumMinutes == 0 && after.chargedMinutes == 30 && after.amount == 7_500, "90 minutes billed reach the minimum")
        // Below the minimum across both versions: the month's first work is topped up, at its version's rate.
        let short = F.sheet(
            [contract], [F.entry(1, minutes: 10, at: "2026-10-12T15:00:00Z"), F.entry(2, minutes: 10, at: "2026-10-16T15:00:00Z")],
            through: BillingPeriod(year: 2026, month: 10)!)
        #expect(short.charge("time:T-1001:2026-10:remote:std:acme-msa#0")?.minimumMinutes == 30)
        #expect(short.charge("time:T-1001:2026-10:remote:std:acme-msa#1")?.minimumMinutes == 0)
        #expect(short.charges.reduce(0) { $0 + $1.amount } == 13_125, "60 minutes once: 45 at 125.00 and 15 at 150.00")
    }

    static let block: JSONValue = [
        "model": "block", "currency": "USD",
        "block": ["id": "B1", "minutes": 120, "priceMinor": 50_000, "overageRatePerHour": 15_000, "expiresAt": "2026-12-01T00:00:00Z"],
    ]

    @Test func blocksAreDrawnDownInOrderOfWorkThenOverageThenExpiry() throws {
        let contract = try F.contract("acme-block", from: F.at("2026-10-01T00:00:00Z"), terms: Self.block)
        let sheet = F.sheet(
            [contract],
            [
                F.entry(2, ticket: "T-1004", minutes: 50, at: "2026-11-04T15:00:00Z"),
                F.entry(1, minutes: 100, at: "2026-11-03T15:00:00Z"),
                F.entry(3, minutes: 60, at: "2026-12-02T15:00:00Z"),
            ], through: F.december)
        let first = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-block#0"))
        #expect(first.coveredMinutes == 100 && first.chargedMinutes == 0 && first.amount == 0)
        #expect(first.coverage == "block B1")
        let second = try #require(sheet.charge("time:T-1004:2026-11:remote:std:acme-block#0"))
        #expect(second.coveredMinutes == 20 && second.chargedMinutes == 30 && second.ratePerHour == 15_000)
        #expect(second.amount == 7_500)
        let expired = try #require(sheet.charge("time:T-1001:2026-12:remote:std:acme-block#0"))
        #expect(expired.coveredMinutes == 0 && expired.coverage == nil && expired.amount == 15_000)
        let purchase = try #require(sheet.charge("block-purchase:acme-block:B1"))
        #expect(purchase.kind == .blockPurchase && purchase.amount == 50_000 && purchase.period == "2026-10")
        #expect(sheet.charges.filter { $0.kind == .blockPurchase }.count == 1)
    }

    @Test func aBlockIsPricedOnceAndSharedByVersionsNamingIt() throws {
        let amended: JSONValue = [
            "model": "block", "currency": "USD",
            "block": ["id": "B1", "minutes": 120, "priceMinor": 60_000, "overageRatePerHour": 18_000],
        ]
        let contract = try F.contract(
            "acme-block", from: F.at("2026-10-01T00:00:00Z"), terms: Self.block, amendments: [(F.at("2026-11-15T00:00:00Z"), amended)])
        let sheet = F.sheet(
            [contract], [F.entry(1, minutes: 100, at: "2026-11-03T15:00:00Z"), F.entry(2, minutes: 40, at: "2026-11-20T15:00:00Z")])
        let later = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-block#1"))
        #expect(later.coveredMinutes == 20 && later.chargedMinutes == 20 && later.amount == 6_000)
        #expect(sheet.charges.filter { $0.kind == .blockPurchase }.map(\.amount) == [50_000])
        // Not yet reached: no price.
        let before = F.sheet([contract], [], through: BillingPeriod(year: 2026, month: 9)!)
        #expect(before.charges.isEmpty)
    }

    /// docs/billing.md: "work started at or after expiresAt is not covered", also inside a month that began before it.
    @Test func workAfterABlocksExpiryIsChargedEvenInAGroupThatBeganBefore() throws {
        func terms(_ rounding: JSONValue?) -> JSONValue {
            var fields: [String: JSONValue] = [
                "model": "block", "currency": "USD",
                "block": ["id": "B1", "minutes": 600, "overageRatePerHour": 6_000, "expiresAt": "2026-11-15T00:00:00Z"],
            ]
            if let rounding { fields["rounding"] = rounding }
            return .object(fields)
        }
        let plain = try F.contract("acme-block", from: F.at("2026-10-01T00:00:00Z"), terms: terms(nil))
        let sheet = F.sheet(
            [plain], [F.entry(1, minutes: 30, at: "2026-11-10T15:00:00Z"), F.entry(2, minutes: 45, at: "2026-11-20T15:00:00Z")])
        let charge = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-block#0"))
        #expect(charge.billedMinutes == 75 && charge.coveredMinutes == 30 && charge.chargedMinutes == 45)
        #expect(charge.amount == 4_500)
        let rounded = try F.contract(
            "acme-block", from: F.at("2026-10-01T00:00:00Z"), terms: terms(["incrementMinutes": 15, "scope": "entry"]))
        let sheet2 = F.sheet(
            [rounded], [F.entry(1, minutes: 20, at: "2026-11-10T15:00:00Z"), F.entry(2, minutes: 20, at: "2026-11-20T15:00:00Z")])
        let charge2 = try #require(sheet2.charges.first)
        #expect(
            charge2.billedMinutes == 60 && charge2.coveredMinutes == 30 && charge2.chargedMinutes == 30, "the late entry's rounded 30 min")
    }

    static let retainer: JSONValue = [
        "model": "retainer", "currency": "USD", "rates": ["*": 10_000],
        "retainer": ["monthlyFeeMinor": 250_000, "includedMinutes": 60, "coveredCategories": ["helpdesk"]],
    ]

    @Test func retainerFeesAllowanceAndCoveredCategories() throws {
        let contract = try F.contract("acme-ret", from: F.at("2026-10-15T00:00:00Z"), terms: Self.retainer)
        let sheet = F.sheet(
            [contract],
            [
                F.entry(1, ticket: "T-1002", minutes: 90, at: "2026-11-02T15:00:00Z"),
                F.entry(2, minutes: 90, at: "2026-11-05T15:00:00Z"),
                F.entry(3, ticket: "T-1004", minutes: 30, at: "2026-11-06T15:00:00Z"),
                F.entry(4, minutes: 30, at: "2026-10-20T15:00:00Z"),
            ])
        #expect(sheet.charge("retainer-fee:acme-ret:2026-10")?.amount == 250_000, "the first, partial month is due too")
        #expect(sheet.charge("retainer-fee:acme-ret:2026-11")?.amount == 250_000)
        #expect(sheet.charges.filter { $0.kind == .retainerFee }.count == 2)
        let helpdesk = try #require(sheet.charge("time:T-1002:2026-11:remote:std:acme-ret#0"))
        #expect(helpdesk.coveredMinutes == 90 && helpdesk.amount == 0 && helpdesk.coverage == "covered category helpdesk")
        let network = try #require(sheet.charge("time:T-1001:2026-11:remote:std:acme-ret#0"))
        #expect(network.coveredMinutes == 60 && network.chargedMinutes == 30 && network.amount == 5_000)
        #expect(network.coverage == "retainer allowance 2026-11")
        let rest = try #require(sheet.charge("time:T-1004:2026-11:remote:std:acme-ret#0"))
        #expect(rest.coveredMinutes == 0 && rest.amount == 5_000)
        #expect(sheet.charge("time:T-1001:2026-10:remote:std:acme-ret#0")?.coveredMinutes == 30, "October has its own allowance")
    }

    @Test func retainerFeesStopWithTheContract() throws {
        let contract = try F.contract(
            "acme-ret", from: F.at("2026-10-15T00:00:00Z"), terms: Self.retainer, endsAt: F.at("2026-11-20T00:00:00Z"))
        let sheet = F.sheet([contract], [], through: BillingPeriod(year: 2027, month: 2)!)
        #expect(sheet.keys == ["retainer-fee:acme-ret:2026-10", "retainer-fee:acme-ret:2026-11"])
        // A later amendment to hourly terms stops the fee from its month on.
        let switched = try F.contract(
            "acme-ret", from: F.at("2026-10-15T00:00:00Z"), terms: Self.retainer,
            amendments: [(F.at("2026-12-01T00:00:00Z"), Self.hourly())])
        #expect(F.sheet([switched], [], through: BillingPeriod(year: 2027, month: 2)!).keys == sheet.keys)
    }

    static func perUnit(workstations: Int, price: Int64 = 4_500, m365: Int? = 12) -> JSONValue {
        var items: [String: JSONValue] = [
            "workstations": ["description": "Managed workstation", "unitPriceMinor": .integer(price), "quantity": .integer(Int64(workstations))]
        ]
        if let m365 { items["m365"] = ["description": "Microsoft 365", "unitPriceMinor": 2_200, "quantity": .integer(Int64(m365))] }
        return hourly(["recurring": .object(items)])
    }

    /// Recurring charges per unit: quantity × unit price for each month the contract is in force through the period,
    /// under the terms in force at the month's start (or the contract's), keyed per item and month; none at quantity
    /// 0, none after the contract ends.
    @Test func recurringChargesPerUnitFollowTheTermsInForceEachMonth() throws {
        let contract = try F.contract(
            "acme-msa", from: F.at("2026-10-15T00:00:00Z"), terms: Self.perUnit(workstations: 25),
            amendments: [
                (F.at("2026-11-01T00:00:00Z"), Self.perUnit(workstations: 27)),
                (F.at("2026-11-20T00:00:00Z"), Self.perUnit(workstations: 30, price: 5_000)),
                (F.at("2026-12-01T00:00:00Z"), Self.perUnit(workstations: 30, price: 5_000, m365: 0)),
            ],
            endsAt: F.at("2027-01-01T00:00:00Z"))
        let sheet = F.sheet([contract], [], through: BillingPeriod(year: 2027, month: 2)!)
        #expect(sheet.keys == [
            "recurring:acme-msa:m365:2026-10", "recurring:acme-msa:m365:2026-11",
            "recurring:acme-msa:workstations:2026-10", "recurring:acme-msa:workstations:2026-11", "recurring:acme-msa:workstations:2026-12",
        ])
        #expect(sheet.charges.allSatisfy { $0.kind == .recurring })
        let october = try #require(sheet.charge("recurring:acme-msa:workstations:2026-10"))
        #expect(october.amount == 112_500 && october.amendment == 0, "the first, partial month is due in full")
        #expect(october.description == "Managed workstation, 25 × 45.00, 2026-10")
        // November: the amendment in force on the 1st, not the one from the 20th.
        let november = try #require(sheet.charge("recurring:acme-msa:workstations:2026-11"))
        #expect(november.amount == 27 * 4_500 && november.amendment == 1)
        let december = try #require(sheet.charge("recurring:acme-msa:workstations:2026-12"))
        #expect(december.amount == 30 * 5_000 && december.amendment == 3)
        let m365 = try #require(sheet.charge("recurring:acme-msa:m365:2026-11"))
        #expect(m365.amount == 12 * 2_200 && m365.description == "Microsoft 365, 12 × 22.00, 2026-11")
    }

    @Test func anAmendmentMidMonthMakesTwoKeys() throws {
        let contract = try F.contract(
            "acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: Self.hourly(),
            amendments: [(F.at("2026-11-15T00:00:00Z"), Self.hourly(rates: ["remote": 15_000]))])
        let sheet = F.sheet(
            [contract], [F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z"), F.entry(2, minutes: 60, at: "2026-11-20T15:00:00Z")])
        #expect(sheet.keys == ["time:T-1001:2026-11:remote:std:acme-msa#0", "time:T-1001:2026-11:remote:std:acme-msa#1"])
        #expect(sheet.charges.map(\.amount) == [12_000, 15_000])
        #expect(sheet.charges.map(\.amendment) == [0, 1])
    }

    /// The most recently started contract with billing terms prices the work, as it gives a new ticket its SLA: acme-a's
    /// amendment from 20 November is not a new start, so acme-b (from 10 November) keeps the work of the 25th. It used
    /// to go back to acme-a (the version with the latest `effectiveFrom` won) while the ticket ran under acme-b's SLA.
    @Test func theMostRecentlyStartedContractWins() throws {
        let a = try F.contract(
            "acme-a", from: F.at("2026-01-01T00:00:00Z"), terms: Self.hourly(),
            amendments: [(F.at("2026-11-20T00:00:00Z"), Self.hourly(rates: ["*": 11_000]))])
        let b = try F.contract("acme-b", from: F.at("2026-11-10T00:00:00Z"), terms: Self.hourly(rates: ["*": 20_000]))
        let c = try F.contract("acme-c", from: F.at("2026-11-10T00:00:00Z"), terms: Self.hourly(rates: ["*": 30_000]))
        let slaOnly = try F.contract("acme-z", from: F.at("2026-11-01T00:00:00Z"), terms: nil)
        let entries = [
            F.entry(1, minutes: 60, at: "2026-11-05T15:00:00Z"), F.entry(2, minutes: 60, at: "2026-11-12T15:00:00Z"),
            F.entry(3, minutes: 60, at: "2026-11-25T15:00:00Z"),
        ]
        let two = F.sheet([slaOnly, b, a], entries)
        #expect(two.keys == ["time:T-1001:2026-11:remote:std:acme-a#0", "time:T-1001:2026-11:remote:std:acme-b#0"], "a contract without billing terms prices nothing")
        #expect(two.charge("time:T-1001:2026-11:remote:std:acme-b#0")?.entries.map(\.entryId) == ["TE-2", "TE-3"], "an amendment is not a new start")
        let three = F.sheet([c, a, b], entries)
        #expect(three.charge("time:T-1001:2026-11:remote:std:acme-c#0")?.entries.map(\.entryId) == ["TE-2", "TE-3"], "ties: the greater id")
        #expect(three.charge("time:T-1001:2026-11:remote:std:acme-b#0") == nil)
    }

    @Test func chargesAreInKeyOrderAndIdsOrderNumerically() {
        #expect(ChargeCalculator.entryNumber("TE-10") == 10)
        #expect(ChargeCalculator.entryNumber("acme-D3") == 3)
        #expect(ChargeCalculator.entryNumber("none") == 0)
    }
}
