import Foundation
import TestSupport
import Testing

/// `docket ticket link` and `unlink`: one cause, many tickets, closed together.
@Suite struct TicketLinkCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let now = "2026-11-02T14:00:00Z"

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": Self.now, "TZ": "UTC"])
    }

    /// Three tickets of two clients (T-1001 the outage, T-1002 and T-1003 reports of it) and a fourth.
    func setUp() throws {
        for arguments in [
            ["init", "--test-clock"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"],
            ["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"],
            ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"],
            ["client", "contact", "add", "globex", "--name", "Gus", "--email", "gus@globex.example"],
            ["ticket", "open", "--client", "acme", "--subject", "ISP line down"],
            ["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "No internet"],
            ["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "Email not arriving"],
            ["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Printer"],
        ] {
            let run = try docket(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
    }

    /// The log's ticket.closed events on `ticket`'s stream, and the reasons of its mail, as JSON lines.
    func stream(_ ticket: String) throws -> String { try docket(["log", "--stream", "ticket-\(ticket)", "--json", "--limit", "1000"]).stdout }

    /// Closing the parent closes the tickets under it, of both clients, in one go, each with its own resolution mail
    /// and no time; the one taken out stays open; `ticket show` names parent and children. Served alike, and a retry
    /// with the same command id answers the same.
    @Test(arguments: DocketMode.allCases) func closingTheParentClosesTheTicketsUnderIt(_ mode: DocketMode) throws {
        try setUp()
        try mode.run(serverEnvironment: ["DOCKET_NOW": Self.now]) {
            for child in ["T-1002", "T-1003", "T-1004"] {
                let run = try docket(["ticket", "link", child, "--parent", "T-1001"], as: "bob")
                #expect(run.status == 0 && run.stdout == "\(child): linked under T-1001\n", "\(run.stdout)\(run.stderr)")
            }
            #expect(try docket(["ticket", "link", "T-1002", "--parent", "T-1001"], as: "bob").stdout == "T-1002: already linked under T-1001\n")
            #expect(try docket(["ticket", "unlink", "T-1004"], as: "bob").stdout == "T-1004: taken out from under T-1001\n")
            #expect(try docket(["ticket", "unlink", "T-1004"], as: "bob").stdout == "T-1004: not linked under a parent\n")
            let parent = try docket(["ticket", "show", "T-1001"], as: "bob").stdout
            #expect(parent.contains("linked under it: T-1002, T-1003 (its close closes those still open)\n"), "\(parent)")
            let child = try docket(["ticket", "show", "T-1003", "--json"], as: "bob").stdout
            #expect(child.contains(#""parent" : "T-1001""#) && !child.contains(#""children""#), "\(child)")
            let update = try docket(["ticket", "comment", "T-1001", "The ISP's engineer is on site", "--to-children", "--command-id", "update-1"], as: "bob")
            #expect(update.stdout == "T-1001: public comment added; also on T-1002, T-1003 (linked under it)\n", "\(update.stdout)\(update.stderr)")
            let again = try docket(["ticket", "comment", "T-1001", "The ISP's engineer is on site", "--to-children", "--command-id", "update-1"], as: "bob")
            #expect(again.stdout == update.stdout, "a retry answers the same, and writes nothing")
            let close = ["ticket", "close", "T-1001", "--resolution", "ISP restored the line", "--time", "1h", "--command-id", "close-outage"]
            let closed = try docket(close, as: "bob")
            #expect(closed.status == 0, "\(closed.stderr)")
            #expect(closed.stdout.hasSuffix("T-1001: also closed T-1002, T-1003 (linked under it)\n"), "\(closed.stdout)")
            #expect(try docket(close, as: "bob").stdout == closed.stdout, "a retry answers the same")
        }
        for child in ["T-1002", "T-1003"] {
            let log = try stream(child)
            #expect(log.contains(#""resolution":"ISP restored the line""#), "\(log)")
            #expect(log.contains(#""noTimeReason":"closed with its parent T-1001""#), "\(log)")
            #expect(log.contains(#""reason":"resolution""#), "its own client hears: \(log)")
            #expect(log.components(separatedBy: "The ISP's engineer is on site").count == 3, "the update once, and its reply mail: \(log)")
        }
        #expect(try stream("T-1003").contains("gus@globex.example"), "the resolution mail goes to the child's own client")
        #expect(!(try stream("T-1004").contains("ticket.closed")), "taken out: still open")
        #expect(try docket(["time", "list", "--ticket", "T-1002", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let shown = try docket(["ticket", "show", "T-1002"]).stdout + docket(["ticket", "show", "T-1001"]).stdout
        #expect(shown.contains("linked under T-1001\n") && shown.contains("linked under it: T-1002, T-1003\n"), "closed: no promise left: \(shown)")
        #expect(try docket(["verify"]).status == 0)
    }

    /// Links that would not hold are refused with the fix named, the right exit code, and nothing written.
    @Test func badLinksWriteNothing() throws {
        try setUp()
        #expect(try docket(["ticket", "link", "T-1002", "--parent", "T-1001"]).status == 0)
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout
        for (arguments, status, message) in [
            (["ticket", "link", "T-1001", "--parent", "T-1001"], 65, "cannot link T-1001 under itself"),
            (["ticket", "link", "T-1003", "--parent", "T-1002"], 6, "T-1002 is itself linked under T-1001: link T-1003 under T-1001 instead"),
            (["ticket", "link", "T-1002", "--parent", "T-1004"], 6, "T-1002 is linked under T-1001 already; take it out first with `docket ticket unlink T-1002`"),
            (["ticket", "link", "T-1003", "--parent", "T-9999"], 4, "unknown ticket T-9999"),
            (["ticket", "link", "T-1003"], 64, "--parent"),
            (["ticket", "comment", "T-1001", "note", "--internal", "--to-children"], 64, "--to-children posts public comments"),
            (["ticket", "merge", "T-1002", "--into", "T-1004"], 6, "take it out first with `docket ticket unlink T-1002`, then merge"),
        ] {
            let run = try docket(arguments)
            #expect(run.status == Int32(status) && run.stderr.contains(message), "\(arguments): \(run.status) \(run.stderr)")
        }
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before)
        #expect(try docket(["ticket", "close", "T-1004", "--resolution", "done", "--no-time", "--reason", "dup"]).status == 0)
        let closed = try docket(["log", "--json", "--limit", "100000"]).stdout
        let closedParent = try docket(["ticket", "link", "T-1003", "--parent", "T-1004"])
        #expect(closedParent.status == 6 && closedParent.stderr.contains("cannot link under T-1004: it is closed"), "\(closedParent.stderr)")
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == closed)
    }
}
