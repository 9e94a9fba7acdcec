import Foundation
import TestSupport
import Testing

/// `docket followup` and `docket tick` reminding the client of a ticket waiting on them, then closing it.
@Suite struct FollowUpCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ now: String, _ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now, "TZ": "UTC"])
    }

    func setUp() throws {
        let start = "2026-11-02T14:00:00Z"
        for arguments in [
            ["init", "--test-clock"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"],
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"],
            ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"],
            ["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Printer offline"],
            ["ticket", "status", "T-1001", "waiting-on-client"],
            ["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "New laptop"],
        ] {
            let run = try docket(start, arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
    }

    /// The reasons of the mail queued on `ticket`, in order.
    func mailReasons(_ ticket: String, at now: String) throws -> [String] {
        let log = try docket(now, ["log", "--stream", "ticket-\(ticket)", "--json", "--limit", "1000"]).stdout
        return log.split(separator: "\n").compactMap { line in
            guard line.contains("ticket.mail-queued"), let range = line.range(of: #"\"reason\":\"[a-z-]+\""#, options: .regularExpression) else { return nil }
            return String(line[range].dropFirst(10).dropLast())
        }
    }

    /// A dispatcher sets the policy; `tick` reminds the client of the waiting ticket once, two days on, with the
    /// mail-follow-up mail, and closes it five days on, with the resolution mail and no time; the ticket that is not
    /// waiting is left alone. The served tick does the same.
    @Test(arguments: DocketMode.allCases) func tickRemindsOnceThenClosesAWaitingTicket(_ mode: DocketMode) throws {
        try setUp()
        let set = try mode.run(serverEnvironment: ["DOCKET_NOW": "2026-11-02T14:00:00Z"]) {
            try docket("2026-11-02T14:00:00Z", ["followup", "set", "--remind-after", "2d", "--close-after", "5d"], as: "dora")
        }
        #expect(set.status == 0 && set.stdout == "follow-up policy: remind the client after 2 days, close after 5 days of waiting\n", "\(set.stdout)\(set.stderr)")
        func tick(_ now: String) throws -> DocketRun {
            try mode.run(serverEnvironment: ["DOCKET_NOW": now]) { try docket(now, ["tick"], as: "dora") }
        }
        let shown = try mode.run(serverEnvironment: ["DOCKET_NOW": "2026-11-03T14:00:00Z"]) {
            try docket("2026-11-03T14:00:00Z", ["followup", "show", "--json"], as: "bob")
        }
        #expect(shown.stdout.contains("\"remindAfterMinutes\" : 2880") && shown.stdout.contains("\"since\" : \"2026-11-02T14:00:00.000Z\""), "\(shown.stdout)")
        #expect(try tick("2026-11-04T13:59:00Z").stdout.isEmpty, "a minute short of two days")
        let reminded = try tick("2026-11-04T14:00:00Z")
        #expect(reminded.stdout == "T-1001: reminded the client (waiting since 2026-11-02 14:00 UTC; follow-up policy)\n", "\(reminded.stdout)\(reminded.stderr)")
        #expect(try tick("2026-11-05T14:00:00Z").stdout.isEmpty, "reminded once")
        #expect(try mailReasons("T-1001", at: "2026-11-05T14:00:00Z") == ["acknowledgement", "follow-up"])
        let closed = try tick("2026-11-07T14:00:00Z")
        #expect(closed.stdout == "T-1001: closed: no reply from the client in 5 days (follow-up policy)\n", "\(closed.stdout)\(closed.stderr)")
        #expect(try mailReasons("T-1001", at: "2026-11-07T14:00:00Z") == ["acknowledgement", "follow-up", "resolution"])
        let show = try docket("2026-11-07T14:00:00Z", ["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("client reminded: waiting on them since 2026-11-02 14:00 UTC (follow-up policy)"), "\(show)")
        #expect(show.contains("closed: No reply from the client in 5 days: closed by the follow-up policy."), "\(show)")
        let other = try docket("2026-11-07T14:00:00Z", ["ticket", "show", "T-1002", "--json"]).stdout
        #expect(other.contains("\"status\" : \"new\""), "\(other)")
        // The log rebuilds to the same read models.
        #expect(try docket("2026-11-07T14:00:00Z", ["verify"]).status == 0)
    }

    /// `ticket show` says when the follow-up policy will remind the client and close a waiting ticket, in the viewer's
    /// zone, and then that the reminder went; `--json` gives the instants in RFC 3339 UTC. A ticket not waiting has no
    /// such line, nor a `followUp` key. Served alike.
    @Test(arguments: DocketMode.allCases) func ticketShowSaysWhenTheReminderAndTheCloseCome(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket("2026-11-02T14:00:00Z", ["followup", "set", "--remind-after", "2d", "--close-after", "5d"], as: "dora").status == 0)
        func show(_ now: String, _ arguments: [String]) throws -> String {
            let run = try mode.run(serverEnvironment: ["DOCKET_NOW": now]) { try docket(now, ["ticket", "show"] + arguments, as: "bob") }
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let waiting = try show("2026-11-03T14:00:00Z", ["T-1001"])
        #expect(
            waiting.contains(
                "follow-up: waiting since 2026-11-02 14:00 UTC; reminder 2026-11-04 14:00 UTC; closes 2026-11-07 14:00 UTC"
                    + " unless the client replies (the follow-up policy)\n"), "\(waiting)")
        let json = try show("2026-11-03T14:00:00Z", ["T-1001", "--json"])
        #expect(json.contains(#""remindAt" : "2026-11-04T14:00:00.000Z""#) && json.contains(#""closeAt" : "2026-11-07T14:00:00.000Z""#), "\(json)")
        #expect(json.contains(#""clientsOwnPolicy" : false"#) && !json.contains("remindedAt"), "\(json)")
        let due = try show("2026-11-04T15:00:00Z", ["T-1001"])
        #expect(due.contains("reminder due 2026-11-04 14:00 UTC, at the next tick; closes 2026-11-07 14:00 UTC"), "\(due)")
        #expect(try docket("2026-11-04T15:00:00Z", ["tick"], as: "dora").status == 0)
        let reminded = try show("2026-11-05T14:00:00Z", ["T-1001"])
        #expect(reminded.contains("follow-up: waiting since 2026-11-02 14:00 UTC; reminded 2026-11-04 15:00 UTC; closes 2026-11-07 14:00 UTC"), "\(reminded)")
        #expect(try show("2026-11-05T14:00:00Z", ["T-1001", "--json"]).contains(#""remindedAt" : "2026-11-04T15:00:00.000Z""#))
        let other = try show("2026-11-05T14:00:00Z", ["T-1002"]) + show("2026-11-05T14:00:00Z", ["T-1002", "--json"])
        #expect(!other.contains("follow-up:") && !other.contains("followUp"), "\(other)")
        // A client's own policy is named, and one that is off leaves no line.
        #expect(try docket("2026-11-05T14:00:00Z", ["followup", "set", "--client", "acme", "--close-after", "10d"], as: "dora").status == 0)
        let own = try show("2026-11-06T14:00:00Z", ["T-1001"])
        #expect(own.contains("follow-up: waiting since 2026-11-05 14:00 UTC; closes 2026-11-15 14:00 UTC unless the client replies (client acme's follow-up policy)"), "\(own)")
        #expect(try docket("2026-11-06T14:00:00Z", ["followup", "off", "--client", "acme"], as: "dora").status == 0)
        #expect(!(try show("2026-11-06T15:00:00Z", ["T-1001"]).contains("follow-up:")))
    }

    /// A public reply restarts the count, and the client's answer (the status back to in progress) ends the wait.
    @Test func aPublicReplyRestartsTheCountAndAnAnswerEndsIt() throws {
        try setUp()
        #expect(try docket("2026-11-02T14:00:00Z", ["followup", "set", "--remind-after", "2d"], as: "dora").status == 0)
        #expect(try docket("2026-11-03T14:00:00Z", ["ticket", "comment", "T-1001", "Did the restart help?"], as: "bob").status == 0)
        #expect(try docket("2026-11-04T14:00:00Z", ["tick"], as: "dora").stdout.isEmpty, "counted from the reply")
        #expect(try docket("2026-11-05T14:00:00Z", ["tick"], as: "dora").stdout.contains("T-1001: reminded the client (waiting since 2026-11-03 14:00 UTC"))
        #expect(try docket("2026-11-05T15:00:00Z", ["ticket", "status", "T-1001", "in-progress"], as: "bob").status == 0)
        #expect(try docket("2026-12-30T15:00:00Z", ["tick"], as: "dora").stdout.isEmpty)
    }

    /// A client's own policy wins over the store's: off, acme's waiting ticket is never followed up while the store's
    /// closes the others; cleared, acme's ticket follows the store's again, counted from the clearing.
    @Test func aClientsOwnPolicyWinsUntilCleared() throws {
        try setUp()
        let start = "2026-11-02T14:00:00Z"
        #expect(try docket(start, ["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(start, ["ticket", "open", "--client", "globex", "--subject", "VPN drops"]).status == 0)
        #expect(try docket(start, ["ticket", "status", "T-1003", "waiting-on-client"]).status == 0)
        #expect(try docket(start, ["followup", "set", "--close-after", "5d"], as: "dora").status == 0)
        let off = try docket(start, ["followup", "off", "--client", "acme"], as: "dora")
        #expect(off.stdout == "follow-ups for client acme off\n", "\(off.stdout)\(off.stderr)")
        let shown = try docket(start, ["followup", "show"], as: "bob").stdout
        #expect(shown.contains("acme    off"), "\(shown)")
        #expect(try docket("2026-11-08T14:00:00Z", ["tick"], as: "dora").stdout == "T-1003: closed: no reply from the client in 5 days (follow-up policy)\n")
        let cleared = try docket("2026-11-08T15:00:00Z", ["followup", "clear", "--client", "acme"], as: "dora")
        #expect(cleared.stdout == "client acme follows the store's follow-up policy again\n", "\(cleared.stdout)\(cleared.stderr)")
        #expect(try docket("2026-11-13T14:59:00Z", ["tick"], as: "dora").stdout.isEmpty, "counted from the clearing")
        #expect(try docket("2026-11-13T15:00:00Z", ["tick"], as: "dora").stdout == "T-1001: closed: no reply from the client in 5 days (follow-up policy)\n")
        let unknown = try docket(start, ["followup", "off", "--client", "nosuch"], as: "dora")
        #expect(unknown.status == 4 && unknown.stderr.contains("unknown client nosuch"), "\(unknown.stderr)")
    }

    /// Bad input: one line, its exit code, nothing written; techs may read the policy but not set it.
    @Test func badInputAndRolesWriteNothing() throws {
        try setUp()
        let now = "2026-11-02T15:00:00Z"
        let before = try docket(now, ["log", "--json", "--limit", "100000"]).stdout
        let cases: [([String], String, Int32, String)] = [
            (["followup", "set"], "dora", 64, "give --remind-after, --close-after or both"),
            (["followup", "set", "--remind-after", "soon"], "dora", 65, "--remind-after \"soon\" is not a duration"),
            (["followup", "set", "--remind-after", "7d", "--close-after", "2d"], "dora", 65, "must come before the close"),
            (["followup", "set", "--close-after", "30m"], "dora", 65, "1 hour to 90 days"),
            (["followup", "set", "--close-after", "7d"], "bob", 5, "role tech cannot set the follow-up policy"),
            (["followup", "off"], "bob", 5, "role tech cannot"),
        ]
        for (arguments, user, status, message) in cases {
            let run = try docket(now, arguments, as: user)
            #expect(run.status == status && run.stderr.contains(message), "\(arguments): \(run.status) \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
        #expect(try docket(now, ["log", "--json", "--limit", "100000"]).stdout == before)
        let shown = try docket(now, ["followup", "show"], as: "bob")
        #expect(shown.status == 0 && shown.stdout.hasPrefix("follow-ups are off"), "\(shown.stdout)")
        #expect(try docket(now, ["followup", "off"], as: "dora").stdout == "follow-ups: nothing to change (they are off)\n")
    }

    /// A raw append may not write a tooling event into Docket's own follow-up, schedule or charge streams without --repair.
    @Test(arguments: ["follow-up-policy", "schedule-acme-patching", "charge-CH-1"]) func rawAppendsStayOutOfTheStreams(_ stream: String) throws {
        try setUp()
        let run = try docket("2026-11-02T15:00:00Z", ["event", "append", "--stream", stream, "--type", "tool.noted", "--payload", "{}"])
        #expect(run.status != 0 && run.stderr.contains("--repair"), "\(run.status) \(run.stderr)")
    }
}
