import Foundation
import TestSupport
import Testing

/// The SLA engine end to end, with the clock fixed by $DOCKET_NOW. The office is Mon–Fri 09:00–17:00 in
/// New York (EST, UTC−5, in November 2026): 2026-11-06 is a Friday, 2026-11-09 a Monday.
@Suite struct SLACommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(
        _ arguments: [String], at now: String, as user: String = "ann", stdin: String = "", environment: [String: String] = [:]
    ) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user, "DOCKET_NOW": now].merging(environment) { $1 })
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

    func setUp() throws {
        let t = SLACommandsTests.setUpTime
        try docket(["init"], at: t)
        try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"], at: t)
        try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], at: t)
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"], at: t)
        let calendar = file("ny.yaml", SLAFiles.officeCalendar(timeZone: "America/New_York", holidays: ["2026-11-26"]))
        let defined = try docket(["calendar", "define", "ny-office", "--name", "New York office", "--file", calendar, "--effective", "2026-01-01"], at: t)
        #expect(defined.status == 0, "\(defined.stderr)")
        let policy = file("gold.yaml", """
            calendar: ny-office
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 240}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            warnAtPercent: [75, 90]
            escalations:
              - {id: p2-untouched, priorities: [P1, P2], untouchedMinutes: 120, action: {kind: assign, login: dora}}
            """)
        let policyRun = try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-01-01"], at: t)
        #expect(policyRun.status == 0, "\(policyRun.stderr)")
        #expect(try docket(["contract", "add", "acme-2026", "--client", "acme", "--name", "Managed", "--effective", "2026-01-01", "--sla-policy", "gold"], at: t).status == 0)
    }

    func slaOf(_ ticket: String, at now: String) throws -> [String: Any] {
        let shown = try #require(try json(try docket(["ticket", "show", ticket, "--json"], at: now)) as? [String: Any])
        return try #require(shown["sla"] as? [String: Any])
    }

    @Test func aTicketOpenedFridayAfternoonIsDueMondayMorning() throws {
        try setUp()
        let open = try docket(["ticket", "open", "--client", "acme", "--subject", "File server slow", "--priority", "P2"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(open.stdout == "T-1001\n", "\(open.stderr)")
        let sla = try slaOf("T-1001", at: "2026-11-06T21:30:00Z")
        let response = try #require(sla["response"] as? [String: Any])
        let resolution = try #require(sla["resolution"] as? [String: Any])
        #expect(response["dueAt"] as? String == "2026-11-06T22:00:00.000Z", "Friday 17:00 EST")
        #expect(resolution["dueAt"] as? String == "2026-11-09T17:00:00.000Z", "1 h on Friday, 3 h on Monday: 12:00 EST")
        #expect(response["state"] as? String == "on-track")
        #expect(try slaOf("T-1001", at: "2026-11-06T21:50:00Z")["response"].flatMap { ($0 as? [String: Any])?["state"] as? String } == "at-risk")
        let list = try #require(try json(try docket(["sla", "--at-risk", "--json"], at: "2026-11-06T21:50:00Z")) as? [[String: Any]])
        #expect(list.map { $0["ticket"] as? String } == ["T-1001"])
        #expect(try docket(["sla", "--breached", "--json"], at: "2026-11-06T21:50:00Z").stdout.contains("T-1001") == false)
    }

    /// A warning whose assignee was deactivated went to nobody (only an unassigned ticket's went to the dispatchers).
    @Test func aWarningForADeactivatedAssigneeGoesToTheDispatchers() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "File server slow", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["user", "deactivate", "bob"], at: "2026-11-06T21:01:00Z").status == 0)
        #expect(try docket(["tick"], at: "2026-11-06T21:46:00Z", as: "dora").stdout.contains("SLA warning: response reached 75%"))
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T21:47:00Z")) as? [[String: Any]])
        let warnings = outbox.filter { $0["reason"] as? String == "sla-warning" }
        #expect(warnings.compactMap { $0["to"] as? [String] } == [["dora@msp.example"]], "\(outbox)")
    }

    /// The SLA mails went to every active dispatcher, so the service accounts operators make for intake and cron's
    /// `tick` (docs/operations.md) got every breach: `intake@msp.example` even mailed it back into intake. Service
    /// accounts (`user add --kind service`, `user kind LOGIN service`) now get none; people still do.
    @Test func serviceAccountsGetNoSLAMail() throws {
        try setUp()
        let t = Self.setUpTime
        let added = try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher", "--kind", "service"], at: t)
        #expect(added.stdout == "added user intake (dispatcher, service account)\n", "\(added.stderr)")
        try docket(["user", "add", "scheduler", "--name", "Scheduler", "--email", "scheduler@msp.example", "--role", "dispatcher"], at: t)
        #expect(try docket(["user", "kind", "scheduler", "service"], at: t).stdout == "user scheduler is a service account: no staff mail\n")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "scheduler").stdout.contains("SLA breached: response due"))
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:02:00Z")) as? [[String: Any]])
        let staff = outbox.filter { ($0["reason"] as? String ?? "").hasPrefix("sla-") }.compactMap { $0["to"] as? [String] }
        #expect(Set(staff.joined()) == ["bob@msp.example", "dora@msp.example"], "\(outbox)")
    }

    /// The SLA notices said when in RFC 3339 UTC (`breached at 2026-11-06T22:00:00.000Z`), which the on-call tech had to
    /// convert: each recipient now reads it on their own clock (`docket user time-zone`), else in UTC, as `ticket show` does.
    @Test func slaMailSaysWhenOnEachRecipientsOwnClock() throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"], at: Self.setUpTime).status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:02:00Z")) as? [[String: Any]])
        func breachMail(to address: String) throws -> String {
            let entry = try #require(outbox.first { $0["reason"] as? String == "sla-breach" && $0["to"] as? [String] == [address] }, "\(outbox)")
            let id = try #require(entry["messageId"] as? String)
            let shown = try #require(try json(try docket(["outbox", "show", "--json", id], at: "2026-11-06T22:02:00Z")) as? [String: Any])
            return try #require(shown["body"] as? String).replacingOccurrences(of: "=\r\n", with: "")
        }
        #expect(try breachMail(to: "bob@msp.example").contains("the response target was breached at 2026-11-06 17:00 America/New_York (UTC-05:00)."))
        #expect(try breachMail(to: "dora@msp.example").contains("the response target was breached at 2026-11-06 22:00 UTC."))
    }

    @Test func tickRecordsEachThresholdOnceAtTheInstantItWasReached() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "File server slow", "--priority", "P2"], at: "2026-11-06T21:00:00Z", as: "bob")
        // Tick runs late: Monday 10:00 EST. Everything due since Friday is recorded at its own instant; the warnings the
        // breach overtook are history, not news: recorded, not sent.
        let tick = try docket(["tick"], at: "2026-11-09T15:00:00Z", as: "dora")
        #expect(tick.status == 0, "\(tick.stderr)")
        let lines = tick.stdout.split(separator: "\n").map(String.init)
        let overtaken = "(not sent: the response clock was breached at 2026-11-06 22:00 UTC, before the tick that recorded this warning ran)"
        #expect(lines == [
            "T-1001: SLA warning: response reached 75% at 2026-11-06 21:45 UTC \(overtaken)",
            "T-1001: SLA warning: response reached 90% at 2026-11-06 21:54 UTC \(overtaken)",
            "T-1001: SLA breached: response due 2026-11-06 22:00 UTC",
            "T-1001: escalated by rule p2-untouched at 2026-11-09 15:00 UTC: assign dora",
        ], "\(tick.stdout)")
        #expect(try docket(["tick"], at: "2026-11-09T15:00:00Z", as: "dora").stdout.isEmpty, "a second run records nothing")
        // Staff are told by email: nobody was assigned, so the breach goes to the dispatchers, and only the breach.
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-09T15:01:00Z")) as? [[String: Any]])
        let reasons = outbox.filter { ($0["to"] as? [String]) == ["dora@msp.example"] }.compactMap { $0["reason"] as? String }
        #expect(reasons.sorted() == ["sla-breach"], "\(outbox)")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T15:01:00Z")
        #expect(show.stdout.contains("assignee dora"), "the escalation assigned it")
        #expect(show.stdout.contains("SLA breached: response due 2026-11-06 22:00 UTC"))
        #expect(show.stdout.contains("SLA warning: response reached 75% at 2026-11-06 21:45 UTC (not sent: the response clock was breached"), "\(show.stdout)")
        // The breach's instant in the viewer's zone too, as the rest of the line (it was RFC 3339 UTC inside the text).
        let inNewYork = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T15:01:00Z", stdin: "", environment: ["TZ": "America/New_York"])
        #expect(
            inNewYork.stdout.contains(
                "SLA warning: response reached 90% at 2026-11-06 16:54 EST (not sent: the response clock was breached at 2026-11-06 17:00 EST, "
                    + "before the tick that recorded this warning ran)"),
            "\(inNewYork.stdout)")
        #expect(show.stdout.contains("response: breached"))
        let breached = try #require(try json(try docket(["sla", "--breached", "--json"], at: "2026-11-09T15:01:00Z")) as? [[String: Any]])
        #expect(breached.map { $0["ticket"] as? String } == ["T-1001"])
    }

    /// `docket tick` printed what it recorded in RFC 3339 UTC (`SLA breached: response due 2026-11-06T22:00:00.000Z`),
    /// skipped reasons included, while `ticket show` gives the same events in the viewer's zone. It prints them in the
    /// viewer's zone too (here dora's own), with the zone named, so a cron log reads as the office's clock; embedded and
    /// through `docket serve`.
    @Test(arguments: DocketMode.allCases) func tickSaysWhenInTheViewersZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "dora", "America/New_York"], at: Self.setUpTime).status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "File server slow", "--priority", "P2"], at: "2026-11-06T21:00:00Z", as: "bob")
        let now = "2026-11-09T15:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            let tick = try docket(["tick"], at: now, as: "dora")
            #expect(tick.status == 0, "\(tick.stderr)")
            let overtaken = "(not sent: the response clock was breached at 2026-11-06 17:00 EST, before the tick that recorded this warning ran)"
            #expect(tick.stdout.split(separator: "\n").map(String.init) == [
                "T-1001: SLA warning: response reached 75% at 2026-11-06 16:45 EST \(overtaken)",
                "T-1001: SLA warning: response reached 90% at 2026-11-06 16:54 EST \(overtaken)",
                "T-1001: SLA breached: response due 2026-11-06 17:00 EST",
                "T-1001: escalated by rule p2-untouched at 2026-11-09 10:00 EST: assign dora",
            ], "\(tick.stdout)")
        }
    }

    @Test func waitingOnTheClientPausesTheClockAndShiftsTheDueTime() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "comment", "T-1001", "Which printer?"], at: "2026-11-09T14:30:00Z", as: "bob")
        // Monday 09:00 EST opened; resolution 240 min → due 13:00 EST (18:00Z). Paused 10:00–15:00 EST Monday.
        try docket(["ticket", "status", "T-1001", "waiting-on-client"], at: "2026-11-09T15:00:00Z", as: "bob")
        let paused = try slaOf("T-1001", at: "2026-11-09T18:00:00Z")
        #expect((paused["resolution"] as? [String: Any])?["state"] as? String == "paused")
        #expect((paused["resolution"] as? [String: Any])?["dueAt"] == nil || (paused["resolution"] as? [String: Any])?["dueAt"] is NSNull)
        try docket(["ticket", "status", "T-1001", "in-progress"], at: "2026-11-09T20:00:00Z", as: "bob")
        let resumed = try slaOf("T-1001", at: "2026-11-09T20:00:00Z")
        // 60 min used before the pause; 180 left from 15:00 EST Monday: 2 h Monday, 1 h Tuesday → 10:00 EST.
        #expect((resumed["resolution"] as? [String: Any])?["dueAt"] as? String == "2026-11-10T15:00:00.000Z")
        #expect((resumed["response"] as? [String: Any])?["state"] as? String == "met")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T20:00:00Z").stdout
        #expect(show.contains("paused (waiting on client)"), "\(show)")
    }

    @Test func aPolicyAmendmentNeverRestampsOpenTickets() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Old", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        let longer = file("gold2.yaml", """
            calendar: ny-office
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 480}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            """)
        #expect(try docket(["sla-policy", "amend", "gold", "--file", longer, "--effective", "2026-11-09T15:00:00Z"], at: "2026-11-09T15:00:00Z").status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "New", "--priority", "P2"], at: "2026-11-09T16:00:00Z", as: "bob")
        let old = try slaOf("T-1001", at: "2026-11-09T16:00:00Z")
        let new = try slaOf("T-1002", at: "2026-11-09T16:00:00Z")
        #expect((old["resolution"] as? [String: Any])?["targetMinutes"] as? Int == 240)
        #expect((new["resolution"] as? [String: Any])?["targetMinutes"] as? Int == 480)
        // The queue orders P2 tickets by due time: the old ticket is due first.
        let queue = try #require(try json(try docket(["queue", "--json"], at: "2026-11-09T16:00:00Z")) as? [[String: Any]])
        #expect(queue.map { $0["number"] as? String } == ["T-1001", "T-1002"])
        let rebuilt = try docket(["rebuild"], at: "2026-11-09T16:00:00Z")
        #expect(rebuilt.stdout.contains("rebuilt sla"))
        let canonical = { (value: [String: Any]) in try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) }
        #expect(try canonical(try slaOf("T-1001", at: "2026-11-09T16:00:00Z")) == canonical(old), "a rebuild gives the same clock")
    }

    @Test func aClientWithoutAnSLAContractGetsNoClockAndBadPolicyFilesAreRefused() throws {
        try setUp()
        try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "EUR"], at: SLACommandsTests.setUpTime)
        try docket(["ticket", "open", "--client", "globex", "--subject", "x"], at: "2026-11-09T14:00:00Z", as: "bob")
        let shown = try #require(try json(try docket(["ticket", "show", "T-1001", "--json"], at: "2026-11-09T14:00:00Z")) as? [String: Any])
        #expect(shown["sla"] == nil || shown["sla"] is NSNull)
        let bad = file("bad.yaml", "calendar: ny-office\ntargets:\n  P1: {responseMinutes: 30, resolutionMinutes: 120}\n")
        let refused = try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", bad], at: SLACommandsTests.setUpTime)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("--file"))
        let badCalendar = file("badcal.yaml", "timeZone: Mars/Olympus\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        let calendarRefused = try docket(["calendar", "define", "mars", "--name", "Mars", "--file", badCalendar], at: SLACommandsTests.setUpTime)
        #expect(calendarRefused.status == 65)
        #expect(calendarRefused.stderr.contains("Mars/Olympus"))
        let tech = try docket(["sla-policy", "define", "x", "--name", "X", "--file", file("ok.yaml", "calendar: 24x7\ntargets:\n  P1: {responseMinutes: 1, resolutionMinutes: 2}\n  P2: {responseMinutes: 1, resolutionMinutes: 2}\n  P3: {responseMinutes: 1, resolutionMinutes: 2}\n  P4: {responseMinutes: 1, resolutionMinutes: 2}\n")], at: SLACommandsTests.setUpTime, as: "bob")
        #expect(tech.status == 5)
    }
}

extension SLACommandsTests {
    @Test func theSLAReportCountsMetBreachedAndMedians() throws {
        try setUp()
        // T-1001: P2 opened Monday 09:00 EST, replied after 30 min, closed after 2 h: met.
        // T-1002: P1 opened Monday 09:00 EST, replied after 50 min (> 30): response breached.
        // (Commands run in time order: the log's recorded-at never goes backwards.)
        try docket(["ticket", "open", "--client", "acme", "--subject", "a", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "open", "--client", "acme", "--subject", "b", "--priority", "P1"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "comment", "T-1001", "on it"], at: "2026-11-09T14:30:00Z", as: "bob")
        try docket(["ticket", "comment", "T-1002", "late"], at: "2026-11-09T14:50:00Z", as: "bob")
        try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], at: "2026-11-09T16:00:00Z", as: "bob")
        // T-1003: P2 opened Tuesday, still open and in time.
        try docket(["ticket", "open", "--client", "acme", "--subject", "c", "--priority", "P2"], at: "2026-11-10T14:00:00Z", as: "bob")
        let report = try docket(["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"], at: "2026-11-10T14:10:00Z")
        #expect(report.status == 0, "\(report.stderr)")
        let lines = try #require(try json(report) as? [[String: Any]])
        #expect(lines.count == 1)
        #expect(lines[0]["group"] as? String == "acme")
        #expect(lines[0]["tickets"] as? Int == 3)
        #expect(lines[0]["met"] as? Int == 1)
        #expect(lines[0]["breached"] as? Int == 1)
        #expect(lines[0]["open"] as? Int == 1)
        #expect(lines[0]["hitRatePerMille"] as? Int == 500)
        #expect(lines[0]["medianResponseMinutes"] as? Int == 30, "30 and 50 → lower middle 30")
        #expect(lines[0]["medianResolutionMinutes"] as? Int == 120)
        let byPriority = try docket(["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01", "--by", "priority", "--format", "csv"], at: "2026-11-10T14:10:00Z").stdout
        #expect(byPriority.hasPrefix("PRIORITY,TICKETS,MET,BREACHED,OPEN,HIT RATE"))
        #expect(byPriority.contains("\nP1,1,0,1,0,0.0%,50,,0\n"), "\(byPriority)")
        #expect(byPriority.contains("\nP2,2,1,0,1,100.0%,30,120,0\n"), "\(byPriority)")
        #expect(try docket(["report", "sla", "--from", "2026-12-01", "--to", "2026-11-01"], at: "2026-11-10T14:10:00Z").status == 64)
    }
}
