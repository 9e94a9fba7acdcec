import Foundation
import MailParser
import Testing

/// Replies from real mail clients (mailgun/talon): the text body must hold the reply and the quoted original.
@Suite("Talon replies from real clients")
struct TalonCorpusTests {
    static let standardReplies = Fixtures.messages(under: "talon/standard_replies")

    @Test(arguments: standardReplies)
    func textBodyHoldsTheReply(path: String) throws {
        let message = try Fixtures.message(path)
        let text = try #require(message.textBody)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("Hello"), "the reply line is missing from \(path)")
        #expect(!text.contains("\r"))
        #expect(message.from.first?.address?.contains("@") == true)
        #expect(message.subject?.hasPrefix("R") == true || message.subject == "Test")
    }

    @Test func replyTextMatchesTheExtractedReplies() throws {
        for client in ["iphone", "sparrow"] {
            let message = try Fixtures.message("talon/standard_replies/\(client).eml")
            let reply = try String(
                contentsOf: Fixtures.mailRoot.appendingPathComponent("talon/standard_replies/\(client)_reply_text"),
                encoding: .utf8)
            #expect(normalizedWhitespace(message.textBody ?? "").hasPrefix(normalizedWhitespace(reply)))
        }
    }

    @Test func base64UTF8TextFromAndroid() throws {
        let message = try Fixtures.message("talon/standard_replies/android.eml")
        #expect(
            message.textBody
                == "Hello\n02.04.2012 14:20 пользователь \"bob@xxx.mailgun.org\" <\nbob@xxx.mailgun.org> написал:\n\n> Hi\n>\n\n"
        )
        #expect(message.htmlBody?.hasPrefix("<p>Hello</p>") == true)
    }

    @Test func quotedHeadersOfTheOriginalSurvive() throws {
        let outlook = try Fixtures.message("talon/standard_replies/outlook.eml")
        #expect(outlook.textBody?.contains("From: xxx@xxx.mailgun.org [mailto:xxx@xxx.mailgun.org]") == true)
        let yahoo = try Fixtures.message("talon/standard_replies/yahoo.eml")
        #expect(yahoo.textBody?.contains("----- Original Message -----") == true)
    }

    @Test func mostRepliesCarryNoThreadingHeaders() throws {
        let unthreaded = try Self.standardReplies.filter { path in
            let message = try Fixtures.message(path)
            return message.inReplyTo.isEmpty && message.references.isEmpty
        }
        #expect(Self.standardReplies.count == 12)
        #expect(unthreaded.count == 10)
        let apple = try Fixtures.message("talon/standard_replies/apple_mail_2.eml")
        #expect(apple.inReplyTo == ["CABzQGhkMXDxUt_tSVQcg=43aniUhtsVfCZVzu-PG0kwS_uzqMw@mail.gmail.com"])
        #expect(apple.references == apple.inReplyTo)
    }

    @Test func htmlOnlyReplyConvertsToReadableText() throws {
        let message = try Fixtures.message("talon/reply-quotations-share-block.eml")
        #expect(message.textBody?.hasPrefix("Hi Katharine.") == true)
        #expect(message.htmlBody?.contains("<BLOCKQUOTE>") == true)
    }
}
