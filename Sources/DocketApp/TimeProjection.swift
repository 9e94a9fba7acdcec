import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `time` read model: every time entry as the fold of its events, and an index by ticket.
///
/// Databases (format 3, checkpoint `time-v3`; format 2 wrote the rows through `Codable`, format 1 keyed 10-digit
/// numbers to canonical JSON in `rm.time.*`), a `RowTable` of the read-model kit:
/// - `rm.time3.entries`: the entry number (`TE-7` → 7, u64 BE) → ``TimeEntryState``, hand-written row format 1
///   (`TimeProjection.codec`);
/// - `rm.time3.by-ticket`: ticket ‖ 0x00 ‖ entry number (u64 BE) → entry number (u64 BE).
public final class TimeProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "time"
    public let format = 3
    public var tables: [String] { rows.tableNames }
    /// The fold keeps its rows in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    private let rows = RowTable<UInt64, TimeEntryState, TimeEntryState>(
        "entries", codec: TimeProjection.codec,
        indexes: [
            RowIndex("by-ticket") { entry in
                guard entry.exists, let number = TimeProjection.number(entry.entryId) else { return [] }
                return [OrderedKey.of(entry.ticket, number)]
            }
        ],
        store: { $0 }, load: { stored, _, _ in stored })

    public init() {}

    /// `rm.time3.entries`: the fields of a `TimeEntryState` in order (`RowWriter`).
    static let codec = RowCodec<TimeEntryState>(
        format: 1,
        write: { entry, w in
            for text in [entry.entryId, entry.ticket, entry.tech] { w.string(text) }
            w.int(entry.minutes)
            w.string(entry.workType)
            w.bool(entry.billable)
            w.string(entry.startedAt)
            w.optional(entry.note) { $0.string($1) }
            w.bool(entry.voided)
            w.optional(entry.position) { $0.uint($1) }
        },
        read: { r in
            try TimeEntryState(
                entryId: r.string(), ticket: r.string(), tech: r.string(), minutes: r.int(), workType: r.string(),
                billable: r.bool(), startedAt: r.string(), note: r.optional { try $0.string() }, voided: r.bool(),
                position: r.optional { try $0.uint() })
        })

    public func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    /// The fold: the entry after one of its events (timer events and unknown types leave it alone).
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.stream.hasPrefix("time-"), let number = TimeProjection.number(String(event.stream.dropFirst("time-".count)))
        else { return }
        let decoded: TimeEvent
        do {
            decoded = try FastPayloads.timeEvent(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
                ?? TimeEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        } catch let error as EventDecodingError where error.reason == .unknownType {
            return
        }
        let current = try rows.row(number, txn: txn) ?? .none
        var next = current.applying(decoded)
        guard next != current else { return }
        next.position = event.position
        rows.set(number, next)
    }

    public func prepareFlush() throws { try rows.prepareFlush() }

    public func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }

    public func discardPending() { rows.discard() }

    /// `TE-7` → 7, or nil when `id` is not an entry id.
    static func number(_ id: String) -> UInt64? {
        guard id.hasPrefix("TE-"), let n = UInt64(id.dropFirst(3)), n > 0, n < 10_000_000_000 else { return nil }
        return n
    }

    /// One entry by id.
    public func entry(_ id: String, in store: EventStore) throws -> TimeEntryState? {
        guard let number = TimeProjection.number(id) else { return nil }
        return try store.readModels { txn in try rows.read(number, txn: txn) }
    }

    /// The entries matching `filter`, by entry number; a ticket filter uses the index.
    public func list(_ filter: TimeFilter, in store: EventStore) throws -> [TimeEntryState] {
        try store.readModels { txn in
            var result: [TimeEntryState] = []
            if let ticket = filter.ticket {
                let prefix = OrderedKey.of(ticket)
                try txn.withCursor(rows.indexDatabase("by-ticket")) { cursor in
                    var found = try cursor.seek(atLeast: prefix)
                    while let current = found, current.key.starts(with: prefix) {
                        if let entry = try txn.get(rows.database, key: current.value).map(rows.decodeStored), filter.matches(entry) {
                            result.append(entry)
                        }
                        found = try cursor.next()
                    }
                }
            } else {
                try txn.withCursor(rows.database) { cursor in
                    var found = try cursor.first()
                    while let current = found {
                        let entry = try rows.decodeStored(current.value)
                        if filter.matches(entry) { result.append(entry) }
                        found = try cursor.next()
                    }
                }
            }
            return result
        }
    }
}

/// Which time entries to list.
public struct TimeFilter: Sendable, Equatable {
    public var ticket: String?
    public var tech: String?
    /// Entries that started at or after `from` and before `to`.
    public var from: Timestamp?
    public var to: Timestamp?

    public init(ticket: String? = nil, tech: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) {
        self.ticket = ticket
        self.tech = tech
        self.from = from
        self.to = to
    }

    func matches(_ entry: TimeEntryState) -> Bool {
        if let ticket, entry.ticket != ticket { return false }
        if let tech, entry.tech != tech { return false }
        let start = Timestamp(iso8601: entry.startedAt)
        if let from, let start, start < from { return false }
        if let to, let start, !(start < to) { return false }
        return true
    }
}

/// Billable and non-billable minutes of entries that are not voided.
public struct TimeTotals: Sendable, Equatable {
    public var billable = 0
    public var nonBillable = 0

    public init(_ entries: [TimeEntryState]) {
        for entry in entries where !entry.voided {
            if entry.billable { billable += entry.minutes } else { nonBillable += entry.minutes }
        }
    }
}
