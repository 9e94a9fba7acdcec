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

        // A working one: both go, once, with -t -i; a second run sends nothing.
        let sendmail = try fakeSendmail(failing: false)
        let sent = try docket(["outbox", "send", "--sendmail", sendmail])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("\(replyId): sent (T-1001, attempt 2)"))
        let delivered = try String(contentsOfFile: mbox, encoding: .utf8)
        #expect(delivered.components(separatedBy: "--END--").count == 3)
        #expect(delivered.hasPrefix("ARGS: -t -i\n"))
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
}
