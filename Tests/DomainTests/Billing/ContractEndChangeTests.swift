import DocketTime
import Domain
import Testing

/// A draft priced before its contract's end moved (``ContractEndChange``) is not finalized: it could bill work the
/// contract no longer covers, or leave out work it now covers. It was finalized with its stale lines.
@Suite struct ContractEndChangeTests {
    typealias F = BillingFixture
    /// The end of November, the draft's month (UTC months).
    static let through = F.at("2026-12-01T00:00:00Z")
    static let drafted: UInt64 = 20

    func change(_ ends: [(UInt64, String)]) -> ContractEndChange? {
        ContractEndChange.since(
            drafted: Self.drafted, contract: "acme-msa", ends: ends.map { ContractEndChange.End(position: $0.0, end: F.at($0.1)) }, through: Self.through)
    }

    @Test func anEndMovedIntoOrOutOfTheDraftsMonthsSinceItWasPricedIsAChange() {
        // Earlier, into November: work from the 15th is no longer the contract's.
        #expect(
            change([(5, "2026-12-01T00:00:00Z"), (30, "2026-11-15T00:00:00Z")])
                == ContractEndChange(contract: "acme-msa", then: F.at("2026-12-01T00:00:00Z"), now: F.at("2026-11-15T00:00:00Z")))
        // Later, out of November: work held back from the 15th on is the contract's now.
        #expect(change([(5, "2026-11-15T00:00:00Z"), (30, "2027-03-01T00:00:00Z")])?.then == F.at("2026-11-15T00:00:00Z"))
        // An end given since (the client offboarded), inside the draft's months.
        #expect(change([(30, "2026-11-20T00:00:00Z")]) == ContractEndChange(contract: "acme-msa", then: nil, now: F.at("2026-11-20T00:00:00Z")))
        // An earlier month: the draft would leave out the adjustment a run now drafts.
        #expect(change([(5, "2026-09-01T00:00:00Z"), (30, "2026-08-01T00:00:00Z")]) != nil)
    }

    @Test func noChangeOrAChangePastTheDraftsMonthsIsNone() {
        #expect(change([]) == nil, "no end, then or now")
        #expect(change([(5, "2026-11-15T00:00:00Z")]) == nil, "ended before the draft was priced")
        #expect(change([(5, "2026-11-15T00:00:00Z"), (25, "2026-11-20T00:00:00Z"), (30, "2026-11-15T00:00:00Z")]) == nil, "moved and moved back")
        #expect(change([(5, "2027-03-01T00:00:00Z"), (30, "2027-06-01T00:00:00Z")]) == nil, "both ends after November")
        #expect(change([(30, "2026-12-01T00:00:00Z")]) == nil, "an end given at the end of the draft's last month")
    }

    @Test func theDeciderRefusesToFinalizeTheDraftNamingTheChangeAndTheFix() throws {
        var books = BillingBooks()
        try books.run(F.sheet([try BillingDeciderTests.contract()], BillingDeciderTests.entries()))
        let moved = ContractEndChange(contract: "acme-msa", then: F.at("2026-12-01T05:00:00Z"), now: F.at("2026-11-15T05:00:00Z"))
        let refused = try #require(throws: DomainError.self) {
            try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001", endsChanged: [moved]))
        }
        #expect(refused.code == .conflict)
        #expect(
            refused.message == "draft acme-D1 is out of date: contract acme-msa's end moved from 2026-12-01T05:00:00.000Z to 2026-11-15T05:00:00.000Z "
                + "since the draft was priced, so its lines may bill work the contract no longer covers, or leave out work it now covers; "
                + "re-price it: `docket invoice discard acme-D1 --reason \"contract end moved\"`, then `docket invoice run --period 2026-11 --client acme`")
        let written = refused.timesWritten { _ in "(local)" }
        #expect(written.message.contains("end moved from (local) to (local) since"), "the instants are the caller's to write")
        let given = try #require(throws: DomainError.self) {
            try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001", endsChanged: [ContractEndChange(contract: "acme-msa", then: nil, now: moved.now)]))
        }
        #expect(given.message.contains("contract acme-msa's end moved from no end to 2026-11-15T05:00:00.000Z since"), "\(given.message)")
        #expect(books.ledger.invoice("acme-D1")?.status == .draft)
        #expect(try books.decide(.finalize(invoice: "acme-D1", number: "INV-2026-0001")).count == 1, "an unchanged end: finalized")
    }
}
