import Foundation
import LMDB

/// One append: events for one stream, guarded by an expected version and, optionally, a command id.
public struct AppendRequest: Sendable {
    public var stream: String
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]
    /// When given, a second append with the same command id writes nothing and returns the first result.
    public var commandId: String?
    /// Who is appending.
    public var actor: String
    /// Other streams the decision behind this append read, at the versions it read them: checked in the append's
    /// transaction as `expectedVersion` is, so the append is refused (``WrongExpectedVersion``, nothing written) when one
    /// has moved since, and a check made on another stream and this write are one decision (a contract's end moved
    /// only while the client's invoices are as it checked them).
    public var guards: [StreamGuard]
    /// Families of streams the decision listed (every stream under a name prefix), with how many there were: checked
    /// in the append's transaction as ``guards`` are, so a stream added to the family since (which ``guards`` cannot
    /// name: the decision never saw it) refuses the append too (``WrongExpectedVersion``, nothing written).
    public var listGuards: [StreamListGuard]

    public init(
        stream: String, expectedVersion: ExpectedVersion = .any, events: [NewEvent], commandId: String? = nil,
        actor: String, guards: [StreamGuard] = [], listGuards: [StreamListGuard] = []
    ) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
        self.commandId = commandId
        self.actor = actor
        self.guards = guards
        self.listGuards = listGuards
    }
}

/// The streams under a name prefix an append's decision listed, and how many there were (``AppendRequest/listGuards``).
/// Streams are never removed, so the same count with each listed stream guarded (``StreamGuard``) is the same family.
public struct StreamListGuard: Sendable, Equatable {
    /// The names' common prefix (`sla-policy-`).
    public var prefix: String
    /// How many streams had it when the decision listed them.
    public var count: UInt64

    public init(prefix: String, count: UInt64) {
        self.prefix = prefix
        self.count = count
    }
}

/// A stream an append's decision read and the version it must still be at (``AppendRequest/guards``).
public struct StreamGuard: Sendable, Equatable {
    public var stream: String
    public var expectedVersion: ExpectedVersion

    public init(stream: String, expectedVersion: ExpectedVersion) {
        self.stream = stream
        self.expectedVersion = expectedVersion
    }
}

/// What an append wrote (or, for a retried command id, what the first append wrote).
public struct AppendResult: Sendable, Equatable {
    public let stream: String
    /// The global positions of the events, in order.
    public let positions: ClosedRange<UInt64>
    /// The stream's version after the append: its last event's version.
    public let streamVersion: UInt64
    /// True when the command id was already in the log and nothing was written.
    public let isRetry: Bool
}

/// The log's last event.
public struct LogHead: Sendable, Equatable {
    /// The last position; 0 for an empty log.
    public let position: UInt64
    /// The last event's hash; `Digest.zero` for an empty log.
    public let hash: Digest
    /// When the last event was recorded.
    public let recordedAt: Timestamp

    static let empty = LogHead(position: 0, hash: .zero, recordedAt: Timestamp(millisecondsSinceEpoch: 0))
}

/// The append-only event log on LMDB. See docs/architecture.md for its databases and guarantees.
///
/// Open one `EventStore` per store folder per process. Every public method runs its own transaction.
public final class EventStore: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in LMDB, whose transactions serialize writers;
    // the stored properties are set once in init.

    /// The longest stream name or command id, in UTF-8 bytes (LMDB keys are at most 511 bytes).
    public static let maxNameLength = 200

    let environment: Environment
    /// For a linked replay: the live store whose log it reads and the last position it sees (see `logEnvironment`).
    /// Nil for every other store.
    let linkedLog: LinkedLog?
    let clock: any WallClock
    let projections: [any Projection]
    let db: Databases
    /// Concurrent appends committed together (off unless ``enableGroupCommit()``; it guards its own state).
    let groupCommit = GroupCommit()
    /// The read models' databases that a store opened for writing did not have when it was opened (they were created
    /// empty) though their model had a checkpoint then: a name damaged in the catalogue, which `verify` reports. A new
    /// model's, or a new format's, are not among them (`tablesLostAtOpen`).
    let tablesAbsentAtOpen: Set<String>
    /// The log's own databases, which every store has from its creation.
    static let logDatabaseNames = ["events", "streams", "stream_events", "commands", "meta", "checkpoints"]
    /// Set when the folder holds a replay (`docket replay`): the store is then opened read-only.
    public let replay: ReplayMarker?
    /// Why the store looks rolled back (checked when it is opened, for writing or not; not for a replay), or nil.
    /// While set, writes are refused, and the CLI refuses every command but `verify` (`requireNotRolledBack`);
    /// `acceptRollback` records an admin's decision to go on and clears it. Set in init and by `acceptRollback` only
    /// (a command's single thread), never while other threads use the store.
    public internal(set) var integrityAlarm: String?
    /// Where the store reports what went wrong without failing the command (an anchor it could not write): one
    /// line each. Writes `docket: warning: …` to stderr (as the CLI writes its other warnings) unless replaced; replace
    /// it before the store is shared between threads.
    public var warnings: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("docket: warning: \(message)\n".utf8))
    }

    /// How many threads a bulk fold (rebuild, catch-up, replay) folds the read models on, and the read models'
    /// digests are hashed on (`readModelDigests`): the processors available by default; 1 folds them one after the
    /// other, as appends do (see `BulkFold`). The bytes are the same either way. Set it before the store is shared
    /// between threads.
    public var foldThreads = ProcessInfo.processInfo.activeProcessorCount

    /// How many events a bulk batch (rebuild, catch-up, replay, the read models of an import) folds into one write
    /// transaction by default, unless `bulkBatchBytes` ends it first. Smaller batches keep what a batch touches in the
    /// processor's caches (less CPU), larger ones commit less often (each commit an `fdatasync`, and a page changed by
    /// two commits written twice): 10,000 took the least time on the 1M and 10M benchmark stores (docs/architecture.md,
    /// "Why 10k events"). The read models' bytes are the same for any size.
    public static let bulkBatchSize = 10_000

    /// The most bytes of events a bulk batch (rebuild, catch-up, replay) takes into one write transaction, beside its
    /// count of events: a batch ends at whichever it reaches first, and holds at least one event. A batch's events stay
    /// decoded until its commit, and LMDB keeps the pages the commit writes in private memory until then — an event
    /// too large for a page (an invoice draft with a line per ticket) whole, once in the log of a standalone replay and
    /// again in the billing model. On a 10M store a month end's drafts are ~75 MB in one 20,000-event batch (the size then): bounded
    /// by count alone, that batch was the fold's peak of private memory. Counted in stored records (envelope and
    /// payload), or in payloads where only the decoded event is at hand (a linked replay). The bytes are the same for
    /// any bound. Set it before the store is shared between threads.
    public var bulkBatchBytes = 16 << 20

    /// Whether an append applies each event only to the projections whose `Projection.interest` takes it, as a bulk
    /// fold does (`EventRouting`); false: to every projection, each passing over what it does not read. The models'
    /// bytes are the same either way as long as every interest names every event its model reads: the tests that
    /// compare a rebuild with the appends turn it off, so that such a mistake shows. A bulk append
    /// (`event append --stdin`) of events no model reads but `stream-counts` made each of the nine calls per event,
    /// copying the event each time. Set it before the store is shared between threads.
    public var routesAppends = true

    /// True when the store was opened read-only (asked for, or because it is a replay): appends,
    /// imports and rebuilds are refused.
    public var isReadOnly: Bool { environment.isReadOnly }

    /// The folder the store lives in.
    public var path: String { environment.path }

    /// How many read transactions are open on the store now, in every process (see ``Environment/openReaders()``).
    public func openReaders() throws -> Int { try environment.openReaders() }

    /// The named databases of the store. `events`, `streams`, `streamEvents`, `commands` and `meta` belong to
    /// `logEnvironment`, `checkpoints` and `projections` to `environment`: the same environment except in a linked
    /// replay, whose log is the live store's.
    struct Databases {
        let events: Database
        let streams: Database
        let streamEvents: Database
        let commands: Database
        let meta: Database
        /// Nil in a linked replay opened on a snapshot's file, where every model is at the replay's position.
        let checkpoints: Database?
        let projections: [String: [Database]]

        /// These log databases with another store's checkpoints and read models (a linked replay's).
        func linked(checkpoints: Database?, projections: [String: [Database]]) -> Databases {
            Databases(
                events: events, streams: streams, streamEvents: streamEvents, commands: commands, meta: meta,
                checkpoints: checkpoints, projections: projections)
        }
    }

    /// A linked replay being built in the empty folder `path`: its read models and checkpoints are written there, its log
    /// is `live`'s through `position`. No marker yet: the builder writes it last (`linkedReplay`).
    init(buildingLinkedReplayIn path: String, live: EventStore, position: UInt64, projections: [any Projection]) throws {
        var options = Environment.Options()
        options.durable = false  // flushed once, before the marker is written
        options.initialMapSize = max(options.initialMapSize, live.environment.mapSize / 2)
        let environment = try Environment(path: path, options: options)
        var owned: [String: [Database]] = [:]
        for projection in projections {
            let databases = try projection.databaseNames.map { try environment.openDatabase(named: $0) }
            projection.attach(ReadModelTables(Dictionary(uniqueKeysWithValues: zip(projection.tables, databases))))
            owned[projection.name] = databases
        }
        self.db = live.db.linked(checkpoints: try environment.openDatabase(named: "checkpoints"), projections: owned)
        self.tablesAbsentAtOpen = []
        self.environment = environment
        self.linkedLog = LinkedLog(live: live, position: position)
        self.clock = live.clock
        self.projections = projections
        self.replay = nil
    }

    /// The tables of `projections` missing from `catalogue` (the store's databases as found when it was opened) whose
    /// model had a checkpoint then: those a damaged name lost. A model without one — new in this docket, or in a
    /// format this docket changed (an upgrade, or a restored backup from before it) — is built from the log on this open,
    /// and its tables were never there to lose.
    private static func tablesLostAtOpen(
        _ projections: [any Projection], catalogue: Set<String>, in environment: Environment
    ) throws -> Set<String> {
        let absent = projections.filter { !Set($0.databaseNames).isSubset(of: catalogue) }
        guard !absent.isEmpty, catalogue.contains("checkpoints") else { return [] }
        let checkpoints = try environment.openDatabase(named: "checkpoints")
        let checkpointed = try environment.read { txn in
            try absent.filter { try txn.get(checkpoints, key: Array($0.checkpointKey.utf8)) != nil }
        }
        return Set(checkpointed.flatMap(\.databaseNames)).subtracting(catalogue)
    }

    /// The environment the log's databases are read in: the store's own, or the live store's for a linked replay.
    var logEnvironment: Environment { linkedLog?.live.environment ?? environment }

    /// The last position a read of this store may see: a linked replay's position (the live log goes on after it),
    /// else unbounded (the head).
    var readLimit: UInt64 { linkedLog?.position ?? .max }

    /// Opens the store in folder `path`, creating it (owner-only) when missing, and tightens an existing one to owner-only
    /// modes (folder 0700, files 0600). With `options.readOnly`
    /// (or when the folder holds a replay marker) the folder must already be a store and nothing is written.
    ///
    /// A linked replay (a `docket-replay 2` marker with a link) reads its log from the live store it names: `live` when
    /// given (a process that has that store open already: the server), else that store opened read-only. It is checked
    /// first: the live store must hold the replay's position with the hash recorded when the replay was made
    /// (`EventLogError.replayUnlinked` otherwise, naming the fix).
    public init(
        path: String, options: Environment.Options = .init(), clock: any WallClock = SystemClock(),
        projections: [any Projection] = [], linkedTo live: EventStore? = nil
    ) throws {
        if let problem = FileSystem.dataFileProblem(in: path) {
            throw EventLogError(.corrupt, "the store at \(path) is damaged: \(problem); restore it from a backup (docket restore)")
        }
        let replay = try ReplayMarker.read(in: path)
        var options = options
        if replay != nil { options.readOnly = true }
        let linked = try replay.flatMap { marker in try LinkedLog.open(marker, at: path, given: live, options: options) }
        let environment = try Environment(path: path, options: options)
        let readOnly = options.readOnly
        if !readOnly {
            // Before anything is written (the catalogue, the format mark): a commit into an older state LMDB fell back
            // to would overwrite a meta page. Under the writer lock, so no commit races the comparison; commits nothing.
            try environment.write { _ in
                let meta = MetaPages.read(path + "/data.mdb")
                if let problem = EventStore.olderStateProblem(opened: environment.lastTransactionId, meta: meta) {
                    throw EventLogError(
                        .rolledBack,
                        "the store at \(path) looks rolled back (\(problem)); nothing was written: restore it from a backup "
                            + "with `docket restore`")
                }
            }
        }
        // The catalogue as found, before anything is created: a log database missing from a store that holds events
        // or its format mark (a damaged name) is refused rather than created empty; a store whose creation was cut
        // short holds neither and is completed. Read-model tables found missing are remembered.
        let catalogue = readOnly ? [] : Set(try environment.databaseNames())
        if !catalogue.isEmpty, let missing = EventStore.logDatabaseNames.first(where: { !catalogue.contains($0) }),
            try environment.read({ txn in try (txn.count(named: "meta") ?? 0) + (txn.count(named: "events") ?? 0) }) > 0
        {
            throw EventLogError(
                .corrupt,
                "the store at \(path) is damaged: its catalogue has no database '\(missing)' (a damaged name?); "
                    + "restore it from a backup with `docket restore`")
        }
        self.tablesAbsentAtOpen = catalogue.isEmpty ? [] : try EventStore.tablesLostAtOpen(projections, catalogue: catalogue, in: environment)
        func open(_ name: String, model: String? = nil) throws -> Database {
            guard readOnly else { return try environment.openDatabase(named: name) }
            do {
                return try environment.openDatabase(named: name)
            } catch let error as LMDBError where error.code == .notFound {
                throw EventStore.missingDatabase(name, model: model, path: path, replay: replay)
            }
        }
        var owned: [String: [Database]] = [:]
        for projection in projections {
            let databases = try projection.databaseNames.map { try open($0, model: projection.name) }
            projection.attach(ReadModelTables(Dictionary(uniqueKeysWithValues: zip(projection.tables, databases))))
            owned[projection.name] = databases
        }
        if let linked {
            // The log's databases are the live store's (read in its environment, through the replay's position); the
            // checkpoints are the folder's own, or none when the folder is a snapshot's file (every model at the position).
            self.db = linked.live.db.linked(
                checkpoints: replay?.link?.snapshot == nil ? try open("checkpoints") : nil, projections: owned)
        } else {
            self.db = Databases(
                events: try open("events"),
                streams: try open("streams"),
                streamEvents: try open("stream_events"),
                commands: try open("commands"),
                meta: try open("meta"),
                checkpoints: try open("checkpoints"),
                projections: owned)
        }
        self.environment = environment
        self.linkedLog = linked
        self.clock = clock
        self.projections = projections
        self.replay = replay
        if readOnly {
            guard linked == nil else { return }  // the live store's format mark was checked when it was opened
            let format = try environment.read { txn in try txn.get(db.meta, key: MetaKey.format) }
            guard format == Array(EventStore.formatName.utf8) else {
                throw EventLogError(.corrupt, "\(path) is not a Docket store (no '\(EventStore.formatName)' format mark)")
            }
            guard replay == nil else { return }
            let anchor = try AnchorFile.latest(anchorsPath)
            integrityAlarm = try environment.read { txn in try rollbackSuspicion(anchor: anchor, txn: txn) }
            return
        }
        FileSystem.tightenStore(path)
        integrityAlarm = try environment.write { txn in
            if try txn.get(db.meta, key: MetaKey.format) == nil {
                try txn.put(db.meta, key: MetaKey.format, value: Array(EventStore.formatName.utf8))
            }
            return try rollbackSuspicion(anchor: try AnchorFile.latest(anchorsPath), txn: txn)
        }
    }

    static let formatName = "docket-log 1"

    // MARK: - Appending

    /// Appends one request atomically and durably (one fsync'd transaction).
    @discardableResult
    public func append(_ request: AppendRequest) throws -> AppendResult {
        try append([request])[0]
    }

    /// Appends many requests in one transaction (bulk mode: one fsync for all). All or nothing:
    /// if any request is refused, none is written. With group commit on, concurrent calls share a transaction.
    @discardableResult
    public func append(_ requests: [AppendRequest]) throws -> [AppendResult] {
        if groupCommit.isEnabled { return try groupCommit.append(requests, to: self) }
        try requireNoRollbackSuspicion()
        return try appendIgnoringRollbackSuspicion(requests)
    }

    func appendIgnoringRollbackSuspicion(_ requests: [AppendRequest]) throws -> [AppendResult] {
        let (results, head) = try commit(requests, sync: .durable)
        if let head { recordAnchor(head) }
        return results
    }

    /// Puts every commit of this store made with its meta page deferred (`Environment.CommitSync.metaDeferred`) on the
    /// disk (`Environment.sync()`); a store opened without durability (`Options.durable` false) is left as it is.
    func flushDeferredCommits() throws {
        if environment.isDurable { try environment.sync() }
    }

    /// Writes `requests` in one transaction committed as `sync` says, without anchoring it: the results, and the new
    /// head when anything was written (nil when every request was a retry).
    func commit(_ requests: [AppendRequest], sync: Environment.CommitSync) throws -> ([AppendResult], LogHead?) {
        try requireWritable()
        for request in requests { try validate(request) }
        let now = clock.now()
        let (results, head, wrote) = try environment.write(sync: sync) { txn in
            var writer = try LogWriter(txn: txn, db: db)
            writer.appended.reserveCapacity(requests.reduce(0) { $0 + $1.events.count })
            let firstNew = writer.head.position + 1
            let results = try requests.map { try writer.append($0, now: now, txn: txn) }
            try writer.finish(txn: txn)
            // The events as written, folded without reading them back from the log.
            try applyProjections(from: firstNew, to: writer.head.position, txn: txn, decoded: (writer.appended, nil))
            return (results, writer.head, writer.head.position >= firstNew)
        }
        return (results, wrote ? head : nil)
    }

    func validate(_ request: AppendRequest) throws {
        try EventStore.validateName(request.stream, what: "stream name")
        if let commandId = request.commandId { try EventStore.validateName(commandId, what: "command id") }
        for guarded in request.guards { try EventStore.validateName(guarded.stream, what: "stream name") }
        for listed in request.listGuards where listed.prefix.isEmpty {
            throw EventLogError(.invalidStream, "a list guard needs a stream name prefix")
        }
        guard !request.events.isEmpty else {
            throw EventLogError(.invalidEvent, "an append to \(request.stream) has no events")
        }
        guard !request.actor.isEmpty, request.actor.utf8.count <= EventStore.maxNameLength else {
            throw EventLogError(.invalidEvent, "the actor must be 1 to \(EventStore.maxNameLength) bytes")
        }
        for event in request.events {
            guard !event.type.isEmpty, event.type.utf8.count <= EventStore.maxNameLength else {
                throw EventLogError(.invalidEvent, "an event type must be 1 to \(EventStore.maxNameLength) bytes")
            }
            guard let first = event.payload.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                throw EventLogError(.invalidEvent, "the payload of a \(event.type) event must be a JSON object or array")
            }
        }
    }

    /// Whether `utf8` is a valid stream name or command id: 1 to `maxNameLength` bytes without control characters.
    static func isValidName<Bytes: Collection<UInt8>>(_ utf8: Bytes) -> Bool {
        !utf8.isEmpty && utf8.count <= maxNameLength && !utf8.contains(where: { $0 < 0x20 || $0 == 0x7f })
    }

    static func validateName(_ name: String, what: String) throws {
        guard isValidName(name.utf8) else {
            throw EventLogError(
                .invalidStream, "\(what) '\(name)' must be 1 to \(maxNameLength) bytes without control characters")
        }
    }

    // MARK: - Projections

    /// Applies events `first...last` to each projection whose checkpoint is exactly `first - 1`.
    /// A projection that is behind (being rebuilt) is left for its catch-up to reach. `decoded`: those events
    /// already decoded, in order (an append has them as it writes them, a copy of another log decodes each record as
    /// it writes it), instead of reading them back from the log, folded by a bulk fold (`BulkFold`: on several
    /// threads) when one is given, else event by event, each into the projections of its interest (`EventRouting`, as
    /// a bulk fold does; into every projection when `routesAppends` is off). Read back from the log (`verify`'s scratch
    /// store), every event goes into every projection: a check of the interests against the models the appends and
    /// the rebuilds wrote.
    ///
    /// A `tally` of the decoded events (a bulk append's batch laid out ahead: `AppendLayout.tally`) is added to the
    /// `stream-counts` model instead of its folding them, when appends are routed.
    func applyProjections(
        from first: UInt64, to last: UInt64, txn: borrowing Transaction, decoded: (events: [RecordedEvent], fold: BulkFold?)? = nil,
        tally: StreamCounts.Tally? = nil
    ) throws {
        guard first <= last, !projections.isEmpty else { return }
        var current: [any Projection] = []
        for projection in projections where try checkpoint(projection.name, txn: txn) == first - 1 {
            current.append(projection)
        }
        guard !current.isEmpty else { return }
        try applying(current, txn: txn) {
            if let decoded {
                if let fold = decoded.fold {
                    try fold.fold(decoded.events, into: current, store: self, txn: txn)
                } else if routesAppends {
                    var routed = current
                    if let tally, let at = routed.firstIndex(where: { $0 is StreamCounts }) {
                        (routed.remove(at: at) as? StreamCounts)?.add(tally)
                    }
                    guard !routed.isEmpty else { return }
                    let routing = EventRouting(routed)
                    for event in decoded.events { try routing.fold(event, into: routed, txn: txn) }
                } else {
                    for event in decoded.events {
                        for projection in current { try projection.apply(event, in: txn) }
                    }
                }
                return
            }
            try txn.withCursor(db.events) { cursor in
                var entry = try cursor.seek(atLeast: Key.u64(first))
                while let found = entry, Key.u64(found.key) <= last {
                    let event = try decode(position: Key.u64(found.key), record: found.value)
                    for projection in current { try projection.apply(event, in: txn) }
                    entry = try cursor.next()
                }
            }
        }
        for projection in current { try setCheckpoint(projection.name, to: last, txn: txn) }
    }

    /// The checkpoint of the projection named `name` (kept under its `checkpointKey`).
    func checkpoint(_ name: String, txn: borrowing Transaction) throws -> UInt64 {
        guard let checkpoints = db.checkpoints else { return linkedLog?.position ?? 0 }
        guard let bytes = try txn.get(checkpoints, key: Array(checkpointKey(name).utf8)), bytes.count == 8 else { return 0 }
        return bytes.withUnsafeBytes { Key.u64($0) }
    }

    func setCheckpoint(_ name: String, to position: UInt64, txn: borrowing Transaction) throws {
        guard let checkpoints = db.checkpoints else { throw EventLogError(.readOnly, "the store at \(path) is read-only") }
        try txn.put(checkpoints, key: Array(checkpointKey(name).utf8), value: Key.u64(position))
    }

    private func checkpointKey(_ name: String) -> String {
        projections.first { $0.name == name }?.checkpointKey ?? name
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    static let head = Array("head".utf8)
    static let format = Array("format".utf8)
}

/// The state of one write transaction: the head as it moves, and the streams touched.
struct LogWriter {
    /// The head as the transaction moves it; set only by the writes of `LogWriter` (here and in its extensions).
    var head: LogHead
    let db: EventStore.Databases
    /// A reused record buffer, so that an append does not allocate per event: its count is kept at its largest, and
    /// each record is written at its start.
    var scratch: [UInt8] = []
    /// Every event `append` wrote, as it stands in the log: the projections fold these instead of reading them back.
    var appended: [RecordedEvent] = []

    init(txn: borrowing Transaction, db: EventStore.Databases) throws {
        self.db = db
        self.head = try LogWriter.readHead(txn: txn, db: db)
        scratch = [UInt8](repeating: 0, count: 1024)
    }

    static func readHead(txn: borrowing Transaction, db: EventStore.Databases) throws -> LogHead {
        guard let raw = try txn.get(db.meta, key: MetaKey.head) else { return .empty }
        guard raw.count == 48 else { throw EventLogError(.corrupt, "the log head record is damaged; run docket verify") }
        return raw.withUnsafeBytes { bytes in
            LogHead(
                position: Key.u64(bytes),
                hash: Digest(UnsafeRawBufferPointer(rebasing: bytes[8..<40])),
                recordedAt: Timestamp(millisecondsSinceEpoch: Int64(bitPattern: Key.u64(bytes, at: 40))))
        }
    }

    /// The stream's id and version, or nil when it does not exist.
    static func streamState(_ stream: String, txn: borrowing Transaction, db: EventStore.Databases) throws
        -> (id: UInt64, version: UInt64)?
    {
        guard let raw = try txn.get(db.streams, key: Array(stream.utf8)) else { return nil }
        guard raw.count == 16 else { throw EventLogError(.corrupt, "the index entry of stream \(stream) is damaged") }
        return raw.withUnsafeBytes { (Key.u64($0), Key.u64($0, at: 8)) }
    }

    /// How many streams' names start with `prefix`.
    static func streamCount(prefix: String, txn: borrowing Transaction, db: EventStore.Databases) throws -> UInt64 {
        let start = Array(prefix.utf8)
        return try txn.withCursor(db.streams) { cursor in
            var count: UInt64 = 0
            var entry = try cursor.seek(atLeast: start)
            while let found = entry, found.key.starts(with: start) {
                count += 1
                entry = try cursor.next()
            }
            return count
        }
    }

    mutating func append(_ request: AppendRequest, now: Timestamp, txn: borrowing Transaction) throws -> AppendResult {
        if let commandId = request.commandId, let earlier = try LogWriter.previousResult(of: commandId, txn: txn, db: db) {
            guard earlier.stream == request.stream else {
                throw EventLogError(
                    .commandReused,
                    "command id \(commandId) was already used for stream \(earlier.stream); use a new command id")
            }
            return earlier
        }
        for guarded in request.guards {
            let actual = try LogWriter.streamState(guarded.stream, txn: txn, db: db)?.version ?? 0
            guard guarded.expectedVersion.accepts(actual) else {
                throw WrongExpectedVersion(stream: guarded.stream, expected: guarded.expectedVersion, actual: actual)
            }
        }
        for listed in request.listGuards {
            let actual = try LogWriter.streamCount(prefix: listed.prefix, txn: txn, db: db)
            guard actual == listed.count else {
                throw WrongExpectedVersion(stream: listed.prefix + "*", expected: .exact(listed.count), actual: actual)
            }
        }
        let state = try LogWriter.streamState(request.stream, txn: txn, db: db)
        let actual = state?.version ?? 0
        guard request.expectedVersion.accepts(actual) else {
            throw WrongExpectedVersion(stream: request.stream, expected: request.expectedVersion, actual: actual)
        }
        let streamCount = UInt64(try txn.count(db.streams))
        let streamId = state?.id ?? streamCount + 1
        // The stream with the highest id (a new one, or the last made) has the last keys of `stream_events`.
        let lastStream = streamId >= streamCount
        let recordedAt = max(now, head.recordedAt)
        let first = head.position + 1
        var version = actual
        var record = scratch
        scratch = []
        defer { scratch = record }
        // The request's events through one cursor per database: the puts after the first find their page without a
        // search from the root (`Cursor.put`).
        try txn.withCursor(db.events) { events in
            try txn.withCursor(db.streamEvents) { streamEvents in
                for event in request.events {
                    version += 1
                    // The record is laid out in the scratch buffer, grown to hold it, and written from there.
                    let size = RecordCodec.bodySize(
                        stream: request.stream, type: event.type, commandId: request.commandId, actor: request.actor,
                        payload: event.payload)
                    if record.count < size + 32 { record = [UInt8](repeating: 0, count: max(size + 32, 2 * record.count)) }
                    let hash = try record.withUnsafeMutableBytes { buffer in
                        let count = RecordCodec.encodeBody(
                            streamVersion: version, recordedAt: recordedAt, schemaVersion: event.schemaVersion,
                            eventId: event.eventId, stream: request.stream, type: event.type, commandId: request.commandId,
                            actor: request.actor, payload: event.payload, at: buffer.baseAddress!)
                        return try write(
                            record: UnsafeMutableRawBufferPointer(rebasing: buffer[..<(count + 32)]), streamId: streamId,
                            streamVersion: version, recordedAt: recordedAt, events: events, streamEvents: streamEvents,
                            lastStream: lastStream)
                    }
                    appended.append(
                        RecordedEvent(
                            position: head.position, stream: request.stream, streamVersion: version, type: event.type,
                            schemaVersion: event.schemaVersion, eventId: event.eventId, commandId: request.commandId,
                            actor: request.actor, recordedAt: recordedAt, payload: event.payload, hash: hash))
                }
            }
        }
        try txn.put(db.streams, key: Array(request.stream.utf8), value: Key.pair(streamId, version))
        if let commandId = request.commandId {
            try txn.put(db.commands, key: Array(commandId.utf8), value: Key.pair(first, head.position))
        }
        return AppendResult(
            stream: request.stream, positions: first...head.position, streamVersion: version, isRetry: false)
    }

    /// Writes one record as the next position, chaining its hash, through cursors over `events` and `stream_events`:
    /// `record` is the encoded body and room for the hash after it, which is stored there. Returns the hash.
    @discardableResult
    mutating func write(
        record: UnsafeMutableRawBufferPointer, streamId: UInt64, streamVersion: UInt64, recordedAt: Timestamp,
        events: borrowing Cursor, streamEvents: borrowing Cursor, lastStream: Bool
    ) throws -> Digest {
        let bodyCount = record.count - 32
        let hash = RecordCodec.hash(
            previous: head.hash, position: head.position + 1, body: UnsafeRawBufferPointer(rebasing: record[..<bodyCount]))
        withUnsafeBytes(of: hash) { (record.baseAddress! + bodyCount).copyMemory(from: $0.baseAddress!, byteCount: 32) }
        try place(
            record: UnsafeRawBufferPointer(record), hash: hash, streamId: streamId, streamVersion: streamVersion,
            recordedAt: recordedAt, events: events, streamEvents: streamEvents, lastStream: lastStream)
        return hash
    }

    /// Puts one whole record (its body and `hash`, chained to the head's) as the next position, and its entry in
    /// `stream_events`, through cursors over both. Keys are built on the stack: this is the hot path. `lastStream`: the
    /// stream has the highest id, so its key in `stream_events` is tried at the end first (`.append`, no search;
    /// refused when it is not past the last key, and then put by a search, which refuses a key that is there).
    mutating func place(
        record: UnsafeRawBufferPointer, hash: Digest, streamId: UInt64, streamVersion: UInt64, recordedAt: Timestamp,
        events: borrowing Cursor, streamEvents: borrowing Cursor, lastStream: Bool
    ) throws {
        let position = head.position + 1
        let positionKey = position.bigEndian
        let versionKey = (streamId.bigEndian, streamVersion.bigEndian)
        try withUnsafeBytes(of: positionKey) { key in
            try events.put(key, record, options: .append)
            try withUnsafeBytes(of: versionKey) { streamKey in
                if lastStream {
                    do {
                        try streamEvents.put(streamKey, key, options: [.append, .noOverwrite])
                        return
                    } catch let error as LMDBError where error.code == .keyExists {}
                }
                try streamEvents.put(streamKey, key, options: .noOverwrite)
            }
        }
        head = LogHead(position: position, hash: hash, recordedAt: recordedAt)
    }

    /// Stores the new head. Call once, after the last write of the transaction.
    func finish(txn: borrowing Transaction) throws {
        var value = Key.u64(head.position)
        withUnsafeBytes(of: head.hash) { value.append(contentsOf: $0) }
        value += Key.u64(UInt64(bitPattern: head.recordedAt.millisecondsSinceEpoch))
        try txn.put(db.meta, key: MetaKey.head, value: value)
    }

    /// What the command `commandId` appended, as seen through position `limit` (a linked replay's: a command that
    /// began after it is not there, one that straddles it ends there), nil when no append carried that id.
    static func previousResult(
        of commandId: String, txn: borrowing Transaction, db: EventStore.Databases, through limit: UInt64 = .max
    ) throws -> AppendResult? {
        guard let raw = try txn.get(db.commands, key: Array(commandId.utf8)) else { return nil }
        guard raw.count == 16 else { throw EventLogError(.corrupt, "the index entry of command \(commandId) is damaged") }
        let (first, stored) = raw.withUnsafeBytes { (Key.u64($0), Key.u64($0, at: 8)) }
        guard first <= limit else { return nil }
        let last = min(stored, limit)
        guard let record = try txn.get(db.events, key: Key.u64(last)) else {
            throw EventLogError(.corrupt, "command \(commandId) points at missing position \(last); run docket verify")
        }
        let event: RecordedEvent
        do {
            event = try record.withUnsafeBytes { try RecordCodec.decode(position: last, record: $0) }
        } catch {
            throw EventLogError(.corrupt, "the event at position \(last) is damaged (\(error)); run docket verify")
        }
        return AppendResult(
            stream: event.stream, positions: first...last, streamVersion: event.streamVersion, isRetry: true)
    }
}
