import Foundation
import TestSupport
import Testing

extension ScheduleCommandsTests {
    /// Rules for the tickets of schedules: patch work to dora on P2 in the patching queue, the rest on P4.
    static let scheduleRules = """
        rules:
          - id: patching
            match: {source: [schedule], subjectContains: [patch]}
            actions: {priority: P2, queue: patching, assign: dora}
          - id: other-schedules
            match: {source: [schedule]}
            actions: {priority: P4}
        """

    /// The ticket `number` as `ticket show --json` gives it.
    func shownTicket(_ number: String, at now: String) throws -> [String: Any] {
        let show = try docket(now, ["ticket", "show", number, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show.stderr)")
        return try #require(object["ticket"] as? [String: Any])
    }

    /// A schedule's ticket goes through the routing rules as mail does: the rule fills what the schedule left unset
    /// (priority, category by `queue`, assignee), what the schedule set wins, and the internal note names the rule and
    /// what the schedule kept. A rules change after the tick changes nothing of what was routed, and the log rebuilds
    /// to the same read models. Embedded and through `docket serve` (the tick is the served command).
    @Test(arguments: DocketMode.allCases) func tickRoutesAScheduleTicketAndWhatTheScheduleSetWins(_ mode: DocketMode) throws {
        try setUp()
        let start = "2026-12-05T09:00:00Z"
        #expect(try docket(start, ["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "tech"]).status == 0)
        let path = folder.child("rules.yaml")
        try Data(Self.scheduleRules.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try docket(start, ["rules", "set", path]).status == 0)
        // Nothing set: the rule's priority, queue and assignee.
        let bare = try docket(start, [
            "schedule", "add", "acme-patching", "--client", "acme", "--subject", "Patch review", "--every", "month", "--day", "1", "--at", "08:00",
        ])
        #expect(bare.status == 0, "\(bare.stderr)")
        // Priority, category and assignee set: each wins over the rule's.
        let set = try docket(start, [
            "schedule", "add", "acme-servers", "--client", "acme", "--subject", "Patch the servers", "--every", "month", "--day", "1",
            "--at", "08:00", "--priority", "P1", "--category", "servers", "--assign", "bob",
        ])
        #expect(set.status == 0, "\(set.stderr)")
        // Only the priority set: the next rule matches, and gives way.
        let backups = try docket(start, [
            "schedule", "add", "acme-backups", "--client", "acme", "--subject", "Check backups", "--every", "month", "--day", "1",
            "--at", "08:00", "--priority", "P3",
        ])
        #expect(backups.status == 0, "\(backups.stderr)")
        let due = "2027-01-01T13:00:00Z"
        let tick = try mode.run(serverEnvironment: ["DOCKET_NOW": due]) { try docket(due, ["tick"]) }
        #expect(tick.status == 0, "\(tick.stderr)")
        let opened = Dictionary(
            uniqueKeysWithValues: tick.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                let words = line.split(separator: " ")
                guard words.count > 4 else { return nil }
                return (String(words[4]), String(words[0].dropLast()))
            })
        let patching = try #require(opened["acme-patching"], "\(tick.stdout)")
        let servers = try #require(opened["acme-servers"], "\(tick.stdout)")
        let checks = try #require(opened["acme-backups"], "\(tick.stdout)")

        let routed = try shownTicket(patching, at: due)
        #expect(routed["priority"] as? String == "P2" && routed["category"] as? String == "patching", "\(routed)")
        #expect(routed["assignee"] as? String == "dora", "\(routed)")
        let kept = try shownTicket(servers, at: due)
        #expect(kept["priority"] as? String == "P1" && kept["category"] as? String == "servers", "\(kept)")
        #expect(kept["assignee"] as? String == "bob", "\(kept)")
        #expect(try shownTicket(checks, at: due)["priority"] as? String == "P3")

        let log = try docket(due, ["log", "--json", "--limit", "100000"]).stdout
        #expect(log.contains("Routed by rule patching: source schedule is one of [schedule]; subject contains"), "\(log)")
        #expect(log.contains("Actions: priority P2, queue patching (as category), assign dora."), "\(log)")
        #expect(log.contains("Actions: no actions; kept as opened: priority P1 (the rule's P2), category servers (the rule's patching), assign bob (the rule's dora)."), "\(log)")
        #expect(log.contains("Routed by rule other-schedules: source schedule is one of [schedule]. Actions: no actions; kept as opened: priority P3 (the rule's P4)."), "\(log)")
        #expect(log.contains("\"routingRule\":\"patching\""), "the rule's assignment is marked as the rule's")

        // Rules changed after the tick: what was routed stays, and a rebuild from the log gives the same read models.
        try Data(Self.scheduleRules.replacingOccurrences(of: "priority: P2", with: "priority: P4").utf8).write(to: URL(fileURLWithPath: path))
        let later = "2027-01-01T14:00:00Z"
        #expect(try docket(later, ["rules", "set", path]).status == 0)
        #expect(try docket(later, ["tick"]).stdout.isEmpty)
        #expect(try shownTicket(patching, at: later)["priority"] as? String == "P2")
        let verify = try docket(later, ["verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }
}
