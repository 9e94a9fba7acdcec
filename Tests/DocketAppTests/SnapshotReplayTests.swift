import DocketApp
import Domain
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// A replay that starts from a month-end snapshot has exactly the bytes of one that folds every event: same digests,
/// same keys and values in every read model, at a month end, between month ends, before the first snapshot and at
/// the head; and a snapshot that is damaged, of another log or of an older model format is passed over, never used.
@Suite struct SnapshotReplayTests {
    /// A store whose seeded random history (every read model) runs over about seven months from November 2026.
    func fixture() throws -> ServiceFixture {
        let f = try PendingRowsTests().fixtureWithSLAs()
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: f.clock.now(),
                billingTerms: BillingServiceTests.hourly), as: "bill")
        try AllModelsRebuildTests.writeHistory(f, seed: 11, steps: 400, maxAdvance: 86_400_000)
        return f
    }

    /// Replays `f`'s log through `position` into a new folder, with or without snapshots; returns the result and the
    /// dump of every read model.
    func replay(_ f: ServiceFixture, through position: UInt64, snapshots: Bool) throws -> (ReplayResult, [[[UInt8]]]) {
        let folder = f.folder.child("replay-\(position)-\(snapshots)-\(UInt32.random(in: 0...UInt32.max))")
        let result = try f.store.replay(
            through: position, into: folder, projections: ReadModels().all, snapshots: snapshots)
        let replayed = try EventStore(path: folder, projections: ReadModels().all)
        return (result, try replayed.projectionNames.map { try replayed.dump(projection: $0) })
    }

    /// Asserts that the replay through `position` from snapshots equals the full fold; returns the snapshot it used.
    @discardableResult
    func expectIdentical(_ f: ServiceFixture, through position: UInt64) throws -> (SnapshotUse?, [String]) {
        let (full, fullDump) = try replay(f, through: position, snapshots: false)
        let (fromSnapshot, snapshotDump) = try replay(f, through: position, snapshots: true)
        #expect(full.snapshot == nil && full.snapshotsTaken.isEmpty)
        #expect(fromSnapshot.digests == full.digests, "position \(position)")
        #expect(snapshotDump == fullDump, "position \(position)")
        return (fromSnapshot.snapshot, fromSnapshot.snapshotsTaken)
    }

    @Test func aReplayFromTheNearestSnapshotEqualsTheFullFold() throws {
        let f = try fixture()
        let head = try f.store.head().position
        let ends = try f.store.monthEnds(after: 0, through: head)
        try #require(ends.count >= 4, "the history spans several month ends")
        let names = f.store.projectionNames

        // The first replay takes every month end it passes; the snapshots hold the models as they stood there.
        let (first, _) = try expectIdentical(f, through: head)
        #expect(first == nil)
        #expect(try f.store.snapshots().map(\.name) == ends.map(\.month))
        #expect(try f.store.snapshots().allSatisfy { $0.problem == nil && $0.bytes > 0 })

        // Exactly at a month end (the last event recorded before the next month began), found from the moment.
        let end = ends[1]
        #expect(try f.store.position(atOrBefore: Timestamp(millisecondsSinceEpoch: end.before.millisecondsSinceEpoch - 1)) == end.position)
        let (atEnd, takenAtEnd) = try expectIdentical(f, through: end.position)
        #expect(atEnd == SnapshotUse(month: end.month, position: end.position, restored: names))
        #expect(takenAtEnd.isEmpty)
        // Between two month ends: the earlier one, and only the tail folded.
        let between = end.position + (ends[2].position - end.position) / 2
        #expect(try expectIdentical(f, through: between).0 == SnapshotUse(month: end.month, position: end.position, restored: names))
        // Before the first snapshot: the full fold.
        #expect(try expectIdentical(f, through: ends[0].position - 1).0 == nil)
        // At the head: the last month end.
        #expect(try expectIdentical(f, through: head).0?.month == ends[ends.count - 1].month)

        // A removed month is taken again by `takeSnapshots`, in one replay from the snapshot before it.
        try FileManager.default.removeItem(atPath: f.store.snapshotsFolder + "/" + ends[2].month)
        let scratch = f.store.snapshotsFolder + "/.scratch"
        #expect(try f.store.takeSnapshots(projections: ReadModels().all, scratch: scratch) == [ends[2].month])
        #expect(!FileManager.default.fileExists(atPath: scratch))
        #expect(try f.store.takeSnapshots(projections: ReadModels().all, scratch: scratch).isEmpty)
        #expect(try expectIdentical(f, through: ends[2].position).0?.month == ends[2].month)
    }

    /// What is wrong with the snapshot of the second month end.
    enum Damage: String, CaseIterable, Sendable {
        /// Taken when `queue` had an older row format (its checkpoint key and databases were others).
        case olderQueueFormat
        /// The `sla` model's bytes no longer match the digest in the manifest.
        case slaDigest
        /// One `sla` row in the snapshot's file was changed after it was taken (the manifest is intact): the digest
        /// computed on the bytes as they are copied catches it.
        case slaRowChanged
        /// Taken from another log: the hash at its position differs.
        case otherLog
        /// Its LMDB file is garbage.
        case garbageFile
        /// Its manifest is not JSON.
        case garbageManifest
    }

    @Test(arguments: Damage.allCases)
    func aSnapshotThatDoesNotMatchIsNeverUsed(damage: Damage) throws {
        let f = try fixture()
        let head = try f.store.head().position
        let ends = try f.store.monthEnds(after: 0, through: head)
        try #require(ends.count >= 3)
        _ = try replay(f, through: head, snapshots: true)
        let folder = f.store.snapshotsFolder + "/" + ends[1].month
        let manifestFile = folder + "/" + SnapshotManifest.fileName
        var manifest = try JSONDecoder().decode(SnapshotManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestFile)))
        func index(_ name: String) throws -> Int { try #require(manifest.readModels.firstIndex { $0.name == name }) }
        switch damage {
        case .olderQueueFormat:
            let queue = try index("queue")
            manifest.readModels[queue].checkpointKey = "queue-v4"
            manifest.readModels[queue].databases = manifest.readModels[queue].databases.map { $0.replacingOccurrences(of: "queue5", with: "queue4") }
        case .slaDigest:
            manifest.readModels[try index("sla")].sha256 = String(repeating: "0", count: 64)
        case .otherLog:
            manifest.hash = String(repeating: "ab", count: 32)
        case .slaRowChanged:
            let environment = try Environment(path: folder)
            let database = try environment.openDatabase(named: manifest.readModels[try index("sla")].databases[0])
            let (key, value) = try #require(try environment.read { txn in
                try txn.withCursor(database) { cursor in try cursor.first().map { (Array($0.key), Array($0.value)) } }
            })
            try environment.write { txn in try txn.put(database, key: key, value: value + [0]) }
        case .garbageFile, .garbageManifest:
            break
        }
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: manifestFile))
        if damage == .garbageFile {
            try Data(repeating: 0x5a, count: 64 << 10).write(to: URL(fileURLWithPath: folder + "/data.mdb"))
        }
        if damage == .garbageManifest { try Data("{not json".utf8).write(to: URL(fileURLWithPath: manifestFile)) }
        let warnings = Lines()
        f.store.warnings = { warnings.append($0) }

        let (used, taken) = try expectIdentical(f, through: ends[1].position + 1)
        let all = f.store.projectionNames
        switch damage {
        case .olderQueueFormat:
            // The other models come from the snapshot; queue is folded from the first event, without a warning.
            #expect(used == SnapshotUse(month: ends[1].month, position: ends[1].position, restored: all.filter { $0 != "queue" }))
            #expect(warnings.lines.isEmpty)
        case .slaDigest, .slaRowChanged:
            #expect(used == SnapshotUse(month: ends[1].month, position: ends[1].position, restored: all.filter { $0 != "sla" }))
            #expect(warnings.lines == ["snapshot \(ends[1].month): read model sla does not match its digest; folding it from the first event and removing the snapshot"])
        case .otherLog, .garbageFile, .garbageManifest:
            // Passed over for the month before, with one line.
            #expect(used == SnapshotUse(month: ends[0].month, position: ends[0].position, restored: all))
            #expect(warnings.lines.count == 1)
            #expect(warnings.lines.allSatisfy { $0.hasPrefix("snapshot \(ends[1].month) is not used: ") }, "\(warnings.lines)")
        }
        // A snapshot that was damaged, is missing a model or does not match this log is taken again, whole.
        #expect(taken == [ends[1].month])
        #expect(try f.store.snapshots().allSatisfy { $0.problem == nil })
        warnings.clear()
        #expect(try expectIdentical(f, through: ends[1].position + 1).0?.restored == all)
        #expect(warnings.lines.isEmpty)
    }
}

/// Lines collected from a `@Sendable` callback.
final class Lines: @unchecked Sendable {
    // @unchecked Sendable: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ line: String) { lock.withLock { stored.append(line) } }

    func clear() { lock.withLock { stored.removeAll() } }

    var lines: [String] { lock.withLock { stored } }
}
