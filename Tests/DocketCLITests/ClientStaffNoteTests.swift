import Foundation
import TestSupport
import Testing

/// `docket client update --staff-note`: one line staff see on each of the client's tickets, never the client.
@Suite struct ClientStaffNoteTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let note = "On credit hold: no billable work without Bill's OK"

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": "2026-11-02T14:00:00Z", "TZ": "UTC"])
    }

    func setUp() throws {
        for arguments in [
            ["init", "--test-clock"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"],
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"],
            ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"],
            ["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Printer offline"],
        ] {
            let run = try docket(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
    }

    /// A dispatcher sets the note; `ticket show` carries it above the ticket (and in --json), and whoever opens, takes
    /// or logs time on one of the client's tickets is told on stderr, stdout unchanged; `--staff-note ""` removes it.
    /// Served alike. The client's mail never carries it.
    @Test(arguments: DocketMode.allCases) func theNoteIsShownToStaffWhereWorkStarts(_ mode: DocketMode) throws {
        try setUp()
        try mode.run(serverEnvironment: ["DOCKET_NOW": "2026-11-02T14:00:00Z"]) {
            let set = try docket(["client", "update", "acme", "--staff-note", Self.note], as: "dora")
            #expect(set.status == 0, "\(set.stderr)")
            let told = "docket: note: client acme: \(Self.note)\n"
            let take = try docket(["ticket", "take", "T-1001"], as: "bob")
            #expect(take.stdout == "T-1001: assigned to bob\n" && take.stderr.hasSuffix(told), "\(take.stdout)\(take.stderr)")
            let log = try docket(["time", "log", "T-1001", "30m"], as: "bob")
            #expect(log.status == 0 && log.stderr.hasSuffix(told), "\(log.stderr)")
            let open = try docket(["ticket", "open", "--client", "acme", "--subject", "Scanner"], as: "dora")
            #expect(open.stdout == "T-1002\n" && open.stderr.hasSuffix(told), "\(open.stdout)\(open.stderr)")
            let show = try docket(["ticket", "show", "T-1001"], as: "bob").stdout
            #expect(show.contains("staff note (client acme): \(Self.note)\n"), "\(show)")
            #expect(try docket(["ticket", "show", "T-1001", "--json"], as: "bob").stdout.contains(#""clientStaffNote" : "On credit hold"#))
            #expect(try docket(["client", "show", "acme"], as: "bob").stdout.contains("staff note: \(Self.note)\n"))
            #expect(try docket(["client", "update", "acme", "--staff-note", ""], as: "dora").status == 0)
            let cleared = try docket(["ticket", "take", "T-1002"], as: "bob")
            #expect(cleared.status == 0 && cleared.stderr.isEmpty, "\(cleared.stderr)")
            #expect(!(try docket(["ticket", "show", "T-1001"], as: "bob").stdout.contains("staff note")))
        }
        let mail = try docket(["outbox", "list", "--json"]).stdout + docket(["log", "--stream", "ticket-T-1001", "--json", "--limit", "100"]).stdout
        #expect(!mail.contains("credit hold"), "never in the client's mail: \(mail)")
    }

    /// A tech may not set it; a note on two lines or over 500 characters is refused; nothing is written.
    @Test func badNotesWriteNothing() throws {
        try setUp()
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout
        for (arguments, user, status) in [
            (["client", "update", "acme", "--staff-note", "x"], "bob", Int32(5)),
            (["client", "update", "acme", "--staff-note", "two\nlines"], "dora", 65),
            (["client", "update", "acme", "--staff-note", String(repeating: "x", count: 501)], "dora", 65),
            (["client", "update", "ghost", "--staff-note", "x"], "dora", 4),
        ] {
            let run = try docket(arguments, as: user)
            #expect(run.status == status && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.status) \(run.stderr)")
        }
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before)
    }
}
