import LMDB

/// A read model kept in named databases of the store's own environment.
///
/// The store applies each new event to every projection in the same write transaction as the event, and
/// moves the projection's checkpoint with it, so a read model is never ahead of or behind the log it has seen.
/// `apply` must be a pure function of the model's current contents and the event: that is what makes a
/// rebuild byte-identical to the incrementally maintained model.
///
/// Within one write transaction the store calls `discardPending()`, then `apply` for each event in order, then
/// `flush(in:)` once before it moves the checkpoint and commits; if anything fails in between it calls
/// `discardPending()` again. So a projection may keep the rows it changes in memory for the span of a
/// transaction (one append, or one rebuild or replay batch) and write each one once, at `flush`.
public protocol Projection: AnyObject {
    /// The fixed name that keys the checkpoint, e.g. `stream-counts`. Never derived from a type name.
    var name: String { get }
    /// The key of its checkpoint in `checkpoints`; `name` unless the model's rows changed format, when a new
    /// key (e.g. `queue-v2`) makes every existing store start the model afresh at 0 and catch it up on open.
    var checkpointKey: String { get }
    /// The named databases this projection owns (each prefixed `rm.`); all are emptied on rebuild.
    var databaseNames: [String] { get }
    /// Receives the opened databases, in the order of `databaseNames`, once when the store opens.
    func attach(_ databases: [Database])
    /// Folds one event into the model.
    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws
    /// Writes what `apply` kept in memory during this transaction, and forgets it. Called once after the
    /// transaction's last `apply`, before the checkpoint moves. The default does nothing.
    func flush(in txn: borrowing Transaction) throws
    /// Forgets what `apply` kept in memory without writing it: the transaction will not commit (or has not
    /// started). The default does nothing.
    func discardPending()
}

extension Projection {
    public var checkpointKey: String { name }
    public func flush(in txn: borrowing Transaction) throws {}
    public func discardPending() {}
}

extension EventStore {
    /// Runs `body`, which applies one transaction's events to `projections`, between the hooks of
    /// `Projection`: anything pending from an aborted transaction is dropped first, the projections flush
    /// after it, and on any failure they drop what they kept so nothing leaks into the next transaction.
    func applying(
        _ projections: [any Projection], txn: borrowing Transaction, _ body: () throws -> Void
    ) throws {
        for projection in projections { projection.discardPending() }
        do {
            try body()
            for projection in projections { try projection.flush(in: txn) }
        } catch {
            for projection in projections { projection.discardPending() }
            throw error
        }
    }
}
