import Foundation
import LMDB

/// The snapshot a replay started from.
public struct SnapshotUse: Sendable, Equatable, Codable {
    /// The snapshot's month (`2026-10`).
    public let month: String
    /// Its position: the replay folded only the events after it into the restored models.
    public let position: UInt64
    /// The read models restored from it; any other was folded from the first event.
    public let restored: [String]

    public init(month: String, position: UInt64, restored: [String]) {
        self.month = month
        self.position = position
        self.restored = restored
    }
}

// MARK: - Listing and matching

extension EventStore {
    /// The folder that holds the store's read-model snapshots, one subfolder per month end.
    public var snapshotsFolder: String { path + "/snapshots" }

    /// Every snapshot of the store, in month order, each checked against this log (its position's hash).
    public func snapshots() throws -> [SnapshotListing] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: snapshotsFolder)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { name in
            let folder = snapshotsFolder + "/" + name
            let bytes = FileSystem.bytes(under: folder)
            do {
                let manifest = try SnapshotManifest.read(in: folder)
                return SnapshotListing(name: name, folder: folder, manifest: manifest, problem: try mismatch(manifest), bytes: bytes)
            } catch let error as EventLogError where error.code == .corrupt {
                return SnapshotListing(name: name, folder: folder, manifest: nil, problem: error.message, bytes: bytes)
            }
        }
    }

    /// Why the snapshot `manifest` describes was not taken from this log, or nil when it was.
    func mismatch(_ manifest: SnapshotManifest) throws -> String? {
        guard let event = try event(at: manifest.position) else {
            return "the log has no position \(manifest.position) (it was taken from another log)"
        }
        guard event.hash.hex == manifest.hash else {
            return "position \(manifest.position) of this log has another hash (it was taken from another log)"
        }
        return nil
    }

    /// The month ends (UTC) whose last position is after `after` and at most `last`, among months that are over: the
    /// log holds an event recorded at or after the month's end, so no later append can fall into it.
    public func monthEnds(after: UInt64, through last: UInt64) throws -> [MonthEnd] {
        let head = try head()
        guard last > after, let start = try event(at: max(after, 1)) else { return [] }
        var ends: [MonthEnd] = []
        var instant = start.recordedAt
        var previous = after
        while true {
            let (name, next) = MonthEnd.month(of: instant)
            guard next <= head.recordedAt else { break }
            let position = try self.position(atOrBefore: Timestamp(millisecondsSinceEpoch: next.millisecondsSinceEpoch - 1))
            guard position <= last else { break }
            if position > previous { ends.append(MonthEnd(month: name, before: next, position: position)) }
            previous = max(previous, position)
            instant = next
        }
        return ends
    }

    /// Whether `listing` is a snapshot of this log at `end` holding every model of `projections` in its current format.
    func isComplete(_ listing: SnapshotListing?, at end: MonthEnd, for projections: [any Projection]) -> Bool {
        guard let listing, listing.problem == nil, let manifest = listing.manifest, manifest.position == end.position else {
            return false
        }
        return projections.allSatisfy { manifest.model(matching: $0) != nil }
    }
}

extension SnapshotManifest {
    /// The entry of `projection` when it was kept in the projection's current format (same checkpoint key and databases).
    public func model(matching projection: any Projection) -> Model? {
        readModels.first {
            $0.name == projection.name && $0.checkpointKey == projection.checkpointKey && $0.databases == projection.databaseNames
        }
    }
}

// MARK: - Restoring

extension EventStore {
    /// Restores into `target` (a new, empty store) the read models of the nearest snapshot of this log at or before
    /// `position`, each checked against its digest after the copy, and sets their checkpoints to the snapshot's
    /// position. Never fails: a snapshot that is damaged, of another log or of another model format is passed over
    /// with a one-line warning, and a model that is not restored stays empty at checkpoint 0 (folded from the start).
    /// With the use, the digest of each model restored, checked on the copy (at the snapshot's position).
    func restoreSnapshot(atOrBefore position: UInt64, into target: EventStore) -> (use: SnapshotUse, digests: [String: ReadModelDigest])? {
        let listings: [SnapshotListing]
        do { listings = try snapshots() } catch {
            warnings("the snapshots in \(snapshotsFolder) are not used: \(error)")
            return nil
        }
        // Unreadable ones first: any of them might have been the nearest, so each gets its warning.
        let nearestFirst = listings.sorted { ($0.manifest?.position ?? .max) > ($1.manifest?.position ?? .max) }
        for listing in nearestFirst {
            guard let manifest = listing.manifest else {
                warnings("snapshot \(listing.name) is not used: \(listing.problem ?? "it is damaged")")
                continue
            }
            guard manifest.position <= position else { continue }
            if let problem = listing.problem {
                warnings("snapshot \(listing.name) is not used: \(problem)")
                continue
            }
            let models = target.projections.filter { manifest.model(matching: $0) != nil }
            guard !models.isEmpty else { continue }
            do {
                let (digests, damaged) = try target.restore(models, from: listing.folder, manifest: manifest, warn: warnings)
                let restored = models.map(\.name).filter { digests[$0] != nil }
                // A snapshot whose bytes changed is removed, so that the next replay or `snapshot take` takes it again.
                if damaged { try? FileManager.default.removeItem(atPath: listing.folder) }
                guard !restored.isEmpty else { continue }
                return (SnapshotUse(month: manifest.month, position: manifest.position, restored: restored), digests)
            } catch {
                warnings("snapshot \(listing.name) is not used: \(error)")
                try? target.emptyModels(models.map(\.name))
                try? FileManager.default.removeItem(atPath: listing.folder)
            }
        }
        return nil
    }

    /// Copies `models` from the snapshot in `folder` into this empty store, checking each one's digest on the bytes
    /// as they are copied (one pass; the copy is not read again); returns those that match, at checkpoint
    /// `manifest.position`, and whether any did not: a model whose digest differs is emptied again, with a warning.
    private func restore(
        _ models: [any Projection], from folder: String, manifest: SnapshotManifest, warn: (String) -> Void
    ) throws -> (restored: [String: ReadModelDigest], damaged: Bool) {
        var options = Environment.Options()
        options.readOnly = true
        options.checkPages = true
        let snapshot = try Environment(path: folder, options: options)
        var restored: [String: ReadModelDigest] = [:]
        var damaged = false
        for projection in models {
            guard let kept = manifest.model(matching: projection) else { continue }
            var hasher: ModelHasher? = ModelHasher()
            for (name, database) in zip(projection.databaseNames, db.projections[projection.name] ?? []) {
                hasher?.begin(database: name)
                try Self.copyEntries(from: snapshot, try snapshot.openDatabase(named: name), to: environment, database, hasher: &hasher)
            }
            guard let digest = hasher?.digest(name: projection.name, checkpoint: manifest.position) else { continue }
            guard digest.sha256 == kept.sha256, digest.entries == kept.entries else {
                warn("snapshot \(manifest.month): read model \(projection.name) does not match its digest; folding it from the first event and removing the snapshot")
                try emptyModels([projection.name])
                damaged = true
                continue
            }
            try environment.write { txn in try setCheckpoint(projection.name, to: manifest.position, txn: txn) }
            restored[projection.name] = digest
        }
        return (restored, damaged)
    }

    /// Empties the databases of the models `names` and sets their checkpoints to 0.
    func emptyModels(_ names: [String]) throws {
        try environment.write { txn in
            for name in names {
                for database in db.projections[name] ?? [] { try txn.empty(database) }
                try setCheckpoint(name, to: 0, txn: txn)
            }
        }
    }

    /// Copies every entry of `from` (in `source`) into the empty database `to` (in `target`), in key order with
    /// `MDB_APPEND`, in write transactions of about 64 MiB, straight from the source's map into the target's (a read
    /// transaction on the source stays open beside each write on the target: two environments). `hasher`, when
    /// given, is fed every entry copied, in order.
    static func copyEntries(
        from source: Environment, _ from: Database, to target: Environment, _ to: Database, hasher: inout ModelHasher?
    ) throws {
        var after: [UInt8]?
        while true {
            // A write retried after the map grew starts again from `after`, with the hasher as it was before it.
            let (last, fed) = try source.read { txn in
                try txn.withCursor(from) { cursor in
                    try target.write { write -> ([UInt8]?, ModelHasher?) in
                        var fed = hasher
                        var entry = try after.map { try cursor.seek(atLeast: $0) } ?? cursor.first()
                        if let after, let found = entry, found.key.elementsEqual(after) { entry = try cursor.next() }
                        var copied: UnsafeRawBufferPointer?
                        var bytes = 0
                        while let found = entry, bytes < 64 << 20 {
                            try write.put(to, key: found.key, value: found.value, options: .append)
                            fed?.add(key: found.key, value: found.value)
                            bytes += found.key.count + found.value.count + 16
                            copied = found.key
                            entry = try cursor.next()
                        }
                        return (copied.map { Array($0) }, fed)
                    }
                }
            }
            hasher = fed
            guard let last else { return }
            after = last
        }
    }

    /// `copyEntries(from:_:to:_:hasher:)` without a digest.
    static func copyEntries(from source: Environment, _ from: Database, to target: Environment, _ to: Database) throws {
        var none: ModelHasher?
        try copyEntries(from: source, from, to: target, to, hasher: &none)
    }
}

// MARK: - Taking

extension EventStore {
    /// Takes the snapshot of every month end of the log that has none (or one missing a model of `projections` in
    /// its current format): one replay into the scratch folder `scratch` (removed after), from the nearest complete
    /// snapshot before the first missing month. Returns the months written, in order; none when all are there.
    public func takeSnapshots(
        projections: [any Projection], scratch: String, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> [String] {
        try requireLive("take snapshots")
        let missing = try snapshotsToTake(after: 0, through: head().position, for: projections)
        guard let first = missing.first, let last = missing.last else { return [] }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        return try replay(
            through: last.position, asOf: nil, into: scratch, projections: projections, batchSize: EventStore.bulkBatchSize, snapshots: true,
            restoringAtOrBefore: first.position - 1, progress: progress
        ).snapshotsTaken
    }

    /// The month ends after `after` through `last` without a complete snapshot of this log for `projections`; none
    /// when this store is itself a replay (its snapshots would be those of another log).
    func snapshotsToTake(after: UInt64, through last: UInt64, for projections: [any Projection]) throws -> [MonthEnd] {
        guard replay == nil else { return [] }
        ScratchFolders.removeLeftOvers(in: snapshotsFolder)  // of replays and snapshot takes that were killed
        var byMonth: [String: SnapshotListing] = [:]
        for listing in (try? snapshots()) ?? [] { byMonth[listing.name] = listing }
        return try monthEnds(after: after, through: last).filter { !isComplete(byMonth[$0.month], at: $0, for: projections) }
    }

    /// Refuses snapshot work on a replay, whose snapshots would be those of another log.
    func requireLive(_ what: String) throws {
        if let replay {
            let path = path
            throw EventLogError(.readOnly) { time in "the store at \(path) is \(replay.summary(time: time)); \(what) of the live store instead" }
        }
    }

    /// Writes this store's read models, all at checkpoint `end.position`, as the snapshot of `end` into `root`
    /// (replacing an older one of that month): a new LMDB file with the models' databases under their own names and a
    /// `SNAPSHOT` manifest with the log position, its hash, each model's digest and the file's digest (`PieceDigest`). Written in a hidden folder
    /// and renamed into place, so a reader never sees half a snapshot.
    func writeSnapshot(of end: MonthEnd, into root: String) throws {
        guard let event = try event(at: end.position) else {
            throw EventLogError(.invalidEvent, "position \(end.position) is not in the log at \(path)")
        }
        let manager = FileManager.default
        try manager.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let hidden = root + "/.taking-\(end.month)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileSystem.prepareEmptyFolder(hidden)
            let models = try copyModels(into: hidden, at: end.position)
            try? manager.removeItem(atPath: hidden + "/lock.mdb")
            let file = try PieceDigest.of(file: hidden + "/data.mdb", threads: foldThreads)
            try SnapshotManifest(month: end, hash: event.hash, lastRecordedAt: event.recordedAt, readModels: models, fileDigest: file)
                .write(in: hidden)
            FileSystem.restrictFiles(in: hidden)
            let final = root + "/" + end.month
            let replaced = root + "/.replaced-\(end.month)-\(getpid())"
            if manager.fileExists(atPath: final) { try manager.moveItem(atPath: final, toPath: replaced) }
            try manager.moveItem(atPath: hidden, toPath: final)
            try? manager.removeItem(atPath: replaced)
        } catch {
            try? manager.removeItem(atPath: hidden)
            throw error
        }
    }

    /// Copies every read model into a new LMDB file in `folder` and returns the manifest's entries; every model must
    /// be at checkpoint `position`.
    private func copyModels(into folder: String, at position: UInt64) throws -> [SnapshotManifest.Model] {
        var options = Environment.Options()
        options.durable = false
        options.initialMapSize = max(options.initialMapSize, environment.mapSize)
        let snapshot = try Environment(path: folder, options: options)
        var models: [SnapshotManifest.Model] = []
        for projection in projections {
            let digest = try readModelDigest(projection.name)
            guard digest.checkpoint == position else {
                throw EventLogError(
                    .invalidEvent, "read model \(projection.name) is at position \(digest.checkpoint), not \(position)")
            }
            for (name, database) in zip(projection.databaseNames, db.projections[projection.name] ?? []) {
                try Self.copyEntries(from: environment, database, to: snapshot, try snapshot.openDatabase(named: name))
            }
            models.append(
                SnapshotManifest.Model(
                    name: projection.name, checkpointKey: projection.checkpointKey, databases: projection.databaseNames,
                    entries: digest.entries, sha256: digest.sha256))
        }
        try snapshot.sync()
        return models
    }
}
