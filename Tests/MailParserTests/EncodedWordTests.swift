import MailParser
import Testing

/// RFC 2047 encoded words; the first table is the examples of RFC 2047 §8.
@Suite("RFC 2047 encoded words")
struct EncodedWordTests {
    @Test(arguments: [
        ("(=?ISO-8859-1?Q?a?=)", "(a)"),
        ("(=?ISO-8859-1?Q?a?= b)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?= \t  =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"),
    ])
    func rfc2047Examples(encoded: String, decoded: String) {
        #expect(EncodedWords.decode(encoded) == decoded)
    }

    @Test func bAndQInSeveralCharsets() {
        #expect(EncodedWords.decode("=?UTF-8?B?44G+44G/44KA44KB44KC?=") == "まみむめも")
        #expect(EncodedWords.decode("=?iso-8859-1?q?caf=E9?=") == "café")
        #expect(EncodedWords.decode("=?windows-1252?Q?=93quoted=94?=") == "\u{201C}quoted\u{201D}")
        #expect(EncodedWords.decode("=?EUC-KR?Q?NOTE:_=C7=D1=B1=B9=B8=BB?=") == "NOTE: 한국말")
    }

    @Test func aCharacterSplitAcrossTwoWordsSurvives() {
        // "é" is C3 A9 in UTF-8; each word carries one byte.
        #expect(EncodedWords.decode("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=") == "café")
    }

    @Test func textBetweenWordsIsKept() {
        #expect(EncodedWords.decode("Re: =?UTF-8?Q?d=C3=A9j=C3=A0?= vu") == "Re: déjà vu")
    }

    @Test func languageSuffixOfRFC2231IsIgnored() {
        #expect(EncodedWords.decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
    }

    @Test func malformedWordsStayAsWritten() {
        #expect(EncodedWords.decode("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=")
        #expect(EncodedWords.decode("=?utf-8?Q?unterminated") == "=?utf-8?Q?unterminated")
        #expect(EncodedWords.decode("price =? unknown") == "price =? unknown")
    }

    @Test func unknownCharsetFallsBackToUTF8() {
        #expect(EncodedWords.decode("=?NONE?B?VEVTVA=?=") == "TEST")
    }

    @Test func realSubjects() throws {
        #expect(
            try Fixtures.message("ruby-mail/attachment_emails/attachment_with_quoted_filename.eml").subject
                == "Eelanalüüsi päring")
        #expect(try Fixtures.message("ruby-mail/error_emails/bad_encoded_subject.eml").subject == "TEST")
        #expect(try Fixtures.message("ruby-mail/plain_emails/raw_email.eml").subject == "NOTE: 한국말로 하는 것")
        #expect(
            try Fixtures.message("ruby-mail/mime_emails/raw_email_encoded_stack_level_too_deep.eml").subject
                == "Nicolas Fouché has accepted your invitation to Gmail")
        #expect(
            try Fixtures.message("ruby-mail/multi_charset/japanese_attachment_long_name.eml").subject
                == String(repeating: "まみむめも", count: 10))
    }

    @Test func statefulCharsetAcrossAdjacentWords() throws {
        // Two ISO-2022-JP words, each switching to JIS X 0208 and back.
        #expect(try Fixtures.message("ruby-mail/rfc2822/example14.eml").subject == "Re: TEST \tテストテスト")
    }

    @Test func rawHeaderKeepsTheEncodedForm() throws {
        let message = try Fixtures.message("ruby-mail/multi_charset/japanese.eml")
        let subject = try #require(message.headers.first("subject"))
        #expect(subject.rawValue == "=?UTF-8?B?44G+44G/44KA44KB44KC?=")
        #expect(subject.value == "まみむめも")
    }
}
