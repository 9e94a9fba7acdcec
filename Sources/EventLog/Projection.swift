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
    /// The fixed name of the model, e.g. `stream-counts`. Never derived from a type name.
    var name: String { get }
    /// The version of the model's row format (1 unless stated). It derives the model's database names and
    /// checkpoint key (`databaseNames`, `checkpointKey`), so a change of row format is this one number: every
    /// store then rebuilds the model on its next open, and the CLI drops the old format's databases.
    var format: Int { get }
    /// The model's tables, e.g. `["tickets", "by-due"]`: one named database each, all emptied on rebuild.
    var tables: [String] { get }
    /// Receives the model's opened databases, by table, once when the store opens.
    func attach(_ tables: ReadModelTables)
    /// Folds one event into the model.
    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws
    /// The events `apply` may change the model for, by stream and type (nil, the default: any event). A bulk fold and an
    /// append pass the others over without calling `apply` (a call copied the event, retaining and releasing its
    /// strings and payload, and most models pass over most events; `EventStore.routesAppends`); `verify`'s scratch
    /// store applies every event. So it may name more events than `apply` reads, never fewer: the models are then the
    /// bytes of applying every event.
    var interest: EventInterest? { get }
    /// Writes what `apply` kept in memory during this transaction, and forgets it. Called once after the
    /// transaction's last `apply`, before the checkpoint moves. After `prepareFlush` it writes what that call
    /// sealed (see `sealsBatches`). The default does nothing.
    func flush(in txn: borrowing Transaction) throws
    /// Does what it can of `flush` without the transaction (e.g. encode the changed rows), on the calling thread. A bulk
    /// fold calls it after a batch's last `apply`, on the thread that folded the model, so that the write transaction's
    /// thread has less to do at `flush`; `flush` must write the same bytes whether it was called or not, and must
    /// still be called. The default does nothing.
    func prepareFlush() throws
    /// True when `prepareFlush` seals the batch: it sets apart what `flush` will write, the next `apply`s start the next
    /// batch and read what was sealed as if it were stored, and the next `flush` writes the sealed batch only (the kit's
    /// tables do this; see `RowTable.prepareFlush`). A bulk fold may then fold a batch before the one before it is
    /// written and committed: the next batch on other threads while the writer flushes and commits this one (see
    /// `BulkFold`). `flush` and the next batch's `apply`s may then run at the same time, on two threads. False by default.
    var sealsBatches: Bool { get }
    /// Work shared with other projections that a bulk fold does once per batch before any projection folds it: a bulk
    /// fold on several threads (`BulkFold`) calls it for every projection, in their order, on each thread before that
    /// thread takes the batch's tasks — so calls for one batch may come from several threads at once, and a projection
    /// that shares the work out lets them share it (e.g. decodes into a memo the events several models read, so that
    /// models folding the batch at the same time on two threads do not both decode one event: `TicketChanges`). It must
    /// not change what `apply` does: errors are left for `apply` to meet. The default does nothing; appends and
    /// one-thread folds do not call it.
    func prepare(_ events: [RecordedEvent])
    /// Forgets what `apply` kept in memory without writing it: the transaction will not commit (or has not
    /// started). The default does nothing.
    func discardPending()
    /// True when `apply` only reads through its transaction and keeps every change in memory until `flush` (a
    /// `RowTable` or `RawTable` of the kit does both). A bulk fold (rebuild, catch-up, replay) may then fold the model
    /// on another thread, in a read transaction that sees what the earlier batches committed, while the write
    /// transaction's thread folds others (see `BulkFold`). False by default: the model folds in the write transaction.
    var foldsInMemory: Bool { get }
}

extension Projection {
    public var format: Int { 1 }
    public var interest: EventInterest? { nil }
    /// The databases of the model's tables: `rm.<name>.<table>` in format 1, `rm.<name><format>.<table>` after.
    public var databaseNames: [String] {
        tables.map { format == 1 ? "rm.\(name).\($0)" : "rm.\(name)\(format).\($0)" }
    }
    /// The key of the model's checkpoint in `checkpoints`: `name` in format 1, `<name>-v<format>` after (so a
    /// store written with an older format has checkpoint 0 for the new one and catches it up on open).
    public var checkpointKey: String { format == 1 ? name : "\(name)-v\(format)" }
    public func flush(in txn: borrowing Transaction) throws {}
    public func prepareFlush() throws {}
    public func discardPending() {}
    public var foldsInMemory: Bool { false }
    public var sealsBatches: Bool { false }
    public func prepare(_ events: [RecordedEvent]) {}
}

/// A read model's databases by table name, handed to its projection when the store opens.
public struct ReadModelTables: Sendable {
    private let databases: [String: Database]

    /// No tables (a projection not attached yet).
    public init() { databases = [:] }

    init(_ databases: [String: Database]) { self.databases = databases }

    /// The database of `table`, one of the projection's `tables` (the store opens every one of them).
    public subscript(table: String) -> Database {
        guard let database = databases[table] else {
            preconditionFailure("read-model table \(table) was not declared in `tables`, or the store has not opened it")
        }
        return database
    }
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

/// The events a projection's `apply` may change its model for (`Projection.interest`): those on a stream whose name
/// starts with one of `streamPrefixes` (any stream when there are none) and, when `types` is given, of one of them.
public struct EventInterest: Sendable {
    /// The starts of the streams' names; empty: any stream.
    public let streamPrefixes: [StaticString]
    /// The types; nil: any type.
    public let types: EventTypes?

    public init(streamPrefixes: [StaticString] = [], types: EventTypes? = nil) {
        self.streamPrefixes = streamPrefixes
        self.types = types
    }
}
