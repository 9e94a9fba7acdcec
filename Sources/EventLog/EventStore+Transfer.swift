import LMDB

extension EventStore {
    /// Writes every event from `position` on as NDJSON export lines, each passed to `write` with its newline.
    public func export(from position: UInt64 = 1, write: (String) throws -> Void) throws {
        var previous = Digest.zero
        if position > 1, let before = try event(at: position - 1) { previous = before.hash }
        try scan(from: position) { event in
            try write(NDJSONLine.encode(event, previous: previous) + "\n")
            previous = event.hash
            return true
        }
    }

    /// Imports an NDJSON export held in memory; see ``importLog(chunks:expectedBytes:batchSize:resuming:progress:)``.
    @discardableResult
    public func importLog(
        _ text: [UInt8], batchSize: Int = 10_000, resuming: (UInt64) -> Void = { _ in },
        progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> Int {
        var given = false
        return try importLog(
            chunks: {
                defer { given = true }
                return given ? nil : text[...]
            }, expectedBytes: text.count, batchSize: batchSize, resuming: resuming, progress: progress)
    }
}

extension RecordCodec {
    /// The body of an event that already has all its fields (import).
    static func encodeBody(_ event: RecordedEvent, into out: inout [UInt8]) {
        encodeBody(
            streamVersion: event.streamVersion, recordedAt: event.recordedAt, schemaVersion: event.schemaVersion,
            eventId: event.eventId, stream: event.stream, type: event.type, commandId: event.commandId,
            actor: event.actor, payload: event.payload, into: &out)
    }
}

/// The stream index entries one transaction of an import has touched, kept here and put once each before it commits
/// (`flush`), instead of a get and a put of the `streams` database per event. The names point into the batch's
/// records, which outlive the transaction's writing.
struct ImportStreams {
    private struct Name: Hashable {
        let bytes: UnsafeRawBufferPointer
        func hash(into hasher: inout Hasher) { hasher.combine(bytes: bytes) }
        static func == (a: Name, b: Name) -> Bool { a.bytes.elementsEqual(b.bytes) }
    }

    private var touched: [Name: (id: UInt64, version: UInt64)] = [:]
    /// Streams the index held when the transaction began (read once, when a first new stream needs an id), and the
    /// streams this transaction added since.
    private var held: Int?
    private var added = 0

    init() { touched.reserveCapacity(1024) }

    /// The stream's id and version as this transaction leaves them so far; nil when it does not exist.
    func state(_ stream: UnsafeRawBufferPointer, txn: borrowing Transaction, db: EventStore.Databases) throws
        -> (id: UInt64, version: UInt64)?
    {
        if let state = touched[Name(bytes: stream)] { return state }
        return try LogWriter.streamState(stream, txn: txn, db: db)
    }

    /// The id of a new stream: after every stream of the index and those this transaction added.
    mutating func newId(txn: borrowing Transaction, db: EventStore.Databases) throws -> UInt64 {
        if held == nil { held = try txn.count(db.streams) }
        added += 1
        return UInt64(held! + added)
    }

    mutating func set(_ stream: UnsafeRawBufferPointer, id: UInt64, version: UInt64) {
        touched[Name(bytes: stream)] = (id, version)
    }

    /// Puts every touched stream's entry (its id and last version). Call before the transaction commits, while the
    /// names are valid.
    func flush(txn: borrowing Transaction, db: EventStore.Databases) throws {
        for (name, state) in touched {
            try withUnsafeBytes(of: (state.id.bigEndian, state.version.bigEndian)) { pair in
                try txn.put(db.streams, key: name.bytes, value: pair)
            }
        }
    }
}

extension LogWriter {
    /// Writes the record of line `line` of an export (`ImportBatch`: its body and the line's hash, as the log stores
    /// it) as the next position, and maintains the stream (through `streams`, put at its `flush`) and command indexes.
    /// Its stream version must follow the stream's, and unless the reader already did (`hashed`), the hash chained
    /// here must equal the line's.
    mutating func write(
        importedRecord record: UnsafeRawBufferPointer, line: Int, hashed: Bool, streams: inout ImportStreams,
        txn: borrowing Transaction
    ) throws {
        let position = head.position + 1
        let fields = try RecordCodec.indexFields(of: record)
        let state = try streams.state(fields.stream, txn: txn, db: db)
        let version = (state?.version ?? 0) + 1
        guard fields.streamVersion == version else {
            let stream = String(decoding: fields.stream, as: UTF8.self)
            throw LogImporter.reject(line, "stream \(stream) jumps to version \(fields.streamVersion) (expected \(version))")
        }
        let hash = Digest(UnsafeRawBufferPointer(rebasing: record[(record.count - 32)...]))
        if !hashed {
            let body = UnsafeRawBufferPointer(rebasing: record[..<(record.count - 32)])
            guard RecordCodec.hash(previous: head.hash, position: position, body: body) == hash else {
                throw LogImporter.reject(line, LogImporter.hashMismatch)
            }
        }
        let streamId = try state?.id ?? streams.newId(txn: txn, db: db)
        try withUnsafeBytes(of: position.bigEndian) { key in
            try txn.put(db.events, key: key, value: record, options: .append)
            try withUnsafeBytes(of: (streamId.bigEndian, version.bigEndian)) { pair in
                try txn.put(db.streamEvents, key: pair, value: key, options: .noOverwrite)
            }
        }
        streams.set(fields.stream, id: streamId, version: version)
        head = LogHead(position: position, hash: hash, recordedAt: fields.recordedAt)
        guard !fields.commandId.isEmpty else { return }
        var first = position
        if let raw = try txn.get(db.commands, key: fields.commandId), raw.count == 16, Key.u64(raw, at: 8) == position - 1 {
            first = Key.u64(raw)
        }
        try withUnsafeBytes(of: (first.bigEndian, position.bigEndian)) { pair in
            try txn.put(db.commands, key: fields.commandId, value: pair)
        }
    }
}
