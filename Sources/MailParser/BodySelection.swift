// Chooses the text and HTML bodies of a message and collects everything else as attachments.

struct BodySelection {
    private(set) var textBody: String?
    private(set) var htmlBody: String?
    private(set) var textBodyCharsetUnknown = false
    private(set) var attachments: [MailAttachment] = []

    private var textParts: [MIMEPart] = []
    private var htmlPart: MIMEPart?

    /// Walks `root` depth first, without descending into embedded messages (those are attachments whole).
    ///
    /// Rules: the text body is the first text/plain leaf not marked `attachment` that holds more than whitespace;
    /// when there is none, the HTML body converted to text (above ``HTMLToText/sizeCap``, an excerpt, and the HTML part
    /// becomes an attachment, `body.html` unless it names a file); failing that, the first (blank) text/plain leaf. The
    /// HTML body is the first text/html leaf not marked `attachment`. Other leaves are attachments, except unnamed,
    /// unmarked text that is another rendering inside a multipart/alternative (text/enriched…) or an extra inline
    /// text/plain or text/html part (a list footer).
    init(root: MIMEPart) {
        visit(root, insideAlternative: false)
        let html = htmlPart?.decodedText()
        htmlBody = html.map { Self.normalizedLineBreaks($0.text) }
        let texts = textParts.lazy.compactMap { $0.decodedText() }
        if let text = texts.first(where: { !$0.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) }) {
            textBody = Self.normalizedLineBreaks(text.text)
            textBodyCharsetUnknown = !text.charsetRecognized
        } else if let htmlBody, let html, let htmlPart, case .single(let bytes) = htmlPart.body {
            if htmlBody.utf8.count > HTMLToText.sizeCap {
                // Too big to be a ticket's text: the HTML is kept whole as an attachment, the text is an excerpt.
                textBody = HTMLToText.excerpt(of: htmlBody)
                attachments.append(MailAttachment(part: htmlPart, bytes: bytes, defaultName: "body.html"))
            } else {
                textBody = HTMLToText.convert(htmlBody)
            }
            textBodyCharsetUnknown = !html.charsetRecognized
        } else if let text = texts.first {
            textBody = Self.normalizedLineBreaks(text.text)
            textBodyCharsetUnknown = !text.charsetRecognized
        }
    }

    private mutating func visit(_ part: MIMEPart, insideAlternative: Bool) {
        switch part.body {
        case .multipart(let parts, _, _):
            let isAlternative = part.contentType.subtype == "alternative"
            for child in parts { visit(child, insideAlternative: isAlternative) }
        case .message(_, let raw):
            attachments.append(MailAttachment(part: part, bytes: raw))
        case .single(let bytes):
            let marked = part.contentDisposition?.isAttachment ?? false
            let mimeType = part.contentType.mimeType
            if !marked, mimeType == "text/plain", textParts.isEmpty || part.filename == nil {
                textParts.append(part)
                return
            }
            if !marked, mimeType == "text/html", htmlPart == nil {
                htmlPart = part
                return
            }
            let isBodyText = mimeType == "text/plain" || mimeType == "text/html"
            if !marked, part.filename == nil, part.contentType.type == "text", insideAlternative || isBodyText {
                return
            }
            attachments.append(MailAttachment(part: part, bytes: bytes))
        }
    }

    /// `text` with CR LF and lone CR turned into LF.
    static func normalizedLineBreaks(_ text: String) -> String {
        guard text.unicodeScalars.contains("\r") else { return text }
        var result = String.UnicodeScalarView()
        var previousWasCarriageReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasCarriageReturn {
                previousWasCarriageReturn = false
                continue
            }
            previousWasCarriageReturn = scalar == "\r"
            result.append(scalar == "\r" ? "\n" : scalar)
        }
        return String(result)
    }
}
