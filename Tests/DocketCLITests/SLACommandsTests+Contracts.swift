import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// The SLA policy a ticket runs under, from `ticket show`'s SLA section.
    func policyOf(_ ticket: String, at now: String) throws -> String? {
        let show = try docket(["ticket", "show", ticket], at: now).stdout
        return show.split(separator: "\n").first { $0.hasPrefix("SLA: policy ") }?.split(separator: " ").dropFirst(2).first.map(String.init)
    }

    /// acme-2026 (gold, from 1 January) and acme-b (silver, from 1 March) are both in force in November: a new ticket
    /// gets silver, the most recently started; an amendment of acme-2026 from 1 June is not a new start.
    @Test func aNewTicketTakesThePolicyOfTheMostRecentlyStartedContract() throws {
        try setUp()
        let silver = file("silver.yaml", """
            calendar: 24x7
            targets:
              P1: {responseMinutes: 60, resolutionMinutes: 240}
              P2: {responseMinutes: 120, resolutionMinutes: 480}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            """)
        #expect(try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", silver, "--effective", "2026-01-01"], at: Self.setUpTime).status == 0)
        let added = try docket(
            ["contract", "add", "acme-b", "--client", "acme", "--name", "B", "--effective", "2026-03-01", "--sla-policy", "silver"], at: Self.setUpTime)
        #expect(added.status == 0, "\(added.stderr)")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Before", "--priority", "P3"], at: "2026-11-02T14:00:00Z", as: "bob")
        #expect(try policyOf("T-1001", at: "2026-11-02T14:00:00Z") == "silver")
        let amended = try docket(
            ["contract", "amend", "acme-2026", "--effective", "2026-06-01", "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":11000},"taxRate":"8.875"}"#],
            at: "2026-11-02T14:30:00Z")
        #expect(amended.status == 0, "\(amended.stderr)")
        try docket(["ticket", "open", "--client", "acme", "--subject", "After", "--priority", "P3"], at: "2026-11-02T15:00:00Z", as: "bob")
        #expect(try policyOf("T-1002", at: "2026-11-02T15:00:00Z") == "silver", "an amendment is not a new start")
    }
}
