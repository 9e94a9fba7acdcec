import Foundation
import TestSupport
import Testing

/// A draft priced before its contract's end moved (docs/billing.md, "Moving a contract's end"). Drafts do not stop a
/// move, and `invoice finalize` checked nothing but that the invoice was a draft, so acme-D1, priced while acme-msa ran
/// to 1 December, was finalized after the end moved to 15 November: INV-2026-0001 billed the client for work of the
/// 20th, which the contract no longer covered. It is refused now (exit 6, one line naming the draft, the two ends in
/// the client's zone and the fix, nothing written), embedded and through `docket serve`.
extension InvoiceCommandsTests {
    @Test(arguments: DocketMode.allCases) func aDraftPricedBeforeItsContractsEndMovedIsNotFinalized(_ mode: DocketMode) throws {
        try setUpStore(clientTimeZone: "America/New_York")
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", Self.terms])
        _ = try ok(["contract", "end", "acme-msa", "--effective", "2026-12-01"])
        #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob") == "T-1001\n")
        #expect(try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-03T15:00:00Z"], as: "bob") == "TE-1\n")
        #expect(try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-20T15:00:00Z"], as: "bob") == "TE-2\n")
        try mode.run {
            #expect(try ok(["invoice", "run", "--period", "2026-11"]).hasPrefix("acme-D1: drafted for acme, 1 line, total 264.00 USD"))
            #expect(try ok(["contract", "end", "acme-msa", "--effective", "2026-11-15"]).hasPrefix("contract acme-msa ends at 2026-11-15 00:00 EST"))
            let before = try eventCount()
            let refused = try docket(["invoice", "finalize", "acme-D1"])
            #expect(refused.status == 6 && refused.stdout.isEmpty)
            #expect(refused.stderr == """
                docket: error: draft acme-D1 is out of date: contract acme-msa's end moved from 2026-12-01 00:00 EST to 2026-11-15 00:00 EST \
                since the draft was priced, so its lines may bill work the contract no longer covers, or leave out work it now covers; \
                re-price it: `docket invoice discard acme-D1 --reason "contract end moved"`, then `docket invoice run --period 2026-11 --client acme`

                """)
            #expect(try eventCount() == before, "nothing written")
            // The fix it names: the new draft bills the 3rd and holds the 20th back, and is finalized.
            _ = try ok(["invoice", "discard", "acme-D1", "--reason", "contract end moved"])
            let rerun = try ok(["invoice", "run", "--period", "2026-11", "--client", "acme"])
            #expect(rerun.hasPrefix("acme-D2: drafted for acme, 1 line, total 132.00 USD") && rerun.contains("TE-2"), "\(rerun)")
            #expect(try ok(["invoice", "finalize", "acme-D2"]) == "acme-D2: finalized as INV-2026-0001\n")
        }
    }
}

/// A draft the log moved away from since it was priced (docs/billing.md, "Finalizing a draft that is out of date").
/// `invoice finalize` refused only a draft priced before a contract's end moved: acme-D1, priced with TE-2's onsite
/// hour, was finalized after TE-2 was corrected to 30 minutes (or voided, or after more November time was logged, or
/// the contract's rates amended from November), so INV-2026-0001 billed what the log no longer said. It is refused now
/// (exit 6, one line naming what changed, the line it changes and the fix, nothing written), embedded and through
/// `docket serve`; after the fix it names, the new draft is finalized.
extension InvoiceCommandsTests {
    /// What changes in the log after acme-D1 is drafted, and the refusal it brings.
    enum LaterChange: String, CaseIterable, Sendable {
        case corrected, voided, logged, amended

        var command: (arguments: [String], user: String) {
            switch self {
            case .corrected: (["time", "correct", "TE-2", "--minutes", "30m", "--reason", "Half an hour"], "bob")
            case .voided: (["time", "void", "TE-2", "--reason", "Logged twice"], "bob")
            case .logged: (["time", "log", "T-1001", "1h", "--work-type", "onsite", "--at", "2026-11-20 10:00"], "bob")
            case .amended: (["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"rates":{"onsite":18000}}"#], "bill")
            }
        }

        /// What the refusal says changed, and the line it names.
        var refusal: String {
            switch self {
            case .corrected: "TE-2 was corrected since it was drafted, so an invoice run would now bill otherwise (T-1001 onsite, 2026-11: 75.00 USD now, 150.00 USD on the draft)"
            case .voided: "TE-2 was voided since it was drafted, so an invoice run would now bill otherwise (T-1001 onsite, 2026-11: 0.00 USD now, 150.00 USD on the draft)"
            case .logged: "TE-3 was logged since it was drafted, so an invoice run would now bill otherwise (T-1001 onsite, 2026-11: 300.00 USD now, 150.00 USD on the draft)"
            case .amended: "contract acme-msa was amended since it was drafted, so an invoice run would now bill otherwise (T-1001 onsite, 2026-11: 180.00 USD now, 150.00 USD on the draft)"
            }
        }
    }

    @Test(arguments: DocketMode.allCases, LaterChange.allCases)
    func aDraftTheLogMovedAwayFromIsNotFinalized(_ mode: DocketMode, _ change: LaterChange) throws {
        try setUp()
        try mode.run {
            #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D1: drafted for acme, 2 lines, total 297.00 USD\n")
            _ = try ok(change.command.arguments, as: change.command.user)
            let before = try eventCount()
            let refused = try docket(["invoice", "finalize", "acme-D1"])
            #expect(refused.status == 6 && refused.stdout.isEmpty)
            #expect(refused.stderr == """
                docket: error: draft acme-D1 is out of date: \(change.refusal); re-price it: \
                `docket invoice discard acme-D1 --reason "out of date"`, then `docket invoice run --period 2026-11 --client acme`

                """)
            #expect(try eventCount() == before, "nothing written")
            // The fix it names.
            _ = try ok(["invoice", "discard", "acme-D1", "--reason", "out of date"])
            #expect(try ok(["invoice", "run", "--period", "2026-11", "--client", "acme"]).hasPrefix("acme-D2: drafted for acme"))
            #expect(try ok(["invoice", "finalize", "acme-D2"]) == "acme-D2: finalized as INV-2026-0001\n")
        }
    }

    /// What a draft does not bill is not a reason to refuse it: time logged for December after November's draft, and a
    /// correction a later draft already bills (acme-D2 takes TE-2's correction back; acme-D1 and acme-D2 together bill
    /// what the log says), leave it as an invoice run would draft it, and it is finalized.
    @Test(arguments: DocketMode.allCases) func aDraftStillAsARunWouldDraftItIsFinalized(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D1: drafted for acme, 2 lines, total 297.00 USD\n")
            _ = try ok(["time", "log", "T-1001", "30m", "--at", "2026-12-01 08:00"], as: "bob")
            _ = try ok(["time", "correct", "TE-2", "--minutes", "30m", "--reason", "Half an hour"], as: "bob")
            #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 1 line, total -82.50 USD\n")
            #expect(try ok(["invoice", "finalize", "acme-D1"]) == "acme-D1: finalized as INV-2026-0001\n")
            #expect(try ok(["invoice", "finalize", "acme-D2"]) == "acme-D2: finalized as INV-2026-0002\n")
        }
    }
}
