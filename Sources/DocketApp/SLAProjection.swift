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
/// Databases:
/// - `rm.sla.tickets`: number (u64 BE) → `SLARow` as canonical JSON
/// - `rm.sla.by-due`: due (u64 BE ms; all ones when paused) ‖ number → number (open tickets with a clock)
/// - `rm.sla.alarms`: next alarm (u64 BE ms) ‖ number → number (tickets with an unrecorded threshold)
public final class SLAProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `pending` guards itself.
    public let name = "sla"
    public let databaseNames = ["rm.sla.tickets", "rm.sla.by-due", "rm.sla.alarms"]
    private var databases: [Database] = []
    /// The rows of the current write transaction, decoded, with their index keys; written at `flush`.
    private let pending = PendingRows<SLARow, IndexKeys>()

    public init() {}

    public func attach(_ databases: [Database]) { self.databases = databases }

    private var tickets: Database { databases[0] }
    private var byDue: Database { databases[1] }
    private var alarms: Database { databases[2] }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.stream.hasPrefix("ticket-"), let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        let change = try LastTicketChange.shared.change(of: event)
        let before = try pending.row(UInt64(number.value), in: tickets, txn: txn, decode: SLAProjection.decode)
        var row: SLARow
        switch (change, before?.row) {
        case (.ticket(.opened(let opened)), _):
            row = SLARow(number: number, client: opened.client, assignee: nil, openedAt: event.recordedAt.millisecondsSinceEpoch, isOpen: true, clock: nil)
        case (_, nil):
            return
        case (.ticket(let ticketEvent), let existing?):
            row = existing
            row.clock?.apply(ticketEvent, at: event.recordedAt)
            switch ticketEvent {
            case .assigned(let e): row.assignee = e.assignee
            case .unassigned: row.assignee = nil
            case .closed, .merged: row.isOpen = false
            case .reopened: row.isOpen = true
            default: break
            }
        case (.sla(.started(let started)), let existing?):
            row = existing
            if row.clock == nil { row.clock = SLAClock.start(started) }
        case (.sla(let slaEvent), let existing?):
            row = existing
            row.clock?.apply(slaEvent, at: event.recordedAt)
        case (.alert, _), (.mail, _), (.outbox, _), (.other, _):
            return
        }
        if let before { try removeIndexes(before.keys ?? indexKeys(before.row), txn: txn) }
        let keys = indexKeys(row)
        try addIndexes(keys, number: QueueProjection.numberKey(row.number), txn: txn)
        pending.set(UInt64(number.value), row: row, keys: keys)
    }

    /// Writes the rows this transaction changed (see `PendingRows`).
    public func flush(in txn: borrowing Transaction) throws {
        let encoder = SLAProjection.encoder()
        try pending.flush(into: tickets, txn: txn) { Array(try encoder.encode($0)) }
    }

    public func discardPending() { pending.discard() }

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

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> SLARow {
        try JSONDecoder().decode(SLARow.self, from: Data(bytes))
    }

    // MARK: - Queries

    /// One ticket's row.
    public func row(_ number: TicketNumber, in store: EventStore) throws -> SLARow? {
        try store.readModels { txn in
            try QueueProjection.numberKey(number).withUnsafeBytes { try txn.get(tickets, key: $0).map(SLAProjection.decode) }
        }
    }

    /// Open tickets with an SLA, soonest due first (paused ones last), passing `keep`, at most `limit`.
    public func open(limit: Int, in store: EventStore, keep: (SLARow) -> Bool) throws -> [SLARow] {
        try store.readModels { txn in
            try txn.withCursor(byDue) { cursor in
                var rows: [SLARow] = []
                var entry = try cursor.first()
                while let found = entry, rows.count < limit {
                    if let row = try txn.get(tickets, key: found.value).map(SLAProjection.decode), keep(row) { rows.append(row) }
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
                    try body(try SLAProjection.decode(found.value))
                    entry = try cursor.next()
                }
            }
        }
    }
}

/// Reading the big-endian u64 at the start of an LMDB key or value.
enum Key64 {
    static func read(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
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
