import Domain
import EventLog
import Foundation
import LMDB

/// The `queue` read model: every ticket's summary, and the open tickets ordered for work —
/// by priority, then SLA due time (none yet: last), then age — overall, per assignee, unassigned and per client.
///
/// Databases (format 2, checkpoint `queue-v2`; format 1's `rm.queue.*` rows carried the whole clock):
/// - `rm.queue2.tickets`: ticket number (u64 BE) → `QueueRow` (the `TicketSummary` and the SLA clock's
///   `SLAClockProgress`, without its frozen terms) as canonical JSON
/// - `rm.queue2.open`: sort key → number; `rm.queue2.unassigned`: sort key → number
/// - `rm.queue2.by-assignee`: login ‖ 0x00 ‖ sort key → number; `rm.queue2.by-client`: client ‖ 0x00 ‖ sort key → number
/// - `rm.queue2.sla-terms`: ticket number (u64 BE) → schema version (u16 BE) ‖ the payload of the ticket's
///   first `ticket.sla-started`, as recorded (written once; read back when a later transaction folds the clock)
/// The sort key is priority (u8) ‖ SLA due time (u64 BE; all ones when there is no SLA or its clocks are
/// paused or met) ‖ opened-at (u64 BE) ‖ number (u64 BE).
public final class QueueProjection: Projection {
    public let name = "queue"
    public let checkpointKey = "queue-v2"
    public let databaseNames = [
        "rm.queue2.tickets", "rm.queue2.open", "rm.queue2.unassigned", "rm.queue2.by-assignee", "rm.queue2.by-client",
        "rm.queue2.sla-terms",
    ]
    private var databases: [Database] = []
    /// The rows of the current write transaction, decoded, with their sort keys; written at `flush`.
    private let pending = PendingRows<TicketSummary, [UInt8]>()

    public init() {}

    public func attach(_ databases: [Database]) { self.databases = databases }

    private var tickets: Database { databases[0] }
    private var open: Database { databases[1] }
    private var unassigned: Database { databases[2] }
    private var byAssignee: Database { databases[3] }
    private var byClient: Database { databases[4] }
    private var slaTerms: Database { databases[5] }

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
            if case .started = slaEvent, row.row.clock == nil {
                // The frozen terms, kept once as recorded, for the transactions that fold this clock later.
                let value = withUnsafeBytes(of: event.schemaVersion.bigEndian) { Array($0) } + event.payload
                try QueueProjection.numberKey(row.row.number).withUnsafeBytes { key in
                    try value.withUnsafeBytes { try txn.put(slaTerms, key: key, value: $0) }
                }
            }
            after = row.row.applying(slaEvent, at: event)
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
        try pending.flush(into: tickets, txn: txn) { Array(try encoder.encode(QueueRow(ticket: $0, clock: $0.clock?.progress))) }
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
            if let progress = stored.clock { row.clock = SLAClock(started: try slaStarted(number, txn: txn), progress: progress) }
            return row
        }
    }

    /// The ticket's frozen SLA terms, from `rm.queue2.sla-terms`.
    private func slaStarted(_ number: TicketNumber, txn: borrowing Transaction) throws -> TicketSLAStarted {
        let stored = try QueueProjection.numberKey(number).withUnsafeBytes { key in
            try txn.get(slaTerms, key: key).map { Array($0) }
        }
        guard let stored, stored.count >= 2,
            case .started(let started) = try TicketSLAEvent.decode(
                type: "ticket.sla-started", schemaVersion: UInt16(stored[0]) << 8 | UInt16(stored[1]),
                payload: Array(stored[2...]))
        else { throw QueueProjectionError.missingSLATerms(number) }
        return started
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

/// A `queue` row with an SLA clock whose frozen terms are missing: the read model is damaged (`docket rebuild queue`).
enum QueueProjectionError: Error, CustomStringConvertible {
    case missingSLATerms(TicketNumber)

    var description: String {
        switch self {
        case .missingSLATerms(let number):
            "the queue read model has no SLA terms for \(number); run `docket rebuild queue`"
        }
    }
}
