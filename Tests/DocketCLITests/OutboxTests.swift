import Foundation
import TestSupport
import Testing

/// `docket outbox …` end to end through the binary, with a fake sendmail written into a temporary folder.
@Suite struct OutboxCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    var mbox: String { folder.child("sent.mbox") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(
            arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user, "DOCKET_SUPPORT_ADDRESS": "help@msp.example"])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"])
        let client = try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"])
        #expect(client.status == 0, "\(client.stderr)")
    }

    /// A sendmail stand-in: appends its arguments and stdin to `sent.mbox`, or fails like Postfix does.
    func fakeSendmail(failing: Bool) throws -> String {
        let path = folder.child(failing ? "sendmail-broken" : "sendmail")
        let script =
            failing
            ? "#!/bin/sh\ncat > /dev/null\necho 'sendmail: fatal: queue file write error' >&2\necho 'second line' >&2\nexit 75\n"
            : "#!/bin/sh\necho \"ARGS: $*\" >> '\(mbox)'\ncat >> '\(mbox)'\necho '--END--' >> '\(mbox)'\n"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func outbox() throws -> [[String: Any]] {
        let list = try docket(["outbox", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    }

    /// `outbox list` gives QUEUED in the viewer's zone, named, as every other table does (it printed
    /// `2026-11-28T15:00:00.000Z`); `--json` keeps RFC 3339 UTC.
    @Test(arguments: DocketMode.allCases) func theListGivesQueuedTimesInTheViewersZone(_ mode: DocketMode) throws {
        // Written embedded at a fixed time (a served store keeps the server's clock), read both ways.
        let at = { (arguments: [String]) throws -> DocketRun in
            try DocketProcess.runEmbedded(
                arguments, store: store, environment: ["DOCKET_USER": "ann", "DOCKET_SUPPORT_ADDRESS": "help@msp.example", "DOCKET_NOW": "2026-11-28T15:00:00Z"])
        }
        #expect(try at(["init"]).status == 0)
        #expect(try at(["user", "time-zone", "ann", "America/New_York"]).status == 0)
        #expect(try at(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try at(["client", "contact", "add", "globex", "--name", "Jane", "--email", "jane@globex.example"]).status == 0)
        #expect(try at(["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "VPN"]).stdout == "T-1001\n")
        try mode.run {
            let table = try docket(["outbox", "list"])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.contains(" 2026-11-28 10:00 EST\n") && !table.stdout.contains(".000Z"), "\(table.stdout)")
            #expect(try docket(["outbox", "list", "--json"]).stdout.contains(#""queuedAt" : "2026-11-28T15:00:00.000Z""#))
        }
    }

    @Test func aPublicReplyIsSentAndTheClientsAnswerToItThreadsBack() throws {
        try setUp()
        let first = "From: Jane <jane@globex.example>\r\nTo: help@msp.example\r\nSubject: Printer offline\r\nMessage-ID: <first@globex.example>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nIt is broken.\r\n"
        #expect(try docket(["intake", "email"], stdin: first, as: "intake").stdout == "first@globex.example: opened T-1001\n")
        #expect(try docket(["ticket", "comment", "T-1001", "--internal", "Probably the toner"], as: "bob").status == 0)
        let comment = try docket(["ticket", "comment", "T-1001", "Which printer is it?"], as: "bob")
        #expect(comment.status == 0, "\(comment.stderr)")

        var entries = try outbox()
        #expect(entries.map { $0["reason"] as? String } == ["acknowledgement", "reply"], "the internal note sends nothing")
        #expect(entries.map { $0["status"] as? String } == ["queued", "queued"])
        #expect(entries.allSatisfy { ($0["to"] as? [String]) == ["jane@globex.example"] })
        let replyId = try #require(entries[1]["messageId"] as? String)
        #expect(replyId.hasPrefix("T-1001.2.") && replyId.hasSuffix("@docket"))

        let show = try docket(["outbox", "show", "<\(replyId)>"])
        #expect(show.status == 0, "\(show.stderr)")
        for header in [
            "From: help@msp.example\r\n", "To: Jane <jane@globex.example>\r\n", "Subject: Re: [T-1001] Printer offline\r\n",
            "Message-ID: <\(replyId)>\r\n", "In-Reply-To: <first@globex.example>\r\n", "References: <first@globex.example>\r\n",
            "MIME-Version: 1.0\r\n", "Content-Type: text/plain; charset=utf-8\r\n", "Content-Transfer-Encoding: quoted-printable\r\n",
        ] {
            #expect(show.stdout.contains(header), "missing \(header)")
        }
        #expect(show.stdout.contains("\r\nDate: "))
        #expect(show.stdout.contains("\r\n\r\nWhich printer is it?\r\n"))
        #expect(try docket(["outbox", "show", "nope@docket"]).status == 4)
        #expect(try docket(["outbox", "show", "nope@docket", "--json"]).status == 4)

        // --json: the same message as one object, headers in order, the body as sent.
        let shown = try docket(["outbox", "show", replyId, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(object["messageId"] as? String == replyId)
        #expect(object["ticket"] as? String == "T-1001")
        #expect(object["reason"] as? String == "reply")
        #expect(object["status"] as? String == "queued")
        #expect((object["body"] as? String)?.hasPrefix("Which printer is it?\r\n") == true)
        let headers = try #require(object["headers"] as? [[String: String]])
        #expect(headers.first { $0["name"] == "Subject" }?["value"] == "Re: [T-1001] Printer offline")
        #expect(headers.first { $0["name"] == "In-Reply-To" }?["value"] == "<first@globex.example>")
        #expect(headers.map { $0["name"] ?? "" }.prefix(2) == ["From", "To"], "\(headers)")

        // A folder given as the program is bad usage (64), not a failed delivery of every message: nothing written.
        let beforeFolder = try docket(["stats"]).stdout
        let folderRun = try docket(["outbox", "send", "--sendmail", folder.path])
        #expect(folderRun.status == 64, "\(folderRun.stderr)")
        #expect(folderRun.stderr.contains("is not an executable file"))
        #expect(try docket(["stats"]).stdout == beforeFolder)

        // A failing sendmail: both stay queued, with the error; exit 6.
        let broken = try docket(["outbox", "send", "--sendmail", try fakeSendmail(failing: true)])
        #expect(broken.status == 6, "\(broken.stderr)")
        #expect(broken.stdout.contains("exit 75): sendmail: fatal: queue file write error"))
        entries = try outbox()
        #expect(entries.map { $0["status"] as? String } == ["failed", "failed"])
        #expect(entries.map { $0["attempts"] as? Int } == [1, 1])
        #expect(entries[0]["lastError"] as? String == "exit 75: sendmail: fatal: queue file write error")

        // A working one: both go, once, with -t -i and the support address as the envelope sender (bounces come back
        // to intake; without -f they went to the account running the send); a second run sends nothing.
        let sendmail = try fakeSendmail(failing: false)
        let sent = try docket(["outbox", "send", "--sendmail", sendmail])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("\(replyId): sent (T-1001, attempt 2)"))
        let delivered = try String(contentsOfFile: mbox, encoding: .utf8)
        #expect(delivered.components(separatedBy: "--END--").count == 3)
        #expect(delivered.hasPrefix("ARGS: -t -i -f help@msp.example\n"), "\(delivered.prefix(60))")
        #expect(!delivered.contains("\r"), "sendmail gets LF line ends")
        let again = try docket(["outbox", "send", "--sendmail", sendmail])
        #expect(again.stdout == "nothing to send\n")
        #expect(try String(contentsOfFile: mbox, encoding: .utf8) == delivered, "nothing is sent twice")
        #expect(try outbox().map { $0["status"] as? String } == ["sent", "sent"])

        // The client answers the message sendmail got (subject without the token: only the Message-ID can thread it).
        let sentReply = try #require(delivered.components(separatedBy: "--END--").dropFirst().first)
        let ourId = try #require(sentReply.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }).dropFirst("Message-ID: ".count)
        #expect(ourId == "<\(replyId)>")
        let answer = "From: Jane <jane@globex.example>\r\nTo: help@msp.example\r\nSubject: Re: printer\r\nMessage-ID: <second@globex.example>\r\nIn-Reply-To: \(ourId)\r\nReferences: <first@globex.example> \(ourId)\r\n\r\nThe one on floor 2.\r\n"
        let threaded = try docket(["intake", "email"], stdin: answer, as: "intake")
        #expect(threaded.stdout == "second@globex.example: reply on T-1001\n", "\(threaded.stderr)")
        #expect(try docket(["ticket", "list", "--json"]).stdout.components(separatedBy: "\"number\"").count == 2, "no second ticket")
        let history = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(history.contains("mail queued (reply) to jane@globex.example"))
    }

    /// An unusable $DOCKET_SUPPORT_ADDRESS was replaced by support@localhost.localdomain without a word, so clients'
    /// answers went nowhere; one with a second address or a raw 8-bit name reached the From header. Now it is refused
    /// (64) before anything is written, naming the variable and the form it needs.
    @Test func anUnusableSupportAddressIsRefusedAndNothingIsWritten() throws {
        try setUp()
        let opened = try docket(["ticket", "open", "--client", "globex", "--subject", "VPN"], as: "bob")
        #expect(opened.status == 0, "\(opened.stderr)")
        let before = try docket(["stats"]).stdout
        for bad in ["support at msp.example", "Süpport <help@msp.example>, victim@other.example"] {
            let run = try DocketProcess.run(
                ["ticket", "comment", "T-1001", "hello"], store: store, environment: ["DOCKET_USER": "bob", "DOCKET_SUPPORT_ADDRESS": bad])
            #expect(run.status == 64, "\(bad): \(run.stderr)")
            #expect(run.stderr == "docket: error: $DOCKET_SUPPORT_ADDRESS '\(bad)' is not one mail address; give one such as support@msp.example or 'Help Desk <support@msp.example>'\n")
        }
        #expect(try docket(["stats"]).stdout == before)
    }

    @Test func ticketsWithoutAnEmailSendNothing() throws {
        try setUp()
        let open = try docket(["ticket", "open", "--client", "globex", "--subject", "Phone call"], as: "bob")
        #expect(open.status == 0, "\(open.stderr)")
        #expect(try docket(["ticket", "comment", "T-1001", "Called back"], as: "bob").status == 0)
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], as: "bob").status == 0)
        #expect(try outbox().isEmpty)
        #expect(try docket(["outbox", "send", "--sendmail", try fakeSendmail(failing: false)]).stdout == "nothing to send\n")
    }

    /// A message queued to a contact before they were removed from the client was still delivered by the next
    /// `outbox send`. It is cancelled, never handed to sendmail, and `outbox list`, `outbox show` and `ticket show`
    /// say why.
    @Test func mailQueuedToARemovedContactIsCancelledVisibly() throws {
        try setUp()
        #expect(try docket(["client", "contact", "add", "globex", "--name", "Jane", "--email", "jane@globex.example"]).stdout == "globex-1\n")
        #expect(try docket(["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "VPN"], as: "bob").status == 0)
        #expect(try docket(["ticket", "comment", "T-1001", "The new VPN password is on its way"], as: "bob").status == 0)
        #expect(try docket(["client", "contact", "remove", "globex", "globex-1"]).status == 0)
        let sent = try docket(["outbox", "send", "--sendmail", try fakeSendmail(failing: false)])
        #expect(sent.status == 0, "\(sent.stderr)")
        let reason = "contact globex-1 was removed from client globex"
        let entries = try outbox()
        let ids = entries.compactMap { $0["messageId"] as? String }
        #expect(sent.stdout == ids.map { "\($0): cancelled (T-1001): \(reason)\n" }.joined())
        #expect(!FileManager.default.fileExists(atPath: mbox), "sendmail never ran")
        #expect(entries.map { $0["status"] as? String } == ["cancelled", "cancelled"])
        #expect(entries.map { $0["cancelReason"] as? String } == [reason, reason])
        #expect(try docket(["outbox", "list"]).stdout.contains("cancelled: \(reason)"))
        let show = try docket(["outbox", "show", ids[1], "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "cancelled" && object["cancelReason"] as? String == reason)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("mail \(ids[1]) (reply) to jane@globex.example cancelled: \(reason)"))
        #expect(try docket(["outbox", "send", "--sendmail", try fakeSendmail(failing: false)]).stdout == "nothing to send\n")
    }

    /// After 12 failed attempts a message was `undeliverable`, shown only by `outbox list`, with no way to try it
    /// again. `ticket show` lists it (also --json), and an admin's `outbox retry` queues it again; a sent message is
    /// refused. Through `docket serve` too.
    @Test(arguments: DocketMode.allCases) func anUndeliverableMessageIsOnItsTicketAndAnAdminRetriesIt(_ mode: DocketMode) throws {
        // Twelve failed attempts, hours apart, embedded (a served store keeps the server's clock).
        let embedded = { (arguments: [String], user: String, now: String) throws -> DocketRun in
            try DocketProcess.runEmbedded(
                arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_SUPPORT_ADDRESS": "help@msp.example", "DOCKET_NOW": now])
        }
        #expect(try embedded(["init"], "ann", "2026-11-02T08:00:00Z").status == 0)
        #expect(try embedded(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], "ann", "2026-11-02T08:00:00Z").status == 0)
        #expect(try embedded(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"], "ann", "2026-11-02T08:00:00Z").status == 0)
        #expect(try embedded(["client", "contact", "add", "globex", "--name", "Jane", "--email", "jane@globex.example"], "ann", "2026-11-02T08:00:00Z").status == 0)
        #expect(try embedded(["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "VPN"], "bob", "2026-11-02T09:00:00Z").status == 0)
        let broken = try fakeSendmail(failing: true)
        for attempt in 0..<12 {  // 4 hours apart: the longest wait between attempts
            let run = try embedded(["outbox", "send", "--sendmail", broken], "ann", String(format: "2026-11-%02dT%02d:00:00Z", 3 + attempt * 4 / 24, attempt * 4 % 24))
            #expect(run.status == 6, "\(run.stderr)")
        }
        let id = try #require(try outbox().first?["messageId"] as? String)
        #expect(try outbox().first?["status"] as? String == "undeliverable")
        try mode.run {
            let show = try docket(["ticket", "show", "T-1001"], as: "bob")
            #expect(show.stdout.contains(
                "mail \(id) (acknowledgement) to jane@globex.example UNDELIVERABLE after 12 attempts: exit 75: sendmail: fatal: queue file write error"),
                "\(show.stdout)")
            let json = try docket(["ticket", "show", "T-1001", "--json"], as: "bob")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let undelivered = try #require(object["undeliveredMail"] as? [[String: Any]])
            #expect(undelivered.map { $0["messageId"] as? String } == [id])
            #expect(undelivered.first?["status"] as? String == "undeliverable" && undelivered.first?["attempts"] as? Int == 12)

            let byTech = try docket(["outbox", "retry", id], as: "bob")
            #expect(byTech.status == 5, "admins only: \(byTech.stderr)")
            #expect(try docket(["outbox", "retry", "nobody@docket"]).status == 4)
            let retried = try docket(["outbox", "retry", "<\(id)>", "--command-id", "retry-1"])
            #expect(retried.status == 0, "\(retried.stderr)")
            #expect(retried.stdout == "\(id): queued again (T-1001); the next `docket outbox send` tries it\n")
            let before = try docket(["log", "--json", "--limit", "100000"]).stdout
            #expect(try docket(["outbox", "retry", "<\(id)>", "--command-id", "retry-1"]).status == 0)
            #expect(try docket(["log", "--json", "--limit", "100000"]).stdout == before, "the same command id writes nothing")
            #expect(try outbox().first?["status"] as? String == "queued")
            #expect(!(try docket(["ticket", "show", "T-1001"], as: "bob").stdout.contains("UNDELIVERABLE")))
            let again = try docket(["outbox", "retry", id])
            #expect(again.status == 6 && again.stderr.contains("is still queued"), "\(again.stderr)")
        }
        let delivered = try embedded(["outbox", "send", "--sendmail", try fakeSendmail(failing: false)], "ann", "2026-11-05T09:00:00Z")
        #expect(delivered.stdout == "\(id): sent (T-1001, attempt 13)\n", "\(delivered.stderr)")
        // When it was sent, in the admin's own zone (it was RFC 3339 UTC: `was sent at 2026-12-07T08:45:46.120Z`). The
        // served run's events were stamped by the wall clock, which the log's times never go back from: the sending time
        // is then, so only its form is checked.
        #expect(try embedded(["user", "time-zone", "ann", "America/New_York"], "ann", "2026-11-05T09:05:00Z").status == 0)
        let refused = try embedded(["outbox", "retry", id], "ann", "2026-11-05T09:05:00Z")
        #expect(refused.status == 6)
        let sentAt = try #require(refused.stderr.firstRange(of: #/was sent at \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? E[SD]T; there is nothing to retry\n$/#))
        #expect(refused.stderr.hasPrefix("docket: error: message \(id) was sent at ") && !sentAt.isEmpty, "\(refused.stderr)")
    }
}
