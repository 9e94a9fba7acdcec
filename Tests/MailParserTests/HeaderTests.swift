import MailParser
import Testing

@Suite("Header section")
struct HeaderTests {
    func parse(_ text: String) throws -> ParsedMessage { try ParsedMessage(parsing: Array(text.utf8)) }

    @Test func foldedValuesAreUnfolded() throws {
        let message = try parse("Subject: a long\r\n  subject\r\n\tline\r\nTo: x@example.com\r\n\r\nbody")
        let subject = try #require(message.headers.first("Subject"))
        #expect(subject.rawValue == "a long  subject\tline")
        #expect(message.subject == "a long  subject\tline")
    }

    @Test func namesIgnoreCaseAndDuplicatesAreKept() throws {
        let message = try parse(
            "Received: one\nRECEIVED: two\nreceived: three\nsubject: Hi\nTo: a@example.com\nTo: b@example.com\n\nx")
        #expect(message.headers.all("Received").map(\.rawValue) == ["one", "two", "three"])
        #expect(message.headers.all("received").map(\.name) == ["Received", "RECEIVED", "received"])
        #expect(message.headers["SUBJECT"] == "Hi")
        #expect(message.to.map(\.address) == ["a@example.com", "b@example.com"])
        #expect(message.headers.count == 6)
    }

    @Test func firstSubjectAndFromWin() throws {
        let message = try parse("From: first@example.com\nFrom: second@example.com\nSubject: one\nSubject: two\n\n")
        #expect(message.from.map(\.address) == ["first@example.com"])
        #expect(message.subject == "one")
    }

    @Test func rawAndDecodedValues() throws {
        let message = try parse("Subject: =?utf-8?q?caf=C3=A9?= ok\n\n")
        let field = try #require(message.headers.first("subject"))
        #expect(field.rawValue == "=?utf-8?q?caf=C3=A9?= ok")
        #expect(field.value == "café ok")
    }

    @Test func eightBitHeaders() throws {
        let utf8 = try ParsedMessage(parsing: Array("Subject: Grüße\n\n".utf8))
        #expect(utf8.subject == "Grüße")
        let latin1 = try ParsedMessage(parsing: Array("Subject: Gr".utf8) + [0xFC, 0xDF, 0x65] + Array("\n\n".utf8))
        #expect(latin1.subject == "Grüße")
        // ISO-2022-JP written raw in a header, without encoded words.
        let raw: [UInt8] = [0x1B, 0x24, 0x42, 0x25, 0x46, 0x25, 0x39, 0x25, 0x48, 0x1B, 0x28, 0x42]
        let japanese = try ParsedMessage(parsing: Array("Subject: ".utf8) + raw + Array("\n\n".utf8))
        #expect(japanese.subject == "テスト")
    }

    @Test func blanksBeforeTheColonAreTolerated() throws {
        let message = try Fixtures.message("ruby-mail/rfc2822/example13.eml")
        #expect(message.subject == "Saying Hello")
        #expect(message.from == [MailAddress(name: "John Doe", address: "jdoe@machine.example")])
        #expect(message.to == [MailAddress(name: "Mary Smith", address: "mary@example.net")])
        #expect(message.messageId == "1234@local.machine.example")
        #expect(message.date == 880_127_706_000)
    }

    @Test func aJunkLineAmongFieldsIsSkipped() throws {
        let message = try Fixtures.message("ruby-mail/plain_emails/raw_email_incorrect_header.eml")
        #expect(message.issues.contains { $0.code == .invalidHeaderLine })
        #expect(message.subject == "Stop adware/spyware once and for all.")
        #expect(message.messageId == "4D6AA7EB.6490534@xxx.xxx")
    }

    @Test func aMissingSeparatorStartsTheBodyAtTheFirstNonHeaderLine() throws {
        let message = try Fixtures.message("cpython-test_email/msg_35.txt.eml")
        #expect(message.subject == "here's something interesting")
        #expect(message.textBody == "counter to RFC 2822, there's no separating newline here\n")
        #expect(message.issues.contains { $0.code == .missingHeaderSeparator })
    }

    @Test func mboxEnvelopeLineIsSkipped() throws {
        let message = try parse(
            "From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: x\n\nbody\n")
        #expect(message.from.map(\.address) == ["a@example.com"])
        #expect(message.issues.map(\.code) == [.mboxEnvelopeLine])
    }

    @Test func messageIDsWithoutBrackets() throws {
        let message = try parse(
            "Message-ID: <a@b>\nIn-Reply-To: <x@y> (comment)\n"
                + "References: <one@h>\n <two@h>  <three@h>\nReferences: <four@h>\n\n"
        )
        #expect(message.messageId == "a@b")
        #expect(message.inReplyTo == ["x@y"])
        #expect(message.references == ["one@h", "two@h", "three@h", "four@h"])
        #expect(MessageIDs.parse("Your message of Mon, 1 Jan <id@host> from joe@example.com") == ["id@host"])
        #expect(
            MessageIDs.parse("bare@example.com, <> other@example.com") == ["bare@example.com", "other@example.com"])
        #expect(MessageIDs.parse("<1234   @   local(blah)  .machine .example>") == ["1234@local.machine.example"])
        #expect(try parse("Message-ID: xxxx\n\n").messageId == "xxxx")
    }

    @Test func realThreadingHeaders() throws {
        let reply = try Fixtures.message("ruby-mail/rfc2822/example07.eml")
        #expect(reply.inReplyTo == ["3456@example.net"])
        #expect(reply.references == ["1234@local.machine.example", "3456@example.net"])
        let invalid = try Fixtures.message("ruby-mail/error_emails/multiple_references_with_one_invalid.eml")
        #expect(invalid.references.count == 3)
        #expect(try Fixtures.message("ruby-mail/error_emails/empty_in_reply_to.eml").inReplyTo.isEmpty)
    }
}
