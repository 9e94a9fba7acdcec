import LMDB

extension EventStore {
    /// Imports an NDJSON export into this store, reading it as a stream of byte chunks (`chunks` returns nil at the
    /// end), so memory stays bounded whatever the file's size. The log is written first, alone, `batchSize` events
    /// to a transaction, each line checked as it is written: JSON shape, gapless positions and stream
    /// versions, times that never go back, and the hash chain (each hash computed once, by the writer, and compared
    /// with the line's). The lines are read and checked on a thread of their own while the batch before is written
    /// (`HandOff`: at most three batches in memory). A bad line fails the import naming its line number, and every
    /// event this call wrote is taken out again (`removeEvents(after:)`), so the log is as it was. The events keep
    /// their ids, times and hashes. Blank lines are skipped. Then the read models are built once, all in one scan of
    /// the log (`catchUpProjections`), as on the first open of a store whose models lag: an import cut short in
    /// between leaves models behind the head, caught up on the next open.
    ///
    /// The store must be empty, or hold exactly the export's first N events, byte for byte (an import that was
    /// interrupted): the import then goes on after them, and `resuming` is called with N first. `progress` is
    /// called after each batch with (what is being done, position reached, last position known): `log` while the
    /// events are written (the last position is the one reached, the file's length being unknown), then the names
    /// of the read models being built. Returns the number of events imported by this call. `expectedBytes`, the
    /// export's size when it is known (a file's), grows the map by as much before the first batch
    /// (`Environment.reserve`): the log takes fewer bytes than its export, and a batch that fills the map is written twice.
    @discardableResult
    public func importLog(
        chunks: () throws -> ArraySlice<UInt8>?, expectedBytes: Int = 0, batchSize: Int = 10_000,
        resuming: (UInt64) -> Void = { _ in }, progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> Int {
        try requireWritable()
        try requireNoRollbackSuspicion()
        if expectedBytes > 0 { try environment.reserve(expectedBytes) }
        let held = try head().position
        var writer = LogImportWriter(store: self, held: held)
        do {
            var read: UInt64 = 0
            try HandOff.run { emit in
                var reader = LogImporter(batchSize: max(batchSize, 1))
                var lines = LineSplitter()
                do {
                    while let chunk = try chunks() {
                        try lines.feed(chunk) { try reader.take(line: $0, number: $1, emit: emit) }
                    }
                    try lines.finish { try reader.take(line: $0, number: $1, emit: emit) }
                } catch let long as LineSplitter.TooLong {
                    throw LogImporter.reject(long.line, "the line is longer than \(long.limit) bytes")
                }
                try reader.flush(emit: emit)
            } consume: { batch in
                try writer.write(batch, progress: progress)
                read = batch.last?.event.position ?? read
            }
            try writer.finish(lastRead: read, resuming: resuming)
        } catch {
            // Only when the head is still this import's last event: never take out what another process appended.
            if writer.wrote, try head().position == writer.held + writer.imported { try removeEvents(after: held) }
            throw error
        }
        if writer.wrote {
            // The log's batches were committed with their meta pages deferred: on the disk before they are anchored.
            try flushDeferredCommits()
            recordAnchor(try head())
        }
        try catchUpProjections(progress: progress)
        return Int(writer.imported)
    }

    /// Takes out every event after `position` that an import wrote, newest first, with its stream and command index
    /// entries, and puts the head back at `position`: a failed import leaves the log as it found it. Only ever
    /// called on events the same call wrote and never anchored, before any read model folded them.
    func removeEvents(after position: UInt64) throws {
        var done = false
        while !done {
            done = try environment.write { txn in
                var removed = 0
                let reached = try txn.withCursor(db.events) { cursor -> UInt64 in
                    var entry = try cursor.last()
                    while let found = entry, Key.u64(found.key) > position, removed < 10_000 {
                        let at = Key.u64(found.key)
                        let event = try RecordCodec.decode(position: at, record: found.value)
                        try unindex(event, txn: txn)
                        removed += 1
                        entry = try cursor.previous()
                    }
                    return entry.map { Key.u64($0.key) } ?? 0
                }
                var lastRemoved = reached + 1
                while removed > 0, lastRemoved <= reached + UInt64(removed) {
                    _ = try txn.delete(db.events, key: Key.u64(lastRemoved))
                    lastRemoved += 1
                }
                guard reached <= position else { return false }
                if let previous = try txn.get(db.events, key: Key.u64(position)) {
                    let event = try previous.withUnsafeBytes { try RecordCodec.decode(position: position, record: $0) }
                    var value = Key.u64(position)
                    withUnsafeBytes(of: event.hash) { value.append(contentsOf: $0) }
                    value += Key.u64(UInt64(bitPattern: event.recordedAt.millisecondsSinceEpoch))
                    try txn.put(db.meta, key: MetaKey.head, value: value)
                } else {
                    _ = try txn.delete(db.meta, key: MetaKey.head)
                }
                return true
            }
        }
    }

    /// Takes `event` (the log's newest) out of the stream and command indexes.
    private func unindex(_ event: RecordedEvent, txn: borrowing Transaction) throws {
        guard let state = try LogWriter.streamState(event.stream, txn: txn, db: db) else { return }
        _ = try txn.delete(db.streamEvents, key: Key.pair(state.id, event.streamVersion))
        if event.streamVersion <= 1 {
            _ = try txn.delete(db.streams, key: Array(event.stream.utf8))
        } else {
            try txn.put(db.streams, key: Array(event.stream.utf8), value: Key.pair(state.id, event.streamVersion - 1))
        }
        guard let commandId = event.commandId else { return }
        let key = Array(commandId.utf8)
        guard let raw = try txn.get(db.commands, key: key), raw.count == 16 else { return }
        let first = Key.u64(raw)
        if first >= event.position {
            _ = try txn.delete(db.commands, key: key)
        } else {
            try txn.put(db.commands, key: key, value: Key.pair(first, event.position - 1))
        }
    }
}

/// The reading side of one streamed import: each line checked on its own against the one before, gathered into
/// batches handed to `emit`.
struct LogImporter {
    /// Events gathered for one write, each with its line number.
    typealias Batch = [(line: Int, event: RecordedEvent)]

    let batchSize: Int
    private var batch: Batch = []
    /// The last position read from the file, and the hash and time of its event.
    private var position: UInt64 = 0
    private var previous = Digest.zero
    private var previousTime = Int64.min

    init(batchSize: Int) {
        self.batchSize = batchSize
        batch.reserveCapacity(batchSize)
    }

    static func reject(_ line: Int, _ reason: String) -> EventLogError {
        EventLogError(.importRejected, "line \(line): \(reason); nothing was imported")
    }

    /// Checks one line on its own (JSON, position, names, time, the chain link to the line before) and adds it to
    /// the batch, handing the batch to `emit` when full.
    mutating func take(line raw: ArraySlice<UInt8>, number: Int, emit: (Batch) throws -> Void) throws {
        let trimmed = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
        if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let parsed: NDJSONLine.Parsed
        if let exact = trimmed.withUnsafeBufferPointer(NDJSONLine.exact) {
            parsed = exact  // read in place, without copying the line
        } else {
            do {
                parsed = try NDJSONLine.decode(Array(trimmed))
            } catch {
                throw Self.reject(number, "\(error)")
            }
        }
        let event = parsed.event
        guard event.position == position + 1 else {
            throw Self.reject(number, "position \(event.position) where \(position + 1) was expected")
        }
        do {
            try EventStore.validateName(event.stream, what: "stream name")
            if let commandId = event.commandId { try EventStore.validateName(commandId, what: "command id") }
        } catch {
            throw Self.reject(number, "\(error)")
        }
        guard event.recordedAt.millisecondsSinceEpoch >= previousTime else { throw Self.reject(number, "recordedAt goes back in time") }
        guard parsed.previousHash == previous else { throw Self.reject(number, "previousHash does not match the line before") }
        position = event.position
        previous = event.hash
        previousTime = event.recordedAt.millisecondsSinceEpoch
        batch.append((number, event))
        if batch.count >= batchSize { try flush(emit: emit) }
    }

    /// Hands the gathered events to `emit` (after the last line: what is left).
    mutating func flush(emit: (Batch) throws -> Void) throws {
        guard !batch.isEmpty else { return }
        let full = batch
        batch = []
        batch.reserveCapacity(batchSize)
        try emit(full)
    }
}

/// The writing side of one streamed import: the batches written in order, and what the log holds so far.
struct LogImportWriter {
    let store: EventStore
    /// The events the store held before the import (an interrupted import's prefix).
    let held: UInt64
    /// Events written by this import.
    private(set) var imported: UInt64 = 0

    init(store: EventStore, held: UInt64) {
        self.store = store
        self.held = held
    }

    var wrote: Bool { imported > 0 }

    /// Writes `batch` in one transaction: events the store already holds (a resumed import) are compared byte for
    /// byte, the others written, each stream version and hash checked by the writer. The commit defers its meta page
    /// (`Environment.CommitSync.metaDeferred`): the next one puts it on the disk, and the import flushes the last
    /// before it anchors the head; a crash of the machine in between may undo the last batch, after which a second
    /// import of the file resumes from what is left.
    mutating func write(_ batch: LogImporter.Batch, progress: (String, UInt64, UInt64) -> Void) throws {
        guard let reached = batch.last?.event.position else { return }
        let store = self.store, held = self.held
        let written = try store.environment.write(sync: .metaDeferred) { txn -> UInt64 in
            var writer = try LogWriter(txn: txn, db: store.db)
            var written: UInt64 = 0
            var body: [UInt8] = []
            // By index, not by destructuring each entry: a copy of every event (its strings and payload retained and
            // released again) was 7 % of an import's CPU.
            for k in batch.indices {
                let (line, position) = (batch[k].line, batch[k].event.position)
                if position <= held {
                    try Self.compareHeld(batch[k].event, line: line, store: store, txn: txn, body: &body)
                    continue
                }
                guard writer.head.position + 1 == position else {
                    throw EventLogError(
                        .storeNotEmpty, "another process wrote to \(store.path) during the import; import into a new store")
                }
                try writer.write(imported: batch[k].event, line: line, txn: txn)
                written += 1
            }
            if written > 0 { try writer.finish(txn: txn) }
            return written
        }
        imported += written
        if written > 0 { progress("log", reached, reached) }
    }

    /// Refuses a store whose events are not exactly the file's first ones.
    private static func compareHeld(
        _ event: RecordedEvent, line: Int, store: EventStore, txn: borrowing Transaction, body: inout [UInt8]
    ) throws {
        guard let found = try txn.get(store.db.events, key: Key.u64(event.position)) else {
            throw store.refuseImport("position \(event.position) is missing")
        }
        body.removeAll(keepingCapacity: true)
        RecordCodec.encodeBody(event, into: &body)
        withUnsafeBytes(of: event.hash) { body.append(contentsOf: $0) }
        guard found.elementsEqual(body) else { throw store.refuseImport("position \(event.position) differs from line \(line)") }
    }

    /// After the last line (`lastRead` the file's last position): a store that held more events than the file has is
    /// refused; a resumed import says so.
    func finish(lastRead: UInt64, resuming: (UInt64) -> Void) throws {
        if held > lastRead { throw store.refuseImport("\(held) of them, more than the file's \(lastRead)") }
        if held > 0 { resuming(held) }
    }
}

extension EventStore {
    func refuseImport(_ reason: String) -> EventLogError {
        EventLogError(
            .storeNotEmpty,
            "the store at \(path) already holds events (\(reason)); import into a new store, or into the store an interrupted import of this file left")
    }
}
