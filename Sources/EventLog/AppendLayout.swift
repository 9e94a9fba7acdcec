import Foundation
import LMDB

/// One batch of a bulk append, its records laid out ahead of its transaction when they could be: bodies encoded and
/// hash chain computed on the thread that reads the batches (`AppendPlanner`), so the writing thread only checks the
/// layout still holds and puts the records (`EventStore.commit(_:sync:)`). The SHA-256 chain is serial — each hash
/// needs the one before — and was a fifth of a bulk append's wall time on the writing thread, while the reading thread
/// mostly waited.
public struct PlannedBatch: Sendable {
    /// The requests, as given: what the transaction appends the ordinary way when there is no layout or it no longer
    /// holds.
    public let requests: [AppendRequest]
    /// The planner's number for the batch (0, 1, 2, … in the order laid out).
    let index: Int
    /// The records as the transaction would write them after `layout.after`; nil when the planner could not tell.
    let layout: AppendLayout?
}

/// The records of a batch of requests laid out after a given head: each event's body and hash back to back in
/// `bytes`, what each request finds and leaves of its stream, the events as they will stand in the log and the results.
/// Valid exactly when, at the transaction, the head is `after`, the stream index holds `streamCount` streams, each
/// request finds its stream as `streams[k].before` says, and no request's command id is in the command index: then the
/// ordinary path (`LogWriter.append`) writes these very bytes, with the same time (`recordedAt`, taken when laid out).
/// The transaction checks the head, the count and the command ids, not each stream: the head's hash chains every event
/// of the log, the stream index is made from the log alone, and the planner found each stream in a store whose head
/// led, through the batches it laid out, to `after` — any other writer's event in between changes the head. (Looking
/// each stream up again was a tenth of the committing thread's work in a bulk append.)
struct AppendLayout: Sendable {
    /// What one request finds of its stream (nil: no stream yet) and the stream's id, whether its id is the highest
    /// (`LogWriter.place`'s `lastStream`), and its events in `records`.
    struct Stream: Sendable {
        let before: StreamState?
        let id: UInt64
        let lastStream: Bool
        let records: Range<Int>
    }

    let after: LogHead
    let streamCount: UInt64
    let streams: [Stream]
    let bytes: [UInt8]
    /// Each event's record (body, then hash) in `bytes`.
    let records: [Range<Int>]
    let events: [RecordedEvent]
    let results: [AppendResult]
    /// The batch's events counted for the `stream-counts` model (`StreamCounts.add(_:)`), here, on the planning thread,
    /// with the names in its cache: folded event by event on the committing thread, that model was an eighth of it.
    let tally: StreamCounts.Tally

    /// The head once the batch is written.
    var head: LogHead {
        guard let last = events.last else { return after }
        return LogHead(position: last.position, hash: last.hash, recordedAt: last.recordedAt)
    }

    /// Lays out `requests` as written after `head` at time `now`, with `streamCount` streams in the index: `state`
    /// tells a stream's id and version before the batch (nil: none), `commandUsed` whether a command id is in the
    /// index already. Nil when the ordinary path would not just write them: a request it refuses (a bad name, a wrong
    /// expected version: it then names the error), a retried command, a command id twice in the batch, or one with
    /// guards (the ordinary path checks them in its transaction; bulk appends have none).
    static func make(
        _ requests: [AppendRequest], after head: LogHead, streamCount: UInt64, now: Timestamp, validate: (AppendRequest) throws -> Void,
        state: (String) throws -> StreamState?, commandUsed: (String) throws -> Bool
    ) throws -> AppendLayout? {
        var records: [Range<Int>] = []
        var size = 0
        for request in requests {
            guard (try? validate(request)) != nil, request.guards.isEmpty, request.listGuards.isEmpty else { return nil }
            for event in request.events {
                let count = RecordCodec.bodySize(
                    stream: request.stream, type: event.type, commandId: request.commandId, actor: request.actor,
                    payload: event.payload) + 32
                records.append(size..<(size + count))
                size += count
            }
        }
        var events: [RecordedEvent] = []
        events.reserveCapacity(records.count)
        var streams: [Stream] = []
        streams.reserveCapacity(requests.count)
        var results: [AppendResult] = []
        results.reserveCapacity(requests.count)
        var own: [String: StreamState] = [:]
        var commands: Set<String> = []
        var (position, previous, count) = (head.position, head.hash, streamCount)
        let recordedAt = max(now, head.recordedAt)
        var failed = false
        var tally = StreamCounts.Tally()
        // Every record is written in place, at the range worked out above, and hashed where it lies.
        let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            defer { initialized = failed ? 0 : size }
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for request in requests {
                if let commandId = request.commandId {
                    guard commands.insert(commandId).inserted, try !commandUsed(commandId) else {
                        failed = true
                        return
                    }
                }
                let before = try own[request.stream] ?? state(request.stream)
                guard request.expectedVersion.accepts(before?.version ?? 0) else {
                    failed = true
                    return
                }
                let id = before?.id ?? count + 1
                let lastStream = id >= count
                if before == nil { count += 1 }
                var version = before?.version ?? 0
                let first = events.count
                for event in request.events {
                    version += 1
                    position += 1
                    let record = UnsafeMutableRawBufferPointer(rebasing: raw[records[events.count]])
                    let bodyCount = RecordCodec.encodeBody(
                        streamVersion: version, recordedAt: recordedAt, schemaVersion: event.schemaVersion,
                        eventId: event.eventId, stream: request.stream, type: event.type, commandId: request.commandId,
                        actor: request.actor, payload: event.payload, at: record.baseAddress!)
                    let hash = RecordCodec.hash(
                        previous: previous, position: position, body: UnsafeRawBufferPointer(rebasing: record[..<bodyCount]))
                    withUnsafeBytes(of: hash) { (record.baseAddress! + bodyCount).copyMemory(from: $0.baseAddress!, byteCount: 32) }
                    events.append(
                        RecordedEvent(
                            position: position, stream: request.stream, streamVersion: version, type: event.type,
                            schemaVersion: event.schemaVersion, eventId: event.eventId, commandId: request.commandId,
                            actor: request.actor, recordedAt: recordedAt, payload: event.payload, hash: hash))
                    previous = hash
                }
                tally.count(request, newStream: before == nil)
                own[request.stream] = StreamState(id: id, version: version)
                streams.append(Stream(before: before, id: id, lastStream: lastStream, records: first..<events.count))
                results.append(
                    AppendResult(
                        stream: request.stream, positions: (head.position + UInt64(first) + 1)...position,
                        streamVersion: version, isRetry: false))
            }
        }
        guard !failed else { return nil }
        return AppendLayout(
            after: head, streamCount: streamCount, streams: streams, bytes: bytes, records: records, events: events,
            results: results, tally: tally)
    }
}

extension StreamCounts.Tally {
    /// Counts the events of `request`, the first of its stream when `newStream` (the stream has none before it); each run
    /// of events of one type counted at once.
    mutating func count(_ request: AppendRequest, newStream: Bool) {
        var events = request.events[...]
        var streams: UInt64 = newStream ? 1 : 0
        while let type = events.first?.type {
            let run = events.prefix { $0.type == type }.count
            count(stream: request.stream, type: type, events: UInt64(run), streams: streams)
            streams = 0
            events = events.dropFirst(run)
        }
    }
}

/// A stream's id and last version in the stream index.
struct StreamState: Sendable, Equatable {
    let id: UInt64
    let version: UInt64
}

/// Lays out the batches of a bulk append (`PlannedBatch`) on the thread that reads them, ahead of the thread that
/// commits them (`BulkCommits`), from what it predicts the store holds when each is committed: the head and streams
/// the batches before it leave. The prediction is checked in each transaction (`EventStore.commit(_:sync:)`); a batch
/// whose layout no longer holds (another process appended, a command was retried) is appended the ordinary way, and
/// the planner reads the store again once the batches it laid out before have been committed.
final class AppendPlanner: @unchecked Sendable {
    // @unchecked Sendable: its variables are used by one thread, the planning one; what the committing thread tells it
    // goes through `progress`, under its lock.
    private let store: EventStore
    private let progress = Progress()

    /// What the planner predicts of the store after the batches it laid out, nil until it has read the store.
    private var predicted: (head: LogHead, streamCount: UInt64)?
    /// The streams the batches laid out and not known to be committed touched, with the index of the last batch that
    /// did: the store does not show them yet.
    private var touched: [String: (state: StreamState, batch: Int)] = [:]
    /// The number of the next batch.
    private var next = 0
    /// How many streams `touched` may hold before those of committed batches are dropped from it.
    private var evictAt = 4_096
    /// The store is to be read again once every batch through this one is committed (nil: the prediction holds).
    private var readAgainAfter: Int? = -1
    /// The last mismatch reported that the planner has taken into account.
    private var mismatchSeen = -1

    init(store: EventStore) { self.store = store }

    /// `requests` as the next batch, laid out when the planner can tell what the store will hold before it.
    func plan(_ requests: [AppendRequest]) -> PlannedBatch {
        let index = next
        next += 1
        let (committed, mismatch) = progress.state
        // The batches committed since the last call are let go here, on this thread (`retire`).
        _ = progress.takeRetired()
        if mismatch > mismatchSeen {
            // Every batch laid out before this one may have been laid out on a wrong prediction.
            mismatchSeen = mismatch
            readAgainAfter = index - 1
        }
        if let after = readAgainAfter {
            guard committed >= after else { return PlannedBatch(requests: requests, index: index, layout: nil) }
            predicted = nil
            touched.removeAll()
            readAgainAfter = nil
        }
        let layout = try? store.environment.read { txn -> AppendLayout? in
            let (head, streamCount) =
                try predicted ?? (LogWriter.readHead(txn: txn, db: store.db), UInt64(txn.count(store.db.streams)))
            return try AppendLayout.make(
                requests, after: head, streamCount: streamCount, now: store.clock.now(), validate: store.validate,
                state: { [touched, store] stream in
                    if let state = touched[stream]?.state { return state }
                    return try LogWriter.streamState(stream, txn: txn, db: store.db).map { StreamState(id: $0.id, version: $0.version) }
                },
                commandUsed: { [store] commandId in try txn.get(store.db.commands, key: Array(commandId.utf8)) != nil })
        }
        guard let layout else {
            // Left to the transaction: what the store holds after it is known once it is committed.
            readAgainAfter = index
            return PlannedBatch(requests: requests, index: index, layout: nil)
        }
        predicted = (layout.head, layout.streamCount + UInt64(layout.streams.filter { $0.before == nil }.count))
        for (stream, result) in zip(layout.streams, layout.results) {
            touched[result.stream] = (StreamState(id: stream.id, version: result.streamVersion), index)
        }
        if touched.count > evictAt {
            touched = touched.filter { $0.value.batch > committed }
            evictAt = max(4_096, 2 * touched.count)
        }
        return PlannedBatch(requests: requests, index: index, layout: layout)
    }

    /// Told by the committing thread once batch `index` is committed, and whether it was written as laid out.
    func committed(_ index: Int, asLaidOut: Bool) { progress.committed(index, mismatch: !asLaidOut) }

    /// Takes a committed batch from the committing thread, to be let go on the planning thread at its next `plan`:
    /// freeing a batch's events and requests (a thousand payloads, their records' strings) was a tenth of the
    /// committing thread's work, which waits for the disk in turn, while the planning thread has time to spare.
    func retire(_ batch: PlannedBatch) { progress.retire(batch) }

    /// How many retired batches wait to be let go (tests).
    var retiredCount: Int { progress.retiredCount }

    /// What the committing thread has told: the last batch committed, and the last one whose layout did not hold; and
    /// the batches it has retired.
    private final class Progress: @unchecked Sendable {
        // @unchecked Sendable: its fields only under `lock`.
        private let lock = NSLock()
        private var committed = -1
        private var mismatch = -1
        private var retired: [PlannedBatch] = []

        var state: (committed: Int, mismatch: Int) { lock.withLock { (committed, mismatch) } }

        func retire(_ batch: PlannedBatch) { lock.withLock { retired.append(batch) } }

        var retiredCount: Int { lock.withLock { retired.count } }

        /// The batches retired since the last call, for the caller to let go.
        func takeRetired() -> [PlannedBatch] { lock.withLock { retired.isEmpty ? [] : Swift.exchange(&retired, with: []) } }

        func committed(_ index: Int, mismatch: Bool) {
            lock.withLock {
                committed = max(committed, index)
                if mismatch { self.mismatch = max(self.mismatch, index) }
            }
        }
    }
}

extension EventStore {
    /// Writes `batch` in one transaction committed as `sync` says, without anchoring it, as `commit(_:sync:)` writes
    /// its requests: from its layout when the layout holds (checked as the transaction goes: the head, the number of
    /// streams, each request's stream and command id), else the ordinary way. Also returns whether the layout held
    /// (true for a batch without one: nothing was predicted).
    func commit(_ batch: PlannedBatch, sync: Environment.CommitSync) throws -> (results: [AppendResult], head: LogHead?, asLaidOut: Bool) {
        if let layout = batch.layout {
            try requireWritable()
            do {
                let head = try environment.write(sync: sync) { txn in
                    var writer = try LogWriter(txn: txn, db: db)
                    guard writer.head == layout.after, UInt64(try txn.count(db.streams)) == layout.streamCount else {
                        throw LayoutStale()
                    }
                    try writer.place(layout, of: batch.requests, txn: txn)
                    try writer.finish(txn: txn)
                    try applyProjections(
                        from: layout.after.position + 1, to: writer.head.position, txn: txn, decoded: (layout.events, nil),
                        tally: layout.tally)
                    return writer.head
                }
                return (layout.results, layout.events.isEmpty ? nil : head, true)
            } catch is LayoutStale {}
        }
        let (results, head) = try commit(batch.requests, sync: sync)
        return (results, head, batch.layout == nil)
    }
}

/// A batch's layout does not hold in its transaction: the transaction is rolled back and the batch written the
/// ordinary way.
private struct LayoutStale: Error {}

extension LogWriter {
    /// Puts the records of `layout` (laid out for `requests`) and their stream and command index entries, checking
    /// as it goes that each request's command id is unused (`LayoutStale` when not: the planner does not know the
    /// command ids of the batches before it not yet committed); the caller has checked the head (see `AppendLayout`).
    /// The stream index is written through one cursor (the batch's streams often follow each other in key order).
    mutating func place(_ layout: AppendLayout, of requests: [AppendRequest], txn: borrowing Transaction) throws {
        // One cursor over each of `events`, `stream_events` and `streams` for the whole batch: a put through a cursor
        // left on the page of the last finds its page without a search from the root.
        try layout.bytes.withUnsafeBytes { bytes in
            try txn.withCursor(db.events) { events in
                try txn.withCursor(db.streamEvents) { streamEvents in
                    try txn.withCursor(db.streams) { streamIndex in
                        for (request, stream) in zip(requests, layout.streams) {
                            if let commandId = request.commandId, try txn.get(db.commands, key: Array(commandId.utf8)) != nil {
                                throw LayoutStale()
                            }
                            let first = head.position + 1
                            for k in stream.records {
                                let event = layout.events[k]
                                try place(
                                    record: UnsafeRawBufferPointer(rebasing: bytes[layout.records[k]]), hash: event.hash,
                                    streamId: stream.id, streamVersion: event.streamVersion, recordedAt: event.recordedAt,
                                    events: events, streamEvents: streamEvents, lastStream: stream.lastStream)
                            }
                            guard let version = layout.events[stream.records].last?.streamVersion else { continue }
                            var name = request.stream
                            try name.withUTF8 { name in
                                try withUnsafeBytes(of: (stream.id.bigEndian, version.bigEndian)) { value in
                                    try streamIndex.put(UnsafeRawBufferPointer(name), value)
                                }
                            }
                            if let commandId = request.commandId {
                                try txn.put(db.commands, key: Array(commandId.utf8), value: Key.pair(first, head.position))
                            }
                        }
                    }
                }
            }
        }
    }
}
