import Domain
import EventLog
import Foundation
import LMDB

/// The log itself, for the commands that work below the use cases: reading events, raw appends, export and
/// import, backup and restore, verification, anchors, rebuilding and comparing read models, replays, the test
/// clock. Every one needs an admin except reading (the caller checks with ``requireAdmin(_:to:)``). It holds no
/// feature service.
public struct LogService: Sendable {
    let store: EventStore

    init(store: EventStore) { self.store = store }

    /// The store's folder.
    public var path: String { store.path }

    /// The longest stream name, event type, actor or command id the log takes, in bytes.
    public static var maxNameLength: Int { EventStore.maxNameLength }

    /// What is wrong with `value` as an identifier (id, code, login, command id; `label` names it), or nil when
    /// it is usable: 1 to ``maxNameLength`` bytes without control characters. The CLI and the server check with it.
    public static func identifierProblem(_ value: String, _ label: String) -> String? {
        let bytes = value.utf8
        // The bytes from the string's own storage (a search through its UTF-8 view went byte by byte, ~400 instructions
        // a name of `event append --stdin`'s two a line).
        let plain = { (utf8: UnsafeBufferPointer<UInt8>) in !utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) }
        if !bytes.isEmpty, bytes.count <= maxNameLength,
            bytes.withContiguousStorageIfAvailable(plain) ?? !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f })
        {
            return nil
        }
        let shown = bytes.count > 40 ? String(value.prefix(40)) + "…" : value
        return "\(label) '\(shown)' must be 1 to \(maxNameLength) bytes without control characters"
    }

    /// Opens the log at `path` read-only, without read models (nothing is written, not even a catch-up), refused while
    /// it looks rolled back (``requireNotRolledBack()``): for reports that read only the log, and the source of a replay (whose folds use `foldThreads` threads; nil for the
    /// processors available).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public static func openReadOnly(_ path: String, checkPages: Bool = false, foldThreads: Int? = nil) throws -> LogService {
        var options = Environment.Options()
        options.readOnly = true
        options.checkPages = checkPages
        let store = try EventStore(path: path, options: options)
        try store.requireNotRolledBack()
        if let foldThreads { store.foldThreads = foldThreads }
        return LogService(store: store)
    }

    /// Refuses a store that looks rolled back (its head behind or off its anchors, or LMDB's meta pages not what
    /// commits leave behind): every command but `verify` calls it once the store is open (exit 2, naming the fix).
    public func requireNotRolledBack() throws { try store.requireNotRolledBack() }

    /// Refuses the store at `path` before it is opened when LMDB's meta pages look rolled back (opening it for
    /// writing would commit into the state LMDB picked, making the damage worse).
    public static func requireSoundMetaPages(_ path: String) throws { try EventStore.requireSoundMetaPages(in: path) }

    /// How many threads the store's bulk folds (catch-up, rebuild, replay, import) use (`EventStore.foldThreads`).
    public var foldThreads: Int { store.foldThreads }

    // MARK: - Reading

    /// The last event's position, hash and time.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func head() throws -> LogHead { try store.head() }

    /// The event at `position`, nil past the head.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func event(at position: UInt64) throws -> RecordedEvent? { try store.event(at: position) }

    /// Up to `limit` events from `position` on.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func read(from position: UInt64 = 1, limit: Int) throws -> [RecordedEvent] { try store.read(from: position, limit: limit) }

    /// Up to `limit` events of `stream` from version `version`, in `direction`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func read(stream: String, from version: UInt64, direction: ReadDirection, limit: Int) throws -> [RecordedEvent] {
        try store.read(stream: stream, from: version, direction: direction, limit: limit)
    }

    /// The last position recorded at or before `instant` (0 when none was).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func position(atOrBefore instant: Timestamp) throws -> UInt64 { try store.position(atOrBefore: instant) }

    /// Events and streams per stream category, and events per type (the `stream-counts` read model).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func streamCounts(_ models: ReadModels) throws -> (categories: [StreamCountRow], types: [StreamCountRow]) {
        let (categories, types) = try models.streamCounts.read(from: store)
        return (categories.map(StreamCountRow.init), types.map(StreamCountRow.init))
    }

    /// The billing reports' fold over the log through position `last` (default: the whole log; docs/billing.md,
    /// "Reports"): through the last event recorded at a moment, the reports as they could be run then.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func billingReports(
        _ window: BillingReportWindow, through last: UInt64? = nil, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws -> BillingReportFold {
        try BillingReportBuilder.build(from: store, window: window, through: last, progress: progress)
    }

    // MARK: - Writing below the deciders (admin only)

    /// Refuses (``DomainError/Code/forbidden``) unless `login` is a known, active admin; `action` names what was asked,
    /// `fix` what to do instead.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func requireAdmin(_ login: String, to action: String, fix: String = "ask an admin") throws {
        try require(login, among: [.admin], named: "an admin", to: action, fix: fix)
    }

    /// Refuses (``DomainError/Code/forbidden``) unless `login` is a known, active user whose role may perform `action`
    /// (``Permissions``): `only billing or an admin may read cost rates and margins; bob is tech: <fix>`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func require(_ login: String, mayPerform action: Action, what: String? = nil, fix: String) throws {
        try require(
            login, among: Set(Permissions.roles(allowedTo: action)), named: Permissions.who(mayPerform: action),
            to: what ?? action.description, fix: fix)
    }

    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    private func require(_ login: String, among roles: Set<Role>, named who: String, to action: String, fix: String) throws {
        let role: Role
        do {
            let (state, _) = try CommandKernel(store: store).loadUser(login)
            role = try UserDecider.actor(login: login, state: state).role
        } catch let error as DomainError {
            throw DomainError(.forbidden, "only \(who) may \(action): \(error.message)")
        }
        guard roles.contains(role) else {
            throw DomainError(.forbidden, "only \(who) may \(action); \(login) is \(role.rawValue): \(fix)")
        }
    }

    /// The time zone `login` set for themself (`docket user time-zone`), read from their stream; nil when they set none
    /// or are not a user.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func timeZone(of login: String) -> String? {
        (try? CommandKernel(store: store).loadUser(login))?.state.timeZone
    }

    /// Refuses `login` as the reader of the log's data unless it is a known, active user, as a write's actor is checked
    /// (unknown: not found; deactivated: refused).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func requireReader(_ login: String) throws {
        let (state, _) = try CommandKernel(store: store).loadUser(login)
        _ = try UserDecider.actor(login: login, state: state)
    }

    /// Appends raw events, checked by the log only (`docket event append`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func append(_ requests: [AppendRequest]) throws -> [AppendResult] { try store.append(requests) }

    /// A bulk append of raw events in many transactions, each acknowledged (`acknowledge` hears its last position)
    /// once it is on the disk (see `BulkCommits`); call its `finish()` after the last.
    public func bulkCommits(acknowledge: @escaping (UInt64) -> Void) -> BulkCommits {
        BulkCommits(store: store, acknowledge: acknowledge)
    }

    /// Appends one raw request, checked by the log only.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func append(_ request: AppendRequest) throws -> AppendResult { try store.append(request) }

    /// Accepts a store that looks rolled back (records `store.rollback-accepted`); nil when it does not look so.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func acceptRollback(actor: String, reason: String) throws -> AppendResult? {
        try store.acceptRollback(actor: actor, reason: reason)
    }

    // MARK: - Export, import, backup

    /// Writes the log from `position` on as NDJSON lines, one call per line.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func export(from position: UInt64 = 1, write: (String) throws -> Void) throws { try store.export(from: position, write: write) }

    /// Loads an NDJSON export; `resuming` hears how many of the file's first events the store already held.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func importLog(
        _ text: [UInt8], resuming: (UInt64) -> Void = { _ in }, progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> Int {
        try store.importLog(text, resuming: resuming, progress: progress)
    }

    /// Loads an NDJSON export read as a stream of byte chunks (`chunks` returns nil at the end), in bounded memory;
    /// `expectedBytes`: the export's size when known (see `EventStore.importLog(chunks:expectedBytes:...)`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func importLog(
        chunks: () throws -> ArraySlice<UInt8>?, expectedBytes: Int = 0, resuming: (UInt64) -> Void = { _ in },
        progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> Int {
        try store.importLog(chunks: chunks, expectedBytes: expectedBytes, resuming: resuming, progress: progress)
    }

    /// A consistent copy of the store, its attachments and anchors in `destination`, with a manifest.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func backup(to destination: String) throws -> BackupManifest { try store.backup(to: destination) }

    /// Copies a checked backup's files into `destination` (new or empty).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public static func restoreFiles(_ manifest: BackupManifest, from backup: String, to destination: String) throws {
        try EventStore.restoreFiles(manifest, from: backup, to: destination)
    }

    /// Writes the head to the anchors copy at `destination` and returns it.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func anchor(to destination: String) throws -> Anchor { try store.anchor(to: destination) }

    // MARK: - Verifying and read models

    /// Recomputes the hash chain and checks the indexes (and the anchors copies given).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func verify(anchorCopies: [String] = [], progress: (UInt64, UInt64) -> Void = { _, _ in }) throws -> VerifyReport {
        try store.verify(anchorCopies: anchorCopies, progress: progress)
    }

    /// Verifies the log and rebuilds every read model in `scratch` to compare it with the live one.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func verify(
        readModelsRebuiltIn scratch: String, anchorCopies: [String] = [], progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> (log: VerifyReport, readModels: [ReadModelCheck]) {
        try store.verify(readModelsRebuiltIn: scratch, fresh: ReadModels().all, anchorCopies: anchorCopies, progress: progress)
    }

    /// The names of the read models the store keeps.
    public var readModelNames: [String] { store.projectionNames }

    /// Drops the read models `names` and replays them from the log, in one scan.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func rebuild(_ names: [String], progress: (UInt64, UInt64) -> Void = { _, _ in }) throws {
        try store.rebuild(names, progress: progress)
    }

    /// The last position read model `name` has applied.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func checkpoint(of name: String) throws -> UInt64 { try store.checkpoint(of: name) }

    /// Each read model's checkpoint, entries and digest.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func readModelDigests() throws -> [ReadModelDigest] { try store.readModelDigests() }

    /// Databases of read-model formats no longer used.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func staleReadModelDatabases() throws -> [String] { try store.staleReadModels().databases }

    /// The replay this store is, nil for a live store.
    public var replay: ReplayMarker? { store.replay }

    /// The moment a replay store shows, nil for a live store: its `--as-of` time, or (a replay through a position)
    /// the time its last event was recorded. Views of a replay are computed at this moment, not at the time they are
    /// read: an SLA clock due an hour after it is on track there, as it was then, however late the replay is read.
    public var replayMoment: Timestamp? {
        guard let marker = store.replay else { return nil }
        return Timestamp(iso8601: marker.asOf ?? marker.lastRecordedAt)
    }

    /// Copies the events through `position` into `destination` and builds every read model there: from the nearest
    /// month-end snapshot, folding only the events after it, unless `snapshots` is false (then from the first event).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func replay(
        through position: UInt64, asOf: Timestamp?, into destination: String, snapshots: Bool = true,
        progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> ReplayResult {
        try store.replay(
            through: position, asOf: asOf, into: destination, projections: ReadModels().all, snapshots: snapshots,
            progress: progress)
    }

    /// Makes a linked replay in `destination`: only the read models as they stood at `position` (exactly at a month-end
    /// snapshot, that snapshot's file itself), reading the log from this store through `position` whenever it is
    /// opened (docs/architecture.md, "Linked replays"). It needs this store to stay where it is, with that event.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func linkedReplay(
        through position: UInt64, asOf: Timestamp?, into destination: String, snapshots: Bool = true,
        progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> ReplayResult {
        try store.linkedReplay(
            through: position, asOf: asOf, into: destination, projections: ReadModels().all, snapshots: snapshots,
            progress: progress)
    }

    // MARK: - Opening

    /// Batches concurrent appends into shared durable commits from now on (for a server; see `GroupCommit`).
    public func enableGroupCommit() { store.enableGroupCommit() }

    /// Whether the store was created for tests (`docket init --test-clock`): only such a store takes a clock override.
    public var hasTestClock: Bool { get throws { try store.hasTestClock } }

    /// Marks a new, empty store as a test store.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func markTestClock() throws { try store.markTestClock() }

    /// Whether the store was opened read-only (a replay).
    public var isReadOnly: Bool { store.isReadOnly }

    /// Brings lagging read models up to date; then, when writable, drops databases of formats no longer used.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func catchUp(progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) throws {
        _ = try store.catchUpProjections(progress: progress)
        if !store.isReadOnly { _ = try store.dropStaleReadModels() }
    }
}

/// Turns a fault inside liblmdb into one line on stderr and an exit status instead of a crash (LMDB's `FaultGuard`).
public enum StoreFaults {
    /// Installs the guard, or replaces its message (end it with a newline). Linux only.
    public static func install(message: String, status: Int32) { FaultGuard.install(message: message, status: status) }
}

/// One row of `docket stats`: a stream category or event type, its events and (for categories) streams.
public struct StreamCountRow: Sendable, Equatable {
    public let name: String
    public let events: UInt64
    public let streams: UInt64

    init(_ row: StreamCounts.Row) {
        name = row.name
        events = row.events
        streams = row.streams
    }
}
