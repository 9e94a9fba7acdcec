import Foundation
import LMDB
import TestSupport
import Testing

/// `docket invoice …` and `docket audit invoice` end to end. Exit codes: unknown invoice 4, a tech running invoices 5,
/// finalizing a final or voiding a draft 6 (refused), a bad period 64.
@Suite struct InvoiceCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12000,"onsite":15000},"rounding":{"incrementMinutes":15},"taxBasisPoints":1000}"#

    @discardableResult
    func docket(_ arguments: [String], as user: String = "bill", now: String = "2026-12-01T09:00:00Z") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    func ok(_ arguments: [String], as user: String = "bill") throws -> String {
        let run = try docket(arguments, as: user)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try ok(arguments + ["--json"]).utf8))
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    /// bill (billing), bob (tech), acme on hourly terms, T-1001 with 50 remote minutes and 1 onsite hour in November.
    /// A new store with bill (billing) and bob (tech), and the client acme in `clientTimeZone`: what every test here
    /// starts from.
    func setUpStore(clientTimeZone: String = "UTC") throws {
        _ = try ok(["init"], as: "ann")
        _ = try ok(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"], as: "ann")
        _ = try ok(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], as: "ann")
        _ = try ok(
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", clientTimeZone, "--currency", "USD"],
            as: "ann")
    }

    func setUp() throws {
        try setUpStore()
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", Self.terms])
        #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob") == "T-1001\n")
        #expect(try ok(["time", "log", "T-1001", "50m", "--at", "2026-11-03 14:00"], as: "bob") == "TE-1\n")
        #expect(try ok(["time", "log", "T-1001", "1h", "--work-type", "onsite", "--at", "2026-11-04 10:00"], as: "bob") == "TE-2\n")
    }

    /// `invoice show` gives the times a person reads (finalized, voided, a credit note's issue) in the viewer's zone,
    /// as every table does; they were RFC 3339 UTC ("finalized 2026-12-01T09:00:00.000Z"). `--json` keeps RFC 3339.
    @Test func invoiceShowGivesItsTimesInTheViewersZone() throws {
        try setUp()
        _ = try ok(["user", "time-zone", "bill", "America/New_York"])
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
        let shown = try ok(["invoice", "show", "INV-2026-0001"])
        #expect(shown.contains("\nfinalized 2026-12-01 04:00 EST\n"), "\(shown)")
        #expect(shown.contains("voided by credit note CN-2026-0001 (Reissue), 2026-12-01 04:00 EST\n"), "\(shown)")
        let credit = try ok(["invoice", "show", "CN-2026-0001"])
        #expect(credit.contains("\nissued 2026-12-01 04:00 EST  reason: Reissue\n"), "\(credit)")
        #expect(try ok(["invoice", "show", "INV-2026-0001", "--json"]).contains("2026-12-01T09:00:00.000Z"))
    }

    /// `invoice show CN-… --json` is the credit note's row of `invoice list --json` (`type`, `id`), each line with
    /// `billedTime` as an invoice's lines have it; `invoice show INV-… --json` says `type: "invoice"`. The credit note's
    /// lines had no billedTime, and neither document said which it was.
    @Test(arguments: DocketMode.allCases) func aCreditNotesJSONSaysWhatItIsAndItsBilledTime(_ mode: DocketMode) throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
        try mode.run {
            let note = try #require(try json(["invoice", "show", "CN-2026-0001"]) as? [String: Any])
            #expect(note["type"] as? String == "credit-note" && note["id"] as? String == "CN-2026-0001" && note["credits"] as? String == "INV-2026-0001")
            let lines = try #require(note["lines"] as? [[String: Any]])
            #expect(lines.map { $0["billedTime"] as? String } == ["-1:00", "-1:00"], "\(lines)")
            #expect(lines.map { $0["chargedMinutes"] as? Int } == [-60, -60])
            let invoice = try #require(try json(["invoice", "show", "INV-2026-0001"]) as? [String: Any])
            #expect(invoice["type"] as? String == "invoice")
            let invoiceLines = try #require(invoice["lines"] as? [[String: Any]])
            #expect(invoiceLines.map { $0["billedTime"] as? String } == ["1:00", "1:00"])
            let rows = try #require(try json(["invoice", "list"]) as? [[String: Any]])
            let row = try #require(rows.first { $0["type"] as? String == "credit-note" })
            #expect(NSDictionary(dictionary: row).isEqual(to: note), "the list's row is the document: \(row)")
        }
    }

    @Test func runShowFinalizeExportAndAudit() throws {
        try setUp()
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D1: drafted for acme, 2 lines, total 297.00 USD\n")
        let draft = try #require(try json(["invoice", "show", "acme-D1"]) as? [String: Any])
        #expect(draft["status"] as? String == "draft")
        #expect(draft["subtotal"] as? Int == 27_000)
        #expect(draft["total"] as? Int == 29_700)
        #expect(try ok(["invoice", "finalize", "acme-D1"]) == "acme-D1: finalized as INV-2026-0001\n")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "nothing new to bill through 2026-11\n")

        let csv = try ok(["invoice", "export", "--format", "csv"]).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0].hasPrefix("document,type,invoice,client,period,issued_at,currency,line,key"))
        #expect(csv[1].hasPrefix("INV-2026-0001,invoice,acme-D1,acme,2026-11,2026-12-01T09:00:00.000Z,USD,1,time:T-1001:2026-11:onsite:std:acme-msa#0"))
        #expect(csv[1].hasSuffix(",60,0,15000,100,15000,1000,false,10,,27000,2700,29700,1:00,60,0,0,0,Acme,,,"), "bill to acme, which has no address: \(csv[1])")

        let audit = try #require(try json(["audit", "invoice", "INV-2026-0001"]) as? [String: Any])
        let lines = try #require(audit["lines"] as? [[String: Any]])
        #expect(lines.count == 2)
        let remote = try #require(lines.first { ($0["charge"] as? [String: Any])?["workType"] as? String == "remote" })
        let entries = try #require(remote["entries"] as? [[String: Any]])
        #expect((entries.first?["entry"] as? [String: Any])?["entryId"] as? String == "TE-1")
        let events = try #require(entries.first?["events"] as? [[String: Any]])
        #expect(events.map { $0["type"] as? String } == ["time.logged"])
        #expect(events.first?["actor"] as? String == "bob")
        let terms = try #require(remote["terms"] as? [String: Any])
        #expect(terms["contract"] as? String == "acme-msa")
        #expect((terms["setBy"] as? [String: Any])?["type"] as? String == "contract.created")
        let text = try ok(["audit", "invoice", "INV-2026-0001"])
        #expect(text.contains("logged 50 + rounding 10 + minimum 0 − covered 0 = 60 charged"))
    }

    @Test func aCorrectionAfterFinalizingIsAnAdjustmentAndVoidIssuesACreditNote() throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["time", "correct", "TE-2", "--minutes", "30m", "--reason", "Half an hour"], as: "bob")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 1 line, total -82.50 USD\n")
        #expect(try ok(["invoice", "show", "acme-D2"]).contains("adjusts INV-2026-0001"))
        // The first invoice's audit shows the correction it does not reflect, after its own events.
        let audit = try #require(try json(["audit", "invoice", "INV-2026-0001"]) as? [String: Any])
        let entries = try #require((audit["lines"] as? [[String: Any]])?.flatMap { ($0["entries"] as? [[String: Any]]) ?? [] })
        let onsite = try #require(entries.first { ($0["entry"] as? [String: Any])?["entryId"] as? String == "TE-2" })
        #expect((onsite["events"] as? [[String: Any]])?.map { $0["type"] as? String } == ["time.logged"])
        let later = try #require(onsite["laterEvents"] as? [[String: Any]])
        #expect(later.map { $0["type"] as? String } == ["time.corrected"] && later.first?["reason"] as? String == "Half an hour")
        let text = try ok(["audit", "invoice", "INV-2026-0001"])
        #expect(text.contains("      after this invoice: #") && text.contains("time.corrected by bob"), "\(text)")
        #expect(try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"]) == "INV-2026-0001: voided by credit note CN-2026-0001\n")
        let csv = try ok(["invoice", "export", "--format", "csv"]).split(separator: "\n")
        #expect(csv.filter { $0.hasPrefix("CN-2026-0001,credit-note,acme-D1") }.count == 2)
        #expect(csv.contains { $0.hasPrefix("CN-2026-0001,credit-note") && $0.hasSuffix(",-15000,1000,false,10,INV-2026-0001,-27000,-2700,-29700,-1:00,-60,0,0,0,Acme,,,") })
    }

    /// The audit's arithmetic multiplies out: a line's minutes at the rate per hour give the charge's amount, an
    /// adjustment subtracts what earlier invoices billed under its key, and the subtotal, each tax and the total
    /// follow the lines. It printed hours rounded to two places ("0.17 h × 125.00 = 20.83", which is 21.25), an
    /// adjustment's minutes times the rate ("-0.05 h × 125.00 = -6.25", which is the difference of 20.83 and 14.58,
    /// each rounded once), and no tax at all: the header's total was more than its lines added up to.
    @Test func theAuditsArithmeticMultipliesOut() throws {
        try setUpStore()
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12500},"rounding":{"incrementMinutes":1},"taxBasisPoints":1000}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "10m", "--at", "2026-11-03 14:00"], as: "bob")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D1: drafted for acme, 1 line, total 22.91 USD\n")
        _ = try ok(["invoice", "finalize", "acme-D1"])
        let first = try ok(["audit", "invoice", "INV-2026-0001"])
        #expect(first.contains("Line 1: T-1001 remote, 2026-11: 10 min at 125.00/h = 20.83 USD\n"), "\(first)")
        #expect(first.hasSuffix("\nsubtotal 20.83 USD\ntax 10% on 20.83: 2.08\ntotal 22.91 USD\n"), "\(first)")

        _ = try ok(["time", "correct", "TE-1", "--minutes", "7m", "--reason", "Call was shorter"], as: "bob")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 1 line, total -6.88 USD\n")
        let adjustment = try ok(["audit", "invoice", "acme-D2"])
        #expect(
            adjustment.contains("Line 1: T-1001 remote, 2026-11: 7 min at 125.00/h = 14.58, less 20.83 already billed = -6.25 USD\n"),
            "\(adjustment)")
        #expect(adjustment.hasSuffix("\nsubtotal -6.25 USD\ntax 10% on -6.25: -0.63\ntotal -6.88 USD\n"), "\(adjustment)")

        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
        let credit = try ok(["audit", "invoice", "CN-2026-0001"])
        #expect(credit.hasSuffix("\ntotal 22.91 USD\ncredited in full by CN-2026-0001: -22.91 USD\n"), "\(credit)")
    }

    /// The client's document multiplies out and says what raised the time: beside the hours (rounded to two places,
    /// 0.83 h for 50 minutes) the line's time as h:mm, and a footnote when rounding up or the ticket's minimum added to
    /// the time logged; the export and `--json` carry the same (added fields). They printed "0.83  125.00  104.17"
    /// (0.83 × 125.00 = 103.75) and nothing said that T-1001's 10 minutes were billed as 30.
    @Test func theClientsDocumentMultipliesOutAndSaysWhatRaisedTheTime() throws {
        try setUpStore()
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12500},"rounding":{"incrementMinutes":5},"minimumMinutesPerTicket":30}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob")
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "10m", "--at", "2026-11-03 14:00"], as: "bob")
        _ = try ok(["time", "log", "T-1002", "47m", "--at", "2026-11-04 10:00"], as: "bob")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        let cells = { (text: String) in
            text.split(separator: "\n").map { $0.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        let text = try ok(["invoice", "show", "acme-D1"])
        let rows = cells(text)
        #expect(rows.contains(["LINE", "DESCRIPTION", "HOURS", "H:MM", "RATE/H", "AMOUNT"]), "\(text)")
        #expect(rows.contains(["1", "T-1001 remote, 2026-11", "0.50", "0:30", "125.00", "62.50", "[1]"]), "\(text)")
        #expect(rows.contains(["2", "T-1002 remote, 2026-11", "0.83", "0:50", "125.00", "104.17", "[2]"]), "\(text)")
        #expect(text.hasSuffix("""
            total 166.67 USD
            [1] line 1: 0:10 logged + 0:20 to reach the ticket's minimum for the month = 0:30
            [2] line 2: 0:47 logged + 0:03 rounding up to the contract's increment = 0:50

            """), "\(text)")

        let shown = try #require(try json(["invoice", "show", "acme-D1"]) as? [String: Any])
        let lines = try #require(shown["lines"] as? [[String: Any]])
        #expect(lines.map { $0["billedTime"] as? String } == ["0:30", "0:50"])
        #expect(lines.map { $0["chargedMinutes"] as? Int } == [30, 50])
        #expect(lines.map { $0["amount"] as? Int } == [6_250, 10_417])
        #expect(lines.first?["timeNote"] as? String == "0:10 logged + 0:20 to reach the ticket's minimum for the month = 0:30")
        // What was there stays: the charge, as the event records it.
        #expect((lines.first?["charge"] as? [String: Any])?["minimumMinutes"] as? Int == 20)
        #expect(shown["total"] as? Int == 16_667)

        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["time", "correct", "TE-2", "--minutes", "52m", "--reason", "Longer"], as: "bob")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        let adjustment = try ok(["invoice", "show", "acme-D2"])
        #expect(cells(adjustment).contains(["1", "T-1002 remote, 2026-11", "0.08", "0:05", "125.00", "10.41", "adjusts INV-2026-0001; [1]"]), "\(adjustment)")
        #expect(adjustment.hasSuffix(
            "[1] line 1: 0:52 logged + 0:03 rounding up to the contract's increment = 0:55 (0:50 of it billed before: this line bills the difference)\n"),
            "\(adjustment)")

        let csv = try ok(["invoice", "export", "--format", "csv", "--include-drafts"]).split(separator: "\n").map(String.init)
        #expect(csv[0].hasSuffix(",document_total_minor,billed_time,logged_minutes,rounding_minutes,minimum_minutes,previously_billed_minutes,bill_to_name,bill_to_address,bill_to_tax_id,bill_to_purchase_orders"))
        #expect(csv.contains { $0.hasPrefix("INV-2026-0001,invoice,acme-D1,") && $0.hasSuffix(",0:30,10,0,20,0,Acme,,,") }, "\(csv)")
        #expect(csv.contains { $0.hasPrefix("INV-2026-0001,invoice,acme-D1,") && $0.hasSuffix(",0:50,47,3,0,0,Acme,,,") }, "\(csv)")
        // charged + covered = logged + rounding + minimum − previously billed: 5 = 52 + 3 + 0 − 50.
        #expect(csv.contains { $0.hasPrefix("acme-D2,draft,acme-D2,") && $0.hasSuffix(",0:05,52,3,0,50,Acme,,,") }, "\(csv)")
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["invoice", "export", "--format", "json"]).utf8)) as? [[String: Any]])
        #expect(exported.map { $0["billedTime"] as? String } == ["0:30", "0:50"])
        #expect(exported.map { $0["minimumMinutes"] as? Int } == [20, 0])
        #expect(exported.map { $0["roundingMinutes"] as? Int } == [0, 3])

        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "Reissue"])
        #expect(cells(try ok(["invoice", "show", "CN-2026-0001"])).contains(["1", "T-1001 remote, 2026-11", "-0.50", "-0:30", "125.00", "-62.50"]))
    }

    /// A ticket's minimum was topped up at the after-hours rate when the month's first work on it was after hours (10
    /// minutes on a Saturday, minimum 60, ×150%: 180.00 where the client expects 30.00 + 50 minutes at 120.00). Terms
    /// with `"minimumTopUp": "business-hours"` top it up at the business-hours rate, from their effective date only:
    /// October, invoiced before the amendment, is not re-priced.
    @Test func aMinimumIsToppedUpAtTheBusinessHoursRateFromTheAmendmentOn() throws {
        try setUpStore()
        let office = folder.child("office.yaml")
        #expect(FileManager.default.createFile(atPath: office, contents: Data(SLAFiles.officeCalendar(timeZone: "UTC").utf8)))
        _ = try ok(["calendar", "define", "office", "--name", "Office", "--file", office, "--effective", "2026-01-01"])
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12000},"minimumMinutesPerTicket":60,"#
            + #""afterHours":{"calendar":"office","multiplierPercent":150}}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Backup failed"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "10m", "--at", "2026-10-10 10:00"], as: "bob")  // Saturday
        #expect(try ok(["invoice", "run", "--period", "2026-10"]) == "acme-D1: drafted for acme, 1 line, total 180.00 USD\n")
        _ = try ok(["invoice", "finalize", "acme-D1"])

        let amend = try docket(
            ["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"minimumTopUp":"after-hours"}"#])
        #expect(amend.status == 65 && amend.stderr.contains("billingTerms.minimumTopUp must be first-work or business-hours"), "\(amend.stderr)")
        _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"minimumTopUp":"business-hours"}"#])
        _ = try ok(["time", "log", "T-1001", "10m", "--at", "2026-11-07 10:00"], as: "bob")  // Saturday
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 2 lines, total 130.00 USD\n")
        let text = try ok(["invoice", "show", "acme-D2"])
        #expect(text.contains("T-1001 remote, 2026-11, after hours ×150%"), "\(text)")
        #expect(text.hasSuffix("""
            total 130.00 USD
            [1] line 2: 0:50 to reach the ticket's minimum for the month, at the business-hours rate (the month's work on the ticket was after hours)

            """), "\(text)")
        let lines = try #require((try json(["invoice", "show", "acme-D2"]) as? [String: Any])?["lines"] as? [[String: Any]])
        #expect(lines.map { $0["amount"] as? Int } == [3_000, 10_000])
        let audit = try ok(["audit", "invoice", "acme-D2"])
        #expect(audit.contains("no entries: the ticket's month is topped up to its minimum at the business-hours rate"), "\(audit)")
        #expect(audit.contains(#""minimumTopUp":"business-hours""#), "the terms in force are named: \(audit)")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]).contains("nothing new to bill through 2026-11"), "October is not re-priced")
    }

    /// acme (UTC) on hourly terms with 150% after hours on a Monday-to-Friday office calendar, T-1001 with 20 minutes
    /// on Saturday 7 November: 30 minutes charged after rounding, 93.75 USD, 103.13 with 10% tax.
    func setUpAfterHours() throws {
        try setUpStore()
        let office = folder.child("office.yaml")
        #expect(FileManager.default.createFile(atPath: office, contents: Data(SLAFiles.officeCalendar(timeZone: "UTC").utf8)))
        _ = try ok(["calendar", "define", "office", "--name", "Office", "--file", office, "--effective", "2026-01-01"])
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12500},"rounding":{"incrementMinutes":15},"#
            + #""afterHours":{"calendar":"office","multiplierPercent":150},"taxBasisPoints":1000}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "20m", "--at", "2026-11-07 10:00"], as: "bob")
    }

    /// `invoice charges` shows the after-hours multiplier beside the rate, as `invoice show` does: it printed 30
    /// minutes at 125.00 as 93.75 with nothing to say why.
    @Test func chargesShowTheAfterHoursMultiplier() throws {
        try setUpAfterHours()
        let charges = try ok(["invoice", "charges", "acme", "--period", "2026-11"])
        #expect(charges.contains("time:T-1001:2026-11:remote:after-hours:acme-msa#0  20      30      0        30       125.00  93.75   ×150%"),
            "\(charges)")
    }

    /// `invoice run --json` carries the drafts themselves (lines, subtotal, taxes, total), as the table's "1 line, total
    /// 103.13 USD" says: it gave their ids only.
    @Test func theRunsJSONCarriesTheDrafts() throws {
        try setUpAfterHours()
        let runs = try #require(try json(["invoice", "run", "--period", "2026-11"]) as? [[String: Any]])
        #expect(runs.first?["drafted"] as? [String] == ["acme-D1"])
        let drafts = try #require(runs.first?["invoices"] as? [[String: Any]])
        #expect(drafts.map { $0["id"] as? String } == ["acme-D1"])
        #expect(drafts.first?["subtotal"] as? Int == 9_375 && drafts.first?["total"] as? Int == 10_313)
        #expect((drafts.first?["lines"] as? [Any])?.count == 1)
        #expect(drafts.first?["currency"] as? String == "USD" && drafts.first?["status"] as? String == "draft")
        // Each draft is what `invoice show --json` prints, the lines' billed time and notes included (the run's lacked them).
        let shown = try #require(try json(["invoice", "show", "acme-D1"]) as? [String: Any])
        #expect(NSDictionary(dictionary: try #require(drafts.first)).isEqual(to: shown), "\(drafts)\n\(shown)")
        #expect((drafts.first?["lines"] as? [[String: Any]])?.first?["billedTime"] as? String != nil)
    }

    /// The audit gives each entry's start on the client's clock as well as in UTC: work at 22:00 on Saturday 31 October
    /// in New York read "2026-11-01T02:00:00.000Z" on October's invoice, a November date a client disputing the
    /// invoice could not place, and no weekday to show why it was after hours.
    @Test func theAuditGivesEachEntrysStartOnTheClientsClock() throws {
        try setUpStore(clientTimeZone: "America/New_York")
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", Self.terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-10-31 22:00"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-02 10:00"], as: "bob")
        #expect(try ok(["invoice", "run", "--period", "2026-10"]) == "acme-D1: drafted for acme, 1 line, total 132.00 USD\n")
        let text = try ok(["audit", "invoice", "acme-D1"])
        #expect(text.contains("  TE-1  T-1001  bob  2026-11-01T02:00:00.000Z (Sat 2026-10-31 22:00 EDT)  60 min  remote\n"), "\(text)")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 1 line, total 132.00 USD\n")
        #expect(try ok(["audit", "invoice", "acme-D2"]).contains("  TE-2  T-1001  bob  2026-11-02T15:00:00.000Z (Mon 2026-11-02 10:00 EST)  60 min"))
    }

    /// An after-hours line says why each of its entries was after hours: a holiday of the calendar, or outside its
    /// hours. A client disputing a Monday morning billed at 150% (a holiday in the office calendar) saw the calendar's
    /// name and version only, and had to read the calendar to find out why.
    @Test func theAuditSaysWhyEachEntryWasAfterHours() throws {
        try setUpStore()
        let office = folder.child("office.yaml")
        #expect(FileManager.default.createFile(
            atPath: office, contents: Data(SLAFiles.officeCalendar(timeZone: "UTC", holidays: ["2026-11-09"]).utf8)))
        _ = try ok(["calendar", "define", "office", "--name", "Office", "--file", office, "--effective", "2026-01-01"])
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12000},"afterHours":{"calendar":"office","multiplierPercent":150}}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-09 10:00"], as: "bob")  // Monday, a holiday
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-07 10:00"], as: "bob")  // Saturday
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-10 10:00"], as: "bob")  // Tuesday, in hours
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        let text = try ok(["audit", "invoice", "acme-D1"])
        #expect(text.contains("60 min  remote  after hours: holiday 2026-11-09 in calendar office\n"), "\(text)")
        #expect(text.contains("60 min  remote  after hours: outside the hours of calendar office\n"), "\(text)")
        #expect(text.contains("(Tue 2026-11-10 10:00 UTC)  60 min  remote\n"), "\(text)")
        let audit = try #require(try json(["audit", "invoice", "acme-D1"]) as? [String: Any])
        let entries = try #require(audit["lines"] as? [[String: Any]]).flatMap { ($0["entries"] as? [[String: Any]]) ?? [] }
        let why = Dictionary(uniqueKeysWithValues: entries.map {
            (($0["entry"] as? [String: Any])?["entryId"] as? String ?? "", $0["afterHours"] as? String ?? "—")
        })
        #expect(why == ["TE-1": "holiday 2026-11-09 in calendar office", "TE-2": "outside the hours of calendar office", "TE-3": "—"])
    }

    /// Work on one ticket before and after an amendment mid-month is two charges (one per contract version): their lines
    /// read "T-1001 remote, 2026-11" twice, as if the client were billed twice, the difference (the tax rate) showing
    /// only in the tax lines. Each now names the terms that priced it; a line alone of its kind reads as before.
    @Test func linesOfOneTicketUnderTwoVersionsAreToldApart() throws {
        try setUp()
        _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-11-15", "--terms", #"{"taxBasisPoints":2000}"#])
        _ = try ok(["time", "log", "T-1001", "30m", "--at", "2026-11-20 14:00"], as: "bob")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        let text = try ok(["invoice", "show", "acme-D1"])
        // After the header, whom it is addressed to (the client's name: it has no address) and the column titles.
        let descriptions = text.split(separator: "\n").dropFirst(3).prefix(3).map { $0.dropFirst(6).prefix(54).trimmingCharacters(in: .whitespaces) }
        #expect(
            descriptions == [
                "T-1001 onsite, 2026-11", "T-1001 remote, 2026-11, terms of acme-msa", "T-1001 remote, 2026-11, terms of acme-msa amendment 1",
            ], "\(text)")
        #expect(text.contains("tax 10% on 270.00: 27.00\ntax 20% on 60.00: 12.00\n"), "\(text)")
    }

    /// A line that bills back time taken off its key (here the onsite hour, voided after INV-2026-0001) names the
    /// entries it takes back, with the void, its actor and reason. It listed no entry at all: "-1.00 h × 150.00 =
    /// -150.00" traced back to nothing, and only the earlier invoice's audit showed the void.
    @Test func anAdjustmentLineNamesTheEntriesItBillsBack() throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["time", "void", "TE-2", "--reason", "Logged twice"], as: "bob")
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 1 line, total -165.00 USD\n")

        let audit = try #require(try json(["audit", "invoice", "acme-D2"]) as? [String: Any])
        let line = try #require((audit["lines"] as? [[String: Any]])?.first)
        #expect((line["entries"] as? [[String: Any]])?.isEmpty == true)
        let earlier = try #require(line["earlierEntries"] as? [[String: Any]])
        #expect(earlier.map { ($0["entry"] as? [String: Any])?["entryId"] as? String } == ["TE-2"])
        #expect((earlier.first?["entry"] as? [String: Any])?["minutes"] as? Int == 60, "as it was billed")
        let events = try #require(earlier.first?["events"] as? [[String: Any]])
        #expect(events.map { $0["type"] as? String } == ["time.logged", "time.voided"])
        #expect(events.last?["actor"] as? String == "bob" && events.last?["reason"] as? String == "Logged twice")
        let text = try ok(["audit", "invoice", "acme-D2"])
        #expect(text.contains("  no longer under this key (billed on INV-2026-0001), billed back by this line:\n  TE-2  T-1001  bob  "), "\(text)")
        #expect(text.contains("time.voided by bob at 2026-12-01 09:00 UTC  \"Logged twice\""), "\(text)")
        // The first invoice's lines took nothing back.
        let first = try #require(try json(["audit", "invoice", "INV-2026-0001"]) as? [String: Any])
        #expect((first["lines"] as? [[String: Any]])?.allSatisfy { ($0["earlierEntries"] as? [Any])?.isEmpty == true } == true)
    }

    /// Whether work is after hours depends on the calendar version in force when it started: the audit names it with
    /// the event that set it. An amendment adding a holiday back-dated into a billed month moves that day's work after
    /// hours; the adjustment's audit named the contract's terms only, so nothing explained why the same entry cost
    /// more than on the first invoice.
    @Test func anAfterHoursLineNamesTheCalendarVersionThatDecidedIt() throws {
        try setUpStore()
        let office = folder.child("office.yaml"), holiday = folder.child("holiday.yaml")
        #expect(FileManager.default.createFile(atPath: office, contents: Data(SLAFiles.officeCalendar(timeZone: "UTC").utf8)))
        #expect(FileManager.default.createFile(
            atPath: holiday, contents: Data(SLAFiles.officeCalendar(timeZone: "UTC", holidays: ["2026-11-10"]).utf8)))
        _ = try ok(["calendar", "define", "office", "--name", "Office", "--file", office, "--effective", "2026-01-01"])
        let terms = #"{"model":"hourly","currency":"USD","rates":{"remote":12000},"afterHours":{"calendar":"office","multiplierPercent":150}}"#
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms", terms])
        _ = try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob")
        _ = try ok(["time", "log", "T-1001", "1h", "--at", "2026-11-10 10:00"], as: "bob")
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        _ = try ok(["calendar", "amend", "office", "--file", holiday, "--effective", "2026-11-01"])
        #expect(try ok(["invoice", "run", "--period", "2026-11"]) == "acme-D2: drafted for acme, 2 lines, total 60.00 USD\n")

        let calendars = { (reference: String) throws -> [[String]] in
            let audit = try #require(try json(["audit", "invoice", reference]) as? [String: Any])
            return try #require(audit["lines"] as? [[String: Any]]).map { line in
                ((line["calendars"] as? [[String: Any]]) ?? []).map {
                    "\($0["calendar"] ?? "") \($0["amendment"] ?? "") \(($0["setBy"] as? [String: Any])?["type"] ?? "")"
                }
            }
        }
        #expect(try calendars("INV-2026-0001") == [["office 0 calendar.defined"]])
        // The after-hours line and the one taking the business-hours line back: both priced on amendment 1.
        #expect(try calendars("acme-D2") == [["office 1 calendar.amended"], ["office 1 calendar.amended"]])
        let text = try ok(["audit", "invoice", "acme-D2"])
        #expect(text.contains("  hours: calendar office amendment 1, in force from 2026-11-01 00:00 UTC, set by #"), "\(text)")
    }

    @Test func aReplayAsOfTheFinalizationShowsTheInvoiceBeforeTheCorrection() throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        _ = try ok(["invoice", "finalize", "acme-D1"])
        let live = try ok(["invoice", "show", "INV-2026-0001", "--json"])
        let backup = folder.child("backup")
        _ = try ok(["backup", backup], as: "ann")
        // After the moment: a correction and its adjustment draft.
        #expect(try docket(["time", "correct", "TE-1", "--minutes", "2h", "--reason", "Forgot the call"], as: "bob", now: "2026-12-05T09:00:00Z").status == 0)
        #expect(try docket(["invoice", "run", "--period", "2026-11"], now: "2026-12-05T10:00:00Z").stdout.hasPrefix("acme-D2: drafted"))

        let replay = folder.child("replay")
        _ = try ok(["replay", "--as-of", "2026-12-01T09:00:00Z", "--into", replay], as: "ann")  // admin only
        let replayed = try DocketProcess.run(["invoice", "show", "INV-2026-0001", "--json"], store: replay, environment: ["DOCKET_USER": "bill"])
        #expect(replayed.stdout == live)
        #expect(try DocketProcess.run(["invoice", "show", "acme-D2"], store: replay, environment: ["DOCKET_USER": "bill"]).status == 4)
        #expect(try ok(["invoice", "show", "INV-2026-0001", "--json"]) == live, "a final invoice never changes")
        // Every read model of the replay equals the backup taken at that moment, byte for byte.
        let digests = { (store: String) throws -> String in
            try DocketProcess.run(["stats", "--read-models", "--json"], store: store, environment: ["DOCKET_USER": "ann"]).stdout
        }
        let replayDigests = try digests(replay)
        #expect(replayDigests.contains("\"billing\""))
        let models = { (json: String) throws -> [String] in
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let list = try #require(rows["readModels"] as? [[String: Any]])
            return list.map { "\($0["name"] ?? ""):\($0["sha256"] ?? "")" }
        }
        #expect(try models(replayDigests) == models(try digests(backup)))
    }

    /// The billing model keeps where each draft is in the log; a row that points anywhere else (a damaged model) is
    /// refused with one line naming the rebuild, and the rebuild mends it.
    @Test func anInvoiceWhoseDraftIsNotWhereTheModelSaysNamesTheRebuild() throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        let shown = try ok(["invoice", "show", "acme-D1", "--json"])
        do {
            let environment = try Environment(path: store)
            let invoices = try environment.openDatabase(named: "rm.billing6.invoices")
            // Position 1 is the store's first event, not the draft.
            try environment.write { txn in try txn.put(invoices, key: Array("d:acme-D1".utf8), value: [0, 0, 0, 0, 0, 0, 0, 1]) }
        }
        let before = try eventCount()
        let damaged = try docket(["invoice", "show", "acme-D1"])
        #expect(damaged.status == 2, "\(damaged.stderr)")
        #expect(damaged.stderr.split(separator: "\n").count == 1)
        #expect(damaged.stderr.contains("acme-D1") && damaged.stderr.contains("docket rebuild billing"), "\(damaged.stderr)")
        #expect(try eventCount() == before)
        _ = try ok(["rebuild", "billing"], as: "ann")
        #expect(try ok(["invoice", "show", "acme-D1", "--json"]) == shown)
    }

    @Test func refusalsWriteNothing() throws {
        try setUp()
        var before = try eventCount()
        let tech = try docket(["invoice", "run", "--period", "2026-11"], as: "bob")
        #expect(tech.status == 5)
        #expect(tech.stderr.split(separator: "\n").count == 1)
        let badPeriod = try docket(["invoice", "run", "--period", "2026-13"])
        #expect(badPeriod.status == 64)
        let signed = try docket(["invoice", "run", "--period", "2026-+1"])
        #expect(signed.status == 64, "a sign is not a digit: \(signed.stderr)")
        let unknown = try docket(["invoice", "show", "INV-2026-0042"])
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("unknown invoice INV-2026-0042"))
        #expect(try eventCount() == before)

        _ = try ok(["invoice", "run", "--period", "2026-11"])
        #expect(try docket(["invoice", "void", "acme-D1", "--reason", "x"]).status == 6)
        _ = try ok(["invoice", "finalize", "acme-D1"])
        before = try eventCount()
        let again = try docket(["invoice", "finalize", "acme-D1"])
        #expect(again.status == 6)
        #expect(again.stderr.contains("only a draft can be finalized"))
        #expect(try docket(["invoice", "discard", "INV-2026-0001", "--reason", "x"]).status == 6)
        #expect(try eventCount() == before)
    }

    /// The audit of a discarded draft says who threw it away, when and why, in text and JSON, as it does for a void.
    /// A bad --period is one line naming the format: `--period 2026-13` and `--period oct` said only "The value 'oct' is
    /// invalid for '--period <period>'". Usage (64), nothing written, on every command that takes one.
    @Test func aBadPeriodSaysHowToWriteOne() throws {
        try setUp()
        let before = try eventCount()
        let oct = try docket(["invoice", "run", "--period", "oct"])
        #expect(oct.status == 64)
        #expect(
            oct.stderr == "docket: error: The value 'oct' is invalid for '--period <YYYY-MM>': a period is a month written YYYY-MM in "
                + "digits, e.g. 2026-11 (see `docket invoice run --help`)\n", "\(oct.stderr)")
        for command in [["invoice", "run"], ["invoice", "charges", "acme"], ["invoice", "list"], ["invoice", "export"]] {
            for period in ["2026-13", "oct", "2026-+1", "2026-1"] {
                let run = try docket(command + ["--period", period])
                #expect(run.status == 64, "\(command) \(period): \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
                #expect(run.stderr.contains("'\(period)'") && run.stderr.contains("a month written YYYY-MM"), "\(run.stderr)")
                #expect(run.stdout.isEmpty)
            }
        }
        #expect(try eventCount() == before)
        #expect(try ok(["invoice", "run", "--help"]).contains("--period <YYYY-MM>"))
    }

    @Test func theAuditOfADiscardedDraftShowsTheDiscard() throws {
        try setUp()
        _ = try ok(["invoice", "run", "--period", "2026-11"])
        #expect(try ok(["invoice", "discard", "acme-D1", "--reason", "Wrong rates"]) == "acme-D1: discarded\n")
        let audit = try #require(try json(["audit", "invoice", "acme-D1"]) as? [String: Any])
        let discarded = try #require(audit["discarded"] as? [String: Any])
        #expect(discarded["type"] as? String == "invoice.discarded")
        #expect(discarded["actor"] as? String == "bill")
        #expect(discarded["reason"] as? String == "Wrong rates")
        #expect(discarded["recordedAt"] as? String == "2026-12-01T09:00:00.000Z")
        let text = try ok(["audit", "invoice", "acme-D1"])
        #expect(text.contains("  discarded  #"), "\(text)")
        #expect(text.contains("invoice.discarded by bill at 2026-12-01 09:00 UTC  \"Wrong rates\"\n"), "\(text)")
    }

    /// A command id is for one request: a retry of the same run, finalize, void or discard answers with what the first
    /// attempt did (the real numbers); the id given for another invoice, action or period is refused (65, one line) and
    /// writes nothing.
    @Test func aCommandIdIsReplayedForTheSameInvoiceRequestAndRefusedForAnother() throws {
        try setUp()
        _ = try ok(["client", "add", "beta", "--name", "Beta", "--time-zone", "UTC", "--currency", "USD"], as: "ann")
        _ = try ok(["contract", "add", "beta-msa", "--client", "beta", "--name", "MSA", "--effective", "2026-10-01", "--terms", Self.terms])
        #expect(try ok(["ticket", "open", "--client", "beta", "--subject", "Printer"], as: "bob") == "T-1002\n")
        #expect(try ok(["time", "log", "T-1002", "30m", "--at", "2026-11-05 10:00"], as: "bob") == "TE-3\n")
        func refused(_ arguments: [String], _ message: String, as user: String = "bill") throws {
            let before = try eventCount()
            let run = try docket(arguments, as: user)
            #expect(run.status == 65, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(arguments)")
            #expect(try eventCount() == before, "\(arguments)")
        }

        let drafted = try ok(["invoice", "run", "--period", "2026-11", "--command-id", "run-1"])
        #expect(drafted.contains("acme-D1: drafted") && drafted.contains("beta-D1: drafted"), "\(drafted)")
        #expect(try ok(["invoice", "run", "--period", "2026-11", "--command-id", "run-1"]) == drafted)
        try refused(["invoice", "run", "--period", "2026-10", "--command-id", "run-1"], "command id run-1 was already used to draft")

        #expect(try ok(["invoice", "finalize", "acme-D1", "--command-id", "fin-1"]) == "acme-D1: finalized as INV-2026-0001\n")
        #expect(try ok(["invoice", "finalize", "acme-D1", "--command-id", "fin-1"]) == "acme-D1: finalized as INV-2026-0001\n")
        try refused(["invoice", "finalize", "beta-D1", "--command-id", "fin-1"], "command id fin-1 was already used to finalize acme-D1")
        try refused(["invoice", "discard", "beta-D1", "--reason", "x", "--command-id", "fin-1"], "to finalize acme-D1")
        // An id is its user's: ann (an admin) retrying bill's finalize is refused, not told "finalized".
        try refused(["invoice", "finalize", "acme-D1", "--command-id", "fin-1"], "command id fin-1 was already used by another user", as: "ann")
        #expect((try json(["invoice", "show", "beta-D1"]) as? [String: Any])?["status"] as? String == "draft")

        let voided = "INV-2026-0001: voided by credit note CN-2026-0001\n"
        #expect(try ok(["invoice", "void", "INV-2026-0001", "--reason", "Wrong rate", "--command-id", "void-1"]) == voided)
        #expect(try ok(["invoice", "void", "INV-2026-0001", "--reason", "Wrong rate", "--command-id", "void-1"]) == voided)
        #expect(try ok(["invoice", "finalize", "beta-D1"]) == "beta-D1: finalized as INV-2026-0002\n")
        try refused(["invoice", "void", "INV-2026-0002", "--reason", "x", "--command-id", "void-1"], "was already used to void INV-2026-0001")

        // The same client's stream: another draft of acme's under a discard's id.
        #expect(try ok(["invoice", "run", "--period", "2026-11", "--client", "acme"]).hasPrefix("acme-D2: drafted"))
        #expect(try ok(["invoice", "discard", "acme-D2", "--reason", "Rerun", "--command-id", "d-1"]) == "acme-D2: discarded\n")
        #expect(try ok(["invoice", "discard", "acme-D2", "--reason", "Rerun", "--command-id", "d-1"]) == "acme-D2: discarded\n")
        #expect(try ok(["invoice", "run", "--period", "2026-11", "--client", "acme"]).hasPrefix("acme-D3: drafted"))
        try refused(["invoice", "discard", "acme-D3", "--reason", "x", "--command-id", "d-1"], "was already used to discard acme-D2")
        try refused(["invoice", "finalize", "acme-D3", "--command-id", "d-1"], "was already used to discard acme-D2")
    }

    /// `invoice charges` and `invoice run` named a held-back entry's contract end and work start in RFC 3339 UTC
    /// (`ended at 2026-11-01T04:00:00.000Z, before this work (started 2026-11-05T15:00:00.000Z)`) among times in
    /// people's zones. They are in the client's zone now, where its contracts' dates are read and shown; `--json`
    /// keeps RFC 3339 UTC.
    @Test(arguments: DocketMode.allCases) func heldBackReasonsNameTheirTimesInTheClientsZone(_ mode: DocketMode) throws {
        try setUpStore(clientTimeZone: "America/New_York")
        _ = try ok(["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--terms", Self.terms])
        _ = try ok(["contract", "end", "acme-msa", "--effective", "2026-11-01"])
        #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Server down"], as: "bob") == "T-1001\n")
        #expect(try ok(["time", "log", "T-1001", "45m", "--at", "2026-11-05T15:00:00Z"], as: "bob") == "TE-1\n")
        try mode.run {
            let reason = "contract acme-msa of client acme ended at 2026-11-01 00:00 EDT, before this work (started 2026-11-05 10:00 EST), "
                + "and no other contract with billing terms is in force then; bill it under a new contract in force then "
                + "(`docket contract add … --client acme --effective …`), or, if it is not to be billed, "
                + "`docket time correct TE-1 --non-billable --reason …`\n"
            let charges = try docket(["invoice", "charges", "acme", "--period", "2026-11"])
            #expect(charges.stdout.contains("held back TE-1 (T-1001, 45 min): " + reason), "\(charges.stdout) \(charges.stderr)")
            let run = try docket(["invoice", "run", "--period", "2026-11"])
            #expect(run.stdout.contains("acme: held back TE-1 (T-1001, 45 min): " + reason), "\(run.stdout) \(run.stderr)")
            let json = try docket(["invoice", "charges", "acme", "--period", "2026-11", "--json"]).stdout
            #expect(json.contains("ended at 2026-11-01T04:00:00.000Z, before this work (started 2026-11-05T15:00:00.000Z)"), "\(json)")
        }
    }

    /// Time before an after-hours calendar starts is held back with a fix that works: the commands the reason names,
    /// run as given (a name and the hours file filled in), bill it. (`calendar define` of the calendar again is
    /// refused, "already exists", and `calendar amend` before its start too.)
    @Test func theFixForTimeBeforeItsCalendarStartsWorks() throws {
        try setUp()
        let hours = folder.child("office.yaml")
        try "timeZone: UTC\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n".write(toFile: hours, atomically: true, encoding: .utf8)
        _ = try ok(["calendar", "define", "office", "--name", "Office", "--file", hours])  // in force from now, 1 December
        _ = try ok(["contract", "amend", "acme-msa", "--effective", "2026-10-01", "--terms", #"{"afterHours":{"calendar":"office","multiplierPercent":150}}"#])
        let charges = try ok(["invoice", "charges", "acme", "--period", "2026-11"])
        let line = try #require(charges.split(separator: "\n").first { $0.hasPrefix("held back TE-1") }, "\(charges)")
        #expect(try docket(["calendar", "define", "office", "--name", "Office", "--file", hours, "--effective", "2026-10-01"]).status == 6)
        #expect(try docket(["calendar", "amend", "office", "--file", hours, "--effective", "2026-10-01"]).status == 65)

        let commands = line.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(commands.count == 3, "define, amend, amend back: \(line)")
        for command in commands {
            let arguments = Self.words(command).dropFirst().map { $0 == "…" ? "Early hours" : $0 == "HOURS" ? hours : $0 }
            let run = try docket(Array(arguments))
            #expect(run.status == 0, "\(command): \(run.stderr)")
        }
        let after = try ok(["invoice", "charges", "acme", "--period", "2026-11"])
        #expect(!after.contains("held back"), "\(after)")
        #expect(after.contains("after-hours"), "Tuesday and Wednesday are outside Monday's hours: \(after)")
    }

    /// `text` split into words as a shell would, with single quotes.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word: String?
        var quoted = false
        for character in text {
            if character == "'" {
                quoted.toggle()
                word = word ?? ""
            } else if character == " " && !quoted {
                if let done = word { words.append(done) }
                word = nil
            } else {
                word = (word ?? "") + String(character)
            }
        }
        if let word { words.append(word) }
        return words
    }

    @Test func badTermsAreRefusedWithTheField() throws {
        try setUp()
        let run = try docket(["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"model":"hourly","currency":"usd","rates":{"*":1}}"#])
        #expect(run.status == 65)
        #expect(run.stderr.contains("billingTerms.currency"))
    }
}
