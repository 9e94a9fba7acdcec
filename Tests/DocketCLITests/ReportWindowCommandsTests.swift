import Foundation
import TestSupport
import Testing

/// The reports' windows in the operator's time (docs/cli.md, "Report windows"): a date is midnight where the client
/// is, an instant typed with an offset is exact, and an invoice counts in the month it bills whatever the offset.
@Suite struct ReportWindowCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String = "2026-12-02T12:00:00Z") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    func ok(_ arguments: [String], as user: String = "ann", now: String = "2026-12-02T12:00:00Z") throws -> String {
        let run = try docket(arguments, as: user, now: now)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func json(_ arguments: [String]) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(try ok(arguments + ["--format", "json"]).utf8)) as? [[String: Any]])
    }

    /// acme is in New York (120.00/h; bob costs 60.00/h). T-1001 opened at 22:00 New York time on 31 October (02:00Z on
    /// 1 November) and closed by ann without time at 22:00 on 30 November (03:00Z on 1 December). bob worked 60 minutes
    /// at 23:00 on 31 October (03:00Z on 1 November: October's in New York) and 30 minutes at 21:00 on 30 November (02:00Z
    /// on 1 December: November's). The November run bills both and is finalized on 2 December.
    /// A store on 1 October with bob (tech), bill (billing) and client `code` in `zone` on an hourly contract
    /// `code-msa` at 120.00/h.
    func storeWithHourlyClient(_ code: String, zone: String) throws {
        _ = try ok(["init"], now: "2026-10-01T12:00:00Z")
        try StoreSetUp.addUsers([("bob", "tech"), ("bill", "billing")]) { try docket($0, now: "2026-10-01T12:00:00Z") }
        _ = try ok(
            ["client", "add", code, "--name", code.capitalized, "--domain", "\(code).example", "--time-zone", zone, "--currency", "USD"],
            now: "2026-10-01T12:00:00Z")
        _ = try ok([
            "contract", "add", "\(code)-msa", "--client", code, "--name", "MSA", "--effective", "2026-01-01",
            "--terms", #"{"model": "hourly", "currency": "USD", "rates": {"*": 12000}}"#,
        ], as: "bill", now: "2026-10-01T12:00:00Z")
    }

    func setUp() throws {
        try storeWithHourlyClient("acme", zone: "America/New_York")
        _ = try ok(["user", "cost-rate", "bob", "6000", "--currency", "USD", "--effective", "2026-01-01"], as: "bill", now: "2026-10-01T12:00:00Z")
        #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "VPN down", "--category", "network"], as: "bob", now: "2026-11-01T02:00:00Z") == "T-1001\n")
        _ = try ok(["time", "log", "T-1001", "60m", "--at", "2026-10-31T23:00:00-04:00"], as: "bob", now: "2026-11-01T04:30:00Z")
        _ = try ok(["time", "log", "T-1001", "30m", "--at", "2026-11-30T21:00:00-05:00"], as: "bob", now: "2026-12-01T02:45:00Z")
        _ = try ok(["ticket", "close", "T-1001", "--resolution", "Done", "--no-time", "--reason", "bob's time"], now: "2026-12-01T03:00:00Z")
        _ = try ok(["invoice", "run", "--period", "2026-11"], as: "bill")
        _ = try ok(["invoice", "finalize", "acme-D1"], as: "bill", now: "2026-12-02T12:05:00Z")
    }

    let november = ["--from", "2026-11-01", "--to", "2026-12-01"]

    /// A November typed with New York's winter offset (05:00Z on 1 November; the zone was still on summer time, UTC−4,
    /// until 02:00) keeps November's invoice: it dropped it, since its month's first day was taken at midnight UTC.
    @Test func aWindowTypedWithAnOffsetKeepsTheInvoiceOfTheMonthItBills() throws {
        try setUp()
        let rows = try json(["report", "profitability", "--from", "2026-11-01T00:00:00-05:00", "--to", "2026-12-01T00:00:00-05:00"])
        let acme = try #require(rows.first { $0["client"] as? String == "acme" })
        #expect(acme["invoices"] as? Int == 1, "\(rows)")
        #expect(acme["revenueMinor"] as? Int == 18_000)  // 90 minutes at 120.00/h
        #expect(acme["loggedMinutes"] as? Int == 30)  // instants are exact: 05:00Z on 1 November to 05:00Z on 1 December
        // Minutes without seconds are RFC 3339 enough (`2026-11-01T00:00-05:00`).
        for offset in ["-05:00", "Z", "+02:00", "-08:00"] {
            let typed = try json(["report", "profitability", "--from", "2026-11-01T00:00\(offset)", "--to", "2026-12-01T00:00\(offset)"])
            #expect(typed.first?["invoices"] as? Int == 1, "\(offset)")
        }
        let december = try json(["report", "profitability", "--from", "2026-12-01T00:00-05:00", "--to", "2027-01-01T00:00-05:00"])
        #expect(december.first?["invoices"] as? Int ?? 0 == 0, "\(december)")
    }

    /// A date is midnight in the client's zone: November's time and tickets are New York's November, as its invoice
    /// bills them. They were UTC's: the evening of 31 October was in, that of 30 November out.
    @Test func aDateIsMidnightWhereTheClientIs() throws {
        try setUp()
        let leakage = try json(["report", "leakage"] + november)
        #expect(leakage.first?["client"] as? String == "acme")
        #expect(leakage.first?["billableMinutes"] as? Int == 30, "\(leakage)")
        #expect(leakage.first?["billedMinutes"] as? Int == 30)
        let profitability = try json(["report", "profitability"] + november)
        #expect(profitability.first?["loggedMinutes"] as? Int == 30)
        #expect(profitability.first?["invoices"] as? Int == 1)

        let volume = try json(["report", "volume"] + november)
        #expect(volume.first?["opened"] as? Int == 0, "\(volume)")
        #expect(volume.first?["closed"] as? Int == 1)
        let closes = try json(["report", "closed-without-time"] + november)
        #expect(closes.map { $0["ticket"] as? String } == ["T-1001"], "\(closes)")
        #expect(try json(["report", "closed-without-time", "--from", "2026-12-01", "--to", "2026-12-02"]).isEmpty)

        // --time-zone reads the dates in one zone for every row: UTC gives the UTC window.
        let utc = november + ["--time-zone", "UTC"]
        #expect(try json(["report", "leakage"] + utc).first?["billableMinutes"] as? Int == 60)
        #expect(try json(["report", "volume"] + utc).first?["opened"] as? Int == 1)
        #expect(try json(["report", "volume"] + utc).first?["closed"] as? Int ?? 0 == 0)
        #expect(try json(["report", "closed-without-time"] + utc).isEmpty)
        // The invoice still counts in the month it bills.
        #expect(try json(["report", "profitability"] + utc).first?["invoices"] as? Int == 1)

        // Moved to London after November was invoiced, November keeps New York's zone, as its invoice billed it
        // (it became London's: the 60 minutes of New York's 31 October counted as November's); December is London's,
        // from where November ended (05:00Z on 1 December).
        _ = try ok(["client", "update", "acme", "--time-zone", "Europe/London"])
        #expect(try json(["report", "leakage"] + november).first?["billableMinutes"] as? Int == 30)
        #expect(try json(["report", "volume"] + november).first?["opened"] as? Int ?? 0 == 0)
        #expect(try json(["report", "profitability"] + november).first?["invoices"] as? Int == 1)
        #expect(try json(["report", "closed-without-time", "--from", "2026-12-01", "--to", "2026-12-02"]).isEmpty)
    }

    /// kol is in Kolkata (UTC+05:30). bob works 60 minutes on 15 October and 60 at 19:00Z on 31 October (00:30 on 1
    /// November in Kolkata: November's); ann closes T-1001 without time at 20:30Z. October is invoiced and finalized,
    /// then kol moves to UTC. October keeps Kolkata's zone (it ends at 18:30Z on 31 October) and November starts there,
    /// so the reports' October is the invoice's: the leakage report showed the November work as October's unbilled time
    /// (120 billable, 60 billed: 50 %), and the close as October's.
    @Test(arguments: DocketMode.allCases) func aMonthInvoicedBeforeAChangeOfZoneKeepsItsZoneInReports(_ mode: DocketMode) throws {
        try storeWithHourlyClient("kol", zone: "Asia/Kolkata")
        #expect(try ok(["ticket", "open", "--client", "kol", "--subject", "VPN down"], as: "bob", now: "2026-10-10T06:00:00Z") == "T-1001\n")
        _ = try ok(["time", "log", "T-1001", "60m", "--at", "2026-10-15T10:00:00+05:30"], as: "bob", now: "2026-10-15T06:00:00Z")
        _ = try ok(["time", "log", "T-1001", "60m", "--at", "2026-10-31T19:00:00Z"], as: "bob", now: "2026-10-31T20:00:00Z")
        _ = try ok(["ticket", "close", "T-1001", "--resolution", "Done", "--no-time", "--reason", "bob's time"], now: "2026-10-31T20:30:00Z")
        _ = try ok(["invoice", "run", "--period", "2026-10"], as: "bill", now: "2026-11-02T12:00:00Z")
        _ = try ok(["invoice", "finalize", "kol-D1"], as: "bill", now: "2026-11-02T12:05:00Z")
        _ = try ok(["client", "update", "kol", "--time-zone", "UTC"], now: "2026-11-03T12:00:00Z")

        let october = ["--from", "2026-10-01", "--to", "2026-11-01"]
        try mode.run {
            let leakage = try json(["report", "leakage"] + october)
            #expect(leakage.first?["billableMinutes"] as? Int == 60, "\(leakage)")
            #expect(leakage.first?["billedMinutes"] as? Int == 60)
            #expect(leakage.first?["leakageBasisPoints"] as? Int == 0)
            let volume = try json(["report", "volume"] + october)
            #expect(volume.first?["opened"] as? Int == 1, "\(volume)")
            #expect(volume.first?["closed"] as? Int ?? 0 == 0)
            #expect(try json(["report", "closed-without-time"] + october).isEmpty)
            #expect(try json(["report", "profitability"] + october).first?["loggedMinutes"] as? Int == 60)

            // November starts where October ended, at 18:30Z on 31 October, and is UTC's from there.
            let november = ["--from", "2026-11-01", "--to", "2026-12-01"]
            #expect(try json(["report", "leakage"] + november).first?["billableMinutes"] as? Int == 60)
            #expect(try json(["report", "closed-without-time"] + november).map { $0["ticket"] as? String } == ["T-1001"])
            #expect(try json(["report", "volume"] + november).first?["closed"] as? Int == 1)
            // --time-zone still reads every date in one zone: UTC's October holds both entries.
            #expect(try json(["report", "leakage", "--time-zone", "UTC"] + october).first?["billableMinutes"] as? Int == 120)
        }
    }

    /// A tech's row is no client's: its dates are UTC, or --time-zone's, for the entries and the capacity alike.
    @Test func aTechsRowReadsDatesInUTCOrTheReportsZone() throws {
        try setUp()
        let utc = try json(["report", "utilization"] + november)
        #expect(utc.first?["loggedMinutes"] as? Int == 60, "\(utc)")
        #expect(utc.first?["capacityMinutes"] as? Int == 10_080)  // 21 weekdays × 8 h
        let newYork = try json(["report", "utilization"] + november + ["--time-zone", "America/New_York"])
        #expect(newYork.first?["loggedMinutes"] as? Int == 30, "\(newYork)")
        #expect(newYork.first?["capacityMinutes"] as? Int == 10_080)
    }

    /// Through a server (`POST /v1/cli`) the dates are read the same way: the store is built embedded, then read.
    @Test(arguments: DocketMode.allCases) func theWindowIsTheSameThroughAServer(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try json(["report", "leakage"] + november).first?["billableMinutes"] as? Int == 30)
            #expect(try json(["report", "leakage", "--time-zone", "UTC"] + november).first?["billableMinutes"] as? Int == 60)
            let offset = try json(["report", "profitability", "--from", "2026-11-01T00:00-05:00", "--to", "2026-12-01T00:00-05:00"])
            #expect(offset.first?["invoices"] as? Int == 1)
            #expect(try json(["report", "closed-without-time"] + november).count == 1)
        }
    }

    @Test func anUnknownZoneIsBadInputAndALocalTimeIsAWallClockTime() throws {
        try setUp()
        let unknown = try docket(["report", "leakage", "--time-zone", "Mars/Olympus"] + november)
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("--time-zone"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)
        // 21:30 New York time on 30 November is after the 30 minutes started at 21:00.
        let evening = try json(["report", "leakage", "--from", "2026-11-30 21:00", "--to", "2026-11-30 21:30"])
        #expect(evening.first?["billableMinutes"] as? Int == 30, "\(evening)")
    }
}
