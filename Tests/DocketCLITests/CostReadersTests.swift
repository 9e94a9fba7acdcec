import Foundation
import TestSupport
import Testing

/// Staff cost rates and the margins they give are for billing and admins (docs/security.md, "Who reads what"): every
/// active user read `report profitability` (each client's cost and margin) and, in `docket log`, each tech's cost per
/// hour. A tech or dispatcher is now refused the report (exit 5, nothing read) and reads the log without the amounts;
/// hours, utilization, leakage and volume hold no staff cost and stay readable by all.
@Suite struct CostReadersTests {
    let base = BillingReportCommandsTests()

    @Test(arguments: DocketMode.allCases) func staffCostIsReadByBillingAndAdminsOnly(_ mode: DocketMode) throws {
        try base.setUp()
        try StoreSetUp.addUsers([("dora", "dispatcher")]) { try base.docket($0) }
        let window = base.window
        let events = { () throws -> Int in try base.docket(["log", "--json", "--limit", "100000"]).stdout.count }
        try mode.run {
            // Through a server each user's token is made (an event) on their first command: before counting.
            for user in ["bob", "dora", "bill"] { #expect(try base.docket(["queue"], as: user).status == 0) }
            let before = try events()
            for (user, role) in [("bob", "tech"), ("dora", "dispatcher")] {
                for format in [["--format", "table"], ["--format", "json"], ["--format", "csv"], ["--as-of", "2026-12-01T10:00:00Z"]] {
                    let run = try base.docket(["report", "profitability"] + window + format, as: user)
                    #expect(run.status == 5, "\(user) \(format): \(run.stdout)")
                    #expect(run.stdout.isEmpty, "\(user) \(format): nothing read")
                    #expect(
                        run.stderr == "docket: error: only billing or an admin may read cost rates and margins; \(user) is \(role): ask "
                            + "billing or an admin; `docket report utilization` and `docket report leakage` give the hours without cost\n",
                        "\(user) \(format): \(run.stderr)")
                }
                // Hours, utilization, leakage and volume carry no staff cost.
                for report in ["utilization", "leakage", "volume"] {
                    let run = try base.docket(["report", report, "--format", "json"] + window, as: user)
                    #expect(run.status == 0 && run.stdout.hasPrefix("[") && run.stdout.contains("{"), "\(user) \(report): \(run.stderr)")
                    #expect(!run.stdout.contains("cost") && !run.stdout.contains("margin"), "\(user) \(report): \(run.stdout)")
                }
                // The log shows that a rate was set and from when, not what it is.
                let log = try base.docket(["log", "--stream", "user-bob", "--json"], as: user)
                #expect(log.status == 0 && log.stdout.contains("\"user.cost-rate-set\""), "\(log.stderr)")
                #expect(log.stdout.contains("\"effectiveFrom\""), "\(log.stdout)")
                #expect(!log.stdout.contains("costPerHourMinor") && !log.stdout.contains("USD"), "\(user): \(log.stdout)")
                let table = try base.docket(["log", "--stream", "user-bob"], as: user)
                #expect(table.status == 0 && table.stdout.contains("user.cost-rate-set.v1"), "\(table.stderr)")
                #expect(!table.stdout.contains("costPerHourMinor") && !table.stdout.contains("USD"), "\(user): \(table.stdout)")
            }
            for user in ["bill", "ann"] {
                let run = try base.docket(["report", "profitability", "--format", "json"] + window, as: user)
                #expect(run.status == 0 && run.stdout.contains("\"costMinor\""), "\(user): \(run.stdout) \(run.stderr)")
                let log = try base.docket(["log", "--stream", "user-bob", "--json"], as: user)
                #expect(log.stdout.contains("\"costPerHourMinor\":6000"), "\(user): \(log.stdout)")
            }
            #expect(try events() == before, "a refused read writes nothing")
        }
    }

    /// `docket report --help` and `docket user --help` said nothing of who reads what.
    @Test func theHelpSaysWhoReadsCost() throws {
        let words = { (arguments: [String]) throws -> String in
            try base.docket(arguments).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let report = try words(["report", "--help"])
        #expect(report.contains("Every active user reads sla, closed-without-time, leakage, utilization, volume and satisfaction"), "\(report)")
        #expect(report.contains("profitability prices time at the techs' cost rates: it is for billing and admins"), "\(report)")
        #expect(report.contains("--as-of (the report as it could be run then) is for billing and admins"), "\(report)")
        #expect(try words(["report", "profitability", "--help"]).contains("margin, effective rate (billing, admins)."))
        let user = try words(["user", "--help"])
        #expect(user.contains("Cost rates are read by billing and admins only"), "\(user)")
    }
}

extension CostReadersTests {
    /// Billing could not read the cost rates it sets: only `docket log` showed `user.cost-rate-set`. `docket user
    /// cost-rates [LOGIN]` lists every version by user, each from its date in the user's own zone, the one in force now
    /// marked and one set again for the same date marked replaced; `--json` and `--as-of` as every read. Techs and
    /// dispatchers are refused (exit 5, nothing read), an unknown user is not found (4). Embedded and served.
    @Test(arguments: DocketMode.allCases) func costRatesAreListedToBillingAndAdminsOnly(_ mode: DocketMode) throws {
        try base.setUp()
        try StoreSetUp.addUsers([("dora", "dispatcher")]) { try base.docket($0) }
        _ = try base.ok(["user", "time-zone", "bob", "America/New_York"], now: "2026-12-01T09:10:00Z")
        for rate in ["7000", "7500"] {
            _ = try base.ok(["user", "cost-rate", "bob", rate, "--currency", "USD", "--effective", "2026-12-01"], as: "bill", now: "2026-12-01T09:10:00Z")
        }
        let now = "2026-12-02T09:00:00Z"
        let events = { () throws -> Int in try base.docket(["log", "--json", "--limit", "100000"], now: now).stdout.count }
        try mode.run {
            for user in ["bob", "dora", "bill"] { #expect(try base.docket(["queue"], as: user, now: now).status == 0) }
            let before = try events()
            for (user, role) in [("bob", "tech"), ("dora", "dispatcher")] {
                for arguments in [[], ["bob"], ["--json"], ["--as-of", "2026-12-01T10:00:00Z"]] {
                    let run = try base.docket(["user", "cost-rates"] + arguments, as: user, now: now)
                    #expect(run.status == 5 && run.stdout.isEmpty, "\(user) \(arguments): \(run.stdout)")
                    #expect(run.stderr.hasPrefix("docket: error: only billing or an admin may read "), "\(user) \(arguments): \(run.stderr)")
                }
            }
            let table = try base.docket(["user", "cost-rates"], as: "bill", now: now)
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout == """
                LOGIN  FROM                  COST PER HOUR  VERSION  STATUS
                bob    2025-12-31 19:00 EST  60.00 USD      1        earlier
                bob    2026-12-01 00:00 EST  70.00 USD      2        replaced by 3
                bob    2026-12-01 00:00 EST  75.00 USD      3        in force

                """, "\(table.stdout)")
            let json = try base.docket(["user", "cost-rates", "bob", "--json"], as: "ann", now: now)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stderr)")
            #expect(rows.map { $0["version"] as? Int } == [1, 2, 3] && rows.map { $0["inForce"] as? Bool } == [false, false, true])
            #expect(rows[1]["replacedBy"] as? Int == 3 && rows[2]["effectiveFrom"] as? String == "2026-12-01T05:00:00.000Z", "\(rows)")
            #expect(rows[0]["costPerHourMinor"] as? Int == 6000 && rows[0]["timeZone"] as? String == "America/New_York", "\(rows)")
            // As of a moment before the December rates were set: the one rate, in force then.
            let then = try base.docket(["user", "cost-rates", "--json", "--as-of", "2026-11-30T00:00:00Z"], as: "bill", now: now)
            let past = try #require(try JSONSerialization.jsonObject(with: Data(then.stdout.utf8)) as? [[String: Any]], "\(then.stderr)")
            #expect(past.map { $0["version"] as? Int } == [1] && past.first?["inForce"] as? Bool == true, "\(past)")
            let ghost = try base.docket(["user", "cost-rates", "ghost"], as: "bill", now: now)
            #expect(ghost.status == 4 && ghost.stderr == "docket: error: unknown user ghost; list users with `docket user list`\n", "\(ghost.stderr)")
            #expect(try events() == before, "reads write nothing")
        }
    }
}
