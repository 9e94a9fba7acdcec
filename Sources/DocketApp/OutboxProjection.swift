import Domain
import EventLog
import Foundation
import LMDB

/// The `outbox` read model: every message Docket queued to a client, with its delivery status, and the
/// ticket each of our Message-IDs belongs to (so that a client's reply to it threads onto the ticket).
///
/// Database `rm.outbox.messages`: Message-ID (UTF-8, no angle brackets) → ``OutboxEntry`` as JSON.
public final class OutboxProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the only state is the database handle, set once when the store opens.
    public let name = "outbox"
    public let tables = ["messages"]
    private var messages: Database?

    public init() {}

    public func attach(_ tables: ReadModelTables) { messages = tables["messages"] }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let messages, OutboxEvent.handles(type: event.type) else { return }
        let decoded = try OutboxEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        var entry: OutboxEntry
        switch decoded {
        case .queued(let queued):
            // A ticket's mail, or a portal sign-in link (stream `portal-<contact>`, no ticket).
            let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
            guard number != nil || event.stream.hasPrefix("portal-") else { return }
            entry = OutboxEntry(
                messageId: queued.messageId, ticket: number, reason: queued.reason, to: queued.to, subject: queued.subject,
                queuedAt: event.recordedAt.millisecondsSinceEpoch, position: event.position, status: .queued, attempts: 0,
                lastError: nil, sentAt: nil, message: queued.message)
        case .sent(let sent):
            guard var known = try OutboxProjection.entry(sent.messageId, messages: messages, txn: txn) else { return }
            known.status = .sent
            known.attempts = max(known.attempts, sent.attempt)
            known.sentAt = event.recordedAt.millisecondsSinceEpoch
            entry = known
        case .sendFailed(let failed):
            guard var known = try OutboxProjection.entry(failed.messageId, messages: messages, txn: txn) else { return }
            // A late failure report never undoes a success or a bounce.
            if known.status != .sent, known.status != .bounced { known.status = .failed }
            known.attempts = max(known.attempts, failed.attempt)
            known.lastError = failed.exitStatus.map { "exit \($0): \(failed.error)" } ?? failed.error
            entry = known        case .bounced(let bounced):
            guard var known = try OutboxProjection.entry(bounced.messageId, messages: messages, txn: txn) else { return }
            known.status = .bounced
            known.bouncedAt = event.recordedAt.millisecondsSinceEpoch
            known.bounceMessageId = bounced.reportMessageId
            entry = known
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try txn.put(messages, key: Array(entry.messageId.utf8), value: Array(try encoder.encode(entry)))
    }

    private static func entry(_ messageId: String, messages: Database, txn: borrowing Transaction) throws -> OutboxEntry? {
        try txn.get(messages, key: Array(messageId.utf8)).map { try JSONDecoder().decode(OutboxEntry.self, from: Data($0)) }
    }

    /// The message `messageId` (with or without angle brackets), if Docket queued it.
    public func entry(_ messageId: String, in store: EventStore) throws -> OutboxEntry? {
        guard let messages else { return nil }
        let bare = OutboxProjection.bare(messageId)
        guard !bare.isEmpty else { return nil }
        return try store.readModels { txn in try OutboxProjection.entry(bare, messages: messages, txn: txn) }
    }

    /// The ticket our message `messageId` was about, if it is one of ours.
    public func ticket(forMessageId messageId: String, in store: EventStore) throws -> TicketNumber? {
        try entry(messageId, in: store)?.ticket
    }

    /// Every queued message, oldest first.
    public func all(in store: EventStore) throws -> [OutboxEntry] {
        guard let messages else { return [] }
        let entries = try store.readModels { txn in
            try txn.withCursor(messages) { cursor in
                var rows: [OutboxEntry] = []
                var entry = try cursor.first()
                while let found = entry {
                    rows.append(try JSONDecoder().decode(OutboxEntry.self, from: Data(found.value)))
                    entry = try cursor.next()
                }
                return rows
            }
        }
        return entries.sorted { $0.position < $1.position }
    }

    static func bare(_ messageId: String) -> String {
        var id = Substring(messageId.trimmingCharacters(in: .whitespaces))
        if id.hasPrefix("<") { id = id.dropFirst() }
        if id.hasSuffix(">") { id = id.dropLast() }
        return String(id)
    }
}

/// One outbound message as the `outbox` read model knows it.
public struct OutboxEntry: Codable, Sendable, Equatable {
    /// Where a message is: waiting, delivered to the transport, waiting again after failed attempts, or come
    /// back as a bounce (never sent again).
    public enum Status: String, Codable, Sendable {
        case queued, sent, failed, bounced
    }

    /// Without angle brackets.
    public var messageId: String
    /// The ticket it is about; nil for a portal sign-in link.
    public var ticket: TicketNumber?
    public var reason: OutboundReason
    public var to: [String]
    public var subject: String
    /// When it was queued (ms since the epoch), and its position in the log.
    public var queuedAt: Int64
    public var position: UInt64
    public var status: Status
    /// Delivery attempts so far (sent or failed).
    public var attempts: Int
    /// The last failure: exit status and the transport's first stderr line.
    public var lastError: String?
    public var sentAt: Int64?
    /// The whole RFC 5322 message, CRLF line ends.
    public var message: String
    /// When a bounce about it was received (ms since the epoch), and that report's identity.
    public var bouncedAt: Int64?
    public var bounceMessageId: String?

    /// Queued or failed: the next `outbox send` tries it.
    public var isPending: Bool { status == .queued || status == .failed }
}
