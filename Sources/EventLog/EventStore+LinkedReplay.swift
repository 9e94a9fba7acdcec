import Foundation
import LMDB

extension EventStore {
    /// Makes a linked replay of this live store in `destination` (created owner-only; it must be missing or empty): a
    /// folder holding only the read models as they stood at `position`, and a `docket-replay 2` marker naming this
    /// store (by absolute path), the position and the hash of the event there. Opened later, it reads its log from this
    /// store through the position (every log read is clamped there) and checks that hash first; it is read-only.
    ///
    /// The read models, byte-identical to a standalone replay's (`replay(through:asOf:into:projections:)`):
    /// - exactly at a month-end snapshot that holds every model of `projections` in its current format (and `snapshots`):
    ///   the snapshot's file itself, hard-linked into the folder and opened read-only, every model at the position — no
    ///   copy and no fold. The linked file is checked first against the manifest (its digest in pieces, or for an
    ///   older manifest its SHA-256 or each model's digest), whose digests are then reported (`verify(readModelsRebuiltIn:)` compares them
    ///   with a fold of the log). A snapshot that does not match gives one warning, is removed, and the next way is
    ///   taken (which takes it again); so is a file that cannot be linked (another file system).
    /// - otherwise: restored from the nearest snapshot before the position (checked by digest as they are copied), the
    ///   events after it folded, read from this store; month ends passed without a snapshot get one, as a standalone
    ///   replay does.
    /// It is built in a hidden folder inside `destination` and moved into place once complete (`StagedFolder`): on any
    /// failure the destination is removed again, and a replay killed half way leaves no store there. `progress` gets
    /// (position reached, position).
    public func linkedReplay(
        through position: UInt64, asOf: Timestamp? = nil, into destination: String, projections: [any Projection],
        snapshots: Bool = true, batchSize: Int = EventStore.bulkBatchSize, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> ReplayResult {
        try requireLive("make a linked replay")
        let head = try head()
        guard position >= 1, position <= head.position, let last = try event(at: position) else {
            throw EventLogError(
                .invalidEvent, "position \(position) is not in the log at \(path) (it holds 1…\(head.position))")
        }
        // Built in a hidden folder inside the destination and moved into place once complete: a replay killed half way
        // leaves no folder that opens as a store (models half folded, or a snapshot's linked file without its marker,
        // which would be opened for writing).
        let staged = try StagedFolder.begin(destination)
        do {
            let result = try linkedReplay(
                through: position, last: last, asOf: asOf, building: staged.building, projections: projections,
                snapshots: snapshots, batchSize: batchSize, progress: progress)
            try staged.publish()
            return result
        } catch {
            staged.abandon()
            throw error
        }
    }

    /// The replay of `linkedReplay(through:asOf:into:…)` built in `folder` (an empty folder); its store is closed on return.
    private func linkedReplay(
        through position: UInt64, last: RecordedEvent, asOf: Timestamp?, building folder: String, projections: [any Projection],
        snapshots: Bool, batchSize: Int, progress: (UInt64, UInt64) -> Void
    ) throws -> ReplayResult {
        let source = FileSystem.absolute(path)
        if snapshots, let inPlace = try linkSnapshot(at: position, into: folder, for: projections) {
            let marker = ReplayMarker(
                linkedTo: source, position: position, hash: last.hash, asOf: asOf, lastRecordedAt: last.recordedAt,
                snapshot: inPlace.use.month)
            try marker.write(in: folder)
            FileSystem.restrictFiles(in: folder)
            return ReplayResult(marker: marker, events: position, digests: inPlace.digests, snapshot: inPlace.use, snapshotsTaken: [])
        }
        let target = try EventStore(buildingLinkedReplayIn: folder, live: self, position: position, projections: projections)
        (target.foldThreads, target.bulkBatchBytes) = (foldThreads, bulkBatchBytes)
        let restoring = snapshots ? restoreSnapshot(atOrBefore: position, into: target) : nil
        let used = restoring?.use
        var taken: [String] = []
        for end in snapshots ? try snapshotsToTake(after: max(used?.position ?? 1, 1) - 1, through: position, for: projections) : [] {
            try target.foldLinkedLog(through: end.position, batchSize: batchSize) { done in progress(done, position) }
            do {
                try target.writeSnapshot(of: end, into: snapshotsFolder)
                taken.append(end.month)
            } catch {
                warnings("the snapshot of \(end.month) was not written: \(error)")
            }
        }
        try target.foldLinkedLog(through: position, batchSize: batchSize) { done in progress(done, position) }
        // Models restored from a snapshot at this very position were checked on the copy: not read again.
        let digests = try target.digestsWhileFlushing(known: used?.position == position ? restoring?.digests ?? [:] : [:])
        let marker = ReplayMarker(
            linkedTo: source, position: position, hash: last.hash, asOf: asOf, lastRecordedAt: last.recordedAt, snapshot: nil)
        try marker.write(in: folder)
        FileSystem.restrictFiles(in: folder)
        return ReplayResult(marker: marker, events: position, digests: digests, snapshot: used, snapshotsTaken: taken)
    }

    /// Hard-links into `destination` the file of this store's snapshot taken exactly at `position`, when there is one
    /// of this log holding every model of `projections` in its current format and its file matches the manifest
    /// (`snapshotFileProblem`); returns its use and the manifest's digests, or nil (no such snapshot, the file cannot
    /// be linked — another file system —, or it does not match: then it is removed, with a warning).
    private func linkSnapshot(
        at position: UInt64, into destination: String, for projections: [any Projection]
    ) throws -> (use: SnapshotUse, digests: [ReadModelDigest])? {
        let listings = (try? snapshots()) ?? []
        guard let listing = listings.first(where: { $0.problem == nil && $0.manifest?.position == position }),
            let manifest = listing.manifest
        else { return nil }
        let kept = projections.compactMap { manifest.model(matching: $0) }
        guard kept.count == projections.count else { return nil }
        let linked = destination + "/data.mdb"
        do {
            try FileManager.default.linkItem(atPath: listing.folder + "/data.mdb", toPath: linked)
        } catch {
            return nil
        }
        // Checked on the file linked (the same inode), so what was checked is what the replay reads.
        if let problem = snapshotFileProblem(linked, folder: listing.folder, manifest: manifest, models: kept) {
            warnings("snapshot \(listing.name) is not used: \(problem); removing it (it is taken again from the log)")
            try? FileManager.default.removeItem(atPath: linked)
            try? FileManager.default.removeItem(atPath: listing.folder)
            return nil
        }
        let digests = kept.map { ReadModelDigest(name: $0.name, checkpoint: position, entries: $0.entries, sha256: $0.sha256) }
        return (SnapshotUse(month: manifest.month, position: position, restored: kept.map(\.name)), digests)
    }

    /// Why the snapshot file `file` (of the snapshot in `folder`) does not hold what `manifest` says, nil when it does:
    /// its digest in pieces on `foldThreads` threads against the manifest's `fileDigest`; for an older manifest, its
    /// SHA-256 against `fileSHA256` (one sequential read), or, older still, the digest of each of `models` computed
    /// from the file as `readModelDigest(_:)` computes it.
    func snapshotFileProblem(_ file: String, folder: String, manifest: SnapshotManifest, models: [SnapshotManifest.Model]) -> String? {
        if let recorded = manifest.fileDigest {
            guard recorded.scheme == PieceDigest.scheme, recorded.pieceBytes > 0 else {
                return "its file digest is of an unknown kind (\(recorded.scheme))"
            }
            guard let found = try? PieceDigest.of(file: file, pieceBytes: recorded.pieceBytes, threads: foldThreads) else {
                return "its file \(file) cannot be read"
            }
            return found == recorded ? nil : "its file's digest is not the one recorded when it was taken (it was changed or damaged)"
        }
        if let recorded = manifest.fileSHA256 {
            guard let found = try? BackupManifest.digest(of: file) else { return "its file \(file) cannot be read" }
            return found.sha256 == recorded ? nil : "its file's SHA-256 is not the one recorded when it was taken (it was changed or damaged)"
        }
        do {
            var options = Environment.Options()
            options.readOnly = true
            options.checkPages = true
            let snapshot = try Environment(path: folder, options: options)
            for model in models {
                var hasher = ModelHasher()
                for name in model.databases {
                    hasher.begin(database: name)
                    let database = try snapshot.openDatabase(named: name)
                    try snapshot.read { txn in
                        try txn.withCursor(database) { cursor in
                            var entry = try cursor.first()
                            while let found = entry {
                                hasher.add(key: found.key, value: found.value)
                                entry = try cursor.next()
                            }
                        }
                    }
                }
                let digest = hasher.digest(name: model.name, checkpoint: manifest.position)
                guard digest.sha256 == model.sha256, digest.entries == model.entries else {
                    return "read model \(model.name) does not match its digest (it was changed or damaged)"
                }
            }
        } catch {
            return "it cannot be read (\(error))"
        }
        return nil
    }

    /// Folds the log into this linked replay's read models (being built), each from its checkpoint through `last`:
    /// events read once per batch from the live store (through the replay's position) and folded in one write
    /// transaction here, on `foldThreads` threads (`BulkFold`); a batch is `batchSize` events or `bulkBatchBytes` of
    /// their payloads, whichever comes first. The next batch is read and decoded on a thread of its own
    /// (`BatchPrefetch`) while this one is folded, flushed and committed; once every model stands at one position, the
    /// batches are pipelined when they can be (`pipelinedBatches`). `progress` gets the position reached.
    func foldLinkedLog(through last: UInt64, batchSize: Int, progress: (UInt64) -> Void) throws {
        let fold = BulkFold(threads: foldThreads)
        var ahead: BatchPrefetch?
        defer { _ = try? ahead?.wait() }
        while true {
            let marks = try environment.read { txn in try projections.map { try checkpoint($0.name, txn: txn) } }
            guard let low = marks.min(), low < last else { return }
            // Once every model stands at one position (from the start, unless snapshots restored some), the rest is
            // folded pipelined when it can be.
            if let lead = projections.first, marks.allSatisfy({ $0 == low }), fold.canPipeline(projections) {
                if let pending = ahead {
                    ahead = nil
                    _ = try? pending.wait()
                }
                let source = PipelineSource(
                    target: { _ in last }, read: { [self] after, through in try linkedBatch(after: after, through: through, batchSize: batchSize) })
                var committed = false
                try pipelinedBatches(
                    projections, lead: lead, fold: fold, batchSize: batchSize, sync: .durable, source: source, committed: &committed,
                    progress: { reached, _ in progress(reached) })
                return
            }
            let bound = min(last, low + UInt64(batchSize))
            let events = try BatchPrefetch.take(&ahead, first: low + 1) ?? linkedBatch(after: low, through: bound, batchSize: batchSize)
            let end = low + UInt64(events.count)
            if end < last {
                let next = min(last, end + UInt64(batchSize))
                ahead = BatchPrefetch(first: end + 1) { [self] in try linkedBatch(after: end, through: next, batchSize: batchSize) }
            }
            // Only the models at `low` are folded here (`applyProjections`); the others when the lowest reaches them.
            try environment.write { txn in try applyProjections(from: low + 1, to: end, txn: txn, decoded: (events, fold)) }
            progress(end)
        }
    }

    /// The events after `low` through `bound` from the live log, ending early after `bulkBatchBytes` of their payloads;
    /// a missing position is damage.
    private func linkedBatch(after low: UInt64, through bound: UInt64, batchSize: Int) throws -> [RecordedEvent] {
        let bound = min(bound, readLimit)
        // One read transaction of the live log, each record decoded straight into the batch (through `scan`, each
        // event was handed to a closure and copied into the batch: a retain and a release of its payload and strings).
        let (events, bytes) = try logEnvironment.read { txn in
            try txn.withCursor(db.events) { cursor -> ([RecordedEvent], Int) in
                var events: [RecordedEvent] = []
                events.reserveCapacity(Int(min(bound - low, UInt64(batchSize))))
                var bytes = 0
                var prefetch = PagePrefetch()
                var entry = try damagedAfter(low) { try cursor.seek(atLeast: Key.u64(low + 1)) }
                while let found = entry, bytes < bulkBatchBytes {
                    let position = Key.u64(found.key)
                    guard position <= bound else { break }
                    prefetch.landed(on: found.value)
                    let event = try decode(position: position, record: found.value)
                    bytes += event.payload.count
                    events.append(event)
                    entry = try damagedAfter(position) { try cursor.next() }
                }
                return (events, bytes)
            }
        }
        guard low + UInt64(events.count) == bound || bytes >= bulkBatchBytes else {
            throw EventLogError(.corrupt, "the log at \(linkedLog?.live.path ?? path) has no event at position \(low + UInt64(events.count) + 1); run docket verify")
        }
        return events
    }
}
