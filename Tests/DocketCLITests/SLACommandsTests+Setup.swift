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

    /// `calendar show` prints a day's replacement hours (a short Christmas Eve read as a full day without them) and
    /// every version, as `sla-policy show` does.
    @Test func calendarShowPrintsReplacementHoursAndVersions() throws {
        try setUp()
        let christmas = file("christmas.yaml", """
            timeZone: America/New_York
            weeklyHours:
            \(SLAFiles.weekdayOfficeHours)
            holidays: ["2026-12-25"]
            replacementHours:
              "2026-12-24": [{open: "09:00", close: "12:00"}]
            """)
        let amended = try docket(["calendar", "amend", "ny-office", "--file", christmas, "--effective", "2026-12-01"], at: Self.setUpTime)
        #expect(amended.stdout.hasPrefix("amended calendar ny-office"), "\(amended.stdout) \(amended.stderr)")
        let show = try docket(["calendar", "show", "ny-office", "--at", "2026-12-10"], at: Self.setUpTime).stdout
        let line = try #require(show.split(separator: "\n").first { $0.contains("2026-12-24") }, "\(show)")
        #expect(line.contains("09:00") && line.contains("12:00") && line.contains("replaces the weekly hours"), "\(show)")
        #expect(show.contains("versions: amendment 0 from 2026-01-01") && show.contains("; amendment 1 from 2026-12-01"), "\(show)")
    }
}
