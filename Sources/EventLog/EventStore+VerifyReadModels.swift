import Foundation
import LMDB

/// How one read model compared with the same model rebuilt from the log.
public struct ReadModelCheck: Sendable, Equatable {
    /// The read model's name (what `docket rebuild NAME` takes).
    public let name: String
    /// The live model's digest; nil when its databases could not be read to the end.
    public let live: ReadModelDigest?
    /// The digest of the model rebuilt from the log in a scratch store; nil when it was not rebuilt.
    public let rebuilt: ReadModelDigest?
    /// Why the model was not compared, when it was not.
    public let skipped: String?

    /// Why the live model could not be read, when it could not.
    public let damage: String?

    /// True when the live model holds exactly the bytes a rebuild from the log gives (or was not compared).
    public var matches: Bool {
        guard damage == nil else { return false }
        guard let rebuilt, let live else { return true }
        return rebuilt.sha256 == live.sha256 && rebuilt.entries == live.entries
    }
}

extension EventStore {
    /// `verify`, and then every read model checked against the log: in the same read transaction, the log is
    /// copied into a new store in `scratch` (created, then removed) whose `fresh` projections — new instances of
    /// the same models — are built from it, and each model's digest there is compared with the live one's.
    /// Appends by other processes meanwhile are not in the snapshot, so they can never look like damage.
    /// The read models are compared only when the log itself verifies clean.
    public func verify(
        readModelsRebuiltIn scratch: String, fresh: [any Projection], anchorCopies: [String] = [],
        batchSize: Int = EventStore.bulkBatchSize, progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }
    ) throws -> (log: VerifyReport, readModels: [ReadModelCheck]) {
        let anchors = try anchors(alsoFrom: anchorCopies)
        return try logEnvironment.read { txn in
            let report = try verifyLog(txn: txn, anchors: anchors) { progress("verifying the log", $0, $1) }
            var live: [(name: String, digest: ReadModelDigest?, damage: String?)] = []
            for projection in projections {
                do {
                    // A linked replay's read models are in its own environment, not the live log's.
                    let digest = try linkedLog == nil ? readModelDigest(projection.name, txn: txn) : readModelDigest(projection.name)
                    live.append((projection.name, digest, nil))
                } catch let error as LMDBError where error.meansCorruption {
                    live.append((projection.name, nil, "\(error)"))
                }
            }
            guard report.isClean else {
                return (report, live.map {
                    ReadModelCheck(name: $0.name, live: $0.digest, rebuilt: nil, skipped: "the log is damaged", damage: $0.damage)
                })
            }
            try FileSystem.prepareEmptyFolder(scratch)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            var options = Environment.Options()
            options.durable = false
            let target = try EventStore(path: scratch, options: options, clock: clock, projections: fresh)
            // A model behind the log (a rebuild, import or catch-up cut short: the next open catches it up) is compared
            // with the rebuild at its own checkpoint, on the way to the head: the same bytes there are no damage.
            let behind = Set(live.compactMap { $0.digest?.checkpoint }.filter { $0 > 0 && $0 < report.head })
            var checks: [String: ReadModelCheck] = [:]
            var reached: UInt64 = 0
            for stop in behind.sorted() + [report.head] {
                try copyRecords(after: reached, through: stop, from: txn, into: target, batchSize: batchSize) { done, _ in
                    progress("rebuilding the read models", done, report.head)
                }
                reached = stop
                for (name, digest, damage) in live where checks[name] == nil {
                    if let digest, digest.checkpoint != stop {
                        guard stop == report.head else { continue }
                        // Appends move every checkpoint in their own transaction: in one snapshot a model is past the
                        // head, or at 0 with rows, only when its checkpoint is damaged (0 without rows: not built yet).
                        checks[name] = ReadModelCheck(
                            name: name, live: digest, rebuilt: nil, skipped: nil,
                            damage: "its checkpoint says position \(digest.checkpoint), the log's head is \(report.head)")
                        continue
                    }
                    let rebuilt = fresh.contains { $0.name == name } ? try target.readModelDigest(name) : nil
                    checks[name] = ReadModelCheck(
                        name: name, live: digest, rebuilt: rebuilt,
                        skipped: rebuilt == nil ? "no fresh instance of it was given" : nil, damage: damage)
                }
            }
            return (report, live.compactMap { checks[$0.name] })
        }
    }

    /// Copies events `done + 1` through `last` of the snapshot `txn` into `target` (which holds the events through
    /// `done`), `batchSize` events to a write transaction of the target, applying its projections as appends would.
    private func copyRecords(
        after done: UInt64, through last: UInt64, from txn: borrowing Transaction, into target: EventStore, batchSize: Int,
        progress: (UInt64, UInt64) -> Void
    ) throws {
        var records: [[UInt8]] = []
        records.reserveCapacity(batchSize)
        try txn.withCursor(db.events) { cursor in
            var entry = try cursor.seek(atLeast: Key.u64(done + 1))
            var position = done
            while position < last {
                records.removeAll(keepingCapacity: true)
                while let found = entry, records.count < batchSize, position < last {
                    position += 1
                    records.append(Array(found.value))
                    entry = try cursor.next()
                }
                guard !records.isEmpty else { break }
                try target.environment.write { write in
                    var writer = try LogWriter(txn: write, db: target.db)
                    let first = writer.head.position + 1
                    for record in records { try writer.write(copied: record, source: path, txn: write) }
                    try writer.finish(txn: write)
                    try target.applyProjections(from: first, to: writer.head.position, txn: write)
                }
                progress(position, last)
            }
        }
    }
}
