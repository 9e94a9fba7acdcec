import Domain
import EventLog
import Foundation
import LMDB

/// The `queue` read model: every ticket's summary, and the open tickets ordered for work —
/// by priority, then SLA due time (none yet: last), then age — overall, per assignee, unassigned and per client.
///
/// Databases (format 3, checkpoint `queue-v3`; format 2 kept each ticket's whole `ticket.sla-started` payload):
/// - `rm.queue3.tickets`: ticket number (u64 BE) → `QueueRow` (the `TicketSummary` and the SLA clock as a
///   `StoredSLAClock`: its progress, start instant and priority, and its frozen terms by content digest) as canonical JSON
/// - `rm.queue3.open`: sort key → number; `rm.queue3.unassigned`: sort key → number
/// - `rm.queue3.by-assignee`: login ‖ 0x00 ‖ sort key → number; `rm.queue3.by-client`: client ‖ 0x00 ‖ sort key → number
/// - `rm.queue3.sla-terms`: terms digest (32 bytes) → schema version (u16 BE) ‖ the first `ticket.sla-started`
///   payload with that content (see `SLATerms`): one copy per policy version, read back when a later transaction
///   folds a clock
/// The sort key is priority (u8) ‖ SLA due time (u64 BE; all ones when there is no SLA or its clocks are
/// paused or met) ‖ opened-at (u64 BE) ‖ number (u64 BE).
public final class QueueProjection: Projection {
    public let name = "queue"
    public let format = 3
    public let tables = ["tickets", "open", "unassigned", "by-assignee", "by-client", "sla-terms"]
    private var databases = ReadModelTables()
    /// The rows of the current write transaction, decoded, with their sort keys; written at `flush`.
    private let pending = PendingRows<TicketSummary, [UInt8]>()

    public init() {}

    public func attach(_ tables: ReadModelTables) { databases = tables }

    private var tickets: Database { databases["tickets"] }
    private var open: Database { databases["open"] }
    private var unassigned: Database { databases["unassigned"] }
    private var byAssignee: Database { databases["by-assignee"] }
    private var byClient: Database { databases["by-client"] }
    private var slaTerms: SLATermsTable { SLATermsTable(database: databases["sla-terms"]) }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.stream.hasPrefix("ticket-") else { return }
        let before: PendingRows<TicketSummary, [UInt8]>.Entry?
        let after: TicketSummary
        switch try LastTicketChange.shared.change(of: event) {
        case .ticket(.opened(let opened)):
            before = nil
            after = TicketSummary(opened: opened, at: event)
        case .ticket(let ticketEvent):
            guard let row = try pendingSummary(of: event, txn: txn) else { return }
            before = row
            after = row.row.applying(ticketEvent, at: event)
        case .sla(let slaEvent):
            guard let row = try pendingSummary(of: event, txn: txn) else { return }
            before = row
            var next = row.row.applying(slaEvent, at: event)
            if case .started = slaEvent, row.row.clock == nil {
                // The frozen terms, kept once per content, for the transactions that fold this clock later.
                next.slaTerms = LastTicketChange.shared.termsDigest(of: event)
                if let digest = next.slaTerms { try slaTerms.keep(event, digest: digest, txn: txn) }
            }
            after = next
        case .alert, .mail, .outbox, .other:
            return
        }
        if let before, before.row.isOpen {
            try removeFromIndexes(before.row, key: before.keys ?? QueueProjection.sortKey(before.row), txn: txn)
        }
        // A closed row's sort key is never used (only open rows are indexed), so it is not computed.
        let key = after.isOpen ? QueueProjection.sortKey(after) : []
        if after.isOpen { try addToIndexes(after, key: key, txn: txn) }
        pending.set(UInt64(after.number.value), row: after, keys: key)
    }

    /// Writes the rows this transaction changed (see `PendingRows`).
    public func flush(in txn: borrowing Transaction) throws {
        let encoder = QueueProjection.encoder()
        try pending.flush(into: tickets, txn: txn) { row in
            Array(try encoder.encode(QueueRow(ticket: row, clock: row.clock.map { StoredSLAClock($0, terms: row.slaTerms) })))
        }
    }

    public func discardPending() { pending.discard() }

    /// The ticket's row as this transaction sees it: kept in `pending`, else read from the database.
    private func pendingSummary(of event: RecordedEvent, txn: borrowing Transaction) throws
        -> PendingRows<TicketSummary, [UInt8]>.Entry?
    {
        guard let number = TicketNumber(String(event.stream.dropFirst("ticket-".count))) else { return nil }
        return try pending.row(UInt64(number.value), in: tickets, txn: txn) { bytes in
            let stored = try JSONDecoder().decode(QueueRow.self, from: Data(bytes))
            var row = stored.ticket
            if let clock = stored.clock {
                row.clock = try clock.clock(slaTerms, txn: txn)
                row.slaTerms = clock.digest
            }
            return row
        }
    }

    // MARK: - Keys

    static func numberKey(_ number: TicketNumber) -> [UInt8] {
        withUnsafeBytes(of: UInt64(number.value).bigEndian) { Array($0) }
    }

    static func sortKey(_ row: TicketSummary) -> [UInt8] {
        var key: [UInt8] = [UInt8(Priority.allCases.firstIndex(of: row.priority) ?? 3)]
        let due = row.sla?.dueAt.map { UInt64(bitPattern: $0) } ?? .max
        withUnsafeBytes(of: due.bigEndian) { key.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(bitPattern: row.openedAt).bigEndian) { key.append(contentsOf: $0) }
        key.append(contentsOf: numberKey(row.number))
        return key
    }

    static func prefixed(_ name: String, _ sortKey: [UInt8]) -> [UInt8] {
        Array(name.utf8) + [0] + sortKey
    }

    private func addToIndexes(_ row: TicketSummary, key: [UInt8], txn: borrowing Transaction) throws {
        let number = QueueProjection.numberKey(row.number)
        try txn.put(open, key: key, value: number)
        try txn.put(byClient, key: QueueProjection.prefixed(row.client, key), value: number)
        if let assignee = row.assignee {
            try txn.put(byAssignee, key: QueueProjection.prefixed(assignee, key), value: number)
        } else {
            try txn.put(unassigned, key: key, value: number)
        }
    }

    private func removeFromIndexes(_ row: TicketSummary, key: [UInt8], txn: borrowing Transaction) throws {
        try txn.delete(open, key: key)
        try txn.delete(byClient, key: QueueProjection.prefixed(row.client, key))
        if let assignee = row.assignee {
            try txn.delete(byAssignee, key: QueueProjection.prefixed(assignee, key))
        } else {
            try txn.delete(unassigned, key: key)
        }
    }

    /// The row's canonical JSON: sorted keys, no escaped slashes.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A stored row's summary (without its clock: queries need only `sla`).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> TicketSummary {
        try JSONDecoder().decode(QueueRow.self, from: Data(bytes)).ticket
    }

    // MARK: - Queries

    func summary(_ number: TicketNumber, txn: borrowing Transaction) throws -> TicketSummary? {
        try QueueProjection.numberKey(number).withUnsafeBytes { key in
            try txn.get(tickets, key: key).map(QueueProjection.decode)
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
                    if let row = try txn.get(tickets, key: found.value).map(QueueProjection.decode), filter.matches(row) {
                        rows.append(row)
                    }
                    entry = try cursor.next()
                }
                return rows
            }
        }
    }

    /// All tickets, open or not, in number order, narrowed by `filter`, at most `limit`.
    public func list(_ filter: QueueFilter, limit: Int, in store: EventStore) throws -> [TicketSummary] {
        try store.readModels { txn in
            try txn.withCursor(tickets) { cursor in
                var rows: [TicketSummary] = []
                var entry = try cursor.first()
                while let found = entry, rows.count < limit {
                    let row = try QueueProjection.decode(found.value)
                    if filter.matches(row) { rows.append(row) }
                    entry = try cursor.next()
                }
                return rows
            }
        }
    }
}

/// Narrowing a queue or list. Every field left nil matches everything.
public struct QueueFilter: Sendable, Equatable {
    public var assignee: String?
    public var unassignedOnly = false
    public var client: String?
    public var status: TicketStatus?
    public var priority: Priority?

    public init(
        assignee: String? = nil, unassignedOnly: Bool = false, client: String? = nil, status: TicketStatus? = nil,
        priority: Priority? = nil
    ) {
        self.assignee = assignee
        self.unassignedOnly = unassignedOnly
        self.client = client
        self.status = status
        self.priority = priority
    }

    func matches(_ row: TicketSummary) -> Bool {
        (assignee == nil || row.assignee == assignee) && (!unassignedOnly || row.assignee == nil)
            && (client == nil || row.client == client) && (status == nil || row.status == status)
            && (priority == nil || row.priority == priority)
    }
}
