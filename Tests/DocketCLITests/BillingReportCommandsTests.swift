import Foundation
import TestSupport
import Testing

/// `docket user cost-rate` and `docket report profitability|leakage|utilization|volume` end to end, over a store
/// built with the real commands (time logged, an invoice run and a finalized invoice).
@Suite struct BillingReportCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String = "2026-11-02T09:00:00Z") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    func ok(_ arguments: [String], as user: String = "ann", now: String = "2026-11-02T09:00:00Z") throws -> String {
        let run = try docket(arguments, as: user, now: now)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func json(_ arguments: [String]) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(try ok(arguments + ["--format", "json"]).utf8)) as? [[String: Any]])
    }

    /// acme (USD) billed 120.00/h; bob costs 60.00/h; bob logs 90 billable and 30 non-billable minutes on T-1001 in
    /// November; the November run is finalized on December 1.
    func setUp() throws {
        _ = try ok(["init"])
        try StoreSetUp.addUsers([("bob", "tech"), ("bill", "billing")]) { try docket($0) }
        _ = try ok(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"])
        _ = try ok([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01",
            "--terms", #"{"model": "hourly", "currency": "USD", "rates": {"*": 12000}}"#,
        ], as: "bill")
        #expect(try ok(["user", "cost-rate", "bob", "6000", "--currency", "USD", "--effective", "2026-01-01"], as: "bill").contains("bob"))
        #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "VPN down", "--category", "network"], as: "bob") == "T-1001\n")
        _ = try ok(["time", "log", "T-1001", "90m", "--at", "2026-11-03T10:00:00Z"], as: "bob", now: "2026-11-05T09:00:00Z")
        _ = try ok(["time", "log", "T-1001", "30m", "--non-billable", "--at", "2026-11-04T10:00:00Z"], as: "bob", now: "2026-11-05T09:00:00Z")
        _ = try ok(["invoice", "run", "--period", "2026-11"], as: "bill", now: "2026-12-01T09:00:00Z")
        _ = try ok(["invoice", "finalize", "acme-D1"], as: "bill", now: "2026-12-01T09:05:00Z")
    }

    let window = ["--from", "2026-11-01", "--to", "2026-12-02"]

    @Test func costRatesNeedBillingOrAdmin() throws {
        try setUp()
        #expect(try docket(["user", "cost-rate", "bob", "7000", "--currency", "USD", "--effective", "2026-12-01"], as: "bob").status == 5)
        #expect(try docket(["user", "cost-rate", "bob", "7000", "--currency", "usd", "--effective", "2026-12-01"], as: "bill").status == 65)
        #expect(try docket(["user", "cost-rate", "nobody", "7000", "--currency", "USD", "--effective", "2026-12-01"], as: "bill").status == 4)
    }

    /// A cost rate's mistyped year is refused as a contract's is, naming the date as typed (exit 65, nothing written):
    /// `--effective 0026-12-01` was recorded, a rate from year 26. An amount with decimals (`70.00`) names the minor units
    /// it means. Embedded and served.
    @Test(arguments: DocketMode.allCases) func aCostRateDatedOutOfRangeIsRefused(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try docket(["user", "cost-rates"], as: "bill").status == 0, "bill's token, made before counting")
            let before = try docket(["log", "--json", "--limit", "100000"]).stdout
            let typo = try docket(["user", "cost-rate", "bob", "7000", "--currency", "USD", "--effective", "0026-12-01"], as: "bill")
            #expect(typo.status == 65 && typo.stdout.isEmpty, "\(typo.stdout)")
            #expect(
                typo.stderr == "docket: error: --effective 0026-12-01 is out of range: billing dates run from 2000-01-01 to 2199-12-31 "
                    + "(UTC); check the year\n", "\(typo.stderr)")
            // An amount with its decimals, as `charge add --unit-price` takes one: the minor units it means.
            let decimals = try docket(["user", "cost-rate", "bob", "70.00", "--currency", "USD", "--effective", "2026-12-01"], as: "bill")
            #expect(decimals.status == 64 && decimals.stdout.isEmpty, "\(decimals.stdout)")
            #expect(
                decimals.stderr == "docket: error: The value '70.00' is invalid for '<cost-per-hour>': the cost is in minor units per hour, "
                    + "with no decimal point: 7000 for 70.00 (see `docket user cost-rate --help`)\n", "\(decimals.stderr)")
            #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before, "nothing written")
        }
    }

    /// A cost rate's date is the tech's midnight where they set a zone (`user time-zone`), else UTC's: a New York
    /// tech's rate from 4 November started at 19:00 on 3 November, their time.
    @Test func aCostRatesDateIsTheTechsMidnight() throws {
        try setUp()
        _ = try ok(["user", "time-zone", "bob", "America/New_York"])
        let zoned = try docket(["user", "cost-rate", "bob", "7000", "--currency", "USD", "--effective", "2026-11-04"], as: "bill")
        #expect(zoned.stdout == "user bob costs 7000 USD minor units per hour from 2026-11-04 00:00 EST\n", "\(zoned.stderr)")
        #expect(zoned.stderr.contains("--effective 2026-11-04 read as midnight in user bob's time zone, America/New_York = 2026-11-04T05:00:00.000Z"))
        let exact = try docket(["user", "cost-rate", "bob", "7500", "--currency", "USD", "--effective", "2026-11-05T00:00:00Z"], as: "bill")
        #expect(exact.stdout == "user bob costs 7500 USD minor units per hour from 2026-11-04 19:00 EST\n")
        #expect(!exact.stderr.contains("read as"))
        // bill set no zone: midnight UTC, as before.
        let utc = try docket(["user", "cost-rate", "bill", "5000", "--currency", "USD", "--effective", "2026-11-04"], as: "bill")
        #expect(utc.stdout == "user bill costs 5000 USD minor units per hour from 2026-11-04 00:00 UTC\n")
    }

    @Test func profitability() throws {
        try setUp()
        let rows = try json(["report", "profitability"] + window)
        let acme = try #require(rows.first)
        #expect(rows.count == 1)
        // Revenue: 90 min × 120.00/h = 180.00. Cost: (90 + 30) min × 60.00/h = 120.00. Margin 60.00 = 33.33%.
        #expect(acme["client"] as? String == "acme")
        #expect(acme["revenueMinor"] as? Int == 18_000)
        #expect(acme["timeRevenueMinor"] as? Int == 18_000)
        #expect(acme["feeRevenueMinor"] as? Int == 0)
        #expect(acme["costMinor"] as? Int == 12_000)
        #expect(acme["marginMinor"] as? Int == 6_000)
        #expect(acme["marginBasisPoints"] as? Int == 3_333)
        #expect(acme["loggedMinutes"] as? Int == 120)
        #expect(acme["billedMinutes"] as? Int == 90)
        #expect(acme["effectiveHourlyRateMinor"] as? Int == 12_000)
        #expect(acme["invoices"] as? Int == 1)
        // November's invoice is November's revenue, although it was finalized in December (issue 15 point 9) …
        let november = try json(["report", "profitability", "--from", "2026-11-01", "--to", "2026-12-01"])
        #expect(november.first?["revenueMinor"] as? Int == 18_000)
        #expect(november.first?["costMinor"] as? Int == 12_000)
        // … and by issue date, a November window has the cost but not the revenue.
        let issued = try json(["report", "profitability", "--from", "2026-11-01", "--to", "2026-12-01", "--by", "issued"])
        #expect(issued.first?["revenueMinor"] as? Int == 0)
        #expect(issued.first?["costMinor"] as? Int == 12_000)
        let csv = try ok(["report", "profitability", "--format", "csv"] + window)
        #expect(csv.hasPrefix("CLIENT,CUR,INVOICES,"))
        #expect(csv.contains("\nacme,USD,1,0,180.00,0.00,180.00,2.00,0.00,120.00,60.00,33.33%,1.50,120.00\n"))
    }

    @Test func leakageUtilizationAndVolume() throws {
        try setUp()
        _ = try ok(["time", "log", "T-1001", "15m", "--at", "2026-11-20T10:00:00Z"], as: "bob", now: "2026-12-01T10:00:00Z")  // after the run
        let leakage = try json(["report", "leakage"] + window)
        #expect(leakage.map { $0["client"] as? String } == ["acme", "TOTAL"])
        #expect(leakage[0]["billableMinutes"] as? Int == 105)
        #expect(leakage[0]["billedMinutes"] as? Int == 90)
        #expect(leakage[0]["unbilledMinutes"] as? Int == 15)
        #expect(leakage[0]["nonBillableMinutes"] as? Int == 30)
        #expect(leakage[0]["leakageBasisPoints"] as? Int == 1_429)  // 15 / 105 = 14.2857%

        // Nov 1 – Dec 2: 21 weekdays in November and Tuesday Dec 1 → 40 h × 60 × 22 / 5 = 10,560 minutes.
        let utilization = try json(["report", "utilization"] + window)
        #expect(utilization.count == 1)
        #expect(utilization[0]["tech"] as? String == "bob")
        #expect(utilization[0]["loggedMinutes"] as? Int == 135)
        #expect(utilization[0]["billableMinutes"] as? Int == 105)
        #expect(utilization[0]["capacityMinutes"] as? Int == 10_560)
        #expect(utilization[0]["billableOfLoggedBasisPoints"] as? Int == 7_778)  // 105 / 135 = 77.78%
        let halfTime = try ok(["report", "utilization", "--capacity-hours-per-week", "20", "--format", "csv"] + window)
        #expect(halfTime.contains("\nbob,135,105,5280,77.78%,1.99%,2.56%\n"))  // 105 / 5280 = 1.989%, 135 / 5280 = 2.557%

        let volume = try json(["report", "volume"] + window)
        #expect(volume.count == 1)
        #expect(volume[0]["client"] as? String == "acme")
        #expect(volume[0]["category"] as? String == "network")
        #expect(volume[0]["opened"] as? Int == 1)
        #expect(volume[0]["closed"] as? Int == 0)
        #expect(try ok(["report", "volume"] + window).contains("acme"))
    }

    @Test func badWindowsAreBadUsage() throws {
        try setUp()
        #expect(try docket(["report", "leakage", "--from", "2026-12-01", "--to", "2026-11-01"]).status == 64)
        #expect(try docket(["report", "utilization", "--capacity-hours-per-week", "0"] + window).status == 64)
        #expect(try docket(["report", "volume", "--from", "yesterday", "--to", "2026-11-01"]).status == 64)
    }

    /// Every read command takes `--json` (README, docs/cli.md), but the reports refused it ("Unknown option '--json'",
    /// exit 64): it is now the same as `--format json`, and given with another --format is bad usage.
    @Test func reportsTakeJSONLikeEveryReadCommand() throws {
        try setUp()
        for report in ["profitability", "leakage", "utilization", "volume", "sla", "closed-without-time"] {
            let json = try docket(["report", report, "--json"] + window, now: "2026-12-02T09:00:00Z")
            #expect(json.status == 0, "\(report): \(json.stderr)")
            #expect(json.stdout == (try ok(["report", report, "--format", "json"] + window, now: "2026-12-02T09:00:00Z")), "\(report)")
            #expect(json.stdout.hasPrefix("["), "\(report): \(json.stdout)")
            let both = try docket(["report", report, "--json", "--format", "csv"] + window, now: "2026-12-02T09:00:00Z")
            #expect(both.status == 64, "\(report): \(both.stderr)")
            #expect(both.stderr.contains("--json and --format csv ask for two formats; give one"), "\(report): \(both.stderr)")
        }
        #expect(try ok(["report", "volume", "--json", "--format", "json"] + window, now: "2026-12-02T09:00:00Z").hasPrefix("["))
    }

    /// A report's CSV wrote the table's "—" for no value (no margin % without revenue, no effective rate without billed
    /// time), text in a column of numbers for the spreadsheet reading it; the cell is now empty, as report sla's
    /// medians already were.
    @Test func aCSVReportLeavesNoValueEmpty() throws {
        try setUp()
        // By issue, November has the cost of bob's time and no revenue: the invoice was finalized on December 1.
        let csv = try ok(["report", "profitability", "--by", "issued", "--format", "csv", "--from", "2026-11-01", "--to", "2026-12-01"])
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let row = try #require(lines.dropFirst().first)
        let cell = { (name: String) in try #require(header.firstIndex(of: name).map { row[$0] }) }
        #expect(try cell("REVENUE") == "0.00")
        #expect(try cell("MARGIN %") == "")
        #expect(try cell("EFFECTIVE RATE/H") == "")
        #expect(!csv.contains("—"), "\(csv)")
        #expect(try ok(["report", "profitability", "--by", "issued", "--from", "2026-11-01", "--to", "2026-12-01"]).contains("—"), "the table keeps it")
    }

    /// End to end with the invoice lines Docket writes: TE-1 (90 min) billed on INV-2026-0001, corrected to 60 and
    /// adjusted by −30 on INV-2026-0002, then INV-2026-0001 voided. The client has been credited the 90 minutes and
    /// billed −30: none of TE-1 is billed, until the next run bills the key again. Leakage said all 60 were billed.
    @Test func leakageAfterTheInvoiceOfAnAdjustedKeyIsVoided() throws {
        try setUp()
        let later = "2026-12-03T09:00:00Z"
        _ = try ok(["time", "correct", "TE-1", "--minutes", "60", "--reason", "shorter"], as: "bob", now: "2026-12-02T09:00:00Z")
        _ = try ok(["invoice", "run", "--period", "2026-11"], as: "bill", now: "2026-12-02T09:30:00Z")
        #expect(try ok(["invoice", "finalize", "acme-D2"], as: "bill", now: "2026-12-02T09:40:00Z").contains("INV-2026-0002"))
        func billed() throws -> Int? {
            let run = try docket(["report", "leakage", "--format", "json"] + window, now: later)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
            return rows.first?["billedMinutes"] as? Int
        }
        #expect(try billed() == 60)
        _ = try ok(["invoice", "void", "INV-2026-0001", "--reason", "wrong client"], as: "bill", now: later)
        #expect(try billed() == 0)
        _ = try ok(["invoice", "run", "--period", "2026-11"], as: "bill", now: later)
        #expect(try billed() == 0, "a draft bills nothing yet")
        _ = try ok(["invoice", "finalize", "acme-D3"], as: "bill", now: later)
        #expect(try billed() == 60)
    }
}
