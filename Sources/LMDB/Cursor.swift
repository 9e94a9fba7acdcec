import CLMDB

/// A position in a database, for ordered scans. Lives inside `Transaction.withCursor`.
public struct Cursor: ~Copyable {
    let handle: OpaquePointer
    let database: Database
    let bounds: ValueBounds

    init(handle: OpaquePointer, database: Database, bounds: ValueBounds) {
        self.handle = handle
        self.database = database
        self.bounds = bounds
    }

    deinit { mdb_cursor_close(handle) }

    /// The first entry, or nil when the database is empty.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry, or nil when the database is empty.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The entry after the current one, or nil at the end.
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The entry before the current one, or nil at the start.
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }

    /// The first entry whose key is greater than or equal to `key`, or nil.
    public func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        var k = MDB_val(key)
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, MDB_SET_RANGE)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get(\(database.name), MDB_SET_RANGE)")
        // The call's name only when a check fails: building it on every move cost ~1 % of a rebuild.
        return Entry(
            key: try bounds.checked(k, "mdb_cursor_get(\(database.name))"),
            value: try bounds.checked(v, "mdb_cursor_get(\(database.name))"))
    }

    /// The first entry whose key is greater than or equal to `key`, or nil.
    public func seek(atLeast key: [UInt8]) throws(LMDBError) -> Entry? {
        var result: Result<Entry?, LMDBError> = .success(nil)
        key.withUnsafeBytes { k in
            do throws(LMDBError) { result = .success(try seek(atLeast: k)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Stores `value` under `key` and leaves the cursor there (a write transaction's cursor). Puts in key order through
    /// one cursor are cheaper than `Transaction.put`: a key on the page the cursor is on is found without a search
    /// from the root, and an `.append` after an append finds the last page without one.
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, options: PutOptions = []) throws(LMDBError) {
        guard key.count >= 1, key.count <= Transaction.maxKeySize else {
            throw LMDBError(code: .badValueSize, call: "mdb_cursor_put(\(database.name)) with a key of \(key.count) bytes")
        }
        var k = MDB_val(key)
        var v = MDB_val(value)
        try check(mdb_cursor_put(handle, &k, &v, options.rawValue), "mdb_cursor_put(\(database.name))")
    }

    private func move(_ op: MDB_cursor_op) throws(LMDBError) -> Entry? {
        var k = MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get(\(database.name))")
        // The call's name only when a check fails: building it on every move cost ~1 % of a rebuild.
        return Entry(
            key: try bounds.checked(k, "mdb_cursor_get(\(database.name))"),
            value: try bounds.checked(v, "mdb_cursor_get(\(database.name))"))
    }
}
