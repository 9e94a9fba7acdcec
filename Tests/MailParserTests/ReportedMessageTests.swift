import MailParser
import Testing

/// The Message-ID of the original a report is about (issue 15 §2): from its message/rfc822 part, its
/// text/rfc822-headers part, or a quoted `Message-ID:` line of a plain-text bounce.
@Suite("Reported original")
struct ReportedMessageTests {
    @Test func fromTextRFC822Headers() throws {
        let text = """
            From: MAILER-DAEMON@mx.carrier.example
            Content-Type: multipart/report; report-type=delivery-status; boundary=r

            --r
            Content-Type: message/delivery-status

            Status: 5.1.1
            --r
            Content-Type: text/rfc822-headers

            From: support@msp.example
            Message-ID: <T-1001.3.5f3a9c1e@docket>
            Subject: [T-1001] Resolved
            --r--
            """
        let message = try ParsedMessage(parsing: Array(text.utf8))
        #expect(message.reportedMessageIds == ["T-1001.3.5f3a9c1e@docket"])
    }

    @Test func fromAnEmbeddedMessage() throws {
        let message = try Fixtures.message("ruby-mail/multipart_report_emails/multi_address_bounce1.eml")
        let embedded = message.root.allParts.compactMap { part -> ParsedMessage? in
            if case .message(let inner, _) = part.body { return inner }
            return nil
        }
        let original = try #require(embedded.first?.messageId)
        #expect(message.reportedMessageIds.first == original)
    }

    @Test func fromAQuotedLineOfAPlainBounce() throws {
        let text = """
            From: MAILER-DAEMON@mx.carrier.example
            Subject: failure notice

            Sorry, I couldn't deliver your message.

            --- Below this line is a copy of the message.

            Message-Id: <T-1002.1.0a0b0c0d@docket>
            From: support@msp.example
            """
        let message = try ParsedMessage(parsing: Array(text.utf8))
        #expect(message.reportedMessageIds == ["T-1002.1.0a0b0c0d@docket"])
    }

    @Test func fluflBouncesNameTheirOriginals() throws {
        let named = Fixtures.files(under: "flufl-bounce", suffix: ".txt").filter { path in
            (try? Fixtures.message(path).reportedMessageIds.isEmpty == false) ?? false
        }
        #expect(named.count >= 22, "\(named.count) of 117 name their original (22 when written)")
    }
}
