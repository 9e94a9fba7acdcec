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
    @exclusivity(unchecked) private var pending = (categories: NameCounts(), types: NameCounts())
    /// The counts of the batches `prepareFlush` sealed and `flush` has not added yet, oldest first. Only touched under
    /// `lock`: the writer's `flush` and the next batch's `prepareFlush` may run at once (a pipelined fold); `pending` is
    /// counted by one thread at a time (the one folding the batch: see `RowTable`'s note).
    private var unwritten: [(categories: NameCounts, types: NameCounts)] = []
    private let lock = NSLock()

    public init() {}

    public func attach(_ tables: ReadModelTables) {
        categories = tables["categories"]
        types = tables["types"]
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        let isNewStream: UInt64 = event.streamVersion == 1 ? 1 : 0
        var (stream, type) = (event.stream, event.type)
        stream.withUTF8 { stream in
            if let category = StreamCounts.asciiCategory(of: stream) {
                pending.categories.count(UnsafeBufferPointer(rebasing: category), streams: isNewStream)
            } else {
                var category = StreamCounts.category(of: event.stream)
                category.withUTF8 { pending.categories.count($0, streams: isNewStream) }
            }
        }
        type.withUTF8 { pending.types.count($0, streams: 0) }
    }

    /// Sets the counts of the batch counted so far apart for the next `flush`, and starts the next batch.
    public func prepareFlush() throws {
        let sealed = pending
        pending = (NameCounts(), NameCounts())
        lock.withLock { unwritten.append(sealed) }
    }

    /// Adds the counts of the oldest sealed batch not added yet, else of this transaction's events, to the stored
    /// ones, each key once, in key order.
    public func flush(in txn: borrowing Transaction) throws {
        guard let categories, let types else { preconditionFailure("StreamCounts used before the store attached it") }
        let counts: (categories: NameCounts, types: NameCounts)
        if let sealed = lock.withLock({ unwritten.isEmpty ? nil : unwritten.removeFirst() }) {
            counts = sealed
        } else {
            counts = pending
            pending = (NameCounts(), NameCounts())
        }
        try add(counts.categories, to: categories, txn: txn)
        try add(counts.types, to: types, txn: txn)
    }

    public func discardPending() {
        pending = (NameCounts(), NameCounts())
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

/// Events and new streams counted per name (a category, a type) in one write transaction, found by the name's UTF-8
/// bytes: a hash of the bytes into a small open-addressed table, then a comparison of the bytes — no `String` made or
/// hashed per event (a dictionary keyed by name cost a tenth of a microsecond an event for each of the two).
struct NameCounts {
    /// Each name's bytes, with its counts, in the order first counted.
    private var names: [[UInt8]] = []
    private var counts: [(events: UInt64, streams: UInt64)] = []
    /// Open addressing: an index into `names` plus one, 0 for an empty slot; a power of two, at most half full.
    private var slots = [Int32](repeating: 0, count: 64)

    /// Counts one event under `name`, and `streams` new streams.
    mutating func count(_ name: UnsafeBufferPointer<UInt8>, streams: UInt64) {
        let mask = slots.count - 1
        var slot = NameCounts.hash(name) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if names[index].withUnsafeBufferPointer({ NameCounts.sameBytes($0, name) }) {
                counts[index].events += 1
                counts[index].streams += streams
                return
            }
            slot = (slot + 1) & mask
        }
        names.append(Array(name))
        counts.append((1, streams))
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
