import LMDB

/// A read model kept in named databases of the store's own environment.
///
/// The store applies each new event to every projection in the same write transaction as the event, and
/// moves the projection's checkpoint with it, so a read model is never ahead of or behind the log it has seen.
/// `apply` must be a pure function of the model's current contents and the event: that is what makes a
/// rebuild byte-identical to the incrementally maintained model.
public protocol Projection: AnyObject {
    /// The fixed name that keys the checkpoint, e.g. `stream-counts`. Never derived from a type name.
    var name: String { get }
    /// The named databases this projection owns (each prefixed `rm.`); all are emptied on rebuild.
    var databaseNames: [String] { get }
    /// Receives the opened databases, in the order of `databaseNames`, once when the store opens.
    func attach(_ databases: [Database])
    /// Folds one event into the model.
    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws
}
