import Foundation
import TestSupport
import Testing

/// Every command that reads the store's data takes `--as`, and the reader it names (or `$DOCKET_USER`, or the OS user)
/// is checked as a write's actor is: an unknown user is not found (4), a deactivated one refused (6). Some read commands
/// took `--as` and never checked it (`queue --as ghost` listed the queue), others refused it as an unknown option
/// (`client list --as bob`). Through a server `--as` is refused by every command alike (64): the server names the
/// caller. Commands about the store's files (`stats`) take no `--as`, `verify` only with `--accept-rollback`.
@Suite struct ReaderIdentityTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    static let reads: [[String]] = [
        ["queue"], ["ticket", "list"], ["ticket", "show", "T-1001"], ["sla"], ["time", "list"], ["log", "--limit", "1"],
        ["client", "list"], ["client", "show", "acme"], ["contract", "list"], ["user", "list"], ["user", "show", "bob"],
        ["calendar", "list"], ["sla-policy", "list"], ["rules", "show"], ["template", "list"], ["outbox", "list"],
        ["invoice", "list"], ["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01"],
        ["report", "volume", "--from", "2026-11-01", "--to", "2026-12-01"],
    ]

    func setUp() throws {
        #expect(try docket(["init"]).status == 0)
        for (login, role) in [("bob", "tech"), ("gone", "tech")] {
            #expect(try docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", role]).status == 0)
        }
        #expect(try docket(["user", "deactivate", "gone"]).status == 0)
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).status == 0)
    }

    @Test func everyReadTakesAsAndChecksTheReaderAsAWriteDoes() throws {
        try setUp()
        for arguments in Self.reads {
            #expect(try docket(arguments + ["--as", "bob"]).status == 0, "\(arguments)")
            let ghost = try docket(arguments + ["--as", "ghost"])
            #expect(ghost.status == 4, "\(arguments): \(ghost.stderr)")
            #expect(ghost.stderr == "docket: error: unknown user ghost; ask an admin to add you with `docket user add ghost`\n", "\(arguments)")
            let gone = try docket(arguments + ["--as", "gone"])
            #expect(gone.status == 6 && gone.stderr.contains("user gone is deactivated"), "\(arguments): \(gone.stderr)")
            // $DOCKET_USER names the reader the same way.
            #expect(try docket(arguments, as: "ghost").status == 4, "\(arguments)")
        }
        let stats = try docket(["stats", "--as", "bob"])
        #expect(stats.status == 64 && stats.stderr.contains("Unknown option '--as'"), "\(stats.stderr)")
        let verify = try docket(["verify", "--as", "bob"])
        #expect(verify.status == 64 && verify.stderr.contains("--as goes with --accept-rollback"), "\(verify.stderr)")
    }

    @Test func throughAServerEveryReadRefusesAs() throws {
        try DocketMode.server.run {
            try setUp()
            for arguments in [["queue"], ["client", "list"], ["report", "sla", "--from", "2026-11-01", "--to", "2026-12-01"]] {
                let run = try docket(arguments + ["--as", "bob"])
                #expect(run.status == 64 && run.stderr.contains("--as is refused through a server"), "\(arguments): \(run.stderr)")
                #expect(try docket(arguments).status == 0, "\(arguments)")
            }
        }
    }
}
