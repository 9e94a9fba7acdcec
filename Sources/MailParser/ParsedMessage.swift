/// A parsed mail message: the header facts an intake needs, the best bodies, and the attachments.
public struct ParsedMessage: Sendable {
    /// The MIME structure; its headers are the message headers.
    public let root: MIMEPart
    /// The mailboxes in the first From field.
    public let from: [MailAddress]
    /// The mailbox in the first Sender field.
    public let sender: MailAddress?
    /// The mailboxes in the first Reply-To field.
    public let replyTo: [MailAddress]
    /// The mailboxes in every To field.
    public let to: [MailAddress]
    /// The mailboxes in every Cc field.
    public let cc: [MailAddress]
    /// The mailboxes in every Bcc field (rarely present on received mail).
    public let bcc: [MailAddress]
    /// The first Subject field with encoded words decoded, or nil when there is none.
    public let subject: String?
    /// The Message-ID without angle brackets.
    public let messageId: String?
    /// The ids in In-Reply-To, without angle brackets.
    public let inReplyTo: [String]
    /// The ids in References, oldest first, without angle brackets.
    public let references: [String]
    /// The Date field as milliseconds since 1970-01-01T00:00:00Z, or nil when absent or unparsable.
    public let date: Int64?
    /// The best plain-text body: the first text/plain part not marked as an attachment that holds more than
    /// whitespace; when there is none, readable text converted from the HTML body (see ``HTMLToText``); failing
    /// that, the blank text/plain part's text. Nil when the message has no text at all. Line breaks are LF.
    public let textBody: String?
    /// The first text/html part not marked as an attachment, decoded to text. Line breaks are LF.
    public let htmlBody: String?
    /// Whether the chosen text body named a charset this parser does not know (and was read as UTF-8, lossily).
    public let textBodyCharsetUnknown: Bool
    /// Parts that are not the chosen bodies, in order: files, images, embedded messages, other renderings.
    public let attachments: [MailAttachment]
    /// Irregularities the lenient parser worked around (including those in embedded messages).
    public let issues: [MailParseIssue]

    /// The message headers, in order.
    public var headers: MailHeaders { root.headers }

    init(root: MIMEPart, issues: [MailParseIssue]) {
        self.root = root
        self.issues = issues
        let headers = root.headers
        func addresses(_ name: String) -> [MailAddress] {
            headers.all(name).flatMap { MailAddress.parseList($0.rawValue) }
        }
        func firstAddresses(_ name: String) -> [MailAddress] {
            headers.first(name).map { MailAddress.parseList($0.rawValue) } ?? []
        }
        from = firstAddresses("From")
        sender = firstAddresses("Sender").first
        replyTo = firstAddresses("Reply-To")
        to = addresses("To")
        cc = addresses("Cc")
        bcc = addresses("Bcc")
        subject = headers.first("Subject")?.value
        messageId = headers.first("Message-ID").flatMap { field in
            MessageIDs.parse(field.rawValue).first
                ?? (field.rawValue.isEmpty || field.rawValue.contains(" ") ? nil : field.rawValue)
        }
        inReplyTo = headers.first("In-Reply-To").map { MessageIDs.parse($0.rawValue) } ?? []
        references = headers.all("References").flatMap { MessageIDs.parse($0.rawValue) }
        date = headers.first("Date").flatMap { MailDate.parse($0.rawValue) }

        let selection = BodySelection(root: root)
        textBody = selection.textBody
        htmlBody = selection.htmlBody
        textBodyCharsetUnknown = selection.textBodyCharsetUnknown
        attachments = selection.attachments
    }
}
