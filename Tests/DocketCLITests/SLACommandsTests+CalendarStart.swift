import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// A policy whose calendar starts after it would refuse every ticket opened in between (and intake would open
    /// them without an SLA): refused at define and amend, naming the calendar's first version date.
    @Test func aPolicyCannotUseACalendarThatStartsAfterIt() throws {
        try setUp()
        let hours = file("late.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        #expect(try docket(["calendar", "define", "late", "--name", "Late", "--file", hours, "--effective", "2026-02-01T00:00:00Z"], at: Self.setUpTime).status == 0)
        let policyText = "calendar: late\n\(Self.targetsYAML)\n"
        let defined = try definePolicy("latecomer", policyText)
        #expect(defined.status == 65, "\(defined.stdout) \(defined.stderr)")
        // In the calendar's zone, where the policy's dates are read; the fix as it can be typed.
        #expect(
            defined.stderr == "docket: error: calendar late starts at 2026-01-31 19:00 EST (its first version), after SLA policy latecomer's "
                + "--effective 2026-01-01 00:00 EST: tickets opened in between could get no SLA; give --effective 2026-02-01T00:00:00.000Z "
                + "or later, or name a calendar that starts by then\n", "\(defined.stderr)")
        #expect(try docket(["sla-policy", "show", "latecomer"], at: Self.setUpTime).status == 4, "nothing written")
        let amended = try docket(["sla-policy", "amend", "gold", "--file", file("gold-late.yaml", policyText), "--effective", "2026-01-15T00:00:00Z"], at: Self.setUpTime)
        #expect(amended.status == 65, "\(amended.stderr)")
        #expect(amended.stderr.contains("calendar late starts at 2026-01-31 19:00 EST (its first version), after SLA policy gold's --effective 2026-01-14 19:00 EST"), "\(amended.stderr)")
        let fromFebruary = try docket(["sla-policy", "amend", "gold", "--file", folder.child("gold-late.yaml"), "--effective", "2026-02-01T00:00:00Z"], at: Self.setUpTime)
        #expect(fromFebruary.status == 0, "\(fromFebruary.stderr)")
    }

    /// Calendars' and policies' effective dates are billing dates (2000 through 2199), refused by their deciders; the CLI
    /// names the date as typed, as for contracts (it named the instant the decider was given, `0026-01-01T00:00:00.000Z`).
    @Test func aCalendarOrPolicyDatedOutsideTheBillingDatesIsRefused() throws {
        try setUp()
        let hours = file("old.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        let calendar = try docket(["calendar", "define", "old", "--name", "Old", "--file", hours, "--effective", "0026-01-01"], at: Self.setUpTime)
        #expect(calendar.status == 65, "\(calendar.stderr)")
        #expect(calendar.stderr == "docket: error: --effective 0026-01-01 is out of range: billing dates run from 2000-01-01 to 2199-12-31 (UTC); check the year\n", "\(calendar.stderr)")
        let policy = try docket(["sla-policy", "amend", "gold", "--file", file("gold-2226.yaml", "calendar: 24x7\n\(Self.targetsYAML)\n"), "--effective", "2226-01-01"], at: Self.setUpTime)
        #expect(policy.status == 65, "\(policy.stderr)")
        #expect(policy.stderr.contains("--effective 2226-01-01 is out of range"), "\(policy.stderr)")
        #expect(try docket(["calendar", "show", "old"], at: Self.setUpTime).status == 4, "nothing written")
    }

    /// Intake opens a client's ticket without an SLA when its policy starts later, and warns; the warning named the
    /// policy's start and the ticket's in RFC 3339 UTC (`starts at 2027-01-01T05:00:00.000Z, after this ticket's start
    /// at …Z`). They are in the client's zone now, where its SLA is read, as a ticket opened by hand is refused in the
    /// viewer's.
    @Test(arguments: DocketMode.allCases) func intakesWarningOfATicketWithoutAnSLANamesTimesInTheClientsZone(_ mode: DocketMode) throws {
        try setUp()
        let t = Self.setUpTime
        let late = try docket(
            ["sla-policy", "define", "late", "--name", "Late", "--file", file("late.yaml", "calendar: 24x7\n\(Self.targetsYAML)\n"),
             "--effective", "2027-01-01T05:00:00Z"], at: t)
        #expect(late.status == 0, "\(late.stderr)")
        #expect(try docket(["contract", "add", "acme-late", "--client", "acme", "--name", "Later", "--effective", "2026-06-01", "--sla-policy", "late"], at: t).status == 0)
        let mail = "From: Carla <carla@acme.example>\r\nTo: support@msp.example\r\nSubject: Printer jammed\r\n"
            + "Message-ID: <jam-1@acme.example>\r\nDate: Mon, 09 Nov 2026 15:00:00 +0000\r\n\r\nIt is jammed again.\r\n"
        try mode.run {
            let run = try docket(["intake", "email"], at: "2026-11-09T15:00:00Z", as: "dora", stdin: mail)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stderr.hasPrefix(
                    "docket: warning: opened the email ticket for acme without an SLA: SLA policy late starts at 2027-01-01 00:00 EST, "
                        + "after this ticket's start at 2026-"), "\(run.stderr)")
            #expect(!run.stderr.contains(".000Z"), "\(run.stderr)")
        }
    }
}
