import EventLog
import Foundation
import LMDB

/// A row type's stored form: its format number, then the row — written by hand (`RowWriter`/`RowReader`: fields in a
/// fixed order, no names) or, for any `Codable` row, in the binary row format (`BinaryRowEncoder`).
/// A row of another format number is refused (the model needs `docket rebuild`), never misread.
public struct RowCodec<Stored>: Sendable {
    /// The number written first in every row; change it with the stored type or its layout.
    public let format: UInt8
    private let write: @Sendable (Stored, inout RowWriter) throws -> Void
    private let read: @Sendable (inout RowReader) throws -> Stored

    /// A hand-written codec: `write` puts the fields after the format number, `read` takes them in the same order.
    public init(
        format: UInt8, write: @escaping @Sendable (Stored, inout RowWriter) throws -> Void,
        read: @escaping @Sendable (inout RowReader) throws -> Stored
    ) {
        self.format = format
        self.write = write
        self.read = read
    }

    /// The binary row format of a `Codable` row, with the field names in `keys` written as numbers (`RowKeys`).
    public init(format: UInt8, keys: RowKeys = .none) where Stored: Codable & SendableMetatype {
        self.init(
            format: format, keys: keys,
            write: { row, writer in writer.bytes.append(contentsOf: try BinaryRowEncoder(keys: keys).encode(row)) })
    }

    /// Rows that `write` puts in the binary row format itself — the bytes the `Codable` encoder gives, without its
    /// `Encoder` (e.g. `BinaryRowEncoder.encodeStrings`) — and that are read back through `Codable`.
    public init(format: UInt8, keys: RowKeys, write: @escaping @Sendable (Stored, inout RowWriter) throws -> Void)
    where Stored: Decodable & SendableMetatype {
        self.init(
            format: format, write: write,
            read: { reader in
                defer { reader.offset = reader.bytes.count }
                return try BinaryRowDecoder(keys: keys).decode(Stored.self, from: Array(reader.bytes[reader.offset...]))
            })
    }

    public func encode(_ row: Stored) throws -> [UInt8] {
        var writer = RowWriter(format: format)
        try write(row, &writer)
        return writer.bytes
    }

    /// Appends the stored form of `row` to `buffer` (what `encode` returns, without an array of its own).
    @usableFromInline func encode(_ row: Stored, appendingTo buffer: inout [UInt8]) throws {
        try encode(row, by: write, appendingTo: &buffer)
    }

    /// Appends this codec's format number and what `write` writes of `value` to `buffer`: a row whose fields `write`
    /// puts as this codec's own writer would put those of its stored form, without making the stored form.
    @usableFromInline func encode<Value>(
        _ value: Value, by write: (Value, inout RowWriter) throws -> Void, appendingTo buffer: inout [UInt8]
    ) rethrows {
        var writer = RowWriter(format: format, taking: &buffer)
        defer { swap(&writer.bytes, &buffer) }
        try write(value, &writer)
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Stored {
        guard let first = bytes.first, first == format else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "a row of format \(bytes.first.map { "\($0)" } ?? "none"), expected \(format)"))
        }
        var reader = RowReader(bytes)
        let row = try read(&reader)
        try reader.finish()
        return row
    }
}

/// A secondary index of a `RowTable`: its table (one named database of the model) and the keys a row has in it —
/// none, one or several. Each index entry maps an index key to the row's key; the table keeps them in step.
public struct RowIndex<Row>: Sendable {
    public let table: String
    /// Adds the keys `row` has in the index to `keys` (`IndexKeys.add`: its bytes go where the table keeps them, no
    /// array made per key).
    public let keys: @Sendable (_ row: Row, _ keys: inout IndexKeys) -> Void

    public init(_ table: String, keys: @escaping @Sendable (_ row: Row, _ keys: inout IndexKeys) -> Void) {
        self.table = table
        self.keys = keys
    }
}

/// A typed table of a read model: rows under ordered keys in one named database, stored compactly (`RowCodec`),
/// with declared secondary indexes the table maintains, and the rows of the current write transaction kept
/// decoded in memory and written once, at `flush`.
///
/// A projection declares its tables (`tableNames` are among its `Projection.tables`), hands them over at `attach`,
/// and is left with its fold: read the row (`row`), compute the new one, keep it (`set`). Within one write
/// transaction a row is decoded at most once and encoded at most once, and its index entries change once: the
/// keys of the row as it was stored are compared with those of the row written, and only the difference is
/// deleted and put. Rebuilt or maintained event by event, a table ends with the same bytes (its rows and
/// indexes are functions of the rows alone).
public final class RowTable<Key: OrderedKeyPart & Hashable & Comparable, Row, Stored>: @unchecked Sendable {
    // @unchecked Sendable: the databases are set once at attach. The fold's state (`pending`, `sealed`, `lastStoredKey`,
    // `keyScratch`) is touched by one thread at a time: the thread that folds the table's batch — the write
    // transaction's (LMDB runs one at a time, behind a lock), or a bulk fold's group, handed from batch to batch by the
    // fold's join. Only `unwritten` is shared, between the writer's `flush` of a sealed batch and the next batch's
    // `prepareFlush` on another thread (a pipelined fold), so only it is guarded, by `lock`. Queries read the table
    // (`read`), never the fold's state.

    /// The table of the rows (one of the projection's tables).
    public let name: String
    public let codec: RowCodec<Stored>
    public let indexes: [RowIndex<Row>]
    // The folding methods are @inlinable (with what they touch @usableFromInline) so that a projection's module
    // specializes them for its key and row types: unspecialized, every call looked up the generic metadata of
    // `pending` and copied rows through value witnesses.
    /// Appends a row's stored bytes (its format number first) to the bytes `flush` writes.
    @usableFromInline let encode: (Row, inout [UInt8]) throws -> Void
    @usableFromInline let settle: ((inout Row) -> Void)?
    @usableFromInline let load: (Stored, ReadModelTables, borrowing Transaction) throws -> Row
    @usableFromInline var rows = ReadModelTables()
    /// The database of the rows, looked up once at `attach` (by name: a hash of the text on every read otherwise).
    @usableFromInline var rowsDatabase: Database?
    /// Guards `unwritten` (see above).
    @usableFromInline let lock = NSLock()
    /// The rows folded in this batch. Touched by one thread at a time (above), on every event the table folds: its
    /// accesses are not checked at run time for overlap (`swift_beginAccess` was ~18M of a 200k rebuild of queue).
    @exclusivity(unchecked) @usableFromInline var pending: [PendingKey: Entry] = [:]
    /// The batch `prepareFlush` sealed last: the rows as `flush` writes them, read back by the folds of the batch after
    /// it (ahead of the table) until the next seal — a bulk fold may fold that batch in a transaction that does not see
    /// this one's rows yet, while this one is written and committed (see `Projection.sealsBatches`). Like the two
    /// below, read on every look-up (`stored`) by the one thread folding the table: not checked at run time for
    /// overlapping access (~150 instructions a look-up, 0.5 % of a rebuild).
    @exclusivity(unchecked) @usableFromInline var sealed: Writes?
    /// The sealed batches `flush` has not written yet, oldest first (the next batch may be sealed before the one
    /// before it is written); only touched under `lock`.
    @usableFromInline var unwritten: [Writes] = []
    /// The table's last stored key as this transaction sees it (`.some(nil)`: the table is empty), once read: rows
    /// are written only at `flush`, so it stands until then, and a key that sorts after it is not stored (a new
    /// ticket's or entry's: most rows of a rebuild), so it is not looked for (a sealed row is looked for first).
    /// Forgotten when a batch ends: at `prepareFlush`, at `flush` of what was not sealed, and at `discard`.
    @exclusivity(unchecked) @usableFromInline var lastStoredKey: [UInt8]??
    /// The bytes of the key `stored` looks for.
    @exclusivity(unchecked) @usableFromInline var keyScratch: [UInt8] = []

    /// The changed rows as `flush` writes them, in key order: the keys, stored bytes and index keys of all of them in
    /// one array (`bytes`; an array per row and per key cost an allocation and a free each), and their index entries.
    @usableFromInline struct Writes {
        /// The rows' keys, stored bytes and index keys, one after the other.
        @usableFromInline var bytes: [UInt8] = []
        @usableFromInline var rows: [Write] = []
        /// The rows' keys, in the same order as `rows`.
        @usableFromInline var keys: [Key] = []
        /// The index entries to delete and to put, each row's together (`Write.indexKeys`), their keys in `bytes`.
        @usableFromInline var indexKeys: [IndexEntry] = []

        @inlinable init() {}

        /// The place in `rows` of the row of `key`, if it is one of them.
        @inlinable func place(of key: Key) -> Int? {
            var (low, high) = (0, keys.count)
            while low < high {
                let middle = (low + high) / 2
                if keys[middle] < key { low = middle + 1 } else { high = middle }
            }
            return low < keys.count && keys[low] == key ? low : nil
        }
    }

    /// One changed row: where its key and stored bytes are in `Writes.bytes`, and its index entries in
    /// `Writes.indexKeys` (the fresh ones, then the stale ones: a key is never both, so their order is free).
    @usableFromInline struct Write {
        @usableFromInline let key: Range<Int>
        @usableFromInline let value: Range<Int>
        @usableFromInline let indexKeys: Range<Int>

        @inlinable init(key: Range<Int>, value: Range<Int>, indexKeys: Range<Int>) {
            (self.key, self.value, self.indexKeys) = (key, value, indexKeys)
        }
    }

    /// A key of `pending`: the key, hashed by a mix of its bits when it is a `UInt64` (an entry's or a ticket's number,
    /// most tables' key) rather than by SipHash through `Hasher` (~100 instructions a look-up, a look-up or two for every
    /// event a table folds); any other key hashes itself. Such numbers are ones Docket hands out (tickets, time
    /// entries), not text a caller picks, so a hash that is not keyed against collisions is safe here.
    @usableFromInline struct PendingKey: Hashable {
        @usableFromInline let key: Key

        @inlinable init(_ key: Key) { self.key = key }

        @inlinable static func == (a: PendingKey, b: PendingKey) -> Bool { a.key == b.key }

        @inlinable func hash(into hasher: inout Hasher) { hasher.combine(key) }

        /// What `Dictionary` hashes a key with (`hash(into:)` is not used by it): SplitMix64's finalizer of the number
        /// and `seed` (the dictionary's own, so two dictionaries do not share their collisions) for a `UInt64` (the
        /// cast is resolved when the table is specialized for its key type).
        @inlinable func _rawHashValue(seed: Int) -> Int {
            guard let number = key as? UInt64 else { return key._rawHashValue(seed: seed) }
            var mixed = number ^ UInt64(UInt(bitPattern: seed))
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
        }
    }

    @usableFromInline struct Entry {
        @usableFromInline var row: Row
        /// The index keys of the row as stored (nil: it was not in the table).
        @usableFromInline var storedKeys: IndexKeys?
        @usableFromInline var changed: Bool

        @inlinable init(row: Row, storedKeys: IndexKeys?, changed: Bool) {
            (self.row, self.storedKeys, self.changed) = (row, storedKeys, changed)
        }
    }

    /// A table whose rows are stored in the binary row format of their `Codable` stored form (`RowCodec(format:keys:)`).
    /// - Parameters:
    ///   - store: the stored form of a row; `load`: the row from its stored form (reading other tables of the
    ///     model, given by name, in `txn`).
    public convenience init(
        _ name: String, format: UInt8, keys: RowKeys = .none, indexes: [RowIndex<Row>] = [], store: @escaping (Row) -> Stored,
        load: @escaping (Stored, ReadModelTables, borrowing Transaction) throws -> Row
    ) where Stored: Codable & SendableMetatype {
        self.init(name, codec: RowCodec(format: format, keys: keys), indexes: indexes, store: store, load: load)
    }

    /// A table whose rows are stored by `codec` (a hand-written one: `RowCodec(format:write:read:)`).
    /// - Parameter settle: what a changed row needs once per transaction rather than after every event (fields
    ///   derived from others, e.g. a status that depends only on a clock), changed in place: applied when the batch is
    ///   sealed or flushed, before the row's index keys and stored form are computed. Rows read back (`row`) before
    ///   then are not settled yet.
    public convenience init(
        _ name: String, codec: RowCodec<Stored>, indexes: [RowIndex<Row>] = [], store: @escaping (Row) -> Stored,
        load: @escaping (Stored, ReadModelTables, borrowing Transaction) throws -> Row, settle: ((inout Row) -> Void)? = nil
    ) {
        self.init(
            name, codec: codec, indexes: indexes, encode: { row, bytes in try codec.encode(store(row), appendingTo: &bytes) },
            load: load, settle: settle)
    }

    /// A table whose rows are written straight from the row by `write` — the fields `codec` reads back, after its
    /// format number — and read back by `codec` and `load`: no stored form is made for each row written (making one
    /// copied the row's fields, retaining each, and released them again). `settle` as in
    /// `init(_:codec:indexes:store:load:settle:)`.
    public convenience init(
        _ name: String, codec: RowCodec<Stored>, indexes: [RowIndex<Row>] = [],
        write: @escaping (Row, inout RowWriter) throws -> Void,
        load: @escaping (Stored, ReadModelTables, borrowing Transaction) throws -> Row, settle: ((inout Row) -> Void)? = nil
    ) {
        self.init(
            name, codec: codec, indexes: indexes, encode: { row, bytes in try codec.encode(row, by: write, appendingTo: &bytes) },
            load: load, settle: settle)
    }

    init(
        _ name: String, codec: RowCodec<Stored>, indexes: [RowIndex<Row>], encode: @escaping (Row, inout [UInt8]) throws -> Void,
        load: @escaping (Stored, ReadModelTables, borrowing Transaction) throws -> Row, settle: ((inout Row) -> Void)?
    ) {
        self.name = name
        self.codec = codec
        self.indexes = indexes
        self.encode = encode
        self.load = load
        self.settle = settle
    }

    /// The table and its indexes' tables, to list in `Projection.tables`.
    public var tableNames: [String] { [name] + indexes.map(\.table) }

    /// Takes the model's opened databases (from `Projection.attach`).
    public func attach(_ tables: ReadModelTables) {
        rows = tables
        rowsDatabase = tables[name]
    }

    /// The database of the rows.
    @inlinable public var database: Database { rowsDatabase ?? rows[name] }

    /// The database of the index of `table`.
    public func indexDatabase(_ table: String) -> Database { rows[table] }

    /// The keys `row` has in the table's indexes.
    @inlinable func indexKeys(of row: Row) -> IndexKeys {
        var keys = IndexKeys()
        for index in indexes.indices {
            keys.index = index
            indexes[index].keys(row, &keys)
        }
        return keys
    }

    @inlinable static func keyBytes(_ key: Key) -> [UInt8] {
        var bytes: [UInt8] = []
        key.appendOrdered(to: &bytes)
        return bytes
    }

    // MARK: - Folding (write transactions)

    /// The row of `key` as this transaction sees it: kept in memory, else read from the table (and kept).
    @inlinable public func row(_ key: Key, txn: borrowing Transaction) throws -> Row? {
        if let row = pending[PendingKey(key)]?.row { return row }
        guard let row = try stored(key, txn: txn) else { return nil }
        pending[PendingKey(key)] = Entry(row: row, storedKeys: indexKeys(of: row), changed: false)
        return row
    }

    /// Changes the row of `key` in place, as this transaction sees it (kept in memory, else read from the table and
    /// kept), without copying it out and back in (a copy would make every array in it copy itself on the next
    /// change). `body` returns whether it changed the row; a changed row is written by `flush`. Returns false,
    /// without calling `body`, when there is no such row. `body` must not use this table.
    @inlinable @discardableResult
    public func update(_ key: Key, txn: borrowing Transaction, _ body: (inout Row) throws -> Bool) throws -> Bool {
        var found = pending.index(forKey: PendingKey(key))
        if found == nil {
            guard let row = try stored(key, txn: txn) else { return false }
            pending[PendingKey(key)] = Entry(row: row, storedKeys: indexKeys(of: row), changed: false)
            found = pending.index(forKey: PendingKey(key))
        }
        guard let index = found else { return false }
        if try body(&pending.values[index].row) { pending.values[index].changed = true }
        return true
    }

    /// Keeps `row` as the new row of `key`, written by `flush`. The row is taken, not copied: a caller's last use of it
    /// hands it over (a copy retained and released every string in it).
    @inlinable public func set(_ key: Key, _ row: consuming Row) {
        if let index = pending.index(forKey: PendingKey(key)) {
            pending.values[index].row = row
            pending.values[index].changed = true
        } else {
            pending[PendingKey(key)] = Entry(row: row, storedKeys: nil, changed: true)
        }
    }

    /// Seals the batch folded so far: computes what `flush` will write — each changed row settled, its stored bytes,
    /// its index entries to delete and to put — on the calling thread (a bulk fold does it on the thread that folded
    /// the model, so the write transaction's thread only puts), and starts the next batch. The folds of the next batch
    /// read the sealed rows back as `flush` writes them, so they may run before that batch is written, in a
    /// transaction that does not see it (see `Projection.sealsBatches`); the next `flush` writes the sealed batch only.
    @inlinable public func prepareFlush() throws {
        // Taken from the table (which starts the next batch with rows of its own): the rows are settled and read where
        // they are in it, none copied.
        var entries = pending
        pending.removeAll(keepingCapacity: true)
        lastStoredKey = nil
        let writes = try writes(of: &entries)
        sealed = writes
        lock.withLock { unwritten.append(writes) }
    }

    /// Writes the oldest sealed batch not written yet (what was folded after it is left for the next `flush`), else
    /// every changed row, and forgets them; each row with its index entries, in key order.
    @inlinable public func flush(in txn: borrowing Transaction) throws {
        let writes: Writes
        if let ready = lock.withLock({ unwritten.isEmpty ? nil : unwritten.removeFirst() }) {
            writes = ready
        } else {
            // Nothing sealed: no other thread folds this table now (see the class's note); the batch is this one.
            var entries = pending
            pending.removeAll(keepingCapacity: true)
            sealed = nil
            lastStoredKey = nil
            writes = try self.writes(of: &entries)
        }
        try writes.bytes.withUnsafeBytes { bytes in
            try put(writes.rows, of: bytes, in: txn)
            for index in indexes.indices {
                try put(writes.indexKeys, of: index, keys: bytes, rows: writes.rows, in: txn)
            }
        }
    }

    /// Puts `rows`, in key order, through one cursor: rows whose keys sort after the table's last key (new tickets,
    /// entries: most rows of a rebuild) with MDB_APPEND (no search down the tree, and full pages instead of half-full
    /// ones after a split), the others on the page the cursor is on when they belong there.
    @inlinable func put(_ rows: [Write], of bytes: UnsafeRawBufferPointer, in txn: borrowing Transaction) throws {
        try txn.withCursor(database) { cursor in
            let stored = try cursor.last().map { Array($0.key) }
            var appended: UnsafeRawBufferPointer?
            for write in rows {
                let key = UnsafeRawBufferPointer(rebasing: bytes[write.key])
                let appending = appended.map { $0.lexicographicallyPrecedes(key) } ?? stored.map { $0.lexicographicallyPrecedes(key) } ?? true
                if appending { appended = key }
                try cursor.put(key, UnsafeRawBufferPointer(rebasing: bytes[write.value]), options: appending ? .append : [])
            }
        }
    }

    /// Writes the entries of the index `indexes[index]` among `entries` (their keys in `keys`, each mapped to the key of
    /// its row among `writes`): the stale ones deleted, then the fresh ones put in key order through one cursor, which
    /// finds a key on the page it is on without a search from the root. Deleting first, an index key that one row
    /// drops and another takes in the same batch ends with the row that takes it, whichever row's key is first.
    @inlinable func put(
        _ entries: [IndexEntry], of index: Int, keys: UnsafeRawBufferPointer, rows writes: [Write], in txn: borrowing Transaction
    ) throws {
        let database = rows[indexes[index].table]
        // Each entry with the place of its row (entries are in row order, each row's together).
        var fresh: [(entry: Int, row: Int)] = []
        for (row, write) in writes.enumerated() {
            for place in write.indexKeys where entries[place].index == index {
                if entries[place].fresh {
                    fresh.append((place, row))
                } else {
                    _ = try txn.delete(database, key: UnsafeRawBufferPointer(rebasing: keys[entries[place].key]))
                }
            }
        }
        guard !fresh.isEmpty else { return }
        // In key order; a key put twice, by the later row last (as rows are put: the later row's entry stays).
        fresh.sort { a, b in
            let order = RowTable.order(
                UnsafeRawBufferPointer(rebasing: keys[entries[a.entry].key]), UnsafeRawBufferPointer(rebasing: keys[entries[b.entry].key]))
            return order != 0 ? order < 0 : a.row < b.row
        }
        try txn.withCursor(database) { cursor in
            for (place, row) in fresh {
                try cursor.put(
                    UnsafeRawBufferPointer(rebasing: keys[entries[place].key]), UnsafeRawBufferPointer(rebasing: keys[writes[row].key]))
            }
        }
    }

    /// How `x` sorts against `y` as LMDB orders keys (bytes, a prefix first): negative before, 0 equal, positive after.
    @inlinable static func order(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        let common = min(x.count, y.count)
        if common > 0, let a = x.baseAddress, let b = y.baseAddress {
            let order = memcmp(a, b, common)
            if order != 0 { return Int(order) }
        }
        return x.count - y.count
    }

    /// The writes of the changed rows among `entries` (taken from the table: no other reference to them), in key
    /// order: each row settled (`settle`), its stored bytes, its index entries changed by difference (the keys of the
    /// row as stored against those of the row written). The rows are settled and read where they are, never copied: a
    /// copy of a row (to settle it; a read out of `Dictionary.Values`, which returns a copy) retained every field of it
    /// and released them again.
    @inlinable func writes(of entries: inout [PendingKey: Entry]) throws -> Writes {
        // The keys and places of the changed rows, sorted by key: a copy of an entry (a (key, entry) pair to filter, a
        // lookup by key) retained and released every field of its row, sorting pairs moved every row at each swap, and
        // sorting places looked both keys up in the table at each comparison. Found through a second reference to the
        // rows, let go before a row is settled (a row changed in rows still shared would have copied them all).
        let changed = { (entries: [PendingKey: Entry]) in
            var changed: [(key: Key, place: [PendingKey: Entry].Index)] = []
            changed.reserveCapacity(entries.count)
            for place in entries.indices where entries.values[place].changed { changed.append((entries.keys[place].key, place)) }
            changed.sort { $0.key < $1.key }
            return changed
        }(entries)
        var writes = Writes()
        writes.rows.reserveCapacity(changed.count)
        writes.keys.reserveCapacity(changed.count)
        writes.indexKeys.reserveCapacity(changed.count * indexes.count)
        writes.bytes.reserveCapacity(changed.count * 128)
        for (key, place) in changed {
            try write(&entries.values[place], key: key, into: &writes)
        }
        return writes
    }

    /// Appends the writes of `entry`, a changed row kept under `key`, to `writes`, settling the row first; `inout` to
    /// be settled and read in place (`writes(of:)`).
    @inlinable func write(_ entry: inout Entry, key: Key, into writes: inout Writes) throws {
        settle?(&entry.row)
        let firstIndexKey = writes.indexKeys.count
        if !indexes.isEmpty {
            // The row's keys go straight into the batch's bytes and entries, taken for the time (no copy of either).
            var keys = IndexKeys()
            swap(&keys.bytes, &writes.bytes)
            swap(&keys.entries, &writes.indexKeys)
            for index in indexes.indices {
                keys.index = index
                indexes[index].keys(entry.row, &keys)
            }
            if let stored = entry.storedKeys { keys.keepChanges(from: stored, after: firstIndexKey) }
            swap(&keys.bytes, &writes.bytes)
            swap(&keys.entries, &writes.indexKeys)
        }
        let keyStart = writes.bytes.count
        writes.keys.append(key)
        key.appendOrdered(to: &writes.bytes)
        let valueStart = writes.bytes.count
        try encode(entry.row, &writes.bytes)
        writes.rows.append(
            Write(key: keyStart..<valueStart, value: valueStart..<writes.bytes.count, indexKeys: firstIndexKey..<writes.indexKeys.count))
    }

    /// Forgets every row kept in memory without writing it, and the sealed batch.
    @inlinable public func discard() {
        pending.removeAll(keepingCapacity: true)
        sealed = nil
        lastStoredKey = nil
        lock.withLock { unwritten.removeAll() }
    }

    /// The stored row of `key` for a fold (`row`, `update`): the sealed batch's, else the table's —
    /// not looked for there when its key sorts after the table's last stored key (read once per batch, `lastStoredKey`).
    @inlinable func stored(_ key: Key, txn: borrowing Transaction) throws -> Row? {
        if let writes = sealed, let place = writes.place(of: key) {
            return try writes.bytes.withUnsafeBytes { bytes in
                try decode(UnsafeRawBufferPointer(rebasing: bytes[writes.rows[place].value]), txn: txn)
            }
        }
        let last: [UInt8]?
        if let known = lastStoredKey {
            last = known
        } else {
            last = try txn.withCursor(database) { cursor in try cursor.last().map { Array($0.key) } }
            lastStoredKey = .some(last)
        }
        // An empty table (a rebuild's first batch) has no row to look for: the key's bytes are not even made.
        guard let last else { return nil }
        // The key's bytes in the table's one scratch array (an array per look-up was an allocation and a free).
        keyScratch.removeAll(keepingCapacity: true)
        key.appendOrdered(to: &keyScratch)
        guard !last.lexicographicallyPrecedes(keyScratch) else { return nil }
        return try keyScratch.withUnsafeBytes { key in try txn.get(database, key: key).map { try decode($0, txn: txn) } }
    }

    // MARK: - Reading (queries)

    /// The stored row of `key`, decoded (not what this transaction keeps in memory).
    @inlinable public func read(_ key: Key, txn: borrowing Transaction) throws -> Row? {
        try RowTable.keyBytes(key).withUnsafeBytes { bytes in
            try txn.get(database, key: bytes).map { try decode($0, txn: txn) }
        }
    }

    /// A stored row's bytes, decoded to its stored form only (for queries that need no other table).
    public func decodeStored(_ bytes: UnsafeRawBufferPointer) throws -> Stored { try codec.decode(bytes) }

    /// A stored row's bytes, decoded.
    @inlinable public func decode(_ bytes: UnsafeRawBufferPointer, txn: borrowing Transaction) throws -> Row {
        try load(try codec.decode(bytes), rows, txn)
    }
}
