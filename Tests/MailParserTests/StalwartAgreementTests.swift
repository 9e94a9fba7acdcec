import Foundation
import MailParser
import Testing

/// Compares this parser with stalwart mail-parser's expected outputs (`NNN.json` beside each `NNN.eml`) on the
/// facts the intake uses: subject, first From address, Message-ID, text body (whitespace-normalised) and named
/// attachments with their sizes.
@Suite("Agreement with stalwart mail-parser")
struct StalwartAgreementTests {
    static let cases = Fixtures.messages(under: "stalwart-mail-parser")

    /// Comparisons where this parser deliberately differs from stalwart, keyed `"<corpus>/<NNN>.eml <field>"`.
    /// Each reason is documented in docs/mail-parser.md. An entry that starts agreeing fails the suite, so the list
    /// cannot go stale.
    static let deliberateDeviations: [String: String] = [
        "stalwart-mail-parser/malformed/000.eml text":
            "empty parts are kept, so an empty text/plain part gives an empty text body rather than none",
        "stalwart-mail-parser/malformed/001.eml text":
            "a delimiter must be followed by blanks only, so `--a` inside the `ab` multipart is body text",
        "stalwart-mail-parser/malformed/002.eml text":
            "a multipart whose boundary never occurs is kept as one readable text part",
        "stalwart-mail-parser/malformed/003.eml text":
            "the first text/plain that holds more than whitespace is the text body",
        "stalwart-mail-parser/malformed/004.eml text":
            "a multipart whose boundary never occurs is kept as one readable text part",
        "stalwart-mail-parser/malformed/005.eml text":
            "`--a----` is both the outer close delimiter and the inner opening one; the outer multipart wins",
        "stalwart-mail-parser/malformed/006.eml text":
            "a delimiter must be followed by blanks only, so `--ab` does not close the `a` multipart",
        "stalwart-mail-parser/malformed/019.eml text":
            "a non-header line ends a part's header section and starts its body",
        "stalwart-mail-parser/malformed/020.eml text":
            "the first Content-Type field wins when a part has two",
        "stalwart-mail-parser/malformed/021.eml text":
            "the first Content-Type field wins when a part has two",
    ]

    @Test(arguments: cases)
    func agreesWithStalwart(path: String) throws {
        for comparison in try Self.compare(path) {
            let key = "\(path) \(comparison.field)"
            if let reason = Self.deliberateDeviations[key] {
                #expect(!comparison.agrees, "\(key) is listed as a deliberate deviation (\(reason)) but now agrees")
            } else {
                #expect(
                    comparison.agrees,
                    "\(key): expected \(comparison.expected), parsed \(comparison.actual)")
            }
        }
    }

    @Test func agreementRateIsHigh() throws {
        var total = 0
        var agreed = 0
        var fullyAgreeingMessages = 0
        for path in Self.cases {
            let comparisons = try Self.compare(path)
            total += comparisons.count
            agreed += comparisons.filter(\.agrees).count
            if comparisons.allSatisfy(\.agrees) { fullyAgreeingMessages += 1 }
        }
        let rate = Double(agreed) / Double(max(total, 1))
        print(
            "stalwart agreement: \(agreed)/\(total) field comparisons (\(String(format: "%.1f", rate * 100))%),"
                + " \(fullyAgreeingMessages)/\(Self.cases.count) messages agree on every field")
        #expect(Self.cases.count >= 50, "the stalwart corpus should hold about 53 messages")
        #expect(rate >= 0.9)
    }

    // MARK: - Comparing

    struct Comparison {
        var field: String
        var agrees: Bool
        var expected: String
        var actual: String
    }

    static func compare(_ path: String) throws -> [Comparison] {
        let jsonURL = Fixtures.mailRoot.appendingPathComponent(String(path.dropLast(4)) + ".json")
        let expected = try StalwartExpectation(jsonAt: jsonURL)
        let message = try Fixtures.message(path)
        var comparisons: [Comparison] = []

        func add(_ field: String, _ expected: String?, _ actual: String?) {
            comparisons.append(
                Comparison(
                    field: field, agrees: expected == actual, expected: expected.debugDescription,
                    actual: actual.debugDescription))
        }

        add("subject", expected.subject.map(normalizedWhitespace), message.subject.map(normalizedWhitespace))
        add("from", expected.from.address, message.from.first?.address)
        add("message-id", expected.messageId, message.messageId)
        if let body = expected.textBody {
            let wanted = body.isHTML ? HTMLToText.convert(body.text) : body.text
            add("text", normalizedWhitespace(wanted), message.textBody.map(normalizedWhitespace))
        } else {
            add("text", nil, message.textBody.map(normalizedWhitespace))
        }
        if !expected.namedAttachments.isEmpty {
            let wanted = expected.namedAttachments.map { "\($0.name) (\($0.size.map(String.init) ?? "?") bytes)" }
            let found = expected.namedAttachments.map { expectedAttachment in
                let match = message.attachments.first { $0.filename == expectedAttachment.name }
                guard let match else { return "\(expectedAttachment.name) missing" }
                let size = expectedAttachment.size == nil ? "?" : String(match.size)
                return "\(expectedAttachment.name) (\(size) bytes)"
            }
            add("attachments", wanted.joined(separator: ", "), found.joined(separator: ", "))
        }
        return comparisons
    }
}
