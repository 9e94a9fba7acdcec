import DocketTime
import Domain
import EventLog
import Foundation
import LMDB

/// The `time` read model: every time entry as the fold of its events, and an index by ticket.
///
/// Database `rm.time.entries`: the entry number as 10 digits (so keys sort by number) → ``TimeEntryState`` as
/// canonical JSON. Database `rm.time.by-ticket`: ticket ‖ 0x00 ‖ the 10-digit entry number → empty.
public final class TimeProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the only state is the database handles, set once when the store opens.
    public let name = "time"
    public let tables = ["entries", "by-ticket"]
    private var entries: Database?
    private var byTicket: Database?

    public init() {}

    public func attach(_ tables: ReadModelTables) {
        entries = tables["entries"]
        byTicket = tables["by-ticket"]
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.stream.hasPrefix("time-"), let entries, let byTicket else { return }
        let id = String(event.stream.dropFirst("time-".count))
        guard let key = TimeProjection.key(id) else { return }
        let decoded: TimeEvent
        do {
            decoded = try TimeEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        } catch let error as EventDecodingError where error.reason == .unknownType {
            return
        }
        let current = try txn.get(entries, key: key).map { try JSONDecoder().decode(TimeEntryState.self, from: Data($0)) } ?? .none
        var next = current.applying(decoded)
        guard next != current else { return }
        next.position = event.position
        try txn.put(entries, key: key, value: TimeProjection.encode(next))
        if case .logged = decoded {
            try txn.put(byTicket, key: Array(next.ticket.utf8) + [0] + key, value: [])
        }
    }

    /// `TE-7` → `0000000007`, or nil when `id` is not an entry id.
    static func key(_ id: String) -> [UInt8]? {
        guard id.hasPrefix("TE-"), let n = Int(id.dropFirst(3)), n > 0, n < 10_000_000_000 else { return nil }
        let digits = String(n)
        return Array((String(repeating: "0", count: 10 - digits.count) + digits).utf8)
    }

    static func encode(_ entry: TimeEntryState) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(entry))
    }

    /// One entry by id.
    public func entry(_ id: String, in store: EventStore) throws -> TimeEntryState? {
        guard let entries, let key = TimeProjection.key(id) else { return nil }
        return try store.readModels { txn in
            try txn.get(entries, key: key).map { try JSONDecoder().decode(TimeEntryState.self, from: Data($0)) }
        }
    }

    /// The entries matching `filter`, by entry number; a ticket filter uses the index.
    public func list(_ filter: TimeFilter, in store: EventStore) throws -> [TimeEntryState] {
        guard let entries, let byTicket else { return [] }
        return try store.readModels { txn in
            var keys: [[UInt8]] = []
            if let ticket = filter.ticket {
                let prefix = Array(ticket.utf8) + [0]
                try txn.withCursor(byTicket) { cursor in
                    var entry = try cursor.seek(atLeast: prefix)
                    while let current = entry {
                        let key = Array(current.key)
                        guard key.starts(with: prefix) else { break }
                        keys.append(Array(key.dropFirst(prefix.count)))
                        entry = try cursor.next()
                    }
                }
                keys.sort { $0.lexicographicallyPrecedes($1) }
            } else {
                try txn.withCursor(entries) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        keys.append(Array(current.key))
                        entry = try cursor.next()
                    }
                }
            }
            var result: [TimeEntryState] = []
            for key in keys {
                guard let bytes = try txn.get(entries, key: key) else { continue }
                let entry = try JSONDecoder().decode(TimeEntryState.self, from: Data(bytes))
                if filter.matches(entry) { result.append(entry) }
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
