import LMDB

extension EventStore {
    /// Where a pipelined fold (`pipelinedBatches`) finds its batches.
    struct PipelineSource {
        /// The position to fold through, read in each batch's write transaction (the head, for a catch-up).
        let target: (borrowing Transaction) throws -> UInt64
        /// The events after a position through another (or fewer: a batch may end at a byte bound), decoded, in a
        /// transaction of its own; called on another thread.
        let read: @Sendable (UInt64, UInt64) throws -> [RecordedEvent]
    }

    /// Folds `group` (every projection at `lead`'s checkpoint) through `source.target`, one batch of up to `batchSize`
    /// events per write transaction (committed with `sync`), pipelined: as soon as every task of a batch is done (each
    /// projection's fold sealed), the other threads of the fold start taking the next batch's tasks — reading this one's
    /// rows back from what each projection sealed, in read transactions that do not see them yet — while the writer's
    /// thread flushes and commits this one, then takes what is left of the next in the next write transaction (see
    /// `BulkFold`). So the other cores are not idle while the writer writes. The next batch is read and decoded on a
    /// thread of its own (`BatchPrefetch`) meanwhile.
    ///
    /// The rows and checkpoints committed are those of folding the batches one after the other. On any failure the
    /// next batch's tasks are stopped and waited for, and every projection drops what it kept; at the end they drop
    /// what they sealed (it is committed), so later transactions read the tables. `committed` is set once a batch
    /// wrote; `progress` gets the position reached and the target after each batch.
    func pipelinedBatches(
        _ group: [any Projection], lead: any Projection, fold: BulkFold, batchSize: Int, sync: Environment.CommitSync,
        source: PipelineSource, committed: inout Bool, progress: (UInt64, UInt64) -> Void
    ) throws {
        var ahead: BatchPrefetch?
        /// The next batch, its tasks taken by the other threads since before this batch was flushed.
        var next: BulkFold.Batch?
        func readAhead(after last: UInt64, target: UInt64) -> BatchPrefetch {
            let (through, read) = (min(target, last + UInt64(batchSize)), source.read)
            return BatchPrefetch(first: last + 1) { try read(last, through) }
        }
        for projection in group { projection.discardPending() }
        defer {
            if let next { fold.cancel(next) }
            _ = try? ahead?.wait()
            for projection in group { projection.discardPending() }
        }
        while true {
            let (reached, target) = try environment.write(sync: sync) { txn -> (UInt64, UInt64) in
                let target = try source.target(txn)
                let mark = try checkpoint(lead.name, txn: txn)
                guard mark < target else { return (mark, target) }
                committed = true
                let batch: BulkFold.Batch
                if let started = next, started.events.first?.position == mark + 1 {
                    batch = started
                } else {
                    // Not the batch after the one committed: this transaction runs again (the map grew when the one
                    // before filled it, after the next batch had started). Nothing kept or sealed is trusted: the
                    // batch is folded again from what is committed.
                    if let stale = next {
                        fold.cancel(stale)
                        for projection in group { projection.discardPending() }
                    }
                    let events = try BatchPrefetch.take(&ahead, first: mark + 1) ?? source.read(mark, min(target, mark + UInt64(batchSize)))
                    let last = events.last?.position ?? min(target, mark + UInt64(batchSize))
                    if last < target { ahead = readAhead(after: last, target: target) }
                    batch = fold.start(events, into: group, store: self, upcoming: ahead)
                }
                next = nil
                // The batch after this one is being read already (`ahead`), whichever way this one began.
                let last = batch.events.last?.position ?? min(target, mark + UInt64(batchSize))
                try fold.finish(batch, txn: txn)
                // Only a batch folded as tasks is sealed: the next may start before it is written.
                if batch.tasked, last < target, let events = BatchPrefetch.take(&ahead, first: last + 1) {
                    if let end = events.last?.position, end < target { ahead = readAhead(after: end, target: target) }
                    next = fold.start(events, into: group, store: self, upcoming: ahead)
                }
                for projection in group { try projection.flush(in: txn) }
                for projection in group { try setCheckpoint(projection.name, to: last, txn: txn) }
                return (last, target)
            }
            progress(reached, target)
            if reached >= target { return }
        }
    }
}
