import LMDB

extension EventStore {
    /// Imports an NDJSON export into this store, reading it as a stream of byte chunks (`chunks` returns nil at the
    /// end), so memory stays bounded whatever the file's size. The log is written first, alone, `batchSize` events
    /// to a transaction, each line checked as it is written: JSON shape, gapless positions and stream
    /// versions, times that never go back, and the hash chain (each hash computed once and compared with the line's:
    /// by the reader for most of a batch, by the writer for the rest, `LogImporter.readerHashShare`). The lines are read,
    /// checked and encoded as the log's records on a thread of their own while the batch before is written (`HandOff`:
    /// at most three batches in memory). A bad line fails the import naming its line number, and every
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
        try importLog(
            chunks: chunks, expectedBytes: expectedBytes, batchSize: batchSize, readerHashShare: LogImporter.readerHashShare,
            resuming: resuming, progress: progress)
    }

    /// `importLog(chunks:…)` with the reader's share of the hashing given (`LogImporter.readerHashShare`; tests).
    func importLog(
        chunks: () throws -> ArraySlice<UInt8>?, expectedBytes: Int = 0, batchSize: Int = 10_000, readerHashShare: Int,
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
                var reader = LogImporter(batchSize: max(batchSize, 1), readerHashShare: readerHashShare)
                var lines = LineSplitter()
                do {
                    while let chunk = try chunks() {
                        try lines.feed(chunk) { try reader.take(line: $0, number: $1, emit: emit) }
                    }
                    try lines.finish { try reader.take(line: $0, number: $1, emit: emit) }
                } catch let long as LineSplitter.TooLong {
                    throw LogImporter.reject(long.line, "the line is longer than \(long.limit) bytes")
                } catch is LogImporter.Stop {
                    return  // a batch ending in a bad hash was handed over: its writing fails the import
                }
                try reader.flush(emit: emit)
            } consume: { batch in
                try writer.write(batch, progress: progress)
                read = batch.last?.position ?? read
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

/// Events of an import gathered for one write, each already encoded as the log stores it (`RecordCodec`: its body,
/// then the line's hash), back to back in one buffer: the writer copies no field and makes no string.
struct ImportBatch {
    /// One event: its line number, position, and where its record lies in `bytes`.
    struct Entry {
        let line: Int
        let position: UInt64
        let record: Range<Int>
    }

    var bytes: [UInt8] = []
    var entries: [Entry] = []
    /// The events from this index on are for the writer to hash (`LogImportWriter`); the reader hashed those before.
    var writerHashesFrom = 0
    /// The index of an event whose hash the reader found wrong: the batch's last entry, written up to it and then
    /// refused with the hash error once its stream version is checked, so a line keeps the error it had when the
    /// writer hashed every event.
    var badHash: Int?

    var count: Int { entries.count }
    var last: Entry? { entries.last }
}

/// The reading side of one streamed import: each line checked on its own against the one before, encoded as its
/// record and gathered into batches handed to `emit`.
struct LogImporter {
    typealias Batch = ImportBatch

    /// How many of a batch's events the reader hashes, in parts per 64, the writer hashing the rest. On a 1M import
    /// with the reader hashing all, the reader was busy 1.4-1.6 s and the writer 1.1 s (perf samples); at 40 both
    /// about 1.25 s, the writer, which also waits for the disk, a little less.
    static let readerHashShare = 40

    /// Thrown inside `take` once a batch with a bad hash is handed over: reading stops, the writer fails the import.
    struct Stop: Error {}

    let batchSize: Int
    /// `readerHashShare` for this import.
    let hashShare: Int
    private var batch = ImportBatch()
    /// Bytes of the last batch: the next one's buffer is reserved at that size.
    private var lastBytes = 0
    /// The last position read from the file, and the hash and time of its event.
    private var position: UInt64 = 0
    private var previous = Digest.zero
    private var previousTime = Int64.min

    init(batchSize: Int, readerHashShare: Int = LogImporter.readerHashShare) {
        self.batchSize = batchSize
        self.hashShare = min(max(readerHashShare, 0), 64)
        batch.entries.reserveCapacity(batchSize)
    }

    static func reject(_ line: Int, _ reason: String) -> EventLogError {
        EventLogError(.importRejected, "line \(line): \(reason); nothing was imported")
    }

    static let hashMismatch = "hash does not match the event's fields (altered line?)"

    /// Checks one line on its own (JSON, position, names, time, the chain link to the line before), encodes its
    /// record into the batch, hashes it when it falls in the reader's share, and hands the batch to `emit` when full.
    mutating func take(line raw: ArraySlice<UInt8>, number: Int, emit: (Batch) throws -> Void) throws {
        let trimmed = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
        if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let recordStart = batch.bytes.count
        let fields: NDJSONLine.RecordFields
        if let exact = trimmed.withUnsafeBufferPointer({ NDJSONLine.exactRecord($0, into: &batch.bytes) }) {
            fields = exact  // read in place, without copying the line
        } else {
            fields = try Self.decoded(trimmed, number: number, into: &batch.bytes)
        }
        guard fields.position == position + 1 else {
            if position == 0 {
                // An export made with `--from`: the import builds a store's log from its first event, or resumes one.
                throw Self.reject(
                    number,
                    "the file starts at position \(fields.position), not 1 (an export made with --from): an import takes "
                        + "the whole log; export again without --from, or copy the store with `docket backup` and `docket restore`")
            }
            throw Self.reject(number, "position \(fields.position) where \(position + 1) was expected")
        }
        try batch.bytes.withUnsafeBufferPointer { bytes in
            try Self.checkName(UnsafeBufferPointer(rebasing: bytes[fields.stream]), what: "stream name", line: number)
            if let commandId = fields.commandId {
                try Self.checkName(UnsafeBufferPointer(rebasing: bytes[commandId]), what: "command id", line: number)
            }
        }
        let time = fields.recordedAt.millisecondsSinceEpoch
        guard time >= previousTime else { throw Self.reject(number, "recordedAt goes back in time") }
        guard fields.previous == previous else { throw Self.reject(number, "previousHash does not match the line before") }
        position = fields.position
        previous = fields.hash
        previousTime = time
        let index = batch.entries.count
        batch.entries.append(.init(line: number, position: fields.position, record: recordStart..<batch.bytes.count))
        if index * 64 < batchSize * hashShare {
            batch.writerHashesFrom = index + 1
            let good = batch.bytes.withUnsafeBytes { bytes in
                let body = UnsafeRawBufferPointer(rebasing: bytes[recordStart..<(bytes.count - 32)])
                return RecordCodec.hash(previous: fields.previous, position: fields.position, body: body) == fields.hash
            }
            if !good {
                batch.badHash = index
                try flush(emit: emit)
                throw Stop()
            }
        }
        if batch.entries.count >= batchSize { try flush(emit: emit) }
    }

    /// A line `NDJSONLine.exactRecord` does not read, decoded and encoded field by field, or a one-line error.
    private static func decoded(_ line: ArraySlice<UInt8>, number: Int, into out: inout [UInt8]) throws -> NDJSONLine.RecordFields {
        let parsed: NDJSONLine.Parsed
        do {
            parsed = try NDJSONLine.decode(Array(line))
        } catch {
            throw reject(number, "\(error)")
        }
        let event = parsed.event
        for (what, text) in [("stream name", event.stream), ("type", event.type), ("actor", event.actor), ("command id", event.commandId ?? "")]
        where text.utf8.count > Int(UInt16.max) {
            throw reject(number, "the \(what) is longer than \(UInt16.max) bytes")
        }
        let start = out.count
        RecordCodec.encodeBody(event, into: &out)
        withUnsafeBytes(of: event.hash) { out.append(contentsOf: $0) }
        // The stream follows the fixed fields and its length; the command id follows the type.
        let stream = (start + RecordCodec.fixedBodySize + 2)..<(start + RecordCodec.fixedBodySize + 2 + event.stream.utf8.count)
        let commandStart = stream.upperBound + 2 + event.type.utf8.count + 2
        return NDJSONLine.RecordFields(
            position: event.position, recordedAt: event.recordedAt, previous: parsed.previousHash, hash: event.hash,
            stream: stream, commandId: event.commandId.map { commandStart..<(commandStart + $0.utf8.count) })
    }

    /// `EventStore.validateName` on a name's bytes (UTF-8, already checked), with the import's error.
    private static func checkName(_ name: UnsafeBufferPointer<UInt8>, what: String, line: Int) throws {
        if EventStore.isValidName(name) { return }
        do {
            try EventStore.validateName(String(decoding: name, as: UTF8.self), what: what)
        } catch {
            throw reject(line, "\(error)")
        }
    }

    /// Hands the gathered events to `emit` (after the last line: what is left).
    mutating func flush(emit: (Batch) throws -> Void) throws {
        guard !batch.entries.isEmpty else { return }
        let full = batch
        lastBytes = max(lastBytes, full.bytes.count)
        batch = ImportBatch()
        batch.entries.reserveCapacity(batchSize)
        batch.bytes.reserveCapacity(lastBytes)
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
    /// byte, the others written, each stream version checked and the hashes of the writer's share computed by the
    /// writer. The commit defers its meta page (`Environment.CommitSync.metaDeferred`): the next one puts it on the
    /// disk, and the import flushes the last before it anchors the head; a crash of the machine in between may undo
    /// the last batch, after which a second import of the file resumes from what is left.
    mutating func write(_ batch: LogImporter.Batch, progress: (String, UInt64, UInt64) -> Void) throws {
        guard let reached = batch.last?.position else { return }
        let store = self.store, held = self.held
        let written = try store.environment.write(sync: .metaDeferred) { txn -> UInt64 in
            var writer = try LogWriter(txn: txn, db: store.db)
            var written: UInt64 = 0
            var streams = ImportStreams()
            try batch.bytes.withUnsafeBytes { bytes in
                try txn.withCursor(store.db.events) { events in
                    try txn.withCursor(store.db.streamEvents) { streamEvents in
                        for k in batch.entries.indices {
                            let entry = batch.entries[k]
                            let record = UnsafeRawBufferPointer(rebasing: bytes[entry.record])
                            if entry.position <= held {
                                try Self.compareHeld(record, entry: entry, store: store, txn: txn)
                                if k == batch.badHash { throw LogImporter.reject(entry.line, LogImporter.hashMismatch) }
                                continue
                            }
                            guard writer.head.position + 1 == entry.position else {
                                throw EventLogError(
                                    .storeNotEmpty, "another process wrote to \(store.path) during the import; import into a new store")
                            }
                            try writer.write(
                                importedRecord: record, line: entry.line, hashed: k < batch.writerHashesFrom && k != batch.badHash,
                                streams: &streams, events: events, streamEvents: streamEvents, txn: txn)
                            written += 1
                        }
                    }
                }
                // The writer hashes the bad event again and refuses it above: this never passes, but must not pass.
                if let bad = batch.badHash { throw LogImporter.reject(batch.entries[bad].line, LogImporter.hashMismatch) }
                // The stream index entries this batch moved, each put once (`ImportStreams`).
                try streams.flush(txn: txn, db: store.db)
            }
            if written > 0 { try writer.finish(txn: txn) }
            return written
        }
        imported += written
        if written > 0 { progress("log", reached, reached) }
    }

    /// Refuses a store whose events are not exactly the file's first ones.
    private static func compareHeld(
        _ record: UnsafeRawBufferPointer, entry: ImportBatch.Entry, store: EventStore, txn: borrowing Transaction
    ) throws {
        guard let found = try txn.get(store.db.events, key: Key.u64(entry.position)) else {
            throw store.refuseImport("position \(entry.position) is missing")
        }
        guard found.elementsEqual(record) else {
            throw store.refuseImport("position \(entry.position) differs from line \(entry.line)")
        }
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
