import Domain
import EventLog
import Foundation
import LMDB

/// The decoded rows one write transaction of a projection has read or changed, keyed by ticket number, each
/// with the index keys derived from it (so they are computed once per change, not again when the row is next
/// replaced). Reads look here first and fall through to the database; a changed row is encoded and written
/// once, by `flush`. Within a 20k-event rebuild or replay batch a ticket's events then cost one decode and one
/// encode between them instead of one each (docs/architecture.md, "Read models").
///
/// The store calls `discard()` before a transaction's first event and after a failure, and `flush` before it
/// commits, so nothing outlives the transaction it was read in: another process may change the model between
/// two of ours.
final class PendingRows<Row, Keys>: @unchecked Sendable {
    // @unchecked Sendable: every access to `entries` takes `lock`. (LMDB runs one write transaction per
    // environment at a time, so in practice a single thread uses it per transaction.)
    struct Entry {
        var row: Row
        /// The row's index keys; nil until asked for (a row read from the database but not yet replaced).
        var keys: Keys?
        var changed: Bool
    }

    private var entries: [UInt64: Entry] = [:]
    private let lock = NSLock()

    /// The row of `number`: the one kept in this transaction, else decoded from `database` (and kept).
    func row(
        _ number: UInt64, in database: Database, txn: borrowing Transaction,
        decode: (UnsafeRawBufferPointer) throws -> Row
    ) throws -> Entry? {
        if let entry = lock.withLock({ entries[number] }) { return entry }
        let key = number.bigEndian
        guard let row = try withUnsafeBytes(of: key, { try txn.get(database, key: $0).map(decode) }) else { return nil }
        let entry = Entry(row: row, keys: nil, changed: false)
        lock.withLock { entries[number] = entry }
        return entry
    }

    /// Keeps `row` as the new row of `number`, to be written by `flush`.
    func set(_ number: UInt64, row: Row, keys: Keys) {
        lock.withLock { entries[number] = Entry(row: row, keys: keys, changed: true) }
    }

    /// Writes every changed row into `database` under its number (u64 big-endian), in number order, and
    /// forgets them all.
    func flush(into database: Database, txn: borrowing Transaction, encode: (Row) throws -> [UInt8]) throws {
        let changed = lock.withLock {
            defer { entries.removeAll(keepingCapacity: true) }
            return entries.filter(\.value.changed).sorted { $0.key < $1.key }
        }
        for (number, entry) in changed {
            let value = try encode(entry.row)
            try withUnsafeBytes(of: number.bigEndian) { key in
                try value.withUnsafeBytes { try txn.put(database, key: key, value: $0) }
            }
        }
    }

    /// Forgets every row without writing it.
    func discard() {
        lock.withLock { entries.removeAll(keepingCapacity: true) }
    }
}

/// The ticket event the queue or sla projection decoded last. The store applies each event to every
/// projection in turn, so the second of the two finds the first one's `TicketChange` here and the payload
/// (a `ticket.sla-started` one carries a whole calendar) is decoded once between them; a `ticket.sla-started`
/// whose terms were seen before is not decoded at all (`SLATermsCache`).
/// `TicketChange` is a pure function of an event's type, schema version and payload, so a hit requires all
/// three to be equal (the payload comparison is a pointer check when it is the same event).
final class LastTicketChange: @unchecked Sendable {
    // @unchecked Sendable: every access to `last` takes `lock`.
    static let shared = LastTicketChange()

    private let lock = NSLock()
    private var last: (type: String, schemaVersion: UInt16, payload: [UInt8], change: TicketChange, terms: Digest?)?

    private func hit(_ event: RecordedEvent) -> (change: TicketChange, terms: Digest?)? {
        lock.withLock {
            guard let last, last.schemaVersion == event.schemaVersion, last.type == event.type,
                last.payload == event.payload
            else { return nil }
            return (last.change, last.terms)
        }
    }

    /// `TicketChange(event)`, decoded at most once for consecutive calls with the same event.
    func change(of event: RecordedEvent) throws -> TicketChange {
        if let hit = hit(event) { return hit.change }
        let change: TicketChange
        var terms: Digest?
        if event.type == TicketSLAStarted.descriptor.type {
            let (started, digest) = try SLATermsCache.shared.started(event)
            change = .sla(.started(started))
            terms = digest
        } else {
            change = try TicketChange(event)
        }
        lock.withLock { last = (event.type, event.schemaVersion, event.payload, change, terms) }
        return change
    }

    /// The content digest of the terms of a `ticket.sla-started` event (see `SLATerms`); nil when they are not shared.
    func termsDigest(of event: RecordedEvent) -> Digest? {
        if let hit = hit(event) { return hit.terms }
        return SLATerms.content(schemaVersion: event.schemaVersion, payload: event.payload)?.digest
    }
}
