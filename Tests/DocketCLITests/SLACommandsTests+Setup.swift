import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// An amendment equal to the version in force records nothing, and says so (it printed "amended …").
    @Test func anAmendmentThatChangesNothingSaysSo() throws {
        try setUp()
        let calendar = try docket(["calendar", "amend", "ny-office", "--file", folder.child("ny.yaml"), "--effective", "2026-06-01"], at: Self.setUpTime)
        #expect(calendar.status == 0, "\(calendar.stderr)")
        #expect(calendar.stdout == "calendar ny-office: nothing to change\n")
        let policy = try docket(["sla-policy", "amend", "gold", "--file", folder.child("gold.yaml"), "--effective", "2026-06-01"], at: Self.setUpTime)
        #expect(policy.status == 0, "\(policy.stderr)")
        #expect(policy.stdout == "SLA policy gold: nothing to change\n")
        let shown = try docket(["calendar", "show", "ny-office"], at: Self.setUpTime).stdout
        #expect(!shown.contains("amendment 1"), "\(shown)")
    }
}
