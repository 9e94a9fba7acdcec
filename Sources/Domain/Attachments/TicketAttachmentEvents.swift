/// Files added to a ticket (stream `ticket-T-<n>`), beside the ticket's own events: today by a client's contact in the
/// portal, with the ticket or the reply they belong to, in the same append.
public enum TicketAttachmentEvent: Sendable, Equatable {
    /// See ``TicketAttachmentAdded``.
    case added(TicketAttachmentAdded)
}

/// `ticket.attachment-added.v1`: a file was added to the ticket by the envelope's actor. Its bytes live content-addressed
/// beside the log (`<store>/attachments/<first 2 hex>/<sha256>`, written before the event), never in the event.
public struct TicketAttachmentAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.attachment-added", schemaVersion: 1,
        summary: "A file was added to the ticket (its bytes are stored content-addressed beside the log by SHA-256).")
    /// The file name as sent (never used as a path).
    public var name: String
    /// The MIME type as sent (never trusted when the file is served back).
    public var contentType: String
    /// The size in bytes.
    public var size: Int
    /// SHA-256 of the bytes, lower-case hex: where they are stored.
    public var sha256: String

    /// A payload with the given fields.
    public init(name: String, contentType: String, size: Int, sha256: String) {
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

extension TicketAttachmentEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TicketAttachmentEvent>] = [
        .init(TicketAttachmentAdded.self) { .added($0) },
    ]
}
