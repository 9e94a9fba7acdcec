import MailParser
import Testing

/// Content-Type and Content-Disposition parameters, including RFC 2231 continuations and charset encoding.
@Suite("Content-Type and RFC 2231 parameters")
struct HeaderParameterTests {
    @Test func typeSubtypeAndParametersIgnoreCase() throws {
        let type = try #require(ContentType(headerValue: "Text/HTML; CharSet=\"UTF-8\"; format=flowed"))
        #expect(type.mimeType == "text/html")
        #expect(type.charset == "UTF-8")
        #expect(type[parameter: "FORMAT"] == "flowed")
    }

    @Test func rfc2231ContinuationsWithCharsetAndLanguage() throws {
        // The example of RFC 2231 §4.1.
        let type = try #require(
            ContentType(
                headerValue: """
                    application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; \
                    title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2="isn't it!"
                    """))
        #expect(type[parameter: "title"] == "This is even more ***fun*** isn't it!")
    }

    @Test func rfc2231PlainContinuations() throws {
        // The example of RFC 2231 §3.
        let type = try #require(
            ContentType(
                headerValue:
                    #"message/external-body; access-type=URL; URL*0="ftp://"; "#
                    + #"URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar""#
            ))
        #expect(type[parameter: "url"] == "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
    }

    @Test func rfc2231SingleEncodedValueInAnyCharset() {
        let utf8 = ContentDisposition(headerValue: "attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf")
        #expect(utf8.filename == "€ rates.pdf")
        let latin1 = ContentDisposition(headerValue: "attachment; filename*=iso-8859-1'fr'caf%E9.txt")
        #expect(latin1.filename == "café.txt")
    }

    @Test func encodedFormWinsOverThePlainOne() {
        let disposition = ContentDisposition(
            headerValue: "attachment; filename=\"fallback.txt\"; filename*=UTF-8''%C3%BCber.txt")
        #expect(disposition.filename == "über.txt")
    }

    @Test func sectionsMayArriveOutOfOrder() throws {
        let type = try #require(ContentType(headerValue: "text/plain; name*1=\"b.txt\"; name*0=\"a\""))
        #expect(type.name == "ab.txt")
    }

    @Test func encodedWordsInQuotedFilenamesAreDecoded() {
        let disposition = ContentDisposition(headerValue: #"attachment; filename="=?UTF-8?B?w7xiZXIudHh0?=""#)
        #expect(disposition.filename == "über.txt")
    }

    @Test func lenientValues() throws {
        #expect(try #require(ContentType(headerValue: "application/pdf; name=my file.pdf")).name == "my file.pdf")
        #expect(
            try #require(ContentType(headerValue: "text/plain (a comment); charset=us-ascii (Plain)")).charset
                == "us-ascii")
        #expect(
            try #require(ContentType(headerValue: #"text/plain; name="a \"quoted\" name""#)).name == #"a "quoted" name"#
        )
        #expect(try #require(ContentType(headerValue: "text; charset=us-ascii")).mimeType == "text/plain")
        #expect(try #require(ContentType(headerValue: "multipart/mixed; boundary=\"unclosed")).boundary == "unclosed")
        #expect(ContentType(headerValue: "garbage") == nil)
        #expect(ContentType(headerValue: "") == nil)
    }

    @Test func dispositionKinds() {
        #expect(ContentDisposition(headerValue: "ATTACHMENT").isAttachment)
        #expect(ContentDisposition(headerValue: "inline; filename=a.png").isInline)
        #expect(ContentDisposition(headerValue: "; filename=a.png").isAttachment)
    }

    @Test func realRFC2231Fixtures() throws {
        let charsetOnly = try Fixtures.message("cpython-test_email/msg_32.txt.eml")
        #expect(charsetOnly.root.contentType.charset == "us-ascii")
        // The boundary itself is RFC 2231-encoded; the multipart still splits.
        let signed = try Fixtures.message("cpython-test_email/msg_33.txt.eml")
        #expect(signed.root.contentType.boundary == "EeQfGwPcQSOJBaQU")
        #expect(signed.root.children.count == 2)
        let iso2022 = try Fixtures.message("ruby-mail/attachment_emails/attachment_nonascii_filename.eml")
        #expect(iso2022.attachments.map(\.filename) == ["ciële.txt"])
    }
}
