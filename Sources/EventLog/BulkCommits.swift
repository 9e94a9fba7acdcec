import LMDB

/// The many transactions of one bulk append (`docket event append --stdin --batch N`), each acknowledged only once it
/// is on the disk, with two fewer waits for the disk per transaction than `EventStore.append(_:)`:
///
/// - every transaction but the last is committed with its meta page deferred (`Environment.CommitSync.metaDeferred`:
///   its data pages flushed, the meta page written without waiting). The next commit flushes the file before it
///   writes its own meta page, which puts the one before on the disk; ``finish()`` flushes the last one
///   (`Environment.sync()`);
/// - a transaction is acknowledged (`acknowledge` is called with its last position, in order) and anchored only once it
///   is on the disk: after the next commit, or in ``finish()``. The anchors are written without waiting, and the
///   anchors file synced once, in ``finish()``.
///
/// So an acknowledged position is durable, as with `append(_:)`; no anchor is ever ahead of what the disk holds; and a
/// crash of the machine undoes at most the one transaction that was committed but not acknowledged (LMDB keeps the
/// file consistent: docs/security.md, "A bulk append"). Call ``finish()`` after the last batch, and after a batch that
/// failed: the batches before it stay committed, and are acknowledged there.
///
/// With group commit on (the server runs the command), each batch is an ordinary `append(_:)`, acknowledged at once.
public final class BulkCommits {
    private let store: EventStore
    private let acknowledge: (UInt64) -> Void
    /// The head after the last commit that wrote, while its meta page is not known to be on the disk; not anchored yet.
    private var unanchored: LogHead?
    /// The last positions of the transactions not acknowledged yet, in order (a transaction of retries only has the
    /// positions its commands first wrote: acknowledged with the transactions before it).
    private var waiting: [UInt64] = []
    /// Whether an anchor was written without waiting since the anchors file was last synced.
    private var anchorsUnsynced = false
    /// Lays the batches out ahead of their transactions (`plan`), and lets the committed ones go; nil with group commit on.
    let planner: AppendPlanner?

    /// A bulk append to `store`; `acknowledge` hears the last position of each transaction once it is on the disk.
    public init(store: EventStore, acknowledge: @escaping (UInt64) -> Void) {
        self.store = store
        self.acknowledge = acknowledge
        self.planner = store.groupCommit.isEnabled ? nil : AppendPlanner(store: store)
    }

    /// Appends `requests` in one transaction, all or nothing, as `EventStore.append(_:)` does, and acknowledges the
    /// transactions before it that this commit put on the disk. Returns the results.
    @discardableResult
    public func append(_ requests: [AppendRequest]) throws -> [AppendResult] {
        try append(PlannedBatch(requests: requests, index: -1, layout: nil))
    }

    /// `requests` as the next batch, its records laid out ahead of its transaction when the planner can (`AppendPlanner`):
    /// call it on the thread that reads the batches, in order, and hand each to `append(_:)` in the same order. With
    /// group commit on, the batch is left as it is.
    public func plan(_ requests: [AppendRequest]) -> PlannedBatch {
        guard let planner else { return PlannedBatch(requests: requests, index: -1, layout: nil) }
        return planner.plan(requests)
    }

    /// Appends `batch` as `append(_:)` appends its requests, writing its layout when it still holds.
    @discardableResult
    public func append(_ batch: PlannedBatch) throws -> [AppendResult] {
        if store.groupCommit.isEnabled {
            let results = try store.append(batch.requests)
            if let last = results.last { acknowledge(last.positions.upperBound) }
            return results
        }
        let results: [AppendResult], head: LogHead?
        do {
            try store.requireNoRollbackSuspicion()
            let asLaidOut: Bool
            (results, head, asLaidOut) = try store.commit(batch, sync: .metaDeferred)
            if batch.index >= 0 { planner?.committed(batch.index, asLaidOut: asLaidOut) }
        } catch {
            // Rolled back: the store is as the batch found it, which the planner reads again.
            if batch.index >= 0 { planner?.committed(batch.index, asLaidOut: false) }
            throw error
        }
        if let head {
            // A commit that wrote flushed the file before it wrote its meta page: what came before is on the disk.
            // (One that only found retries wrote nothing and flushed nothing.)
            settle()
            unanchored = head
        }
        if let last = results.last { waiting.append(last.positions.upperBound) }
        if batch.index >= 0 { planner?.retire(batch) }
        return results
    }

    /// Puts the last transaction on the disk (`EventStore.flushDeferredCommits()`), anchors and acknowledges what is left, and syncs
    /// the anchors file once for every anchor written without waiting. Throws when the store cannot be flushed: the
    /// last transaction is then neither anchored nor acknowledged (a crash of the machine may undo it).
    public func finish() throws {
        if unanchored != nil { try store.flushDeferredCommits() }
        settle()
        if anchorsUnsynced {
            store.syncAnchors()
            anchorsUnsynced = false
        }
    }

    /// Anchors (without waiting) the head that is now on the disk, and acknowledges the transactions waiting.
    private func settle() {
        if let head = unanchored {
            store.recordAnchor(head, sync: false)
            anchorsUnsynced = true
            unanchored = nil
        }
        for position in waiting { acknowledge(position) }
        waiting.removeAll()
    }
}
