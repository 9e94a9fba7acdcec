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
