import Foundation
import TestSupport
import Testing

/// CSV formula injection (docs/billing.md, "CSV and spreadsheets"): the text cells of `invoice export` and of every
/// report's CSV reach a spreadsheet, and some come from outside (a client's name and address as its mail gave them, a
/// close reason). One that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`; number cells
/// never change, so a credit note's `-1200` stays a number; `--raw-text` writes the text as it is. They were written as
/// they came, so `=HYPERLINK("http://evil","click")` was a live link in the accountant's spreadsheet.
extension InvoiceCommandsTests {
    static let hyperlink = #"=HYPERLINK("http://evil","click")"#

    /// The final invoice INV-2026-0001 billed to a client whose name, address, tax id and purchase order begin as
    /// formulas would, voided by CN-2026-0001 (whose amounts are negative).
    func setUpFormulaClient() throws {
        try setUp()
        _ = try ok(
            ["client", "update", "acme", "--name", Self.hyperlink, "--billing-address", "@SUM(A1:A9)", "--billing-address", "=2+3",
             "--tax-id=-FR 40"], as: "ann")
        _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-10-01", "--terms", #"{"purchaseOrder":"+4500012345"}"#])
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
    }

    @Test(arguments: DocketMode.allCases) func theExportNeutralisesFormulasInTextCellsOnly(_ mode: DocketMode) throws {
        try setUpFormulaClient()
        try mode.run {
            let csv = try ok(["invoice", "export"])
            let billTo = ",\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\",\"'@SUM(A1:A9)\n=2+3\",'-FR 40,'+4500012345\n"
            let rows = csv.components(separatedBy: "\n").filter { $0.hasPrefix("INV-2026-0001,") || $0.hasPrefix("CN-2026-0001,") }
            #expect(rows.count == 4, "\(csv)")
            // The address's second line is inside the cell: only a cell's first character makes a formula.
            #expect(csv.components(separatedBy: billTo).count - 1 == 4, "every row's bill-to neutralised and quoted: \(csv)")
            // A credit note's amounts and times are numbers, negative and untouched.
            let credit = try #require(rows.first { $0.hasPrefix("CN-2026-0001,credit-note,acme-D1,acme,2026-11,") })
            #expect(credit.contains(",-60,0,15000,100,-15000,1000,false,10,INV-2026-0001,-27000,-2700,-29700,-1:00,"), "\(credit)")

            let raw = try ok(["invoice", "export", "--raw-text"])
            let rawBillTo = ",\"=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\",\"@SUM(A1:A9)\n=2+3\",-FR 40,+4500012345\n"
            #expect(raw.components(separatedBy: rawBillTo).count - 1 == 4, "--raw-text writes the text as it is: \(raw)")
            #expect(raw.replacingOccurrences(of: rawBillTo, with: billTo) == csv, "and changes nothing else")
            // JSON is not a spreadsheet's: it keeps the text as it is.
            let exported = try ok(["invoice", "export", "--format", "json"])
            let rowsJSON = try #require(try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [[String: Any]])
            #expect(rowsJSON.first?["billToName"] as? String == Self.hyperlink)
        }
    }

    @Test(arguments: DocketMode.allCases) func aReportsCSVNeutralisesFormulasAndRawTextIsForCSVOnly(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob") == "T-1002\n")
            _ = try ok(["ticket", "close", "T-1002", "--resolution", "Dup", "--no-time", "--reason", "=cmd|' /C calc'!A0, said the mail"], as: "bob")
            let report = ["report", "closed-without-time", "--from", "2026-01-01", "--to", "2028-01-01", "--format", "csv"]
            let csv = try ok(report)
            #expect(csv.hasPrefix("TICKET,CLIENT,CLOSED AT,CLOSED BY,SYSTEM,ANY TIME,REASON\nT-1002,acme,20"), "\(csv)")
            #expect(csv.hasSuffix(",bob,no,no,\"'=cmd|' /C calc'!A0, said the mail\"\n"), "\(csv)")
            #expect(try ok(report + ["--raw-text"]).hasSuffix(",bob,no,no,\"=cmd|' /C calc'!A0, said the mail\"\n"))

            let before = try eventCount()
            for (command, format) in [(report.dropLast(2) + ["--json"], "JSON"), (report.dropLast(2), "a table"), (["invoice", "export", "--format", "json"], "JSON")] {
                let refused = try docket(command + ["--raw-text"])
                #expect(refused.status == 64, "\(command): \(refused.stderr)")
                #expect(refused.stderr.contains("--raw-text changes CSV only, not \(format); drop it, or ask for --format csv"), "\(refused.stderr)")
                #expect(refused.stdout.isEmpty)
            }
            #expect(try eventCount() == before)
        }
    }
}
