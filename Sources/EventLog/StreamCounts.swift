import LMDB

/// A small read model: events per stream category (`ticket`, `client`, …) and per event type.
/// It answers "what is in this store?" (`docket stats`) and exercises the projection runner.
public final class StreamCounts: Projection {
    public let name = "stream-counts"
    public let tables = ["categories", "types"]
    private var categories: Database?
    private var types: Database?

    public init() {}

    public func attach(_ tables: ReadModelTables) {
        categories = tables["categories"]
        types = tables["types"]
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let categories, let types else { preconditionFailure("StreamCounts used before the store attached it") }
        try increment(categories, key: Array(StreamCounts.category(of: event.stream).utf8), isNewStream: event.streamVersion == 1, txn: txn)
        try increment(types, key: Array(event.type.utf8), isNewStream: false, txn: txn)
    }

    /// A stream's category: the part before the first `-` (`ticket-T-1042` → `ticket`).
    public static func category(of stream: String) -> String {
        stream.split(separator: "-", maxSplits: 1).first.map(String.init) ?? stream
    }

    /// Value: events (u64 BE) then streams (u64 BE).
    private func increment(_ database: Database, key: [UInt8], isNewStream: Bool, txn: borrowing Transaction) throws {
        var events: UInt64 = 0
        var streams: UInt64 = 0
        if let raw = try txn.get(database, key: key), raw.count == 16 {
            raw.withUnsafeBytes {
                events = Key.u64($0)
                streams = Key.u64($0, at: 8)
            }
        }
        events += 1
        if isNewStream { streams += 1 }
        try txn.put(database, key: key, value: Key.pair(events, streams))
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
