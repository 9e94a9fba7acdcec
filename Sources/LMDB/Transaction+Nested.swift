import CLMDB

extension Transaction {
    /// Runs `body` in a child transaction of this write transaction: its writes join this transaction when `body`
    /// returns, and only they are undone when it throws (this transaction stays usable). The group commit uses it to
    /// apply many commands in one durable transaction, a refused one not failing its neighbours.
    public func nested<T>(_ body: (borrowing Transaction) throws -> T) throws -> T {
        precondition(!isReadOnly, "nested transactions are for write transactions")
        var child: OpaquePointer?
        try check(mdb_txn_begin(mdb_txn_env(handle), handle, 0, &child), "mdb_txn_begin(nested)")
        guard let child else { throw LMDBError(code: .invalid, call: "mdb_txn_begin(nested)") }
        let result: T
        do {
            result = try body(Transaction(handle: child, isReadOnly: false, bounds: bounds))
        } catch {
            mdb_txn_abort(child)
            throw error
        }
        try check(mdb_txn_commit(child), "mdb_txn_commit(nested)")
        return result
    }
}
