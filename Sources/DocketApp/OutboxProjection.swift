import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `outbox` read model: every message Docket queued to a client, with its delivery status, and the
/// ticket each of our Message-IDs belongs to (so that a client's reply to it threads onto the ticket).
///
/// Database (format 5, checkpoint `outbox-v5`: a page is `undeliverable` after ``OutboxEntry/maxPageAttempts`` failed
/// attempts, not ``OutboxEntry/maxAttempts``, its rows unchanged; format 4, `rm.outbox4.messages`, added pages to
/// notification channels, and a `final` failure making an entry `undeliverable` at once; format 3,
/// `rm.outbox3.messages`, added each message's last attempt and the `undeliverable` status; format 2 was
/// `rm.outbox2.messages`, format 1 stored JSON in `rm.outbox.messages`): `rm.outbox5.messages`:
/// Message-ID (no angle brackets) ‖ 0x00 (`OrderedKey`) → ``OutboxEntry`` in the binary row format (a `RowTable` of
/// the read-model kit), row format 1.
public final class OutboxProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "outbox"
    /// The outbox's types only: `apply` passes over every other type.
    public var interest: EventInterest? { EventInterest(types: Self.types) }
    public let format = 5
    public var tables: [String] { rows.tableNames }
    /// The fold keeps its rows in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`).
    public let sealsBatches = true
    private let rows = RowTable<String, OutboxEntry, OutboxEntry>(
        "messages", format: 1, keys: ModelRowKeys.outbox, store: { $0 }, load: { stored, _, _ in stored })

    /// The outbox's event types, checked on every event of the log (`OutboxEvent.handles` walks its list).
    private static let types = EventTypes(OutboxEvent.catalog.map(\.type))

    public init() {}

    public func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    /// The fold: the message's entry after a queueing, delivery, failure, bounce, cancellation or requeueing.
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard OutboxProjection.types.contains(event.type) else { return }
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
            entry.cc = queued.cc
        case .sent(let sent):
            guard var known = try rows.row(sent.messageId, txn: txn) else { return }
            known.status = .sent
            known.attempts = max(known.attempts, sent.attempt)
            known.sentAt = event.recordedAt.millisecondsSinceEpoch
            known.lastAttemptAt = event.recordedAt.millisecondsSinceEpoch
            entry = known
        case .sendFailed(let failed):
            guard var known = try rows.row(failed.messageId, txn: txn) else { return }
            known.attempts = max(known.attempts, failed.attempt)
            // A late failure report never undoes a success or a bounce.
            if known.status != .sent, known.status != .bounced, known.status != .cancelled {
                // A receiver's refusal for good (`final`: a notification channel's HTTP 4xx) is not retried.
                known.status = failed.final == true || known.attemptsSinceRequeue >= known.attemptLimit ? .undeliverable : .failed
            }
            known.lastAttemptAt = event.recordedAt.millisecondsSinceEpoch
            known.lastError = failed.exitStatus.map { "exit \($0): \(failed.error)" } ?? failed.error
            entry = known
        case .bounced(let bounced):
            guard var known = try rows.row(bounced.messageId, txn: txn) else { return }
            known.status = .bounced
            known.bouncedAt = event.recordedAt.millisecondsSinceEpoch
            known.bounceMessageId = bounced.reportMessageId
            entry = known
        case .cancelled(let cancelled):
            guard var known = try rows.row(cancelled.messageId, txn: txn) else { return }
            // Only `outbox send` cancels, and only a pending message: nothing sent or bounced is undone.
            if known.isPending { known.status = .cancelled }
            known.cancelledAt = event.recordedAt.millisecondsSinceEpoch
            known.cancelReason = cancelled.reason
            entry = known
        case .requeued(let requeued):
            guard var known = try rows.row(requeued.messageId, txn: txn) else { return }
            if known.status == .undeliverable { known.status = .queued }
            known.attemptsBeforeRequeue = requeued.attemptsBefore
            entry = known
        }
        rows.set(entry.messageId, entry)
    }

    public func prepareFlush() throws { try rows.prepareFlush() }

    public func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }

    public func discardPending() { rows.discard() }

    /// The message `messageId` (with or without angle brackets), if Docket queued it.
    public func entry(_ messageId: String, in store: EventStore) throws -> OutboxEntry? {
        let bare = OutboxProjection.bare(messageId)
        guard !bare.isEmpty else { return nil }
        return try store.readModels { txn in try rows.read(bare, txn: txn) }
    }

    /// The ticket our message `messageId` was about, if it is one of ours.
    public func ticket(forMessageId messageId: String, in store: EventStore) throws -> TicketNumber? {
        try entry(messageId, in: store)?.ticket
    }

    /// The messages queued on ticket `number`, oldest first: their Message-IDs begin with `T-1042.`, so one range
    /// of keys holds them (``ClientMailReaction``, ``StaffMailReaction``).
    public func entries(of number: TicketNumber, in store: EventStore) throws -> [OutboxEntry] {
        let prefix = Array("\(number).".utf8)
        let entries = try store.readModels { txn in
            try txn.withCursor(rows.database) { cursor in
                var entries: [OutboxEntry] = []
                var entry = try cursor.seek(atLeast: prefix)
                while let found = entry, found.key.starts(with: prefix) {
                    entries.append(try rows.decodeStored(found.value))
                    entry = try cursor.next()
                }
                return entries
            }
        }
        return entries.sorted { $0.position < $1.position }
    }

    /// Every queued message, oldest first.
    public func all(in store: EventStore) throws -> [OutboxEntry] {
        let entries = try store.readModels { txn in
            try txn.withCursor(rows.database) { cursor in
                var entries: [OutboxEntry] = []
                var entry = try cursor.first()
                while let found = entry {
                    entries.append(try rows.decodeStored(found.value))
                    entry = try cursor.next()
                }
                return entries
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
    /// Where a message is: waiting, delivered to the transport, waiting again after failed attempts, given up after
    /// ``maxAttempts`` failed ones (not tried again unless an admin queues it again: `outbox retry`), come back as a
    /// bounce (never sent again), or cancelled by `outbox send` because its recipient may no longer be mailed
    /// (``cancelReason``; never sent).
    public enum Status: String, Codable, Sendable {
        case queued, sent, failed, undeliverable, bounced, cancelled
    }

    /// How many failed attempts a message gets before it is given up as `undeliverable`: with the waits of
    /// ``retryDelayMinutes(afterAttempts:)``, about twelve hours of a mail system refusing it.
    public static let maxAttempts = 12

    /// How many failed attempts a page (reason ``OutboundReason/page``) gets: with the waits of
    /// ``pageRetryDelaySeconds(afterAttempts:)`` (30 s, 1, 2, 5, 10, 10 minutes), 28.5 minutes from its first attempt
    /// to its last. A page is worth something while someone can still act on the breach: a receiver down for a minute
    /// delayed a P1 page by the mail's backoff, and one down for good was tried for twelve hours.
    public static let maxPageAttempts = 7

    /// How long after its last failed attempt a message is tried again: at once after the first (someone fixing
    /// sendmail runs `outbox send` again), then 1, 2, 4 … minutes, doubling, at most 4 hours — so a message the mail
    /// system refuses for good does not add a `mail.send-failed` to the log every minute cron runs the send.
    public static func retryDelayMinutes(afterAttempts attempts: Int) -> Int64 {
        attempts <= 1 ? 0 : min(Int64(1) << Int64(min(attempts - 2, 20)), 240)
    }

    /// How long after its last failed attempt a page is tried again: 30 seconds after the first, then 1, 2, 5 and 10
    /// minutes, then every 10 minutes (until ``maxPageAttempts``).
    public static func pageRetryDelaySeconds(afterAttempts attempts: Int) -> Int64 {
        let waits: [Int64] = [30, 60, 120, 300, 600]
        return waits[min(max(attempts, 1), waits.count) - 1]
    }

    /// The failed attempts this message gets before it is `undeliverable`: ``maxPageAttempts`` for a page,
    /// ``maxAttempts`` for mail.
    public var attemptLimit: Int { reason == .page ? Self.maxPageAttempts : Self.maxAttempts }

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
    /// When the last delivery attempt was recorded (ms since the epoch); nil before the first.
    public var lastAttemptAt: Int64?
    /// Why and when `outbox send` cancelled it (`mail.cancelled`), if it did.
    public var cancelReason: String?
    public var cancelledAt: Int64?
    /// The failed attempts it had when an admin last queued it again (`mail.requeued`); the attempt limit and the
    /// waits count from there. Nil when never queued again.
    public var attemptsBeforeRequeue: Int?
    /// Those of ``to`` on Cc (``TicketMailQueued/cc``); nil when none, and for mail queued before it was recorded.
    public var cc: [String]?

    /// Attempts since it was last queued again (all of them when never).
    public var attemptsSinceRequeue: Int { attempts - (attemptsBeforeRequeue ?? 0) }

    /// Queued or failed: `outbox send` tries it (a failed one once its wait is over, ``isDue(at:)``).
    public var isPending: Bool { status == .queued || status == .failed }

    /// Whether `outbox send` at `now` (ms since the epoch) tries it: pending, and for a failed message, the wait after
    /// its last attempt is over (a page's, ``pageRetryDelaySeconds(afterAttempts:)``; mail's,
    /// ``retryDelayMinutes(afterAttempts:)``).
    public func isDue(at now: Int64) -> Bool {
        guard isPending else { return false }
        guard status == .failed, let last = lastAttemptAt else { return true }
        let wait =
            reason == .page
            ? Self.pageRetryDelaySeconds(afterAttempts: attemptsSinceRequeue) * 1_000
            : Self.retryDelayMinutes(afterAttempts: attemptsSinceRequeue) * 60_000
        return now >= last + wait
    }

    /// The `mail.requeued` that gives an undeliverable message a fresh set of attempts (`docket outbox retry`);
    /// refused (``DomainError/Code/conflict``) for any other status, naming why.
    public func requeue() throws(DomainError) -> MailRequeued {
        switch status {
        case .undeliverable: return MailRequeued(messageId: messageId, attemptsBefore: attempts)
        case .sent:
            guard let sentAt else { throw DomainError(.conflict, "message \(messageId) was sent; there is nothing to retry") }
            throw DomainError(
                .conflict, timed: "message \(messageId) was sent at \(time: Timestamp(millisecondsSinceEpoch: sentAt)); there is nothing to retry")
        case .bounced:
            throw DomainError(
                .conflict,
                "message \(messageId) bounced (report \(bounceMessageId ?? "?")): the recipient's mail system refused it; fix the address and reply on \(ticket.map(\.description) ?? "the ticket") instead")
        case .cancelled:
            throw DomainError(.conflict, "message \(messageId) was cancelled (\(cancelReason ?? "no reason")) and is never sent")
        case .queued, .failed:
            throw DomainError(.conflict, "message \(messageId) is still \(status.rawValue); `docket outbox send` tries it, nothing to retry yet")
        }
    }
}
