import LMDB

/// Which way a stream is read.
public enum ReadDirection: Sendable {
    case forward
    case backward
}

extension EventStore {
    /// The log's last event: position, hash and time (position 0 for an empty log). A linked replay's last event is
    /// the one at its position.
    public func head() throws -> LogHead {
        try logEnvironment.read { txn in try visibleHead(txn: txn) }
    }

    /// The stream's version (its last event's version), 0 when it has no events.
    public func version(of stream: String) throws -> UInt64 {
        try logEnvironment.read { txn in try visibleStreamState(stream, txn: txn)?.version ?? 0 }
    }

    /// What the command `commandId` appended, or nil when no append carried that id.
    public func result(ofCommand commandId: String) throws -> AppendResult? {
        try logEnvironment.read { txn in try LogWriter.previousResult(of: commandId, txn: txn, db: db, through: readLimit) }
    }

    /// The event at `position`, or nil beyond the head.
    public func event(at position: UInt64) throws -> RecordedEvent? {
        guard position <= readLimit else { return nil }
        return try logEnvironment.read { txn in
            guard let raw = try txn.get(db.events, key: Key.u64(position)) else { return nil }
            return try raw.withUnsafeBytes { try decode(position: position, record: $0) }
        }
    }

    /// Up to `limit` events of `stream`, starting at version `from` and moving in `direction`
    /// (backward from `UInt64.max` reads the newest first).
    public func read(
        stream: String, from version: UInt64 = 1, direction: ReadDirection = .forward, limit: Int = .max
    ) throws -> [RecordedEvent] {
        try logEnvironment.read { txn in
            guard let state = try visibleStreamState(stream, txn: txn), limit > 0 else { return [] }
            var events: [RecordedEvent] = []
            var next = direction == .forward ? max(version, 1) : min(version, state.version)
            while events.count < limit, next >= 1, next <= state.version {
                guard let pointer = try txn.get(db.streamEvents, key: Key.pair(state.id, next)), pointer.count == 8 else {
                    throw EventLogError(.corrupt, "stream \(stream) has no index entry for version \(next); run docket verify")
                }
                let position = pointer.withUnsafeBytes { Key.u64($0) }
                guard let raw = try txn.get(db.events, key: Key.u64(position)) else {
                    throw EventLogError(.corrupt, "stream \(stream) points at missing position \(position); run docket verify")
                }
                events.append(try raw.withUnsafeBytes { try decode(position: position, record: $0) })
                if direction == .forward { next += 1 } else { next -= 1 }
            }
            return events
        }
    }

    /// Up to `limit` events of the whole log from `position` on, read in one transaction.
    public func read(from position: UInt64 = 1, limit: Int) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        events.reserveCapacity(min(limit, 10_000))
        try scan(from: position, through: .max, batchSize: max(limit, 1)) { event in
            events.append(event)
            return events.count < limit
        }
        return events
    }

    /// Calls `body` with every event from `first` through `last` (clamped to the head), in order.
    /// Reads in bounded transactions of `batchSize` events so a long scan never pins old pages.
    /// `body` returns false to stop early.
    public func scan(
        from first: UInt64 = 1, through last: UInt64 = .max, batchSize: Int = 10_000,
        _ body: (RecordedEvent) throws -> Bool
    ) throws {
        let last = min(last, readLimit)
        var next = max(first, 1)
        var going = true
        while going, next <= last {
            let batchEnd = next &+ UInt64(batchSize - 1)
            let (count, stopped) = try logEnvironment.read { txn -> (UInt64, Bool) in
                try txn.withCursor(db.events) { cursor in
                    var count: UInt64 = 0
                    var prefetch = PagePrefetch()
                    var entry = try damagedAfter(next - 1) { try cursor.seek(atLeast: Key.u64(next)) }
                    while let found = entry {
                        prefetch.landed(on: found.value)
                        let position = Key.u64(found.key)
                        guard position <= last, position <= batchEnd else { break }
                        count += 1
                        if try !body(try decode(position: position, record: found.value)) { return (count, true) }
                        entry = try damagedAfter(position) { try cursor.next() }
                    }
                    return (count, false)
                }
            }
            going = !stopped && count == UInt64(batchSize)
            next += count
        }
    }

    /// The last position recorded at or before `instant` (0 when none). Times never decrease along the
    /// log, so this is a binary search over positions.
    public func position(atOrBefore instant: Timestamp) throws -> UInt64 {
        try logEnvironment.read { txn in
            let head = try visibleHead(txn: txn)
            var low: UInt64 = 0
            var high = head.position
            while low < high {
                let middle = low + (high - low + 1) / 2
                guard let raw = try txn.get(db.events, key: Key.u64(middle)) else {
                    throw EventLogError(.corrupt, "position \(middle) is missing; run docket verify")
                }
                let time = try raw.withUnsafeBytes { try RecordCodec.recordedAt(of: $0) }
                if time <= instant { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }

    /// The streams whose names start with `prefix` (all when empty), with their versions, in name order.
    public func streams(prefix: String = "") throws -> [(name: String, version: UInt64)] {
        let start = Array(prefix.utf8)
        return try logEnvironment.read { txn in
            try txn.withCursor(db.streams) { cursor in
                var result: [(String, UInt64)] = []
                var entry = start.isEmpty ? try cursor.first() : try cursor.seek(atLeast: start)
                while let found = entry, found.key.starts(with: start) {
                    if let version = try visibleVersion(indexEntry: found.value, txn: txn) {
                        result.append((String(decoding: found.key, as: UTF8.self), version))
                    }
                    entry = try cursor.next()
                }
                return result
            }
        }
    }

    /// Runs `body` in a read transaction, for read models that keep their own databases.
    public func readModels<T>(_ body: (borrowing Transaction) throws -> T) throws -> T {
        try environment.read(body)
    }

    // MARK: - What a reader sees (a linked replay: the live log through its position)

    /// The head as this store's readers see it, in a read transaction of `logEnvironment`: the log's head, or for a
    /// linked replay the event at its position (the live log may have gone on; it must not have gone back).
    func visibleHead(txn: borrowing Transaction) throws -> LogHead {
        let head = try LogWriter.readHead(txn: txn, db: db)
        guard let linkedLog, head.position != linkedLog.position else { return head }
        guard head.position > linkedLog.position, let raw = try txn.get(db.events, key: Key.u64(linkedLog.position)) else {
            throw EventLogError(
                .replayUnlinked,
                "the live store \(linkedLog.live.path) that the linked replay at \(path) reads now ends at position "
                    + "\(head.position), before the replay's \(linkedLog.position) (rolled back); make the replay again")
        }
        return try raw.withUnsafeBytes { record in
            do {
                return LogHead(
                    position: linkedLog.position, hash: try RecordCodec.split(record).hash,
                    recordedAt: try RecordCodec.recordedAt(of: record))
            } catch {
                throw EventLogError(.corrupt, "the event at position \(linkedLog.position) is damaged (\(error)); run docket verify")
            }
        }
    }

    /// The stream's id and version as this store's readers see it (nil when it has no event they see).
    func visibleStreamState(_ stream: String, txn: borrowing Transaction) throws -> (id: UInt64, version: UInt64)? {
        guard let state = try LogWriter.streamState(stream, txn: txn, db: db) else { return nil }
        return try visible(state, txn: txn)
    }

    /// The version a reader sees of the stream whose `streams` index entry is `entry` (nil: none of its events).
    func visibleVersion(indexEntry entry: UnsafeRawBufferPointer, txn: borrowing Transaction) throws -> UInt64? {
        let state = (id: entry.count == 16 ? Key.u64(entry) : 0, version: entry.count == 16 ? Key.u64(entry, at: 8) : 0)
        guard readLimit != .max else { return state.version }
        return try visible(state, txn: txn)?.version
    }

    /// `state` (a stream's id and last version) as a reader sees it: unchanged for a store's own log; for a linked
    /// replay, the last version at or before its position (versions' positions grow with the version: a binary
    /// search over `stream_events`), nil when the stream begins after it.
    func visible(_ state: (id: UInt64, version: UInt64), txn: borrowing Transaction) throws -> (id: UInt64, version: UInt64)? {
        let limit = readLimit
        guard limit != .max, state.version > 0 else { return state }
        func position(_ version: UInt64) throws -> UInt64 {
            guard let pointer = try txn.get(db.streamEvents, key: Key.pair(state.id, version)), pointer.count == 8 else {
                throw EventLogError(.corrupt, "stream id \(state.id) has no index entry for version \(version); run docket verify")
            }
            return Key.u64(pointer)
        }
        if try position(state.version) <= limit { return state }
        guard try position(1) <= limit else { return nil }
        var low: UInt64 = 1
        var high = state.version - 1
        while low < high {
            let middle = low + (high - low + 1) / 2
            if try position(middle) <= limit { low = middle } else { high = middle - 1 }
        }
        return (state.id, low)
    }

    /// Runs a cursor step after `position`, turning LMDB's word for a damaged page into one naming the place.
    func damagedAfter<T>(_ position: UInt64, _ step: () throws -> T) throws -> T {
        do {
            return try step()
        } catch let error as LMDBError where error.meansCorruption {
            throw EventLogError(
                .corrupt, "the log at \(path) is damaged after position \(position) (\(error)); restore it from a backup")
        }
    }

    func decode(position: UInt64, record: UnsafeRawBufferPointer) throws -> RecordedEvent {
        do {
            return try RecordCodec.decode(position: position, record: record)
        } catch let malformed as RecordCodec.Malformed {
            throw EventLogError(.corrupt, "the event at position \(position) is damaged (\(malformed)); run docket verify")
        }
    }
}
