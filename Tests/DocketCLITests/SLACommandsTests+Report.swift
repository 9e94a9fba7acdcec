import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// A P4 opened Monday 09:00 EST, raised to P3 on Tuesday at 16:55, answered and closed at 17:00: each clock ran
    /// 955 business minutes before the change and 5 after. The medians are the 960, not the 5 against the P3 target.
    @Test func theReportsMediansCountTheBusinessTimeBeforeAPriorityChange() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Slow laptop", "--priority", "P4"], at: "2026-11-09T14:00:00Z", as: "bob")
        #expect(try docket(["ticket", "priority", "T-1001", "P3"], at: "2026-11-10T21:55:00Z", as: "bob").status == 0)
        try docket(["ticket", "comment", "T-1001", "Replaced the disk"], at: "2026-11-10T22:00:00Z", as: "bob")
        let closed = try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], at: "2026-11-10T22:00:00Z", as: "bob")
        #expect(closed.status == 0, "\(closed.stderr)")
        let report = try docket(["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"], at: "2026-11-10T22:01:00Z")
        let lines = try #require(try json(report) as? [[String: Any]])
        #expect(lines.first?["medianResponseMinutes"] as? Int == 960, "\(report.stdout)")
        #expect(lines.first?["medianResolutionMinutes"] as? Int == 960, "\(report.stdout)")
    }

    /// The window's dates and `--by month` are the client's: a ticket opened at 22:00 on 31 October in New York (02:00Z
    /// on 1 November) is October's, one opened at 21:00 on 30 November (02:00Z on 1 December) November's. They were
    /// UTC's: November and December.
    @Test func theReportsMonthsAndDatesAreTheClients() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Halloween", "--priority", "P4"], at: "2026-11-01T02:00:00Z", as: "bob")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Month end", "--priority", "P4"], at: "2026-12-01T02:00:00Z", as: "bob")
        let byMonth = { (extra: [String]) throws -> [String: Int] in
            let run = try docket(
                ["report", "sla", "--from", "2026-10-01", "--to", "2027-01-01", "--by", "month", "--format", "json"] + extra, at: "2026-12-01T03:00:00Z")
            #expect(run.status == 0, "\(run.stderr)")
            let lines = try #require(try json(run) as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: lines.map { ($0["group"] as? String ?? "", $0["tickets"] as? Int ?? 0) })
        }
        #expect(try byMonth([]) == ["2026-10": 1, "2026-11": 1])
        #expect(try byMonth(["--time-zone", "UTC"]) == ["2026-11": 1, "2026-12": 1])
        let november = try docket(["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"], at: "2026-12-01T03:00:00Z")
        let lines = try #require(try json(november) as? [[String: Any]])
        #expect(lines.map { $0["tickets"] as? Int } == [1], "\(november.stdout)")
    }
}
