import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

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
/// Databases (format 8, checkpoint `sla-v8`; format 7 let a portal contact's reply meet the response clock, format 6
/// reset a clock raised back to a priority it had held, format 5 wrote the clock's enumerations and reasons as text, format 4
/// wrote the rows through `Codable`, format 3 wrote instants and
/// digests in rows as text, format 2 stored the rows as canonical JSON, format 1's rows carried the whole frozen
/// calendar). The rows and their indexes are a `RowTable` of the read-model kit:
/// - `rm.sla8.tickets`: number (u64 BE) → `StoredSLARow` (its clock as a `StoredSLAClock`: progress, start instant
///   and priority, and the terms by content digest), hand-written row format 1 (`SLARowCodecs.sla`)
/// - `rm.sla8.by-due`: due (i64 ms, ordered; all ones when paused or met) ‖ number → number (open tickets with a clock)
/// - `rm.sla8.alarms`: next alarm (i64 ms, ordered) ‖ number → number (tickets with an unrecorded threshold)
/// - `rm.sla8.terms`: terms digest (32 bytes) → schema version (u16 BE) ‖ the first `ticket.sla-started` payload
///   with that content (see `SLATerms`): one copy per policy version, not one per ticket
public final class SLAProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "sla"
    /// Ticket streams only: `apply` passes over every other event.
    public let interest: EventInterest? = EventInterest(streamPrefixes: ["ticket-"])
    public let format = 8
    public var tables: [String] { rows.tableNames + [storedTerms.name] }
    /// The fold keeps rows and terms in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`, `RawTable.seal`).
    public let sealsBatches = true
    /// The frozen terms by digest, kept in memory until `flush` like the rows.
    private let storedTerms: RawTable
    /// The ticket events decoded once for this model and `queue` (see `TicketChanges`).
    private let changes: TicketChanges
    /// The rows and their two indexes. Index keys are computed from the row alone (the instant only matters for a
    /// clock that is breached and still running, whose due time is its breach instant).
    private let rows: RowTable<UInt64, SLAEntry, StoredSLARow>

    /// An sla model with a decoder of its own (`ReadModels` shares one between queue and sla).
    public convenience init() { self.init(changes: TicketChanges()) }

    init(changes: TicketChanges) {
        self.changes = changes
        let (cache, terms) = (changes.terms, RawTable("terms"))
        storedTerms = terms
        rows = RowTable(
            "tickets", codec: SLARowCodecs.sla,
            indexes: [
                RowIndex("by-due") { entry, keys in
                    guard entry.row.isOpen, let clock = entry.row.clock else { return }
                    keys.add(clock.dueInstant?.millisecondsSinceEpoch ?? .max, UInt64(entry.row.number.value))
                },
                RowIndex("alarms") { entry, keys in
                    guard let alarm = entry.row.clock?.nextAlarm else { return }
                    keys.add(alarm.millisecondsSinceEpoch, UInt64(entry.row.number.value))
                },
            ],
            write: SLARowCodecs.writeSLA,
            load: { stored, tables, txn in
                let clock = try stored.clock.map { try $0.clock(SLATermsTable(table: terms, cache: cache), txn: txn) }
                return SLAEntry(
                    row: SLARow(
                        number: stored.number, client: stored.client, assignee: stored.assignee, openedAt: stored.openedAt,
                        isOpen: stored.isOpen, clock: clock),
                    terms: stored.clock?.terms)
            })
    }

    public func attach(_ tables: ReadModelTables) {
        rows.attach(tables)
        storedTerms.attach(tables)
    }

    private var tickets: Database { rows.database }
    private var byDue: Database { rows.indexDatabase("by-due") }
    private var alarms: Database { rows.indexDatabase("alarms") }

    /// A row with the content digest of its clock's terms (nil when they are not shared).
    struct SLAEntry {
        var row: SLARow
        var terms: Digest?

        init(row: SLARow, terms: Digest?) { (self.row, self.terms) = (row, terms) }

        /// The row a `ticket.opened` makes (no clock yet); nil for any other change. The change is borrowed: matching
        /// the opening's payload out of the memo's box copied the whole change.
        init?(opening change: TicketChange, number: TicketNumber, at instant: Timestamp) {
            guard case .ticket(.opened(let opened)) = change else { return nil }
            row = SLARow(
                number: number, client: opened.client, assignee: nil, openedAt: instant.millisecondsSinceEpoch, isOpen: true,
                clock: nil)
            terms = nil
        }

        /// The row after a ticket's change at `instant` (its opening excepted: that makes a new row, `init(opening:)`); `terms` is the
        /// content digest of a `ticket.sla-started`'s terms. The change is borrowed (read where the memo keeps it).
        /// Returns whether the change started the clock (the first `ticket.sla-started`: its terms are to be kept).
        mutating func apply(_ change: TicketChange, terms: Digest?, at instant: Timestamp) -> Bool {
            switch change {
            case .ticket(let event):
                row.clock?.apply(event, at: instant)
                switch event {
                case .assigned(let e): row.assignee = e.assignee
                case .unassigned: row.assignee = nil
                case .closed, .merged: row.isOpen = false
                case .reopened: row.isOpen = true
                default: break
                }
            case .sla(.started(let started)):
                // Told from the optional's case: `row.clock == nil` copied the clock to compare it (see
                // `TicketSummary.hasClock`).
                if case .some = row.clock { return false }
                row.clock = SLAClock.start(started)
                self.terms = terms
                return true
            case .sla(let event):
                row.clock?.apply(event, at: instant)
            case .alert, .mail, .attachment, .outbox, .other:
                break
            }
            return false
        }
    }

    /// The fold: the ticket's row after the event, changed in place (the kit writes it and its index entries at `flush`).
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let number = TicketNumber(stream: event.stream) else { return }
        // The change is read in the memo's box, never copied out of it (a copy retained every field of its payload and
        // released them again); the update closure captures the box, not a payload.
        let decoded = try changes.decoded(of: event)
        let key = UInt64(number.value)
        // The closures below capture the instant, not the event (capturing it copied the event for each).
        let instant = event.recordedAt
        if let opened = SLAEntry(opening: decoded.change, number: number, at: instant) {
            // Read first, so that a row already stored has its index entries replaced at flush.
            _ = try rows.row(key, txn: txn)
            return rows.set(key, opened)
        }
        switch decoded.change {
        case .ticket, .sla:
            var starting = false
            try rows.update(key, txn: txn) { entry in
                starting = entry.apply(decoded.change, terms: decoded.terms, at: instant)
                return true
            }
            // The frozen terms, kept once per content, for the transactions that fold this clock later.
            if starting, let digest = decoded.terms { try SLATermsTable.keep(event, digest: digest, in: storedTerms, txn: txn) }
        case .alert, .mail, .attachment, .outbox, .other:
            return
        }
    }

    /// Decodes the batch's ticket events into the memo it shares with the other ticket models (`TicketChanges.prepare`).
    public func prepare(_ events: [RecordedEvent]) { changes.prepare(events) }

    /// Encodes the changed rows ahead of `flush` (a bulk fold calls it on the thread that folded the model).
    public func prepareFlush() throws {
        try rows.prepareFlush()
        storedTerms.seal()
        changes.sealed()
    }

    /// Writes the rows this transaction changed and their index entries (see `RowTable`), and the terms it kept.
    public func flush(in txn: borrowing Transaction) throws {
        try rows.flush(in: txn)
        try storedTerms.flush(in: txn)
        changes.flushed()
    }

    public func discardPending() {
        rows.discard()
        storedTerms.discard()
        changes.forget()
    }

    private func row(_ bytes: UnsafeRawBufferPointer, txn: borrowing Transaction) throws -> SLARow {
        try rows.decode(bytes, txn: txn).row
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
                while let found = entry, OrderedKey.int64(found.key) <= now.millisecondsSinceEpoch {
                    if let number = TicketNumber(Int(OrderedKey.uint64(found.value))) { numbers.append(number) }
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

/// An `SLARow` as `rm.sla8.tickets` stores it (`SLARowCodecs.sla`): the clock's terms by reference. Rows are read
/// back through it; they are written straight from the folded row (`SLARowCodecs.writeSLA`).
struct StoredSLARow {
    var number: TicketNumber
    var client: String
    var assignee: String?
    var openedAt: Int64
    var isOpen: Bool
    var clock: StoredSLAClock?

    init(number: TicketNumber, client: String, assignee: String?, openedAt: Int64, isOpen: Bool, clock: StoredSLAClock?) {
        (self.number, self.client, self.assignee, self.openedAt, self.isOpen, self.clock) =
            (number, client, assignee, openedAt, isOpen, clock)
    }
}

extension SLAClock {
    /// The instant the earliest unmet, running clock is due (its breach instant once breached); nil when
    /// every clock is met or paused. It depends only on the clock, not on the time of asking.
    var dueInstant: Timestamp? {
        let (response, resolution) = (dueAt(.response), dueAt(.resolution))
        guard let response else { return resolution }
        guard let resolution else { return response }
        return min(response, resolution)
    }
}
