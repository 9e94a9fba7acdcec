import Foundation
import TestSupport
import Testing

/// `docket contract end` given again moves the end, earlier or later, and the old end stays in the log; a move across a
/// month a final invoice billed under the contract is refused with one line naming the invoice, exit 6, nothing
/// written. The end could not be moved at all (`contract acme-msa already ends at …; an end cannot be moved`), so a
/// mistyped date was there for good. The refusal names the two ends in the client's zone, as the confirmations do (it
/// named them in RFC 3339 UTC).
extension InvoiceCommandsTests {
    @Test(arguments: DocketMode.allCases) func aContractsEndCanBeMovedUnlessAFinalInvoiceBilledAMonthItWouldChange(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try ok(["contract", "end", "acme-msa", "--effective", "2026-11-01T00:00:00Z"]) == "contract acme-msa ends at 2026-11-01 00:00 UTC\n")
            #expect(
                try ok(["contract", "end", "acme-msa", "--effective", "2027-01-01T00:00:00Z"])
                    == "contract acme-msa ends at 2027-01-01 00:00 UTC (moved from 2026-11-01 00:00 UTC)\n")
            #expect(try ok(["contract", "end", "acme-msa", "--effective", "2027-01-01T00:00:00Z"]) == "contract acme-msa: nothing to change\n")
            // November's work is in force again, so the run bills it (it was held back after the mistyped end).
            #expect(try ok(["invoice", "run", "--period", "2026-11"]).hasPrefix("acme-D1: drafted for acme, 2 lines"))
            _ = try ok(["invoice", "finalize", "acme-D1"])
            let before = try eventCount()
            for (date, invoice) in [("2026-11-15T00:00:00Z", "INV-2026-0001"), ("2026-10-15T00:00:00Z", "INV-2026-0001")] {
                let refused = try docket(["contract", "end", "acme-msa", "--effective", date])
                #expect(refused.status == 6, "\(refused.stderr)")
                #expect(
                    refused.stderr.hasPrefix("docket: error: contract acme-msa's end cannot move from 2027-01-01 00:00 UTC to ")
                        && refused.stderr.contains("final invoice \(invoice) billed 2026-11 under it")
                        && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            }
            #expect(try eventCount() == before, "nothing written")
            // December and January were billed by no final invoice: the end moves across them.
            #expect(
                try ok(["contract", "end", "acme-msa", "--effective", "2026-12-01T00:00:00Z"])
                    == "contract acme-msa ends at 2026-12-01 00:00 UTC (moved from 2027-01-01 00:00 UTC)\n")
            _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Contract ended in November"])
            #expect(try docket(["contract", "end", "acme-msa", "--effective", "2026-11-15T00:00:00Z"]).status == 0, "voided: November is open again")
            let ends = try ok(["log", "--json", "--limit", "100000"]).components(separatedBy: "\"contract.ended\"").count - 1
            #expect(ends == 4, "every end stays in the history")
        }
    }
}
