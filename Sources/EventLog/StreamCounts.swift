import Foundation
import LMDB

/// A small read model: events per stream category (`ticket`, `client`, …) and per event type.
/// It answers "what is in this store?" (`docket stats`) and exercises the projection runner.
public final class StreamCounts: Projection {
    public let name = "stream-counts"
    public let tables = ["categories", "types"]
    /// The fold counts in memory until `flush` and never touches the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` sets the batch's counts apart for `flush`.
    public let sealsBatches = true
    private var categories: Database?
    private var types: Database?
    /// Events (and new streams) counted in this write transaction, per category and per type, added at `flush`.
    /// Counted by one thread at a time (below), twice an event: its accesses are not checked at run time for
    /// overlap, which cost a fifth of the fold (`swift_beginAccess`).
    @exclusivity(unchecked) private var pending = Tally()
    /// The counts of the batches `prepareFlush` sealed and `flush` has not added yet, oldest first. Only touched under
    /// `lock`: the writer's `flush` and the next batch's `prepareFlush` may run at once (a pipelined fold); `pending` is
    /// counted by one thread at a time (the one folding the batch: see `RowTable`'s note).
    private var unwritten: [Tally] = []
    private let lock = NSLock()

    public init() {}

    public func attach(_ tables: ReadModelTables) {
        categories = tables["categories"]
        types = tables["types"]
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        pending.count(stream: event.stream, type: event.type, events: 1, streams: event.streamVersion == 1 ? 1 : 0)
    }

    /// Adds `tally`, the counts of a batch's events, as if each of those events had been applied: a bulk append counts
    /// its batches on the thread that lays them out (`AppendLayout.tally`), so the committing thread folds none of
    /// their events into this model.
    func add(_ tally: Tally) {
        pending.categories.add(tally.categories)
        pending.types.add(tally.types)
    }

    /// Sets the counts of the batch counted so far apart for the next `flush`, and starts the next batch.
    public func prepareFlush() throws {
        let sealed = pending
        pending = Tally()
        lock.withLock { unwritten.append(sealed) }
    }

    /// Adds the counts of the oldest sealed batch not added yet, else of this transaction's events, to the stored
    /// ones, each key once, in key order.
    public func flush(in txn: borrowing Transaction) throws {
        guard let categories, let types else { preconditionFailure("StreamCounts used before the store attached it") }
        let counts: Tally
        if let sealed = lock.withLock({ unwritten.isEmpty ? nil : unwritten.removeFirst() }) {
            counts = sealed
        } else {
            counts = pending
            pending = Tally()
        }
        try add(counts.categories, to: categories, txn: txn)
        try add(counts.types, to: types, txn: txn)
    }

    public func discardPending() {
        pending = Tally()
        lock.withLock { unwritten.removeAll() }
    }

    /// The category of a stream name's bytes when `category(of:)` is plainly the bytes before the first `-`: the name
    /// does not start with one and those bytes are ASCII (so they are whole characters); nil otherwise.
    static func asciiCategory(of stream: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        guard let dash = stream.firstIndex(of: UInt8(ascii: "-")), dash > 0, !stream[..<dash].contains(where: { $0 >= 0x80 })
        else { return nil }
        return stream[..<dash]
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
    private func add(_ counts: NameCounts, to database: Database, txn: borrowing Transaction) throws {
        for (key, count) in counts.sorted() {
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

extension StreamCounts {
    /// Events and new streams counted per category and per type: what the model adds to its rows for a batch of events.
    struct Tally {
        var categories = NameCounts()
        var types = NameCounts()

        /// Counts `events` events of `type` on `stream`, `streams` of them the first of their stream.
        mutating func count(stream: String, type: String, events: UInt64, streams: UInt64) {
            var (name, type) = (stream, type)
            name.withUTF8 { bytes in
                if let category = StreamCounts.asciiCategory(of: bytes) {
                    categories.count(UnsafeBufferPointer(rebasing: category), events: events, streams: streams)
                } else {
                    var category = StreamCounts.category(of: stream)
                    category.withUTF8 { categories.count($0, events: events, streams: streams) }
                }
            }
            type.withUTF8 { types.count($0, events: events, streams: 0) }
        }
    }
}

/// Events and new streams counted per name (a category, a type) in one write transaction, found by the name's UTF-8
/// bytes: a hash of the bytes into a small open-addressed table, then a comparison of the bytes — no `String` made or
/// hashed per event (a dictionary keyed by name cost a tenth of a microsecond an event for each of the two).
struct NameCounts {
    /// Each name's bytes, with its counts, in the order first counted.
    private var names: [[UInt8]] = []
    private var counts: [(events: UInt64, streams: UInt64)] = []
    /// Open addressing: an index into `names` plus one, 0 for an empty slot; a power of two, at most half full.
    private var slots = [Int32](repeating: 0, count: 64)

    /// Counts `events` events under `name`, and `streams` new streams.
    mutating func count(_ name: UnsafeBufferPointer<UInt8>, events: UInt64 = 1, streams: UInt64) {
        let mask = slots.count - 1
        var slot = NameCounts.hash(name) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if names[index].withUnsafeBufferPointer({ NameCounts.sameBytes($0, name) }) {
                counts[index].events += events
                counts[index].streams += streams
                return
            }
            slot = (slot + 1) & mask
        }
        names.append(Array(name))
        counts.append((events, streams))
        slots[slot] = Int32(names.count)
        if names.count * 2 > slots.count { rehash(size: slots.count * 2) }
    }

    /// Whether two byte sequences of the same length are equal (`memcmp`: the generic `elementsEqual` walked them
    /// through iterators, 300 instructions a name).
    private static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let first = a.baseAddress, let second = b.baseAddress else { return true }
        return memcmp(first, second, a.count) == 0
    }

    /// Adds every count of `other`.
    mutating func add(_ other: NameCounts) {
        for (name, counted) in zip(other.names, other.counts) {
            name.withUnsafeBufferPointer { count($0, events: counted.events, streams: counted.streams) }
        }
    }

    /// The names with their counts, in byte order.
    func sorted() -> [(name: [UInt8], counts: (events: UInt64, streams: UInt64))] {
        names.indices.sorted { names[$0].lexicographicallyPrecedes(names[$1]) }.map { (names[$0], counts[$0]) }
    }

    /// `RecordNames.hash` of `bytes` (FNV-1a over every byte was most of a count).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int { RecordNames.hash(UnsafeRawBufferPointer(bytes)) }

    private mutating func rehash(size: Int) {
        slots = [Int32](repeating: 0, count: size)
        for index in names.indices {
            var slot = names[index].withUnsafeBufferPointer { NameCounts.hash($0) } & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index + 1)
        }
    }
}
