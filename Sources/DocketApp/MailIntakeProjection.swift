import Domain
import EventLog
import Foundation
import LMDB

/// The `mail` read model: which ticket each received message (by Message-ID) went to, so that replies
/// thread onto their ticket and a message delivered twice is recognised.
///
/// Database `rm.mail.message-ids`: Message-ID (UTF-8) → ticket number (e.g. `T-1042`, UTF-8).
public final class MailIntakeProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the only state is the database handle, set once when the store opens.
    public let name = "mail"
    public let tables = ["message-ids"]
    private var messageIds: Database?

    public init() {}

    public func attach(_ tables: ReadModelTables) { messageIds = tables["message-ids"] }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.type == TicketMailReceived.descriptor.type, let messageIds,
            let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        guard case .received(let mail) = try TicketMailEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        else { return }
        try txn.put(messageIds, key: Array(mail.messageId.utf8), value: Array(number.description.utf8))
    }

    /// The ticket the message `messageId` went to, if Docket received it.
    public func ticket(forMessageId messageId: String, in store: EventStore) throws -> TicketNumber? {
        guard let messageIds, !messageId.isEmpty else { return nil }
        return try store.readModels { txn in
            try txn.get(messageIds, key: Array(messageId.utf8)).flatMap { TicketNumber(String(decoding: $0, as: UTF8.self)) }
        }
    }
}
