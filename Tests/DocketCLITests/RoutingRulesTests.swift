import Foundation
import TestSupport
import Testing

/// `docket rules …` and routing at intake, end to end through the binary.
@Suite struct RoutingRulesCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let rules = """
        rules:
          - id: vip-outage
            match: {client: [globex], source: [email], subjectContains: [outage, down]}
            actions: {priority: P1, category: network, assign: dora, replyTemplate: outage-ack}
          - id: host-down
            match: {source: [alert], alertLabels: {alertname: HostDown}, severity: [critical]}
            actions: {priority: P2, queue: servers, assign: dora}
          - id: printers
            match: {bodyContains: [printer]}
            actions: {priority: P4}
        """

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "tech"])
        for (code, domain) in [("globex", "globex.example"), ("acme-corp", "acme.example")] {
            let run = try docket(["client", "add", code, "--name", code, "--domain", domain, "--time-zone", "UTC", "--currency", "USD"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let template = try docket(["template", "add", "outage-ack", "--body", "We are on the outage now."])
        #expect(template.status == 0, "\(template.stderr)")
        let path = folder.child("rules.yaml")
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: path))
        let set = try docket(["rules", "set", path])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "set 3 routing rules\n")
    }

    static func mail(id: String, subject: String, body: String = "Hello,\nit is broken.\n") -> String {
        "From: Jane <jane@globex.example>\r\nTo: help@msp.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\n" + body
    }

    func ticket(_ number: String) throws -> [String: Any] {
        let show = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", number, "--json"]).stdout.utf8)) as? [String: Any])
        return try #require(show["ticket"] as? [String: Any])
    }

    func log() throws -> String { try docket(["log", "--json", "--limit", "10000"]).stdout }

    static let alertFixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/alerts/alertmanager/003-single-firing.json")

    /// A routing rule's reply template with a subject: its mail carries that subject, the token in front (it went out
    /// as `Re: [T-1001] <the mail's subject>`).
    @Test func aRuleReplyTemplatesSubjectIsTheMailsSubject() throws {
        try setUp()
        let update = try docket(["template", "update", "outage-ack", "--subject", "Outage at {{client.name}}: we are on it", "--body", "We are on the outage now."])
        #expect(update.status == 0, "\(update.stderr)")
        let opened = try docket(["intake", "email"], stdin: Self.mail(id: "s1@globex.example", subject: "Outage: site DOWN"), as: "intake")
        #expect(opened.stdout.contains("opened T-1001"), "\(opened.stderr)")
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["subject"] as? String } == ["[T-1001] Outage: site DOWN", "[T-1001] Outage at globex: we are on it"])
    }

    @Test func anEmailIsRoutedByTheFirstMatchingRule() throws {
        try setUp()
        let opened = try docket(["intake", "email"], stdin: Self.mail(id: "a1@globex.example", subject: "Outage: site DOWN"), as: "intake")
        #expect(opened.stdout.contains("opened T-1001"), "\(opened.stderr)")
        let summary = try ticket("T-1001")
        #expect(summary["priority"] as? String == "P1")
        #expect(summary["category"] as? String == "network")
        #expect(summary["assignee"] as? String == "dora")
        let show = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("Routed by rule vip-outage: client globex is one of [globex]; source email is one of [email]; subject contains \"outage\""), "\(show)")
        #expect(show.contains("We are on the outage now."), "the template reply is on the ticket: \(show)")

        let plain = try docket(["intake", "email"], stdin: Self.mail(id: "a2@globex.example", subject: "Question"), as: "intake")
        #expect(plain.stdout.contains("opened T-1002"))
        let unrouted = try ticket("T-1002")
        #expect(unrouted["priority"] as? String == "P3", "no rule: intake defaults")
        #expect(unrouted["assignee"] == nil || unrouted["assignee"] is NSNull)
        #expect(!(try docket(["ticket", "show", "T-1002"]).stdout.contains("Routed by rule")))
    }

    @Test func anAlertIsRoutedByLabelsAndSeverity() throws {
        try setUp()
        let payload = try String(contentsOf: Self.alertFixture, encoding: .utf8)
        let run = try docket(["intake", "alert", "--format", "alertmanager"], stdin: payload, as: "intake")
        #expect(run.stdout.contains("opened T-1001"), "\(run.stderr)")
        let summary = try ticket("T-1001")
        #expect(summary["priority"] as? String == "P2", "the rule's P2 overrides critical → P1")
        #expect(summary["category"] as? String == "servers", "the queue is recorded as the category")
        #expect(summary["assignee"] as? String == "dora")
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("Routed by rule host-down"))
    }

    /// kill -9 at random moments while intake opens routed tickets: every ticket in the log was routed whole — the
    /// opening, the rule's note, the assignment and the template reply are one transaction, so there is no moment
    /// at which a ticket exists unrouted.
    @Test func killNineDuringRoutedIntakeNeverLeavesATicketHalfRouted() throws {
        try setUp()
        for i in 0..<12 {
            let child = try DocketProcess.start(["intake", "email"], store: store, environment: ["DOCKET_USER": "intake"])
            child.1.fileHandleForWriting.write(Data(Self.mail(id: "k\(i)@globex.example", subject: "Outage \(i)").utf8))
            try child.1.fileHandleForWriting.close()
            usleep(useconds_t.random(in: 0...120_000))
            kill(child.0.processIdentifier, SIGKILL)
            child.0.waitUntilExit()
        }
        let last = try docket(["intake", "email"], stdin: Self.mail(id: "k-last@globex.example", subject: "Outage last"), as: "intake")
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try docket(["verify"]).status == 0)
        var types: [String: [String]] = [:]
        var texts: [String: [String]] = [:]
        for line in try docket(["export"]).stdout.split(separator: "\n") {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let stream = event["stream"] as? String, stream.hasPrefix("ticket-") else { continue }
            types[stream, default: []].append(event["type"] as? String ?? "")
            if let text = (event["payload"] as? [String: Any])?["text"] as? String { texts[stream, default: []].append(text) }
        }
        #expect(!types.isEmpty)
        for (stream, streamTypes) in types {
            #expect(streamTypes.contains { $0.hasPrefix("ticket.opened") })
            #expect(streamTypes.contains { $0.hasPrefix("ticket.assigned") }, "\(stream) was assigned by the rule")
            #expect(texts[stream, default: []].contains { $0.hasPrefix("Routed by rule vip-outage") }, "\(stream) has the rule's note")
            #expect(texts[stream, default: []].contains("We are on the outage now."), "\(stream) has the template reply")
        }
    }

    /// `rules test` explains which rule fires for an email or alerts on stdin, and writes nothing; through `docket serve`
    /// too, where it read the server's stdin instead of the client's (the client sent none: `not a mail message: the
    /// input is empty`, exit 65; with a server on a terminal, its thread waited on the terminal).
    @Test(arguments: DocketMode.allCases) func rulesTestExplainsWithoutWriting(_ mode: DocketMode) throws {
        try setUp()
        try mode.run { try rulesTestExplainsWithoutWriting() }
    }

    func rulesTestExplainsWithoutWriting() throws {
        let before = try log()
        let email = try docket(["rules", "test"], stdin: Self.mail(id: "t1@globex.example", subject: "Printer jam", body: "The printer on floor 2 jams.\n"))
        #expect(email.status == 0, "\(email.stderr)")
        #expect(email.stdout == """
            Printer jam (client globex, source email)
              rule printers would fire
                because body contains "printer"
              actions: priority P4

            """)
        let none = try docket(["rules", "test", "--json"], stdin: Self.mail(id: "t2@globex.example", subject: "Hello"))
        let views = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [[String: Any]])
        #expect(views.count == 1 && views[0]["rule"] == nil && views[0]["client"] as? String == "globex")
        let payload = try String(contentsOf: Self.alertFixture, encoding: .utf8)
        let alert = try docket(["rules", "test", "--alert-format", "alertmanager"], stdin: payload)
        #expect(alert.stdout.contains("rule host-down would fire"), "\(alert.stdout)\(alert.stderr)")
        #expect(alert.stdout.contains("because alert label alertname=HostDown"))
        #expect(alert.stdout.contains("actions: priority P2, queue servers (as category), assign dora"))
        #expect(try log() == before, "rules test writes nothing")
    }

    @Test func showListsTheRulesInForceAndTheLatestSetWins() throws {
        try setUp()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["rules", "show", "--json"]).stdout.utf8)) as? [String: Any])
        #expect(json["revision"] as? Int == 1)
        #expect((json["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["vip-outage", "host-down", "printers"])
        let path = folder.child("rules2.json")
        try Data(#"{"rules": [{"id": "everything", "actions": {"priority": "P4"}}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try docket(["rules", "set", path]).status == 0)
        #expect(try docket(["rules", "set", path]).stdout == "routing rules: nothing to change\n")
        let text = try docket(["rules", "show"]).stdout
        #expect(text.contains("revision 2"))
        #expect(text.contains("everything") && !text.contains("vip-outage"))
    }

    @Test func aBadFileIsRefusedNamingTheRuleAndField() throws {
        try setUp()
        let before = try log()
        let path = folder.child("bad.yaml")
        try Data("rules:\n  - id: ok-rule\n  - id: bad\n    match: {source: [fax]}\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = try docket(["rules", "set", path])
        #expect(run.status == 65)
        #expect(run.stderr.contains("rules[1] (id bad): match.source[0] \"fax\" is not a source"), "\(run.stderr)")
        #expect(try log() == before)
        let tech = try docket(["rules", "set", folder.child("rules.yaml")], as: "dora")
        #expect(tech.status == 5, "technicians may not set rules: \(tech.stderr)")
    }
}

extension RoutingRulesCommandTests {
    /// `rules --help` said the rules apply to "new tickets from email and alerts" (the portal's and, now, a schedule's
    /// are routed too), and `rules set`/`rules test` had no example of how to feed them.
    @Test func theHelpNamesEveryRoutedIntakeAndShowsHowToFeedTheCommands() throws {
        // As one paragraph: `--help` wraps the prose at 80 columns.
        let group = try docket(["rules", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(group.contains("new tickets from email, alerts, the portal and schedules"), "\(group)")
        #expect(group.contains("A schedule's own --priority, --category and --assign win over a rule's"), "\(group)")
        #expect(try docket(["rules", "set", "--help"]).stdout.contains("docket rules show --json > rules.json"))
        let test = try docket(["rules", "test", "--help"]).stdout
        #expect(test.contains("docket rules test --client acme < message.eml") && test.contains("--alert-format alertmanager < payload.json"), "\(test)")
    }
}
