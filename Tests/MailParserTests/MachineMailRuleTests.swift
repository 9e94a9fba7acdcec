import MailParser
import Testing

/// One case per rule of the machine-mail classifier (issue 15 §1), each a message that only that rule matches,
/// and the people's mail that must stay personal; then every real bounce of the flufl.bounce corpus.
@Suite("Machine-mail rules")
struct MachineMailRuleTests {
    /// A message for each rule, in the RFC terms the rule is named after.
    static let ruleCases: [(MachineMailRule, String)] = [
        (.deliveryStatusReport, """
            From: Carrier Notices <notices@mx.carrier.example>
            Subject: Delivery failure
            Content-Type: multipart/report; report-type=delivery-status; boundary=r

            --r
            Content-Type: text/plain

            Your message could not be delivered.
            --r
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.carrier.example

            Final-Recipient: rfc822; jane@globex.example
            Action: failed
            Status: 5.1.1
            --r--
            """),
        (.feedbackReport, """
            From: Feedback Loop <fbl@isp.example>
            Subject: Abuse report
            Content-Type: multipart/report; report-type=feedback-report; boundary=r

            --r
            Content-Type: text/plain

            This is an email abuse report.
            --r
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: SomeGenerator/1.0
            Version: 1
            --r--
            """),
        (.feedbackReport, """
            From: Complaints <complaints@isp.example>
            Subject: complaint about message from 192.0.2.1
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: text/plain

            A user of ours complained.
            --m
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            Version: 1
            --m--
            """),
        (.dispositionNotification, """
            From: jane@globex.example
            Subject: Read: printer offline
            Content-Type: multipart/report; report-type=disposition-notification; boundary=r

            --r
            Content-Type: text/plain

            Your message was displayed.
            --r
            Content-Type: message/disposition-notification

            Disposition: manual-action/MDN-sent-manually; displayed
            --r--
            """),
        (.otherReport, """
            From: Mail Gateway <gateway@relay.example>
            Subject: Returned mail
            Content-Type: multipart/report; boundary=r

            --r
            Content-Type: text/plain

            The following addresses had permanent fatal errors.
            --r--
            """),
        (.mailServiceNotification, """
            From: AWS Notifications <no-reply@sns.amazonaws.com>
            Subject: AWS Notification Message
            x-amz-sns-message-id: 6d3e1a4f-0b7e-5c1e-9a2b-0f7d9c1e2a3b
            x-amz-sns-subscription-arn: arn:aws:sns:us-east-1:123456789012:ses-bounces:1a2b

            {"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}}
            """),
        (.mailSystemSender, "From: post_master@mail.carrier.example\nSubject: Nondeliverable mail\n\nSorry.\n"),
        (.mailSystemSender, "From: Mail Delivery System <Mail.Delivery.System@relay.example>\nSubject: Undelivered\n\nSorry.\n"),
        (.mailSystemSender, "From: MAILER-DAEMON@any-host.example.org\nSubject: failure notice\n\nSorry.\n"),
        (.listManagerError, """
            From: staff-admin@lists.example.org
            Subject: Your message to staff awaits moderator approval
            List-Id: Staff <staff.lists.example.org>
            X-ML-Name: staff

            Your mail was not delivered to the list.
            """),
        (.mailSystemSender, "Return-Path: <MAILER-DAEMON@sb7.example>\nFrom: imss@relay.example\nSubject: Re: hello\n\nNot delivered.\n"),
        (.mailSystemSender, "From: <Postmaster\\@example.com@relay.example>\nSubject: Warning: user unknown\n\nNot delivered.\n"),
        (.failureNoticeSubject, "From: notices@relay.example\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system.\n"),
        (.failureNoticeSubject, "From: E500_SMTP_Mail_Service@example.org\nSubject: Returned Mail - Error During Delivery\n\nFailed.\n"),
        (.listManagerError, "From: support-bounces+jane=globex.example@lists.example.org\nX-Mailman-Version: 2.1.39\nSubject: Bounce action notification\n\nDisabled.\n"),
        (.autoSubmitted, "From: jane@globex.example\nSubject: Re: printer\nAuto-Submitted: auto-replied\n\nAway.\n"),
        (.autoReplyHeader, "From: jane@globex.example\nSubject: Re: printer\nX-Autoreply: yes\n\nAway.\n"),
        (.bulkPrecedence, "From: news@globex.example\nSubject: Newsletter\nPrecedence: bulk\n\nNews.\n"),
        (.outOfOfficeSubject, "From: jane@globex.example\nSubject: Out of Office: printer\n\nAway.\n"),
        (.nullSender, "Return-Path: <>\nFrom: Relay <relay@mx.example>\nSubject: about your message\n\nStill trying.\n"),
        (.nullSender, "From: <>\nSubject: delivery problem\n\nStill trying.\n"),
    ]

    @Test(arguments: ruleCases.indices)
    func eachRuleDecidesItsCase(index: Int) throws {
        let (rule, text) = Self.ruleCases[index]
        let message = try parse(text)
        #expect(message.classification == MailClassification(kind: rule.kind, rule: rule), "\(rule.rawValue)")
        #expect(message.kind != .personal)
    }

    @Test func everyRuleHasACase() {
        #expect(Set(Self.ruleCases.map(\.0)) == Set(MachineMailRule.allCases))
    }

    @Test func reportsAreBouncesAndReceiptsAreAutoReplies() {
        let bounces = MachineMailRule.allCases.filter { $0.kind == .bounce }.map(\.rawValue)
        #expect(bounces == [
            "delivery-status-report", "feedback-report", "report", "mail-service-notification", "mail-system-sender",
            "list-manager", "failure-notice-subject", "null-sender",
        ])
        #expect(MachineMailRule.dispositionNotification.kind == .autoReply)
    }

    /// People's mail that looks a little like machine mail stays personal.
    static let personalCases: [String] = [
        // A person forwarding a bounce as an attachment: the embedded report is not looked into.
        """
        From: Jane Doe <jane@globex.example>
        Return-Path: <jane@globex.example>
        Subject: Fwd: Undeliverable: invoice
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        Our invoice mail bounced, see below. Can you check the address?
        --b
        Content-Type: message/rfc822

        From: MAILER-DAEMON@mx.globex.example
        Return-Path: <>
        Subject: Undeliverable: invoice
        x-amz-sns-message-id: 1
        Content-Type: multipart/report; report-type=feedback-report; boundary=r

        --r
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        --r--
        --b--
        """,
        // A person forwarding a bounce inline, quoting its headers in the text.
        "From: jane@globex.example\nSubject: Fwd: Mail delivery failed\n\n---------- Forwarded message ---------\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example>\nSubject: Mail delivery failed\n",
        // A list member writing to the list (list headers, ordinary sender).
        "From: jane@globex.example\nList-Id: <staff.lists.example.org>\nSubject: printer on floor 2\n\nIs it fixed?\n",
        // An administrator's own mailbox, and a postmaster-like word that is not the whole local part.
        "From: it-admin@globex.example\nSubject: new laptop\n\nPlease order one.\n",
        "From: postmaster.jones@globex.example\nSubject: hello\n\nHi.\n",
        // A person's reply to, or forward of, a failure notice keeps its "Re:"/"Fwd:".
        "From: jane@globex.example\nSubject: Re: Undelivered Mail Returned to Sender\n\nWhy did this bounce?\n",
        // A Return-Path that is not null.
        "Return-Path: <jane@globex.example>\nFrom: jane@globex.example\nSubject: hi\n\nHi.\n",
    ]

    @Test(arguments: personalCases)
    func peoplesMailStaysPersonal(text: String) throws {
        let message = try parse(text)
        #expect(message.classification == MailClassification(kind: .personal, rule: nil))
    }

    /// The one message of the flufl.bounce corpus that a person wrote (upstream: "Not a bounce but has confused
    /// groupwise"): an Outlook reply from a hotel's reservations desk.
    static let fluflPersonal = "flufl-bounce/groupwise_03.txt"

    /// Bounces of the flufl.bounce corpus still taken for people's mail, each with its reason: see docs/mail-parser.md.
    static let fluflMissed = [
        // An Exchange NDR in French and English ("Votre message n'a pas pu etre delivre"), from an ordinary address,
        // titled "RE: … : non remis": no header, structure or subject opening tells it from a person's reply.
        "flufl-bounce/simple_20.txt"
    ]

    /// The flufl.bounce corpus: 116 real bounces and warnings from many mail systems, and one person's reply.
    @Test(arguments: Fixtures.files(under: "flufl-bounce", suffix: ".txt"))
    func fluflBouncesAreMachineMailAndTheReplyIsNot(path: String) throws {
        let message = try Fixtures.message(path)
        if path == Self.fluflPersonal || Self.fluflMissed.contains(path) {
            #expect(message.kind == .personal, "\(path)")
        } else {
            #expect(message.kind != .personal, "\(path) from \(message.from.map(\.description))")
        }
    }

    @Test func theFluflCorpusIsThere() {
        #expect(Fixtures.files(under: "flufl-bounce", suffix: ".txt").count == 117)
    }

    private func parse(_ text: String) throws -> ParsedMessage {
        try ParsedMessage(parsing: Array(text.utf8))
    }
}
