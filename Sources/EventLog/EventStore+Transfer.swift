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
///
/// An open-addressing table of its own (linear probing, a word-at-a-time hash of the name), found once per event
/// (`entry`) and updated in place (`set`): a `Dictionary` of the names hashed each name twice per event (SipHash over
/// its bytes, to read and then to store its state) and grew from its first capacity in every transaction, ~20 % of
/// the writing thread's time in a 1M import.
struct ImportStreams {
    /// One stream: its name, the name's hash, and its id and version as this transaction leaves them (id 0: the
    /// stream is not in the index yet, and has no id until its first event is written).
    private struct Entry {
        let name: UnsafeRawBufferPointer
        let hash: UInt64
        var id: UInt64
        var version: UInt64
    }

    private var entries: [Entry] = []
    /// Each slot holds an index of `entries` plus one, or 0 when free; a power of two, at least twice the entries.
    private var slots = [Int32](repeating: 0, count: 4_096)
    /// Streams the index held when the transaction began (read once, when a first new stream needs an id), and the
    /// streams this transaction added since.
    private var held: Int?
    private var added = 0

    init() { entries.reserveCapacity(2_048) }

    /// The entry of `stream`: found, or added with what the index holds of it.
    mutating func entry(_ stream: UnsafeRawBufferPointer, txn: borrowing Transaction, db: EventStore.Databases) throws -> Int {
        let hash = ImportStreams.hash(stream)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if entries[index].hash == hash, entries[index].name.elementsEqual(stream) { return index }
            slot = (slot + 1) & mask
        }
        let state = try LogWriter.streamState(stream, txn: txn, db: db)
        entries.append(Entry(name: stream, hash: hash, id: state?.id ?? 0, version: state?.version ?? 0))
        slots[slot] = Int32(entries.count)
        if 2 * entries.count > slots.count { grow() }
        return entries.count - 1
    }

    /// The stream's id (0 when it has none yet) and version (0 when it has no event) as this transaction leaves them.
    func state(_ entry: Int) -> (id: UInt64, version: UInt64) { (entries[entry].id, entries[entry].version) }

    /// The id of a new stream: after every stream of the index and those this transaction added.
    mutating func newId(txn: borrowing Transaction, db: EventStore.Databases) throws -> UInt64 {
        if held == nil { held = try txn.count(db.streams) }
        added += 1
        return UInt64(held! + added)
    }

    mutating func set(_ entry: Int, id: UInt64, version: UInt64) {
        entries[entry].id = id
        entries[entry].version = version
    }

    /// Puts every touched stream's entry (its id and last version). Call before the transaction commits, while the
    /// names are valid.
    func flush(txn: borrowing Transaction, db: EventStore.Databases) throws {
        for entry in entries where entry.id != 0 {
            try withUnsafeBytes(of: (entry.id.bigEndian, entry.version.bigEndian)) { pair in
                try txn.put(db.streams, key: entry.name, value: pair)
            }
        }
    }

    /// Twice the slots, every entry placed again by its hash.
    private mutating func grow() {
        slots = [Int32](repeating: 0, count: 2 * slots.count)
        let mask = slots.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }

    /// A hash of a name's bytes, eight at a time (multiply and rotate), mixed at the end (MurmurHash3's finalizer):
    /// names such as `ticket-T-000123` differ in their last bytes, which the mix spreads over the low bits the table
    /// uses.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while bytes.count - offset >= 8 {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash = (hash << 31) | (hash >> 33)
            offset += 8
        }
        var tail: UInt64 = 0
        for k in offset..<bytes.count { tail |= UInt64(bytes[k]) << (8 * UInt64(k - offset)) }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        return hash ^ (hash >> 33)
    }
}

extension LogWriter {
    /// Writes the record of line `line` of an export (`ImportBatch`: its body and the line's hash, as the log stores
    /// it) as the next position, and maintains the stream (through `streams`, put at its `flush`) and command indexes.
    /// Its stream version must follow the stream's, and unless the reader already did (`hashed`), the hash chained
    /// here must equal the line's. The record and its `stream_events` entry go through the transaction's cursors over
    /// both (`place`): a put through a cursor left on the page of the last finds its page without a search from the
    /// root, and a new stream's first entry is put at the end (a `txn.put` each searched both trees from their roots).
    mutating func write(
        importedRecord record: UnsafeRawBufferPointer, line: Int, hashed: Bool, streams: inout ImportStreams,
        events: borrowing Cursor, streamEvents: borrowing Cursor, txn: borrowing Transaction
    ) throws {
        let position = head.position + 1
        let fields = try RecordCodec.indexFields(of: record)
        let entry = try streams.entry(fields.stream, txn: txn, db: db)
        let state = streams.state(entry)
        let version = state.version + 1
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
        let streamId = try state.id != 0 ? state.id : streams.newId(txn: txn, db: db)
        // A stream made here has the highest id: its entry goes after every other of `stream_events`.
        try place(
            record: record, hash: hash, streamId: streamId, streamVersion: version, recordedAt: fields.recordedAt,
            events: events, streamEvents: streamEvents, lastStream: state.id == 0)
        streams.set(entry, id: streamId, version: version)
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
