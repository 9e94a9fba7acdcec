import Foundation
import TestSupport
import Testing

@testable import DocketCLI

/// `docket user|client|contract|template …` through the built binary: output, exit codes, and what reaches the log.
@Suite struct DirectoryCommandsTests {
    let folder = TemporaryFolder("docket-directory")
    var store: String { folder.child("store") }

    // MARK: - Helpers

    /// Runs `docket args…` as ann (the first admin) unless `environment` says otherwise.
    @discardableResult
    func docket(_ arguments: [String], environment: [String: String] = [:]) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: environment)
    }

    /// Runs a command that must succeed and returns its stdout.
    @discardableResult
    func ok(_ arguments: [String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> String
    {
        let run = try docket(arguments, environment: environment)
        #expect(run.status == 0, "docket \(arguments.joined(separator: " ")): \(run.stderr)", sourceLocation: sourceLocation)
        return run.stdout
    }

    /// The JSON a `--json` command printed.
    func json(_ arguments: [String], environment: [String: String] = [:]) throws -> Any {
        let run = try docket(arguments, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    func jsonObject(_ arguments: [String], environment: [String: String] = [:]) throws -> [String: Any] {
        try #require(try json(arguments, environment: environment) as? [String: Any])
    }

    func jsonArray(_ arguments: [String], environment: [String: String] = [:]) throws -> [[String: Any]] {
        try #require(try json(arguments, environment: environment) as? [[String: Any]])
    }

    /// How many events the whole log holds.
    func eventCount() throws -> Int {
        try jsonArray(["log", "--json", "--limit", "100000"]).count
    }

    /// A store with ann as admin, plus `users` (login → role).
    func givenStore(users: [String: String] = [:]) throws {
        try ok(["init", "--email", "ann@msp.example"])
        try StoreSetUp.addUsers(users.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) { try docket($0) }
    }

    func givenClient(_ code: String = "acme") throws {
        try ok(["client", "add", code, "--name", "Acme Corp", "--time-zone", "Europe/Berlin", "--currency", "EUR"])
    }

    /// SLA policies on the built-in 24x7 calendar: contracts may name only policies that exist.
    func givenPolicies(_ names: String...) throws {
        let file = folder.child("policy.yaml")
        let targets = ["P1", "P2", "P3", "P4"].map { "  \($0): {responseMinutes: 60, resolutionMinutes: 480}" }.joined(separator: "\n")
        try Data("calendar: 24x7\ntargets:\n\(targets)\n".utf8).write(to: URL(fileURLWithPath: file))
        for name in names {
            try ok(["sla-policy", "define", name, "--name", name.capitalized, "--file", file, "--effective", "2020-01-01"])
        }
    }

    // MARK: - Users

    @Test func anAdminAddsUsersOfEveryRoleAndTheListShowsThem() throws {
        try ok(["init", "--email", "ann@msp.example"])
        let roles = ["tom": "tech", "dora": "dispatcher", "bill": "billing", "ada": "admin"]
        for (login, role) in roles.sorted(by: { $0.key < $1.key }) {
            let out = try ok(["user", "add", login, "--name", login.capitalized, "--email", "\(login)@MSP.example", "--role", role])
            #expect(out == "added user \(login) (\(role))\n")
        }
        let users = try jsonArray(["user", "list", "--json"])
        let byLogin = Dictionary(uniqueKeysWithValues: users.map { ($0["login"] as? String ?? "", $0) })
        #expect(users.compactMap { $0["login"] as? String } == ["ada", "ann", "bill", "dora", "tom"])
        for (login, role) in roles {
            #expect(byLogin[login]?["role"] as? String == role)
            #expect(byLogin[login]?["email"] as? String == "\(login)@msp.example", "e-mail is lower-cased")
            #expect(byLogin[login]?["active"] as? Bool == true)
        }
        #expect(byLogin["ann"]?["role"] as? String == "admin", "docket init made the acting user the first admin")

        let table = try ok(["user", "list"])
        #expect(table.hasPrefix("LOGIN"))
        #expect(table.contains("dora") && table.contains("dispatcher"))
    }

    @Test func roleChangesAndDeactivationShowAndRepeatsChangeNothing() throws {
        try givenStore(users: ["tom": "tech"])
        #expect(try ok(["user", "role", "tom", "dispatcher"]) == "user tom is now dispatcher\n")
        #expect(try ok(["user", "role", "tom", "dispatcher"]) == "user tom: nothing to change\n")
        #expect(try ok(["user", "deactivate", "tom"]) == "deactivated user tom\n")
        let before = try eventCount()
        #expect(try ok(["user", "deactivate", "tom"]) == "user tom: nothing to change\n")
        #expect(try eventCount() == before)
        let tom = try jsonObject(["user", "show", "tom", "--json"])
        #expect(tom["role"] as? String == "dispatcher")
        #expect(tom["active"] as? Bool == false)
        #expect(try ok(["user", "reactivate", "tom"]) == "reactivated user tom\n")
        #expect(try jsonObject(["user", "show", "tom", "--json"])["active"] as? Bool == true)

        let missing = try docket(["user", "show", "nobody"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("unknown user nobody"))
    }

    /// Changing an unknown user names the login (it said "no such user"); a non-admin is still forbidden first.
    /// `unlink-os` says which uid it unlinked, and when none was linked says so and writes nothing.
    @Test func userChangesNameTheUserAndUnlinkingSaysWhatItDid() throws {
        try givenStore(users: ["tom": "tech"])
        for command in [["deactivate", "nosuch"], ["reactivate", "nosuch"], ["role", "nosuch", "tech"], ["unlink-os", "nosuch"]] {
            let run = try docket(["user"] + command)
            #expect(run.status == 4, "\(command): \(run.stderr)")
            #expect(run.stderr == "docket: error: unknown user nosuch; list users with `docket user list`\n", "\(command)")
        }
        #expect(try docket(["user", "deactivate", "nosuch", "--as", "tom"]).status == 5)
        #expect(try ok(["user", "link-os", "tom", "--uid", "1001"]) == "uid 1001 acts as user tom on the server's socket\n")
        #expect(try ok(["user", "unlink-os", "tom"]) == "unlinked uid 1001 from user tom\n")
        #expect(try jsonObject(["user", "show", "tom", "--json"])["osUid"] == nil)
        let before = try eventCount()
        #expect(try ok(["user", "unlink-os", "tom"]) == "user tom has no linked OS account; nothing to change\n")
        #expect(try eventCount() == before)
    }

    @Test func aTechCannotAddUsers() throws {
        try givenStore(users: ["tom": "tech"])
        let before = try eventCount()
        let run = try docket(["user", "add", "eve", "--name", "Eve", "--email", "eve@msp.example", "--role", "admin", "--as", "tom"])
        #expect(run.status == 5)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(run.stderr.contains("role tech cannot manage users"))
        #expect(run.stderr.contains("admin"))
        #expect(try eventCount() == before)
    }

    @Test(arguments: [
        ["user", "add", "eve", "--name", "Eve", "--email", "eve@msp.example", "--role", "admin"],
        ["client", "add", "evil", "--name", "Evil", "--time-zone", "UTC", "--currency", "EUR"],
        ["template", "add", "evil", "--body", "Hello"],
        ["user", "deactivate", "ann"],
    ])
    func anUnknownActingUserIsNotFoundAndWritesNothing(arguments: [String]) throws {
        try givenStore()
        let before = try eventCount()
        let run = try docket(arguments, environment: ["DOCKET_USER": "mallory"])
        #expect(run.status == 4)
        #expect(run.stderr.contains("unknown user mallory"))
        #expect(try eventCount() == before)
    }

    // MARK: - Clients

    @Test func clientsAndTheirContactsShowInListAndShow() throws {
        try givenStore()
        let added = try ok([
            "client", "add", "acme", "--name", "Acme Corp", "--domain", "Acme.example", "--domain", "mail.acme.example",
            "--time-zone", "Europe/Berlin", "--currency", "EUR",
        ])
        #expect(added == "added client acme (Acme Corp)\n")
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Jane Doe", "--email", "jane@acme.example", "--phone", "+49 30 1234"]) == "acme-1\n")
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Joe Bloggs", "--email", "joe@acme.example", "--id", "joe"]) == "joe\n")
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Kim", "--email", "kim@acme.example"]) == "acme-3\n")

        // Updating without --phone keeps the number; removing drops the contact.
        #expect(try ok(["client", "contact", "update", "acme", "acme-1", "--name", "Jane Smith", "--email", "jane@acme.example"]).contains("updated contact acme-1"))
        #expect(try ok(["client", "contact", "remove", "acme", "acme-3"]) == "removed contact acme-3 of client acme\n")
        // A removed contact's id is never given to the next one (a portal session or a ticket names it).
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Lee", "--email", "lee@acme.example"]) == "acme-4\n")
        #expect(try ok(["client", "contact", "remove", "acme", "acme-4"]) == "removed contact acme-4 of client acme\n")

        let acme = try jsonObject(["client", "show", "acme", "--json"])
        #expect(acme["name"] as? String == "Acme Corp")
        #expect(acme["domains"] as? [String] == ["acme.example", "mail.acme.example"])
        #expect(acme["timeZone"] as? String == "Europe/Berlin")
        #expect(acme["currency"] as? String == "EUR")
        let contacts = try #require(acme["contacts"] as? [[String: Any]])
        #expect(contacts.compactMap { $0["id"] as? String } == ["acme-1", "joe"])
        #expect(contacts.first?["name"] as? String == "Jane Smith")
        #expect(contacts.first?["phone"] as? String == "+49 30 1234")

        let shown = try ok(["client", "show", "acme"])
        #expect(shown.contains("ID"))
        #expect(shown.contains("acme-1") && shown.contains("joe@acme.example"))
        #expect(!shown.contains("kim@acme.example"))

        try ok(["client", "add", "globex", "--name", "Globex", "--time-zone", "America/New_York", "--currency", "USD"])
        #expect(try ok(["client", "update", "globex", "--name", "Globex Inc"]) == "updated client globex\n")
        #expect(try ok(["client", "update", "globex", "--name", "Globex Inc"]) == "client globex: nothing to change\n")
        try ok(["client", "deactivate", "globex"])
        let clients = try jsonArray(["client", "list", "--json"])
        #expect(clients.compactMap { $0["code"] as? String } == ["acme", "globex"])
        #expect(clients.last?["name"] as? String == "Globex Inc")
        #expect(clients.last?["active"] as? Bool == false)
        #expect(try ok(["client", "list"]).contains("Globex Inc"))
        // Current and former clients apart (the list mixed them, told apart only by the ACTIVE column).
        #expect(try jsonArray(["client", "list", "--active", "--json"]).compactMap { $0["code"] as? String } == ["acme"])
        #expect(try jsonArray(["client", "list", "--former", "--json"]).compactMap { $0["code"] as? String } == ["globex"])
        #expect(try docket(["client", "list", "--active", "--former"]).status == 64)

        let duplicate = try docket(["client", "contact", "add", "acme", "--name", "Again", "--email", "jane@acme.example"])
        #expect(duplicate.status == 6)
        #expect(duplicate.stderr.contains("already has the e-mail"))
    }

    @Test(arguments: [
        ["Mars/Olympus_Mons", "EUR", "time zone \"Mars/Olympus_Mons\""], ["Europe/Berlin", "euro", "currency \"euro\""],
        ["Europe/Berlin", "ABC", "currency \"ABC\" is not an ISO 4217"],
    ])
    func anInvalidTimeZoneOrCurrencyIsBadInput(case: [String]) throws {
        let (timeZone, currency, named) = (`case`[0], `case`[1], `case`[2])
        try givenStore()
        let before = try eventCount()
        let run = try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", timeZone, "--currency", currency])
        #expect(run.status == 65)
        #expect(run.stderr.contains(named))
        #expect(try eventCount() == before)
    }

    // MARK: - Contracts

    /// Terms in force at `instant` as `contract show --json` reports them.
    func inForce(_ contract: String, at instant: String) throws -> [String: Any]? {
        try jsonObject(["contract", "show", contract, "--at", instant, "--json"])["inForce"] as? [String: Any]
    }

    @Test func showNamesTheAmendmentInForceEvenWhenRecordedOutOfOrder() throws {
        try givenStore()
        try givenClient()
        try givenPolicies("gold", "platinum")
        #expect(
            try ok([
                "contract", "add", "acme-2026", "--client", "acme", "--name", "Managed services", "--effective", "2026-01-01T00:00:00Z",
                "--sla-policy", "gold", "--terms", #"{"model": "hourly", "currency": "EUR", "rates": {"*": 9500}}"#,
            ]) == "added contract acme-2026 for acme, in force from 2026-01-01 01:00 CET\n", "in the client's zone, as contract show gives it")
        // Recorded first, effective later.
        #expect(try ok(["contract", "amend", "acme-2026", "--effective", "2026-07-01T00:00:00Z", "--terms", #"{"model": "hourly", "currency": "EUR", "rates": {"*": 9900}}"#])
            == "contract acme-2026: amendment 1, in force from 2026-07-01 02:00 CEST\n")
        // Recorded later, effective earlier.
        #expect(try ok(["contract", "amend", "acme-2026", "--effective", "2026-04-01T00:00:00Z", "--sla-policy", "platinum"])
            == "contract acme-2026: amendment 2, in force from 2026-04-01 02:00 CEST\n")

        let february = try #require(try inForce("acme-2026", at: "2026-02-01"))
        #expect(february["amendment"] as? Int == 0)
        #expect(february["slaPolicy"] as? String == "gold")
        #expect(((february["terms"] as? [String: Any])?["rates"] as? [String: Any])?["*"] as? Int == 9500)

        let may = try #require(try inForce("acme-2026", at: "2026-05-01T12:00:00Z"))
        #expect(may["amendment"] as? Int == 2)
        #expect(may["slaPolicy"] as? String == "platinum")
        #expect(((may["terms"] as? [String: Any])?["rates"] as? [String: Any])?["*"] as? Int == 9500, "copied from the terms in force then")

        let august = try #require(try inForce("acme-2026", at: "2026-08-01"))
        #expect(august["amendment"] as? Int == 1)
        #expect(august["slaPolicy"] as? String == "gold", "the later-recorded amendment does not reach past July")
        #expect(((august["terms"] as? [String: Any])?["rates"] as? [String: Any])?["*"] as? Int == 9900)

        let shown = try jsonObject(["contract", "show", "acme-2026", "--at", "2026-08-01", "--json"])
        let versions = try #require(shown["versions"] as? [[String: Any]])
        #expect(versions.compactMap { $0["amendment"] as? Int } == [0, 1, 2])
        #expect(versions.compactMap { $0["effectiveFrom"] as? String }
            == ["2026-01-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"])

        // Without --at, "now" comes from the clock.
        let now = try jsonObject(["contract", "show", "acme-2026", "--json"], environment: ["DOCKET_NOW": "2026-04-15T00:00:00Z"])
        #expect((now["inForce"] as? [String: Any])?["amendment"] as? Int == 2)
        let listed = try jsonArray(["contract", "list", "--client", "acme", "--json"], environment: ["DOCKET_NOW": "2026-09-01T00:00:00Z"])
        #expect(listed.compactMap { $0["id"] as? String } == ["acme-2026"])
        #expect((listed.first?["inForce"] as? [String: Any])?["amendment"] as? Int == 1)

        let human = try ok(["contract", "show", "acme-2026", "--at", "2026-05-01T00:00:00Z"])
        // In the client's zone (Berlin), as its --effective dates are read: it printed 2026-05-01T00:00:00Z.
        #expect(human.contains("in force at 2026-05-01 02:00 CEST: amendment 2"), "\(human)")
        #expect(human.contains("AMENDMENT"))
    }

    @Test func beforeTheStartAndAfterTheEndNoTermsAreInForce() throws {
        try givenStore()
        try givenClient()
        try givenPolicies("gold")
        try ok(["contract", "add", "acme-2026", "--client", "acme", "--name", "Managed services", "--effective", "2026-01-01T00:00:00Z", "--sla-policy", "gold"])
        #expect(try ok(["contract", "end", "acme-2026", "--effective", "2027-01-01T00:00:00Z"]) == "contract acme-2026 ends at 2027-01-01 01:00 CET\n")

        #expect(try jsonObject(["contract", "show", "acme-2026", "--at", "2025-12-31", "--json"])["inForce"] is NSNull)
        let before = try docket(["contract", "show", "acme-2026", "--at", "2025-12-31T00:00:00Z"])
        #expect(before.status == 0)
        #expect(before.stdout.contains("no terms in force at 2025-12-31 01:00 CET"), "\(before.stdout)")
        #expect(before.stdout.contains("starts at 2026-01-01 01:00 CET"))
        let after = try docket(["contract", "show", "acme-2026", "--at", "2027-01-01T00:00:00Z"])
        #expect(after.status == 0)
        #expect(after.stdout.contains("no terms in force at 2027-01-01 01:00 CET"))
        #expect(after.stdout.contains("ended at 2027-01-01 01:00 CET"))
        let listed = try ok(["contract", "list"])
        #expect(listed.contains("2026-01-01 01:00 CET") && listed.contains("2027-01-01 01:00 CET"), "\(listed)")
        #expect(try inForce("acme-2026", at: "2026-12-31T23:59:59Z")?["amendment"] as? Int == 0)
    }

    @Test func billingMayAddContractsButATechMayNot() throws {
        try givenStore(users: ["bill": "billing", "tom": "tech"])
        try givenClient()
        let before = try eventCount()
        let refused = try docket(["contract", "add", "acme-x", "--client", "acme", "--name", "X", "--effective", "2026-01-01", "--as", "tom"])
        #expect(refused.status == 5)
        #expect(refused.stderr.contains("role tech cannot change contracts"))
        #expect(try eventCount() == before)

        let added = try docket(["contract", "add", "acme-x", "--client", "acme", "--name", "X", "--effective", "2026-01-01", "--as", "bill"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try eventCount() == before + 1)
        let log = try jsonArray(["log", "--json", "--stream", "contract-acme-x"])
        #expect(log.first?["actor"] as? String == "bill")
    }

    @Test(arguments: [(#"{"hourlyRate": 95"#, "is not valid JSON"), (#"{"hourlyRate": 95.5}"#, "whole numbers"),
        (#"{"model": "hourly", "currency": "EUR", "rates": {"*": 9500}, "hourlyRate": 1}"#, "billingTerms.hourlyRate is not a billing term"),
    ])
    func unusableTermsAreBadInputNamingTheFlag(terms: String, reason: String) throws {
        try givenStore()
        try givenClient()
        let before = try eventCount()
        let run = try docket(["contract", "add", "acme-x", "--client", "acme", "--name", "X", "--effective", "2026-01-01", "--terms", terms])
        #expect(run.status == 65)
        #expect(run.stderr.contains("--terms"))
        #expect(run.stderr.contains(reason))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(try eventCount() == before)
    }

    @Test func anUnknownContractOrClientIsNotFound() throws {
        try givenStore()
        let show = try docket(["contract", "show", "nope"])
        #expect(show.status == 4)
        #expect(show.stderr.contains("unknown contract nope"))
        let list = try docket(["contract", "list", "--client", "nope"])
        #expect(list.status == 4)
        #expect(list.stderr.contains("unknown client nope"))
        let add = try docket(["contract", "add", "nope-1", "--client", "nope", "--name", "X", "--effective", "2026-01-01"])
        #expect(add.status == 4)
    }

    // MARK: - Templates

    @Test func aTemplateWithAnUnknownPlaceholderIsBadInput() throws {
        try givenStore()
        let before = try eventCount()
        let run = try docket(["template", "add", "ack", "--body", "Hi {{contact.nickname}}"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("unknown placeholder {{contact.nickname}}"))
        #expect(try eventCount() == before)
        #expect(try jsonArray(["template", "list", "--json"]).allSatisfy { $0["origin"] as? String == "default" })
    }

    @Test func templatesShowInListAndShow() throws {
        try givenStore(users: ["dora": "dispatcher", "tom": "tech"])
        #expect(try ok(["template", "add", "ack", "--subject", "Re: {{ticket.subject}}", "--body", "Hi {{contact.name}},\nwe are on {{ticket.number}}."]) == "added template ack\n")
        try ok(["template", "add", "closing", "--body", "Closed by {{tech.name}}."], environment: ["DOCKET_USER": "dora"])
        let forbidden = try docket(["template", "add", "nope", "--body", "x", "--as", "tom"])
        #expect(forbidden.status == 5)

        let list = try jsonArray(["template", "list", "--json"]).filter { $0["origin"] as? String == "custom" }
        #expect(list.compactMap { $0["name"] as? String } == ["ack", "closing"])
        #expect(list.last?["subject"] is NSNull)
        #expect(try ok(["template", "list"]).contains("Re: {{ticket.subject}}"))

        // Updating without --subject keeps it.
        #expect(try ok(["template", "update", "ack", "--body", "Hello {{contact.name}}."]) == "updated template ack\n")
        let ack = try jsonObject(["template", "show", "ack", "--json"])
        #expect(ack["subject"] as? String == "Re: {{ticket.subject}}")
        #expect(ack["body"] as? String == "Hello {{contact.name}}.")
        #expect(try ok(["template", "show", "ack"]).contains("Hello {{contact.name}}."))

        #expect(try ok(["template", "remove", "closing"]) == "removed template closing\n")
        #expect(try ok(["template", "remove", "closing"]) == "template closing was already removed; nothing to change\n")
        #expect(try jsonArray(["template", "list", "--json"]).filter { $0["origin"] as? String == "custom" }.compactMap { $0["name"] as? String } == ["ack"])
        #expect(try docket(["template", "show", "closing"]).status == 4)
    }

    @Test func templateListShowsTheShippedMailDefaultsBesideTheStoredOnes() throws {
        try givenStore(users: ["dora": "dispatcher"])
        let shipped = ["mail-acknowledgement", "mail-follow-up", "mail-merged", "mail-reply", "mail-resolution", "mail-sign-in", "mail-sla-breach", "mail-sla-escalation", "mail-sla-warning"]
        let fresh = try jsonArray(["template", "list", "--json"])
        #expect(fresh.compactMap { $0["name"] as? String } == shipped)
        #expect(fresh.allSatisfy { $0["origin"] as? String == "default" && ($0["body"] as? String)?.isEmpty == false })

        try ok(["template", "add", "ack", "--body", "Hi {{contact.name}}."], environment: ["DOCKET_USER": "dora"])
        try ok(["template", "update", "mail-reply", "--body", "{{reply.text}}"], environment: ["DOCKET_USER": "dora"])
        let list = try jsonArray(["template", "list", "--json"])
        #expect(list.compactMap { $0["name"] as? String } == ["ack"] + shipped, "one row per name, in name order")
        let origins = Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0["origin"] as? String ?? "") })
        #expect(origins["ack"] == "custom" && origins["mail-reply"] == "custom" && origins["mail-acknowledgement"] == "default")
        #expect(list.first { $0["name"] as? String == "mail-reply" }?["body"] as? String == "{{reply.text}}")

        let table = try ok(["template", "list"])
        #expect(table.hasPrefix("NAME"), "\(table)")
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("mail-reply") && $0.contains("custom") })
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("mail-sign-in") && $0.contains("default") })
        #expect(try jsonObject(["template", "show", "mail-sign-in", "--json"])["origin"] as? String == "default")

        try ok(["template", "remove", "mail-reply"], environment: ["DOCKET_USER": "dora"])
        #expect(try jsonArray(["template", "list", "--json"]).first { $0["name"] as? String == "mail-reply" }?["origin"] as? String == "default")
    }

    /// Removing a template names it whatever happens: a mail template on its shipped default (never stored, or stored
    /// and removed) is already the default (exit 0, nothing written), a removed one was already removed, one never added
    /// is unknown (exit 4); permission is checked first.
    @Test func removingATemplateNamesIt() throws {
        try givenStore(users: ["dora": "dispatcher", "tom": "tech"])
        let before = try eventCount()
        #expect(try ok(["template", "remove", "mail-reply"]) == "template mail-reply is already the default; nothing to change\n")
        #expect(try eventCount() == before, "nothing written")
        let ghost = try docket(["template", "remove", "ghost"])
        #expect(ghost.status == 4)
        #expect(ghost.stderr == "docket: error: unknown template ghost; list templates with `docket template list`\n")
        let stranger = try docket(["template", "remove", "mail-reply", "--as", "tom"])
        #expect(stranger.status == 5, "\(stranger.stderr)")
        let update = try docket(["template", "update", "ghost", "--body", "x", "--subject", "s"])
        #expect(update.status == 4, "\(update.stderr)")
        #expect(update.stderr == "docket: error: unknown template ghost; add it with `docket template add ghost --body …`, or list templates with `docket template list`\n")
        #expect(try eventCount() == before, "nothing written")
        try ok(["template", "update", "mail-reply", "--body", "{{reply.text}}"])
        #expect(try ok(["template", "remove", "mail-reply"]) == "removed template mail-reply\n")
        #expect(try ok(["template", "remove", "mail-reply"]) == "template mail-reply is already the default; nothing to change\n")
    }

    // MARK: - Parsing

    @Test func nestedContactCommandsAndTimesParse() throws {
        let contact = try #require(
            try DocketCommand.parseAsRoot(["client", "contact", "add", "acme", "--name", "J", "--email", "j@a.example"]) as? ClientContactAdd)
        #expect(contact.code == "acme")
        #expect(contact.id == nil)
        let show = try #require(try DocketCommand.parseAsRoot(["contract", "show", "c-1", "--at", "2026-03-01"]) as? ContractShow)
        #expect(show.at?.timestamp.iso8601 == "2026-03-01T00:00:00.000Z")
        let role = try #require(try DocketCommand.parseAsRoot(["user", "role", "bob", "billing"]) as? UserRole)
        #expect(role.role == .billing)
    }

    @Test(arguments: [
        ["user", "add", "bob", "--name", "Bob", "--email", "b@x.example", "--role", "wizard"],
        ["contract", "amend", "c-1", "--effective", "next tuesday", "--terms", "{}"],
        ["contract", "end", "c-1"],
        ["client", "contact", "frobnicate", "acme"],
    ])
    func badUsageIsRejected(arguments: [String]) {
        #expect(throws: (any Error).self) { try DocketCommand.parseAsRoot(arguments) }
    }
}
