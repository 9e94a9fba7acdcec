import Foundation
import TestSupport
import Testing

/// Bill-to details (docs/billing.md, "Bill-to"): a client's postal address and tax id (`client update --billing-address
/// --tax-id`) and a contract's purchase order (the `purchaseOrder` billing term) on its invoices. A draft shows them as
/// they are now; a final invoice as they were when it was finalized, ever after. An invoice named the client only, so
/// accounts payable departments sent it back.
extension InvoiceCommandsTests {
    func billTo(_ reference: String) throws -> [String: Any]? {
        let invoice = try #require(try json(["invoice", "show", reference]) as? [String: Any])
        return invoice["billTo"] as? [String: Any]
    }

    @Test(arguments: DocketMode.allCases) func anInvoiceKeepsTheBillToItWasFinalizedWith(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            _ = try ok(
                ["client", "update", "acme", "--billing-address", "Acme Corp", "--billing-address", "12 Rue de la Paix",
                 "--billing-address", "75002 Paris", "--tax-id", "FR40303265045"], as: "ann")
            _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-10-01", "--terms", #"{"purchaseOrder":"4500012345"}"#])
            _ = try ok(["invoice", "run", "--period", "2026-11"])
            let draft = try ok(["invoice", "show", "acme-D1"])
            #expect(draft.hasPrefix(
                "acme-D1  acme  period 2026-11  draft\nbill to: Acme\n         Acme Corp\n         12 Rue de la Paix\n         75002 Paris\n"
                    + "         tax id FR40303265045\n         PO 4500012345\nLINE"), "\(draft)")
            // A draft is not issued yet: it follows the client (a line break in one value is a line).
            _ = try ok(["client", "update", "acme", "--billing-address", "Acme Corp\n3 Quai Voltaire\n75007 Paris"], as: "ann")
            #expect(try billTo("acme-D1")?["address"] as? [String] == ["Acme Corp", "3 Quai Voltaire", "75007 Paris"])
            // invoice list --json addresses its draft rows as invoice show does (they had no billTo).
            let listed = try #require(try json(["invoice", "list"]) as? [[String: Any]])
            let listedDraft = listed.first { $0["id"] as? String == "acme-D1" }?["billTo"] as? [String: Any]
            #expect(listedDraft?["address"] as? [String] == ["Acme Corp", "3 Quai Voltaire", "75007 Paris"], "\(listed)")
            _ = try ok(["invoice", "finalize", "acme-D1"])
            let issued = try #require(try billTo("INV-2026-0001"))
            #expect(issued["name"] as? String == "Acme" && issued["taxId"] as? String == "FR40303265045")
            #expect(issued["address"] as? [String] == ["Acme Corp", "3 Quai Voltaire", "75007 Paris"])
            #expect(issued["purchaseOrders"] as? [String] == ["4500012345"])
            let shown = try ok(["invoice", "show", "INV-2026-0001"])
            // The client moves and drops its tax id; the final invoice keeps what it was issued with.
            _ = try ok(
                ["client", "update", "acme", "--name", "Acme SAS", "--billing-address", "1 Rue Neuve", "--billing-address", "69001 Lyon",
                 "--tax-id", ""], as: "ann")
            let client = try #require(try json(["client", "show", "acme"]) as? [String: Any])
            #expect(client["billingAddress"] as? [String] == ["1 Rue Neuve", "69001 Lyon"] && client["taxId"] == nil, "\(client)")
            #expect(try ok(["invoice", "show", "INV-2026-0001"]) == shown)
            #expect(NSDictionary(dictionary: try #require(try billTo("INV-2026-0001"))).isEqual(to: issued))
            _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
            let note = try #require(try json(["invoice", "show", "CN-2026-0001"]) as? [String: Any])
            #expect(NSDictionary(dictionary: try #require(note["billTo"] as? [String: Any])).isEqual(to: issued), "\(note)")
        }
    }

    /// `invoice export` had no bill-to columns, so the rows accounting imported named no address, tax id or purchase
    /// order. It has them now, after the others: as finalized (`invoice.finalized`'s `billTo`), a draft's as the client
    /// is now, and empty for an invoice finalized before bill-to details existed; embedded and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func theExportCarriesTheBillTo(_ mode: DocketMode) throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        // INV-2026-0001 as a store finalized it before bill-to details existed: no `billTo` on `invoice.finalized`.
        for (stream, type, payload) in [
            ("billing-acme", "invoice.finalized", #"{"invoice":"acme-D1","number":"INV-2026-0001","finalizedAt":"2026-12-01T09:00:00.000Z"}"#),
            ("invoice-numbers-2026", "invoice.number-issued", #"{"number":"INV-2026-0001","invoice":"acme-D1","client":"acme"}"#),
        ] {
            _ = try ok(["event", "append", "--repair", "--stream", stream, "--type", type, "--payload", payload], as: "ann")
        }
        try mode.run {
            _ = try ok(
                ["client", "update", "acme", "--billing-address", "Acme Corp", "--billing-address", "12 Rue de la Paix", "--tax-id", "FR40303265045"],
                as: "ann")
            _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-12-01", "--terms", #"{"purchaseOrder":"4500012345"}"#])
            #expect(try ok(["time", "log", "T-1001", "30m", "--at", "2026-12-01T07:00:00Z"], as: "bob") == "TE-3\n")
            _ = try ok(["invoice", "run", "--period", "2026-12"])
            _ = try ok(["invoice", "finalize", "acme-D2"])
            // Since then the client changed its tax id: the final invoice keeps its own, a new draft has the new one.
            _ = try ok(["client", "update", "acme", "--tax-id", "FR99999999999"], as: "ann")
            #expect(try ok(["time", "log", "T-1001", "15m", "--at", "2026-12-01T08:00:00Z"], as: "bob") == "TE-4\n")
            _ = try ok(["invoice", "run", "--period", "2026-12"])

            let rows = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["invoice", "export", "--format", "json", "--include-drafts"]).utf8)) as? [[String: Any]])
            let billTo = Dictionary(
                rows.map { row in
                    (row["document"] as? String ?? "",
                     ["billToName", "billToAddress", "billToTaxId", "billToPurchaseOrders"].map { row[$0] as? String ?? "(missing)" })
                }, uniquingKeysWith: { first, _ in first })
            #expect(billTo["INV-2026-0001"] == ["", "", "", ""], "finalized before bill-to: empty cells")
            #expect(billTo["INV-2026-0002"] == ["Acme", "Acme Corp\n12 Rue de la Paix", "FR40303265045", "4500012345"], "\(rows)")
            #expect(billTo["acme-D3"] == ["Acme", "Acme Corp\n12 Rue de la Paix", "FR99999999999", "4500012345"], "a draft: as now")
            let csv = try ok(["invoice", "export", "--client", "acme", "--period", "2026-12"])
            #expect(
                csv.hasPrefix("document,type,invoice,client,period,issued_at,currency,line,key,description,ticket,work_type,charged_minutes,"
                    + "covered_minutes,rate_per_hour_minor,multiplier_percent,amount_minor,tax_basis_points,adjustment,tax_rate,credits,"
                    + "document_subtotal_minor,document_tax_minor,document_total_minor,billed_time,logged_minutes,rounding_minutes,"
                    + "minimum_minutes,previously_billed_minutes,bill_to_name,bill_to_address,bill_to_tax_id,bill_to_purchase_orders\n"
                    + "INV-2026-0002,invoice,acme-D2,"), "\(csv)")
            #expect(csv.hasSuffix(",Acme,\"Acme Corp\n12 Rue de la Paix\",FR40303265045,4500012345\n"), "the address's lines in one quoted cell: \(csv)")
        }
    }

    /// A replay as of the finalization shows the invoice as issued, and a draft then with the client's details then.
    @Test func aReplayShowsTheBillToOfItsMoment() throws {
        try setUp()
        _ = try ok(["client", "update", "acme", "--billing-address", "12 Rue de la Paix", "--tax-id", "FR40303265045"], as: "ann")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        #expect(try docket(["time", "log", "T-1001", "1h", "--at", "2026-11-20 10:00"], as: "bob", now: "2026-12-02T09:00:00Z").status == 0)
        #expect(try docket(["invoice", "run", "--period", "2026-11"], now: "2026-12-02T10:00:00Z").status == 0)
        #expect(
            try docket(["client", "update", "acme", "--billing-address", "1 Rue Neuve", "--tax-id", "FR99999999999"], as: "ann",
                now: "2026-12-05T09:00:00Z").status == 0)
        let replay = folder.child("replay")
        _ = try ok(["replay", "--as-of", "2026-12-03T00:00:00Z", "--into", replay], as: "ann")
        let shown = { (reference: String) throws -> String in
            try DocketProcess.run(["invoice", "show", reference], store: replay, environment: ["DOCKET_USER": "bill"]).stdout
        }
        #expect(try shown("INV-2026-0001").contains("bill to: Acme\n         12 Rue de la Paix\n         tax id FR40303265045\n"))
        #expect(try shown("acme-D2").contains("bill to: Acme\n         12 Rue de la Paix\n         tax id FR40303265045\n"))
        #expect(try ok(["invoice", "show", "acme-D2"]).contains("bill to: Acme\n         1 Rue Neuve\n         tax id FR99999999999\n"))
        #expect(try ok(["invoice", "show", "INV-2026-0001"]).contains("         12 Rue de la Paix\n         tax id FR40303265045\n"))
    }

    /// A tax id or an address line that cannot be printed, and a purchase order that is not one, are refused with one
    /// line naming the fix, exit 65, and nothing written.
    @Test(arguments: DocketMode.allCases) func badBillToDetailsAreRefused(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            _ = try ok(["client", "show", "acme"], as: "ann")
            let before = try eventCount()
            for (arguments, words) in [
                (["client", "update", "acme", "--tax-id", "FR#4030"], "tax id \"FR#4030\" is not valid"),
                (["client", "update", "acme", "--billing-address", String(repeating: "x", count: 101)], "longer than 100 characters"),
                (["client", "update", "acme"] + Array(repeating: ["--billing-address", "line"], count: 7).flatMap { $0 }, "at most 6 lines"),
                (["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"purchaseOrder":" 45"}"#], "billingTerms.purchaseOrder"),
            ] {
                let run = try docket(arguments, as: "ann")
                #expect(run.status == 65, "\(arguments): \(run.stderr)")
                #expect(run.stderr.contains(words) && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
            }
            #expect(try eventCount() == before)
        }
    }
}
