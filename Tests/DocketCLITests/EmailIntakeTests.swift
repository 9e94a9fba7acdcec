import Foundation
import TestSupport
import Testing

/// `docket intake email`, end to end through the binary, with real messages from the shared corpora where they fit.
@Suite struct EmailIntakeTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/mail")

    func fixture(_ path: String) throws -> String {
        try String(contentsOf: EmailIntakeTests.fixtures.appendingPathComponent(path), encoding: .utf8)
    }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        for (code, domain) in [("ddd", "ddd.com"), ("globex", "globex.example")] {
            let run = try docket(["client", "add", code, "--name", code, "--domain", domain, "--time-zone", "UTC", "--currency", "USD"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        // The sender of cpython's msg_01 ("bbb@ddd.com (John X. Doe)"), registered in another case.
        let contact = try docket(["client", "contact", "add", "ddd", "--name", "John Doe", "--email", "BBB@ddd.com"])
        #expect(contact.stdout == "ddd-1\n", "\(contact.stderr)")
    }

    func intake(_ message: String, _ extra: [String] = []) throws -> DocketRun {
        try docket(["intake", "email"] + extra, stdin: message, as: "intake")
    }

    func log() throws -> String { try docket(["log", "--json", "--limit", "10000"]).stdout }

    func ticket(_ number: String) throws -> [String: Any] {
        let show = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", number, "--json"]).stdout.utf8)) as? [String: Any])
        return try #require(show["ticket"] as? [String: Any])
    }

    static func mail(
        id: String, from: String = "Jane <jane@globex.example>", subject: String, inReplyTo: String? = nil,
        extraHeaders: String = "", body: String = "Hello,\nit is broken.\n"
    ) -> String {
        var text = "From: \(from)\r\nTo: help@msp.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        if let inReplyTo { text += "In-Reply-To: <\(inReplyTo)>\r\nReferences: <\(inReplyTo)>\r\n" }
        return text + extraHeaders + "\r\n" + body
    }

    @Test func aMessageFromAContactOpensATicketOnceOnly() throws {
        try setUp()
        let message = try fixture("cpython-test_email/msg_01.txt.eml")
        let first = try intake(message)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "15090.61304.110929.45684@aaa.zzz.org: opened T-1001\n")
        let opened = try ticket("T-1001")
        #expect(opened["client"] as? String == "ddd")
        #expect(opened["contact"] as? String == "ddd-1", "the contact matched case-insensitively")
        #expect(opened["source"] as? String == "email")
        #expect(opened["priority"] as? String == "P3")
        #expect(opened["subject"] as? String == "This is a test message")
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("Do you like this message?"))
        let before = try log()
        #expect(before.contains("ticket.mail-received"))
        let again = try intake(message)
        #expect(again.status == 0)
        #expect(again.stdout == "15090.61304.110929.45684@aaa.zzz.org: duplicate, already on T-1001\n")
        #expect(try log() == before, "a Message-ID delivered twice writes nothing")
    }

    /// Mail from our own support address (our mail come back, or a forged From) was taken as a client's and, from a
    /// client's domain (the MSP's own), acknowledged: a mail loop. Likewise mail with a Message-ID Docket makes that
    /// is not in this store's outbox. Both are dropped now: no ticket, no acknowledgement, nothing written. The drop
    /// left no trace an operator could find (stdout, which a mail server's pipe discards, and LMTP's `250`): each now
    /// says on stderr (the journal of `intake lmtp` and `serve --lmtp`) which message, from whom, and why.
    @Test func mailFromOurOwnAddressOrWithOurMessageIdIsNeverAnswered() throws {
        try setUp()
        try docket(["client", "add", "msp", "--name", "Our own IT", "--domain", "msp.example", "--time-zone", "UTC", "--currency", "USD"])
        let before = try log()
        let environment = ["DOCKET_USER": "intake", "DOCKET_SUPPORT_ADDRESS": "Help Desk <support@msp.example>"]
        let own = try DocketProcess.run(
            ["intake", "email", "--triage-client", "globex"], store: store,
            stdin: Self.mail(id: "loop1@msp.example", from: "Help Desk <Support@msp.example>", subject: "[T-1001] Printer offline"),
            environment: environment)
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout == "loop1@msp.example: dropped (loop)\n")
        #expect(
            own.stderr
                == "docket: warning: dropped mail loop1@msp.example from Support@msp.example: a loop: it is from our own support address (our mail come back, an auto-responder of ours, or a forged From); nothing written\n")
        let forged = try DocketProcess.run(
            ["intake", "email"], store: store, stdin: Self.mail(id: "T-1077.3.deadbeef@docket", subject: "Anything"), environment: environment)
        #expect(forged.stdout == "T-1077.3.deadbeef@docket: dropped (loop)\n", "\(forged.stderr)")
        #expect(
            forged.stderr
                == "docket: warning: dropped mail T-1077.3.deadbeef@docket from jane@globex.example: a loop: its Message-ID is of Docket's form but not in this store's outbox (another Docket's mail, or a forgery); nothing written\n")
        #expect(try log() == before, "no ticket, no acknowledgement")
        #expect(try docket(["outbox", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        // A client's own mail still opens its ticket.
        #expect(try intake(Self.mail(id: "real@globex.example", subject: "Printer offline")).stdout == "real@globex.example: opened T-1001\n")
    }

    @Test func aReplyThreadsByInReplyToAndResumesAWaitingTicket() throws {
        try setUp()
        #expect(try intake(Self.mail(id: "first@globex.example", subject: "Printer offline")).stdout.contains("opened T-1001"))
        let waiting = try docket(["ticket", "status", "T-1001", "waiting-on-client"], as: "intake")
        #expect(waiting.status == 0, "\(waiting.stderr)")
        #expect(try ticket("T-1001")["status"] as? String == "waiting-on-client")
        let reply = try intake(Self.mail(id: "second@globex.example", subject: "Re: Printer offline", inReplyTo: "first@globex.example"))
        #expect(reply.status == 0, "\(reply.stderr)")
        #expect(reply.stdout == "second@globex.example: reply on T-1001\n")
        #expect(try ticket("T-1001")["status"] as? String == "in-progress")
        #expect(try docket(["ticket", "list", "--json"]).stdout.components(separatedBy: "\"number\"").count == 2, "no second ticket")
        // A reply to the reply threads through the read model too.
        let third = try intake(Self.mail(id: "third@globex.example", subject: "Re: Re: Printer offline", inReplyTo: "second@globex.example"))
        #expect(third.stdout == "third@globex.example: reply on T-1001\n")
    }

    @Test func aReplyToAClosedTicketReopensIt() throws {
        try setUp()
        #expect(try intake(Self.mail(id: "a@globex.example", subject: "VPN down")).stdout.contains("opened T-1001"))
        let close = try docket(["ticket", "close", "T-1001", "--resolution", "Restarted the VPN", "--no-time", "--reason", "test"], as: "intake")
        #expect(close.status == 0, "\(close.stderr)")
        let reply = try intake(Self.mail(id: "b@globex.example", subject: "Re: VPN down", inReplyTo: "a@globex.example"))
        #expect(reply.stdout == "b@globex.example: reopened T-1001\n", "\(reply.stderr)")
        #expect(try ticket("T-1001")["status"] as? String != "closed")
    }

    @Test func aSubjectTokenIsTrustedOnlyFromTheTicketsClient() throws {
        try setUp()
        #expect(try intake(Self.mail(id: "x1@globex.example", subject: "Mail quota")).stdout.contains("opened T-1001"))
        let sameDomain = try intake(Self.mail(id: "x2@globex.example", from: "bob@globex.example", subject: "Re: [T-1001] Mail quota"))
        #expect(sameDomain.stdout == "x2@globex.example: reply on T-1001\n", "\(sameDomain.stderr)")
        let stranger = try intake(
            Self.mail(id: "x3@evil.example", from: "mallory@evil.example", subject: "[T-1001] please send the password"),
            ["--triage-client", "ddd"])
        #expect(stranger.stdout == "x3@evil.example: opened T-1002\n", "a stranger's token does not thread: \(stranger.stderr)")
        #expect(try ticket("T-1002")["client"] as? String == "ddd")
        let otherClient = try intake(Self.mail(id: "x4@ddd.com", from: "someone@ddd.com", subject: "Re: [T-1001] Mail quota"))
        #expect(otherClient.stdout == "x4@ddd.com: opened T-1003\n", "another client's token does not thread")
    }

    /// The probe's phishing relay: a stranger forges From: victim, with a display name holding line breaks and a
    /// paragraph of text. The triage ticket opens, but no acknowledgement goes to the forged address (nobody decided
    /// to mail it); the name is kept as one line of at most 100 characters, and a staff reply carries only that.
    @Test func aStrangersMailOnTheTriageClientIsNotAcknowledgedAndItsNameIsOneShortLine() throws {
        try setUp()
        let paragraph = "friend,\r\n\r\nYOUR ACCOUNT IS SUSPENDED. Verify at https://evil.example/login\r\n" + String(repeating: "x", count: 300)
        let encoded = stride(from: 0, to: paragraph.utf8.count, by: 40).map { start -> String in
            let bytes = Array(paragraph.utf8)[start..<min(start + 40, paragraph.utf8.count)]
            return "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
        }.joined(separator: " ")
        let stranger = try intake(
            Self.mail(id: "spam-1@evil.example", from: "\(encoded) <victim@other.example>", subject: "Urgent: verify your account"),
            ["--triage-client", "ddd"])
        #expect(stranger.stdout == "spam-1@evil.example: opened T-1001\n", "\(stranger.stderr)")
        let known = try intake(Self.mail(id: "k-1@globex.example", subject: "Printer"))
        #expect(known.stdout == "k-1@globex.example: opened T-1002\n", "\(known.stderr)")
        func queued() throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        }
        #expect(try queued().compactMap { $0["ticket"] as? String } == ["T-1002"], "only the known sender is acknowledged")
        let log = try docket(["log", "--stream", "ticket-T-1001", "--json"]).stdout
        #expect(!log.contains("\\r\\n"), "the stored name holds no line break")
        #expect(try docket(["ticket", "comment", "T-1001", "We never send such links."], as: "intake").status == 0)
        let reply = try #require(try queued().first { $0["ticket"] as? String == "T-1001" })
        let show = try docket(["outbox", "show", try #require(reply["messageId"] as? String)])
        let start = try #require(show.stdout.range(of: "\r\nTo: "), "\(show.stdout) \(show.stderr)")
        let end = try #require(show.stdout.range(of: "\r\nCc: ") ?? show.stdout.range(of: "\r\nSubject: "), "the To header ends at the Cc (the thread) or the Subject")
        let to = show.stdout[start.upperBound..<end.lowerBound]
        #expect(to.hasSuffix("<victim@other.example>"), "\(to)")
        #expect(to.utf8.count < 400, "the name is cut: \(to.utf8.count) octets")
        #expect(to.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "and folded: \(to)")
    }

    @Test func anUnknownSenderIsRefusedWithTheFix() throws {
        try setUp()
        let before = try log()
        let refused = try intake(Self.mail(id: "u@nowhere.example", from: "u@nowhere.example", subject: "Hi"))
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("--triage-client"))
        #expect(refused.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
        #expect(try log() == before)
    }

    @Test func newMailFromADeactivatedClientGoesToTriageOrIsRefusedAndRepliesStillThread() throws {
        try setUp()
        #expect(try intake(Self.mail(id: "g1@globex.example", subject: "Printer")).stdout.contains("opened T-1001"))
        #expect(try docket(["client", "deactivate", "globex", "--keep-open-tickets"]).status == 0)
        // A reply on the client's ticket still threads.
        let reply = try intake(Self.mail(id: "g2@globex.example", subject: "Re: [T-1001] Printer", inReplyTo: "g1@globex.example"))
        #expect(reply.stdout == "g2@globex.example: reply on T-1001\n", "\(reply.stderr)")
        // New mail: refused for good without a triage client (exit 4: LMTP 550, the sender is told), nothing written…
        let before = try log()
        let refused = try intake(Self.mail(id: "g3@globex.example", subject: "New problem"))
        #expect(refused.status == 4)
        #expect(refused.stderr == "docket: error: mail from jane@globex.example is from client globex, which is deactivated; reactivate it (`docket client reactivate globex`) or pass --triage-client CODE to keep its mail\n")
        #expect(try log() == before)
        // …and kept on the triage client's queue with one, without globex's contact.
        let triaged = try intake(Self.mail(id: "g4@globex.example", subject: "New problem"), ["--triage-client", "ddd"])
        #expect(triaged.stdout == "g4@globex.example: opened T-1002\n", "\(triaged.stderr)")
        let ticket = try ticket("T-1002")
        #expect(ticket["client"] as? String == "ddd")
        #expect(ticket["contact"] == nil)
    }

    @Test func bouncesAreDroppedOrOnlyNoted() throws {
        try setUp()
        let before = try log()
        let bounce = try intake(try fixture("ruby-mail/multipart_report_emails/report_422.eml"), ["--triage-client", "ddd"])
        #expect(bounce.status == 0, "\(bounce.stderr)")
        #expect(bounce.stdout == "200801161640.m0GFZ1c3009410@mail11.ttttt.com.au: dropped (bounce)\n")
        #expect(try log() == before, "nothing written")
        #expect(try intake(Self.mail(id: "o1@globex.example", subject: "Backup")).stdout.contains("opened T-1001"))
        try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], as: "intake")
        let auto = try intake(Self.mail(
            id: "o2@globex.example", subject: "Automatic reply: Backup", inReplyTo: "o1@globex.example",
            extraHeaders: "Auto-Submitted: auto-replied\r\n", body: "I am out of office.\n"))
        #expect(auto.stdout == "o2@globex.example: auto-reply noted on T-1001\n", "\(auto.stderr)")
        #expect(try ticket("T-1001")["status"] as? String == "closed", "auto-replies never reopen")
        let stray = try intake(Self.mail(id: "o3@globex.example", subject: "Out of Office", extraHeaders: "Auto-Submitted: auto-replied\r\n"))
        #expect(stray.stdout == "o3@globex.example: dropped (auto-reply)\n")
    }

    @Test func attachmentsAreStoredContentAddressed() throws {
        try setUp()
        let body = """
            --b1\r
            Content-Type: text/plain\r
            \r
            See the log.\r
            --b1\r
            Content-Type: text/plain; name="log.txt"\r
            Content-Disposition: attachment; filename="log.txt"\r
            Content-Transfer-Encoding: base64\r
            \r
            aGVsbG8gd29ybGQK\r
            --b1--\r

            """
        let message = Self.mail(
            id: "att@globex.example", subject: "Log attached",
            extraHeaders: "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n", body: body)
        let run = try intake(message)
        #expect(run.stdout == "att@globex.example: opened T-1001\n", "\(run.stderr)")
        let sha = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
        let path = store + "/attachments/a9/" + sha
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("hello world\n".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: store + "/attachments/a9")
        #expect((folderAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let log = try log()
        #expect(log.contains(sha))
        #expect(log.contains("\"size\":12") || log.contains("\"size\": 12"))
        #expect(!log.contains("aGVsbG8gd29ybGQK"), "bytes never go into events")
    }

    @Test func aMalformedMessageIsRefusedAndNothingIsWritten() throws {
        try setUp()
        let before = try log()
        let bad = try intake("")
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("empty"))
        let garbage = try intake("this is not a mail message")
        #expect(garbage.status == 65)
        #expect(try log() == before)
    }
    static let withAttachment = mail(
        id: "att@nowhere.example", from: "x@nowhere.example", subject: "Log attached",
        extraHeaders: "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n",
        body: "--b1\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n\r\nsecret bytes\r\n--b1--\r\n")

    func attachmentFiles() -> [String] {
        (FileManager.default.enumerator(atPath: store + "/attachments")?.allObjects as? [String] ?? []).filter { $0.count > 3 }
    }

    /// A message refused because the triage client does not exist leaves no attachment file behind.
    @Test func aMessageRefusedForAnUnknownTriageClientLeavesNoFile() throws {
        try setUp()
        let before = try log()
        let refused = try intake(Self.withAttachment, ["--triage-client", "typo"])
        #expect(refused.status == 4)
        #expect(refused.stderr == "docket: error: the triage client typo does not exist; pass an existing client's code to --triage-client (`docket client list`)\n")
        let unreadable = try intake("no header here", ["--triage-client", "typo"])
        #expect(unreadable.status == 4, "\(unreadable.stderr)")
        #expect(attachmentFiles().isEmpty, "\(attachmentFiles())")
        #expect(try log() == before)
    }

    /// An attachments folder Docket cannot use is named with the fix (exit 73), and nothing is written.
    @Test func anUnusableAttachmentsFolderIsNamed() throws {
        try setUp()
        try "".write(toFile: store + "/attachments", atomically: true, encoding: .utf8)
        let before = try log()
        let run = try intake(Self.withAttachment.replacingOccurrences(of: "x@nowhere.example", with: "jane@globex.example"))
        #expect(run.status == 73)
        #expect(run.stderr == "docket: error: cannot store attachments in \(store)/attachments: it is a file, not a folder; make it a folder Docket's user can write (or free disk space)\n")
        #expect(try log() == before)
    }

    @Test func aReopenWindowBeyondACenturyIsBadUsage() throws {
        try setUp()
        let run = try intake(Self.mail(id: "o1@globex.example", subject: "s"), ["--reopen-days", "999999999999"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--reopen-days must be 0 to 36500"), "\(run.stderr)")
        #expect(try docket(["ticket", "list", "--json"]).stdout.contains("T-1001") == false)
    }

    /// Something in a Maildir's new/ that is no message file is reported on one line with its path and the fix; the
    /// run goes on and exits 65.
    @Test func aFolderInsideAMaildirIsReportedAndTheRunGoesOn() throws {
        try setUp()
        let maildir = folder.child("Maildir")
        for sub in ["new/oops", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        try Self.mail(id: "m1@globex.example", subject: "One").write(toFile: maildir + "/new/1.eml", atomically: true, encoding: .utf8)
        let run = try docket(["intake", "email", "--maildir", maildir], as: "intake")
        #expect(run.status == 65)
        #expect(run.stdout == "m1@globex.example: opened T-1001\n")
        #expect(run.stderr == "docket: error: \(maildir)/new/oops: a folder, not a message file; a Maildir's new/ and cur/ hold only messages: move it out\n")
    }

    @Test func aReplyLongAfterClosingOpensAFollowUpTicket() throws {
        try setUp()
        #expect(try intake(Self.mail(id: "f1@globex.example", subject: "Slow laptop")).stdout.contains("opened T-1001"))
        try docket(["ticket", "close", "T-1001", "--resolution", "Replaced the disk", "--no-time", "--reason", "test"], as: "intake")
        let late = try intake(Self.mail(id: "f2@globex.example", subject: "Re: Slow laptop", inReplyTo: "f1@globex.example"), ["--reopen-days", "0"])
        #expect(late.stdout == "f2@globex.example: opened T-1002\n", "\(late.stderr)")
        #expect(try ticket("T-1001")["status"] as? String == "closed")
        let show = try docket(["ticket", "show", "T-1002"]).stdout
        #expect(show.contains("Follows T-1001"))
        #expect(show.contains("mail new from jane@globex.example"))
    }

    @Test func aMaildirIsTakenMessageByMessage() throws {
        try setUp()
        let maildir = folder.child("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        try Self.mail(id: "m1@globex.example", subject: "One").write(toFile: maildir + "/new/1.eml", atomically: true, encoding: .utf8)
        try Self.mail(id: "m2@globex.example", subject: "Re: One", inReplyTo: "m1@globex.example")
            .write(toFile: maildir + "/new/2.eml", atomically: true, encoding: .utf8)
        try fixture("cpython-test_email/msg_01.txt.eml").write(toFile: maildir + "/cur/3:2,S", atomically: true, encoding: .utf8)
        let run = try docket(["intake", "email", "--maildir", maildir], as: "intake")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "m1@globex.example: opened T-1001\nm2@globex.example: reply on T-1001\n15090.61304.110929.45684@aaa.zzz.org: opened T-1002\n")
        let again = try docket(["intake", "email", "--maildir", maildir], as: "intake")
        #expect(again.stdout.components(separatedBy: "duplicate").count == 4)
    }
}

extension EmailIntakeTests {
    @Test func aSenderFromAClientsDomainBecomesAnUnverifiedContact() throws {
        try setUp()
        let opened = try intake(Self.mail(id: "u1@globex.example", from: "Jane Roe <Jane@Globex.example>", subject: "VPN down"))
        #expect(opened.stdout == "u1@globex.example: opened T-1001\n", "\(opened.stderr)")
        #expect(try ticket("T-1001")["contact"] as? String == "globex-1")
        let client = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["client", "show", "globex", "--json"]).stdout.utf8)) as? [String: Any])
        #expect(String(describing: client).contains("jane@globex.example"))
        #expect(try log().contains("\"unverified\":true"))
        // The opening names no contact: the sender-contact reaction set it, in the same transaction.
        #expect(try log().contains("ticket.contact-set"))
        // The second message from her matches the contact itself: no second contact.
        _ = try intake(Self.mail(id: "u2@globex.example", from: "jane@globex.example", subject: "Printer"))
        #expect(try ticket("T-1002")["contact"] as? String == "globex-1")
        #expect(try log().components(separatedBy: "client.contact-added").count == 3, "ddd-1 from setUp and globex-1 only")
    }
}
