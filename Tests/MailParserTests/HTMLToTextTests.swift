import Foundation
import MailParser
import Testing

@Suite("HTML to text")
struct HTMLToTextTests {
    @Test func tagsAreStrippedAndBlocksBreakLines() {
        let html = "<html><body><p>Hello <b>there</b>,</p><div>second line</div>third<br>fourth<br/>fifth</body></html>"
        #expect(HTMLToText.convert(html) == "Hello there,\n\nsecond line\nthird\nfourth\nfifth")
    }

    @Test func listItemsGetTheirOwnLines() {
        #expect(
            HTMLToText.convert("<p>Steps:</p><ul><li>one</li><li>two</li></ul>done") == "Steps:\n\n- one\n- two\n\ndone"
        )
    }

    @Test func scriptsStylesTitlesAndCommentsVanish() {
        let html = """
            <html><head><title>Ignored title</title><style>p { color: red; }</style>
            <script type="text/javascript">var a = "<p>not text</p>";</script></head>
            <body><!-- a comment <p>hidden</p> -->Visible<!--[if mso]>Outlook only<![endif]--></body></html>
            """
        #expect(HTMLToText.convert(html) == "Visible")
    }

    @Test func whitespaceCollapsesExceptInPre() {
        #expect(HTMLToText.convert("a   b\n\n\tc") == "a b c")
        #expect(HTMLToText.convert("<pre>x   y\n  z</pre>after") == "x   y\n  z\n\nafter")
    }

    @Test func blankLinesAreLimitedToOne() {
        #expect(HTMLToText.convert("a<br><br><br><br><br>b") == "a\n\nb")
    }

    @Test func entitiesNamedAndNumeric() {
        #expect(HTMLToText.decodeEntities("&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;") == "<a> & \"b\" 'c'")
        #expect(HTMLToText.decodeEntities("caf&eacute; &euro;5 &copy; &hellip;") == "café €5 © …")
        #expect(HTMLToText.decodeEntities("&#233;&#xE9;&#XE9;&#8364;") == "ééé€")
        #expect(HTMLToText.decodeEntities("&#150;&#x92;") == "\u{2013}\u{2019}")  // Windows-1252 range, as browsers do
        #expect(HTMLToText.decodeEntities("&#0;&#x110000;&#xD800;") == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(HTMLToText.decodeEntities("AT&T &unknown; &amp &nbsp") == "AT&T &unknown; & \u{00A0}")
    }

    @Test func nonBreakingSpacesBecomeSpaces() {
        #expect(HTMLToText.convert("a&nbsp;&nbsp;b") == "a  b")
    }

    @Test func loneAngleBracketsAreText() {
        #expect(HTMLToText.convert("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2")
    }

    @Test func attributesMayHoldAngleBrackets() {
        #expect(HTMLToText.convert(#"<a title="x > y" href='z'>link</a>"#) == "link")
    }

    @Test func unclosedTagsDoNotLoseText() {
        #expect(HTMLToText.convert("text <b") == "text")
        #expect(HTMLToText.convert("<style>never closed") == "")
    }

    @Test func realGmailReplyHTML() throws {
        let data = try Data(contentsOf: Fixtures.mailRoot.appendingPathComponent("talon/html_replies/gmail.html"))
        let text = HTMLToText.convert(String(decoding: data, as: UTF8.self))
        #expect(text.hasPrefix("Hi. I am fine.\n\nThanks,\nAlex"))
        #expect(text.contains("On Thu, Jun 26, 2014 at 2:14 PM, Alexander L <a@example.com> wrote:"))
        #expect(text.contains("Hello! How are you?"))
    }

    @Test func realOutlookReplyHTMLDropsItsStyleSheet() throws {
        let data = try Data(
            contentsOf: Fixtures.mailRoot.appendingPathComponent("talon/html_replies/ms_outlook_2010.html"))
        let text = HTMLToText.convert(String(decoding: data, as: UTF8.self))
        #expect(!text.contains("font-family"))
        #expect(!text.contains("MsoNormal"))
        #expect(!text.isEmpty)
    }

    @Test func htmlOnlyMessagesGetATextBody() throws {
        let message = try Fixtures.message("ruby-mail/error_emails/content_transfer_encoding_text-html.eml")
        #expect(message.htmlBody != nil)
        let text = try #require(message.textBody)
        #expect(text.hasPrefix("Hello,\n\nYou have qualified for the lowest rate in years."))
        #expect(!text.contains("<"))
    }
}
