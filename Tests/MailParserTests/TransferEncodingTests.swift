import MailParser
import Testing

@Suite("Quoted-printable")
struct QuotedPrintableTests {
    func decoded(_ text: String) -> String {
        String(decoding: QuotedPrintable.decode(Array(text.utf8)), as: UTF8.self)
    }

    @Test func escapesInEitherCase() {
        #expect(decoded("caf=C3=A9 and caf=c3=a9") == "café and café")
    }

    @Test func softLineBreaksDisappear() {
        #expect(decoded("long li=\r\nne and mo=\nre") == "long line and more")
    }

    @Test func softLineBreakWithTrailingBlanks() {
        #expect(decoded("wr= \t\r\note") == "wrote")
    }

    @Test func trailingBlanksBeforeAHardBreakAreTransportPadding() {
        #expect(decoded("line   \r\nnext\t\nlast") == "line\r\nnext\nlast")
    }

    @Test func invalidEscapesStayLiteral() {
        #expect(decoded("a=G1b = c =") == "a=G1b = c ")
        #expect(decoded("100=") == "100")
    }

    @Test func bytesAreNotCharsetDecoded() {
        #expect(QuotedPrintable.decode(Array("=E9=92".utf8)) == [0xE9, 0x92])
    }

    @Test func realIPhoneReplyUnwrapsItsSoftBreak() throws {
        let message = try Fixtures.message("talon/standard_replies/iphone.eml")
        #expect(message.root.transferEncoding == .quotedPrintable)
        #expect(message.textBody?.contains("bob <bob@example.com> wrote:") == true)
    }
}

@Suite("Base64")
struct Base64Tests {
    func decoded(_ text: String) -> String {
        String(decoding: Base64.decode(Array(text.utf8)), as: UTF8.self)
    }

    @Test func standardWithLineBreaks() {
        #expect(decoded("SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n") == "Hello, world!")
    }

    @Test func missingPaddingAndBadLineLengths() {
        #expect(decoded("SGVsbG8sIHdvcmxkIQ") == "Hello, world!")
        #expect(decoded("SGVsb\nG8sIHd\nvcmxkIQ=") == "Hello, world!")
    }

    @Test func junkIsSkipped() {
        #expect(decoded("SGV*sbG8!!\u{7}sIHdv cmxk\tIQ== -- ... --") == "Hello, world!")
    }

    @Test func concatenatedEncodingsDecodeInTurn() {
        #expect(decoded("ZWg=ZWg=") == "eheh")
    }

    @Test func aLoneTrailingCharacterIsDropped() {
        #expect(decoded("YWJj" + "Z") == "abc")
    }

    @Test(arguments: ["", "a", "ab", "abc", "abcd", "Hello, world!"])
    func roundTrip(text: String) {
        #expect(decoded(Base64.encode(Array(text.utf8))) == text)
    }

    @Test func encodeMatchesRFC4648Vectors() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
    }
}

@Suite("Content-Transfer-Encoding names")
struct TransferEncodingNameTests {
    @Test(arguments: [
        ("base64", TransferEncoding.base64), ("BASE64", .base64), ("base64;", .base64), (" Base64 ", .base64),
        ("quoted-printable", .quotedPrintable), ("Quoted-Printable ", .quotedPrintable),
        ("quoted printable", .quotedPrintable), ("7bit", .sevenBit), ("7-bit", .sevenBit), ("", .sevenBit),
        ("8bit", .eightBit), ("binary", .binary), ("x-uuencode", .other("x-uuencode")),
    ])
    func lenientNames(value: String, expected: TransferEncoding) {
        #expect(TransferEncoding(headerValue: value) == expected)
    }

    @Test func absentMeans7bit() {
        #expect(TransferEncoding(headerValue: nil) == .sevenBit)
    }

    @Test func unknownEncodingIsReportedAndKeptAsIs() throws {
        let message = try Fixtures.message("ruby-mail/error_emails/content_transfer_encoding_plain.eml")
        #expect(message.issues.contains { $0.code == .unknownTransferEncoding })
        #expect(message.textBody?.contains("Exciting Easter Investor Alert") == true)
    }
}
