import Foundation
import TestSupport
import Testing

@Suite struct TicketCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    /// A store with ann (admin), dora (dispatcher), bob and tia (techs), and client acme with one contact.
    func setUp() throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher"), ("bob", "tech"), ("tia", "tech")]) { try docket($0) }
        #expect(try docket(["client", "add", "acme", "--name", "Acme Dental", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"], as: "dora").status == 0)
        #expect(try docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"], as: "dora").status == 0)
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    /// A contact the client does not have is not found (exit 4, as the exit-code table says): it was exit 65 with
    /// "contact acme-9 does not belong to client acme", as if it were some other client's.
    @Test(arguments: DocketMode.allCases) func anUnknownContactIsNotFound(_ mode: DocketMode) throws { try mode.run(anUnknownContactIsNotFound) }
    func anUnknownContactIsNotFound() throws {
        try setUp()
        try docket(["queue"], as: "bob")  // bob's token (server mode) is made before the count
        let before = try eventCount()
        let open = try docket(["ticket", "open", "--client", "acme", "--contact", "acme-9", "--subject", "Printer"], as: "bob")
        #expect(open.status == 4, "\(open.stderr)")
        #expect(open.stderr == "docket: error: unknown contact acme-9 of client acme; list its contacts with `docket client show acme`\n")
        #expect(try eventCount() == before, "nothing written")
    }

    @Test(arguments: DocketMode.allCases) func aTicketsLifeShowsInItsHistory(_ mode: DocketMode) throws { try mode.run(aTicketsLifeShowsInItsHistory) }
    func aTicketsLifeShowsInItsHistory() throws {
        try setUp()
        let open = try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--contact", "acme-1"], as: "bob")
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stdout == "T-1001\n")
        #expect(try docket(["ticket", "assign", "T-1001", "--to", "tia"], as: "dora").stdout == "T-1001: assigned to tia\n")
        #expect(try docket(["ticket", "comment", "T-1001", "Checking the NAS"], as: "tia").status == 0)
        #expect(try docket(["ticket", "status", "T-1001", "waiting-on-client"], as: "tia").status == 0)
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Replaced the failed disk", "--no-time", "--reason", "test"], as: "tia").status == 0)
        let show = try docket(["ticket", "show", "T-1001"])
        #expect(show.stdout.contains("Backup failed"))
        #expect(show.stdout.contains("Closed"))
        #expect(show.stdout.contains("resolution: Replaced the failed disk"))
        for line in ["assigned to tia", "public reply: Checking the NAS", "status New → In progress", "status In progress → Waiting on client", "closed: Replaced the failed disk"] {
            #expect(show.stdout.contains(line), "history shows \(line)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
        let history = try #require(json["history"] as? [[String: Any]])
        let ownEvents = history.filter { ($0["type"] as? String) != "ticket.mail-queued.v1" }
        #expect(ownEvents.map { $0["actor"] as? String } == ["bob", "dora", "tia", "tia", "tia", "tia"], "the reply moved it from New, by tia")
        #expect(history.filter { ($0["type"] as? String) == "ticket.mail-queued.v1" }.count == 3, "acknowledgement, public reply, resolution to the contact")
        let positions = history.compactMap { $0["position"] as? Int }
        #expect(positions == positions.sorted() && positions.count == 9)
    }

    /// Every event a working session produces matches the envelope schema and its type's payload schema.
    @Test(arguments: DocketMode.allCases) func everyProducedEventMatchesItsSchema(_ mode: DocketMode) throws { try mode.run(everyProducedEventMatchesItsSchema) }
    func everyProducedEventMatchesItsSchema() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "A", "--priority", "P1", "--contact", "acme-1", "--category", "net", "--assign", "bob"], as: "dora")
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "B"], as: "dora")
        for arguments in [
            ["ticket", "unassign", "T-1001"], ["ticket", "assign", "T-1001", "--to", "tia"], ["ticket", "priority", "T-1001", "P2"],
            ["ticket", "category", "T-1001", "backup"], ["ticket", "watch", "T-1001"], ["ticket", "unwatch", "T-1001"],
            ["ticket", "comment", "T-1001", "x", "--internal"], ["ticket", "status", "T-1001", "in-progress"],
            ["ticket", "merge", "T-1002", "--into", "T-1001"], ["ticket", "close", "T-1001", "--resolution", "ok", "--no-time", "--reason", "test"],
            ["ticket", "reopen", "T-1001", "--reason", "again"],
        ] {
            let run = try docket(arguments, as: "dora")
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        let export = try docket(["export"]).stdout
        let (status, report) = try SchemaTests.validate(export, schema: "schemas/export-line.schema.json", events: true)
        #expect(status == 0, "\(report)")
        #expect(report.contains(" 0 errors"), "\(report)")
        for type in ["ticket.merged", "ticket.merge-received", "ticket.reopened", "user.added", "client.contact-added"] {
            #expect(export.contains("\"type\":\"\(type)\""), "the session produced \(type)")
        }
    }

    @Test(arguments: DocketMode.allCases) func badInputIsRefusedClearlyAndWritesNothing(_ mode: DocketMode) throws { try mode.run(badInputIsRefusedClearlyAndWritesNothing) }
    func badInputIsRefusedClearlyAndWritesNothing() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "x"], as: "bob")
        let before = try eventCount()
        let cases: [([String], String, Int32, String)] = [
            (["ticket", "show", "T-9999"], "bob", 4, "unknown ticket T-9999"),
            (["ticket", "comment", "T-9999", "hi"], "bob", 4, "unknown ticket T-9999"),
            (["ticket", "close", "T-1001"], "bob", 64, "needs a resolution note"),
            (["ticket", "close", "T-1001", "--resolution", "  ", "--no-time", "--reason", "test"], "bob", 65, "resolution"),
            (["ticket", "status", "T-1001", "done"], "bob", 64, "done"),
            (["ticket", "open", "--client", "nope", "--subject", "x"], "bob", 4, "unknown client nope"),
            (["ticket", "open", "--client", "acme", "--subject", "x"], "mallory", 4, "unknown user mallory"),
            (["ticket", "assign", "T-1001", "--to", "ghost"], "dora", 4, "ghost"),
            (["ticket", "reopen", "T-1001"], "bob", 6, "T-1001"),
            (["ticket", "show", "X-1"], "bob", 64, "X-1"),
        ]
        for (arguments, user, status, message) in cases {
            // Through a server an unknown user has no token: refused before any command runs.
            let (status, message) = user == "mallory" && DocketProcess.scope != nil ? (5, "API token") : (status, message)
            let run = try docket(arguments, as: user)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        #expect(try eventCount() == before)
    }

    /// A list filter that names an unknown client, user or ticket is a typo: exit 4 naming it, not an empty list that
    /// reads as "nothing matched". `log --stream` is not checked: streams are free-form (`event append` makes any).
    @Test(arguments: DocketMode.allCases) func filtersNamingUnknownThingsAreNotFound(_ mode: DocketMode) throws {
        try mode.run(filtersNamingUnknownThingsAreNotFound)
    }
    func filtersNamingUnknownThingsAreNotFound() throws {
        try setUp()
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN"], as: "bob").status == 0)
        let cases: [([String], String)] = [
            (["ticket", "list", "--client", "ghost"], "unknown client ghost"),
            (["ticket", "list", "--assignee", "ghost"], "unknown user ghost"),
            (["queue", "--assignee", "ghost"], "unknown user ghost"),
            (["queue", "--client", "ghost", "--json"], "unknown client ghost"),
            (["time", "list", "--ticket", "T-9999"], "unknown ticket T-9999"),
            (["time", "list", "--tech", "ghost", "--json"], "unknown user ghost"),
            (["sla", "--client", "ghost"], "unknown client ghost"),
            (["invoice", "list", "--client", "ghost"], "unknown client ghost"),
            (["invoice", "export", "--client", "ghost"], "unknown client ghost"),
            (["report", "closed-without-time", "--from", "2026-11-01", "--to", "2026-12-01", "--tech", "ghost"], "unknown user ghost"),
            (["report", "closed-without-time", "--from", "2026-11-01", "--to", "2026-12-01", "--client", "ghost"], "unknown client ghost"),
        ]
        for (arguments, message) in cases {
            let run = try docket(arguments)
            #expect(run.status == 4, "\(arguments): \(run.stderr)")
            #expect(run.stderr.hasPrefix("docket: error: \(message);"), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        #expect(try docket(["ticket", "list", "--client", "acme", "--assignee", "tia"]).status == 0, "known, with nothing assigned")
        #expect(try docket(["time", "list", "--ticket", "T-1001", "--tech", "tia"]).status == 0)
        #expect(try docket(["log", "--stream", "nosuch"]).status == 0)
    }

    /// `queue`, `ticket list` and `sla` show at most `--limit` rows (50 unless given); when more match, a note on stderr
    /// says the list is cut (stdout, table or JSON, is the rows alone). They stopped at the limit without a word: a tech
    /// with 60 open tickets saw 50 and took them for the queue, and `ticket list`, by number, showed the 50 oldest, this
    /// week's tickets simply missing.
    @Test(arguments: DocketMode.allCases) func aListCutAtItsLimitSaysSo(_ mode: DocketMode) throws {
        try setUp()
        let policy = folder.child("policy.yaml")
        try SLAFiles.roundTheClockPolicy.write(toFile: policy, atomically: true, encoding: .utf8)
        #expect(try docket(["sla-policy", "define", "rtc", "--name", "RTC", "--file", policy, "--effective", "2026-01-01T00:00:00Z"]).status == 0)
        #expect(try docket(["contract", "add", "acme-2026", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01T00:00:00Z", "--sla-policy", "rtc"]).status == 0)
        for subject in ["VPN", "Printer", "Laptop"] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "dora").status == 0)
        }
        try mode.run {
            for (command, what) in [(["queue"], "tickets in work order"), (["ticket", "list"], "tickets by number (the newest)"), (["sla"], "tickets, soonest due")] {
                let note = "docket: note: only the first 2 \(what) are shown and more match; narrow the filters or raise --limit\n"
                let cut = try docket(command + ["--limit", "2"], as: "bob")
                #expect(cut.status == 0, "\(command): \(cut.stderr)")
                #expect(cut.stdout.split(separator: "\n").count == 3, "a header and two rows: \(cut.stdout)")
                #expect(cut.stderr == note, "\(command)")
                let json = try docket(command + ["--limit", "2", "--json"], as: "bob")
                #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count == 2, "\(command): \(json.stdout)")
                #expect(json.stderr == note, "\(command)")
                let whole = try docket(command + ["--limit", "3"], as: "bob")
                #expect(whole.stdout.split(separator: "\n").count == 4 && whole.stderr.isEmpty, "\(command): \(whole.stdout)\(whole.stderr)")
            }
        }
    }

    /// `ticket list` gives the newest tickets first, so its limit keeps this week's: it listed by number from the
    /// oldest, and `--limit 50` (the default) showed a client's 50 oldest tickets, the ones a tech was looking for
    /// missing. `--oldest-first` gives the old order; the API's `order=oldest` too.
    @Test(arguments: DocketMode.allCases) func theTicketListGivesTheNewestFirst(_ mode: DocketMode) throws {
        try setUp()
        for subject in ["VPN", "Printer", "Laptop"] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "bob").status == 0)
        }
        try mode.run {
            func numbers(_ arguments: [String]) throws -> [String] {
                let run = try docket(["ticket", "list", "--json"] + arguments, as: "bob")
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
                return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["number"] as? String } ?? []
            }
            #expect(try numbers([]) == ["T-1003", "T-1002", "T-1001"])
            #expect(try numbers(["--limit", "2"]) == ["T-1003", "T-1002"])
            #expect(try numbers(["--oldest-first", "--limit", "2"]) == ["T-1001", "T-1002"])
            let table = try docket(["ticket", "list"], as: "bob")
            #expect(table.stdout.split(separator: "\n").dropFirst().first?.hasPrefix("T-1003") == true, "\(table.stdout)")
        }
    }

    /// "Did we fix this printer before?": `ticket list --search` finds tickets by every word of their subject,
    /// resolution note or category, in any case and without accents, open or closed; `queue --search` narrows the
    /// queue alike. A tech could only page through `ticket list` by number.
    @Test(arguments: DocketMode.allCases) func ticketsAreFoundByTheWordsOfTheirSubjectOrResolution(_ mode: DocketMode) throws {
        try setUp()
        for subject in ["Printer jams on floor 2", "VPN down", "Café Wi-Fi slow", "printer offline"] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "bob").status == 0)
        }
        #expect(try docket(["ticket", "close", "T-1002", "--resolution", "Replaced the firewall's TONER-free config", "--no-time", "--reason", "test"], as: "bob").status == 0)
        try mode.run {
            func numbers(_ arguments: [String]) throws -> [String] {
                let run = try docket(arguments + ["--json"], as: "bob")
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
                return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["number"] as? String } ?? []
            }
            #expect(try numbers(["ticket", "list", "--search", "PRINTER"]) == ["T-1004", "T-1001"])
            #expect(try numbers(["ticket", "list", "--search", "printer floor"]) == ["T-1001"], "every word")
            #expect(try numbers(["ticket", "list", "--search", "toner"]) == ["T-1002"], "the resolution note of a closed ticket")
            #expect(try numbers(["ticket", "list", "--search", "cafe"]) == ["T-1003"], "without accents")
            #expect(try numbers(["queue", "--search", "printer"]).sorted() == ["T-1001", "T-1004"])
            #expect(try numbers(["ticket", "list", "--search", "scanner"]).isEmpty)
            let before = try eventCount()
            let blank = try docket(["ticket", "list", "--search", "  "], as: "bob")
            #expect(blank.status == 64 && blank.stderr.contains("--search needs at least one word"), "\(blank.stderr)")
            #expect(try eventCount() == before)
        }
    }

    /// The queue holds open tickets: `--status closed` or `merged` is refused (exit 64) naming the list that has them.
    /// It listed nothing, exit 0, as if no ticket were closed, and `queue --help` offered both values.
    @Test(arguments: DocketMode.allCases) func theQueueRefusesAStatusNoOpenTicketHas(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN"], as: "bob").status == 0)
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], as: "bob").status == 0)
        try mode.run {
            for status in ["closed", "merged"] {
                let run = try docket(["queue", "--status", status], as: "bob")
                #expect(run.status == 64, "\(status): \(run.stdout)")
                #expect(run.stdout.isEmpty)
                #expect(
                    run.stderr.hasPrefix(
                        "docket: error: the queue holds open tickets, never \(status) ones; list those with `docket ticket list --status \(status)`"),
                    "\(run.stderr)")
            }
            #expect(try docket(["ticket", "list", "--status", "closed"], as: "bob").stdout.contains("T-1001"))
            #expect(try docket(["queue", "--status", "in-progress"], as: "bob").status == 0)
            let help = try docket(["queue", "--help"], as: "bob").stdout
            #expect(help.contains("--status") && !help.contains("closed") && !help.contains("merged"), "\(help)")
            #expect(try docket(["ticket", "list", "--help"], as: "bob").stdout.contains("merged"))
        }
    }

    /// `ticket status --help` offers the statuses it sets: new, in-progress, waiting-on-client. It listed `closed` among
    /// its values, which the command refuses (a close needs `ticket close`, with a resolution and the closer's time);
    /// typed anyway, `closed` still gets that refusal naming `ticket close`.
    @Test func ticketStatusOffersOnlyTheStatusesItSets() throws {
        try setUp()
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN"], as: "bob").status == 0)
        let help = try docket(["ticket", "status", "--help"], as: "bob").stdout
        #expect(help.contains("waiting-on-client") && !help.contains("closed"), "\(help)")
        let closed = try docket(["ticket", "status", "T-1001", "closed"], as: "bob")
        #expect(closed.status == 65 && closed.stderr.contains("docket ticket close T-1001 --resolution"), "\(closed.stderr)")
        #expect(try docket(["ticket", "status", "T-1001", "in-progress"], as: "bob").stdout == "T-1001: status In progress\n")
        #expect(try docket(["ticket", "status", "T-1001", "resolved"], as: "bob").status == 64)
    }

    @Test(arguments: DocketMode.allCases) func workOnAClosedTicketIsRefusedWithTheFix(_ mode: DocketMode) throws { try mode.run(workOnAClosedTicketIsRefusedWithTheFix) }
    func workOnAClosedTicketIsRefusedWithTheFix() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "x"], as: "bob")
        _ = try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], as: "bob")
        let run = try docket(["ticket", "comment", "T-1001", "one more thing"], as: "bob")
        #expect(run.status == 6)
        #expect(run.stderr.contains("docket ticket reopen T-1001"))
    }

    @Test(arguments: DocketMode.allCases) func theQueueShowsOpenTicketsInWorkOrderAndSurvivesARebuild(_ mode: DocketMode) throws { try mode.run(theQueueShowsOpenTicketsInWorkOrderAndSurvivesARebuild) }
    func theQueueShowsOpenTicketsInWorkOrderAndSurvivesARebuild() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "Slow PC", "--priority", "P4"], as: "bob")
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "Server down", "--priority", "P1", "--assign", "bob"], as: "dora")
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "Closed soon", "--priority", "P2"], as: "bob")
        _ = try docket(["ticket", "close", "T-1003", "--resolution", "dup", "--no-time", "--reason", "test"], as: "bob")
        let queue = try docket(["queue"], as: "bob").stdout
        let lines = queue.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("T-1002"))
        #expect(lines[2].hasPrefix("T-1001"))
        let mine = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--mine", "--json"], as: "bob").stdout.utf8)) as? [[String: Any]])
        #expect(mine.map { $0["number"] as? String } == ["T-1002"])
        let unassigned = try docket(["queue", "--unassigned", "--json"], as: "bob").stdout
        #expect(unassigned.contains("T-1001") && !unassigned.contains("T-1002"))
        let listBefore = try docket(["ticket", "list", "--json"]).stdout
        let queueBefore = try docket(["queue", "--json"]).stdout
        #expect(try docket(["rebuild", "queue"]).stdout.contains("rebuilt queue"))
        #expect(try docket(["ticket", "list", "--json"]).stdout == listBefore)
        #expect(try docket(["queue", "--json"]).stdout == queueBefore)
        #expect(try docket(["queue", "--mine", "--unassigned"]).status == 64)
    }

    @Test(arguments: DocketMode.allCases) func aMergedDuplicateTakesNoNewWork(_ mode: DocketMode) throws { try mode.run(aMergedDuplicateTakesNoNewWork) }
    func aMergedDuplicateTakesNoNewWork() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "Email down"], as: "bob")
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "Outlook broken"], as: "bob")
        let merge = try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], as: "bob")
        #expect(merge.stdout == "T-1002: merged into T-1001\n")
        #expect(try docket(["ticket", "comment", "T-1002", "hello"], as: "bob").status == 6)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("T-1002 merged into this ticket"))
        #expect(try docket(["ticket", "show", "T-1002"]).stdout.contains("merged into T-1001"))
    }

    @Test(arguments: DocketMode.allCases) func aRetriedOpenWithACommandIdOpensOneTicket(_ mode: DocketMode) throws { try mode.run(aRetriedOpenWithACommandIdOpensOneTicket) }
    func aRetriedOpenWithACommandIdOpensOneTicket() throws {
        try setUp()
        let first = try docket(["ticket", "open", "--client", "acme", "--subject", "x", "--command-id", "portal-77"], as: "bob")
        let again = try docket(["ticket", "open", "--client", "acme", "--subject", "x", "--command-id", "portal-77"], as: "bob")
        #expect(first.stdout == again.stdout)
        #expect(try docket(["ticket", "list", "--json"]).stdout.components(separatedBy: "\"number\"").count == 2)
    }

    @Test(arguments: DocketMode.allCases) func aTemplateReplyFillsPlaceholders(_ mode: DocketMode) throws { try mode.run(aTemplateReplyFillsPlaceholders) }
    func aTemplateReplyFillsPlaceholders() throws {
        try setUp()
        _ = try docket(["template", "add", "password-reset", "--body", "Hi {{contact.name}}, {{tech.name}} reset your password on {{ticket.number}}."], as: "dora")
        _ = try docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Locked out"], as: "bob")
        let reply = try docket(["ticket", "reply", "T-1001", "--template", "password-reset"], as: "bob")
        #expect(reply.status == 0, "\(reply.stderr)")
        #expect(reply.stdout.contains("Hi Carla, Bob reset your password on T-1001."))
    }

    /// A reply template's `--subject` is its reply mail's subject, the `[T-…]` token put in front (after a leading
    /// `Re:`, not twice): it was stored and never used, every reply going out as `Re: [T-1001] <ticket subject>`. A
    /// template without a subject, and a plain comment, keep that.
    @Test(arguments: DocketMode.allCases) func aReplyTemplatesSubjectIsTheMailsSubject(_ mode: DocketMode) throws {
        try mode.run(aReplyTemplatesSubjectIsTheMailsSubject)
    }
    func aReplyTemplatesSubjectIsTheMailsSubject() throws {
        try setUp()
        for (name, subject) in [("reset", "Password reset for {{contact.name}}"), ("again", "Re: {{ticket.subject}}"), ("tagged", "{{ticket.number}} [{{ticket.number}}] done")] {
            let add = try docket(["template", "add", name, "--subject", subject, "--body", "Done on {{ticket.number}}."], as: "dora")
            #expect(add.status == 0, "\(add.stderr)")
        }
        #expect(try docket(["template", "add", "plain", "--body", "Done."], as: "dora").status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Locked out"], as: "bob").stdout == "T-1001\n")
        for name in ["reset", "again", "tagged", "plain"] {
            let reply = try docket(["ticket", "reply", "T-1001", "--template", name], as: "bob")
            #expect(reply.status == 0, "\(reply.stderr)")
        }
        #expect(try docket(["ticket", "comment", "T-1001", "One more thing"], as: "bob").status == 0)
        let list = try docket(["outbox", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["subject"] as? String } == [
            "[T-1001] Locked out", "[T-1001] Password reset for Carla", "Re: [T-1001] Locked out", "T-1001 [T-1001] done",
            "Re: [T-1001] Locked out", "Re: [T-1001] Locked out",
        ])
        let log = try docket(["log", "--json", "--limit", "1000"]).stdout
        #expect(log.contains(#""mailSubject":"Password reset for Carla""#), "the filled-in subject travels in the comment")
    }

    /// Messages that misled: an assignment refused while opening names no ticket (none was made); a reply template that
    /// greets the contact on a ticket without one says so and how to reply instead; `--status merged`, the STATUS the
    /// list shows, is a filter; minutes of 60 or more after hours (`1h90m`) are refused, naming both ways to write it.
    @Test func refusalsSayWhatIsWrongAndFiltersTakeWhatTheListShows() throws {
        try setUp()
        #expect(try docket(["user", "deactivate", "tia"]).status == 0)
        let before = try eventCount()
        let assign = try docket(["ticket", "open", "--client", "acme", "--subject", "x", "--assign", "tia"], as: "bob")
        #expect(assign.status == 6, "\(assign.stderr)")
        #expect(assign.stderr == "docket: error: user tia is deactivated; assign someone else, or ask an admin to reactivate them (`docket user reactivate tia`)\n")
        #expect(try eventCount() == before)

        _ = try docket(["template", "add", "thanks", "--body", "Thanks {{contact.name}}, {{ticket.number}} is fixed."], as: "dora")
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob").stdout == "T-1001\n")
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer again"], as: "bob").stdout == "T-1002\n")
        let written = try eventCount()
        let reply = try docket(["ticket", "reply", "T-1002", "--template", "thanks"], as: "bob")
        #expect(reply.status == 65, "\(reply.stderr)")
        #expect(reply.stderr.contains("T-1002 has no contact"), "\(reply.stderr)")
        #expect(reply.stderr.contains("`docket ticket comment T-1002 TEXT`"), "\(reply.stderr)")
        let duration = try docket(["time", "log", "T-1001", "1h90m"], as: "bob")
        #expect(duration.status == 65)
        #expect(duration.stderr.contains("has 90 minutes after the hours; write them under 60 (2h30m) or all in minutes (150)"), "\(duration.stderr)")
        #expect(try eventCount() == written)

        #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], as: "dora").status == 0)
        let merged = try docket(["ticket", "list", "--status", "merged"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("T-1002") && merged.stdout.contains("Merged") && !merged.stdout.contains("T-1001"), "\(merged.stdout)")
        #expect(try docket(["ticket", "list", "--status", "closed", "--json"]).stdout.contains("T-1002"), "closed includes merged")
        #expect(try docket(["ticket", "list", "--status", "bogus"]).status == 64)
    }
}
