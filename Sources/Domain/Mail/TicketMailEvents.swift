import DocketTime

/// Email recorded on the ticket it opened or joined (stream `ticket-T-<n>`), beside the ticket's own events.
public enum TicketMailEvent: Sendable, Equatable {
    /// See ``TicketMailReceived``.
    case received(TicketMailReceived)
}

/// One attachment of a received message: its bytes live content-addressed beside the log
/// (`<store>/attachments/<first 2 hex>/<sha256>`), never in the event.
public struct MailAttachmentRef: Codable, Sendable, Equatable {
    public var name: String
    public var contentType: String
    public var size: Int
    public var sha256: String

    public init(name: String, contentType: String, size: Int, sha256: String) {
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

/// `ticket.mail-received.v1`: an email was delivered for this ticket (the first opens it; replies,
/// bounces and auto-replies join it). The Message-ID identifies the message.
public struct TicketMailReceived: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.mail-received", schemaVersion: 1,
        summary: "An email was delivered for this ticket (new, reply, bounce or auto-reply); the Message-ID identifies it.")
    public var messageId: String
    /// The sender's address.
    public var from: String
    public var fromName: String?
    public var subject: String
    /// The text body.
    public var text: String
    /// `new`, `reply`, `bounce` or `auto-reply`.
    public var kind: String
    public var attachments: [MailAttachmentRef]
    /// The addresses in To and Cc (absent in events written before they were recorded, and when there are none):
    /// with `from`, who is on the thread, which decides whether a reply by Message-ID is trusted.
    public var to: [String]?
    public var cc: [String]?
    /// The thread before this message, oldest first: its References, else its In-Reply-To (absent when it has
    /// neither, and in events written before they were recorded). Our answer's References is these and this
    /// message's Message-ID (``OutboundMessage/referencesChain(parentReferences:parent:)``).
    public var references: [String]?

    /// A payload with the given fields.
    public init(
        messageId: String, from: String, fromName: String?, subject: String, text: String, kind: String,
        attachments: [MailAttachmentRef], to: [String]? = nil, cc: [String]? = nil, references: [String]? = nil
    ) {
        self.messageId = messageId
        self.from = from
        self.fromName = fromName
        self.subject = subject
        self.text = text
        self.kind = kind
        self.attachments = attachments
        self.to = to
        self.cc = cc
        self.references = references
    }
}

extension TicketMailEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TicketMailEvent>] = [
        .init(TicketMailReceived.self) { .received($0) },
    ]
}
