import CLMDB

/// A read or write transaction. It exists only inside `Environment.read` or `Environment.write`,
/// belongs to the calling thread, and must not be used after the closure returns.
public struct Transaction: ~Copyable {
    let handle: OpaquePointer
    /// True for transactions opened by `Environment.read`.
    public let isReadOnly: Bool
    /// Where values handed back may lie (see `MapBounds`).
    let bounds: ValueBounds

    init(handle: OpaquePointer, isReadOnly: Bool, bounds: ValueBounds = .unchecked) {
        self.handle = handle
        self.isReadOnly = isReadOnly
        self.bounds = bounds
    }

    /// The value stored under `key`, or nil. The bytes are valid until the transaction ends.
    public func get(_ database: Database, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        try checkKey(key, "mdb_get(\(database.name))")
        var k = MDB_val(key)
        var v = MDB_val()
        let rc = mdb_get(handle, database.handle, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get(\(database.name))")
        return try bounds.checked(v, "mdb_get(\(database.name))")
    }

    /// The value stored under `key`, copied out of the map.
    public func get(_ database: Database, key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        do {
            return try key.withUnsafeBytes { k in try get(database, key: k).map { Array($0) } }
        } catch let error as LMDBError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
    }

    /// Stores `value` under `key`.
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, options: PutOptions = []
    ) throws(LMDBError) {
        try checkKey(key, "mdb_put(\(database.name))")
        var k = MDB_val(key)
        var v = MDB_val(value)
        try check(mdb_put(handle, database.handle, &k, &v, options.rawValue), "mdb_put(\(database.name))")
    }

    /// Stores `value` under `key`.
    public func put(_ database: Database, key: [UInt8], value: [UInt8], options: PutOptions = []) throws(LMDBError) {
        var failure: LMDBError?
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                do throws(LMDBError) { try put(database, key: k, value: v, options: options) } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Removes `key`; returns false when it was not there.
    @discardableResult
    public func delete(_ database: Database, key: [UInt8]) throws(LMDBError) -> Bool {
        var failure: LMDBError?
        let found = key.withUnsafeBytes { k in
            do throws(LMDBError) { return try delete(database, key: k) } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return found
    }

    /// Removes `key`, given as bytes that may lie in a larger buffer; returns false when it was not there.
    @discardableResult
    public func delete(_ database: Database, key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        var kv = MDB_val(key)
        let rc = mdb_del(handle, database.handle, &kv, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del(\(database.name))")
        return true
    }

    /// Refuses an empty key or one longer than LMDB's limit before LMDB sees it, with the code LMDB would give.
    @inline(__always)
    private func checkKey(_ key: UnsafeRawBufferPointer, _ call: @autoclosure () -> String) throws(LMDBError) {
        guard key.count >= 1, key.count <= Transaction.maxKeySize else {
            throw LMDBError(code: .badValueSize, call: call() + " with a key of \(key.count) bytes")
        }
    }

    /// LMDB's longest key (`mdb_env_get_maxkeysize` of the default build).
    public static let maxKeySize = 511

    /// Removes every entry of `database`, keeping the database itself.
    public func empty(_ database: Database) throws(LMDBError) {
        try check(mdb_drop(handle, database.handle, 0), "mdb_drop(\(database.name))")
    }

    /// The names of the named databases this transaction sees (the keys of LMDB's main database), in order.
    public func databaseNames() throws -> [String] {
        var main = MDB_dbi()
        try check(mdb_dbi_open(handle, nil, 0, &main), "mdb_dbi_open(main)")
        return try withCursor(Database(handle: main, name: "")) { cursor in
            var names: [String] = []
            var entry = try cursor.first()
            while let found = entry {
                names.append(String(decoding: found.key, as: UTF8.self))
                entry = try cursor.next()
            }
            return names
        }
    }

    /// The number of entries in the database named `name`, or nil when this transaction's catalogue has no such
    /// database (nothing is created).
    public func count(named name: String) throws -> Int? {
        var dbi = MDB_dbi()
        let rc = mdb_dbi_open(handle, name, 0, &dbi)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_dbi_open(\(name))")
        return try count(Database(handle: dbi, name: name))
    }

    /// The number of entries in `database`.
    public func count(_ database: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.handle, &stat), "mdb_stat(\(database.name))")
        return stat.ms_entries
    }

    /// The bytes of the pages `database` holds (branch, leaf and overflow pages), as its statistics say: a size to
    /// order work by, at most `Int.max` (a damaged database's counts can be anything).
    public func pageBytes(_ database: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.handle, &stat), "mdb_stat(\(database.name))")
        return Transaction.pageBytes(
            pages: [stat.ms_branch_pages, stat.ms_leaf_pages, stat.ms_overflow_pages], pageSize: Int(stat.ms_psize))
    }

    /// `pages` (counts of pages) times `pageSize`, saturating at `Int.max` (negative counts, which no database has,
    /// count as none).
    static func pageBytes(pages: [Int], pageSize: Int) -> Int {
        var total = 0
        for count in pages where count > 0 {
            let (sum, overflow) = total.addingReportingOverflow(count)
            total = overflow ? .max : sum
        }
        let (bytes, overflow) = total.multipliedReportingOverflow(by: max(pageSize, 0))
        return overflow ? .max : bytes
    }

    /// Runs `body` with a cursor over `database`; the cursor is closed when `body` returns.
    public func withCursor<T>(_ database: Database, _ body: (borrowing Cursor) throws -> T) throws -> T {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open(\(database.name))")
        guard let cursor else { throw LMDBError(code: .invalid, call: "mdb_cursor_open(\(database.name))") }
        let wrapped = Cursor(handle: cursor, database: database, bounds: bounds)
        return try body(wrapped)
    }
}
