import Foundation
import TestSupport
import Testing

/// Issue 15 points 10 and 11 at the command line: credit notes as documents, invoice numbers where customers read
/// them, `--reason` required, no runs for future periods, export tax and totals, partial amendments.
@Suite struct BillingDocumentsCommandsTests {
    let base = InvoiceCommandsTests()

    func ok(_ arguments: [String], as user: String = "bill") throws -> String { try base.ok(arguments, as: user) }

    /// acme-D1 (INV-2026-0001: 270.00 + 10% tax = 297.00), a correction adjusting it on acme-D2, then INV-2026-0001 voided.
    func voidedInvoice() throws {
        try base.setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["time", "correct", "TE-2", "--minutes", "30m", "--reason", "Half an hour"], as: "bob")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
    }

    @Test func creditNotesAreDocumentsOfTheirOwn() throws {
        try voidedInvoice()
        let adjustment = try ok(["invoice", "show", "acme-D2"])
        #expect(adjustment.contains("adjusts INV-2026-0001"), "\(adjustment)")
        #expect(!adjustment.contains("adjusts acme-D1"))

        let text = try ok(["invoice", "show", "CN-2026-0001"])
        #expect(text.hasPrefix("CN-2026-0001  credit note  acme  period 2026-11  credits INV-2026-0001 in full\n"), "\(text)")
        #expect(text.contains("reason: Reissue"))
        #expect(text.contains("total -297.00 USD"))
        let note = try #require(try base.json(["invoice", "show", "CN-2026-0001"]) as? [String: Any])
        #expect(note["number"] as? String == "CN-2026-0001" && note["credits"] as? String == "INV-2026-0001")
        #expect(note["subtotal"] as? Int == -27_000 && note["total"] as? Int == -29_700)
        #expect((note["lines"] as? [[String: Any]])?.map { $0["amount"] as? Int } == [-15_000, -12_000])
        #expect(try base.docket(["invoice", "show", "CN-2026-0099"]).status == 4)

        let list = try ok(["invoice", "list"]).split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(list.contains { $0.starts(with: ["credit-note", "CN-2026-0001", "acme-D1", "acme", "2026-11", "credits", "INV-2026-0001"]) }, "\(list)")
        #expect(list.contains { $0.starts(with: ["invoice", "INV-2026-0001", "acme-D1", "acme", "2026-11", "voided"]) })

        let audit = try ok(["audit", "invoice", "CN-2026-0001"])
        #expect(audit.hasPrefix("Audit of credit note CN-2026-0001, crediting INV-2026-0001 in full"), "\(audit)")
        let auditJSON = try #require(try base.json(["audit", "invoice", "CN-2026-0001"]) as? [String: Any])
        #expect((auditJSON["creditNote"] as? [String: Any])?["total"] as? Int == -29_700)
    }

    /// `invoice list --json` has the credit note's row after the invoice it voided, as the table has: it listed the
    /// invoices only. Rows keep their fields and gain `type`; a credit note's row is its document, with `id` its number.
    @Test func theListsJSONHasTheCreditNotesRows() throws {
        try voidedInvoice()
        let rows = try #require(try base.json(["invoice", "list"]) as? [[String: Any]])
        #expect(rows.map { $0["type"] as? String } == ["invoice", "credit-note", "invoice"], "\(rows)")
        #expect(rows.map { $0["id"] as? String } == ["acme-D1", "CN-2026-0001", "acme-D2"])
        #expect(rows[0]["status"] as? String == "voided" && rows[0]["number"] as? String == "INV-2026-0001")
        #expect(rows[0]["creditNote"] as? String == "CN-2026-0001" && rows[0]["total"] as? Int == 29_700)
        let note = rows[1]
        #expect(note["number"] as? String == "CN-2026-0001" && note["credits"] as? String == "INV-2026-0001")
        #expect(note["invoice"] as? String == "acme-D1" && note["client"] as? String == "acme" && note["period"] as? String == "2026-11")
        #expect(note["total"] as? Int == -29_700 && (note["lines"] as? [Any])?.count == 2)
        // What --status keeps, the credit note follows: a voided invoice has its row, a final one none.
        let voided = try #require(try base.json(["invoice", "list", "--status", "voided"]) as? [[String: Any]])
        #expect(voided.map { $0["id"] as? String } == ["acme-D1", "CN-2026-0001"])
        let drafts = try #require(try base.json(["invoice", "list", "--status", "draft"]) as? [[String: Any]])
        #expect(drafts.map { $0["id"] as? String } == ["acme-D2"])
    }

    /// A credit note's lines give the rate per hour and the after-hours multiplier, as the invoice it credits does: it
    /// printed "-3.50  -787.50" with neither, so nothing on the customer's document said how the hours became money.
    @Test func aCreditNotesLinesGiveTheRateAndTheMultiplier() throws {
        try base.setUpAfterHours()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Wrong rate"])
        let text = try ok(["invoice", "show", "CN-2026-0001"])
        #expect(text.contains("LINE  DESCRIPTION                                HOURS  H:MM   RATE/H  AMOUNT"), "\(text)")
        #expect(text.contains("1     T-1001 remote, 2026-11, after hours ×150%  -0.50  -0:30  125.00  -93.75  ×150%\n"), "\(text)")
        #expect(text.hasSuffix("total -103.13 USD\n"), "\(text)")
    }

    @Test func theExportCarriesTaxAndTotals() throws {
        try voidedInvoice()
        let csv = try ok(["invoice", "export", "--format", "csv"]).split(separator: "\n").map(String.init)
        #expect(csv[0].contains(",adjustment,tax_rate,credits,document_subtotal_minor,document_tax_minor,document_total_minor,"))
        let invoiceRows = csv.filter { $0.hasPrefix("INV-2026-0001,invoice,") }
        #expect(invoiceRows.count == 2 && invoiceRows.allSatisfy { $0.contains(",1000,false,10,,27000,2700,29700,") }, "\(invoiceRows)")
        let creditRows = csv.filter { $0.hasPrefix("CN-2026-0001,credit-note,") }
        #expect(creditRows.count == 2 && creditRows.allSatisfy { $0.contains(",10,INV-2026-0001,-27000,-2700,-29700,") }, "\(creditRows)")
    }

    @Test func voidAndDiscardShowTheReasonAsRequired() throws {
        try voidedInvoice()
        for command in ["void", "discard"] {
            let help = try base.docket(["invoice", command, "--help"]).stdout
            #expect(help.contains("--reason <reason>") && !help.contains("[--reason <reason>]"), "\(help)")
        }
        // acme-D2 adjusted INV-2026-0001, voided since: it is re-priced before it is finalized.
        let stale = try base.docket(["invoice", "finalize", "acme-D2"])
        #expect(stale.status == 6 && stale.stderr.hasPrefix("docket: error: draft acme-D2 is out of date: INV-2026-0001 was voided since it was drafted"), "\(stale.stderr)")
        _ = try ok(["invoice", "discard", "acme-D2", "--reason", "INV-2026-0001 was voided"])
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        #expect(try ok(["invoice", "finalize", "acme-D3"]) == "acme-D3: finalized as INV-2026-0002\n")
        let before = try base.eventCount()
        let missing = try base.docket(["invoice", "void", "INV-2026-0002"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--reason"))
        #expect(try base.eventCount() == before)
    }

    @Test func aPeriodAfterTheCurrentOneNeedsAllowFuture() throws {
        try base.setUp()
        let before = try base.eventCount()
        // The clock reads 2026-12-01: December is current, January 2027 is not.
        let far = try base.docket(["invoice", "run", "--period", "9999-12"])
        #expect(far.status == 65)
        #expect(far.stderr.contains("period 9999-12 is after the current period 2026-12") && far.stderr.contains("--allow-future"), "\(far.stderr)")
        #expect(try base.docket(["invoice", "run", "--period", "2027-01"]).status == 65)
        #expect(try base.eventCount() == before)
        #expect(try ok(["invoice", "run", "--period", "2026-12"]).hasPrefix("acme-D1: drafted"))
        #expect(try ok(["invoice", "run", "--period", "2027-01", "--allow-future"]) == "nothing new to bill through 2027-01\n")
    }

    @Test func anAmendmentWithPartialTermsChangesOnlyTheFieldsItGives() throws {
        try base.setUp()
        #expect(try ok(["contract", "amend", "acme-msa", "--effective", "2026-11-15", "--terms", #"{"taxRate": "8.875"}"#])
            == "contract acme-msa: amendment 1, in force from 2026-11-15 00:00 UTC\n")
        let shown = try #require(try base.json(["contract", "show", "acme-msa", "--at", "2026-11-20"]) as? [String: Any])
        let terms = try #require((shown["inForce"] as? [String: Any])?["terms"] as? [String: Any])
        #expect(terms["taxRate"] as? String == "8.875")
        #expect(terms["taxBasisPoints"] == nil, "a new tax rate replaces the rate given another way")
        #expect((terms["rates"] as? [String: Int]) == ["remote": 12_000, "onsite": 15_000], "the rest is copied")
        #expect((terms["rounding"] as? [String: Int])?["incrementMinutes"] == 15)
        // null removes a field; complete terms (with a model) replace the terms whole.
        _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-11-20", "--terms", #"{"rounding": null}"#])
        let unrounded = try #require(try base.json(["contract", "show", "acme-msa", "--at", "2026-11-21"]) as? [String: Any])
        #expect(((unrounded["inForce"] as? [String: Any])?["terms"] as? [String: Any])?["rounding"] == nil)
        // Nested objects merge field by field, so removing every rate takes rates: null.
        let broken = try base.docket(["contract", "amend", "acme-msa", "--effective", "2026-11-25", "--terms", #"{"rates": null}"#])
        #expect(broken.status == 65 && broken.stderr.contains("billingTerms.rates"), "\(broken.stderr)")
    }

    @Test func contractAddRefusesAnUnknownSLAPolicy() throws {
        try base.setUp()
        let before = try base.eventCount()
        let run = try base.docket([
            "contract", "add", "acme-gold", "--client", "acme", "--name", "Gold", "--effective", "2026-10-01", "--sla-policy", "gold",
        ])
        #expect(run.status == 4)
        #expect(run.stderr.contains("unknown SLA policy gold"))
        #expect(try base.eventCount() == before)
    }
}
