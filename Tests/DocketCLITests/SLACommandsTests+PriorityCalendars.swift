import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// gold's targets on office hours, with P1 worked round the clock.
    static let splitPolicy = """
        calendar: ny-office
        calendars: {P1: 24x7}
        targets:
          P1: {responseMinutes: 60, resolutionMinutes: 240}
          P2: {responseMinutes: 120, resolutionMinutes: 480}
          P3: {responseMinutes: 240, resolutionMinutes: 960}
          P4: {responseMinutes: 480, resolutionMinutes: 2400}
        """

    /// "P1 around the clock, the rest in office hours": a P1 opened Friday 18:00 EST is due that evening, a P4 opened
    /// with it on Monday; `sla` and `ticket show` say so, embedded and through `docket serve`, where the tickets are
    /// opened by the server on its own clock at that past time (the harness makes its admin token at that time too:
    /// made at the machine's time, it put the log's last event there, and the log's time never goes back).
    @Test(arguments: DocketMode.allCases) func aP1IsCountedRoundTheClockAndAP4InOfficeHours(_ mode: DocketMode) throws {
        try setUp()
        let amended = try docket(
            ["sla-policy", "amend", "gold", "--file", file("split.yaml", Self.splitPolicy), "--effective", "2026-01-01"], at: Self.setUpTime)
        #expect(amended.status == 0, "\(amended.stderr)")
        let now = "2026-11-06T23:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            let p1 = try docket(["ticket", "open", "--client", "acme", "--subject", "Server down", "--priority", "P1"], at: now, as: "bob")
            #expect(p1.stdout == "T-1001\n", "\(p1.stderr)")
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Password reset", "--priority", "P4"], at: now, as: "bob").stdout == "T-1002\n")
            func due(_ sla: [String: Any], _ clock: String) -> String? { (sla[clock] as? [String: Any])?["dueAt"] as? String }
            let urgent = try slaOf("T-1001", at: now)
            #expect(due(urgent, "response") == "2026-11-07T00:00:00.000Z", "Friday 19:00 EST")
            #expect(due(urgent, "resolution") == "2026-11-07T03:00:00.000Z", "Friday 22:00 EST, not Monday 13:00")
            let low = try slaOf("T-1002", at: now)
            #expect(due(low, "response") == "2026-11-09T22:00:00.000Z", "Monday 17:00 EST")
            #expect(due(low, "resolution") == "2026-11-13T22:00:00.000Z")
            let rows = try #require(try json(try docket(["sla", "--json"], at: now)) as? [[String: Any]])
            #expect(rows.map { $0["ticket"] as? String } == ["T-1001", "T-1002"])
            #expect((rows.first?["sla"] as? [String: Any])?["dueAt"] as? String == "2026-11-07T00:00:00.000Z")
            let shown = try docket(["ticket", "show", "T-1001"], at: now).stdout
            #expect(shown.contains("opened 2026-11-06 23:00 UTC"), "\(shown)")
            #expect(
                shown.contains("SLA: policy gold (amendment 1), calendar ny-office (amendment 0) (P1 on calendar 24x7 (amendment 0)), P1\n"),
                "\(shown)")
            #expect(shown.contains("SLA started: policy gold (amendment 1) on calendar ny-office (amendment 0) (P1 on calendar 24x7"), "\(shown)")
        }
    }

    /// `sla-policy show` gives each priority's calendar, in its table and in `--json`; a priority's calendar is checked
    /// as the policy's is, with nothing written when it is refused.
    @Test func aPolicyShowsAndChecksItsPrioritiesCalendars() throws {
        try setUp()
        #expect(try docket(["sla-policy", "amend", "gold", "--file", file("split.yaml", Self.splitPolicy), "--effective", "2026-01-01"], at: Self.setUpTime).status == 0)
        let shown = try docket(["sla-policy", "show", "gold"], at: Self.setUpTime).stdout
        let lines = shown.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("PRIORITY") && $0.hasSuffix("CALENDAR") }, "\(shown)")
        #expect(lines.contains { $0.hasPrefix("P1 ") && $0.hasSuffix(" 24x7") } && lines.contains { $0.hasPrefix("P4 ") && $0.hasSuffix(" ny-office") }, "\(shown)")
        let view = try #require(try json(try docket(["sla-policy", "show", "gold", "--json"], at: Self.setUpTime)) as? [String: Any])
        #expect(((view["terms"] as? [String: Any])?["calendars"] as? [String: String]) == ["P1": "24x7"])

        let late = file("late.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        #expect(try docket(["calendar", "define", "late", "--name", "Late", "--file", late, "--effective", "2026-02-01T00:00:00Z"], at: Self.setUpTime).status == 0)
        let before = try docket(["log", "--json"], at: Self.setUpTime).stdout
        for (calendars, message) in [
            ("{P1: late}", "calendar late starts at 2026-01-31 19:00 EST (its first version), after SLA policy gold's --effective"),
            ("{P5: 24x7}", "\"P5\" is not a priority; use P1 to P4"),
            ("{P1: \"Night Desk\"}", "calendar \"Night Desk\" (of P1) is not a calendar id"),
        ] {
            let text = Self.splitPolicy.replacingOccurrences(of: "{P1: 24x7}", with: calendars)
            let run = try docket(["sla-policy", "amend", "gold", "--file", file("bad.yaml", text), "--effective", "2026-01-15"], at: Self.setUpTime)
            #expect(run.status == 65, "\(calendars): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
        #expect(try docket(["log", "--json"], at: Self.setUpTime).stdout == before, "nothing written")
    }
}

extension SLACommandsTests {
    /// `sla-policy list` named the policy's calendar only, so a policy with P1 on 24x7 read as office hours throughout.
    /// Its CALENDAR column names each priority's own after it, and `--json` carries them as `calendars` (absent when
    /// none has its own). Embedded and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func listNamesThePrioritiesOwnCalendars(_ mode: DocketMode) throws {
        try setUp()
        let t = Self.setUpTime
        try mode.run(serverEnvironment: ["DOCKET_NOW": t]) {
            func rows() throws -> [[String: Any]] { try #require(try json(try docket(["sla-policy", "list", "--json"], at: t)) as? [[String: Any]]) }
            let plain = try rows()
            #expect(plain.first?["calendar"] as? String == "ny-office" && plain.first?.keys.contains("calendars") == false, "\(plain)")
            let amended = try docket(["sla-policy", "amend", "gold", "--file", file("split.yaml", Self.splitPolicy), "--effective", "2026-01-01"], at: t)
            #expect(amended.status == 0, "\(amended.stderr)")
            let split = try rows()
            #expect(split.first?["calendar"] as? String == "ny-office", "\(split)")
            #expect(split.first?["calendars"] as? [String: String] == ["P1": "24x7"], "\(split)")
            let table = try docket(["sla-policy", "list"], at: t).stdout.split(separator: "\n").map(String.init)
            #expect(table.first?.hasPrefix("ID") == true && table.first?.hasSuffix("CALENDAR") == true, "\(table)")
            #expect(table.contains { $0.hasPrefix("gold ") && $0.hasSuffix(" ny-office (P1: 24x7)") }, "\(table)")
            // An amendment taking effect later (all on 24x7 from 2027) is not what the list shows now: the terms in force.
            let later = try docket(
                ["sla-policy", "amend", "gold", "--file", file("later.yaml", Self.splitPolicy.replacingOccurrences(of: "calendar: ny-office", with: "calendar: 24x7")),
                 "--effective", "2027-01-01T00:00:00Z"], at: t)
            #expect(later.status == 0, "\(later.stderr)")
            #expect(try rows().first?["calendar"] as? String == "ny-office", "still ny-office until 2027")
        }
    }
}

extension SLACommandsTests {
    /// A priority given the policy's own calendar (`calendar: ny-office`, `calendars: {P2: ny-office}`) was dropped
    /// without a word. The definition is still taken (exit 0), with one warning line naming the priorities. Embedded
    /// and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func aPriorityGivenThePolicysCalendarIsDroppedWithAWarning(_ mode: DocketMode) throws {
        try setUp()
        let t = Self.setUpTime
        try mode.run(serverEnvironment: ["DOCKET_NOW": t]) {
            let both = file("both.yaml", Self.splitPolicy.replacingOccurrences(of: "{P1: 24x7}", with: "{P1: 24x7, P2: ny-office, P4: ny-office}"))
            let amended = try docket(["sla-policy", "amend", "gold", "--file", both, "--effective", "2026-01-01T05:00:00Z"], at: t)
            #expect(amended.status == 0, "\(amended.stderr)")
            #expect(
                amended.stderr == "docket: warning: --file \(both): calendars gives P2, P4 ny-office, the policy's own calendar, which they "
                    + "count on anyway: the entries are dropped; leave them out of calendars\n", "\(amended.stderr)")
            let view = try #require(try json(try docket(["sla-policy", "show", "gold", "--json"], at: t)) as? [String: Any])
            #expect(((view["terms"] as? [String: Any])?["calendars"] as? [String: String]) == ["P1": "24x7"], "\(view)")
            let one = file("one.yaml", Self.splitPolicy.replacingOccurrences(of: "{P1: 24x7}", with: "{P3: ny-office}"))
            let defined = try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", one, "--effective", "2026-01-01T05:00:00Z"], at: t)
            #expect(defined.status == 0 && defined.stdout.hasPrefix("defined SLA policy silver"), "\(defined.stderr)")
            #expect(
                defined.stderr == "docket: warning: --file \(one): calendars gives P3 ny-office, the policy's own calendar, which P3 counts "
                    + "on anyway: the entry is dropped; leave P3 out of calendars\n", "\(defined.stderr)")
            let plain = try docket(["sla-policy", "amend", "silver", "--file", file("plain.yaml", Self.splitPolicy), "--effective", "2026-02-01T05:00:00Z"], at: t)
            #expect(plain.status == 0 && plain.stderr.isEmpty, "no warning for a priority with a calendar of its own: \(plain.stderr)")
        }
    }
}
