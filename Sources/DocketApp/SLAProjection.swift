import Domain
import EventLog
import Foundation
import LMDB

/// One ticket in the `sla` read model.
public struct SLARow: Codable, Sendable, Equatable {
    public var number: TicketNumber
    public var client: String
    public var assignee: String?
    public var openedAt: Int64
    public var isOpen: Bool
    /// Nil for a ticket opened without an SLA (no contract with a policy).
    public var clock: SLAClock?
}

/// The `sla` read model: each ticket's SLA clock, the open ones ordered by due time, and the pending
/// alarms ordered by instant (what `docket tick` walks).
///
/// Databases (format 2, checkpoint `sla-v2`; format 1's `rm.sla.tickets` rows carried the whole frozen calendar):
/// - `rm.sla2.tickets`: number (u64 BE) → the row as canonical JSON, its clock as `StoredSLAClock` (progress, start
///   instant and priority, and the terms by content digest)
/// - `rm.sla2.by-due`: due (u64 BE ms; all ones when paused) ‖ number → number (open tickets with a clock)
/// - `rm.sla2.alarms`: next alarm (u64 BE ms) ‖ number → number (tickets with an unrecorded threshold)
/// - `rm.sla2.terms`: terms digest (32 bytes) → schema version (u16 BE) ‖ the first `ticket.sla-started` payload
///   with that content (see `SLATerms`): one copy per policy version, not one per ticket
public final class SLAProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `pending` guards itself.
    public let name = "sla"
    public let format = 2
    public let tables = ["tickets", "by-due", "alarms", "terms"]
    private var databases = ReadModelTables()
    /// The rows of the current write transaction, decoded, with their index keys; written at `flush`.
    private let pending = PendingRows<SLAEntry, IndexKeys>()

    public init() {}

    public func attach(_ tables: ReadModelTables) { databases = tables }

    private var tickets: Database { databases["tickets"] }
    private var byDue: Database { databases["by-due"] }
    private var alarms: Database { databases["alarms"] }
    private var terms: SLATermsTable { SLATermsTable(database: databases["terms"]) }

    /// A row with the content digest of its clock's terms (nil when they are not shared).
    struct SLAEntry {
        var row: SLARow
        var terms: Digest?
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.stream.hasPrefix("ticket-"), let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        let change = try LastTicketChange.shared.change(of: event)
        let before = try pending.row(UInt64(number.value), in: tickets, txn: txn) { try decode($0, txn: txn) }
        var entry: SLAEntry
        switch (change, before?.row) {
        case (.ticket(.opened(let opened)), _):
            entry = SLAEntry(
                row: SLARow(
                    number: number, client: opened.client, assignee: nil, openedAt: event.recordedAt.millisecondsSinceEpoch,
                    isOpen: true, clock: nil),
                terms: nil)
        case (_, nil):
            return
        case (.ticket(let ticketEvent), let existing?):
            entry = existing
            entry.row.clock?.apply(ticketEvent, at: event.recordedAt)
            switch ticketEvent {
            case .assigned(let e): entry.row.assignee = e.assignee
            case .unassigned: entry.row.assignee = nil
            case .closed, .merged: entry.row.isOpen = false
            case .reopened: entry.row.isOpen = true
            default: break
            }
        case (.sla(.started(let started)), let existing?):
            entry = existing
            if entry.row.clock == nil {
                entry.row.clock = SLAClock.start(started)
                entry.terms = LastTicketChange.shared.termsDigest(of: event)
                if let digest = entry.terms { try terms.keep(event, digest: digest, txn: txn) }
            }
        case (.sla(let slaEvent), let existing?):
            entry = existing
            entry.row.clock?.apply(slaEvent, at: event.recordedAt)
        case (.alert, _), (.mail, _), (.outbox, _), (.other, _):
            return
        }
        if let before { try removeIndexes(before.keys ?? indexKeys(before.row.row), txn: txn) }
        let keys = indexKeys(entry.row)
        try addIndexes(keys, number: QueueProjection.numberKey(entry.row.number), txn: txn)
        pending.set(UInt64(number.value), row: entry, keys: keys)
    }

    /// Writes the rows this transaction changed (see `PendingRows`).
    public func flush(in txn: borrowing Transaction) throws {
        let encoder = SLAProjection.encoder()
        try pending.flush(into: tickets, txn: txn) { entry in
            Array(try encoder.encode(StoredSLARow(entry.row, terms: entry.terms)))
        }
    }

    public func discardPending() { pending.discard() }

    /// A stored row, its clock's terms read back.
    private func decode(_ bytes: UnsafeRawBufferPointer, txn: borrowing Transaction) throws -> SLAEntry {
        let stored = try JSONDecoder().decode(StoredSLARow.self, from: Data(bytes))
        let clock = try stored.clock.map { try $0.clock(terms, txn: txn) }
        return SLAEntry(
            row: SLARow(
                number: stored.number, client: stored.client, assignee: stored.assignee, openedAt: stored.openedAt,
                isOpen: stored.isOpen, clock: clock),
            terms: stored.clock?.digest)
    }

    private func row(_ bytes: UnsafeRawBufferPointer, txn: borrowing Transaction) throws -> SLARow {
        try decode(bytes, txn: txn).row
    }

    // MARK: - Indexes
    //
    // Index keys are computed from the row alone (the instant only matters for a clock that is breached
    // and still running, whose due time is its breach instant), so removing uses the row as stored.

    typealias IndexKeys = (due: [UInt8]?, alarm: [UInt8]?)

    private func indexKeys(_ row: SLARow) -> IndexKeys {
        guard let clock = row.clock else { return (nil, nil) }
        let number = QueueProjection.numberKey(row.number)
        var due: [UInt8]?
        if row.isOpen {
            let at = clock.dueInstant.map { UInt64(bitPattern: $0.millisecondsSinceEpoch) } ?? .max
            due = withUnsafeBytes(of: at.bigEndian) { Array($0) } + number
        }
        let alarm = clock.nextAlarm.map { withUnsafeBytes(of: UInt64(bitPattern: $0.millisecondsSinceEpoch).bigEndian) { Array($0) } + number }
        return (due, alarm)
    }

    private func addIndexes(_ keys: IndexKeys, number: [UInt8], txn: borrowing Transaction) throws {
        if let due = keys.due { try txn.put(byDue, key: due, value: number) }
        if let alarm = keys.alarm { try txn.put(alarms, key: alarm, value: number) }
    }

    private func removeIndexes(_ keys: IndexKeys, txn: borrowing Transaction) throws {
        if let due = keys.due { try txn.delete(byDue, key: due) }
        if let alarm = keys.alarm { try txn.delete(alarms, key: alarm) }
    }

    /// The row's canonical JSON: sorted keys, no escaped slashes.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    // MARK: - Queries

    /// One ticket's row.
    public func row(_ number: TicketNumber, in store: EventStore) throws -> SLARow? {
        try store.readModels { txn in
            try QueueProjection.numberKey(number).withUnsafeBytes { key in
                try txn.get(tickets, key: key).map { try row($0, txn: txn) }
            }
        }
    }

    /// Open tickets with an SLA, soonest due first (paused ones last), passing `keep`, at most `limit`.
    public func open(limit: Int, in store: EventStore, keep: (SLARow) -> Bool) throws -> [SLARow] {
        try store.readModels { txn in
            try txn.withCursor(byDue) { cursor in
                var rows: [SLARow] = []
                var entry = try cursor.first()
                while let found = entry, rows.count < limit {
                    if let row = try txn.get(tickets, key: found.value).map({ try row($0, txn: txn) }), keep(row) { rows.append(row) }
                    entry = try cursor.next()
                }
                return rows
            }
        }
    }

    /// The tickets with an alarm due at or before `now`, earliest first.
    public func alarmed(atOrBefore now: Timestamp, in store: EventStore) throws -> [TicketNumber] {
        try store.readModels { txn in
            try txn.withCursor(alarms) { cursor in
                var numbers: [TicketNumber] = []
                var entry = try cursor.first()
                while let found = entry, Int64(bitPattern: Key64.read(found.key)) <= now.millisecondsSinceEpoch {
                    if let number = TicketNumber(Int(Key64.read(found.value))) { numbers.append(number) }
                    entry = try cursor.next()
                }
                return numbers
            }
        }
    }

    /// Every ticket's row (open or not), in number order: for reports.
    public func all(in store: EventStore, _ body: (SLARow) throws -> Void) throws {
        try store.readModels { txn in
            try txn.withCursor(tickets) { cursor in
                var entry = try cursor.first()
                while let found = entry {
                    try body(try row(found.value, txn: txn))
                    entry = try cursor.next()
                }
            }
        }
    }
}

/// An `SLARow` as `rm.sla2.tickets` stores it: the clock's terms by reference.
struct StoredSLARow: Codable {
    var number: TicketNumber
    var client: String
    var assignee: String?
    var openedAt: Int64
    var isOpen: Bool
    var clock: StoredSLAClock?

    init(_ row: SLARow, terms: Digest?) {
        number = row.number
        client = row.client
        assignee = row.assignee
        openedAt = row.openedAt
        isOpen = row.isOpen
        clock = row.clock.map { StoredSLAClock($0, terms: terms) }
    }
}

/// Reading the big-endian u64 at the start of an LMDB key or value.
enum Key64 {
    static func read(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard bytes.count >= 8 else { return 0 }  // a damaged entry; `docket verify` reports the model
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }
}

extension SLAClock {
    /// The instant the earliest unmet, running clock is due (its breach instant once breached); nil when
    /// every clock is met or paused. It depends only on the clock, not on the time of asking.
    var dueInstant: Timestamp? {
        let status = status(at: started.startedAt)
        return [status.response.dueAt, status.resolution.dueAt].compactMap { $0 }.min()
    }
}
