import MailParser
import Testing

/// Messages that begin with blank or whitespace-only lines (iPhone and Yahoo exports write them) keep their
/// headers; the skipped lines are a parse issue, not an error (issue 15 §3).
@Suite("Leading blank lines")
struct LeadingBlankLinesTests {
    @Test(arguments: ["\n", "\r\n", " \n", "\t \r\n", "\n\n  \n"])
    func headersAfterLeadingBlankLinesAreRead(prefix: String) throws {
        let text = prefix + "From: Jane Doe <jane@globex.example>\r\nSubject: Printer offline\r\nMessage-ID: <x1@globex.example>\r\n\r\nIt is offline.\r\n"
        let message = try ParsedMessage(parsing: Array(text.utf8))
        #expect(message.subject == "Printer offline")
        #expect(message.from.first?.address == "jane@globex.example")
        #expect(message.messageId == "x1@globex.example")
        #expect(message.textBody == "It is offline.\n")
        #expect(message.issues.map(\.code) == [.leadingBlankLines])
    }

    @Test func anMboxLineAfterBlankLinesIsSkippedToo() throws {
        let message = try ParsedMessage(parsing: Array("\nFrom jane@globex.example Thu Dec  3 08:00:00 2026\nSubject: hi\n\nbody\n".utf8))
        #expect(message.subject == "hi")
        #expect(message.issues.map(\.code) == [.leadingBlankLines, .mboxEnvelopeLine])
    }

    @Test func aBlankFirstLineBeforeTextStillMeansNoHeaders() throws {
        let message = try ParsedMessage(parsing: Array("\nHello, this is only a body.\n".utf8))
        #expect(message.headers.isEmpty)
        #expect(message.textBody == "Hello, this is only a body.\n")
    }

    @Test func aMIMEPartWithABlankFirstLineHasNoHeaders() throws {
        // In a part, a blank first line ends an empty header section: the "Note:" line is body text.
        let text = "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nNote: this is body text\n--b--\n"
        let message = try ParsedMessage(parsing: Array(text.utf8))
        let part = try #require(message.root.children.first)
        #expect(part.headers.isEmpty)
        #expect(message.textBody == "Note: this is body text")
    }

    @Test func anEmbeddedMessageWithLeadingBlankLinesKeepsItsHeaders() throws {
        let text = "From: a@b.example\nContent-Type: message/rfc822\n\n\n \nSubject: inner\nMessage-ID: <inner@b.example>\n\ninner body\n"
        let message = try ParsedMessage(parsing: Array(text.utf8))
        guard case .message(let embedded, _) = message.root.body else {
            Issue.record("the body should be an embedded message")
            return
        }
        #expect(embedded.subject == "inner")
        #expect(message.reportedMessageIds == ["inner@b.example"])
    }
}
