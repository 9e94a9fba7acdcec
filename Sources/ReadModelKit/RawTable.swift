import EventLog
import Foundation
import LMDB

/// A table of a read model whose rows are plain bytes (a payload kept verbatim, a name, a counter), with the puts of the
/// current write transaction kept in memory and written once, at `flush`, in key order — what `RowTable` does for
/// typed rows. A fold reads through it (`value`) and sees its own puts; it never writes to the transaction, so it may
/// fold in a read transaction (`Projection.foldsInMemory`). The stored bytes are those of putting each value as the
/// fold went: only the last put of a key is written.
public final class RawTable: @unchecked Sendable {
    // @unchecked Sendable: the database is set once at attach; `pending`, `sealed` and `unwritten` are only touched
    // under `lock`.

    /// The table (one of the projection's tables).
    public let name: String
    /// The table's database, looked up once at `attach` (by its name: a hash of the text on every read otherwise).
    private var attached: Database?
    private let lock = NSLock()
    private var pending: [[UInt8]: [UInt8]] = [:]
    /// The puts of the batch `seal` sealed last, read back by the folds of the batch after it (ahead of the table)
    /// until the next seal, as `RowTable` does.
    private var sealed: [[UInt8]: [UInt8]] = [:]
    /// The sealed batches `flush` has not written yet, oldest first.
    private var unwritten: [[[UInt8]: [UInt8]]] = []
    /// The key `putIfAbsent` last found or put in the batch folded now: the table holds it until the batch ends, so
    /// the same key asked again is answered without a look-up (one key answers most of a batch's asks of the terms
    /// tables of queue and sla: a look-up hashed the key twice and searched the table, some 900 instructions).
    /// Forgotten by `seal`, `flush` and `discard`.
    private var present: [UInt8]?

    /// The table `name`; list it in `Projection.tables` and hand it the model's databases at `attach`.
    public init(_ name: String) { self.name = name }

    /// Takes the model's opened databases (from `Projection.attach`).
    public func attach(_ tables: ReadModelTables) { attached = tables[name] }

    /// The table's database (for queries, which read what is stored).
    public var database: Database {
        guard let attached else { preconditionFailure("read-model table \(name) used before the store attached it") }
        return attached
    }

    /// The value of `key` as this transaction sees it: put in it (or in the sealed batch before it), else stored.
    public func value(_ key: [UInt8], txn: borrowing Transaction) throws -> [UInt8]? {
        if let kept = lock.withLock({ pending[key] ?? sealed[key] }) { return kept }
        return try txn.get(database, key: key)
    }

    /// Keeps `value` as the value of `key`, written by `flush`.
    public func put(_ key: [UInt8], _ value: [UInt8]) {
        lock.withLock { pending[key] = value }
    }

    /// Whether this transaction sees a value under `key` (put in it, or stored), without copying it.
    public func contains(_ key: [UInt8], txn: borrowing Transaction) throws -> Bool {
        if lock.withLock({ pending[key] != nil || sealed[key] != nil }) { return true }
        return try key.withUnsafeBytes { try txn.get(database, key: $0) != nil }
    }

    /// Keeps `value()` under `key` unless this transaction sees a value there already (the first put wins); returns
    /// whether it did.
    @discardableResult
    public func putIfAbsent(_ key: [UInt8], txn: borrowing Transaction, _ value: () -> [UInt8]) throws -> Bool {
        if lock.withLock({ present == key }) { return false }
        guard try !contains(key, txn: txn) else {
            lock.withLock { present = key }
            return false
        }
        let bytes = value()
        lock.withLock {
            pending[key] = bytes
            present = key
        }
        return true
    }

    /// Seals the batch put so far and starts the next one: its puts are read back ahead of the table until the next
    /// seal, and the next `flush` writes them only (see `RowTable.prepareFlush`).
    public func seal() {
        lock.withLock {
            sealed = pending
            unwritten.append(pending)
            pending.removeAll(keepingCapacity: true)
            present = nil
        }
    }

    /// Writes the oldest sealed batch not written yet, else every value kept, and forgets them; in key order. Keys
    /// after the table's last key are appended (`MDB_APPEND`), as `RowTable.flush` does.
    public func flush(in txn: borrowing Transaction) throws {
        let kept = lock.withLock {
            present = nil
            if !unwritten.isEmpty { return unwritten.removeFirst() }
            defer {
                pending.removeAll(keepingCapacity: true)
                sealed.removeAll()
            }
            return pending
        }
        guard !kept.isEmpty else { return }
        // The pairs sorted as they are (no look-up by key after), their keys compared with `memcmp`; put through one
        // cursor, which finds a key near the one before on the page it is on (a put of its own searched from the root
        // each time: some 2,700 instructions a value of `billing`'s tables).
        let sorted = kept.sorted(by: { RawTable.precedes($0.key, $1.key) })
        try txn.withCursor(database) { cursor in
            var last = try cursor.last().map { Array($0.key) }
            for (key, value) in sorted {
                let appending = last.map { RawTable.precedes($0, key) } ?? true
                try key.withUnsafeBytes { key in
                    try value.withUnsafeBytes { value in try cursor.put(key, value, options: appending ? .append : []) }
                }
                if appending { last = key }
            }
        }
    }

    /// Whether `a` sorts before `b` as LMDB orders keys (bytes, a prefix first).
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        let order = a.withUnsafeBytes { a in
            b.withUnsafeBytes { b -> Int32 in
                guard common > 0, let a = a.baseAddress, let b = b.baseAddress else { return 0 }
                return memcmp(a, b, common)
            }
        }
        return order < 0 || (order == 0 && a.count < b.count)
    }

    /// Forgets every value kept without writing it, and the sealed batch.
    public func discard() {
        lock.withLock {
            pending.removeAll(keepingCapacity: true)
            sealed.removeAll()
            unwritten.removeAll()
            present = nil
        }
    }
}
