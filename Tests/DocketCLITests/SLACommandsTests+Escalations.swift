import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// The probe's case: P2 opened Monday 09:00 EST, `p2-untouched` (120 untouched minutes) due at 11:00 EST. Bob
    /// is assigned at 11:10 and replies at 11:11; tick runs at 11:15. The escalation is history (recorded at 11:00),
    /// but reassigning to dora would undo what happened since.
    @Test func aLateTickRecordsAMootEscalationWithoutCarryingItOut() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        #expect(try docket(["ticket", "assign", "T-1001", "--to", "bob"], at: "2026-11-09T16:10:00Z", as: "dora").status == 0)
        #expect(try docket(["ticket", "comment", "T-1001", "Looking at it"], at: "2026-11-09T16:11:00Z", as: "bob").status == 0)
        let tick = try docket(["tick"], at: "2026-11-09T16:15:00Z", as: "dora")
        #expect(tick.status == 0, "\(tick.stderr)")
        #expect(
            tick.stdout.contains(
                "T-1001: escalated by rule p2-untouched at 2026-11-09 16:00 UTC: assign dora (not carried out: the response "
                    + "clock was met (first public reply) at 2026-11-09 16:11 UTC, after the rule was due)\n"),
            "\(tick.stdout)")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T16:16:00Z", environment: ["TZ": "America/New_York"]).stdout
        #expect(show.contains("assignee bob"), "\(show)")
        // What made it moot, when, in the viewer's zone (it was RFC 3339 UTC inside the text).
        #expect(
            show.contains(
                "escalated by rule p2-untouched at 2026-11-09 11:00 EST: assign dora (not carried out: the response clock was met "
                    + "(first public reply) at 2026-11-09 11:11 EST, after the rule was due)"),
            "\(show)")
        #expect(!show.contains("reassigned from bob to dora"), "\(show)")
        #expect(try docket(["tick"], at: "2026-11-09T16:16:00Z", as: "dora").stdout.isEmpty, "recorded once")
    }

    /// Escalations act as the user running tick: a role that may not work tickets is refused before anything is
    /// recorded (it recorded them and dropped every action).
    @Test func tickIsRefusedForARoleThatCannotCarryOutEscalations() throws {
        try setUp()
        try docket(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"], at: Self.setUpTime)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        let refused = try docket(["tick"], at: "2026-11-09T16:15:00Z", as: "bill")
        #expect(refused.status == 5, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("role billing cannot run tick"), "\(refused.stderr)")
        #expect(refused.stderr.contains("tech, dispatcher or admin"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let tick = try docket(["tick"], at: "2026-11-09T16:15:00Z", as: "dora")
        #expect(tick.stdout.contains("escalated by rule p2-untouched at 2026-11-09 16:00 UTC: assign dora\n"), "nothing was recorded before: \(tick.stdout)")
        #expect(try docket(["ticket", "show", "T-1001"], at: "2026-11-09T16:16:00Z").stdout.contains("assignee dora"))
    }
}
