import Foundation
import TestSupport
import Testing

/// `--command-id` makes a retry write nothing: an id is its user's, and Docket's own forms are not for the taking.
@Suite struct CommandIdTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func tickets() throws -> String { try docket(["ticket", "list", "--json"]).stdout }

    @Test(arguments: DocketMode.allCases) func aCommandIdIsItsUsersAndDocketsOwnFormsAreRefused(_ mode: DocketMode) throws {
        try mode.run(aCommandIdIsItsUsersAndDocketsOwnFormsAreRefused)
    }
    func aCommandIdIsItsUsersAndDocketsOwnFormsAreRefused() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        for login in ["bob", "dora"] {
            try docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", "tech"])
        }
        for code in ["acme", "globex"] {
            let run = try docket(["client", "add", code, "--name", code, "--domain", "\(code).example", "--time-zone", "UTC", "--currency", "EUR"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--command-id", "retry-1"], as: "bob").stdout == "T-1001\n")
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--command-id", "retry-1"], as: "bob").stdout == "T-1001\n")
        // Dora picked the same id for her own P1: refused, never answered with bob's ticket.
        try docket(["queue"], as: "dora")  // dora's token (server mode) is made before the count
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout
        let theirs = try docket(["ticket", "open", "--client", "globex", "--subject", "Down", "--priority", "P1", "--command-id", "retry-1"], as: "dora")
        #expect(theirs.status == 65, "\(theirs.stderr)")
        #expect(theirs.stderr == "docket: error: command id retry-1 was already used by another user; use a new command id\n")
        // An id of the form Docket gives a mail it takes would make that mail a "duplicate" when it comes.
        let claimed = try docket(["ticket", "comment", "T-1001", "x", "--internal", "--command-id", "mail:urgent-1@acme.example"], as: "bob")
        #expect(claimed.status == 64)
        #expect(claimed.stderr.contains("--command-id 'mail:urgent-1@acme.example' starts with 'mail:', which Docket keeps for the mail it takes and sends; choose another id"))
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before, "nothing written")
        let mail = "From: boss@acme.example\r\nSubject: Server down\r\nMessage-ID: <urgent-1@acme.example>\r\n\r\nhelp\r\n"
        let taken = try docket(["intake", "email"], stdin: mail, as: "intake")
        #expect(taken.stdout.hasPrefix("urgent-1@acme.example: opened T-1002"), "\(taken.stdout) \(taken.stderr)")
    }
}
