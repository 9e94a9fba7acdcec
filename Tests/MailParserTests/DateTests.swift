import MailParser
import Testing

/// RFC 5322 dates as milliseconds since the epoch (expected values computed independently).
@Suite("Dates")
struct DateTests {
    @Test(
        arguments: [
            ("Fri, 21 Nov 1997 09:55:06 -0600", 880_127_706_000),
            ("21 Nov 1997 09:55:06 -0600", 880_127_706_000),
            ("Fri, 21 Nov 1997 09:55 -0600", 880_127_700_000),
            ("Fri, 21 Nov 1997 09:55:06 -0600 (CST)", 880_127_706_000),
            ("Thu, 13 Feb 1969 23:32:54 -0330", -27_723_426_000),
            ("Thu,      13        Feb          1969      23:32:54      -0330 (Newfoundland Time)", -27_723_426_000),
            ("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880_127_706_000),
            ("Thu, 1 Jan 1970 00:00:00 +0000", 0),
            ("Tue, 19 Jan 2038 03:14:08 GMT", 2_147_483_648_000),
            ("Thu, 31 Dec 2020 23:59:59 +1400", 1_609_408_799_000),
            ("Tue, 29 Feb 2000 12:00:00 Z", 951_825_600_000),
        ] as [(String, Int64)])
    func rfc5322Forms(value: String, expected: Int64) {
        #expect(MailDate.parse(value) == expected)
    }

    @Test(
        arguments: [
            ("21 Nov 97 09:55:06 GMT", 880_106_106_000),
            ("Sun, 2 Jan 05 03:04:05 +0000", 1_104_635_045_000),
            ("Tue, 1 Jul 103 10:52:37 +0200", 1_057_049_557_000),
            ("Fri, 4 May 2001 14:05:44 EST", 989_003_144_000),
            ("Fri, 4 May 2001 14:05:44 PDT", 989_010_344_000),
            ("Fri, 4 May 2001 21:05:44 UT", 989_010_344_000),
            ("Fri, 4 May 2001 21:05:44 A", 989_010_344_000),
            ("Fri, 4 May 2001 14:05:44 -0700 (EST)", 989_010_344_000),
        ] as [(String, Int64)])
    func obsoleteFormsAndNamedZones(value: String, expected: Int64) {
        #expect(MailDate.parse(value) == expected)
    }

    @Test(
        arguments: [
            ("Sat, 27 Feb 2016 17:11:45 CET", 1_456_589_505_000),
            ("2007-05-23T04:58:08Z", 1_179_896_288_000),
            ("2007-05-23T04:58:08+02:00", 1_179_889_088_000),
            ("Wed Jun 30 21:49:08 1993", 741_476_948_000),
            ("Fri, 21 Nov 1997 09:55:06", 880_106_106_000),
            ("01 Jan 2001 00:01+0000", 978_307_260_000),
        ] as [(String, Int64)])
    func lenientForms(value: String, expected: Int64) {
        #expect(MailDate.parse(value) == expected)
    }

    @Test(arguments: [
        "", "Whenever", "Pn, 29 paX 2007 21:13:00 +0100", "Fri, 30 Feb 2001 10:00:00 +0000",
        "Thu, 29 Feb 2100 10:00:00 +0000", "Wed, 15 Dec 2010    59:10 -0500", "Mon, 32 Jan 2001 10:00:00 +0000",
        "<HR>",
    ])
    func unparsableGivesNil(value: String) {
        #expect(MailDate.parse(value) == nil)
    }

    @Test func realDates() throws {
        #expect(try Fixtures.message("cpython-test_email/msg_01.txt.eml").date == 988_999_544_000)
        #expect(try Fixtures.message("ruby-mail/rfc2822/example12.eml").date == 880_106_106_000)
        #expect(try Fixtures.message("ruby-mail/error_emails/bad_date_header.eml").date == nil)
        #expect(try Fixtures.message("ruby-mail/plain_emails/raw_email_with_bad_date.eml").date == nil)
        #expect(try Fixtures.message("stalwart-mail-parser/rfc/001.eml").date == nil)  // "Date: Whenever"
    }
}
