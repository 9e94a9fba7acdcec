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
    @Test func aResolvedAlertLeavesATicketSomeoneWorksOpenForThemToClose() throws {
        try setUp()
        #expect(try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try intake("003-single-firing").stdout.contains("opened T-1001"))
        #expect(try docket(["ticket", "take", "T-1001"], as: "bob").status == 0)
        let resolved = try intake("005-single-resolved")
        #expect(resolved.stdout == "38cca2e5a9d13dc4 resolved: noted on T-1001, left open: someone works it (assigned or time logged) and closes it\n", "\(resolved.stdout)")
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
        #expect(taken.stdout == "sw-1 firing: opened T-1002\nbk-1 firing: opened T-1003\n", "\(taken.stderr)")
        let opened = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1003", "--json"]).stdout.utf8)) as? [String: Any])
        #expect((opened["ticket"] as? [String: Any])?["client"] as? String == "initech")
        // The resolve of the alert globex had before still closes globex's own ticket.
        let resolved = try generic(disk.replacingOccurrences(of: "STATUS", with: "resolved"), ["--default-client", "initech"])
        #expect(resolved.stdout.contains("T-1001"), "\(resolved.stdout) \(resolved.stderr)")
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
