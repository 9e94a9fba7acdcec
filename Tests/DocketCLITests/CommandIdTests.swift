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

    @Test(arguments: DocketMode.allCases) func aCommandIdIsOneCommandsAndEveryCommandChecksItsUser(_ mode: DocketMode) throws {
        try mode.run(aCommandIdIsOneCommandsAndEveryCommandChecksItsUser)
    }
    /// The probe's cases: an id reused for another command printed the new command's success and did nothing (a close,
    /// an assignment, a timer stop that never happened); another user's id on a ticket command dropped their comment.
    func aCommandIdIsOneCommandsAndEveryCommandChecksItsUser() throws {
        try docket(["init"])
        for login in ["bob", "carol", "dora"] {
            try docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", "tech"])
        }
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"])
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed"], as: "bob")
        try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob")
        for login in ["carol", "dora"] { try docket(["queue"], as: login) }  // their tokens (server mode) before the counts
        #expect(try docket(["ticket", "comment", "T-1001", "note", "--internal", "--command-id", "k1"], as: "bob").status == 0)
        // The same command again, the id given as --command-id=: a retry.
        let retry = try docket(["ticket", "comment", "T-1001", "note", "--internal", "--command-id=k1"], as: "bob")
        #expect(retry.status == 0, "\(retry.stderr)")
        try docket(["time", "log", "T-1002", "15m", "--command-id", "job-42"], as: "bob")
        try docket(["time", "start", "T-1001"], as: "bob")
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout
        let reused = [
            (["ticket", "close", "T-1001", "--resolution", "fixed", "--time", "30m", "--command-id", "k1"], "bob", "another command"),
            (["ticket", "assign", "T-1001", "--to", "dora", "--command-id", "k1"], "bob", "another command"),
            (["time", "stop", "--command-id", "job-42"], "bob", "another command"),
            (["ticket", "comment", "T-1001", "carol's note", "--command-id", "k1"], "carol", "another user"),
            (["ticket", "merge", "T-1002", "--into", "T-1001", "--command-id", "k1"], "carol", "another user"),
        ]
        for (arguments, user, why) in reused {
            let run = try docket(arguments, as: user)
            #expect(run.status == 65, "\(arguments): \(run.stdout) \(run.stderr)")
            let expected = why == "another user" ? "was already used by another user" : "was already used for another command"
            #expect(run.stderr.hasPrefix("docket: error: command id ") && run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        }
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before, "nothing written")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
        let show = try #require(shown["ticket"] as? [String: Any])
        #expect(show["status"] as? String == "in-progress", "T-1001 was not closed (bob's timer moved it from New): \(show["status"] ?? "")")
        #expect(show["assignee"] == nil, "nor assigned")
    }

    /// A command reading a file is the command line and the file's content: retried under the same id after the file
    /// changed, it is refused (exit 65), not answered "amended SLA policy gold" while the new targets were never
    /// recorded. The same content written another way (JSON for YAML) is the same request: a retry.
    @Test(arguments: DocketMode.allCases) func aFileChangedSinceIsAnotherCommandNotARetry(_ mode: DocketMode) throws {
        try mode.run(aFileChangedSinceIsAnotherCommandNotARetry)
    }
    func aFileChangedSinceIsAnotherCommandNotARetry() throws {
        try docket(["init"])
        let write = { (name: String, text: String) -> String in
            let path = self.folder.child(name)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            return path
        }
        let office = write("office.yaml", SLAFiles.officeCalendar(timeZone: "UTC"))
        #expect(try docket(["calendar", "define", "office", "--name", "Office", "--file", office, "--effective", "2026-01-01"]).status == 0)
        let policy = { (p1: Int) in
            "calendar: office\ntargets:\n  P1: {responseMinutes: \(p1), resolutionMinutes: 240}\n  P2: {responseMinutes: 60, resolutionMinutes: 480}\n"
                + "  P3: {responseMinutes: 240, resolutionMinutes: 960}\n  P4: {responseMinutes: 480, resolutionMinutes: 2400}\n"
        }
        let gold = write("gold.yaml", policy(30))
        #expect(try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", gold, "--effective", "2026-01-01"]).status == 0)
        _ = write("gold.yaml", policy(20))
        let amend = ["sla-policy", "amend", "gold", "--file", gold, "--effective", "2027-01-01", "--command-id", "pol-2"]
        let amended = "amended SLA policy gold, in force from 2027-01-01 00:00 UTC\n"
        let first = try docket(amend)
        #expect(first.stdout == amended, "\(first.stderr)")
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout
        #expect(try docket(amend).stdout == amended, "a retry")
        _ = write("gold.yaml", policy(15))
        let changed = try docket(amend)
        #expect(changed.status == 65, "\(changed.stdout)")
        #expect(changed.stderr.hasPrefix("docket: error: command id pol-2 was already used for another command (sla-policy.amended"), "\(changed.stderr)")
        // The first content again, as JSON: the same request.
        let json = #"{"calendar":"office","targets":{"P1":{"responseMinutes":20,"resolutionMinutes":240},"# +
            #""P2":{"responseMinutes":60,"resolutionMinutes":480},"P3":{"responseMinutes":240,"resolutionMinutes":960},"# +
            #""P4":{"responseMinutes":480,"resolutionMinutes":2400}}}"#
        _ = write("gold.yaml", json)
        #expect(try docket(amend).stdout == amended, "the same terms written as JSON: a retry")
        // Routing rules and calendars alike.
        let rules = write("rules.yaml", "rules:\n  - id: printers\n    match: {subjectContains: [printer]}\n    actions: {priority: P4}\n")
        #expect(try docket(["rules", "set", rules, "--command-id", "rules-1"]).status == 0)
        _ = write("rules.yaml", "rules:\n  - id: printers\n    match: {subjectContains: [printer]}\n    actions: {priority: P3}\n")
        #expect(try docket(["rules", "set", rules, "--command-id", "rules-1"]).status == 65)
        let holiday = write("holiday.yaml", SLAFiles.officeCalendar(timeZone: "UTC", holidays: ["2027-01-01"]))
        #expect(try docket(["calendar", "amend", "office", "--file", holiday, "--effective", "2027-01-01", "--command-id", "cal-2"]).status == 0)
        _ = write("holiday.yaml", SLAFiles.officeCalendar(timeZone: "UTC", holidays: ["2027-01-02"]))
        #expect(try docket(["calendar", "amend", "office", "--file", holiday, "--effective", "2027-01-01", "--command-id", "cal-2"]).status == 65)
        let after = try docket(["log", "--json", "--limit", "100000"]).stdout
        #expect(after.components(separatedBy: "\"position\"").count == before.components(separatedBy: "\"position\"").count + 2,
            "only the first rules and the first amendment of the calendar were written")
        let shown = try docket(["sla-policy", "show", "gold", "--at", "2027-01-02", "--json"]).stdout
        #expect(shown.contains("\"responseMinutes\" : 20") && !shown.contains("\"responseMinutes\" : 15"), "the first amendment's terms: \(shown)")
    }

    /// Contacts, tokens and webhook sources take `--command-id` like every other write: a retry writes nothing and
    /// answers what the first attempt did (the contact's id; for a token or a secret, that it exists and was shown once:
    /// a secret is never shown twice, and a retry never mints a second one).
    @Test(arguments: DocketMode.allCases) func contactsTokensAndHooksTakeACommandId(_ mode: DocketMode) throws {
        try mode.run(contactsTokensAndHooksTakeACommandId)
    }
    func contactsTokensAndHooksTakeACommandId() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "EUR"])
        let contact = ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example", "--command-id", "c-1"]
        #expect(try docket(contact).stdout == "acme-1\n")
        let token = try docket(["token", "create", "--user", "intake", "--name", "laptop", "--command-id", "t-1"])
        #expect(token.status == 0, "\(token.stderr)")
        let id = String(token.stdout.dropFirst(4).prefix(12))
        #expect(try docket(["token", "revoke", id, "--command-id", "r-1"]).stdout == "revoked token \(id)\n")
        let secret = try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "intake", "--command-id", "h-1"])
        #expect(secret.status == 0 && secret.stdout.hasPrefix("dkh_"), "\(secret.stderr)")
        let rotated = try docket(["hook", "rotate", "ninja", "--command-id", "h-2"])
        #expect(rotated.status == 0 && rotated.stdout.hasPrefix("dkh_"), "\(rotated.stderr)")
        let before = try docket(["log", "--json", "--limit", "100000"]).stdout

        let again = try docket(contact)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "acme-1\n")
        let tokenAgain = try docket(["token", "create", "--user", "intake", "--name", "laptop", "--command-id", "t-1"])
        #expect(tokenAgain.status == 0, "\(tokenAgain.stderr)")
        #expect(tokenAgain.stdout.contains("token \(id) was already created by command id t-1; its secret was shown only then"))
        #expect(!tokenAgain.stdout.contains("dkt_"), "the secret is not shown again")
        #expect(try docket(["token", "revoke", id, "--command-id", "r-1"]).stdout == "revoked token \(id)\n")
        #expect(try docket(["token", "revoke", id]).stdout == "token \(id) was already revoked; nothing to change\n")
        let hookAgain = try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "intake", "--command-id", "h-1"])
        #expect(hookAgain.status == 0, "\(hookAgain.stderr)")
        #expect(hookAgain.stdout.hasPrefix("webhook source ninja was already created by command id h-1"), "\(hookAgain.stdout)")
        let rotatedAgain = try docket(["hook", "rotate", "ninja", "--command-id", "h-2"])
        #expect(rotatedAgain.stdout.hasPrefix("webhook source ninja's secret was already rotated by command id h-2"), "\(rotatedAgain.stdout)")
        #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before, "nothing written")
        let misused = try docket(["hook", "rotate", "ninja", "--command-id", "h-1"])
        #expect(misused.status == 65, "an id that created the source is not a rotation's: \(misused.stderr)")
    }
}
