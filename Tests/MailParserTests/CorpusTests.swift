import Foundation
import MailParser
import Testing

/// Every real message in every corpus parses, without a crash and without being refused.
@Suite("Every fixture message parses")
struct CorpusTests {
    @Test func allCorporaArePresent() {
        #expect(
            Fixtures.allMessages.count >= 217,
            "found \(Fixtures.allMessages.count) .eml files under \(Fixtures.mailRoot.path)")
        for corpus in ["cpython-test_email", "ruby-mail", "stalwart-mail-parser", "talon"] {
            #expect(!Fixtures.messages(under: corpus).isEmpty, "no messages in \(corpus)")
        }
    }

    @Test(arguments: Fixtures.allMessages)
    func parses(path: String) throws {
        let message = try Fixtures.message(path)
        #expect(!message.headers.isEmpty || message.textBody != nil, "\(path) gave neither headers nor text")
        for attachment in message.attachments {
            #expect(attachment.size == attachment.bytes.count)
            #expect(attachment.sha256.count == 64)
        }
    }
}
