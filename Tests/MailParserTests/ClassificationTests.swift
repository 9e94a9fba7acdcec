import MailParser
import Testing

/// Bounce and auto-reply detection on real mails from the corpora, and on synthetic ones for the header forms the
/// corpora lack (the corpora hold no real out-of-office reply).
@Suite("Bounces and automatic replies")
struct ClassificationTests {
    static let realBounces = [
        "ruby-mail/multipart_report_emails/multi_address_bounce1.eml",
        "ruby-mail/multipart_report_emails/multi_address_bounce2.eml",
        "ruby-mail/multipart_report_emails/multipart_report_multiple_status.eml",
        "ruby-mail/multipart_report_emails/report_422.eml",
        "ruby-mail/multipart_report_emails/report_530.eml",
        "ruby-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml",
        "cpython-test_email/msg_05.txt.eml",
        "cpython-test_email/msg_16.txt.eml",
        "cpython-test_email/msg_25.txt.eml",
        "cpython-test_email/msg_43.txt.eml",
    ]

    @Test(arguments: realBounces)
    func realBouncesAreBounces(path: String) throws {
        let message = try Fixtures.message(path)
        #expect(message.isBounce)
        #expect(message.kind == .bounce)
        #expect(!message.isAutoReply, "a bounce is decided before an auto-reply")
    }

    @Test func bounceSignalsOneByOne() throws {
        // multipart/report; report-type=delivery-status, though From is an ordinary address ("foo").
        #expect(try Fixtures.message("cpython-test_email/msg_05.txt.eml").from.first?.name == "foo")
        // message/DELIVERY-STATUS part without report-type, from postmaster.
        let ucla = try Fixtures.message("cpython-test_email/msg_16.txt.eml")
        #expect(ucla.root.contentType[parameter: "report-type"] == nil)
        // Bounces often say Auto-Submitted: auto-replied.
        let postfix = try Fixtures.message("ruby-mail/multipart_report_emails/multi_address_bounce1.eml")
        #expect(postfix.headers["Auto-Submitted"] == "auto-replied")
        #expect(postfix.kind == .bounce)
        // Only the From address: MAILER-DAEMON or postmaster, without a report.
        #expect(
            try parse(headers: "From: MAILER-DAEMON@example.com (Mail Delivery System)\nSubject: Undeliverable")
                .isBounce)
        #expect(try parse(headers: "From: Postmaster <POSTMASTER@example.com>\nSubject: failure").isBounce)
        #expect(try parse(headers: "From: MAILER-DAEMON\nSubject: failure").isBounce)
        #expect(try !parse(headers: "From: daemon@example.com\nSubject: hi").isBounce)
    }

    @Test func aForwardedBounceIsNotABounce() throws {
        let forwarded = """
            From: alice@example.com
            Subject: Fwd: bounce
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            see below
            --b
            Content-Type: message/rfc822

            From: MAILER-DAEMON@example.com
            Content-Type: multipart/report; report-type=delivery-status; boundary=r

            --r
            Content-Type: message/delivery-status

            Status: 5.0.0
            --r--
            --b--
            """
        let message = try ParsedMessage(parsing: Array(forwarded.utf8))
        #expect(!message.isBounce)
        guard case .message(let embedded, _) = message.root.children[1].body else {
            Issue.record("the second part should be an embedded message")
            return
        }
        #expect(embedded.isBounce)
    }

    @Test func realAutomaticMail() throws {
        // Precedence: bulk (a mailing list archive) and junk (spam).
        #expect(try Fixtures.message("cpython-test_email/msg_32.txt.eml").isAutoReply)
        #expect(try Fixtures.message("cpython-test_email/msg_33.txt.eml").isAutoReply)
        #expect(try Fixtures.message("ruby-mail/error_emails/bad_date_header.eml").isAutoReply)
        // Precedence: list.
        #expect(try Fixtures.message("stalwart-mail-parser/thirdparty/014.eml").isAutoReply)
        // Auto-Submitted: auto-generated with X-Auto-Response-Suppress: All, on a message forwarded inside a
        // personal reply: the embedded one is automatic, the outer one is not.
        let forward = try Fixtures.message("stalwart-mail-parser/thirdparty/015.eml")
        #expect(forward.kind == .personal)
        let embedded = forward.root.allParts.compactMap { part -> ParsedMessage? in
            if case .message(let message, _) = part.body { return message }
            return nil
        }
        #expect(embedded.count == 3)
        let officeReply = try #require(embedded.first { $0.subject == "RE: (#5290765) Proxmox Shop E-Mails" })
        #expect(officeReply.headers["X-Auto-Response-Suppress"] == "All")
        #expect(officeReply.isAutoReply)
        #expect(embedded.first?.subject == "Exciting updates for our training partnership")
        #expect(embedded.first?.kind == .personal)
    }

    @Test(arguments: Fixtures.messages(under: "talon"))
    func realPersonalRepliesAreNeither(path: String) throws {
        let message = try Fixtures.message(path)
        #expect(message.kind == .personal)
    }

    @Test(arguments: [
        "Auto-Submitted: auto-replied", "Auto-Submitted: auto-generated (vacation)", "X-Autoreply: yes",
        "X-Autorespond: on", "Precedence: bulk", "Precedence: junk", "Precedence: auto_reply", "Precedence: List",
        "X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: jane@example.com",
    ])
    func autoReplyHeaders(header: String) throws {
        #expect(try parse(headers: "From: jane@example.com\nSubject: Re: ticket 42\n" + header).isAutoReply)
    }

    @Test(arguments: [
        "Out of Office: Re: ticket 42", "Automatic reply: printer broken", "AutoReply: your message",
        "Abwesenheitsnotiz: Drucker", "[Out of office] back Monday", "Automatische Antwort: Server",
    ])
    func outOfOfficeSubjects(subject: String) throws {
        #expect(try parse(headers: "From: jane@example.com\nSubject: " + subject).isAutoReply)
    }

    @Test(arguments: [
        "Subject: Re: out of office schedule for December", "Auto-Submitted: no\nSubject: hello",
        "Precedence: first-class\nSubject: hello", "Subject: Printer out of toner",
    ])
    func personalMailIsNotAutomatic(headers: String) throws {
        let message = try parse(headers: "From: jane@example.com\n" + headers)
        #expect(message.kind == .personal)
    }

    private func parse(headers: String) throws -> ParsedMessage {
        try ParsedMessage(parsing: Array((headers + "\n\nbody\n").utf8))
    }
}
