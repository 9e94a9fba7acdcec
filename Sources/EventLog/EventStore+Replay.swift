import Foundation
import LMDB

/// What `replay(through:asOf:into:projections:)` made.
public struct ReplayResult: Sendable {
    /// The marker written into the replay folder.
    public let marker: ReplayMarker
    /// The number of events copied (equal to `marker.position`).
    public let events: UInt64
    /// Each read model's digest in the replay, in the order of the projections.
    public let digests: [ReadModelDigest]
    /// The month-end snapshot the replay started from (only the events after it were folded), nil for a full fold.
    public let snapshot: SnapshotUse?
    /// The months whose snapshots the replay wrote as it passed their ends (`2026-10`), in order.
    public let snapshotsTaken: [String]
}

extension EventStore {
    /// Refuses a write to a store opened read-only, naming why it is read-only.
    func requireWritable() throws {
        // A linked replay's log is the live store's: even while its read models are built, it is never appended to.
        guard isReadOnly || linkedLog != nil else { return }
        if let replay {
            let path = path
            throw EventLogError(.readOnly) { time in
                "the store at \(path) is \(replay.summary(time: time)) and is read-only; write to the live store instead"
            }
        }
        throw EventLogError(.readOnly, "the store at \(path) is open read-only")
    }

    static func missingDatabase(_ name: String, model: String?, path: String, replay: ReplayMarker?) -> EventLogError {
        if let model, replay != nil {
            return EventLogError(
                .readOnly,
                "the replay at \(path) has no read model '\(model)' (it was made by an older docket); "
                    + "make it again with docket replay")
        }
        return EventLogError(.corrupt, "\(path) is not a Docket store (database '\(name)' is missing)")
    }

    /// Makes a replay: a new store in `destination` (created owner-only; it must be missing or empty)
    /// holding this log's events 1 through `position` byte for byte — positions, stream versions,
    /// recorded-at times, hashes and the stream and command indexes — with `projections` built from
    /// them, and a `REPLAY` marker that makes it read-only from then on. This store is only read.
    ///
    /// The copy re-chains every hash and checks gapless positions and stream versions, so a damaged
    /// log fails with `.corrupt` naming the position. It is built in a hidden folder inside `destination` and moved into
    /// place once complete (`StagedFolder`): on any failure the destination is removed again, and a replay killed half
    /// way leaves no store there. `progress` is called after each batch with (position reached, position).
    ///
    /// With `snapshots` the read models start from the nearest month-end snapshot at or before `position`
    /// (`restoreSnapshot`, checked by digest) and only the events after it are folded; the bytes are the same.
    /// Month ends passed on the way that have no snapshot yet get one (not when this store is itself a replay).
    public func replay(
        through position: UInt64, asOf: Timestamp? = nil, into destination: String, projections: [any Projection],
        batchSize: Int = EventStore.bulkBatchSize, snapshots: Bool = true, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> ReplayResult {
        try replay(
            through: position, asOf: asOf, into: destination, projections: projections, batchSize: batchSize,
            snapshots: snapshots, restoringAtOrBefore: position, progress: progress)
    }

    /// `replay(through:asOf:into:projections:batchSize:snapshots:progress:)`, restoring no snapshot after `restorable`.
    func replay(
        through position: UInt64, asOf: Timestamp?, into destination: String, projections: [any Projection],
        batchSize: Int, snapshots: Bool, restoringAtOrBefore restorable: UInt64, progress: (UInt64, UInt64) -> Void
    ) throws -> ReplayResult {
        let head = try head()
        guard position >= 1, position <= head.position else {
            throw EventLogError(
                .invalidEvent, "position \(position) is not in the log at \(path) (it holds 1…\(head.position))")
        }
        // Built in a hidden folder inside the destination and moved into place once complete: a replay killed half way
        // leaves no folder that opens as a store (a log prefix, models half folded).
        let staged = try StagedFolder.begin(destination)
        do {
            let result = try replay(
                through: position, asOf: asOf, building: staged.building, projections: projections, batchSize: batchSize,
                snapshots: snapshots, restoringAtOrBefore: restorable, progress: progress)
            try staged.publish()
            return result
        } catch {
            staged.abandon()
            throw error
        }
    }

    /// The replay of `replay(through:asOf:into:…)` built in `folder` (an empty folder); its store is closed on return.
    private func replay(
        through position: UInt64, asOf: Timestamp?, building folder: String, projections: [any Projection],
        batchSize: Int, snapshots: Bool, restoringAtOrBefore restorable: UInt64, progress: (UInt64, UInt64) -> Void
    ) throws -> ReplayResult {
        // Batches are committed without fsync and the whole replay is flushed once at the end, before the
        // marker is written: a replay cut short is removed and made again, so no batch needs to be durable alone.
        var options = Environment.Options()
        options.durable = false
        let target = try EventStore(path: folder, options: options, clock: clock, projections: projections)
        (target.foldThreads, target.bulkBatchBytes) = (foldThreads, bulkBatchBytes)
        if try hasTestClock { try target.markTestClock() }  // a replay of a test store is a test store
        let restoring = snapshots ? restoreSnapshot(atOrBefore: restorable, into: target) : nil
        let used = restoring?.use
        var taken: [String] = []
        var reached: UInt64 = 0
        for end in snapshots ? try snapshotsToTake(after: max(used?.position ?? 1, 1) - 1, through: position, for: projections) : [] {
            try copyRecords(from: reached + 1, through: end.position, into: target, batchSize: batchSize) { done, _ in progress(done, position) }
            try target.catchUpProjections()
            reached = end.position
            do {
                try target.writeSnapshot(of: end, into: snapshotsFolder)
                taken.append(end.month)
            } catch {
                warnings("the snapshot of \(end.month) was not written: \(error)")
            }
        }
        try copyRecords(from: reached + 1, through: position, into: target, batchSize: batchSize) { done, _ in progress(done, position) }
        try target.catchUpProjections()
        let last = try target.head()
        // Models restored from a snapshot at this very position were checked on the copy: not read again.
        let digests = try target.digestsWhileFlushing(known: used?.position == position ? restoring?.digests ?? [:] : [:])
        let marker = ReplayMarker(source: path, position: position, asOf: asOf, lastRecordedAt: last.recordedAt)
        try marker.write(in: folder)
        FileSystem.restrictFiles(in: folder)
        return ReplayResult(marker: marker, events: position, digests: digests, snapshot: used, snapshotsTaken: taken)
    }

    /// Copies events 1 through `position` (clamped to the head) into `target`, an empty writable store,
    /// in write transactions of `batchSize` events that also apply the target's projections (one fsync
    /// per batch). Returns the target's head.
    @discardableResult
    public func copyLog(
        through position: UInt64, into target: EventStore, batchSize: Int = EventStore.bulkBatchSize,
        progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> LogHead {
        try target.requireWritable()
        guard try target.head().position == 0 else {
            throw EventLogError(.storeNotEmpty, "the store at \(target.path) already holds events; give a new or empty folder")
        }
        try copyRecords(from: 1, through: position, into: target, batchSize: batchSize, progress: progress)
        return try target.head()
    }

    /// Copies events `next` through `position` (clamped to the head) into `target`, whose log holds exactly the
    /// events before `next`, as `copyLog` does. `progress` is called after each batch with (position reached, position).
    func copyRecords(
        from next: UInt64, through position: UInt64, into target: EventStore, batchSize: Int,
        progress: (UInt64, UInt64) -> Void
    ) throws {
        let last = min(position, try head().position)
        var next = next
        let fold = BulkFold(threads: target.foldThreads)
        while next <= last {
            let batchEnd = min(last, next + UInt64(batchSize) - 1)
            var reached = next - 1
            // Straight from this log's map into the target's: a read transaction here beside the target's write
            // (two environments). A write retried after the target's map grew starts again at `next`. A batch ends at
            // `batchEnd` or after `bulkBatchBytes` of records, whichever comes first.
            try logEnvironment.read { source in
                try source.withCursor(db.events) { cursor in
                    try target.environment.write { txn in
                        var writer = try LogWriter(txn: txn, db: target.db)
                        let first = writer.head.position + 1
                        // Events are decoded only when a model folds them here (not those restored from a snapshot
                        // past this batch), and then folded as decoded, not read back from the new log.
                        let folding = try target.projections.contains { try target.checkpoint($0.name, txn: txn) == first - 1 }
                        var decoded: [RecordedEvent] = []
                        var entry = try cursor.seek(atLeast: Key.u64(next))
                        var expected = next
                        var bytes = 0
                        var prefetch = PagePrefetch()
                        while let found = entry, expected <= batchEnd, bytes < target.bulkBatchBytes {
                            guard found.key.count == 8, Key.u64(found.key) == expected else { break }
                            prefetch.landed(on: found.value)
                            try writer.write(copied: found.value, source: path, txn: txn)
                            if folding { decoded.append(try decode(position: expected, record: found.value)) }
                            bytes += found.value.count
                            expected += 1
                            entry = try cursor.next()
                        }
                        guard expected > batchEnd || bytes >= target.bulkBatchBytes else {
                            throw EventLogError(
                                .corrupt, "the log at \(path) has no event at position \(expected); run docket verify")
                        }
                        reached = expected - 1
                        try writer.finish(txn: txn)
                        if folding { try target.applyProjections(from: first, to: writer.head.position, txn: txn, decoded: (decoded, fold)) }
                    }
                }
            }
            progress(reached, last)
            next = reached + 1
        }
    }
}

extension LogWriter {
    /// Writes a stored record of another log as the next position, keeping its bytes: the hash chained here over its
    /// body must equal the stored one, so the copy is byte-identical. Maintains the stream and command indexes. Reads
    /// only the envelope fields it needs (no payload copy): this is the whole cost of a replay's log copy.
    mutating func write(copied record: UnsafeRawBufferPointer, source: String, txn: borrowing Transaction) throws {
        let position = head.position + 1
        func damaged(_ reason: String) -> EventLogError {
            EventLogError(.corrupt, "the log at \(source) is damaged at position \(position) (\(reason)); run docket verify")
        }
        let fields: RecordCodec.IndexFields
        do {
            fields = try RecordCodec.indexFields(of: record)
        } catch {
            throw damaged("\(error)")
        }
        let state = try LogWriter.streamState(fields.stream, txn: txn, db: db)
        guard fields.streamVersion == (state?.version ?? 0) + 1 else {
            throw damaged("stream \(String(decoding: fields.stream, as: UTF8.self)) jumps to version \(fields.streamVersion)")
        }
        guard fields.recordedAt >= head.recordedAt || position == 1 else { throw damaged("recorded-at goes back in time") }
        let streamId = try state?.id ?? UInt64(txn.count(db.streams) + 1)
        let body = UnsafeRawBufferPointer(rebasing: record[..<(record.count - 32)])
        let hash = RecordCodec.hash(previous: head.hash, position: position, body: body)
        guard hash == Digest(UnsafeRawBufferPointer(rebasing: record[(record.count - 32)...])) else {
            throw damaged("the hash chain breaks")
        }
        try withUnsafeBytes(of: position.bigEndian) { key in
            try txn.put(db.events, key: key, value: record, options: .append)
            try withUnsafeBytes(of: (streamId.bigEndian, fields.streamVersion.bigEndian)) { streamKey in
                try txn.put(db.streamEvents, key: streamKey, value: key, options: .noOverwrite)
            }
            try withUnsafeBytes(of: (streamId.bigEndian, fields.streamVersion.bigEndian)) { pair in
                try txn.put(db.streams, key: fields.stream, value: pair)
            }
        }
        head = LogHead(position: position, hash: hash, recordedAt: fields.recordedAt)
        if !fields.commandId.isEmpty {
            let key = Array(fields.commandId)
            var first = position
            if let raw = try txn.get(db.commands, key: key), raw.count == 16, Key.u64(raw, at: 8) == position - 1 {
                first = Key.u64(raw)
            }
            try txn.put(db.commands, key: key, value: Key.pair(first, position))
        }
    }

    /// `write(copied:source:txn:)` for a record copied out of its log.
    mutating func write(copied record: [UInt8], source: String, txn: borrowing Transaction) throws {
        try record.withUnsafeBytes { try write(copied: $0, source: source, txn: txn) }
    }

    /// The stream's id and version, or nil when it does not exist (the name given as bytes).
    static func streamState(_ stream: UnsafeRawBufferPointer, txn: borrowing Transaction, db: EventStore.Databases) throws
        -> (id: UInt64, version: UInt64)?
    {
        guard let raw = try txn.get(db.streams, key: stream) else { return nil }
        guard raw.count == 16 else {
            throw EventLogError(.corrupt, "the index entry of stream \(String(decoding: stream, as: UTF8.self)) is damaged")
        }
        return (Key.u64(raw), Key.u64(raw, at: 8))
    }
}

extension RecordCodec {
    /// The envelope fields a copy of a record needs for the log's indexes, pointing into the record.
    struct IndexFields {
        let streamVersion: UInt64
        let recordedAt: Timestamp
        let stream: UnsafeRawBufferPointer
        let commandId: UnsafeRawBufferPointer
    }

    /// Reads `IndexFields` from a stored record, checking its layout (lengths, format) as `decode` does, but copying
    /// nothing.
    static func indexFields(of record: UnsafeRawBufferPointer) throws -> IndexFields {
        guard record.count >= fixedBodySize + 32 else { throw Malformed(reason: "record is \(record.count) bytes, too short") }
        let bodyEnd = record.count - 32
        guard record[0] == format else { throw Malformed(reason: "unknown record format") }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: record.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        var reader = Reader(bytes: UnsafeRawBufferPointer(rebasing: record[..<bodyEnd]), offset: fixedBodySize)
        let stream = try reader.bytes(Int(try reader.u16()))
        try reader.skip(Int(try reader.u16()))  // type
        let commandId = try reader.bytes(Int(try reader.u16()))
        try reader.skip(Int(try reader.u16()))  // actor
        try reader.skip(Int(try reader.u32()))  // payload
        guard reader.atEnd else { throw Malformed(reason: "\(bodyEnd - reader.offset) stray bytes after the payload") }
        return IndexFields(
            streamVersion: u64(1), recordedAt: Timestamp(millisecondsSinceEpoch: Int64(bitPattern: u64(9))), stream: stream,
            commandId: commandId)
    }
}

extension FileSystem {
    /// Removes what a failed replay left in `folder`, and the folder itself when `andFolder`.
    static func removeContents(of folder: String, andFolder: Bool) {
        let manager = FileManager.default
        if andFolder {
            try? manager.removeItem(atPath: folder)
            return
        }
        for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] {
            try? manager.removeItem(atPath: folder + "/" + name)
        }
    }
}
