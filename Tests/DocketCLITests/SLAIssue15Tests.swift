import Foundation
import TestSupport
import Testing

/// Issue 15, points 8 and 12–16, end to end: zoneless times, breaches kept after a priority change, one instant
/// for the event and the SLA clock, errors that point the right way, and times for people. The office is
/// Mon–Fri 09:00–17:00 New York (EST in November 2026); 2026-11-09 is a Monday.
@Suite struct SLAIssue15Tests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], at now: String, as user: String = "ann", zone: String = "UTC") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now, "TZ": zone])
    }

    func file(_ name: String, _ text: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func json(_ run: DocketRun) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    static let setUpTime = "2026-10-01T12:00:00Z"
    static let policy = """
        calendar: ny-office
        targets:
          P1: {responseMinutes: 30, resolutionMinutes: 120}
          P2: {responseMinutes: 60, resolutionMinutes: 240}
          P3: {responseMinutes: 240, resolutionMinutes: 960}
          P4: {responseMinutes: 480, resolutionMinutes: 2400}
        """

    func setUp() throws {
        let t = SLAIssue15Tests.setUpTime
        try docket(["init"], at: t)
        try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"], at: t)
        try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], at: t)
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"], at: t)
        let calendar = file("ny.yaml", SLAFiles.officeCalendar(timeZone: "America/New_York"))
        #expect(try docket(["calendar", "define", "ny-office", "--name", "NY", "--file", calendar, "--effective", "2026-01-01"], at: t).status == 0)
        let policy = file("gold.yaml", SLAIssue15Tests.policy)
        #expect(try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-01-01"], at: t).status == 0)
        #expect(try docket(["contract", "add", "acme-2026", "--client", "acme", "--name", "Managed", "--effective", "2026-01-01", "--sla-policy", "gold"], at: t).status == 0)
    }

    func sla(_ ticket: String, at now: String) throws -> [String: Any] {
        let shown = try #require(try json(try docket(["ticket", "show", ticket, "--json"], at: now)) as? [String: Any])
        return try #require(shown["sla"] as? [String: Any])
    }

    // MARK: - Point 8: a time without a zone is read in the client's time zone

    @Test func aZonelessTimeIsReadInTheClientsTimeZoneAndSaidSo() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "After hours", "--priority", "P3"], at: "2026-11-04T23:00:00Z", as: "bob")
        let logged = try docket(["time", "log", "T-1001", "30m", "--at", "2026-11-04 18:20"], at: "2026-11-05T00:00:00Z", as: "bob")
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout == "TE-1\n")
        #expect(logged.stderr.contains("--at \"2026-11-04 18:20\" read as 2026-11-04 18:20 EST"), "\(logged.stderr)")
        #expect(logged.stderr.contains("America/New_York"))
        let explicit = try docket(["time", "log", "T-1001", "30m", "--at", "2026-11-04T18:20:00Z"], at: "2026-11-05T00:00:00Z", as: "bob")
        #expect(explicit.stderr.isEmpty, "an explicit offset needs no note: \(explicit.stderr)")
        let corrected = try docket(["time", "correct", "TE-2", "--at", "2026-11-04 19:00", "--reason", "later"], at: "2026-11-05T00:30:00Z", as: "bob")
        #expect(corrected.status == 0, "\(corrected.stderr)")
        let rows = try #require(try json(try docket(["time", "list", "--json"], at: "2026-11-05T00:00:00Z")) as? [[String: Any]])
        #expect(rows.map { $0["startedAt"] as? String } == ["2026-11-04T23:20:00.000Z", "2026-11-05T00:00:00.000Z"])
        let help = try docket(["ticket", "close", "--help"], at: "2026-11-05T00:00:00Z").stdout
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("recorded as ending at the close"), "\(help)")
        let close = try docket(["ticket", "close", "T-1001", "--resolution", "done", "--time", "45m"], at: "2026-11-05T01:00:00Z", as: "dora")
        #expect(close.status == 0, "\(close.stderr)")
        let all = try #require(try json(try docket(["time", "list", "--json", "--tech", "dora"], at: "2026-11-05T01:00:00Z")) as? [[String: Any]])
        #expect(all.map { $0["startedAt"] as? String } == ["2026-11-05T00:15:00.000Z"], "45 minutes ending at the close")
        // A tech who set their own zone types times in it.
        #expect(try docket(["user", "time-zone", "bob", "Europe/Berlin"], at: "2026-11-05T01:00:00Z", as: "bob").status == 0)
        let berlin = try docket(["time", "log", "T-1001", "15m", "--at", "2026-11-04 18:20"], at: "2026-11-05T01:10:00Z", as: "bob")
        #expect(berlin.stderr.contains("read as 2026-11-04 18:20") && berlin.stderr.contains("user bob's time zone, Europe/Berlin"), "\(berlin.stderr)")
        let bobs = try #require(try json(try docket(["time", "list", "--json", "--tech", "bob"], at: "2026-11-05T01:10:00Z")) as? [[String: Any]])
        #expect(bobs.last?["startedAt"] as? String == "2026-11-04T17:20:00.000Z")
    }

    // MARK: - Point 12: a breach stays a breach after the priority is lowered

    @Test func aBreachSurvivesLoweringThePriorityInEveryViewAndReport() throws {
        try setUp()
        // P1 opened Monday 09:00 EST: response 30 min, breached at 09:30; tick records it at 10:00.
        try docket(["ticket", "open", "--client", "acme", "--subject", "Server down", "--priority", "P1"], at: "2026-11-09T14:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-09T15:00:00Z", as: "dora").stdout.contains("SLA breached: response"))
        try docket(["ticket", "priority", "T-1001", "P4"], at: "2026-11-09T15:10:00Z", as: "dora")
        try docket(["ticket", "comment", "T-1001", "on it"], at: "2026-11-09T15:20:00Z", as: "bob")
        let closed = try docket(["ticket", "close", "T-1001", "--resolution", "rebooted", "--no-time", "--reason", "test"], at: "2026-11-09T15:30:00Z", as: "bob")
        #expect(closed.status == 0, "\(closed.stderr)")
        let response = try #require(try sla("T-1001", at: "2026-11-09T16:00:00Z")["response"] as? [String: Any])
        #expect(response["state"] as? String == "breached")
        #expect(response["targetState"] as? String == "met", "the P4 target from 10:10 was met: reported separately")
        #expect(response["earlierBreachAt"] as? String == "2026-11-09T14:30:00.000Z")
        let report = try #require(try json(try docket(["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"], at: "2026-11-09T16:00:00Z")) as? [[String: Any]])
        #expect(report.first?["breached"] as? Int == 1)
        #expect(report.first?["met"] as? Int == 0)
        #expect(report.first?["hitRatePerMille"] as? Int == 0)
        #expect(report.first?["breachedBeforePriorityChange"] as? Int == 1)
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T16:00:00Z").stdout
        #expect(show.contains("response: breached (an earlier target was breached at 2026-11-09 14:30 UTC"), "\(show)")
    }

    // MARK: - Point 13: raising the urgency never moves a deadline later

    @Test func raisingThePriorityKeepsTheEarlierDeadline() throws {
        try setUp()
        // P4 (resolution 40 h) opened Monday 9 November 09:00 EST, due Friday 17:00; raised to P1 (2 h) on
        // Friday at 15:30 with 1 h 30 left.
        try docket(["ticket", "open", "--client", "acme", "--subject", "Slow", "--priority", "P4"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "comment", "T-1001", "looking"], at: "2026-11-09T15:00:00Z", as: "bob")
        #expect(try docket(["ticket", "priority", "T-1001", "P1"], at: "2026-11-13T20:30:00Z", as: "dora").status == 0)
        let resolution = try #require(try sla("T-1001", at: "2026-11-13T20:30:00Z")["resolution"] as? [String: Any])
        #expect(resolution["dueAt"] as? String == "2026-11-13T22:00:00.000Z", "Friday 17:00 EST, not Monday 09:30")
    }

    // MARK: - Point 14: one instant for the event and the SLA clock

    @Test func aClockBehindTheLogsHeadStartsTheSLAAtTheEventsInstant() throws {
        try setUp()
        // Someone ran a command with the clock at Monday 15:00 EST; the next command's clock says 09:00.
        try docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"], at: "2026-11-09T20:00:00Z")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Late clock", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "comment", "T-1001", "on it"], at: "2026-11-09T14:10:00Z", as: "bob")
        let shown = try #require(try json(try docket(["ticket", "show", "T-1001", "--json"], at: "2026-11-09T14:20:00Z")) as? [String: Any])
        let history = try #require(shown["history"] as? [[String: Any]])
        let opened = try #require(history.first?["recordedAt"] as? String)
        #expect(opened == "2026-11-09T20:00:00.000Z", "the log never goes backwards")
        let sla = try #require(shown["sla"] as? [String: Any])
        let response = try #require(sla["response"] as? [String: Any])
        let intervals = try #require(response["intervals"] as? [[String: Any]])
        #expect(intervals.first?["start"] as? String == opened, "the SLA starts when the log says the ticket opened")
        #expect(response["usedMinutes"] as? Int == 0, "replied in the same instant: no business time used")
        #expect(response["state"] as? String == "met")
    }

    // MARK: - Point 15: errors that point the right way

    @Test func errorsNameTheRightFlagKeyAndFile() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "x"], at: "2026-11-09T14:00:00Z", as: "bob")
        let status = try docket(["ticket", "status", "T-1001", "closed"], at: "2026-11-09T14:10:00Z", as: "bob")
        #expect(status.status != 0)
        #expect(status.stderr.contains("--resolution") && !status.stderr.contains("--note"), "\(status.stderr)")

        let misspelt = file("hours.yaml", "timeZone: America/New_York\nhours:\n\(SLAFiles.weekdayOfficeHours)\n")
        let refused = try docket(["calendar", "define", "x-office", "--name", "X", "--file", misspelt], at: SLAIssue15Tests.setUpTime)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("--file \(misspelt): unknown key 'hours'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("weeklyHours"))

        let missing = file("missing.yaml", "timeZone: America/New_York\n")
        let missingRun = try docket(["calendar", "define", "y-office", "--name", "Y", "--file", missing], at: SLAIssue15Tests.setUpTime)
        #expect(missingRun.stderr.contains("--file \(missing): the field 'weeklyHours' is missing"), "\(missingRun.stderr)")

        let nested = file("nested.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\", lunch: \"12:00\"}]\n")
        let nestedRun = try docket(["calendar", "define", "z-office", "--name", "Z", "--file", nested], at: SLAIssue15Tests.setUpTime)
        #expect(nestedRun.stderr.contains("unknown key 'lunch' in weeklyHours.mon.0"), "\(nestedRun.stderr)")

        let policy = file("policy.yaml", SLAIssue15Tests.policy + "\nwarnAt: [50]\n")
        let policyRun = try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", policy], at: SLAIssue15Tests.setUpTime)
        #expect(policyRun.status == 65)
        #expect(policyRun.stderr.contains("--file \(policy): unknown key 'warnAt'"), "\(policyRun.stderr)")
        #expect(try docket(["log", "--json"], at: SLAIssue15Tests.setUpTime).stdout.contains("silver") == false, "nothing written")
    }

    // MARK: - Point 16: times for people in the viewer's time zone

    @Test func peopleSeeTimesInTheirZoneAndJSONStaysUTC() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        let ny = "America/New_York"
        let sla = try docket(["sla"], at: "2026-11-09T14:10:00Z", zone: ny).stdout
        #expect(sla.contains("2026-11-09 10:00 EST"), "response due 10:00 EST: \(sla)")
        let queue = try docket(["queue"], at: "2026-11-09T14:10:00Z", zone: ny).stdout
        #expect(queue.contains("2026-11-09 10:00 EST") && queue.contains("2026-11-09 09:00 EST"), "due and opened: \(queue)")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T14:10:00Z", zone: ny).stdout
        #expect(show.contains("due 2026-11-09 10:00 EST"), "\(show)")
        #expect(show.contains("2026-11-09 09:00 EST"), "history in EST: \(show)")
        #expect(!show.contains("2026-11-09T14:00"), "no UTC RFC 3339 for people: \(show)")
        let berlin = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T14:10:00Z", zone: "Europe/Berlin").stdout
        #expect(berlin.contains("due 2026-11-09 16:00 CET"), "\(berlin)")
        #expect(try docket(["ticket", "show", "T-1001"], at: "2026-11-09T14:10:00Z").stdout.contains("due 2026-11-09 15:00 UTC"))
        // The tech's own zone comes before the machine's.
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"], at: "2026-11-09T14:10:00Z", as: "bob").status == 0)
        #expect(try docket(["user", "time-zone", "dora", "America/New_York"], at: "2026-11-09T14:10:00Z", as: "bob").status == 5, "only yourself, or an admin")
        let bobs = try docket(["sla"], at: "2026-11-09T14:10:00Z", as: "bob", zone: "Europe/Berlin").stdout
        #expect(bobs.contains("2026-11-09 10:00 EST"), "\(bobs)")
        let rows = try #require(try json(try docket(["sla", "--json"], at: "2026-11-09T14:10:00Z", zone: ny)) as? [[String: Any]])
        let view = try #require(rows.first?["sla"] as? [String: Any])
        #expect(view["dueAt"] as? String == "2026-11-09T15:00:00.000Z", "--json keeps RFC 3339 UTC")
    }
}
