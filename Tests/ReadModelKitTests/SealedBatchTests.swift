@testable import EventLog
import Foundation
import LMDB
import ReadModelKit
import TestSupport
import Testing

/// A pipelined bulk fold (`Projection.sealsBatches`): the kit's tables seal a batch at `prepareFlush`, the next batch's
/// folds read the sealed rows back before they are written, and `flush` writes the sealed batch only. Rebuilt that way
/// on two threads, models end with the bytes of the event-by-event fold; the next batch is folded while the one before
/// it is written; and a failure in the next batch commits nothing of it.
@Suite struct SealedBatchTests {
    let folder = TemporaryFolder()

    /// 240 events on 7 streams, one append each (the event-by-event fold).
    func fill(_ store: EventStore) throws {
        for n in 0..<240 {
            let payload = Array("{\"n\":\(n)}".utf8)
            try store.append(
                AppendRequest(stream: "s-\(n % 7)", events: [NewEvent(type: "test.counted", payload: payload)], actor: "ann"))
        }
    }

    func dumps(_ store: EventStore) throws -> [[[UInt8]]] {
        try store.projectionNames.map { try store.dump(projection: $0) }
    }

    @Test func aPipelinedRebuildEqualsTheEventByEventFoldAndOverlapsTheWrites() throws {
        let overlap = Overlap()
        let models = [RunningTotals("first", overlap: overlap), RunningTotals("second", overlap: overlap)]
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: models)
        try fill(store)
        let incremental = try dumps(store)
        #expect(try store.dump(projection: "first").count > 14, "rows, index entries and first positions")

        store.foldThreads = 1
        try store.rebuild(store.projectionNames, batchSize: 20)
        #expect(try dumps(store) == incremental)
        #expect(overlap.flushes.isEmpty, "one thread: nothing sealed, nothing pipelined")

        store.foldThreads = 2
        overlap.head = 240
        try store.rebuild(store.projectionNames, batchSize: 20)
        #expect(try dumps(store) == incremental)
        // Each of the 12 batches is flushed once per model; each of the first 11 while the next was being folded.
        let flushes = overlap.flushes
        #expect(flushes.count == 24)
        #expect(flushes.filter { $0.last < 240 }.allSatisfy { $0.overlapped })
        // After the rebuild the sealed rows are gone: an append reads the table, and the models stay equal.
        try store.append(AppendRequest(stream: "s-3", events: [NewEvent(type: "test.counted", payload: Array("{}".utf8))], actor: "ann"))
        let appended = try dumps(store)
        store.foldThreads = 1
        overlap.head = nil
        try store.rebuild(store.projectionNames, batchSize: 20)
        #expect(try dumps(store) == appended)
    }

    @Test func aPipelinedLinkedReplayEqualsTheStoresModels() throws {
        let store = try EventStore(
            path: folder.child("store"), clock: ManualClock(),
            projections: [RunningTotals("first", overlap: Overlap()), RunningTotals("second", overlap: Overlap())])
        try fill(store)
        let overlap = Overlap()
        overlap.head = 240
        store.foldThreads = 2
        let into = folder.child("replay")
        _ = try store.linkedReplay(
            through: 240, into: into, projections: [RunningTotals("first", overlap: overlap), RunningTotals("second", overlap: overlap)],
            snapshots: false, batchSize: 20)
        let flushes = overlap.flushes
        #expect(flushes.count == 24)
        #expect(flushes.filter { $0.last < 240 }.allSatisfy { $0.overlapped })
        let replay = try EventStore(
            path: into, projections: [RunningTotals("first", overlap: Overlap()), RunningTotals("second", overlap: Overlap())],
            linkedTo: store)
        #expect(try dumps(replay) == dumps(store))
    }

    @Test func aFailureInTheNextBatchCommitsNothingOfIt() throws {
        let overlap = Overlap()
        let models = [RunningTotals("first", overlap: overlap), RunningTotals("second", overlap: overlap)]
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: models)
        try fill(store)
        let incremental = try dumps(store)
        var stopped: [[[UInt8]]] = []
        for threads in [1, 2] {
            store.foldThreads = threads
            models[1].failAt = 130
            #expect(throws: RunningTotals.BadRow.self) { try store.rebuild(store.projectionNames, batchSize: 20) }
            let stood = try dumps(store)
            for name in store.projectionNames { #expect(try store.checkpoint(of: name) == 120, "\(name) on \(threads) threads") }
            if threads == 1 { stopped = stood }
            #expect(stood == stopped, "on \(threads) threads the models stand where the serial fold left them")
        }
        #expect(stopped != incremental)
        models[1].failAt = nil
        try store.catchUpProjections()
        #expect(try dumps(store) == incremental)
    }
}

/// Records, for every flush of a sealed batch, whether some model had folded an event after that batch by then; with a
/// `head`, a flush of a batch before it waits (up to 10 s) until one has.
private final class Overlap: @unchecked Sendable {
    // @unchecked Sendable: every property is only touched under `condition`.
    private let condition = NSCondition()
    private var applied: UInt64 = 0
    private var seen: [(last: UInt64, overlapped: Bool)] = []
    private var waitUntilBeyond: UInt64?

    var head: UInt64? {
        get { condition.withLock { waitUntilBeyond } }
        set { condition.withLock { waitUntilBeyond = newValue } }
    }

    var flushes: [(last: UInt64, overlapped: Bool)] {
        condition.withLock {
            defer { seen = [] }
            return seen
        }
    }

    func apply(_ position: UInt64) {
        condition.withLock {
            applied = max(applied, position)
            condition.broadcast()
        }
    }

    func flushing(through last: UInt64) {
        condition.withLock {
            if let head = waitUntilBeyond, last < head {
                let deadline = Date(timeIntervalSinceNow: 10)
                while applied <= last, condition.wait(until: deadline) {}
            }
            seen.append((last, applied > last))
        }
    }

    func restart() { condition.withLock { applied = 0 } }
}

/// Per stream: the events counted and the last position, in a `RowTable` with an index by count (a row's index entry
/// moves at each event), and the stream's first position in a `RawTable` (the first put wins).
private final class RunningTotals: Projection, @unchecked Sendable {
    // @unchecked Sendable: `failAt` is set by the test between folds; the tables guard themselves; `sealedThrough` is
    // set by the thread that seals and read by the writer after it (the bulk fold orders the two).
    struct BadRow: Error {}
    struct Total: Equatable {
        var count: UInt64
        var last: UInt64
    }

    let name: String
    let foldsInMemory = true
    let sealsBatches = true
    var failAt: UInt64?
    private let overlap: Overlap
    private let rows: RowTable<String, Total, Total>
    private let firsts = RawTable("firsts")
    private var applied: UInt64 = 0
    private var sealed: [UInt64] = []
    private let lock = NSLock()

    var tables: [String] { rows.tableNames + [firsts.name] }

    init(_ name: String, overlap: Overlap) {
        self.name = name
        self.overlap = overlap
        rows = RowTable(
            "totals",
            codec: RowCodec(
                format: 1,
                write: { total, writer in
                    writer.uint(total.count)
                    writer.uint(total.last)
                },
                read: { reader in Total(count: try reader.uint(), last: try reader.uint()) }),
            indexes: [RowIndex("by-count") { row, keys in keys.add(row.count, row.last) }],
            store: { $0 }, load: { stored, _, _ in stored })
    }

    func attach(_ tables: ReadModelTables) {
        rows.attach(tables)
        firsts.attach(tables)
    }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if event.position == 1 { overlap.restart() }
        if event.position == failAt { throw BadRow() }
        overlap.apply(event.position)
        lock.withLock { applied = event.position }
        let stream = event.stream
        let known = try rows.update(stream, txn: txn) { total in
            total.count += 1
            total.last = event.position
            return true
        }
        if !known { rows.set(stream, Total(count: 1, last: event.position)) }
        try firsts.putIfAbsent(Array(stream.utf8), txn: txn) { withUnsafeBytes(of: event.position.bigEndian) { Array($0) } }
    }

    func prepareFlush() throws {
        try rows.prepareFlush()
        firsts.seal()
        lock.withLock { sealed.append(applied) }
    }

    func flush(in txn: borrowing Transaction) throws {
        if let last = lock.withLock({ sealed.isEmpty ? nil : sealed.removeFirst() }) { overlap.flushing(through: last) }
        try rows.flush(in: txn)
        try firsts.flush(in: txn)
    }

    func discardPending() {
        rows.discard()
        firsts.discard()
        lock.withLock { sealed = [] }
    }
}
