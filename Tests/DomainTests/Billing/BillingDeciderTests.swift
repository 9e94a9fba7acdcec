import DocketTime
import Domain
import Testing

/// A client's billing stream in memory: decide, then apply.
struct BillingBooks {
    var ledger = BillingDecider.initialState

    @discardableResult
    mutating func decide(_ command: BillingCommand, by actor: Actor = Fixture.billing) throws(DomainError) -> [InvoiceEvent] {
        let events = try BillingDecider.decide(command, state: ledger, context: DecisionContext(actor: actor, now: Fixture.now))
        ledger = events.reduce(ledger) { BillingDecider.evolve($0, $1) }
        return events
    }

    /// Drafts what `sheet` adds through `period`; returns the drafts.
    @discardableResult
    mutating func run(_ sheet: ChargeSheet, _ period: BillingPeriod = BillingFixture.november) throws(DomainError) -> [InvoiceDrafted] {
        try decide(.draft(client: "acme", period: period, charges: sheet.charges)).compactMap {
            if case .drafted(let drafted) = $0 { drafted } else { nil }
        }
    }
}

@Suite("Billing: invoice runs draft differences, exactly once")
struct BillingDeciderTests {
    typealias F = BillingFixture

    static func contract(_ terms: JSONValue = ChargeCalculatorTests.hourly()) throws -> ContractState {
        try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: terms)
    }

    static let remote = "time:T-1001:2026-11:remote:std:acme-msa#0"
    static let onsite = "time:T-1001:2026-11:onsite:std:acme-msa#0"

    static func entries(remoteMinutes: Int = 60, onsiteVoided: Bool = false) -> [BillableEntry] {
        [
            F.entry(1, minutes: remoteMinutes, at: "2026-11-03T15:00:00Z"),
            F.entry(2, minutes: 30, at: "2026-11-04T15:00:00Z", workType: "onsite", voided: onsiteVoided),
        ]
    }

    @Test func aRunDraftsTheChargesAndASecondRunNothing() throws {
        var books = BillingBooks()
        let sheet = F.sheet([try Self.contract()], Self.entries())
        let drafts = try books.run(sheet)
        let draft = try #require(drafts.first)
        #expect(drafts.count == 1)
        #expect(draft.invoice == "acme-D1" && draft.client == "acme" && draft.period == "2026-11" && draft.currency == "USD")
        #expect(draft.lines.map(\.charge.key) == [Self.onsite, Self.remote])
        #expect(draft.lines.map(\.amount) == [4_500, 12_000])
        #expect(draft.lines.allSatisfy { !$0.adjustment && $0.previousAmount == 0 && $0.previousInvoices.isEmpty })
        #expect(draft.subtotal == 16_500 && draft.taxes.isEmpty && draft.total == 16_500)
        #expect(draft.draftedAt == Fixture.now.iso8601)
        #expect(books.ledger.invoice("acme-D1")?.status == .draft)
        #expect(books.ledger.billed()[Self.remote]?.amount == 12_000)
        #expect(try books.run(sheet).isEmpty, "nothing new: nothing drafted")
        #expect(try BillingDecider.pendingLines(period: F.november, charges: sheet.charges, ledger: books.ledger).isEmpty)
    }

    @Test func aRunWhileADraftIsOpenDraftsOnlyTheDelta() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try Self.contract()], Self.entries()))
        let drafts = try books.run(F.sheet([try Self.contract()], Self.entries(remoteMinutes: 75)))
        let line = try #require(drafts.first?.lines.first)
        #expect(drafts.first?.invoice == "acme-D2" && drafts.first?.lines.count == 1)
        #expect(line.amount == 3_000 && line.chargedMinutes == 15 && line.previousAmount == 12_000)
        #expect(line.previousInvoices == ["acme-D1"] && !line.adjustment, "the earlier invoice is only a draft")
    }

    @Test func aCorrectionAfterFinalizeIsAnAdjustment() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try Self.contract()], Self.entries()))
        let finalized = try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        #expect(finalized == [.finalized(InvoiceFinalized(invoice: "acme-D1", number: "INV-2026-0001", finalizedAt: Fixture.now.iso8601))])
        let frozen = try #require(books.ledger.invoice("acme-D1"))

        let drafts = try books.run(F.sheet([try Self.contract()], Self.entries(remoteMinutes: 90, onsiteVoided: true)))
        let draft = try #require(drafts.first)
        #expect(draft.invoice == "acme-D2")
        let gone = try #require(draft.lines.first { $0.charge.key == Self.onsite })
        #expect(gone.adjustment && gone.amount == -4_500 && gone.chargedMinutes == -30)
        #expect(gone.charge.amount == 0 && gone.charge.entries.isEmpty && gone.charge.description.hasSuffix("(no longer billable)"))
        let more = try #require(draft.lines.first { $0.charge.key == Self.remote })
        #expect(more.adjustment && more.amount == 6_000 && more.previousInvoices == ["acme-D1"])
        #expect(draft.subtotal == 1_500)
        #expect(books.ledger.invoice("acme-D1") == frozen, "the final invoice did not change")
    }

    @Test func anAmendmentBackDatedIntoABilledMonthRepricesInsteadOfSayingNoLongerBillable() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try Self.contract()], Self.entries()))
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        // Amendment 1, from 1 November: remote is dearer, onsite (the "*" rate) is not.
        let amended = try F.contract(
            "acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly(),
            amendments: [(F.at("2026-11-01T00:00:00Z"), ChargeCalculatorTests.hourly(rates: ["remote": 15_000, "*": 9_000]))])
        let draft = try #require(try books.run(F.sheet([amended], Self.entries())).first)
        let reversed = try #require(draft.lines.first { $0.charge.key == Self.onsite })
        #expect(reversed.amount == -4_500 && reversed.adjustment)
        #expect(reversed.charge.description == "T-1001 onsite, 2026-11 (re-priced under amendment 1)", "\(reversed.charge.description)")
        #expect(reversed.charge.entries.map(\.entryId) == ["TE-2"], "the audit traces the entries it re-prices")
        let rebilled = try #require(draft.lines.first { $0.charge.key == "time:T-1001:2026-11:onsite:std:acme-msa#1" })
        #expect(rebilled.amount == 4_500 && rebilled.charge.description == "T-1001 onsite, 2026-11")
        #expect(!draft.lines.contains { $0.charge.description.contains("no longer billable") })
        #expect(draft.subtotal == 3_000, "only remote's new rate is billed on balance")

        // An amendment from mid-month, then one back-dated before it: the reversal names the version the work moved to.
        var later = BillingBooks()
        let entries = Self.entries() + [F.entry(3, minutes: 30, at: "2026-11-20T15:00:00Z")]
        let rates: (Int64) -> JSONValue = { remote in ChargeCalculatorTests.hourly(rates: ["remote": .integer(remote), "*": 9_000]) }
        try later.run(F.sheet([try F.contract("acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: rates(12_000),
            amendments: [(F.at("2026-11-15T00:00:00Z"), rates(15_000))])], entries))
        let twice = try F.contract(
            "acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: rates(12_000),
            amendments: [(F.at("2026-11-15T00:00:00Z"), rates(15_000)), (F.at("2026-11-01T00:00:00Z"), rates(18_000))])
        let again = try #require(try later.run(F.sheet([twice], entries)).first)
        let moved = try #require(again.lines.first { $0.charge.key == Self.remote })
        // The first run billed TE-1 and TE-3 under the version and amendment 1, each line naming its terms.
        #expect(moved.charge.description == "T-1001 remote, 2026-11, terms of acme-msa (re-priced under amendment 2)", "\(moved.charge.description)")
        #expect(!again.lines.contains { $0.charge.key == "time:T-1001:2026-11:remote:std:acme-msa#1" }, "TE-3 stays where it was")
    }

    /// Work corrected onto another key after it was billed (here the onsite half hour, corrected to remote) is billed
    /// back on its old key's line, which names where it went. It said "(no longer billable)" on the client's invoice
    /// beside the line that bills the same work again; so did work that a calendar amended since made after hours.
    @Test func aLineBillingBackWorkThatMovedSaysWhereItWent() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try Self.contract()], Self.entries()))
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        let corrected = [Self.entries()[0], F.entry(2, minutes: 30, at: "2026-11-04T15:00:00Z", workType: "remote")]
        let draft = try #require(try books.run(F.sheet([try Self.contract()], corrected)).first)
        let gone = try #require(draft.lines.first { $0.charge.key == Self.onsite })
        #expect(gone.amount == -4_500 && gone.adjustment)
        #expect(gone.charge.description == "T-1001 onsite, 2026-11 (moved to T-1001 remote, 2026-11)", "\(gone.charge.description)")
        let more = try #require(draft.lines.first { $0.charge.key == Self.remote })
        #expect(more.amount == 6_000 && more.charge.entries.map(\.entryId) == ["TE-1", "TE-2"])
        #expect(!draft.lines.contains { $0.charge.description.contains("no longer billable") })
    }

    @Test func voidingAFinalInvoiceReleasesItsLines() throws {
        var books = BillingBooks()
        let sheet = F.sheet([try Self.contract()], Self.entries())
        try books.run(sheet)
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        let voided = try books.decide(.void(invoice: "acme-D1", creditNote: "CN-2026-0001", reason: "wrong client"))
        #expect(
            voided == [
                .voided(
                    InvoiceVoided(
                        invoice: "acme-D1", number: "INV-2026-0001", creditNote: "CN-2026-0001", reason: "wrong client",
                        voidedAt: Fixture.now.iso8601))
            ])
        #expect(books.ledger.invoice("acme-D1")?.status == .voided && books.ledger.invoice("acme-D1")?.isLive == false)
        #expect(books.ledger.billed().isEmpty)
        let draft = try #require(try books.run(sheet).first)
        #expect(draft.invoice == "acme-D2" && draft.subtotal == 16_500)
        #expect(draft.lines.allSatisfy { !$0.adjustment && $0.previousAmount == 0 }, "a voided invoice does not count")
    }

    @Test func discardingADraftReleasesItsLines() throws {
        var books = BillingBooks()
        let sheet = F.sheet([try Self.contract()], Self.entries())
        try books.run(sheet)
        try books.decide(.discard(invoice: "acme-D1", reason: "redo"))
        #expect(books.ledger.invoice("acme-D1")?.status == .discarded)
        let draft = try #require(try books.run(sheet).first)
        #expect(draft.invoice == "acme-D2" && draft.subtotal == 16_500)
    }

    @Test func onlyDraftsAreFinalizedOrDiscardedAndOnlyFinalsVoided() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try Self.contract()], Self.entries()))
        let draftVoid = try #require(
            refusal { () throws(DomainError) in try books.decide(.void(invoice: "acme-D1", creditNote: "CN-1", reason: "x")) })
        #expect(draftVoid.code == .conflict && draftVoid.message.contains("discard a draft"))
        let emptyReason = try #require(refusal { () throws(DomainError) in try books.decide(.discard(invoice: "acme-D1", reason: "  ")) })
        #expect(emptyReason.code == .invalid)
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        let twice = try #require(
            refusal { () throws(DomainError) in try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0002")) })
        #expect(twice.code == .conflict && twice.message.contains("only a draft can be finalized"))
        let finalDiscard = try #require(refusal { () throws(DomainError) in try books.decide(.discard(invoice: "acme-D1", reason: "x")) })
        #expect(finalDiscard.code == .conflict && finalDiscard.message.contains("void it"))
        try books.decide(.void(invoice: "acme-D1", creditNote: "CN-2026-0001", reason: "x"))
        let again = try #require(
            refusal { () throws(DomainError) in try books.decide(.void(invoice: "acme-D1", creditNote: "CN-2026-0002", reason: "x")) })
        #expect(again.code == .conflict)
        let refinalize = try #require(
            refusal { () throws(DomainError) in try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0002")) })
        #expect(refinalize.code == .conflict)
        let unknown = try #require(
            refusal { () throws(DomainError) in try books.decide(.finalize(invoice: "acme-D9", number: "INV-2026-0002")) })
        #expect(unknown.code == .notFound)
    }

    @Test(arguments: [Role.tech, .dispatcher])
    func onlyBillingStaffMayChangeInvoices(_ role: Role) throws {
        var books = BillingBooks()
        let sheet = F.sheet([try Self.contract()], Self.entries())
        #expect(
            refusal { () throws(DomainError) in
                try books.decide(.draft(client: "acme", period: F.november, charges: sheet.charges), by: Fixture.actor(role))
            }?.code == .forbidden)
        try books.run(sheet)
        #expect(
            refusal { () throws(DomainError) in
                try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"), by: Fixture.actor(role))
            }?.code == .forbidden)
        #expect(
            refusal { () throws(DomainError) in try books.decide(.discard(invoice: "acme-D1", reason: "x"), by: Fixture.actor(role)) }?.code
                == .forbidden)
    }

    @Test(arguments: [Role.billing, .admin])
    func billingAndAdminMayRunAndFinalize(_ role: Role) throws {
        var books = BillingBooks()
        let sheet = F.sheet([try Self.contract()], Self.entries())
        #expect(try books.decide(.draft(client: "acme", period: F.november, charges: sheet.charges), by: Fixture.actor(role)).count == 1)
        #expect(try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"), by: Fixture.actor(role)).count == 1)
        #expect(try books.decide(.void(invoice: "acme-D1", creditNote: "CN-2026-0001", reason: "x"), by: Fixture.actor(role)).count == 1)
    }

    @Test func taxIsPerInvoiceAndPerRate() throws {
        let contract = try F.contract(
            "acme-msa", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly(["taxBasisPoints": 825]),
            amendments: [(F.at("2026-11-15T00:00:00Z"), ChargeCalculatorTests.hourly(["taxBasisPoints": 2_000]))])
        var books = BillingBooks()
        let entries = [
            F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z"), F.entry(2, minutes: 30, at: "2026-11-20T15:00:00Z"),
            F.entry(3, ticket: "T-1004", minutes: 1, at: "2026-11-10T15:00:00Z"),
        ]
        let draft = try #require(try books.run(F.sheet([contract], entries)).first)
        // 825: 120.00 + 2.00 = 122.00 → 10.065 → 10.07; 2000: 60.00 → 12.00
        #expect(draft.taxes == [TaxLine(basisPoints: 825, base: 12_200, tax: 1_007), TaxLine(basisPoints: 2_000, base: 6_000, tax: 1_200)])
        #expect(draft.subtotal == 18_200 && draft.total == 18_200 + 1_007 + 1_200)
        // A reduction is taxed negatively, on the difference only.
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        let credit = try #require(try books.run(F.sheet([contract], Array(entries.dropLast()))).first)
        #expect(credit.lines.map(\.amount) == [-200])
        #expect(credit.taxes == [TaxLine(basisPoints: 825, base: -200, tax: -17)])  // −16.5 → −17
        #expect(credit.total == -217)
    }

    @Test func oneDraftPerCurrency() throws {
        let usd = try F.contract("acme-a", from: F.at("2026-01-01T00:00:00Z"), terms: ChargeCalculatorTests.hourly())
        let eur = try F.contract(
            "acme-b", from: F.at("2026-11-15T00:00:00Z"), terms: ["model": "hourly", "currency": "EUR", "rates": ["*": 8_000]])
        var books = BillingBooks()
        let drafts = try books.run(
            F.sheet(
                [usd, eur], [F.entry(1, minutes: 60, at: "2026-11-10T15:00:00Z"), F.entry(2, minutes: 60, at: "2026-11-20T15:00:00Z")]))
        #expect(drafts.map(\.invoice) == ["acme-D1", "acme-D2"])
        #expect(drafts.map(\.currency) == ["EUR", "USD"])
        #expect(drafts.map(\.subtotal) == [8_000, 12_000])
        #expect(drafts.allSatisfy { draft in draft.lines.allSatisfy { $0.charge.currency == draft.currency } })
        let back = try books.run(F.sheet([usd, eur], []))
        #expect(back.map(\.invoice) == ["acme-D3", "acme-D4"])
        #expect(back.map(\.subtotal) == [-8_000, -12_000], "voided time is billed back to zero, per currency")
    }

    /// A fee's key keeps its name when an amendment effective in the past changes the currency: the old amount is
    /// billed back in the old currency and the new one billed in full in the new currency, never netted.
    @Test func aFeeWhoseCurrencyChangesIsReversedAndRebilledPerCurrency() throws {
        let usd: JSONValue = ["model": "retainer", "currency": "USD", "retainer": ["monthlyFeeMinor": 100_000]]
        let eur: JSONValue = ["model": "retainer", "currency": "EUR", "retainer": ["monthlyFeeMinor": 90_000]]
        let january = BillingPeriod(year: 2026, month: 1)!
        var books = BillingBooks()
        let before = try F.contract("acme-ret", from: F.at("2026-01-01T00:00:00Z"), terms: usd)
        try books.run(F.sheet([before], [], through: january), january)
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001"))
        let after = try F.contract(
            "acme-ret", from: F.at("2026-01-01T00:00:00Z"), terms: usd, amendments: [(F.at("2026-01-01T00:00:00Z"), eur)])
        let sheet = F.sheet([after], [], through: january)
        let drafts = try books.run(sheet, january)
        #expect(drafts.map(\.currency) == ["EUR", "USD"])
        #expect(drafts.map(\.subtotal) == [90_000, -100_000])
        #expect(drafts.flatMap(\.lines).allSatisfy { $0.charge.key == "retainer-fee:acme-ret:2026-01" && $0.adjustment })
        #expect(drafts[0].lines.first?.previousAmount == 0, "nothing was billed in EUR before")
        #expect(drafts[1].lines.first?.charge.description.hasSuffix("(no longer billable)") == true)
        let billed = try #require(books.ledger.billedByCurrency()["retainer-fee:acme-ret:2026-01"])
        #expect(billed["USD"]?.amount == 0 && billed["EUR"]?.amount == 90_000)
        #expect(try books.run(sheet, january).isEmpty)
    }

    @Test func aRunDraftsOnlyWhatIsDueThroughItsPeriod() throws {
        var books = BillingBooks()
        let contract = try Self.contract()
        let entries = Self.entries() + [F.entry(3, minutes: 60, at: "2026-12-03T15:00:00Z")]
        #expect(
            try books.run(
                F.sheet([contract], entries, through: BillingPeriod(year: 2026, month: 10)!), BillingPeriod(year: 2026, month: 10)!
            ).isEmpty)
        // Charges computed further than the period are still cut at the period.
        let draft = try #require(try books.run(F.sheet([contract], entries, through: F.december), F.november).first)
        #expect(draft.lines.map(\.charge.period) == ["2026-11", "2026-11"])
        // A rerun of an earlier period does not bill back December's charge, which it cannot see.
        try books.run(F.sheet([contract], entries, through: F.december), F.december)
        #expect(try books.run(F.sheet([contract], entries), F.november).isEmpty)
    }
}

/// Finalizing compares the draft with what a run would draft in its place (``BillingDecider/staleness(of:ledger:priced:)``).
@Suite("Billing: a draft the history moved away from is not finalized")
struct DraftStalenessTests {
    typealias F = BillingFixture

    @Test func aDraftAsARunWouldDraftItIsFinalizedAndOneTheLogMovedAwayFromIsNot() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try BillingDeciderTests.contract()], BillingDeciderTests.entries()))
        let same = F.sheet([try BillingDeciderTests.contract()], BillingDeciderTests.entries()).charges
        let now = F.sheet([try BillingDeciderTests.contract()], BillingDeciderTests.entries(remoteMinutes: 90)).charges
        let corrected = DraftChange(subject: .entry("TE-1"), description: "TE-1 was corrected")
        let unrelated = DraftChange(subject: .entry("TE-9"), description: "TE-9 was logged")
        let draft = try #require(books.ledger.invoice("acme-D1"))
        #expect(try BillingDecider.staleness(of: draft, ledger: books.ledger, priced: PricedNow(charges: same, changes: [unrelated])) == nil)
        let stale = try BillingDecider.staleness(of: draft, ledger: books.ledger, priced: PricedNow(charges: now, changes: [unrelated, corrected]))
        #expect(
            stale == "draft acme-D1 is out of date: TE-1 was corrected since it was drafted, so an invoice run would now bill otherwise "
                + "(T-1001 remote, 2026-11: 180.00 USD now, 120.00 USD on the draft); re-price it: `docket invoice discard acme-D1 --reason "
                + "\"out of date\"`, then `docket invoice run --period 2026-11 --client acme`")
        // Refused as a rule refuses (exit 6), not as a stale stream (3), and nothing decided.
        #expect(throws: DomainError.self) {
            try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001", priced: PricedNow(charges: now, changes: [corrected])))
        }
        #expect(books.ledger.invoice("acme-D1")?.status == .draft)
        // A later draft that bills the correction leaves acme-D1 as a run would draft it: both are finalized.
        try books.run(F.sheet([try BillingDeciderTests.contract()], BillingDeciderTests.entries(remoteMinutes: 90)))
        try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001", priced: PricedNow(charges: now, changes: [corrected])))
        try books.decide(.finalize(invoice: "acme-D2", number: "INV-2026-0002", priced: PricedNow(charges: now, changes: [corrected])))
        #expect(books.ledger.invoices.map(\.status) == [.final, .final])
    }
}
