import LMDB

extension EventStore {
    /// The names of the projections this store keeps.
    public var projectionNames: [String] { projections.map(\.name) }

    /// A projection's checkpoint: the last position it has applied.
    public func checkpoint(of name: String) throws -> UInt64 {
        _ = try projection(named: name)
        return try environment.read { txn in try checkpoint(name, txn: txn) }
    }

    /// Empties the projection `name` and replays the whole log into it, in write transactions of
    /// `batchSize` events. Appends made meanwhile are picked up before it returns.
    /// `progress` is called after each batch with (position reached, head).
    public func rebuild(
        _ name: String, batchSize: Int = EventStore.bulkBatchSize, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws {
        try rebuild([name], batchSize: batchSize, progress: progress)
    }

    /// Empties the projections `names` and replays the log into all of them in one scan (each batch of
    /// `batchSize` events is read and decoded once and folded into every model, in one write transaction).
    /// Appends made meanwhile are picked up before it returns. `progress` as for `rebuild(_:batchSize:progress:)`.
    public func rebuild(
        _ names: [String], batchSize: Int = EventStore.bulkBatchSize, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws {
        let chosen = try names.map { try projection(named: $0) }
        try requireWritable()
        try environment.write { txn in
            for projection in chosen {
                for database in db.projections[projection.name] ?? [] { try txn.empty(database) }
                try setCheckpoint(projection.name, to: 0, txn: txn)
            }
        }
        try catchUp(chosen, batchSize: batchSize, progress: progress)
    }

    /// Brings every projection that is behind the head up to it (a projection added since the log was
    /// written, or whose format changed, starts at checkpoint 0). Projections at the same checkpoint are
    /// caught up together, in one scan. Returns the names of those it moved, in their order.
    /// `progress` is called after each batch with (the names being caught up, joined by `, `; position; head).
    @discardableResult
    public func catchUpProjections(progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) throws -> [String] {
        let (marks, ownHead) = try environment.read { txn in
            (try projections.map { try checkpoint($0.name, txn: txn) }, linkedLog == nil ? try LogWriter.readHead(txn: txn, db: db).position : nil)
        }
        // A linked replay's log is the live store's, read through its position: its head is not in this environment.
        let head = try ownHead ?? self.head().position
        var groups: [UInt64: [any Projection]] = [:]
        for (projection, mark) in zip(projections, marks) where mark < head { groups[mark, default: []].append(projection) }
        guard !groups.isEmpty else { return [] }
        try requireWritable()
        for mark in groups.keys.sorted() {
            let group = groups[mark] ?? []
            let label = group.map(\.name).joined(separator: ", ")
            try catchUp(group, batchSize: EventStore.bulkBatchSize) { progress(label, $0, $1) }
        }
        let moved = Set(groups.values.joined().map(\.name))
        return projections.map(\.name).filter(moved.contains)
    }

    /// Folds the log from the projections' common checkpoint up to the head into all of them, one batch per
    /// write transaction (`batchSize` events or `bulkBatchBytes`, whichever comes first), until the head stops moving. Every projection in `group` is at the same checkpoint.
    /// Each batch is read and decoded once, then folded on `foldThreads` threads (`BulkFold`) and flushed. The batches
    /// are committed with their meta pages deferred (`Environment.CommitSync.metaDeferred`: each commit puts the one
    /// before on the disk) and the last flushed before it returns: a crash of the machine in between may undo the last
    /// batch, which leaves the models behind the log, caught up again on the next open.
    private func catchUp(
        _ group: [any Projection], batchSize: Int, progress: (UInt64, UInt64) -> Void
    ) throws {
        guard let lead = group.first else { return }
        try reserveMap(for: lead)
        let fold = BulkFold(threads: foldThreads)
        var committed = false
        do {
            try foldBatches(group, lead: lead, fold: fold, batchSize: batchSize, committed: &committed, progress: progress)
        } catch {
            if committed { try? flushDeferredCommits() }
            throw error
        }
        if committed { try flushDeferredCommits() }
    }

    /// Grows the map before a catch-up by twice the bytes the log holds after `lead`'s checkpoint, so no batch fills
    /// it midway and is folded twice (`Environment.reserve`). The read models' rows are fewer bytes than the events,
    /// but their pages are not packed as the log's are (rows are put in key order within a batch, not appended).
    private func reserveMap(for lead: any Projection) throws {
        let (logBytes, mark, head) = try environment.read { txn in
            (try txn.pageBytes(db.events), try checkpoint(lead.name, txn: txn), try LogWriter.readHead(txn: txn, db: db).position)
        }
        guard head > mark else { return }
        // Saturating (`reserve` then grows the map to its most): the log's page count is a statistic, which a damaged
        // database can make anything.
        let (bytes, overflow) = (logBytes / Int(head)).multipliedReportingOverflow(by: 2 * Int(head - mark))
        try environment.reserve(overflow ? .max : bytes)
    }

    /// The batches of `catchUp`, each committed with its meta page deferred; `committed` is set once one wrote. The next
    /// batch is read and decoded on a thread of its own (`BatchPrefetch`) while this one is folded, flushed and committed.
    /// When the fold can pipeline the batches (`BulkFold.canPipeline`), they are (`pipelinedBatches`).
    private func foldBatches(
        _ group: [any Projection], lead: any Projection, fold: BulkFold, batchSize: Int, committed: inout Bool,
        progress: (UInt64, UInt64) -> Void
    ) throws {
        if fold.canPipeline(group) {
            let source = PipelineSource(
                target: { [db] txn in try LogWriter.readHead(txn: txn, db: db).position },
                read: { [self] after, through in try environment.read { txn in try readBatch(after: after, through: through, txn: txn) } })
            try pipelinedBatches(
                group, lead: lead, fold: fold, batchSize: batchSize, sync: .metaDeferred, source: source, committed: &committed,
                progress: progress)
            return
        }
        var ahead: BatchPrefetch?
        defer { _ = try? ahead?.wait() }
        while true {
            let (reached, head) = try environment.write(sync: .metaDeferred) { txn -> (UInt64, UInt64) in
                let head = try LogWriter.readHead(txn: txn, db: db).position
                let mark = try checkpoint(lead.name, txn: txn)
                guard mark < head else { return (mark, head) }
                committed = true
                let bound = min(head, mark + UInt64(batchSize))
                let events = try BatchPrefetch.take(&ahead, first: mark + 1) ?? readBatch(after: mark, through: bound, txn: txn)
                let last = events.last?.position ?? bound
                try applying(group, txn: txn) {
                    try fold.fold(events, into: group, store: self, txn: txn)
                    if last < head {
                        let next = min(head, last + UInt64(batchSize))
                        ahead = BatchPrefetch(first: last + 1) { [self] in
                            try environment.read { txn in try readBatch(after: last, through: next, txn: txn) }
                        }
                    }
                }
                for projection in group { try setCheckpoint(projection.name, to: last, txn: txn) }
                return (last, head)
            }
            progress(reached, head)
            if reached >= head { return }
        }
    }

    /// The events after `mark` through `bound`, decoded, ending early after `bulkBatchBytes` of records.
    private func readBatch(after mark: UInt64, through bound: UInt64, txn: borrowing Transaction) throws -> [RecordedEvent] {
        try txn.withCursor(db.events) { cursor in
            var events: [RecordedEvent] = []
            events.reserveCapacity(Int(bound - mark))
            var bytes = 0
            var prefetch = PagePrefetch()
            var entry = try cursor.seek(atLeast: Key.u64(mark + 1))
            while let found = entry, Key.u64(found.key) <= bound, bytes < bulkBatchBytes {
                prefetch.landed(on: found.value)
                events.append(try decode(position: Key.u64(found.key), record: found.value))
                bytes += found.value.count
                entry = try cursor.next()
            }
            return events
        }
    }

    /// The `rm.` databases in the file that no projection of this store owns, and the checkpoint keys no projection
    /// uses: what an older format of a read model left behind (`queue` before `queue-v2`, …).
    public func staleReadModels() throws -> (databases: [String], checkpoints: [String]) {
        let owned = Set(projections.flatMap(\.databaseNames))
        let databases = try environment.databaseNames().filter { $0.hasPrefix("rm.") && !owned.contains($0) }
        let keys = Set(projections.map(\.checkpointKey))
        let checkpoints = try environment.read { txn in
            guard let checkpointsDatabase = db.checkpoints else { return [String]() }
            return try txn.withCursor(checkpointsDatabase) { cursor in
                var stale: [String] = []
                var entry = try cursor.first()
                while let found = entry {
                    let key = String(decoding: found.key, as: UTF8.self)
                    if !keys.contains(key) { stale.append(key) }
                    entry = try cursor.next()
                }
                return stale
            }
        }
        return (databases, checkpoints)
    }

    /// Deletes what `staleReadModels()` finds: the databases (freeing their slots) and the checkpoint keys. Call it
    /// only on a store opened with every read model of the application (`ReadModels().all`): a database of a model
    /// left out would count as stale. Returns the names of the databases it dropped.
    @discardableResult
    public func dropStaleReadModels() throws -> [String] {
        let stale = try staleReadModels()
        guard !stale.databases.isEmpty || !stale.checkpoints.isEmpty else { return [] }
        try requireWritable()
        for name in stale.databases { try environment.dropDatabase(named: name) }
        try environment.write { txn in
            guard let checkpoints = db.checkpoints else { return }
            for key in stale.checkpoints { _ = try txn.delete(checkpoints, key: Array(key.utf8)) }
        }
        return stale.databases
    }

    func projection(named name: String) throws -> any Projection {
        guard let found = projections.first(where: { $0.name == name }) else {
            let known = projections.map(\.name).joined(separator: ", ")
            throw EventLogError(.unknownProjection, "there is no read model named '\(name)'; known: \(known)")
        }
        return found
    }

    /// Every key and value of the projection's databases, in order: for comparing two builds byte for byte.
    public func dump(projection name: String) throws -> [[UInt8]] {
        _ = try projection(named: name)
        return try environment.read { txn in
            var out: [[UInt8]] = []
            for database in db.projections[name] ?? [] {
                out.append(Array(database.name.utf8))
                try txn.withCursor(database) { cursor in
                    var entry = try cursor.first()
                    while let found = entry {
                        out.append(Array(found.key))
                        out.append(Array(found.value))
                        entry = try cursor.next()
                    }
                }
            }
            return out
        }
    }
}
