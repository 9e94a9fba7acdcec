import Foundation
import TestSupport
import Testing

/// One-off charges end to end (docs/billing.md, "One-off charges"): added, billed once by the run through their month,
/// billed back after a void, held back without terms at their date; bad input refused with one line and its exit code,
/// nothing written.
@Suite struct ChargeCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String = "2026-12-02T12:00:00Z") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    @discardableResult
    func ok(_ arguments: [String], as user: String = "ann") throws -> String {
        let run = try docket(arguments, as: user)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func json(_ arguments: [String], as user: String = "ann") throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try ok(arguments + ["--json"], as: user).utf8))
    }

    func logBytes() throws -> Int { try docket(["log", "--json", "--limit", "100000"]).stdout.utf8.count }

    /// (description, amount) of each line of `invoice`, in order.
    func lines(_ invoice: String) throws -> [String] {
        let shown = try #require(try json(["invoice", "show", invoice]) as? [String: Any])
        let lines = try #require(shown["lines"] as? [[String: Any]])
        return lines.map { line in
            let charge = line["charge"] as? [String: Any]
            return "\(charge?["kind"] as? String ?? "?") \(charge?["key"] as? String ?? "?") \(charge?["description"] as? String ?? "?") = \(line["amount"] as? Int ?? 0)"
        }
    }

    /// ann (admin), bob (tech), dan (dispatcher), acme and globex billed in USD from New York, acme with an hourly
    /// contract from 1 October, and a ticket of each.
    func setUp() throws {
        try ok(["init"])
        try ok(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"])
        try ok(["user", "add", "dan", "--name", "Dan", "--email", "dan@msp.example", "--role", "dispatcher"])
        for code in ["acme", "globex"] {
            try ok(["client", "add", code, "--name", code.capitalized, "--time-zone", "America/New_York", "--currency", "USD"])
            try ok(["ticket", "open", "--client", code, "--subject", "Laptop for \(code)"])
        }
        try ok([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms",
            #"{"model":"hourly","currency":"USD","rates":{"*":12500},"taxRate":"8.875"}"#,
        ])
    }

    /// A charge is billed once, on a line of its own keyed by its id, by the run through its month; a rerun bills it
    /// no more; voided after a final invoice billed it, the next run bills it back; `charge list` names the lines.
    @Test(arguments: DocketMode.allCases) func aChargeIsBilledOnceAndBilledBackAfterAVoid(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            let id = try ok([
                "charge", "add", "acme", "--description", "Dell Latitude 5440", "--unit-price", "1,249.00", "--quantity", "2",
                "--unit-cost", "980", "--date", "2026-11-12", "--category", "hardware",
            ])
            #expect(id == "CH-1\n")
            #expect(try ok(["charge", "add", "acme", "--ticket", "T-1001", "--description", "On-site trip fee", "--unit-price", "75", "--date", "2026-12-01"]) == "CH-2\n")
            try ok(["invoice", "run", "--period", "2026-11"])
            #expect(try lines("acme-D1") == ["one-off one-off:CH-1 Dell Latitude 5440, 2 × 1,249.00 = 249800"])
            let shown = try #require(try json(["invoice", "show", "acme-D1"]) as? [String: Any])
            #expect(shown["total"] as? Int == 249_800 + 22_170, "8.875% tax on the charge")
            try ok(["invoice", "run", "--period", "2026-11"])
            #expect(try docket(["invoice", "show", "acme-D2"]).status == 4, "a rerun bills the charge no more")
            try ok(["invoice", "finalize", "acme-D1"])

            let unbilled = try #require(try json(["charge", "list", "--unbilled"]) as? [[String: Any]])
            #expect(unbilled.map { $0["id"] as? String } == ["CH-2"], "CH-2 is December's")
            try ok(["charge", "void", "CH-1", "--reason", "returned unopened"])
            try ok(["invoice", "run", "--period", "2026-11"])
            #expect(try lines("acme-D2") == ["one-off one-off:CH-1 Dell Latitude 5440, 2 × 1,249.00 (no longer billable) = -249800"])
            let listed = try #require(try json(["charge", "list", "--client", "acme", "--period", "2026-11"]) as? [[String: Any]])
            let billedOn = (listed.first?["billedOn"] as? [[String: Any]])?.map { "\($0["document"] ?? "") \($0["line"] ?? "")" }
            #expect(billedOn == ["INV-2026-0001 1", "acme-D2 1"])
            #expect(try ok(["charge", "list"]).contains("INV-2026-0001 line 1, acme-D2 line 1 (draft)"))
        }
    }

    /// Bad input is one line on stderr with its exit code, and nothing is written.
    @Test(arguments: DocketMode.allCases) func badInputIsRefusedWithItsExitCodeAndNothingWritten(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            _ = try ok(["charge", "list"], as: "bob")  // served: bob's token is made on first use
            let before = try logBytes()
            let add = ["charge", "add", "acme", "--description", "Switch", "--date", "2026-11-12"]
            let cases: [(arguments: [String], user: String, status: Int32, says: String)] = [
                (add + ["--unit-price", "12.505"], "ann", 65, "--unit-price \"12.505\" is not an amount of USD: USD has 2 decimals"),
                (add + ["--unit-price", "12.50", "--unit-cost", "9.99.9"], "ann", 65, "--unit-cost \"9.99.9\" is not an amount of USD"),
                (add + ["--unit-price", "12", "--quantity", "0"], "ann", 65, "quantity 0 is out of range"),
                (["charge", "add", "ghost", "--description", "Switch", "--unit-price", "12"], "ann", 4, "unknown client ghost"),
                (add + ["--unit-price", "12", "--ticket", "T-9999"], "ann", 4, "unknown ticket T-9999"),
                (add + ["--unit-price", "12", "--ticket", "T-1002"], "ann", 65, "ticket T-1002 is client globex's, not acme's"),
                (["charge", "add", "acme", "--description", "Switch", "--unit-price", "12", "--date", "2026-09-30"], "ann", 6,
                 "client acme has no contract with billing terms in force at"),
                (["charge", "add", "globex", "--description", "Switch", "--unit-price", "12"], "ann", 6, "docket contract add"),
                (add + ["--unit-price", "12"], "bob", 5, "can add a charge only on a ticket"),
                (add + ["--unit-price", "12", "--ticket", "T-1001"], "bob", 5, "which is not assigned to you"),
                (["charge", "void", "CH-9", "--reason", "x"], "ann", 4, "unknown charge CH-9"),
            ]
            for bad in cases {
                let run = try docket(bad.arguments, as: bad.user)
                #expect(run.status == bad.status, "\(bad.arguments): \(run.stderr)")
                #expect(run.stderr.contains(bad.says), "\(bad.arguments): \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1, "\(bad.arguments): \(run.stderr)")
            }
            #expect(try logBytes() == before)
            // A dispatcher adds one on a ticket; retried with the same command id it writes nothing and answers the same id.
            let cable = ["charge", "add", "acme", "--ticket", "T-1001", "--description", "Cable", "--unit-price", "9.99", "--command-id", "cable-1"]
            #expect(try ok(cable, as: "dan") == "CH-1\n")
            let once = try logBytes()
            #expect(try ok(cable, as: "dan") == "CH-1\n")
            #expect(try logBytes() == once)
        }
    }

    /// A charge whose date its contract no longer covers (the end moved before it) is held back by the run, with the
    /// reason; `docket rebuild` and a replay as of a moment give the same invoice and charges.
    @Test func aChargeWithoutTermsAtItsDateIsHeldBackAndARebuildChangesNothing() throws {
        try setUp()
        try ok(["charge", "add", "acme", "--description", "Firewall", "--unit-price", "800", "--date", "2026-11-20"])
        try ok(["charge", "add", "acme", "--description", "Licence", "--unit-price", "120", "--date", "2026-10-20"])
        try ok(["contract", "end", "acme-msa", "--effective", "2026-11-15"])
        let run = try ok(["invoice", "run", "--period", "2026-11"])
        #expect(run.contains("acme: held back CH-1: no contract with billing terms is in force for client acme"), "\(run)")
        #expect(try lines("acme-D1") == ["one-off one-off:CH-2 Licence, 1 × 120.00 = 12000"])

        let invoice = try ok(["invoice", "show", "acme-D1", "--json"])
        let charges = try ok(["charge", "list", "--json"])
        try ok(["rebuild"])
        #expect(try ok(["invoice", "show", "acme-D1", "--json"]) == invoice)
        #expect(try ok(["charge", "list", "--json"]) == charges)
        let replay = folder.child("replay")
        try ok(["replay", "--as-of", "2026-12-02T12:00:00Z", "--into", replay])
        let replayed = try DocketProcess.run(
            ["charge", "list", "--json"], store: replay, environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-12-02T12:00:00Z"])
        #expect(replayed.stdout == charges, "\(replayed.stderr)")
    }

    /// Profitability counts a charge's line as revenue (a fee) and, when it has a unit cost, quantity × unit cost as
    /// cost, in the period of the invoice billing it; a void billed back on a final invoice takes both back.
    @Test func profitabilityCountsAChargesRevenueAndItsCost() throws {
        try setUp()
        try ok([
            "charge", "add", "acme", "--description", "Dell Latitude 5440", "--unit-price", "1249.00", "--quantity", "2", "--unit-cost", "980.00",
            "--date", "2026-11-12",
        ])
        try ok(["charge", "add", "acme", "--description", "Trip fee", "--unit-price", "75", "--date", "2026-11-13"])
        try ok(["invoice", "run", "--period", "2026-11"])
        try ok(["invoice", "finalize", "acme-D1"])
        func november() throws -> [String: Any] {
            let rows = try JSONSerialization.jsonObject(
                with: Data(try ok(["report", "profitability", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"]).utf8))
            return try #require((rows as? [[String: Any]])?.first)
        }
        let billed = try november()
        #expect(billed["feeRevenueMinor"] as? Int == 249_800 + 7_500)
        #expect(billed["costMinor"] as? Int == 196_000, "2 × 980.00; the trip fee has no cost")
        #expect(billed["marginMinor"] as? Int == 257_300 - 196_000)
        try ok(["charge", "void", "CH-1", "--reason", "returned"])
        try ok(["invoice", "run", "--period", "2026-11"])
        try ok(["invoice", "finalize", "acme-D2"])
        let voided = try november()
        #expect(voided["feeRevenueMinor"] as? Int == 7_500)
        #expect(voided["costMinor"] as? Int == 0)
    }
}

extension ChargeCommandsTests {
    /// What a unit cost the MSP is cost, like a tech's cost rate: billing and admins read it in `charge list`,
    /// `charge show` and `docket log`; a tech or a dispatcher reads the charge without it.
    @Test(arguments: DocketMode.allCases) func aChargesUnitCostIsForBillingAndAdminsOnly(_ mode: DocketMode) throws {
        try setUp()
        try ok(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"])
        try ok([
            "charge", "add", "acme", "--description", "Switch", "--unit-price", "300.00", "--unit-cost", "210.00", "--date", "2026-10-15",
        ])
        try mode.run {
            for (user, seesCost) in [("ann", true), ("bill", true), ("bob", false), ("dan", false)] {
                let listed = try ok(["charge", "list", "--json"], as: user)
                #expect(listed.contains("\"unitCostMinor\" : 21000") == seesCost, "\(user): \(listed)")
                #expect(listed.contains("\"unitPriceMinor\" : 30000"), "\(user): the price stays")
                let shown = try ok(["charge", "show", "CH-1"], as: user)
                #expect(shown.contains("unit cost 210.00 USD") == seesCost, "\(user): \(shown)")
                let log = try ok(["log", "--json", "--stream", "charge-CH-1"], as: user)
                #expect(log.contains("\"unitCostMinor\":21000") == seesCost, "\(user): \(log)")
                #expect(log.contains("\"unitPriceMinor\":30000"), "\(user): \(log)")
            }
        }
    }
}
