import Foundation
import MailParser
import Testing

/// Only input that is not a mail at all is refused; everything else parses, whatever its damage.
@Suite("Refusals and robustness")
struct ParseErrorTests {
    @Test(arguments: ["", " ", "\r\n\r\n", "\t \n"])
    func emptyInputIsRefused(input: String) {
        #expect(throws: MailParseError(.emptyInput, "not a mail message: the input is empty")) {
            try ParsedMessage(parsing: Array(input.utf8))
        }
    }

    @Test(arguments: ["just some text", "no headers here\nand no blank line either\n", "%PDF-1.4 binary"])
    func textWithoutHeadersOrSeparatorIsRefused(input: String) {
        do {
            _ = try ParsedMessage(parsing: Array(input.utf8))
            Issue.record("\(input.debugDescription) should have been refused")
        } catch {
            // `parse` throws only MailParseError (typed throws), so `error` is one.
            #expect(error.code == .noHeaders)
            #expect(error.description.contains("no header fields"))
        }
    }

    @Test func anEmptyHeaderSectionIsAccepted() throws {
        let message = try ParsedMessage(parsing: Array("\r\nbody only\r\n".utf8))
        #expect(message.headers.isEmpty)
        #expect(message.textBody == "body only\n")
    }

    @Test func headersWithoutBodyOrFinalNewline() throws {
        let message = try ParsedMessage(parsing: Array("Subject: only a header".utf8))
        #expect(message.subject == "only a header")
        #expect(message.textBody == "")
    }

    @Test func dataOverload() throws {
        #expect(try ParsedMessage(parsing: Data("Subject: x\n\ny".utf8)).textBody == "y")
    }

    /// Every prefix of a real multipart message (cut anywhere: inside headers, boundaries, base64) parses.
    @Test func everyTruncationOfARealMessageParses() throws {
        let bytes = try Fixtures.bytes("cpython-test_email/msg_07.txt.eml")
        var parsed = 0
        for length in stride(from: 1, through: bytes.count, by: 7) {
            if (try? ParsedMessage(parsing: Array(bytes.prefix(length)))) != nil { parsed += 1 }
        }
        #expect(parsed > bytes.count / 7 - 3, "only the shortest prefixes (no header yet) may be refused")
    }

    /// Seeded random damage (bytes replaced by CR, LF, '-', '=', NUL, 0xFF…) never crashes the parser.
    @Test(arguments: [
        "stalwart-mail-parser/rfc/007.eml", "ruby-mail/multi_charset/japanese_attachment_long_name.eml",
        "talon/standard_replies/android.eml", "cpython-test_email/msg_02.txt.eml",
    ])
    func randomDamageNeverCrashes(path: String) throws {
        let original = try Fixtures.bytes(path)
        var generator = SplitMix64(seed: 2024)
        let junk: [UInt8] = [0x0D, 0x0A, 0x2D, 0x3D, 0x00, 0xFF, 0x3C, 0x3B, 0x22, 0x20, 0x3F]
        for _ in 0..<150 {
            var bytes = original
            for _ in 0..<12 {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = junk[Int(generator.next() % UInt64(junk.count))]
            }
            if let message = try? ParsedMessage(parsing: bytes) {
                _ = (message.textBody, message.attachments.count, message.kind, message.date)
            }
        }
    }

    @Test func deepNestingIsCut() throws {
        var text = "Content-Type: multipart/mixed; boundary=b0\n\n"
        for depth in 0..<200 {
            text += "--b\(depth)\nContent-Type: multipart/mixed; boundary=b\(depth + 1)\n\n"
        }
        text += "--b200\nContent-Type: text/plain\n\ndeep\n"
        let message = try ParsedMessage(parsing: Array(text.utf8))
        #expect(message.issues.contains { $0.code == .nestingTooDeep })
    }

    @Test func deeplyEmbeddedMessagesAreCut() throws {
        var text = "Subject: leaf\n\nbody\n"
        for level in 0..<100 { text = "Subject: level \(level)\nContent-Type: message/rfc822\n\n" + text }
        let message = try ParsedMessage(parsing: Array(text.utf8))
        #expect(message.subject == "level 99")
        #expect(message.issues.contains { $0.code == .nestingTooDeep })
    }
}

/// A small deterministic random generator, so that damage tests are repeatable.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
