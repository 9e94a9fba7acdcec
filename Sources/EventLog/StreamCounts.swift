import Foundation
import LMDB

/// A small read model: events per stream category (`ticket`, `client`, …) and per event type.
/// It answers "what is in this store?" (`docket stats`) and exercises the projection runner.
public final class StreamCounts: Projection {
    public let name = "stream-counts"
    public let tables = ["categories", "types"]
    /// The fold counts in memory until `flush` and never touches the transaction.
    public let foldsInMemory = true
    private var categories: Database?
    private var types: Database?
    /// Events (and new streams) counted in this write transaction, per category and per type, added at `flush`.
    private typealias Counts = (events: UInt64, streams: UInt64)
    private var pending: (categories: [String: Counts], types: [String: Counts]) = ([:], [:])
    private let lock = NSLock()

    public init() {}

    public func attach(_ tables: ReadModelTables) {
        categories = tables["categories"]
        types = tables["types"]
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        let category = StreamCounts.category(of: event.stream)
        let isNewStream: UInt64 = event.streamVersion == 1 ? 1 : 0
        lock.withLock {
            // One lookup per key (each hashes the name).
            StreamCounts.count(&pending.categories[category, default: (0, 0)], streams: isNewStream)
            pending.types[event.type, default: (0, 0)].events += 1
        }
    }

    private static func count(_ counts: inout Counts, streams: UInt64) {
        counts.events += 1
        counts.streams += streams
    }

    /// Adds the counts of this transaction's events to the stored ones, each key once, in key order.
    public func flush(in txn: borrowing Transaction) throws {
        guard let categories, let types else { preconditionFailure("StreamCounts used before the store attached it") }
        let counted = lock.withLock {
            defer { pending = ([:], [:]) }
            return pending
        }
        try add(counted.categories, to: categories, txn: txn)
        try add(counted.types, to: types, txn: txn)
    }

    public func discardPending() {
        lock.withLock { pending = ([:], [:]) }
    }

    /// A stream's category: the part before the first `-` (`ticket-T-1042` → `ticket`).
    public static func category(of stream: String) -> String {
        // The common case without `split`'s array; a name starting with `-` takes the general rule.
        if stream.utf8.first != UInt8(ascii: "-"), let dash = stream.utf8.firstIndex(of: UInt8(ascii: "-")) {
            return String(stream[..<dash])
        }
        return stream.split(separator: "-", maxSplits: 1).first.map(String.init) ?? stream
    }

    /// Value: events (u64 BE) then streams (u64 BE); `counts` are added to what is stored.
    private func add(_ counts: [String: Counts], to database: Database, txn: borrowing Transaction) throws {
        for name in counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let count = counts[name] else { continue }
            let key = Array(name.utf8)
            var events: UInt64 = 0
            var streams: UInt64 = 0
            if let raw = try txn.get(database, key: key), raw.count == 16 {
                raw.withUnsafeBytes {
                    events = Key.u64($0)
                    streams = Key.u64($0, at: 8)
                }
            }
            try txn.put(database, key: key, value: Key.pair(events + count.events, streams + count.streams))
        }
    }

    /// One row of the model.
    public struct Row: Sendable, Equatable {
        public let name: String
        public let events: UInt64
        public let streams: UInt64
    }

    /// Events and streams per category, and events per type, in name order.
    public func read(from store: EventStore) throws -> (categories: [Row], types: [Row]) {
        guard let categories, let types else { preconditionFailure("StreamCounts used before the store attached it") }
        return try store.environment.read { txn in
            (try rows(categories, txn: txn), try rows(types, txn: txn))
        }
    }

    /// How many events the streams of `category` hold (one key read): it grows with every event in them.
    public func events(inCategory category: String, in store: EventStore) throws -> UInt64 {
        guard let categories else { preconditionFailure("StreamCounts used before the store attached it") }
        return try store.environment.read { txn in
            guard let raw = try txn.get(categories, key: Array(category.utf8)), raw.count == 16 else { return 0 }
            return raw.withUnsafeBytes { Key.u64($0) }
        }
    }

    private func rows(_ database: Database, txn: borrowing Transaction) throws -> [Row] {
        try txn.withCursor(database) { cursor in
            var out: [Row] = []
            var entry = try cursor.first()
            while let found = entry {
                out.append(Row(name: String(decoding: found.key, as: UTF8.self), events: Key.u64(found.value), streams: Key.u64(found.value, at: 8)))
                entry = try cursor.next()
            }
            return out
        }
    }
}
