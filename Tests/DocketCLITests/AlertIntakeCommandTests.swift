import Foundation
import TestSupport
import Testing

/// The captured Alertmanager deliveries, fed to `docket intake alert` in the order Alertmanager sent them.
@Suite struct AlertIntakeCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/alerts/alertmanager")

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: AlertIntakeCommandTests.fixtures.appendingPathComponent(name + ".json"), encoding: .utf8)
    }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        for (code, domain) in [("globex", "globex.example"), ("acme-corp", "acme.example"), ("initech", "initech.example")] {
            let run = try docket(["client", "add", code, "--name", code, "--domain", domain, "--time-zone", "UTC", "--currency", "USD"])
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    func intake(_ name: String, _ extra: [String] = []) throws -> DocketRun {
        try docket(["intake", "alert", "--format", "alertmanager"] + extra, stdin: try fixture(name), as: "intake")
    }

    @Test func repeatsJoinTheirTicketAndResolutionsCloseIt() throws {
        try setUp()
        let first = try intake("002-grouped-3-firing")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.components(separatedBy: "opened T-").count == 4, "three alerts, three tickets: \(first.stdout)")
        // The same group again, one of its alerts now resolved: two occurrences and one auto-resolution.
        let second = try intake("004-grouped-partial-resolved-status-firing")
        #expect(second.stdout.contains("4f660d0b61892ebc firing: occurrence on T-1001"))
        #expect(second.stdout.contains("b3f08d6c41e4bbdd firing: occurrence on T-1002"))
        #expect(second.stdout.contains("19dc19e3a28bf8bc resolved: noted on T-1003, closed as auto-resolved"))
        let third = try intake("006-grouped-all-resolved")
        #expect(third.stdout.contains("19dc19e3a28bf8bc resolved: noted on T-1003\n"), "already closed: only noted")
        #expect(third.stdout.contains("closed as auto-resolved"))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 3)
        #expect(list.allSatisfy { $0["status"] as? String == "closed" && $0["source"] as? String == "alert" && $0["client"] as? String == "globex" })
        #expect(list.allSatisfy { $0["priority"] as? String == "P3" }, "warning → P3")
        let show = try docket(["ticket", "show", "T-1003"]).stdout
        #expect(show.contains("Auto-resolved: DiskSpaceLow on ws-002.globex.local:9182"))
    }

    /// The auto-resolve's resolution (mailed to the client, shown among times in people's zones) said when the alert
    /// cleared in RFC 3339 UTC (`cleared at 2026-11-29T00:44:45.393Z`): it says it in the client's zone, named.
    @Test(arguments: DocketMode.allCases) func anAutoResolveSaysWhenTheAlertClearedInTheClientsZone(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try docket(["client", "update", "acme-corp", "--time-zone", "America/New_York"]).status == 0)
            #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
            #expect(try intake("005-single-resolved").stdout.contains("closed as auto-resolved"))
            let shown = try #require(
                try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
            let changes = (shown["history"] as? [[String: Any]] ?? []).compactMap { $0["change"] as? String }
            #expect(
                changes.contains("closed: Auto-resolved: HostDown on srv-dc01.acme.local:9100 cleared at 2026-11-28 19:44:45 EST; no billable time."),
                "\(changes)")
        }
    }

    /// The same alert repeated while it fires is one row of `ticket show` saying how many more came and until when
    /// (Alertmanager repeats a firing group every few minutes: a weekend of them was hundreds of identical rows);
    /// `--json` keeps every event.
    @Test func repeatsOfAnAlertAreOneRowOfTheTicketsHistory() throws {
        try setUp()
        for _ in 0..<4 { #expect(try intake("003-single-firing").status == 0) }
        let show = try docket(["ticket", "show", "T-1001"])
        #expect(show.status == 0, "\(show.stderr)")
        let alertRows = show.stdout.split(separator: "\n").filter { $0.contains("alert firing:") }
        #expect(alertRows.count == 1, "\(show.stdout)")
        #expect(alertRows.first?.contains("; received 3 more times until ") == true && alertRows.first?.contains("each in --json") == true, "\(show.stdout)")
        let json = try docket(["ticket", "show", "T-1001", "--json"]).stdout
        #expect(json.components(separatedBy: "ticket.alert-received").count - 1 == 4, "every occurrence stays in --json")
    }

    /// `003-single-firing` as Alertmanager sends the condition when it fires again after `005-single-resolved`: a new
    /// firing, so a new `startsAt`, after the resolution's `endsAt` (2026-11-29T00:44:45.393Z).
    func firingAgain() throws -> String {
        let firing = try fixture("003-single-firing")
        #expect(firing.contains(#""startsAt":"2026-11-29T00:44:38.39Z""#))
        return firing.replacingOccurrences(of: #""startsAt":"2026-11-29T00:44:38.39Z""#, with: #""startsAt":"2026-11-29T00:49:38.39Z""#)
    }

    @Test func aFlappingAlertReopensItsTicket() throws {
        try setUp()
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try intake("005-single-resolved").stdout.contains("closed as auto-resolved"))
        let again = try docket(["intake", "alert", "--format", "alertmanager"], stdin: try firingAgain(), as: "intake")
        #expect(again.stdout.contains("reopened T-1001 (flapping)"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
        #expect((summary["ticket"] as? [String: Any])?["status"] as? String == "in-progress")
        #expect((summary["ticket"] as? [String: Any])?["priority"] as? String == "P1", "critical → P1")
    }

    /// The firing notification delivered again after its resolution (a sender's retry, a late copy: the same firing,
    /// `startsAt` before the resolution's `endsAt`) reopened the auto-resolved ticket as "flapping" at 3 a.m.; it is
    /// now stale: nothing written, the ticket stays closed, and a real new firing still reopens it.
    @Test func theFiringDeliveredAgainAfterItsResolutionIsStaleAndReopensNothing() throws {
        try setUp()
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try intake("005-single-resolved").stdout.contains("closed as auto-resolved"))
        let before = try docket(["log", "--json", "--limit", "10000"]).stdout
        let late = try intake("003-single-firing")
        #expect(late.status == 0, "\(late.stderr)")
        #expect(late.stdout == "38cca2e5a9d13dc4 firing: stale: it began before its resolution on T-1001 (a late or repeated delivery); nothing written\n")
        #expect(try docket(["log", "--json", "--limit", "10000"]).stdout == before, "nothing written")
        let ticket = { () throws -> [String: Any]? in
            let shown = try JSONSerialization.jsonObject(with: Data(try self.docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any]
            return shown?["ticket"] as? [String: Any]
        }
        #expect(try ticket()?["status"] as? String == "closed")
        let again = try docket(["intake", "alert", "--format", "alertmanager"], stdin: try firingAgain(), as: "intake")
        #expect(again.stdout.contains("reopened T-1001 (flapping)"), "\(again.stdout)")
        #expect(try ticket()?["status"] as? String == "in-progress")
    }

    /// The alert cleared at 03:40 and intake closed the ticket bob took at 02:30 ("Auto-resolved …; no billable time."),
    /// so in the morning his 90 minutes were logged on a ticket closed as without billable time and his resolution was
    /// refused (closed already). A ticket someone works (assigned, or with time logged) is now left open with the note.
    /// A routing rule sending every alert to the NOC's user assigned each alert ticket, and any assignment counted as
    /// someone working it, so no alert ticket ever auto-resolved. A rule's assignment is marked with the rule
    /// (`routingRule`) and is nobody's work: the ticket auto-resolves; a dispatcher's reassignment is a person's.
    @Test func anAssignmentARuleMadeDoesNotKeepAnAlertTicketOpen() throws {
        try setUp()
        #expect(try docket(["user", "add", "noc", "--name", "NOC", "--email", "noc@msp.example", "--role", "tech"]).status == 0)
        #expect(try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        let rules = folder.child("rules.yaml")
        try "rules:\n  - id: alerts-to-noc\n    match: {source: [alert]}\n    actions: {assign: noc}\n"
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let set = try docket(["rules", "set", rules])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("assigned to noc by routing rule alerts-to-noc"))
        let resolved = try intake("005-single-resolved")
        #expect(resolved.stdout == "38cca2e5a9d13dc4 resolved: noted on T-1001, closed as auto-resolved\n", "\(resolved.stdout)")
        // A dispatcher hands the next one to bob: a person's assignment, so his ticket is left for him to close.
        #expect(try intake("002-grouped-3-firing").stdout.contains("19dc19e3a28bf8bc firing: opened T-1004"))
        #expect(try docket(["ticket", "assign", "T-1004", "--to", "bob"]).status == 0)
        let group = try intake("004-grouped-partial-resolved-status-firing")
        #expect(group.stdout.contains("19dc19e3a28bf8bc resolved: noted on T-1004, left open"), "\(group.stdout)")
    }

    @Test func aResolvedAlertLeavesATicketSomeoneWorksOpenForThemToClose() throws {
        try setUp()
        #expect(try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try docket(["ticket", "take", "T-1001"], as: "bob").status == 0)
        let resolved = try intake("005-single-resolved")
        #expect(resolved.stdout == "38cca2e5a9d13dc4 resolved: noted on T-1001, left open: someone works it (assigned, time logged or tickets linked under it) and closes it\n", "\(resolved.stdout)")
        func status(_ ticket: String) throws -> String? {
            let shown = try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", ticket, "--json"]).stdout.utf8)) as? [String: Any]
            return (shown?["ticket"] as? [String: Any])?["status"] as? String
        }
        #expect(try status("T-1001") != "closed")
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("alert resolved: HostDown"))
        let close = try docket(["ticket", "close", "T-1001", "--resolution", "Rebooted srv-dc01", "--time", "90m"], as: "bob")
        #expect(close.status == 0, "bob closes it with his resolution and time: \(close.stderr)")
        // Time logged by someone, nobody assigned: theirs too. A ticket nobody works still auto-resolves.
        #expect(try intake("002-grouped-3-firing").stdout.contains("19dc19e3a28bf8bc firing: opened T-1004"))
        #expect(try docket(["time", "log", "T-1004", "30m"], as: "bob").status == 0)
        let group = try intake("004-grouped-partial-resolved-status-firing")
        #expect(group.stdout.contains("19dc19e3a28bf8bc resolved: noted on T-1004, left open"), "\(group.stdout)")
        #expect(try status("T-1004") != "closed")
        #expect(try intake("006-grouped-all-resolved").stdout.contains("noted on T-1002, closed as auto-resolved"))
        #expect(try status("T-1002") == "closed")
    }

    /// An alert ticket with tickets linked under it (the outage clients called about) is a person's work: its
    /// resolution leaves it open, for whoever closes it to close those with it in words their clients can read. Taken
    /// out again, it auto-resolves as before.
    @Test func aResolvedAlertLeavesATicketWithTicketsLinkedUnderItOpen() throws {
        try setUp()
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try docket(["ticket", "open", "--client", "globex", "--subject", "No internet"]).status == 0)
        #expect(try docket(["ticket", "link", "T-1002", "--parent", "T-1001"]).status == 0)
        let resolved = try intake("005-single-resolved")
        #expect(resolved.stdout.hasSuffix("noted on T-1001, left open: someone works it (assigned, time logged or tickets linked under it) and closes it\n"), "\(resolved.stdout)")
        #expect(try docket(["ticket", "unlink", "T-1002"]).status == 0)
        #expect(try intake("003-single-firing").status == 0)
        #expect(try intake("005-single-resolved").stdout.hasSuffix("closed as auto-resolved\n"))
    }

    /// A tech closed the ticket while its alert still fired; Alertmanager's next repeat reopened it as "fired again
    /// (flapping)", and after the flap window opened a new one "Fired again after T-1001 was resolved": it had never
    /// cleared, nor been resolved. Both now say it is still firing.
    @Test func aTicketClosedWhileItsAlertStillFiresIsReopenedAsStillFiring() throws {
        try setUp()
        #expect(try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Rebooted", "--time", "20m"], as: "bob").status == 0)
        let repeated = try intake("003-single-firing")
        #expect(repeated.stdout == "38cca2e5a9d13dc4 firing: reopened T-1001 (still firing: it has not cleared since it was closed)\n", "\(repeated.stdout)")
        let show = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("reopened: alert HostDown is still firing: it has not cleared since the ticket was closed"), "\(show)")
        #expect(!show.contains("flapping"), "\(show)")
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Client will replace the disk"], as: "bob").status == 0)
        let later = try intake("003-single-firing", ["--flap-hours", "0"])
        #expect(later.stdout.contains("opened T-1002"), "\(later.stdout)")
        #expect(try docket(["ticket", "show", "T-1002"]).stdout.contains("Still firing after T-1001 was closed: it has not cleared since."))
    }

    /// A tech closing a ticket for a known fault (a disk on order) while its alert still fires had every repeat reopen
    /// it, or open a new ticket after the flap window. `--silence-alert 24h` notes the repeats on the closed ticket until
    /// then; after that the still-firing rule applies again.
    @Test func aCloseSilencesItsStillFiringAlertForAWhile() throws {
        func at(_ now: String, _ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
            try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user, "DOCKET_NOW": now, "TZ": "UTC"])
        }
        let night = "2026-12-05T02:30:00Z"
        #expect(try at(night, ["init", "--test-clock"]).status == 0)
        #expect(try at(night, ["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"]).status == 0)
        #expect(try at(night, ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try at(night, ["client", "add", "acme-corp", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        func alert(_ now: String, _ extra: [String] = []) throws -> DocketRun {
            try at(now, ["intake", "alert", "--format", "alertmanager"] + extra, stdin: try fixture("003-single-firing"), as: "intake")
        }
        #expect(try alert(night).stdout.contains("opened T-1001"))
        #expect(try at(night, ["ticket", "open", "--client", "acme-corp", "--subject", "Phone call", "--source", "phone"]).status == 0)
        let logBefore = try at(night, ["log", "--json", "--limit", "100000"]).stdout
        for (ticket, silence, message) in [
            ("T-1001", "31d", "a close silences its alert for more than 0 and at most 30 days"), ("T-1001", "0d", "more than 0"),
            ("T-1001", "soon", "--silence-alert \"soon\" is not a duration"), ("T-1002", "24h", "no monitoring alert came to T-1002"),
        ] {
            let refused = try at(night, ["ticket", "close", ticket, "--resolution", "Disk on order", "--time", "20m", "--silence-alert", silence], as: "bob")
            #expect(refused.status == 65 && refused.stderr.contains(message), "\(silence): \(refused.status) \(refused.stderr)")
        }
        #expect(try at(night, ["log", "--json", "--limit", "100000"]).stdout == logBefore, "a refused close writes nothing")
        let close = try at(night, ["ticket", "close", "T-1001", "--resolution", "Disk on order", "--time", "20m", "--silence-alert", "24h"], as: "bob")
        #expect(close.status == 0, "\(close.stderr)")
        #expect(close.stdout.contains("T-1001: its alert is silenced until 2026-12-06 02:30 UTC"), "\(close.stdout)")
        let repeated = try alert("2026-12-05T10:00:00Z")
        #expect(
            repeated.stdout == "38cca2e5a9d13dc4 firing: noted on T-1001, still closed: its close silenced the alert until 2026-12-06 02:30 UTC\n",
            "\(repeated.stdout)")
        let shown = try JSONSerialization.jsonObject(
            with: Data(try at("2026-12-05T10:00:00Z", ["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any]
        #expect((shown?["ticket"] as? [String: Any])?["status"] as? String == "closed")
        #expect(try at("2026-12-05T10:00:00Z", ["ticket", "list", "--json"]).stdout.contains("T-1003") == false, "no new ticket either")
        let header = try at("2026-12-05T10:00:00Z", ["ticket", "show", "T-1001"]).stdout
        #expect(header.contains("alert HostDown on srv-dc01.acme.local:9100: firing (fired 2 times, last delivered 2026-12-05 10:00 UTC)"), "\(header)")
        #expect(header.contains("\nalert silenced until 2026-12-06 02:30 UTC by the close\n"), "\(header)")
        let listed = try at("2026-12-05T10:00:00Z", ["alert", "list"]).stdout
        #expect(listed.contains("T-1001 (Closed, silenced until 2026-12-06 02:30 UTC)"), "\(listed)")
        // The silence is over: the still-firing rule again (reopened within the flap window).
        let after = try alert("2026-12-06T02:31:00Z", ["--flap-hours", "48"])
        #expect(after.stdout == "38cca2e5a9d13dc4 firing: reopened T-1001 (still firing: it has not cleared since it was closed)\n", "\(after.stdout)")
    }

    /// Nothing answered "what is firing now?": the alerts model was only read by intake. `alert list` lists the
    /// conditions still firing with their tickets (a condition on a closed ticket too), `--resolved` the rest after them.
    @Test(arguments: DocketMode.allCases) func theAlertsFiringNowAreListedWithTheirTickets(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try intake("002-grouped-3-firing").status == 0)
            #expect(try intake("004-grouped-partial-resolved-status-firing").status == 0)
            func listed(_ arguments: [String]) throws -> [[String: Any]] {
                let run = try docket(["alert", "list", "--json"] + arguments)
                #expect(run.status == 0, "\(run.stderr)")
                return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] ?? []
            }
            let firing = try listed([])
            #expect(firing.count == 2 && firing.allSatisfy { $0["status"] as? String == "firing" }, "\(firing)")
            #expect(Set(firing.compactMap { $0["ticket"] as? String }) == ["T-1001", "T-1002"], "\(firing)")
            #expect(firing.allSatisfy { $0["occurrences"] as? Int == 2 && $0["client"] as? String == "globex" }, "\(firing)")
            let all = try listed(["--resolved"])
            #expect(all.count == 3 && all.last?["status"] as? String == "resolved" && all.last?["ticket"] as? String == "T-1003", "\(all)")
            #expect(all.last?["ticketStatus"] as? String == "closed" && all.last?["resolvedAt"] is String, "\(all)")
            #expect(try listed(["--client", "initech"]).isEmpty)
            #expect(try listed(["--client", "globex"]).count == 2)
            let table = try docket(["alert", "list"]).stdout
            #expect(table.hasPrefix("STATUS") && table.contains("T-1001 (New)") && table.contains("2 times"), "\(table)")
            let ghost = try docket(["alert", "list", "--client", "ghost"])
            #expect(ghost.status == 4 && ghost.stderr.contains("ghost"), "\(ghost.stderr)")
        }
    }

    /// A delivery the sender cut (`truncatedAlerts`) is said to whoever ran the intake, embedded or through the server
    /// (on the client's stderr, not the server's), and on its tickets.
    @Test(arguments: DocketMode.allCases) func aTruncatedDeliveryIsSaidToWhoeverTookItAndOnItsTickets(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            let run = try intake("001-truncated-max_alerts2-firing", ["--default-client", "initech"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stderr == #"docket: warning: the sender left 2 alerts out of this delivery (truncatedAlerts, group {}/{team="truncate-demo"}:{alertname="BackupJobFailed"}): they opened, updated or closed no ticket; raise its max_alerts (0: no limit)"# + "\n",
                "\(run.stderr)")
            #expect(try docket(["ticket", "show", "T-1002"]).stdout.contains("its delivery left 2 more alerts out (truncatedAlerts)"))
        }
    }

    @Test func anAlertWithNoKnownClientIsRefusedUnlessADefaultIsGiven() throws {
        try setUp()
        let before = try docket(["log", "--json", "--limit", "10000"]).stdout
        let refused = try intake("001-truncated-max_alerts2-firing")
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("--default-client"))
        #expect(try docket(["log", "--json", "--limit", "10000"]).stdout == before, "nothing written")
        let accepted = try intake("001-truncated-max_alerts2-firing", ["--default-client", "initech"])
        #expect(accepted.status == 0)
        #expect(accepted.stderr.contains("left 2 alerts out"))
        // A condition is the client's: its resolution is matched under the same (default) client as its firing.
        #expect(try intake("007-truncated-max_alerts2-resolved").stdout.components(separatedBy: "dropped").count == 3)
        #expect(try intake("007-truncated-max_alerts2-resolved", ["--default-client", "initech"]).stdout.components(separatedBy: "auto-resolved").count == 3)
    }

    @Test func aDeactivatedClientsFiringAlertGoesToTheDefaultClientAndBlocksNoOneElse() throws {
        try setUp()
        func generic(_ alerts: String, _ extra: [String] = []) throws -> DocketRun {
            try docket(["intake", "alert", "--format", "generic"] + extra, stdin: alerts, as: "intake")
        }
        let disk = #"{"client":"globex","device":"fs1","check":"disk","severity":"warning","status":"STATUS","id":"disk-1","message":"97%"}"#
        #expect(try generic(disk.replacingOccurrences(of: "STATUS", with: "firing")).stdout == "disk-1 firing: opened T-1001\n")
        #expect(try docket(["client", "deactivate", "globex", "--keep-open-tickets"]).status == 0)
        let switchDown = #"{"client":"acme-corp","device":"sw1","check":"switch","severity":"critical","status":"firing","id":"sw-1","message":"down"}"#
        let backup = #"{"client":"globex","device":"nas","check":"backup","severity":"warning","status":"firing","id":"bk-1","message":"failed"}"#
        // Without a default client the deactivated client's alert still refuses the delivery, naming the fix.
        let refused = try generic("[\(switchDown),\(backup)]")
        #expect(refused.status == 6 && refused.stderr.contains("client globex is deactivated"), "\(refused.stderr)")
        // With one, it goes there and acme-corp's switch opens its ticket.
        let taken = try generic("[\(switchDown),\(backup)]", ["--default-client", "initech"])
        #expect(
            taken.stdout == "sw-1 firing: opened T-1002\nbk-1 firing: opened T-1003 on the default client (client globex is deactivated)\n",
            "\(taken.stderr)")
        let opened = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1003", "--json"]).stdout.utf8)) as? [String: Any])
        #expect((opened["ticket"] as? [String: Any])?["client"] as? String == "initech")
        // The resolve of the alert globex had before still closes globex's own ticket.
        let resolved = try generic(disk.replacingOccurrences(of: "STATUS", with: "resolved"), ["--default-client", "initech"])
        #expect(resolved.stdout.contains("T-1001"), "\(resolved.stdout) \(resolved.stderr)")
    }

    /// A former client's firing alert opened on the default client said nothing of whose it was: the ticket read like
    /// the default client's own. Its description names the former client, the intake's output and a warning on stderr
    /// (the caller's, through the server too) say so, and the alert of an active client is as before.
    @Test(arguments: DocketMode.allCases) func aFormerClientsAlertOnTheDefaultClientNamesTheFormerClient(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["client", "deactivate", "globex"]).status == 0)
        try mode.run {
            let backup = #"{"client":"globex","device":"nas","check":"backup","severity":"warning","status":"firing","id":"bk-1","message":"failed"}"#
            let run = try docket(["intake", "alert", "--format", "generic", "--default-client", "initech"], stdin: backup, as: "intake")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "bk-1 firing: opened T-1001 on the default client (client globex is deactivated)\n")
            #expect(
                run.stderr
                    == "docket: warning: alert backup (bk-1) is client globex's, which is deactivated (a former client): it opened T-1001 on "
                    + "the default client initech, not for globex; if globex is a client again, reactivate it (docket client reactivate "
                    + "globex), else stop the sender alerting for globex\n")
            let shown = try #require(
                try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
            let ticket = try #require(shown["ticket"] as? [String: Any])
            #expect(ticket["client"] as? String == "initech")
            let opening = (shown["history"] as? [[String: Any]])?.first?["change"] as? String ?? ""
            #expect(
                opening.contains(
                    "Sent for client globex, but client globex is deactivated (a former client): opened on the default client initech, not for globex."),
                "\(opening)")
            let active = #"{"client":"acme-corp","device":"sw1","check":"switch","severity":"critical","status":"firing","id":"sw-1","message":"down"}"#
            let plain = try docket(["intake", "alert", "--format", "generic", "--default-client", "initech"], stdin: active, as: "intake")
            #expect(plain.stdout == "sw-1 firing: opened T-1002\n" && plain.stderr.isEmpty, "\(plain.stderr)")
        }
    }

    /// An id or fingerprint keys the condition: one that cannot (over 200 bytes, control characters) is bad input
    /// (exit 65) naming the field, and nothing is written.
    @Test func unusableAlertIdsAreBadInputNamingTheField() throws {
        try setUp()
        let before = try docket(["log", "--json", "--limit", "10000"]).stdout
        let long = String(repeating: "a", count: 520)
        let generic = try docket(
            ["intake", "alert", "--format", "generic"],
            stdin: #"{"client":"globex","check":"c","severity":"low","status":"firing","id":"\#(long)","message":"m"}"#, as: "intake")
        #expect(generic.status == 65)
        #expect(generic.stderr.contains("id must be 1 to 200 bytes without control characters"), "\(generic.stderr)")
        let newline = try docket(
            ["intake", "alert", "--format", "generic"],
            stdin: #"{"client":"globex","check":"c","severity":"low","status":"firing","id":"a\nb","message":"m"}"#, as: "intake")
        #expect(newline.status == 65)
        let fingerprint = String(repeating: "f", count: 600)
        let alertmanager = try docket(
            ["intake", "alert", "--format", "alertmanager"],
            stdin: #"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"x","client":"globex"},"fingerprint":"\#(fingerprint)"}]}"#,
            as: "intake")
        #expect(alertmanager.status == 65)
        #expect(alertmanager.stderr.contains("alert 1's fingerprint is over 200 bytes"), "\(alertmanager.stderr)")
        #expect(try docket(["log", "--json", "--limit", "10000"]).stdout == before, "nothing written")
    }

    @Test func aFlapWindowBeyondACenturyIsBadUsage() throws {
        try setUp()
        let run = try docket(["intake", "alert", "--format", "alertmanager", "--flap-hours", "9999999999999"], stdin: try fixture("003-single-firing"), as: "intake")
        #expect(run.status == 64)
        #expect(run.stderr.contains("--flap-hours must be 0 to 876000"), "\(run.stderr)")
        #expect(try docket(["ticket", "list", "--json"]).stdout.contains("T-1001") == false)
    }

    @Test func aResolvedAlertNeverSeenIsDroppedAndBadBodiesAreRefused() throws {
        try setUp()
        #expect(try intake("005-single-resolved").stdout.contains("dropped"))
        let tickets = try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "list", "--json"]).stdout.utf8)) as? [Any]
        #expect(tickets?.isEmpty == true)
        let bad = try docket(["intake", "alert", "--format", "alertmanager"], stdin: "{\"alerts\": 3}", as: "intake")
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("not an Alertmanager webhook body"))
        let generic = try docket(["intake", "alert", "--format", "generic"], stdin: #"{"client":"acme-corp","check":"backup","severity":"critical","status":"firing","id":"veeam-1","message":"Backup failed"}"#, as: "intake")
        #expect(generic.stdout.contains("veeam-1 firing: opened T-1001"))
    }
}
