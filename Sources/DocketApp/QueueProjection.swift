import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `queue` read model: every ticket's summary, and the open tickets ordered for work —
/// by priority, then SLA due time (none yet: last), then age — overall, per assignee, unassigned and per client.
///
/// Databases (format 10, checkpoint `queue-v10`; format 9 kept the rows without the ticket's version, format 8 let a
/// portal contact's reply meet the response clock, format 7 reset a clock raised back to a priority it had held, format 6 wrote the clock's enumerations and reasons as text, format 5
/// wrote the rows through `Codable`, format 4 wrote instants and
/// digests in rows as text, format 3 stored the rows as canonical JSON, format 2 kept each ticket's whole
/// `ticket.sla-started` payload). The rows and their indexes are a `RowTable` of the read-model kit:
/// - `rm.queue10.tickets`: ticket number (u64 BE) → `QueueRow` (the `TicketSummary` and the SLA clock as a
///   `StoredSLAClock`: its progress, start instant and priority, and its frozen terms by content digest), hand-written
///   row format 2 (`SLARowCodecs.queue`)
/// - `rm.queue10.open`: sort key → number; `rm.queue10.unassigned`: sort key → number (open rows only)
/// - `rm.queue10.by-assignee`: login ‖ 0x00 ‖ sort key → number; `rm.queue10.by-client`: client ‖ 0x00 ‖ sort key → number
/// - `rm.queue10.sla-terms`: terms digest (32 bytes) → schema version (u16 BE) ‖ the first `ticket.sla-started`
///   payload with that content (see `SLATerms`): one copy per policy version, read back when a later transaction
///   folds a clock
/// The sort key is ordered (`OrderedKey`): priority (u8) ‖ SLA due time (i64; all ones when there is no SLA or
/// its clocks are paused or met) ‖ opened-at (i64) ‖ number (u64 BE).
public final class QueueProjection: Projection {
    public let name = "queue"
    /// Ticket streams only: `apply` passes over every other event.
    public let interest: EventInterest? = EventInterest(streamPrefixes: ["ticket-"])
    public let format = 10
    public var tables: [String] { rows.tableNames + [storedTerms.name] }
    /// The fold keeps rows and terms in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`, `RawTable.seal`).
    public let sealsBatches = true
    /// The frozen terms by digest, kept in memory until `flush` like the rows.
    private let storedTerms: RawTable
    /// The ticket events decoded once for this model and `sla` (see `TicketChanges`).
    private let changes: TicketChanges
    /// The rows and their four indexes; open rows only are indexed.
    private let rows: RowTable<UInt64, TicketSummary, QueueRow>

    /// A queue model with a decoder of its own (`ReadModels` shares one between queue and sla).
    public convenience init() { self.init(changes: TicketChanges()) }

    init(changes: TicketChanges) {
        self.changes = changes
        let (cache, terms) = (changes.terms, RawTable("sla-terms"))
        storedTerms = terms
        rows = RowTable(
            "tickets", codec: SLARowCodecs.queue,
            indexes: [
                RowIndex("open") { row, keys in
                    if row.isOpen { QueueProjection.addSortKey(of: row, to: &keys) }
                },
                RowIndex("unassigned") { row, keys in
                    if row.isOpen && row.assignee == nil { QueueProjection.addSortKey(of: row, to: &keys) }
                },
                RowIndex("by-assignee") { row, keys in
                    guard row.isOpen, let assignee = row.assignee else { return }
                    QueueProjection.addSortKey(of: row, to: &keys, after: assignee)
                },
                RowIndex("by-client") { row, keys in
                    if row.isOpen { QueueProjection.addSortKey(of: row, to: &keys, after: row.client) }
                },
            ],
            // Written straight from the row: the fields of its `QueueRow` (`SLARowCodecs.queue`), none copied.
            write: SLARowCodecs.writeQueue,
            load: { stored, tables, txn in
                var row = stored.ticket
                if let clock = stored.clock {
                    row.clock = try clock.clock(SLATermsTable(table: terms, cache: cache), txn: txn)
                    row.slaTerms = clock.terms
                }
                return row
            },
            // The SLA status the sort key orders by, derived from the clock once per changed row, at flush.
            settle: { $0.deriveQueueSLA() })
    }

    public func attach(_ tables: ReadModelTables) {
        rows.attach(tables)
        storedTerms.attach(tables)
    }

    private var tickets: Database { rows.database }
    private var open: Database { rows.indexDatabase("open") }
    private var unassigned: Database { rows.indexDatabase("unassigned") }
    private var byAssignee: Database { rows.indexDatabase("by-assignee") }
    private var byClient: Database { rows.indexDatabase("by-client") }

    /// The fold: the ticket's row after the event, changed in place (the kit writes it and its index entries at `flush`).
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        // The stream's number, read once (it tells a ticket stream too): a stream of the category whose name is no
        // ticket number still has its opening folded (keyed by the payload's number), and nothing else.
        let number = QueueProjection.number(of: event)
        guard number != nil || StreamName.stream(event.stream, hasPrefix: "ticket-") else { return }
        // The change is read in the memo's box, never copied out of it: a copy (or a payload bound by the switch and
        // captured by a closure) retained every field of the payload and released them again. The update closure
        // captures the box and reads the change again (`TicketSummary.apply(_:terms:at:position:)`).
        let decoded = try changes.decoded(of: event)
        // The closures below capture these values, not the event (a copy of it retained every field).
        let recordedAt = event.recordedAt, position = event.position, version = event.streamVersion
        switch decoded.change {
        case .ticket(.opened(let opened)):
            // Keyed by the payload's number (the sla model keys by the stream's). A row already kept or stored
            // (another stream's opening named this number) is replaced in place, so that its index entries are
            // replaced at flush; a key after the table's last is not looked for (`RowTable.update`).
            var row = TicketSummary(opened: opened, at: recordedAt, position: position)
            row.version = version
            let key = UInt64(row.number.value)
            if try !rows.update(key, txn: txn, { $0 = row; return true }) { rows.set(key, row) }
        case .ticket, .sla:
            guard let number else { return }
            var starting = false
            try rows.update(number, txn: txn) { row in
                starting = row.apply(decoded.change, terms: decoded.terms, at: recordedAt, position: position)
                row.version = version
                return true
            }
            // The frozen terms, kept once per content, for the transactions that fold this clock later.
            if starting, let digest = decoded.terms {
                try SLATermsTable.keep(event, digest: digest, in: storedTerms, txn: txn)
            }
        case .alert, .mail, .attachment, .outbox, .other:
            // Of the row only the ticket's version changes: it counts every event on the stream (`ticket show`'s).
            guard let number else { return }
            try rows.update(number, txn: txn) { row in
                row.version = version
                return true
            }
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

    /// The key of the ticket whose stream holds `event`.
    private static func number(of event: RecordedEvent) -> UInt64? {
        TicketNumber(stream: event.stream).map { UInt64($0.value) }
    }

    // MARK: - Keys

    static func numberKey(_ number: TicketNumber) -> [UInt8] { OrderedKey.of(UInt64(number.value)) }

    /// Adds an open row's key in the queue's order — priority, SLA due time, opening time, number — to `keys`.
    static func addSortKey(of row: TicketSummary, to keys: inout IndexKeys) {
        keys.add(UInt8(Priority.allCases.firstIndex(of: row.priority) ?? 3), row.sla?.dueAt ?? .max, row.openedAt, UInt64(row.number.value))
    }

    /// Adds an open row's sort key after `name` (an assignee's or a client's: `by-assignee`, `by-client`) to `keys`.
    static func addSortKey(of row: TicketSummary, to keys: inout IndexKeys, after name: String) {
        keys.add(name, UInt8(Priority.allCases.firstIndex(of: row.priority) ?? 3), row.sla?.dueAt ?? .max, row.openedAt, UInt64(row.number.value))
    }

    /// A stored row's summary (without its clock: queries need only `sla`).
    func decode(_ bytes: UnsafeRawBufferPointer) throws -> TicketSummary { try rows.decodeStored(bytes).ticket }

    // MARK: - Queries

    func summary(_ number: TicketNumber, txn: borrowing Transaction) throws -> TicketSummary? {
        try QueueProjection.numberKey(number).withUnsafeBytes { key in
            try txn.get(tickets, key: key).map(decode)
        }
    }

    /// One ticket's row.
    public func summary(_ number: TicketNumber, in store: EventStore) throws -> TicketSummary? {
        try store.readModels { txn in try summary(number, txn: txn) }
    }

    /// Open tickets in work order, narrowed by `filter`, at most `limit`.
    public func queue(_ filter: QueueFilter, limit: Int, in store: EventStore) throws -> [TicketSummary] {
        try store.readModels { txn in
            let (database, prefix): (Database, [UInt8]) =
                if let assignee = filter.assignee { (byAssignee, Array(assignee.utf8) + [0]) }
                else if filter.unassignedOnly { (unassigned, []) }
                else if let client = filter.client { (byClient, Array(client.utf8) + [0]) }
                else { (open, []) }
            return try txn.withCursor(database) { cursor in
                var rows: [TicketSummary] = []
                var entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atLeast: prefix)
                while let found = entry, rows.count < limit, found.key.starts(with: prefix) {
                    if let row = try txn.get(tickets, key: found.value).map(decode), filter.matches(row) {
                        rows.append(row)
                    }
                    entry = try cursor.next()
                }
                return rows
            }
        }
    }

    /// All tickets, open or not, in number order (`order`), narrowed by `filter`, at most `limit`.
    public func list(_ filter: QueueFilter, order: TicketListOrder, limit: Int, in store: EventStore) throws -> [TicketSummary] {
        try store.readModels { txn in
            try txn.withCursor(tickets) { cursor in
                var rows: [TicketSummary] = []
                var entry = order == .newestFirst ? try cursor.last() : try cursor.first()
                while let found = entry, rows.count < limit {
                    let row = try decode(found.value)
                    if filter.matches(row) { rows.append(row) }
                    entry = order == .newestFirst ? try cursor.previous() : try cursor.next()
                }
                return rows
            }
        }
    }
}

/// The order of a ticket list, by ticket number: numbers are given in opening order, so the newest first is the
/// highest number first.
public enum TicketListOrder: String, Sendable, CaseIterable {
    /// The highest number first: what a technician or a client looks for, and what a `limit` should keep.
    case newestFirst = "newest"
    /// The lowest number first.
    case oldestFirst = "oldest"
}

/// Narrowing a queue or list. Every field left nil matches everything.
public struct QueueFilter: Sendable, Equatable {
    public var assignee: String?
    public var unassignedOnly = false
    public var client: String?
    public var status: TicketStatus?
    /// Only tickets merged into another (their status is ``TicketStatus/closed``).
    public var mergedOnly = false
    public var priority: Priority?
    /// Only tickets whose subject, resolution note or category holds every word of this, ignoring case and accents
    /// (`printer acme` finds "Acme: printer jams on floor 2"; "Druckerstau" is found by `DRUCKERSTAU`).
    public var search: String?

    public init(
        assignee: String? = nil, unassignedOnly: Bool = false, client: String? = nil, status: TicketStatus? = nil,
        mergedOnly: Bool = false, priority: Priority? = nil, search: String? = nil
    ) {
        self.assignee = assignee
        self.unassignedOnly = unassignedOnly
        self.client = client
        self.status = status
        self.mergedOnly = mergedOnly
        self.priority = priority
        self.search = search
    }

    func matches(_ row: TicketSummary) -> Bool {
        (assignee == nil || row.assignee == assignee) && (!unassignedOnly || row.assignee == nil)
            && (client == nil || row.client == client) && (status == nil || row.status == status)
            && (!mergedOnly || row.mergedInto != nil) && (priority == nil || row.priority == priority)
            && (search.map { Self.mentions(row, every: $0) } ?? true)
    }

    /// Whether `row`'s subject, resolution or category holds every whitespace-separated word of `text`.
    static func mentions(_ row: TicketSummary, every text: String) -> Bool {
        let fields = [row.subject, row.resolution ?? "", row.category ?? ""]
        return text.split(whereSeparator: \.isWhitespace).allSatisfy { word in
            fields.contains { $0.range(of: word, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
        }
    }
}
