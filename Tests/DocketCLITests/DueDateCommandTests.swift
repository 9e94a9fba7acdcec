import Foundation
import TestSupport
import Testing

/// `docket ticket due`: a dispatcher sets or clears a ticket's due date; the queue and `ticket show` show it.
@Suite struct DueDateCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    @Test func aDispatcherSetsADueDateTheQueueShows() throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher"), ("bob", "tech")]) { try docket($0) }
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], as: "dora").status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob").stdout == "T-1001\n")

        let refused = try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "bob")
        #expect(refused.status == 5, "a tech may not: \(refused.stderr)")
        #expect(refused.stderr.contains("set due dates"))
        #expect(try docket(["ticket", "due", "T-1001"], as: "dora").status == 64, "a date or --clear is required")
        let typo = try docket(["ticket", "due", "T-1001", "0026-11-06T17:00:00Z"], as: "dora")
        #expect(typo.status == 65, "a year 26 is refused: \(typo.stderr)")
        #expect(typo.stderr.contains("due date 0026-11-06T17:00:00Z is out of range: due dates run from 2000-01-01"), "as typed: \(typo.stderr)")

        let set = try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "dora")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "T-1001: due 2026-11-06 17:00 UTC\n", "in the viewer's zone (this machine's: UTC)")
        #expect(try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "dora").stdout == "T-1001: nothing to change\n")

        let queue = try docket(["queue"], as: "dora").stdout
        #expect(queue.contains("DUE"))
        let row = try #require(queue.split(separator: "\n").first { $0.hasPrefix("T-1001") })
        #expect(row.contains("2026-11-06"), "\(queue)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["dueDate"] as? String == "2026-11-06T17:00:00.000Z", "RFC 3339, not epoch milliseconds")
        let show = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("\ndue 2026-11-06"), "\(show)")
        #expect(show.contains("  due 2026-11-06 17:00 UTC\n"), "the history names the change, in the viewer's zone: \(show)")

        #expect(try docket(["ticket", "due", "T-1001", "--clear"], as: "dora").stdout == "T-1001: due date cleared\n")
        let cleared = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(cleared.first?["dueDate"] == nil)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("due date cleared"))
    }

    /// dora (dispatcher), acme in New York, and its ticket T-1001: what the zone tests start from.
    func setUpNewYorkTicket() throws {
        try docket(["init"])
        #expect(try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"]).status == 0)
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "America/New_York", "--currency", "USD"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).stdout == "T-1001\n")
    }

    /// A due date given as a date is the end of that day where the dispatcher keeps time (their own zone, else the
    /// client's), with a note saying so: `ticket due T-1001 2026-12-10` was that day's midnight, so a ticket promised
    /// "by Thursday" was overdue the moment Thursday began.
    @Test(arguments: DocketMode.allCases) func aDueDateGivenAsADateIsTheEndOfThatDay(_ mode: DocketMode) throws {
        try setUpNewYorkTicket()
        try mode.run {
            let date = try docket(["ticket", "due", "T-1001", "2026-12-10"], as: "dora")
            #expect(date.status == 0, "\(date.stderr)")
            #expect(date.stdout == "T-1001: due 2026-12-11 04:59:59 UTC\n")
            #expect(
                date.stderr == "due date \"2026-12-10\" read as the end of that day, 2026-12-10 23:59:59 EST (client acme's time zone, "
                    + "America/New_York) = 2026-12-11T04:59:59.000Z\n")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "list", "--json"], as: "dora").stdout.utf8)) as? [[String: Any]])
            #expect(rows.first?["dueDate"] as? String == "2026-12-11T04:59:59.000Z")
            // In UTC too the note says how the date was read (a date's midnight there needed none).
            #expect(try docket(["user", "time-zone", "dora", "UTC"], as: "dora").status == 0)
            let utc = try docket(["ticket", "due", "T-1001", "2026-12-11"], as: "dora")
            #expect(utc.stdout == "T-1001: due 2026-12-11 23:59:59 UTC\n")
            #expect(utc.stderr.contains(#"due date "2026-12-11" read as the end of that day, 2026-12-11 23:59:59 UTC (user dora's time zone, UTC)"#))
        }
    }

    /// A due date typed without a zone is read where the dispatcher keeps time: their own zone, else the ticket's
    /// client's, as `time log --at` reads it. `ticket due T-1001 2026-11-06` was midnight UTC, which a New York
    /// dispatcher's queue showed as 19:00 on 5 November, and `"2026-11-06 17:00"` was refused as not a time (64).
    @Test(arguments: DocketMode.allCases) func aDueDateWithoutAZoneIsTheDispatchersOrTheClients(_ mode: DocketMode) throws {
        try setUpNewYorkTicket()
        try mode.run {
            let local = try docket(["ticket", "due", "T-1001", "2026-11-06 17:00"], as: "dora")
            // The answer is in the viewer's zone (dora has none: this machine's, UTC), as her queue shows it; it was RFC 3339 UTC.
            #expect(local.stdout == "T-1001: due 2026-11-06 22:00 UTC\n", "\(local.stderr)")
            #expect(
                local.stderr.contains(#"due date "2026-11-06 17:00" read as 2026-11-06 17:00 EST (client acme's time zone, America/New_York)"#),
                "\(local.stderr)")
            #expect(try docket(["ticket", "due", "T-1001", "2026-11-07"], as: "dora").stdout == "T-1001: due 2026-11-08 04:59:59 UTC\n")
            #expect(try docket(["user", "time-zone", "dora", "Europe/Berlin"], as: "dora").status == 0)
            #expect(try docket(["ticket", "due", "T-1001", "2026-11-06 17:00"], as: "dora").stdout == "T-1001: due 2026-11-06 17:00 CET\n")
            let events = try docket(["log", "--json", "--limit", "100000"]).stdout
            let bad = try docket(["ticket", "due", "T-1001", "next friday"], as: "dora")
            #expect(bad.status == 65, "\(bad.stderr)")
            #expect(bad.stderr.contains(#"due date "next friday" is not a time; write it like 2026-11-06 17:00 (in user dora's time zone, Europe/Berlin)"#), "\(bad.stderr)")
            #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == events, "nothing written")
            // The history gives the due date in the viewer's zone, as the header above it does; JSON keeps RFC 3339 UTC.
            // It wrote the history's due dates in UTC (`due 2026-11-06T16:00:00.000Z` under `due 2026-11-06 17:00 CET`).
            let show = try docket(["ticket", "show", "T-1001"], as: "dora").stdout
            #expect(show.contains("\ndue 2026-11-06 17:00 CET\n") && show.contains("  due 2026-11-06 17:00 CET\n"), "\(show)")
            #expect(show.contains("  due 2026-11-06 23:00 CET\n") && !show.contains(".000Z"), "\(show)")
            let json = try docket(["ticket", "show", "T-1001", "--json"], as: "dora").stdout
            #expect(json.contains(#""change" : "due 2026-11-06T16:00:00.000Z""#), "\(json)")
            // A typo's year is refused as typed, not as a New York or Berlin midnight of the year 26.
            let typo = try docket(["ticket", "due", "T-1001", "0026-11-06"], as: "dora")
            #expect(typo.status == 65)
            #expect(typo.stderr == "docket: error: due date 0026-11-06 is out of range: due dates run from 2000-01-01 to 2199-12-31 (UTC); check the year\n")
        }
    }
}
