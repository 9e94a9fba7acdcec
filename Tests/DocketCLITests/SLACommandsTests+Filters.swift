import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    func listed(_ flags: [String], at now: String) throws -> [String] {
        let rows = try #require(try json(try docket(["sla", "--json"] + flags, at: now)) as? [[String: Any]])
        return rows.compactMap { $0["ticket"] as? String }
    }

    /// T-1001 (P2 from Monday 09:00 EST): by 12:10 its response is breached and its resolution at risk. T-1002 (P2
    /// from 11:20): its response is at risk. `--at-risk` lists a ticket with either clock at risk, `--breached` with
    /// either clock breached, and both flags together list either kind (they listed nothing).
    @Test func theAtRiskAndBreachedFiltersLookAtBothClocksAndCombine() throws {
        try setUp()
        try docket(["ticket", "open", "--client", "acme", "--subject", "Slow", "--priority", "P2"], at: "2026-11-09T14:00:00Z", as: "bob")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--priority", "P2"], at: "2026-11-09T16:20:00Z", as: "bob")
        let now = "2026-11-09T17:10:00Z"
        #expect(try listed(["--at-risk"], at: now).sorted() == ["T-1001", "T-1002"], "T-1001's resolution is at risk")
        #expect(try listed(["--breached"], at: now) == ["T-1001"])
        #expect(try listed(["--at-risk", "--breached"], at: now).sorted() == ["T-1001", "T-1002"])
    }
}
