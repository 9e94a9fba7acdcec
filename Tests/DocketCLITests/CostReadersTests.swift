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
        #expect(report.contains("Every active user reads sla, closed-without-time, leakage, utilization and volume"), "\(report)")
        #expect(report.contains("profitability prices time at the techs' cost rates: it is for billing and admins"), "\(report)")
        #expect(report.contains("--as-of (the report as it could be run then) is for billing and admins"), "\(report)")
        #expect(try words(["report", "profitability", "--help"]).contains("margin, effective rate (billing, admins)."))
        let user = try words(["user", "--help"])
        #expect(user.contains("Cost rates are read by billing and admins only"), "\(user)")
    }
}
