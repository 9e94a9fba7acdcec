import LMDB

/// What `verify` found.
public struct VerifyReport: Sendable, Equatable {
    /// One thing wrong with the store.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The position concerned, when the problem belongs to one event.
        public let position: UInt64?
        public let message: String
        public var description: String { position.map { "position \($0): \(message)" } ?? message }
    }

    public var eventsChecked: UInt64 = 0
    public var streamsChecked = 0
    public var head: UInt64 = 0
    /// At most `VerifyReport.problemLimit` problems, in log order.
    public var problems: [Problem] = []

    /// The first position with a problem, if any problem names one.
    public var firstBadPosition: UInt64? { problems.compactMap(\.position).min() }
    public var isClean: Bool { problems.isEmpty }

    /// How many distinct anchors (the store's and the copies given) the log was checked against.
    public var anchorsChecked = 0

    static let problemLimit = 100

    /// One line for the anchors the log fails, or nil when none does: the problem of the latest anchor (the most
    /// the log lost), and how many others fail too. A rolled-back log fails every anchor past its head, one a commit:
    /// a line each would bury the one that matters.
    static func anchorSummary(_ failing: [(anchor: Anchor, problem: String)], checked: Int) -> String? {
        guard let latest = failing.max(by: { $0.anchor.position < $1.anchor.position }) else { return nil }
        guard failing.count > 1 else { return latest.problem }
        return "\(latest.problem) (\(failing.count) of the \(checked) anchors checked fail)"
    }

    mutating func report(_ message: String, at position: UInt64? = nil) {
        if problems.count < VerifyReport.problemLimit { problems.append(Problem(position: position, message: message)) }
    }
}

extension EventStore {
    /// Checks `events` (as this store gave them) against the hash chain, as `verify` does for every event: each one's
    /// stored record, hashed after the stored hash of the event before it, must give its own stored hash. For the few
    /// events a decision cannot take on trust (a user's, which say who may do what): a damaged one would otherwise make
    /// a user unknown, or change a role, without a word. Throws `.corrupt` naming the first event that fails.
    public func checkChain(_ events: [RecordedEvent]) throws {
        guard !events.isEmpty else { return }
        // The log's environment: a linked replay reads its events from the live store.
        try logEnvironment.read { txn in
            for event in events {
                let previous: Digest
                if event.position <= 1 {
                    previous = .zero
                } else {
                    previous = try storedHash(at: event.position - 1, txn: txn)
                }
                guard let record = try txn.get(db.events, key: Key.u64(event.position)) else { throw Self.chainBroken(at: event.position) }
                let good = record.withUnsafeBytes { raw in
                    guard let (body, stored) = try? RecordCodec.split(raw) else { return false }
                    return RecordCodec.hash(previous: previous, position: event.position, body: body) == stored
                }
                guard good else { throw Self.chainBroken(at: event.position) }
            }
        }
    }

    /// The hash stored with the event at `position`.
    private func storedHash(at position: UInt64, txn: borrowing Transaction) throws -> Digest {
        guard let record = try txn.get(db.events, key: Key.u64(position)),
            let hash = record.withUnsafeBytes({ try? RecordCodec.split($0).hash })
        else { throw Self.chainBroken(at: position) }
        return hash
    }

    private static func chainBroken(at position: UInt64) -> EventLogError {
        EventLogError(
            .corrupt,
            "the log is damaged at position \(position) (hash mismatch: the event or the one before it was altered); run `docket verify` and restore from a backup")
    }
}

/// What the walk along the chain has seen so far.
private struct ChainWalk {
    var expected: UInt64 = 1
    var previousHash = Digest.zero
    var previousTime = Int64.min
    var versions: [String: UInt64] = [:]
    var commands: [String: ClosedRange<UInt64>] = [:]
}

extension EventStore {
    /// Recomputes the hash chain from position 1 and checks every index against the events:
    /// gapless positions, gapless stream versions, the stream and command indexes, the head, the checkpoints.
    /// Everything is read in one read transaction, so appends made meanwhile by other processes are simply not
    /// seen (they can never look like damage); a long verify keeps the pages of its snapshot from being reused
    /// until it ends. `progress` gets (position reached, head) every `progressEvery` events.
    /// The log is also checked against its anchors (the store's `anchors` file and the copies named in
    /// `anchorCopies`): every anchored position must be in the log with the anchored hash.
    public func verify(
        anchorCopies: [String] = [], progressEvery: Int = 50_000, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> VerifyReport {
        let anchors = try anchors(alsoFrom: anchorCopies)
        return try logEnvironment.read { txn in
            try verifyLog(txn: txn, anchors: anchors, progressEvery: progressEvery, progress: progress)
        }
    }

    /// `verify` inside the caller's read transaction of `logEnvironment`, against `anchors` read before it began. A
    /// linked replay verifies the live log through its position, and the indexes as it sees them.
    func verifyLog(
        txn: borrowing Transaction, anchors: [(file: String, anchors: [Anchor])], progressEvery: Int = 50_000,
        progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> VerifyReport {
        var report = VerifyReport()
        let head = try visibleHead(txn: txn)
        report.head = head.position
        var streamIds: [String: UInt64] = [:]
        do {
            streamIds = try streamIdsByName(txn: txn)
        } catch let error as LMDBError where error.meansCorruption {
            report.report("the stream index is damaged (\(error)); restore from a backup")
        }
        var walk = ChainWalk()
        do {
            try txn.withCursor(db.events) { cursor in
                var prefetch = PagePrefetch()
                var entry = try cursor.first()
                while let found = entry {
                    prefetch.landed(on: found.value)
                    let position = Key.u64(found.key)
                    if linkedLog != nil, found.key.count == 8, position > head.position { break }
                    guard found.key.count == 8, position <= head.position else {
                        report.report("an event is stored past the head at key \(position)", at: position)
                        entry = try cursor.next()
                        continue
                    }
                    try checkEvent(position: position, record: found.value, streamIds: streamIds, walk: &walk, report: &report, txn: txn)
                    if report.eventsChecked % UInt64(max(progressEvery, 1)) == 0 { progress(position, head.position) }
                    entry = try cursor.next()
                }
            }
        } catch let error as LMDBError where error.meansCorruption {
            report.report(
                "the log is damaged after position \(walk.expected &- 1) in database events (\(error)); restore from a backup",
                at: walk.expected)
        }
        if walk.expected <= head.position {
            report.report("positions \(walk.expected)…\(head.position) are missing", at: walk.expected)
        }
        if walk.previousHash != head.hash {
            report.report("the head record does not match the last event's hash")
        }
        do {
            try checkIndexes(versions: walk.versions, commands: walk.commands, head: head, report: &report, txn: txn)
        } catch let error as LMDBError where error.meansCorruption {
            report.report("an index is damaged (\(error)); restore from a backup")
        }
        if linkedLog == nil {
            do {
                try checkCatalogue(report: &report, txn: txn)
            } catch let error as LMDBError where error.meansCorruption {
                report.report("the catalogue of databases is damaged (\(error)); restore from a backup")
            }
        }
        if let alarm = integrityAlarm { report.report("the store looks rolled back: \(alarm)") }
        let distinct = Set(anchors.flatMap(\.anchors))
        var failing: [(anchor: Anchor, problem: String)] = []
        for anchor in distinct {
            if let problem = try anchorProblem(anchor, head: head, txn: txn) { failing.append((anchor, problem)) }
        }
        // Positions past the head are "missing" only when the positions both hold agree: another store's anchors (or
        // a rewritten log) differ at the first of them, and the log was never "rolled back" from them.
        let differing = Set(failing.map(\.anchor).filter { $0.position <= head.position })
        let foreign = anchors.lazy.compactMap { source in
            source.anchors.filter(differing.contains).map(\.position).min().map { (file: source.file, position: $0) }
        }.first
        if let foreign {
            report.report(
                "the anchors file \(foreign.file) does not match this log (the hash at position \(foreign.position) differs): "
                    + "a different store's anchors, or a rewritten log", at: foreign.position)
        } else if let summary = VerifyReport.anchorSummary(failing, checked: distinct.count) {
            report.report(summary, at: min(failing.map(\.anchor.position).min() ?? 0, head.position &+ 1))
        }
        report.anchorsChecked = distinct.count
        report.streamsChecked = walk.versions.count
        progress(head.position, head.position)
        return report
    }

    /// Checks one stored event against the chain so far and the stream index.
    private func checkEvent(
        position: UInt64, record: UnsafeRawBufferPointer, streamIds: [String: UInt64], walk: inout ChainWalk,
        report: inout VerifyReport, txn: borrowing Transaction
    ) throws {
        // Keys come from a possibly damaged file: no arithmetic on them may trap.
        if position > walk.expected {
            report.report("positions \(walk.expected)…\(position &- 1) are missing", at: walk.expected)
        } else if position < walk.expected {
            report.report("an event is stored out of order at key \(position)", at: walk.expected)
        }
        walk.expected = max(walk.expected, position &+ 1)
        report.eventsChecked += 1
        guard let (body, storedHash) = try? RecordCodec.split(record) else {
            report.report("the record is too short to hold an event", at: position)
            return
        }
        let computed = RecordCodec.hash(previous: walk.previousHash, position: position, body: body)
        if computed != storedHash {
            report.report("hash mismatch: the event or the one before it was altered", at: position)
        }
        walk.previousHash = storedHash
        let event: RecordedEvent
        do {
            event = try RecordCodec.decode(position: position, record: record)
        } catch {
            report.report("the record does not decode: \(error)", at: position)
            return
        }
        let time = event.recordedAt.millisecondsSinceEpoch
        if time < walk.previousTime { report.report("recorded-at goes back in time", at: position) }
        walk.previousTime = time
        let version = (walk.versions[event.stream] ?? 0) + 1
        if event.streamVersion != version {
            report.report("stream \(event.stream) jumps to version \(event.streamVersion) (expected \(version))", at: position)
        }
        walk.versions[event.stream] = event.streamVersion
        if let id = streamIds[event.stream] {
            let pointer = try txn.get(db.streamEvents, key: Key.pair(id, event.streamVersion))
            if pointer.map({ $0.count == 8 ? Key.u64($0) : 0 }) != position {
                report.report("the stream index does not point at this event", at: position)
            }
        } else {
            report.report("stream \(event.stream) is missing from the stream index", at: position)
        }
        if let commandId = event.commandId {
            let lower = walk.commands[commandId]?.lowerBound ?? position
            walk.commands[commandId] = lower...position
        }
    }

    private func streamIdsByName(txn: borrowing Transaction) throws -> [String: UInt64] {
        try txn.withCursor(db.streams) { cursor in
            var ids: [String: UInt64] = [:]
            var entry = try cursor.first()
            while let found = entry {
                if found.value.count == 16 { ids[String(decoding: found.key, as: UTF8.self)] = Key.u64(found.value) }
                entry = try cursor.next()
            }
            return ids
        }
    }

    private func checkIndexes(
        versions: [String: UInt64], commands: [String: ClosedRange<UInt64>], head: LogHead, report: inout VerifyReport,
        txn: borrowing Transaction
    ) throws {
        var indexed = 0
        try txn.withCursor(db.streams) { cursor in
            var entry = try cursor.first()
            while let found = entry {
                let name = String(decoding: found.key, as: UTF8.self)
                guard let version = try visibleVersion(indexEntry: found.value, txn: txn) else {
                    entry = try cursor.next()
                    continue
                }
                indexed += 1
                if versions[name] != version {
                    report.report("the stream index says \(name) is at version \(version), the log says \(versions[name] ?? 0)")
                }
                entry = try cursor.next()
            }
        }
        if indexed != versions.count {
            report.report("the stream index lists \(indexed) streams, the log has \(versions.count)")
        }
        let pointers = try visibleCount(db.streamEvents, txn: txn) { $0.value.count == 8 ? Key.u64($0.value) : 0 }
        if UInt64(pointers) != report.eventsChecked {
            report.report("the stream index holds \(pointers) entries for \(report.eventsChecked) events")
        }
        for (commandId, range) in commands {
            let entry = try txn.get(db.commands, key: Array(commandId.utf8))
            let stored = entry.flatMap { raw -> ClosedRange<UInt64>? in
                guard raw.count == 16 else { return nil }
                let (first, last) = (Key.u64(raw), min(Key.u64(raw, at: 8), readLimit))
                return first <= last ? first...last : nil
            }
            if stored != range {
                report.report("the command index entry for \(commandId) does not match its events", at: range.lowerBound)
            }
        }
        let indexedCommands = try visibleCount(db.commands, txn: txn) { $0.value.count == 16 ? Key.u64($0.value) : 0 }
        if indexedCommands != commands.count {
            report.report("the command index lists \(indexedCommands) commands, the log has \(commands.count)")
        }
        // A linked replay's checkpoints are in its own environment, not the live log's.
        let marks = try linkedLog == nil
            ? projections.map { try checkpoint($0.name, txn: txn) }
            : environment.read { own in try projections.map { try checkpoint($0.name, txn: own) } }
        for (projection, mark) in zip(projections, marks) {
            if mark > head.position {
                report.report("read model \(projection.name) claims position \(mark), past the head \(head.position)")
            }
        }
    }

    /// Checks the catalogue (LMDB's list of named databases) for a damaged name: every database must be the log's, a
    /// read model's, or one a read model's older format left (`staleReadModels`, dropped on the next open); and a read
    /// model with a checkpoint must have had all its databases when the store was opened.
    private func checkCatalogue(report: inout VerifyReport, txn: borrowing Transaction) throws {
        let owned = Set(projections.flatMap(\.databaseNames))
        for name in try txn.databaseNames() where !owned.contains(name) && !Self.logDatabaseNames.contains(name) {
            if let model = projections.first(where: { name.hasPrefix($0.format == 1 ? "rm.\($0.name)." : "rm.\($0.name)\($0.format).") }) {
                report.report(
                    "the catalogue lists a database read model \(model.name) does not have, '\(name)' (a damaged name); "
                        + "run `docket rebuild \(model.name)`")
            } else if !name.hasPrefix("rm.") {
                report.report("the catalogue lists a database no part of Docket has, '\(name)' (a damaged name); restore from a backup")
            }
        }
        for projection in projections {
            guard let absent = projection.databaseNames.first(where: tablesAbsentAtOpen.contains),
                try checkpoint(projection.name, txn: txn) > 0
            else { continue }
            report.report(
                "read model \(projection.name) has a checkpoint but its database '\(absent)' was missing when the store "
                    + "was opened (a damaged name); run `docket rebuild \(projection.name)`")
        }
    }

    /// The entries of `database` a reader sees: all of them, or for a linked replay those whose `position` (the event
    /// they point at, or the first one) is at or before its position (one pass over the live index).
    private func visibleCount(
        _ database: Database, txn: borrowing Transaction, position: (Entry) -> UInt64
    ) throws -> Int {
        guard readLimit != .max else { return try txn.count(database) }
        return try txn.withCursor(database) { cursor in
            var count = 0
            var entry = try cursor.first()
            while let found = entry {
                if position(found) <= readLimit { count += 1 }
                entry = try cursor.next()
            }
            return count
        }
    }
}
