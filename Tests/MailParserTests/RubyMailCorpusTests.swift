import MailParser
import Testing

/// Specific facts of messages in the ruby `mail` gem's fixtures (the whole corpus is also parsed by CorpusTests).
@Suite("Ruby mail corpus")
struct RubyMailCorpusTests {
    func fixture(_ path: String) throws -> ParsedMessage { try Fixtures.message("ruby-mail/\(path).eml") }

    @Test func japaneseCharsets() throws {
        let utf8 = try fixture("multi_charset/japanese")
        #expect(utf8.subject == "まみむめも")
        #expect(utf8.to == [MailAddress(name: "みける", address: "raasdnil@gmail.com")])
        #expect(utf8.textBody?.hasPrefix("かきくえこ") == true)
        #expect(try fixture("multi_charset/japanese_iso_2022").textBody == "すみません。\n\n")
        #expect(
            try fixture("multi_charset/japanese_shift_jis").textBody?.hasPrefix("あいうえお\n\nこのメールはテスト用のメールです。") == true)
        #expect(try fixture("multi_charset/ks_c_5601-1987").textBody == "스티해\n")
    }

    @Test func encodedAttachmentNames() throws {
        #expect(try fixture("multi_charset/japanese_attachment").attachments.map(\.filename) == ["てすと.txt"])
        #expect(
            try fixture("multi_charset/japanese_attachment_long_name").attachments.map(\.filename) == [
                String(repeating: "かきくけこ", count: 5) + ".txt"
            ])
        let quoted = try fixture("attachment_emails/attachment_with_quoted_filename")
        #expect(quoted.attachments.map(\.filename) == ["Eelanalüüsi päring.jpg"])
        #expect(quoted.attachments.first?.sha256 == "87dc350433afd8507ac4db9344ea72ac64bae71671aed61a10a85c10d50bd6b6")
        #expect(
            try fixture("attachment_emails/attachment_with_base64_encoded_name").attachments.map(\.filename) == [
                "This is a test.pdf"
            ])
        #expect(
            try fixture("attachment_emails/attachment_with_unquoted_name").attachments.map(\.filename) == [
                "This is a test.txt"
            ])
    }

    @Test func pdfAttachmentWithCRLFAndLF() throws {
        for variant in ["attachment_pdf", "attachment_pdf_lf"] {
            let message = try fixture("attachment_emails/\(variant)")
            let pdf = try #require(message.attachments.first)
            #expect(pdf.filename == "broken.pdf")
            #expect(pdf.size == 1026)
            #expect(pdf.sha256 == "c7d1b9b20df8a2bf2f1e0d00d84bcb56d05e56a044be7f3616f6e99f4a18bd0d")
            #expect(message.subject == "Another PDF with 🎉 Unicode chars in it 🍿")
        }
    }

    @Test func forwardedMessageAttachmentStartingWithAnMboxLine() throws {
        let message = try fixture("attachment_emails/attachment_message_rfc822")
        let forwarded = try #require(message.attachments.first)
        #expect(forwarded.contentType == "message/rfc822")
        #expect(forwarded.filename == "ForwardedMessage.eml")
        #expect(!message.issues.contains { $0.code == .unparsableEmbeddedMessage })
    }

    @Test func nestedSignedMultipart() throws {
        let message = try fixture("mime_emails/raw_email_with_nested_attachment")
        #expect(message.textBody == "Here is a test of an attachment via email.\n\n- Jamis\n\n")
        #expect(message.attachments.map(\.filename) == ["truncated.png", "smime.p7s"])
    }

    @Test func illegalBoundaries() throws {
        for variant in ["raw_email_with_illegal_boundary", "raw_email_with_quoted_illegal_boundary"] {
            let message = try fixture("mime_emails/\(variant)")
            #expect(message.root.children.count == 2)
            #expect(message.textBody == "Hello\nThis is an outlook test\n\nSo there.\n\nMe.\n")
        }
    }

    @Test func partWithoutContentTypeIsPlainText() throws {
        let message = try fixture("mime_emails/raw_email_with_mimepart_without_content_type")
        #expect(message.textBody?.contains("THIS IS A WARNING MESSAGE ONLY") == true)
    }

    @Test func contentTransferEncodingVariants() throws {
        // "Content-Transfer-Encoding: quoted-printable;" on the HTML part.
        let semicolon = try fixture("error_emails/content_transfer_encoding_with_semi_colon")
        #expect(semicolon.root.children.map(\.transferEncoding) == [.sevenBit, .quotedPrintable])
        #expect(
            try fixture("error_emails/content_transfer_encoding_qp_with_space").textBody?.hasPrefix("If you're in need")
                == true)
        #expect(try fixture("error_emails/content_transfer_encoding_7-bit").textBody?.contains("News Online") == true)
    }

    @Test func multipleFromAddressesWithoutCommas() throws {
        let message = try fixture("plain_emails/raw_email_multiple_from")
        #expect(message.from.map(\.address) == ["tim@powerupdev.com", "concierge@powerupdev.com"])
    }

    @Test func rfc2822AppendixExamples() throws {
        let group = try fixture("rfc2822/example10")
        #expect(group.to.map(\.address) == ["c@public.example", "joe@example.org", "jdoe@one.test"])
        #expect(group.to.allSatisfy { $0.group == "A Group" })
        #expect(group.cc.isEmpty)
        #expect(group.from == [MailAddress(name: "Pete", address: "pete@silly.test")])
        let obsolete = try fixture("rfc2822/example11")
        #expect(obsolete.to.map(\.address) == ["mary@example.net", "jdoe@test.example"])
        #expect(try fixture("rfc2822/example04").date == -27_723_426_000)
    }

    @Test func utf8Headers() throws {
        let message = try fixture("rfc6532/utf8_headers")
        #expect(message.subject == "Säying Hello")
        #expect(message.to == [MailAddress(name: "Märy Smith", address: "märy@exämple.net")])
    }
}
