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

    /// Imports an NDJSON export into this store. Every line is checked first — JSON shape, gapless
    /// positions, gapless stream versions, the hash chain — and a bad line fails the whole import, naming
    /// its line number, before anything is written. The events keep their ids, times and hashes; they are
    /// written `batchSize` to a transaction. Blank lines are skipped. The log is written first, alone; then the
    /// read models are built once, all in one scan of it (`catchUpProjections`), as on the first open of a store
    /// whose models lag: an import cut short in between leaves models behind the head, caught up on the next open.
    ///
    /// The store must be empty, or hold exactly the export's first N events, byte for byte (an import that
    /// was interrupted): the import then goes on after them, and `resuming` is called with N first.
    /// `progress` is called after each batch with (what is being done, position reached, last position): `log`
    /// while the events are written, then the names of the read models being built.
    /// Returns the number of events imported by this call.
    @discardableResult
    public func importLog(
        _ text: [UInt8], batchSize: Int = 10_000, resuming: (UInt64) -> Void = { _ in },
        progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> Int {
        try requireWritable()
        try requireNoRollbackSuspicion()
        let events = try parseExport(text)
        let already = try importedPrefix(of: events)
        if already > 0 { resuming(already) }
        var start = Int(already)
        let last = events.last?.position ?? 0
        while start < events.count {
            let batch = events[start..<min(start + batchSize, events.count)]
            let head = try environment.write { txn in
                var writer = try LogWriter(txn: txn, db: db)
                guard writer.head.position + 1 == batch[batch.startIndex].position else {
                    throw EventLogError(
                        .storeNotEmpty, "another process wrote to \(path) during the import; import into a new store")
                }
                for event in batch { try writer.write(imported: event, txn: txn) }
                try writer.finish(txn: txn)
                return writer.head
            }
            recordAnchor(head)
            start += batch.count
            progress("log", head.position, last)
        }
        try catchUpProjections(progress: progress)
        return events.count - Int(already)
    }

    /// How many of `events` the store already holds: 0 for an empty store, N when its events are exactly the
    /// first N of the export, byte for byte (same bodies, same hashes). Anything else is refused.
    private func importedPrefix(of events: [RecordedEvent]) throws -> UInt64 {
        try environment.read { txn in
            let head = try LogWriter.readHead(txn: txn, db: db)
            guard head.position > 0 else { return 0 }
            func refuse(_ reason: String) -> EventLogError {
                EventLogError(
                    .storeNotEmpty,
                    "the store at \(path) already holds events (\(reason)); import into a new store, or into the store an interrupted import of this file left")
            }
            guard head.position <= UInt64(events.count) else {
                throw refuse("\(head.position) of them, more than the file's \(events.count)")
            }
            var body: [UInt8] = []
            try txn.withCursor(db.events) { cursor in
                var entry = try cursor.first()
                for event in events.prefix(Int(head.position)) {
                    guard let found = entry, Key.u64(found.key) == event.position else {
                        throw refuse("position \(event.position) is missing")
                    }
                    body.removeAll(keepingCapacity: true)
                    RecordCodec.encodeBody(event, into: &body)
                    withUnsafeBytes(of: event.hash) { body.append(contentsOf: $0) }
                    guard found.value.elementsEqual(body) else { throw refuse("position \(event.position) differs from line \(event.position)") }
                    entry = try cursor.next()
                }
            }
            return head.position
        }
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
