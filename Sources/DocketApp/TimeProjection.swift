import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `time` read model: every time entry as the fold of its events, and an index by ticket.
///
/// Databases (format 4, checkpoint `time-v4`; format 3 keyed the index by the ticket's bytes and a 0x00, format 2
/// wrote the rows through `Codable`, format 1 keyed 10-digit numbers to canonical JSON in `rm.time.*`), a `RowTable`
/// of the read-model kit:
/// - `rm.time4.entries`: the entry number (`TE-7` → 7, u64 BE) → ``TimeEntryState``, hand-written row format 1
///   (`TimeProjection.codec`);
/// - `rm.time4.by-ticket`: ticket (`ShortlexUTF8`: its byte count, u32 BE, then its bytes, so tickets sort in number
///   order and a new ticket's entries append at the end) ‖ entry number (u64 BE) → entry number (u64 BE).
public final class TimeProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "time"
    /// Time entries' streams only: `apply` passes over every other event.
    public let interest: EventInterest? = EventInterest(streamPrefixes: ["time-"])
    public let format = 4
    public var tables: [String] { rows.tableNames }
    /// The fold keeps its rows in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`).
    public let sealsBatches = true
    /// The entries kept as their stored rows while they fold (`TimeRow`): a new entry's row is written from its
    /// `time.logged` payload and stored as it is.
    private let rows = RowTable<UInt64, TimeRow, TimeEntryState>(
        "entries", codec: TimeProjection.codec,
        indexes: [RowIndex("by-ticket") { row, keys in row.addIndexKeys(to: &keys) }],
        write: { row, writer in row.write(to: &writer) }, load: { stored, _, _ in TimeRow(stored) })

    public init() {}

    /// The fields of `entry`, in the order of `codec`.
    @Sendable static func write(_ entry: TimeEntryState, _ w: inout RowWriter) {
        w.string(entry.entryId)
        w.string(entry.ticket)
        w.string(entry.tech)
        w.int(entry.minutes)
        w.string(entry.workType)
        w.bool(entry.billable)
        w.string(entry.startedAt)
        w.optional(entry.note) { $0.string($1) }
        w.bool(entry.voided)
        w.optional(entry.position) { $0.uint($1) }
    }

    /// `rm.time4.entries`: the fields of a `TimeEntryState` in order (`RowWriter`).
    static let codec = RowCodec<TimeEntryState>(
        format: 1,
        write: TimeProjection.write,
        read: { r in
            try TimeEntryState(
                entryId: r.string(), ticket: r.string(), tech: r.string(), minutes: r.int(), workType: r.string(),
                billable: r.bool(), startedAt: r.string(), note: r.optional { try $0.string() }, voided: r.bool(),
                position: r.optional { try $0.uint() })
        })

    public func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    /// The fold: the entry after one of its events (timer events and unknown types leave it alone), changed in place.
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let number = TimeProjection.number(stream: event.stream) else { return }
        let position = event.position
        // A `time.logged` comes as the row of the entry it logs, written from the payload (`FastPayloads.loggedRow`);
        // one that reader leaves (escapes in a string) as the entry (`FastPayloads.loggedEntry`).
        if let row = FastPayloads.loggedRow(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload, position: position) {
            return try log(row, as: number, at: position, txn: txn)
        }
        if let logged = FastPayloads.loggedEntry(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload) {
            return try fold(number, at: position, txn: txn) { $0.log(logged) }
        }
        let decoded: TimeEvent
        do {
            decoded = try FastPayloads.timeEvent(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
                ?? TimeEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        } catch let error as EventDecodingError where error.reason == .unknownType {
            return
        }
        try fold(number, at: position, txn: txn) { $0.apply(decoded) }
    }

    /// Logs the entry of `row` (a `time.logged`'s, with its `position`) as entry `number`: a new entry is that row as it
    /// is; a kept or stored one becomes that entry (`TimeEntryState.log`), as `fold` would make it.
    private func log(_ row: TimeRow, as number: UInt64, at position: UInt64, txn: borrowing Transaction) throws {
        let found = try rows.update(number, txn: txn) { kept in
            var entry = try kept.entry()
            var logged = try row.entry()
            logged.position = nil
            guard entry.log(logged) else { return false }
            entry.position = position
            kept = TimeRow(entry)
            return true
        }
        if !found { rows.set(number, row) }
    }

    /// Changes entry `number` with `change` (which answers whether it changed it), kept or stored, or a new one; a
    /// changed entry gets `position`. The closures capture the position, not the event (capturing it copied the event).
    private func fold(_ number: UInt64, at position: UInt64, txn: borrowing Transaction, _ change: (inout TimeEntryState) -> Bool) throws {
        let found = try rows.update(number, txn: txn) { row in
            var entry = try row.entry()
            guard change(&entry) else { return false }
            entry.position = position
            row = TimeRow(entry)
            return true
        }
        guard !found else { return }
        var entry = TimeEntryState.none
        guard change(&entry) else { return }
        entry.position = position
        rows.set(number, TimeRow(entry))
    }

    public func prepareFlush() throws { try rows.prepareFlush() }

    public func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }

    public func discardPending() { rows.discard() }

    /// `TE-7` → 7, or nil when `id` is not an entry id.
    static func number(_ id: String) -> UInt64? {
        var id = id
        return id.withUTF8 { number($0, from: 0) }
    }

    /// The number of the entry id whose UTF-8 is `id` (`number(_:)` of that string).
    static func number(_ id: UnsafeRawBufferPointer) -> UInt64? { number(id.assumingMemoryBound(to: UInt8.self), from: 0) }

    /// `time-TE-7` → 7, or nil when `stream` is not an entry's stream.
    static func number(stream: String) -> UInt64? {
        var stream = stream
        return stream.withUTF8 { utf8 in has("time-", in: utf8, at: 0) ? number(utf8, from: 5) : nil }
    }

    /// Whether `utf8[start...]` begins with `prefix`.
    private static func has(_ prefix: StaticString, in utf8: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard utf8.count - start >= prefix.utf8CodeUnitCount, let base = utf8.baseAddress else { return false }
        return memcmp(base + start, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// The entry number of the id in `utf8[start...]`: `TE-` and 1…10 digits (a number that has no more is below
    /// 10 000 000 000), not 0. Anything else (a sign, other characters, more digits) is read as
    /// `UInt64(String)` reads it, as the projection always did, so an unusual id gets the number it always had.
    private static func number(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        guard has("TE-", in: utf8, at: start) else { return nil }
        let digits = UnsafeBufferPointer(rebasing: utf8[(start + 3)...])
        var n: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits.count <= 10 else {
                guard let n = UInt64(String(decoding: digits, as: UTF8.self)), n > 0, n < 10_000_000_000 else { return nil }
                return n
            }
            n = n * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return n > 0 && n < 10_000_000_000 ? n : nil
    }

    /// One entry by id.
    public func entry(_ id: String, in store: EventStore) throws -> TimeEntryState? {
        guard let number = TimeProjection.number(id) else { return nil }
        return try store.readModels { txn in
            try OrderedKey.of(number).withUnsafeBytes { key in try txn.get(rows.database, key: key).map(rows.decodeStored) }
        }
    }

    /// The entries matching `filter`, by entry number; a ticket filter uses the index.
    public func list(_ filter: TimeFilter, in store: EventStore) throws -> [TimeEntryState] {
        try store.readModels { txn in
            var result: [TimeEntryState] = []
            if let ticket = filter.ticket {
                let prefix = ShortlexUTF8.key(ticket)
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
