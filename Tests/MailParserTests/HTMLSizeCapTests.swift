import MailParser
import Foundation
import Testing

/// An HTML-only body over the size cap is not converted whole: the HTML is kept as an attachment and the text
/// body is a short excerpt (issue 15 §5).
@Suite("HTML size cap")
struct HTMLSizeCapTests {
    static func message(htmlBytes: Int) -> [UInt8] {
        let row = "<tr><td>Disk C: &amp; D: below 10&nbsp;% free</td><td>fs-01</td></tr>\r\n"
        var html = "<html><head><title>Report</title><style>td { color: red }</style></head><body><table>\r\n"
        while html.utf8.count < htmlBytes { html += row }
        html += "</table></body></html>\r\n"
        let text = "From: monitor@globex.example\r\nSubject: Nightly report\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
        return Array(text.utf8)
    }

    @Test func aBodyOverTheCapBecomesAnAttachmentAndAnExcerpt() throws {
        let message = try ParsedMessage(parsing: Self.message(htmlBytes: HTMLToText.sizeCap + 100_000))
        let text = try #require(message.textBody)
        #expect(text.hasPrefix("Disk C: & D: below 10 % free fs-01\n"))
        #expect(text.utf8.count < HTMLToText.excerptBytes)
        #expect(text.hasSuffix("it is kept whole as an attachment.]"))
        let kept = try #require(message.attachments.first)
        #expect(message.attachments.count == 1)
        #expect(kept.filename == "body.html")
        #expect(kept.contentType == "text/html")
        #expect(kept.size > HTMLToText.sizeCap)
    }

    @Test func aBodyUnderTheCapIsConvertedWholeAndNotAttached() throws {
        let message = try ParsedMessage(parsing: Self.message(htmlBytes: 200_000))
        let text = try #require(message.textBody)
        #expect(!text.contains("[Excerpt"))
        #expect(text.hasSuffix("Disk C: & D: below 10 % free fs-01"))
        #expect(message.attachments.isEmpty)
    }

    @Test func theExcerptCutsAtACharacterBoundary() {
        let html = String(repeating: "é", count: HTMLToText.excerptBytes)  // two bytes each
        let excerpt = HTMLToText.excerpt(of: html)
        #expect(!excerpt.contains("\u{FFFD}"))
        #expect(excerpt.hasPrefix("éé"))
    }

    @Test func unclosedDroppedElementsAreHandledOnce() {
        // Many <head> tags without an end tag: each keeps only its tag dropped, and the text survives.
        let html = String(repeating: "<head>a ", count: 20_000)
        #expect(HTMLToText.convert(html) == String(repeating: "a ", count: 20_000).trimmingCharacters(in: .whitespaces))
    }
}
