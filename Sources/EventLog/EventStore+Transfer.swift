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

    /// Imports an NDJSON export into this store, which must be empty. Every line is checked first —
    /// JSON shape, gapless positions, gapless stream versions, the hash chain — and a bad line fails the
    /// whole import, naming its line number, before anything is written. The events keep their ids,
    /// times and hashes; they are written `batchSize` to a transaction. Blank lines are skipped.
    /// Returns the number of events imported.
    @discardableResult
    public func importLog(_ text: [UInt8], batchSize: Int = 10_000) throws -> Int {
        try requireWritable()
        guard try head().position == 0 else {
            throw EventLogError(.storeNotEmpty, "the store at \(path) already holds events; import into a new store")
        }
        let events = try parseExport(text)
        var start = 0
        while start < events.count {
            let batch = events[start..<min(start + batchSize, events.count)]
            try environment.write { txn in
                var writer = try LogWriter(txn: txn, db: db)
                let first = writer.head.position + 1
                for event in batch { try writer.write(imported: event, txn: txn) }
                try writer.finish(txn: txn)
                try applyProjections(from: first, to: writer.head.position, txn: txn)
            }
            start += batch.count
        }
        return events.count
    }

    private func parseExport(_ text: [UInt8]) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var versions: [String: UInt64] = [:]
        var previous = Digest.zero
        var previousTime = Int64.min
        var lineNumber = 0
        var body: [UInt8] = []
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            func reject(_ reason: String) -> EventLogError {
                EventLogError(.importRejected, "line \(lineNumber): \(reason); nothing was imported")
            }
            let parsed: NDJSONLine.Parsed
            do {
                parsed = try NDJSONLine.decode(Array(trimmed))
            } catch {
                throw reject("\(error)")
            }
            let event = parsed.event
            let position = UInt64(events.count + 1)
            guard event.position == position else { throw reject("position \(event.position) where \(position) was expected") }
            do {
                try EventStore.validateName(event.stream, what: "stream name")
                if let commandId = event.commandId { try EventStore.validateName(commandId, what: "command id") }
            } catch {
                throw reject("\(error)")
            }
            let version = (versions[event.stream] ?? 0) + 1
            guard event.streamVersion == version else {
                throw reject("stream \(event.stream) jumps to version \(event.streamVersion) (expected \(version))")
            }
            guard event.recordedAt.millisecondsSinceEpoch >= previousTime else { throw reject("recordedAt goes back in time") }
            guard parsed.previousHash == previous else { throw reject("previousHash does not match the line before") }
            body.removeAll(keepingCapacity: true)
            RecordCodec.encodeBody(event, into: &body)
            let computed = body.withUnsafeBytes { RecordCodec.hash(previous: previous, position: position, body: $0) }
            guard computed == event.hash else { throw reject("hash does not match the event's fields (altered line?)") }
            versions[event.stream] = version
            previous = event.hash
            previousTime = event.recordedAt.millisecondsSinceEpoch
            events.append(event)
        }
        return events
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
    /// Writes an event from an export, keeping its fields, and maintains the stream and command indexes.
    mutating func write(imported event: RecordedEvent, txn: borrowing Transaction) throws {
        let state = try LogWriter.streamState(event.stream, txn: txn, db: db)
        let streamId = try state?.id ?? UInt64(txn.count(db.streams) + 1)
        var record: [UInt8] = []
        RecordCodec.encodeBody(event, into: &record)
        let hash = try write(record: &record, streamId: streamId, streamVersion: event.streamVersion, recordedAt: event.recordedAt, txn: txn)
        guard hash == event.hash else {
            throw EventLogError(.importRejected, "position \(event.position): hash does not match; nothing more was imported")
        }
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
