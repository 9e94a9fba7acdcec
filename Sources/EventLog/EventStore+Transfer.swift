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

extension LogWriter {
    /// Writes an event from line `line` of an export, keeping its fields, and maintains the stream and command
    /// indexes. Its stream version must follow the stream's, and the hash chained here must equal the line's.
    mutating func write(imported event: RecordedEvent, line: Int, txn: borrowing Transaction) throws {
        let state = try LogWriter.streamState(event.stream, txn: txn, db: db)
        let version = (state?.version ?? 0) + 1
        guard event.streamVersion == version else {
            throw LogImporter.reject(line, "stream \(event.stream) jumps to version \(event.streamVersion) (expected \(version))")
        }
        let streamId = try state?.id ?? UInt64(txn.count(db.streams) + 1)
        var record = scratch  // the writer's buffer, reused from event to event
        scratch = []
        defer { scratch = record }
        record.removeAll(keepingCapacity: true)
        RecordCodec.encodeBody(event, into: &record)
        let hash = try write(record: &record, streamId: streamId, streamVersion: event.streamVersion, recordedAt: event.recordedAt, txn: txn)
        guard hash == event.hash else { throw LogImporter.reject(line, "hash does not match the event's fields (altered line?)") }
        try txn.put(db.streams, key: Array(event.stream.utf8), value: Key.pair(streamId, event.streamVersion))
        if let commandId = event.commandId {
            let key = Array(commandId.utf8)
            var first = event.position
            if let raw = try txn.get(db.commands, key: key), raw.count == 16, Key.u64(raw, at: 8) == event.position - 1 {
                first = Key.u64(raw)
            }
            try txn.put(db.commands, key: key, value: Key.pair(first, event.position))
        }
    }
}
