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
        let silver = file("silver.yaml", SLAFiles.roundTheClockPolicy)
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

    /// With acme-2026 (gold, 100.00 an hour, from 1 January) and acme-b (silver, 200.00 an hour, from 1 March) both in
    /// force, a November ticket ran under acme-b's SLA, but its time was billed under acme-2026 once acme-2026 was
    /// amended from 1 June (a tax rate): billing took the version with the latest `effectiveFrom`, the SLA the contract
    /// started last. Both follow the contract started last now: silver, and 200.00 an hour without acme-2026's tax.
    @Test func aTicketsTimeIsBilledUnderTheContractItsSLAComesFrom() throws {
        try setUp()
        let t = Self.setUpTime
        let silver = file("silver.yaml", SLAFiles.roundTheClockPolicy)
        #expect(try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", silver, "--effective", "2026-01-01"], at: t).status == 0)
        let hourly = { (rate: Int) in #"{"model":"hourly","currency":"USD","rates":{"*":"# + "\(rate)}}" }
        let priced = try docket(["contract", "amend", "acme-2026", "--effective", "2026-01-01", "--terms", hourly(10000)], at: t)
        #expect(priced.status == 0, "\(priced.stderr)")
        let added = try docket(
            ["contract", "add", "acme-b", "--client", "acme", "--name", "B", "--effective", "2026-03-01", "--sla-policy", "silver", "--terms", hourly(20000)], at: t)
        #expect(added.status == 0, "\(added.stderr)")
        let taxed = try docket(["contract", "amend", "acme-2026", "--effective", "2026-06-01", "--terms", #"{"taxRate":"8.875"}"#], at: t)
        #expect(taxed.status == 0, "\(taxed.stderr)")
        try docket(["ticket", "open", "--client", "acme", "--subject", "VPN down", "--priority", "P3"], at: "2026-11-02T14:00:00Z", as: "bob")
        #expect(try policyOf("T-1001", at: "2026-11-02T14:00:00Z") == "silver")
        let logged = try docket(["time", "log", "T-1001", "60m", "--at", "2026-11-02 10:00"], at: "2026-11-02T16:00:00Z", as: "bob")
        #expect(logged.status == 0, "\(logged.stderr)")
        let run = try docket(["invoice", "run", "--period", "2026-11"], at: "2026-12-02T12:00:00Z")
        #expect(run.stdout == "acme-D1: drafted for acme, 1 line, total 200.00 USD\n", "\(run.stderr)")
        let audit = try docket(["invoice", "show", "acme-D1", "--json"], at: "2026-12-02T12:00:00Z").stdout
        #expect(audit.contains("acme-b") && !audit.contains("acme-2026"), "\(audit)")
    }
}
