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
                "T-1001: escalated by rule p2-untouched at 2026-11-09T16:00:00.000Z: assign dora (not carried out: the response "
                    + "clock was met at 2026-11-09T16:11:00.000Z (first public reply), after the rule was due)\n"),
            "\(tick.stdout)")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-09T16:16:00Z").stdout
        #expect(show.contains("assignee bob"), "\(show)")
        #expect(!show.contains("reassigned from bob to dora"), "\(show)")
        #expect(try docket(["tick"], at: "2026-11-09T16:16:00Z", as: "dora").stdout.isEmpty, "recorded once")
    }
}
