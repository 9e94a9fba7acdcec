import MailParser
import Testing

@Suite("MIME structure")
struct MIMEStructureTests {
    func parse(_ text: String) throws -> ParsedMessage { try ParsedMessage(parsing: Array(text.utf8)) }

    @Test func preambleEpilogueAndParts() throws {
        let message = try parse(
            """
            Content-Type: multipart/mixed; boundary="frontier"

            This is the preamble.
            --frontier
            Content-Type: text/plain

            first
            --frontier\t
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="data.bin"

            AAEC/w==
            --frontier--
            This is the epilogue.
            """)
        guard case .multipart(let parts, let preamble, let epilogue) = message.root.body else {
            Issue.record("expected a multipart")
            return
        }
        #expect(parts.count == 2)
        #expect(String(decoding: preamble, as: UTF8.self) == "This is the preamble.")
        #expect(String(decoding: epilogue, as: UTF8.self) == "This is the epilogue.")
        #expect(message.textBody == "first")
        #expect(message.attachments.count == 1)
        let attachment = try #require(message.attachments.first)
        #expect(attachment.filename == "data.bin")
        #expect(attachment.bytes == [0x00, 0x01, 0x02, 0xFF])
        #expect(attachment.size == 4)
        #expect(attachment.sha256 == SHA256.hexDigest([0x00, 0x01, 0x02, 0xFF]))
        #expect(!attachment.isInline)
        #expect(message.issues.isEmpty)
    }

    @Test func missingFinalBoundaryKeepsTheLastPart() throws {
        let message = try parse(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\nContent-Type: text/html\n\n<p>last</p>\n")
        #expect(message.root.children.count == 2)
        #expect(message.htmlBody == "<p>last</p>\n")
        #expect(message.issues.map(\.code) == [.missingFinalBoundary])
    }

    @Test func aPartWithoutHeadersKeepsAnIndentedFirstLine() throws {
        let message = try parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n    indented\nnext\n--b--\n")
        #expect(message.textBody == "    indented\nnext")
        #expect(message.root.children.first?.headers.isEmpty == true)
    }

    @Test func similarBoundariesDoNotMatch() throws {
        let message = try Fixtures.message("ruby-mail/mime_emails/email_with_similar_boundaries.eml")
        #expect(
            message.root.allParts.map(\.contentType.mimeType) == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octetstream",
            ])
        #expect(message.textBody == "Test\n")
    }

    @Test func missingBoundaryParameterIsGuessed() throws {
        let message = try parse("Content-Type: multipart/mixed\n\n--xyz\nContent-Type: text/plain\n\nhello\n--xyz--\n")
        #expect(message.textBody == "hello")
        #expect(message.issues.map(\.code) == [.missingBoundaryParameter])
    }

    @Test func boundaryThatNeverOccursKeepsTheBodyAsText() throws {
        // boundary=BOUNDARY_, but the delimiter lines say --BOUNDARY.
        let message = try Fixtures.message("cpython-test_email/msg_31.txt.eml")
        #expect(message.issues.map(\.code) == [.boundaryNotFound])
        #expect(message.textBody?.contains("message 1") == true)
        #expect(message.textBody?.contains("message 2") == true)
    }

    @Test func embeddedMessagesAreParsedAndKeptWhole() throws {
        let message = try Fixtures.message("cpython-test_email/msg_46.txt.eml")
        guard case .message(let embedded, let raw) = message.root.body else {
            Issue.record("the body should be an embedded message")
            return
        }
        #expect(embedded.subject == "GroupwiseForwardingTest")
        #expect(embedded.from.first == MailAddress(name: "Dr. Sender", address: "sender@example.net"))
        #expect(embedded.textBody == "Testing email forwarding with Groupwise 1.2.2010\n")
        #expect(message.attachments.map(\.contentType) == ["message/rfc822"])
        #expect(message.attachments.first?.bytes == raw)
        #expect(message.textBody == nil)
    }

    @Test func base64EncodedEmbeddedMessage() throws {
        let message = try Fixtures.message("stalwart-mail-parser/rfc/008.eml")
        let embedded = message.root.children.compactMap { part -> ParsedMessage? in
            if case .message(let inner, _) = part.body { return inner }
            return nil
        }
        #expect(embedded.count == 1)
        #expect(embedded.first?.subject != nil)
    }

    @Test func digestPartsDefaultToMessages() throws {
        let message = try Fixtures.message("cpython-test_email/msg_02.txt.eml")
        let digest = try #require(message.root.allParts.first { $0.contentType.mimeType == "multipart/digest" })
        #expect(digest.children.count == 5)
        #expect(digest.children.allSatisfy { $0.contentType.mimeType == "message/rfc822" })
        #expect(message.attachments.count == 5)
    }

    @Test func alternativeRenderingsAreNotAttachments() throws {
        let message = try Fixtures.message("ruby-mail/mime_emails/raw_email11.eml")  // text/plain + text/enriched
        #expect(message.attachments.isEmpty)
        #expect(message.textBody == "\nXXXXX Xxxxx\n")
    }

    @Test func inlineImagesInRelatedPartsAreAttachmentsWithTheirContentID() throws {
        let message = try Fixtures.message("stalwart-mail-parser/thirdparty/011.eml")
        let image = try #require(message.attachments.first)
        #expect(image.contentType == "image/png")
        #expect(image.filename == "01H5HSCoUeEcg6CH.png")
        #expect(image.size == 3256)
        #expect(image.sha256 == "ef57fc9970aed3724b0c903640fe46e6e777b81c749613dcc9b77bf8bf403337")
        #expect(image.contentID != nil)
        #expect(message.htmlBody?.contains("cid:\(image.contentID ?? "")") == true)
    }

    @Test func bodyCharsets() throws {
        func text(_ charset: String, _ bytes: [UInt8]) throws -> ParsedMessage {
            try ParsedMessage(parsing: Array("Content-Type: text/plain; charset=\(charset)\n\n".utf8) + bytes)
        }
        #expect(try text("ISO-8859-1", [0x63, 0x61, 0x66, 0xE9]).textBody == "café")
        #expect(try text("windows-1252", [0x93, 0x68, 0x69, 0x94, 0x80]).textBody == "\u{201C}hi\u{201D}€")
        #expect(try text("\"us-ascii\"", [0x68, 0xC3, 0xA9]).textBody == "hé")  // 8-bit in ASCII: UTF-8 when valid
        #expect(try text("us-ascii", [0x68, 0xE9]).textBody == "hé")  // else Windows-1252
        #expect(try text("utf-8", [0xE2, 0x82, 0xAC]).textBody == "€")
        #expect(try text("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]).textBody == "Привет")
        #expect(try text("iso-8859-2", [0xB1]).textBody == "ą")
        #expect(try text("iso-8859-15", [0xA4]).textBody == "€")
        let unknown = try text("x-made-up", Array("plain".utf8))
        #expect(unknown.textBody == "plain")
        #expect(unknown.textBodyCharsetUnknown)
        #expect(unknown.issues.map(\.code) == [.unknownCharset])
    }

    @Test func lineBreaksAreNormalized() throws {
        let message = try parse("Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n")
        #expect(message.textBody == "line one\nline two\n")
    }

    @Test func blankTextFallsBackToHTML() throws {
        let message = try parse(
            "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n \n"
                + "--b\nContent-Type: text/html\n\n<p>Real text</p>\n--b--\n"
        )
        #expect(message.textBody == "Real text")
    }

    @Test func anAttachmentOnlyMessageHasNoTextBody() throws {
        let message = try Fixtures.message("ruby-mail/attachment_emails/attachment_only_email.eml")
        #expect(message.textBody == nil)
        #expect(message.attachments.map(\.filename) == ["blah.gz"])
        #expect(message.attachments.first?.contentType == "application/x-gzip")
    }
}
