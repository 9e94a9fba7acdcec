import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `mail` read model: which ticket each received message (by Message-ID) went to, so that replies
/// thread onto their ticket and a message delivered twice is recognised.
///
/// Database (format 2, checkpoint `mail-v2`; format 1 stored the number as text in `rm.mail.message-ids`):
/// `rm.mail2.message-ids`: Message-ID ‖ 0x00 (`OrderedKey`) → the ticket number in the binary row format (a
/// `RowTable` of the read-model kit), row format 1.
public final class MailIntakeProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "mail"
    /// Received mail only: `apply` passes over every other type (on any stream).
    public var interest: EventInterest? { EventInterest(types: Self.received) }
    public let format = 2
    public var tables: [String] { rows.tableNames }
    /// The fold keeps its rows in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`).
    public let sealsBatches = true
    private let rows = RowTable<String, TicketNumber, UInt64>(
        "message-ids", format: 1, store: { UInt64($0.value) },
        load: { stored, _, _ in
            guard let number = TicketNumber(Int(clamping: stored)) else {
                throw EventLogError(.corrupt, "a mail row holds no ticket number; run `docket rebuild mail`")
            }
            return number
        })

    public init() {}

    public func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    /// The one type the fold reads, checked on every event of the log.
    private static let received = EventTypes([TicketMailReceived.descriptor.type])

    /// The fold: a received message's Message-ID now names its ticket.
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard Self.received.contains(event.type),
            let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        guard case .received(let mail) = try TicketMailEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        else { return }
        rows.set(mail.messageId, number)
    }

    public func prepareFlush() throws { try rows.prepareFlush() }

    public func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }

    public func discardPending() { rows.discard() }

    /// The ticket the message `messageId` went to, if Docket received it.
    public func ticket(forMessageId messageId: String, in store: EventStore) throws -> TicketNumber? {
        guard !messageId.isEmpty else { return nil }
        return try store.readModels { txn in try rows.read(messageId, txn: txn) }
    }
}
