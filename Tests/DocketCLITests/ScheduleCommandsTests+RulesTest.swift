import Foundation
import TestSupport
import Testing

extension ScheduleCommandsTests {
    /// The store of `setUp()`, with dora (a tech), the rules of ``scheduleRules`` and two monthly schedules of acme's:
    /// acme-patching (nothing of its own) and acme-servers (P1, category servers, assigned to bob). Returns the instant
    /// it was all set up at.
    func setUpRulesAndSchedules() throws -> String {
        try setUp()
        let start = "2026-12-05T09:00:00Z"
        #expect(try docket(start, ["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "tech"]).status == 0)
        let path = folder.child("rules.yaml")
        try Data(Self.scheduleRules.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try docket(start, ["rules", "set", path]).status == 0)
        for arguments in [
            ["acme-patching", "--subject", "Patch review"],
            ["acme-servers", "--subject", "Patch the servers", "--priority", "P1", "--category", "servers", "--assign", "bob"],
        ] {
            let added = try docket(start, ["schedule", "add"] + arguments + ["--client", "acme", "--every", "month", "--day", "1", "--at", "08:00"])
            #expect(added.status == 0, "\(added.stderr)")
        }
        return start
    }

    /// `rules test` tried an email or alerts on stdin only, while a schedule's tickets go through the rules too
    /// (docs/routing.md, rule 6). `rules test --schedule ID [--at TIME]` routes the ticket `docket tick` would open
    /// next (or on the first occurrence at or after TIME) as the tick routes it: the rule that fires and why, its
    /// actions with what the schedule set itself kept, and the fields the ticket would open with. It writes nothing;
    /// an unknown schedule is not found (4), `--at` without `--schedule` bad usage (64). Embedded and served.
    @Test(arguments: DocketMode.allCases) func rulesTestRoutesAScheduleTicket(_ mode: DocketMode) throws {
        let start = try setUpRulesAndSchedules()
        let now = "2026-12-06T09:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now, "TZ": "UTC"]) {
            #expect(try docket(now, ["schedule", "list"]).status == 0, "the admin's token, made before counting")
            let size = try docket(now, ["log", "--json"]).stdout.utf8.count

            let bare = try docket(now, ["rules", "test", "--schedule", "acme-patching"])
            #expect(bare.status == 0, "\(bare.stderr)")
            #expect(
                bare.stdout == """
                    Patch review (client acme, source schedule: acme-patching's ticket of 2027-01-01 13:00 UTC)
                      rule patching would fire
                        because source schedule is one of [schedule]
                        because subject contains "patch"
                      actions: priority P2, queue patching (as category), assign dora
                      it would open with priority P2, category patching, assignee dora

                    """, "\(bare.stdout)")

            let kept = try docket(now, ["rules", "test", "--schedule", "acme-servers", "--at", "2027-02-01"])
            #expect(kept.status == 0, "\(kept.stderr)")
            #expect(kept.stdout.hasPrefix("Patch the servers (client acme, source schedule: acme-servers's ticket of 2027-02-01 13:00 UTC)\n"), "\(kept.stdout)")
            #expect(
                kept.stdout.hasSuffix(
                    "  actions: no actions; kept as opened: priority P1 (the rule's P2), category servers (the rule's patching), assign bob "
                        + "(the rule's dora)\n  it would open with priority P1, category servers, assignee bob\n"), "\(kept.stdout)")
            #expect(
                kept.stderr.contains("--at \"2027-02-01\" read as 2027-02-01 00:00 EST (schedule acme-servers's time zone, America/New_York)"),
                "\(kept.stderr)")

            let json = try docket(now, ["rules", "test", "--schedule", "acme-patching", "--at", "2027-01-02T00:00:00Z", "--json"])
            let view = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
            #expect(view["schedule"] as? String == "acme-patching" && view["rule"] as? String == "patching", "\(view)")
            #expect(view["occurrence"] as? String == "2027-02-01T13:00:00.000Z", "the first occurrence at or after --at: \(view)")
            let opens = try #require(view["opens"] as? [String: Any], "\(view)")
            #expect(opens["priority"] as? String == "P2" && opens["category"] as? String == "patching" && opens["assignee"] as? String == "dora")

            let unknown = try docket(now, ["rules", "test", "--schedule", "ghost"])
            #expect(unknown.status == 4 && unknown.stderr == "docket: error: no schedule ghost; list schedules with `docket schedule list`\n", "\(unknown.stderr)")
            let lone = try docket(now, ["rules", "test", "--at", "2027-01-01"])
            #expect(lone.status == 64 && lone.stderr.contains("--at picks a schedule's occurrence; give it with --schedule ID"), "\(lone.stderr)")
            #expect(try docket(now, ["log", "--json"]).stdout.utf8.count == size, "nothing written")
        }
    }

    /// `rules test --schedule` showed the ticket as the rules shape it even where `docket tick` would not open it: with
    /// the schedule's assignee (bob) deactivated it said `it would open with … assignee bob`, while every tick warned
    /// `schedule acme-servers could not open its ticket …` and opened nothing; with the rule's assignee (dora)
    /// deactivated it named her, while the tick opens the ticket unassigned and notes why; for an occurrence whose ticket
    /// the tick opened already it routed it afresh, by the rules in force now, without saying so. It decides the opening
    /// as the tick does now (nothing written) and says what the tick would do. Embedded and served.
    @Test(arguments: DocketMode.allCases) func rulesTestSaysWhatTheTickWouldDo(_ mode: DocketMode) throws {
        let start = try setUpRulesAndSchedules()
        for user in ["bob", "dora"] { #expect(try docket(start, ["user", "deactivate", user]).status == 0) }
        let tick = try docket("2027-01-01T14:00:00Z", ["tick"])
        #expect(tick.stdout == "T-1001: opened by schedule acme-patching for 2027-01-01\n", "\(tick.stdout)")
        let refusal = "user bob is deactivated; assign someone else, or ask an admin to reactivate them (`docket user reactivate bob`)"
        #expect(tick.stderr.contains("schedule acme-servers could not open its ticket for 2027-01-01: \(refusal)\n"), "\(tick.stderr)")
        let now = "2027-01-02T09:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now, "TZ": "UTC"]) {
            #expect(try docket(now, ["schedule", "list"]).status == 0, "the admin's token, made before counting")
            let size = try docket(now, ["log", "--json"]).stdout.utf8.count

            let servers = try docket(now, ["rules", "test", "--schedule", "acme-servers"])
            #expect(servers.status == 0, "\(servers.stderr)")
            #expect(
                servers.stdout.hasSuffix(
                    "  docket tick would not open it: \(refusal); it warns so on every tick, and opens it once that is fixed\n"),
                "\(servers.stdout)")
            #expect(!servers.stdout.contains("it would open with"), "\(servers.stdout)")
            let json = try docket(now, ["rules", "test", "--schedule", "acme-servers", "--json"])
            let view = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
            #expect((view["refused"] as? String)?.hasPrefix("docket tick would not open it: user bob is deactivated") == true, "\(view)")

            let patching = try docket(now, ["rules", "test", "--schedule", "acme-patching"])
            #expect(
                patching.stdout.hasSuffix(
                    "  it would open with priority P2, category patching, assignee none\n  noted on the ticket: Routing rule patching could "
                        + "not assign to dora: user dora is deactivated; assign someone else, or ask an admin to reactivate them "
                        + "(`docket user reactivate dora`)\n"), "\(patching.stdout)")

            let past = try docket(now, ["rules", "test", "--schedule", "acme-patching", "--at", "2027-01-01T13:00:00Z"])
            #expect(
                past.stdout.hasSuffix(
                    "  docket tick opened T-1001 for this occurrence already (its history says how it was routed then), and opens no other\n"
                        + "  note: these are the rules in force now: rules have no effective date, so the tick of that occurrence routed by "
                        + "those in force then (`docket rules show --as-of TIME`)\n"), "\(past.stdout)")
            #expect(try docket(now, ["log", "--json"]).stdout.utf8.count == size, "nothing written")
        }
    }
}
