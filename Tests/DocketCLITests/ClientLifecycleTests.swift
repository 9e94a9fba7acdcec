import Foundation
import TestSupport
import Testing

/// A client's life through the binary, as an MSP's operator lives it: onboarding (domains, contacts, a contract),
/// running it (a contact leaves), offboarding (the contract ends, the client is deactivated), embedded and through
/// `docket serve`.
@Suite struct ClientLifecycleTests {
    let folder = TemporaryFolder("docket-client-life")
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    /// Runs a command that must succeed and returns its stdout.
    @discardableResult
    func ok(_ arguments: [String], stdin: String = "", as user: String = "ann", sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try docket(arguments, stdin: stdin, as: user)
        #expect(run.status == 0, "docket \(arguments.joined(separator: " ")): \(run.stderr)", sourceLocation: sourceLocation)
        return run.stdout
    }

    /// The whole log as `docket log --json` prints it (read as ann, whose token the served mode made first).
    func log() throws -> String { try ok(["log", "--json", "--limit", "100000"]) }

    /// A store with ann (admin) and intake (dispatcher); acme (New York, acme.example) with carla (acme-1) and dan
    /// (acme-2); and a triage client.
    func givenAcme() throws {
        try ok(["init", "--email", "ann@msp.example"])
        try ok(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        try ok(["client", "add", "acme", "--name", "Acme Dental", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"])
        try ok(["client", "add", "triage", "--name", "Triage", "--time-zone", "UTC", "--currency", "USD"])
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"]) == "acme-1\n")
        #expect(try ok(["client", "contact", "add", "acme", "--name", "Dan", "--email", "dan@acme.example"]) == "acme-2\n")
    }

    static func mail(id: String, from: String, subject: String, inReplyTo: String? = nil) -> String {
        var text = "From: \(from)\r\nTo: help@msp.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        if let inReplyTo { text += "In-Reply-To: <\(inReplyTo)>\r\nReferences: <\(inReplyTo)>\r\n" }
        return text + "\r\nHello,\r\nit is broken.\r\n"
    }

    func ticket(_ number: String) throws -> [String: Any] {
        let show = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["ticket", "show", number, "--json"]).utf8)) as? [String: Any])
        return try #require(show["ticket"] as? [String: Any])
    }

    // MARK: - A contact leaves

    /// Dan leaves Acme and is removed from its contacts: his address, still in acme's domain, must stop opening
    /// tickets for acme. It opened one (billable, on acme's queue) and the sender-contact reaction made him acme's
    /// contact again (`acme-3`, unverified), so removing a contact undid itself with his next mail. Now his new mail
    /// is refused as a stranger's is (exit 4, nothing written) or goes to the triage client, he is not added back, and
    /// his reply to his old ticket's mail is no reply of acme's.
    @Test(arguments: DocketMode.allCases) func aRemovedContactsMailOpensNoTicketForTheClient(_ mode: DocketMode) throws {
        try givenAcme()
        #expect(try ok(["intake", "email"], stdin: Self.mail(id: "d1@acme.example", from: "dan@acme.example", subject: "Printer"), as: "intake")
            == "d1@acme.example: opened T-1001\n")
        try mode.run {
            #expect(try ok(["client", "contact", "remove", "acme", "acme-2"]) == "removed contact acme-2 of client acme\n")
            try ok(["client", "list"], as: "intake")  // served: intake's token is made before the log is compared
            let before = try log()
            let refused = try docket(["intake", "email"], stdin: Self.mail(id: "d2@acme.example", from: "dan@acme.example", subject: "Still me"), as: "intake")
            #expect(refused.status == 4, "\(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr == """
                docket: error: mail from dan@acme.example is from a removed contact of client acme (someone who left it), and opens no ticket for it; \
                add the address as a contact again (`docket client contact add acme --email dan@acme.example …`) or pass --triage-client CODE to keep such mail

                """)
            #expect(try log() == before, "nothing written")

            let triaged = try docket(
                ["intake", "email", "--triage-client", "triage"], stdin: Self.mail(id: "d3@acme.example", from: "dan@acme.example", subject: "Still me"),
                as: "intake")
            #expect(triaged.stdout == "d3@acme.example: opened T-1002\n", "\(triaged.stderr)")
            #expect(try ticket("T-1002")["client"] as? String == "triage")
            #expect(try ticket("T-1002")["contact"] == nil)
            let reply = try docket(
                ["intake", "email", "--triage-client", "triage"],
                stdin: Self.mail(id: "d4@acme.example", from: "dan@acme.example", subject: "Re: Printer", inReplyTo: "d1@acme.example"), as: "intake")
            #expect(reply.stdout == "d4@acme.example: opened T-1003\n", "not a reply on acme's T-1001: \(reply.stderr)")
            #expect(try ticket("T-1003")["client"] as? String == "triage")

            let acme = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["client", "show", "acme", "--json"]).utf8)) as? [String: Any])
            let contacts = try #require(acme["contacts"] as? [[String: Any]])
            #expect(contacts.compactMap { $0["email"] as? String } == ["carla@acme.example"], "dan is not made acme's contact again")
            // Carla, still a contact, and a newcomer from acme's domain still open acme's tickets.
            #expect(try ok(["intake", "email"], stdin: Self.mail(id: "c1@acme.example", from: "carla@acme.example", subject: "VPN"), as: "intake")
                == "c1@acme.example: opened T-1004\n")
            #expect(try ticket("T-1004")["client"] as? String == "acme")
            // Taken back as a contact, dan opens acme's tickets again.
            #expect(try ok(["client", "contact", "add", "acme", "--name", "Dan", "--email", "dan@acme.example"]) == "acme-3\n")
            #expect(try ok(["intake", "email"], stdin: Self.mail(id: "d5@acme.example", from: "dan@acme.example", subject: "Back"), as: "intake")
                == "d5@acme.example: opened T-1005\n")
            #expect(try ticket("T-1005")["client"] as? String == "acme")
        }
    }

    // MARK: - Onboarding

    /// Two clients cannot share an e-mail domain: intake opens new mail from it for the first client by code only, so
    /// `client add gamma --domain acme.example` was taken without a word and gamma never got a mail (or, coded before
    /// acme, took acme's). Now it is refused (exit 6, one line naming the owner and the fix, nothing written), on
    /// `client update` too. A deactivated client's domain may go to another client, whose mail it then is.
    @Test(arguments: DocketMode.allCases) func aDomainAnotherActiveClientHasIsRefused(_ mode: DocketMode) throws {
        try givenAcme()
        try mode.run {
            let before = try log()
            let taken = try docket(["client", "add", "gamma", "--name", "Gamma", "--domain", "ACME.example", "--time-zone", "UTC", "--currency", "USD"])
            #expect(taken.status == 6, "\(taken.stdout)")
            #expect(taken.stderr == """
                docket: error: the e-mail domain acme.example is client acme's already, and its new mail opens acme's tickets; \
                leave it out for gamma, or take it off acme first (`docket client update acme --domain …` with the domains it keeps)

                """)
            #expect(try log() == before, "nothing written")
            try ok(["client", "add", "gamma", "--name", "Gamma", "--domain", "gamma.example", "--time-zone", "UTC", "--currency", "USD"])
            let update = try docket(["client", "update", "gamma", "--domain", "gamma.example", "--domain", "acme.example"])
            #expect(update.status == 6)
            #expect(update.stderr.hasPrefix("docket: error: the e-mail domain acme.example is client acme's already"), "\(update.stderr)")
            #expect(try ok(["client", "update", "acme", "--name", "Acme"]) == "updated client acme\n", "a client's own domains are not in its way")

            try ok(["client", "deactivate", "acme"])
            #expect(try ok(["client", "update", "gamma", "--domain", "gamma.example", "--domain", "acme.example"]) == "updated client gamma\n")
            try ok(["client", "list"], as: "intake")
            #expect(try ok(["intake", "email"], stdin: Self.mail(id: "n1@acme.example", from: "new@acme.example", subject: "Hello"), as: "intake")
                == "n1@acme.example: opened T-1001\n")
            #expect(try ticket("T-1001")["client"] as? String == "gamma", "the active client's domain, not the former client's")

            // Reactivating acme now would make two active clients of acme.example: refused, nothing written.
            let unchanged = try log()
            let reactivate = try docket(["client", "reactivate", "acme"])
            #expect(reactivate.status == 6)
            #expect(reactivate.stderr == """
                docket: error: client acme's e-mail domain acme.example is client gamma's now, and its new mail opens gamma's tickets; \
                to reactivate acme, take the domain off gamma first (`docket client update gamma --domain …` with the domains it keeps), \
                then give it back to whichever client it belongs to

                """)
            #expect(try log() == unchanged)
            try ok(["client", "update", "gamma", "--domain", "gamma.example"])
            #expect(try ok(["client", "reactivate", "acme"]) == "reactivated client acme\n")
        }
    }

    /// A contact's address may be another active client's contact no more than a domain may be another's: `client contact
    /// add beta --email carla@acme.example` was taken, and carla's mail kept opening acme's tickets (the first client by
    /// code) while beta's contact never got one. Refused now on `add` and `update` (exit 6, nothing written); a former
    /// client's contact's address may be added to another client.
    @Test(arguments: DocketMode.allCases) func aContactAddressAnotherActiveClientHasIsRefused(_ mode: DocketMode) throws {
        try givenAcme()
        try ok(["client", "add", "beta", "--name", "Beta", "--domain", "beta.example", "--time-zone", "UTC", "--currency", "USD"])
        try mode.run {
            let before = try log()
            let taken = try docket(["client", "contact", "add", "beta", "--name", "Carla", "--email", "Carla@acme.example"])
            #expect(taken.status == 6, "\(taken.stdout)")
            #expect(taken.stderr == """
                docket: error: carla@acme.example is client acme's contact acme-1 already, and mail and portal sign-ins from one address \
                belong to one client; give beta's contact another address, or remove it from acme first (`docket client contact remove acme acme-1`)

                """)
            #expect(try log() == before, "nothing written")
            #expect(try ok(["client", "contact", "add", "beta", "--name", "Bea", "--email", "bea@beta.example"]) == "beta-1\n")
            let update = try docket(["client", "contact", "update", "beta", "beta-1", "--name", "Bea", "--email", "dan@acme.example"])
            #expect(update.status == 6)
            #expect(update.stderr.hasPrefix("docket: error: dan@acme.example is client acme's contact acme-2 already"), "\(update.stderr)")
            // An outside address at acme's domain (a consultant) is still beta's to add, and a former client's contact too.
            #expect(try ok(["client", "contact", "add", "beta", "--name", "Eve", "--email", "eve@acme.example"]) == "beta-2\n")
            try ok(["client", "deactivate", "acme"])
            #expect(try ok(["client", "contact", "add", "beta", "--name", "Carla", "--email", "carla@acme.example"]) == "beta-3\n")
            // Reactivating acme would give carla's address to two active clients: refused until beta lets it go.
            let unchanged = try log()
            let reactivate = try docket(["client", "reactivate", "acme"])
            #expect(reactivate.status == 6)
            #expect(reactivate.stderr == """
                docket: error: client acme's contact acme-1 (carla@acme.example) is client beta's contact beta-3 now, and mail and portal \
                sign-ins from one address belong to one client; to reactivate acme, remove it from beta first (`docket client contact remove beta beta-3`)

                """)
            #expect(try log() == unchanged)
            try ok(["client", "contact", "remove", "beta", "beta-3"])
            #expect(try ok(["client", "reactivate", "acme"]) == "reactivated client acme\n")
        }
    }

    /// `client show` is the operator's look at a client: it gave the settings and the contacts only. It now names each
    /// contract with the terms in force now (or why none are), how many tickets are open, and which contacts intake
    /// made from mail and nobody confirmed (the portal refuses those, and nothing showed which they were).
    @Test(arguments: DocketMode.allCases) func clientShowGivesContractsOpenTicketsAndUnverifiedContacts(_ mode: DocketMode) throws {
        try givenAcme()
        let policy = folder.child("gold.yaml")
        let targets = ["P1", "P2", "P3", "P4"].map { "  \($0): {responseMinutes: 60, resolutionMinutes: 480}" }.joined(separator: "\n")
        try Data("calendar: 24x7\ntargets:\n\(targets)\n".utf8).write(to: URL(fileURLWithPath: policy))
        try ok(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2020-01-01"])
        try ok(["contract", "add", "acme-old", "--client", "acme", "--name", "Old MSA", "--effective", "2020-01-01T00:00:00Z"])
        try ok(["contract", "end", "acme-old", "--effective", "2021-01-01T00:00:00Z"])
        try ok([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "Acme MSA", "--effective", "2021-01-01T00:00:00Z", "--sla-policy", "gold",
            "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":12000}}"#,
        ])
        #expect(try ok(["intake", "email"], stdin: Self.mail(id: "p1@acme.example", from: "Pat <pat@acme.example>", subject: "VPN"), as: "intake")
            == "p1@acme.example: opened T-1001\n")
        try mode.run {
            let shown = try ok(["client", "show", "acme"])
            #expect(shown.contains("\ncontract acme-msa (Acme MSA): amendment 0 in force, SLA policy gold, billing terms (`docket contract show acme-msa`)\n"), "\(shown)")
            #expect(shown.contains("\ncontract acme-old (Old MSA): not in force: the contract ended at 2020-12-31 19:00 EST\n"), "\(shown)")
            #expect(shown.contains("\nopen tickets: 1 (`docket queue --client acme`)\n"), "\(shown)")
            let row = try #require(shown.split(separator: "\n").first { $0.hasPrefix("acme-3") })
            #expect(row.contains("Pat (unverified)"), "\(shown)")
            #expect(!shown.contains("Carla (unverified)"))

            let json = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["client", "show", "acme", "--json"]).utf8)) as? [String: Any])
            #expect(json["openTickets"] as? Int == 1)
            let contracts = try #require(json["contracts"] as? [[String: Any]])
            #expect(contracts.compactMap { $0["id"] as? String } == ["acme-msa", "acme-old"])
            #expect((contracts.first?["inForce"] as? [String: Any])?["slaPolicy"] as? String == "gold")
            #expect(contracts.last?["inForce"] is NSNull)
            let contacts = try #require(json["contacts"] as? [[String: Any]])
            #expect(contacts.map { $0["unverified"] as? Bool } == [nil, nil, true])
            let list = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["client", "list", "--json"]).utf8)) as? [[String: Any]])
            #expect(list.first?["contracts"] == nil && list.first?["openTickets"] == nil, "the list's rows are as they were")
        }
    }

    // MARK: - Offboarding

    /// Deactivating a client with open tickets said only `deactivated client acme` (later, a note): its tickets stayed
    /// on the queue, their SLA clocks running and breaching overnight for a client that was gone. It is now refused,
    /// exit 6 and nothing written, naming them and what to do: close or merge them, or keep them open on purpose
    /// (`--keep-open-tickets`, with the note as before).
    @Test(arguments: DocketMode.allCases) func deactivatingAClientWithOpenTicketsIsRefusedNamingThem(_ mode: DocketMode) throws {
        try givenAcme()
        for subject in ["Printer", "VPN"] { try ok(["ticket", "open", "--client", "acme", "--subject", subject]) }
        try ok(["client", "add", "beta", "--name", "Beta", "--time-zone", "UTC", "--currency", "USD"])
        try mode.run {
            let before = try log()
            let refused = try docket(["client", "deactivate", "acme"])
            #expect(refused.status == 6 && refused.stdout.isEmpty)
            #expect(refused.stderr == """
                docket: error: client acme is not deactivated: it has 2 open tickets (T-1001, T-1002) whose SLA clocks would keep running: \
                close or merge them first (`docket queue --client acme`), or add --keep-open-tickets

                """)
            #expect(try log() == before, "nothing written")
            let run = try docket(["client", "deactivate", "acme", "--keep-open-tickets"])
            #expect(run.status == 0 && run.stdout == "deactivated client acme\n")
            #expect(run.stderr == """
                docket: note: client acme has 2 open tickets (T-1001, T-1002); they stay open and keep their SLA clocks: \
                close or merge them (`docket queue --client acme`)

                """)
            let again = try docket(["client", "deactivate", "acme"])
            #expect(again.stdout == "client acme: nothing to change\n" && again.stderr.isEmpty, "\(again.stderr)")
            let quiet = try docket(["client", "deactivate", "beta"])
            #expect(quiet.stdout == "deactivated client beta\n" && quiet.stderr.isEmpty, "no open tickets, no note: \(quiet.stderr)")
        }
    }

    /// A client deactivated without ending its retainer contract was billed the monthly fee every month after, and
    /// `client deactivate` only noted it. It is now refused while a contract has no end (an ended contract is no reason),
    /// exit 6 and nothing written; `--end-contracts DATE` ends each such contract at DATE in the same append as the
    /// deactivation, so invoice runs bill its fees up to DATE and no further. An SLA-only contract counts too (it was
    /// neither named nor ended, so its SLA terms stayed in force for a client that was gone).
    @Test(arguments: DocketMode.allCases) func deactivatingAClientEndsItsContractsOrIsRefused(_ mode: DocketMode) throws {
        try givenAcme()
        try ok([
            "contract", "add", "acme-r", "--client", "acme", "--name", "Retainer", "--effective", "2026-01-01T00:00:00Z",
            "--terms", #"{"model":"retainer","currency":"USD","rates":{"*":10000},"retainer":{"monthlyFeeMinor":100000}}"#,
        ])
        try ok([
            "contract", "add", "acme-t", "--client", "acme", "--name", "Time", "--effective", "2026-02-01T00:00:00Z",
            "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":10000}}"#,
        ])
        try ok(["contract", "add", "acme-sla", "--client", "acme", "--name", "SLA only", "--effective", "2026-01-01T00:00:00Z"])
        try ok([
            "contract", "add", "acme-old", "--client", "acme", "--name", "Old", "--effective", "2025-01-01T00:00:00Z",
            "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":10000}}"#,
        ])
        try ok(["contract", "end", "acme-old", "--effective", "2026-01-01T00:00:00Z"])
        try ok(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"])
        try mode.run {
            for user in ["bill", "intake"] { try ok(["client", "show", "acme"], as: user) }
            let before = try log()
            let refused = try docket(["client", "deactivate", "acme"], as: "bill")
            #expect(refused.status == 6 && refused.stdout.isEmpty)
            #expect(refused.stderr == """
                docket: error: client acme is not deactivated: its contracts acme-r, acme-t have no end, so invoice runs would keep billing under \
                them, and its SLA-only contract acme-sla has no end, so its SLA terms would stay in force for a client that is gone: add \
                --end-contracts DATE to end them with the deactivation

                """)
            // A dispatcher manages clients, not contracts: ending them is billing's.
            #expect(try docket(["client", "deactivate", "acme", "--end-contracts", "2026-06-01"], as: "intake").status == 5)
            // A date before a contract's start ends none of them.
            let early = try docket(["client", "deactivate", "acme", "--end-contracts", "2026-01-15"], as: "bill")
            // Its start in the client's zone, as the ends below (it was RFC 3339 UTC).
            #expect(
                early.status == 65 && early.stderr.contains("contract acme-t: contract acme-t starts at 2026-01-31 19:00 EST; it must end after it starts"),
                "\(early.stderr)")
            #expect(try log() == before, "nothing written")
            let run = try docket(["client", "deactivate", "acme", "--end-contracts", "2026-06-01"], as: "bill")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stdout == "deactivated client acme\ncontract acme-r ends at 2026-06-01 00:00 EDT\ncontract acme-sla ends at 2026-06-01 00:00 EDT\n"
                    + "contract acme-t ends at 2026-06-01 00:00 EDT\n")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(try log().utf8)) as? [[String: Any]])
            let last = events.suffix(4).map { "\($0["type"] ?? "") \($0["stream"] ?? "")" }
            #expect(
                last == ["client.deactivated client-acme", "contract.ended contract-acme-r", "contract.ended contract-acme-sla", "contract.ended contract-acme-t"],
                "\(last)")
            #expect(Set(events.suffix(4).compactMap { $0["recordedAt"] as? String }).count == 1, "one append")
            let drafted = try ok(["invoice", "run", "--period", "2026-11", "--client", "acme", "--allow-future"], as: "bill")
            #expect(drafted.hasPrefix("acme-D1: drafted for acme, 6 lines, total 6,000.00 USD"), "December 2025 (New York) to May: \(drafted)")
        }
    }

    /// A dispatcher offboarding a client whose only open contract is SLA-only was told to add `--end-contracts DATE`,
    /// and then, adding it, that `role dispatcher cannot change contracts; ask someone with role billing or admin to do
    /// it`: neither line said what to ask them for. Ending contracts stays billing's or an admin's; both refusals name
    /// those roles and the command to run, in one line, and write nothing.
    @Test(arguments: DocketMode.allCases) func aDispatcherIsToldWhoEndsAnSLAOnlyContractAndHow(_ mode: DocketMode) throws {
        try givenAcme()
        try ok(["contract", "add", "acme-sla", "--client", "acme", "--name", "SLA only", "--effective", "2026-01-01T00:00:00Z"])
        try mode.run {
            try ok(["client", "show", "acme"], as: "intake")
            let before = try log()
            let ask = "ending it is for role billing or admin: ask someone with that role to run `docket client deactivate acme --end-contracts "
                + "DATE`, or to end it with `docket contract end acme-sla --effective DATE` before you deactivate the client\n"
            let refused = try docket(["client", "deactivate", "acme"], as: "intake")
            #expect(refused.status == 6 && refused.stdout.isEmpty)
            #expect(
                refused.stderr == "docket: error: client acme is not deactivated: its SLA-only contract acme-sla has no end, so its SLA terms "
                    + "would stay in force for a client that is gone: " + ask, "\(refused.stderr)")
            let forbidden = try docket(["client", "deactivate", "acme", "--end-contracts", "2026-06-01"], as: "intake")
            #expect(forbidden.status == 5 && forbidden.stdout.isEmpty)
            #expect(
                forbidden.stderr == "docket: error: client acme is not deactivated: role dispatcher cannot end its contract acme-sla; " + ask,
                "\(forbidden.stderr)")
            #expect(try log() == before, "nothing written")
        }
    }

    /// `client deactivate --end-contracts DATE` retried with the same `--command-id` (a lost answer) wrote nothing, as it
    /// should, but printed only `deactivated client acme`: not the contracts the first run ended, nor the note on the
    /// tickets it kept open. A retry prints what the first run printed, as other commands answer a replayed id.
    @Test(arguments: DocketMode.allCases) func aRetriedDeactivationPrintsWhatTheFirstRunDid(_ mode: DocketMode) throws {
        try givenAcme()
        try ok([
            "contract", "add", "acme-r", "--client", "acme", "--name", "Retainer", "--effective", "2026-01-01T00:00:00Z",
            "--terms", #"{"model":"retainer","currency":"USD","rates":{"*":10000},"retainer":{"monthlyFeeMinor":100000}}"#,
        ])
        try ok(["ticket", "open", "--client", "acme", "--subject", "Printer"])
        try mode.run {
            let command = ["client", "deactivate", "acme", "--end-contracts", "2026-06-01", "--keep-open-tickets", "--command-id", "off-1"]
            let first = try docket(command)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == "deactivated client acme\ncontract acme-r ends at 2026-06-01 00:00 EDT\n")
            #expect(first.stderr.contains("docket: note: client acme has 1 open ticket (T-1001)"), "\(first.stderr)")
            let before = try log()
            let again = try docket(command)
            #expect(again.status == 0)
            #expect(again.stdout == first.stdout, "\(again.stdout)")
            #expect(again.stderr == first.stderr, "\(again.stderr)")
            #expect(try log() == before, "nothing written")
        }
    }

    /// Time logged on a ticket after the client's contract ended was taken without a word (`TE-2`, exit 0), and only
    /// the next invoice run said it was held back. `time log` now says so at once, on stderr, with the run's reason;
    /// time within the contract, and non-billable time, get no note. The note names the contract's end and the work's
    /// start in the client's zone, word for word as `invoice charges` (and `invoice run`) give the reason: billing
    /// months are the client's (it named them in the viewer's zone, here UTC, while the run named them in New York's).
    @Test(arguments: DocketMode.allCases) func timeLoggedAfterTheContractEndedIsToldItWillBeHeldBack(_ mode: DocketMode) throws {
        try givenAcme()
        try ok([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "Acme MSA", "--effective", "2026-01-01T00:00:00Z",
            "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":12000}}"#,
        ])
        try ok(["contract", "end", "acme-msa", "--effective", "2026-11-01T00:00:00Z"])
        try ok(["ticket", "open", "--client", "acme", "--subject", "Printer"])
        try mode.run {
            let within = try docket(["time", "log", "T-1001", "30m", "--at", "2026-10-05T15:00:00Z"])
            #expect(within.stdout == "TE-1\n" && within.stderr.isEmpty, "\(within.stderr)")
            let after = try docket(["time", "log", "T-1001", "45m", "--at", "2026-11-05T15:00:00Z"])
            #expect(after.status == 0)
            #expect(after.stdout == "TE-2\n")
            #expect(after.stderr == """
                docket: note: invoice runs will hold TE-2 back: contract acme-msa of client acme ended at 2026-10-31 20:00 EDT, \
                before this work (started 2026-11-05 10:00 EST), and no other contract with billing terms is in force then; \
                bill it under a new contract in force then (`docket contract add … --client acme --effective …`), or, if it is not \
                to be billed, `docket time correct TE-2 --non-billable --reason …`

                """)
            let reason = try #require(after.stderr.components(separatedBy: "hold TE-2 back: ").last).dropLast()
            let charges = try docket(["invoice", "charges", "acme", "--period", "2026-11"])
            #expect(charges.stdout.contains("held back TE-2 (T-1001, 45 min): \(reason)"), "the run's reason, word for word: \(charges.stdout)")
            let free = try docket(["time", "log", "T-1001", "15m", "--at", "2026-11-06T15:00:00Z", "--non-billable"])
            #expect(free.stdout == "TE-3\n" && free.stderr.isEmpty, "\(free.stderr)")
            // Time logged with the close is work just done (now, after the end): told the same way.
            let close = try docket(["ticket", "close", "T-1001", "--resolution", "Done", "--time", "20m"])
            #expect(close.stdout == "T-1001: closed; 20 min logged as TE-4\n", "\(close.stderr)")
            #expect(close.stderr.hasPrefix(
                "docket: note: invoice runs will hold TE-4 back: contract acme-msa of client acme ended at 2026-10-31 20:00 EDT, before this work"),
                "\(close.stderr)")
            // A timer's time too (it printed only `TE-5: 1 minutes`): the timer runs now, after the end.
            try ok(["ticket", "open", "--client", "acme", "--subject", "Scanner"])
            try ok(["time", "start", "T-1002"])
            let stop = try docket(["time", "stop"])
            #expect(stop.status == 0 && stop.stdout.hasPrefix("TE-5: "), "\(stop.stderr)")
            #expect(stop.stderr.hasPrefix("docket: note: invoice runs will hold TE-5 back: contract acme-msa of client acme ended at"), "\(stop.stderr)")
        }
    }

    /// New mail from a former client (deactivated) or a removed contact, kept on the triage client, opened a ticket that
    /// read like any stranger's: the dispatcher triaging it had to find out whose it was. Its description now starts
    /// by saying so.
    @Test(arguments: DocketMode.allCases) func mailTriagedFromAFormerClientSaysWhoseItIs(_ mode: DocketMode) throws {
        try givenAcme()
        try ok(["client", "contact", "remove", "acme", "acme-2"])
        try mode.run {
            try ok(["client", "list"], as: "intake")
            let removed = try docket(
                ["intake", "email", "--triage-client", "triage"], stdin: Self.mail(id: "d1@acme.example", from: "dan@acme.example", subject: "Hi"),
                as: "intake")
            #expect(removed.stdout == "d1@acme.example: opened T-1001\n", "\(removed.stderr)")
            let first = try ok(["ticket", "show", "T-1001", "--json"])
            #expect(first.contains("From dan@acme.example, a removed contact of client acme (someone who left it): opened on the triage client triage, not for acme."), "\(first)")
            try ok(["client", "deactivate", "acme"])
            let former = try docket(
                ["intake", "email", "--triage-client", "triage"], stdin: Self.mail(id: "c1@acme.example", from: "carla@acme.example", subject: "Hi"),
                as: "intake")
            #expect(former.stdout == "c1@acme.example: opened T-1002\n", "\(former.stderr)")
            let second = try ok(["ticket", "show", "T-1002"])
            #expect(second.contains(
                "From client acme's contact acme-1 (carla@acme.example), but client acme is deactivated (a former client): opened on the triage client triage, not for acme."),
                "\(second)")
            let stranger = try docket(
                ["intake", "email", "--triage-client", "triage"], stdin: Self.mail(id: "s1@else.example", from: "who@else.example", subject: "Hi"),
                as: "intake")
            #expect(stranger.stdout == "s1@else.example: opened T-1003\n")
            #expect(!(try ok(["ticket", "show", "T-1003"])).contains("opened on the triage client"), "a stranger's is as before")
        }
    }
}
