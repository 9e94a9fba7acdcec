import MailParser
import Testing

/// Known facts of messages in CPython's test_email corpus, read from the messages themselves.
@Suite("CPython test_email corpus")
struct CPythonCorpusTests {
    func fixture(_ name: String) throws -> ParsedMessage { try Fixtures.message("cpython-test_email/\(name).txt.eml") }

    @Test func simpleMessageHeaders() throws {
        let message = try fixture("msg_01")
        #expect(message.subject == "This is a test message")
        #expect(message.from == [MailAddress(name: "John X. Doe", address: "bbb@ddd.com")])
        #expect(message.to == [MailAddress(address: "bbb@zzz.org")])
        #expect(message.messageId == "15090.61304.110929.45684@aaa.zzz.org")
        #expect(message.date == 988_999_544_000)  // Fri, 4 May 2001 14:05:44 -0400
        #expect(message.textBody?.hasPrefix("\nHi,\n\nDo you like this message?") == true)
    }

    @Test func multipartWithImageAttachment() throws {
        let message = try fixture("msg_07")
        #expect(message.root.allParts.map(\.contentType.mimeType) == ["multipart/mixed", "text/plain", "image/gif"])
        #expect(message.textBody == "Hi there,\n\nThis is the dingus fish.\n")
        let gif = try #require(message.attachments.first)
        #expect(gif.filename == "dingusfish.gif")
        #expect(gif.size == 3512)
        #expect(gif.sha256 == "354288075c6cd6c6a99180ef60b99f599b4e3d6c28bd67c29adc736079e52a84")
        #expect(Array(gif.bytes.prefix(6)) == Array("GIF87a".utf8))
    }

    @Test func transferEncodingsAndCharsetsOfEachPart() throws {
        let message = try fixture("msg_10")
        let texts = message.root.children.map { $0.decodedText()?.text }
        #expect(
            texts == [
                "This is a 7bit encoded message.\n", "\u{00A1}This is a Quoted Printable encoded message!\n",
                "This is a Base64 encoded message.", "This is a Base64 encoded message.\n",
                "This has no Content-Transfer-Encoding: header.\n",
            ])
        #expect(
            message.root.children.map(\.transferEncoding) == [.sevenBit, .quotedPrintable, .base64, .base64, .sevenBit])
        #expect(message.textBody == "This is a 7bit encoded message.\n")
        #expect(message.htmlBody == "\u{00A1}This is a Quoted Printable encoded message!\n")
        #expect(message.attachments.isEmpty, "extra inline text parts are not attachments")
    }

    @Test func charsetsOfEmptyParts() throws {
        let message = try fixture("msg_08")
        #expect(
            message.root.children.map { $0.contentType.charset } == ["us-ascii", "iso-8859-1", "iso-8859-2", "koi8-r"])
        #expect(message.textBody == "")
    }

    @Test func nestedMultipartWithSameBoundary() throws {
        // Outlook Express for Mac nested a multipart/alternative with the outer boundary; the outer one wins,
        // so the inner multipart comes out empty and the text and HTML parts follow it.
        let message = try fixture("msg_15")
        #expect(message.textBody == "Some removed test.\n")  // quoted-printable drops the trailing blank
        #expect(message.htmlBody?.contains("Some removed text.") == true)
    }

    @Test func deliveryReportStructure() throws {
        let message = try fixture("msg_16")
        #expect(
            message.root.children.map(\.contentType.mimeType) == [
                "text/plain", "message/delivery-status", "message/rfc822",
            ])
        #expect(message.isBounce)
        guard case .message(let original, _) = message.root.children[2].body else {
            Issue.record("the third part should be the returned message")
            return
        }
        #expect(original.from.first?.address == "henryi@oxy.edu")
    }

    @Test func brokenBoundaryParameterIsRecoveredFromTheBody() throws {
        let message = try fixture("msg_25")  // boundary= folded away to "bo"
        #expect(message.issues.contains { $0.code == .missingBoundaryParameter })
        #expect(
            message.root.children.map(\.contentType.mimeType) == [
                "text/plain", "message/delivery-status", "text/rfc822-headers",
            ])
    }

    @Test func rfc2231EncodedParameters() throws {
        #expect(try fixture("msg_32").root.contentType.charset == "us-ascii")
        let signed = try fixture("msg_33")
        #expect(signed.root.contentType[parameter: "micalg"] == "pgp-md5")
        #expect(signed.root.children.count == 2)
    }

    @Test func signedMessageKeepsTheSignatureAsAttachment() throws {
        let message = try fixture("msg_45")
        #expect(message.textBody == "This is the signed contents.\n")
        #expect(message.attachments.map(\.contentType) == ["application/pgp-signature"])
        #expect(message.attachments.map(\.filename) == ["signature.asc"])
    }

    @Test func namedAttachments() throws {
        let message = try fixture("msg_22")
        #expect(message.attachments.map(\.filename) == ["wibble.JPG", "wibble2.JPG"])
        #expect(message.attachments.map(\.size) == [272, 317])
        #expect(
            message.attachments.map(\.sha256) == [
                "baecbdd4d0c74b5fe8fa6109c994897636b073116883d0d352b6a1708e21503f",
                "59f34e3ef1cefd3f63d160986695501ac2b68b5792f96d4bd2640a4e63ab5fad",
            ])
        let riscos = try fixture("msg_26")
        #expect(riscos.attachments.map(\.filename) == ["clock.bmp"])
        #expect(riscos.attachments.first?.size == 630)
    }

    @Test func headersOnlyNoBody() throws {
        let message = try fixture("msg_47")
        #expect(message.date == 978_307_260_000)  // "01 Jan 2001 00:01+0000": no weekday, no seconds
        #expect(message.textBody == "bar\n")
    }
}
