import MailParser
import Testing

@Suite("Address lists")
struct AddressTests {
    func parse(_ value: String) -> [MailAddress] { MailAddress.parseList(value) }

    @Test func displayNamesQuotedAndNot() {
        #expect(
            parse(#"Mary Smith <mary@x.test>, jdoe@example.org, "Joe Q. Public" <john.q.public@example.com>"#) == [
                MailAddress(name: "Mary Smith", address: "mary@x.test"),
                MailAddress(address: "jdoe@example.org"),
                MailAddress(name: "Joe Q. Public", address: "john.q.public@example.com"),
            ])
    }

    @Test func quotedStringsMayHoldSpecialsAndEscapes() {
        #expect(
            parse(#""Giant; \"Big\" Box" <sysservices@example.net>, "Doe, John" <john@example.com>"#) == [
                MailAddress(name: #"Giant; "Big" Box"#, address: "sysservices@example.net"),
                MailAddress(name: "Doe, John", address: "john@example.com"),
            ])
    }

    @Test func commentsAreSkippedOrServeAsTheName() {
        #expect(
            parse("Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>")
                == [MailAddress(name: "Pete", address: "pete@silly.test")])
        #expect(
            parse("MAILER-DAEMON@example.com (Mail Delivery System)")
                == [MailAddress(name: "Mail Delivery System", address: "MAILER-DAEMON@example.com")])
    }

    @Test func groupsKeepTheirNameAndEmptyGroupsGiveNothing() {
        let parsed = parse("A Group(Some people):Chris Jones <c@public.example>, joe@example.org; ann@example.com")
        #expect(
            parsed == [
                MailAddress(name: "Chris Jones", address: "c@public.example", group: "A Group"),
                MailAddress(address: "joe@example.org", group: "A Group"),
                MailAddress(address: "ann@example.com"),
            ])
        #expect(parse("undisclosed-recipients:;").isEmpty)
        #expect(parse("(Empty list)(start)Undisclosed recipients  :(nobody(that I know))  ;").isEmpty)
    }

    @Test func encodedWordsInDisplayNames() {
        #expect(
            parse("=?UTF-8?B?44G/44GR44KL?= <raasdnil@gmail.com>")
                == [MailAddress(name: "みける", address: "raasdnil@gmail.com")])
        #expect(
            parse(#""=?ISO-8859-1?Q?Andr=E9?= Pirard" <PIRARD@vm1.ulg.ac.be>"#)
                == [MailAddress(name: "André Pirard", address: "PIRARD@vm1.ulg.ac.be")])
        // Q-encoded text with a comma inside must not split the address list.
        #expect(
            parse("=?UTF-8?Q?Doe,_J=C3=B6rg?= <j@example.com>") == [
                MailAddress(name: "Doe, Jörg", address: "j@example.com")
            ])
    }

    @Test func obsoleteFormsAreRead() {
        #expect(
            parse("Mary Smith <@machine.tld:mary@example.net>") == [
                MailAddress(name: "Mary Smith", address: "mary@example.net")
            ])
        #expect(parse("jdoe@test   . example") == [MailAddress(address: "jdoe@test.example")])
        #expect(parse(", , a@example.com,,") == [MailAddress(address: "a@example.com")])
    }

    @Test func lenientForms() {
        #expect(parse("Whomever") == [MailAddress(name: "Whomever", address: nil)])
        #expect(parse("MAILER DAEMON <>") == [MailAddress(name: "MAILER DAEMON", address: nil)])
        #expect(parse("Doe, John <john@example.com>") == [MailAddress(name: "Doe, John", address: "john@example.com")])
        #expect(
            parse("tim@example.com concierge@example.com")
                == [MailAddress(address: "tim@example.com"), MailAddress(address: "concierge@example.com")])
        #expect(parse("John Doe john@example.com") == [MailAddress(name: "John Doe", address: "john@example.com")])
        #expect(parse("a@example.com; b@example.com").count == 2)
        #expect(parse("<unclosed@example.com") == [MailAddress(address: "unclosed@example.com")])
        #expect(parse(#""john doe"@example.com"#) == [MailAddress(address: #""john doe"@example.com"#)])
        #expect(parse("").isEmpty)
    }

    @Test func partsOfAnAddress() {
        let address = MailAddress(name: nil, address: "Jane.Doe@Example.COM")
        #expect(address.localPart == "Jane.Doe")
        #expect(address.domain == "example.com")
        #expect(MailAddress(address: "MAILER-DAEMON").domain == nil)
        #expect(MailAddress(address: "MAILER-DAEMON").localPart == "MAILER-DAEMON")
    }

    @Test func realHeaders() throws {
        let example03 = try Fixtures.message("ruby-mail/rfc2822/example03.eml")
        #expect(example03.to.map(\.address) == ["mary@x.test", "jdoe@example.org", "one@y.test"])
        #expect(example03.to.last?.name == "Who?")
        #expect(example03.cc.map(\.name) == [nil, #"Giant; "Big" Box"#])

        let atInName = try Fixtures.message("ruby-mail/plain_emails/raw_email_with_at_display_name.eml")
        #expect(atInName.from.map(\.address) == ["test@lindsaar.net", "jack@lindsar.com"])
        #expect(atInName.to.map(\.address) == ["smith@gmail.com", "raasdnil@gmail.com", "tom@gmail.com"])
        #expect(atInName.to[1].name == "Mikel@Lindsaar")

        let folded = try Fixtures.message("ruby-mail/error_emails/new_line_in_to_header.eml")
        #expect(folded.to.count == 6)

        #expect(try Fixtures.message("ruby-mail/error_emails/empty_group_lists.eml").to.isEmpty)
        #expect(try Fixtures.message("ruby-mail/error_emails/weird_to_header.eml").to.count == 2)
        let utf8 = try Fixtures.message("ruby-mail/rfc6532/utf8_headers.eml")
        #expect(utf8.from == [MailAddress(name: "Jöhn Doe", address: "jdöe@mächine.example")])
    }
}
