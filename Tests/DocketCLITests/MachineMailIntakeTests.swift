import Foundation
import TestSupport
import Testing

/// Issue 15 §1, §2 and §4 through the binary: real bounces open no ticket, a bounce never reopens and marks our
/// message bounced, and a reply by Message-ID passes the same sender check as the subject token.
@Suite struct MachineMailIntakeTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/mail")

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(
            arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user, "DOCKET_SUPPORT_ADDRESS": "help@msp.example"])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        for (code, domain) in [("triage", nil), ("globex", "globex.example"), ("acme", "acme.example")] as [(String, String?)] {
            let run = try docket(
                ["client", "add", code, "--name", code, "--time-zone", "UTC", "--currency", "USD"] + (domain.map { ["--domain", $0] } ?? []))
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    func intake(_ message: String) throws -> DocketRun {
        try docket(["intake", "email", "--triage-client", "triage"], stdin: message, as: "intake")
    }

    func outbox() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
    }

    func show(_ number: String) throws -> (ticket: [String: Any], history: String) {
        let show = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", number, "--json"]).stdout.utf8)) as? [String: Any])
        let history = (show["history"] as? [[String: Any]] ?? []).compactMap { $0["change"] as? String }.joined(separator: "\n")
        return (try #require(show["ticket"] as? [String: Any]), history)
    }

    static func mail(id: String, from: String, subject: String, inReplyTo: String? = nil, cc: String? = nil, body: String = "Hello.\n") -> String {
        var text = "From: \(from)\r\nTo: help@msp.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        if let cc { text += "Cc: \(cc)\r\n" }
        if let inReplyTo { text += "In-Reply-To: <\(inReplyTo)>\r\n" }
        return text + "\r\n" + body
    }

    /// Hands every queued message to a sendmail that takes it and says nothing (`outbox send`).
    func sendOutbox() throws {
        let sendmail = folder.child("sendmail")
        try "#!/bin/sh\ncat > /dev/null\n".write(toFile: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail)
        let sent = try docket(["outbox", "send", "--sendmail", sendmail])
        #expect(sent.status == 0, "\(sent.stderr)")
    }

    /// Opens T-1001 by mail from jane@globex.example (Cc carla@partner.example), closes it and sends our mail
    /// (`sent: false` leaves it queued); returns our acknowledgement's and resolution's Message-IDs.
    func closedTicketWithOurMail(sent: Bool = true) throws -> (ack: String, resolution: String) {
        let opened = try intake(Self.mail(id: "vpn@globex.example", from: "Jane <jane@globex.example>", subject: "VPN down", cc: "carla@partner.example"))
        #expect(opened.stdout == "vpn@globex.example: opened T-1001\n", "\(opened.stderr)")
        let close = try docket(["ticket", "close", "T-1001", "--resolution", "Restarted the VPN", "--no-time", "--reason", "test"], as: "intake")
        #expect(close.status == 0, "\(close.stderr)")
        let entries = try outbox()
        let ack = try #require(entries.first { $0["reason"] as? String == "acknowledgement" }?["messageId"] as? String)
        let resolution = try #require(entries.first { $0["reason"] as? String == "resolution" }?["messageId"] as? String)
        if sent { try sendOutbox() }
        return (ack, resolution)
    }

    // MARK: - §2

    @Test func aCarriersNonDeliveryReportNeverReopensAndMarksOurMailBounced() throws {
        try setUp()
        let ours = try closedTicketWithOurMail()
        // A carrier's NDR: a sender spelled "Mail.Delivery.System", In-Reply-To our resolution, no report part.
        let ndr = """
            From: Mail Delivery System <Mail.Delivery.System@mx.carrier.example>\r
            To: help@msp.example\r
            Subject: Undeliverable: [T-1001] Resolved: VPN down\r
            Message-ID: <ndr-1@mx.carrier.example>\r
            In-Reply-To: <\(ours.resolution)>\r
            \r
            Delivery has failed to these recipients: jane@globex.example\r

            """
        let run = try intake(ndr)
        #expect(run.stdout == "ndr-1@mx.carrier.example: bounce noted on T-1001\n", "\(run.stderr)")
        let ticket = try show("T-1001")
        #expect(ticket.ticket["status"] as? String == "closed", "a bounce never reopens")
        #expect(ticket.history.contains("mail \(ours.resolution) bounced: report ndr-1@mx.carrier.example (mail-system-sender)"))
        let statuses = Dictionary(uniqueKeysWithValues: try outbox().map { ($0["messageId"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(statuses[ours.resolution] == "bounced")
        #expect(statuses[ours.ack] != "bounced")
        let table = try docket(["outbox", "list"]).stdout
        #expect(table.contains("bounced"))
        #expect(try docket(["outbox", "list", "--pending", "--json"]).stdout.contains(ours.resolution) == false, "a bounced message is never resent")
    }

    @Test func aReportNamingOurOriginalOnlyInsideIsFoundAndNoted() throws {
        try setUp()
        let ours = try closedTicketWithOurMail()
        // No In-Reply-To; a multipart/report without report-type whose text/rfc822-headers part names our acknowledgement.
        let report = """
            From: gateway@relay.example\r
            Subject: Returned mail\r
            Message-ID: <rpt-1@relay.example>\r
            Content-Type: multipart/report; boundary=r\r
            \r
            --r\r
            Content-Type: text/plain\r
            \r
            The following addresses had permanent fatal errors.\r
            --r\r
            Content-Type: text/rfc822-headers\r
            \r
            From: help@msp.example\r
            Message-ID: <\(ours.ack)>\r
            Subject: [T-1001] VPN down\r
            --r--\r

            """
        let run = try intake(report)
        #expect(run.stdout == "rpt-1@relay.example: bounce noted on T-1001\n", "\(run.stderr)")
        #expect(try show("T-1001").ticket["status"] as? String == "closed")
        let bounced = try outbox().filter { $0["status"] as? String == "bounced" }.compactMap { $0["messageId"] as? String }
        #expect(bounced == [ours.ack])
        #expect(try outbox().first { $0["messageId"] as? String == ours.ack }?["bounceMessageId"] as? String == "rpt-1@relay.example")
    }

    /// A report naming a message still in the outbox neither marks it bounced (it would never be sent) nor is noted:
    /// it is not taken now (exit 75, the mail server keeps it), as a real bounce can outrun `outbox send`'s record of
    /// the message (a local mail server's, found with Postfix: it was dropped, and the bounce lost).
    @Test func aBounceOfAMessageNotRecordedAsSentIsNotTakenNowAndTheMessageStillGoes() throws {
        try setUp()
        let ours = try closedTicketWithOurMail(sent: false)
        let forged = Self.mail(id: "b1@evil.example", from: "nobody@evil.example", subject: "Undeliverable: x", inReplyTo: ours.ack)
        let head = try docket(["stats"]).stdout.split(separator: "\n").first
        let run = try intake(forged)
        #expect(run.status == 75, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.contains("a delivery report about \(ours.ack), whose sending is not recorded yet"), "\(run.stderr)")
        #expect(try docket(["stats"]).stdout.split(separator: "\n").first == head, "nothing written")
        #expect(try outbox().allSatisfy { $0["status"] as? String == "queued" })
        try sendOutbox()
        #expect(try outbox().allSatisfy { $0["status"] as? String == "sent" })
    }

    /// A bounce from a sender on the thread naming a message not yet recorded as sent is not taken now either; once
    /// the send is recorded, the same report delivered again is noted and marks the message bounced.
    @Test func aTrustedSendersBounceOfAMessageNotYetSentIsTakenOnceItIs() throws {
        try setUp()
        let ours = try closedTicketWithOurMail(sent: false)
        let report = Self.mail(id: "b2@globex.example", from: "postmaster@globex.example", subject: "Undeliverable: x", inReplyTo: ours.ack)
        let early = try intake(report)
        #expect(early.status == 75 && early.stdout.isEmpty, "\(early.stdout)\(early.stderr)")
        #expect(try outbox().allSatisfy { $0["status"] as? String == "queued" })
        try sendOutbox()
        let again = try intake(report)
        #expect(again.stdout == "b2@globex.example: bounce noted on T-1001\n", "\(again.stderr)")
        #expect(try outbox().first { $0["messageId"] as? String == ours.ack }?["status"] as? String == "bounced")
    }

    /// A stranger's fake auto-reply threads onto a ticket but is dropped, and does not make their next reply trusted:
    /// the staff reply after it goes to the thread, not to them.
    @Test func aStrangersFakeAutoReplyGetsThemNeitherOntoTheThreadNorStaffReplies() throws {
        try setUp()
        let first = Self.mail(id: "al1@newco.example", from: "alice@newco.example", subject: "Need VPN access")
        #expect(try intake(first).stdout == "al1@newco.example: opened T-1001\n")
        let autoReply = """
            From: mallory@evil.example\r
            Subject: Automatic reply: x\r
            Auto-Submitted: auto-replied\r
            Message-ID: <m1@evil.example>\r
            In-Reply-To: <al1@newco.example>\r
            \r
            x\r

            """
        #expect(try intake(autoReply).stdout == "m1@evil.example: dropped (auto-reply)\n")
        let reply = Self.mail(id: "m2@evil.example", from: "mallory@evil.example", subject: "Re: [T-1001] Need VPN access", inReplyTo: "al1@newco.example")
        #expect(try intake(reply).stdout == "m2@evil.example: opened T-1002\n", "opened apart, as without the auto-reply")
        #expect(try docket(["ticket", "comment", "T-1001", "Your VPN password is hunter2"]).status == 0)
        let recipients = try outbox().filter { $0["ticket"] as? String == "T-1001" }.flatMap { $0["to"] as? [String] ?? [] }
        #expect(recipients.contains("alice@newco.example"))
        #expect(!recipients.contains("mallory@evil.example"))
    }

    // MARK: - §4

    @Test func aStrangersReplyByMessageIdOpensATriageTicketThatNamesTheTicket() throws {
        try setUp()
        let ours = try closedTicketWithOurMail()
        try docket(["ticket", "reopen", "T-1001", "--reason", "test"], as: "intake")
        let stranger = try intake(Self.mail(id: "m1@evil.example", from: "mallory@evil.example", subject: "Re: VPN down", inReplyTo: ours.ack))
        #expect(stranger.stdout == "m1@evil.example: opened T-1002\n", "\(stranger.stderr)")
        let triage = try show("T-1002")
        #expect(triage.ticket["client"] as? String == "triage")
        #expect((triage.ticket["description"] as? String ?? triage.history).contains("Refers to T-1001") || triage.history.contains("Refers to T-1001"))
        #expect(try show("T-1001").history.contains("m1@evil.example") == false, "nothing lands on the referenced ticket")

        // Another client's sender is no more trusted: a ticket of their own.
        let other = try intake(Self.mail(id: "a1@acme.example", from: "ann@acme.example", subject: "Re: VPN down", inReplyTo: "vpn@globex.example"))
        #expect(other.stdout == "a1@acme.example: opened T-1003\n", "\(other.stderr)")
        #expect(try show("T-1003").ticket["client"] as? String == "acme")
    }

    @Test(arguments: [
        ("jane@globex.example", "the ticket's contact"), ("bob@globex.example", "the client's domain"),
        ("carla@partner.example", "on the thread (Cc of the first message)"),
    ])
    func trustedSendersReplyByMessageId(sender: String, why: String) throws {
        try setUp()
        let ours = try closedTicketWithOurMail()
        let reply = try intake(Self.mail(id: "r1@x.example", from: sender, subject: "Re: VPN down", inReplyTo: ours.resolution))
        #expect(reply.stdout == "r1@x.example: reopened T-1001\n", "\(why): \(reply.stderr)")
    }

    // MARK: - §1

    @Test func realBouncesOpenNoTicketAndAPersonForwardingOneDoes() throws {
        try setUp()
        let corpus = Self.fixtures.appendingPathComponent("flufl-bounce")
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".txt") }.sorted()
        #expect(names.count == 117)
        let maildir = folder.child("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        for name in names {
            try FileManager.default.copyItem(atPath: corpus.path + "/" + name, toPath: maildir + "/new/" + name)
        }
        let forward = Self.mail(
            id: "fwd@globex.example", from: "jane@globex.example", subject: "Fwd: Undeliverable: invoice",
            body: "Our invoice bounced:\n\n-----Original Message-----\nFrom: MAILER-DAEMON@mx.example\nSubject: Undeliverable\n")
        try forward.write(toFile: maildir + "/new/zz-forward.eml", atomically: true, encoding: .utf8)
        let run = try docket(["intake", "email", "--maildir", maildir, "--triage-client", "triage"], as: "intake")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == names.count + 1)
        // Opened: the corpus's one person's reply (groupwise_03, an Outlook reply from a hotel), the one bounce the
        // classifier cannot tell from a person's mail (simple_20, see docs/mail-parser.md), and the forward.
        // Before the classifier's new rules, 10 of the 116 bounces opened tickets.
        let opened = lines.filter { $0.contains(": opened T-") }.map { String($0.prefix { $0 != ":" }) }
        #expect(opened == ["!~!UENERkVCMDkAAQACAAAAAAAAAAAAAAAAABgAAAAAAAAAb8aDTsTUYUWKpwEPi9zh68KAAAAQAAAAV5VlkDLux0e838EhDwTJcQEAAAAA", "4u3ji0$p54bh@realmail20.socgen.com", "fwd@globex.example"])
    }
}
