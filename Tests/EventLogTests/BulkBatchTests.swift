@testable import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// The bounds of a bulk fold's batches (`EventStore.bulkBatchBytes` beside the count of events) and its thread count
/// (`EventStore.foldThreads`), in a rebuild, a standalone replay and a linked one: the bytes are the appends' whatever
/// the bounds, a batch ends at whichever bound it reaches first, and the thread count given is the one used.
@Suite struct BulkBatchTests {
    let folder = TemporaryFolder()

    /// 60 events of ~1.1 KB each (a 1,000-byte pad in the payload) on 6 streams, one append each.
    func fill(_ store: EventStore) throws {
        let pad = String(repeating: "x", count: 1_000)
        for n in 0..<60 {
            let payload = Array("{\"n\":\(n),\"pad\":\"\(pad)\"}".utf8)
            try store.append(
                AppendRequest(stream: "ticket-T-\(n % 6)", events: [NewEvent(type: "test.happened", payload: payload)], actor: "ann"))
        }
    }

    @Test func aRebuildBatchEndsAtItsByteBoundWithTheSameBytes() throws {
        let recorder = BatchRecorder("recorder")
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [StreamCounts(), recorder])
        try fill(store)
        let incremental = try store.projectionNames.map { try store.dump(projection: $0) }
        for (bound, size) in [(4_000, 4), (500, 1)] {
            store.bulkBatchBytes = bound
            recorder.reset()
            var reached: [UInt64] = []
            try store.rebuild(store.projectionNames, batchSize: 20) { done, _ in reached.append(done) }
            #expect(try store.projectionNames.map { try store.dump(projection: $0) } == incremental, "bound \(bound)")
            // A record is ~1.1 KB: the fourth reaches 4,000 bytes, where the count alone allows 20; a record larger than
            // the bound is a batch of its own.
            #expect(recorder.batches == Array(repeating: size, count: 60 / size), "bound \(bound)")
            #expect(reached == stride(from: size, through: 60, by: size).map(UInt64.init), "bound \(bound)")
        }
    }

    @Test(arguments: [false, true])
    func aReplayBatchEndsAtItsByteBoundWithTheSameBytes(linked: Bool) throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [StreamCounts()])
        try fill(store)
        let incremental = try store.dump(projection: "stream-counts")
        store.bulkBatchBytes = 4_000
        let recorder = BatchRecorder("recorder")
        let into = folder.child("replay")
        var reached: [UInt64] = []
        let progress = { (done: UInt64, _: UInt64) in reached.append(done) }
        if linked {
            _ = try store.linkedReplay(
                through: 60, into: into, projections: [StreamCounts(), recorder], snapshots: false, batchSize: 20, progress: progress)
        } else {
            _ = try store.replay(through: 60, into: into, projections: [StreamCounts(), recorder], batchSize: 20, snapshots: false, progress: progress)
        }
        // A linked replay counts the payloads (~1,010 bytes each), a standalone one the records: four either way.
        #expect(recorder.batches == Array(repeating: 4, count: 15))
        #expect(reached == stride(from: 4, through: 60, by: 4).map(UInt64.init))
        let replay = try EventStore(path: into, projections: [StreamCounts(), BatchRecorder("recorder")], linkedTo: linked ? store : nil)
        #expect(try replay.dump(projection: "stream-counts") == incremental)
        #expect(try replay.dump(projection: "recorder").last == Key.u64(60))
    }

    /// One thread folds every model on the caller's thread; two take the models' tasks on the caller's and on another.
    /// A replay folds on as many threads as the store it is made from. (On two threads each model's first event of a
    /// batch waits for the other model's task to begin, so the two tasks are on two threads: a thread that took both,
    /// the first before the other thread began, would be as right, but shows nothing.)
    @Test func theFoldThreadsGivenAreTheThreadsUsed() throws {
        let (first, second) = (BatchRecorder("first"), BatchRecorder("second"))
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [first, second])
        try fill(store)
        let caller = ObjectIdentifier(Thread.current)
        for threads in [1, 2] {
            store.foldThreads = threads
            let meeting = threads == 2 ? Meeting(parties: 2) : nil
            for recorder in [first, second] { recorder.reset(meeting: meeting) }
            try store.rebuild(store.projectionNames, batchSize: 20)
            let seen = first.threads.union(second.threads)
            #expect(seen.contains(caller))
            #expect(seen.contains { $0 != caller } == (threads == 2), "rebuild on \(threads) threads")

            let recorders = [BatchRecorder("first"), BatchRecorder("second")]
            let replayMeeting = threads == 2 ? Meeting(parties: 2) : nil
            for recorder in recorders { recorder.reset(meeting: replayMeeting) }
            _ = try store.replay(through: 60, into: folder.child("replay-\(threads)"), projections: recorders, batchSize: 20, snapshots: false)
            let replayed = recorders[0].threads.union(recorders[1].threads)
            #expect(replayed.contains(caller))
            #expect(replayed.contains { $0 != caller } == (threads == 2), "replay on \(threads) threads")
        }
    }
}

/// Where the tasks of one batch wait for one another: each of `parties` arrivals of a round waits until the round is
/// complete (or 10 s have passed, so a fold that cannot meet ends the test instead of hanging it).
final class Meeting: @unchecked Sendable {
    // @unchecked Sendable: `arrived` is only touched under `condition`.
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0

    init(parties: Int) { self.parties = parties }

    func arrive() {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        let complete = (arrived + parties - 1) / parties * parties
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: 10)
        while arrived < complete, condition.wait(until: deadline) {}
    }
}

/// Counts the events it folds in one row, keeping the count in memory until `flush` (so a bulk fold may fold it on any
/// thread), and notes how many events each transaction folded and the threads that folded them.
private final class BatchRecorder: Projection, @unchecked Sendable {
    // @unchecked Sendable: `folded`, `batches` and `threads` are only touched under `lock`.
    let name: String
    let tables = ["rows"]
    var foldsInMemory: Bool { true }
    private var rows: Database?
    private let lock = NSLock()
    private var folded: UInt64 = 0
    private var seenBatches: [Int] = []
    private var seenThreads: Set<ObjectIdentifier> = []
    /// Met by the first event of each batch (see `theFoldThreadsGivenAreTheThreadsUsed`), nil: none.
    private var meeting: Meeting?
    private var met = false

    init(_ name: String) { self.name = name }

    /// The events of each transaction flushed since the last `reset()`, in order.
    var batches: [Int] { lock.withLock { seenBatches } }
    /// The threads that folded events since the last `reset()`.
    var threads: Set<ObjectIdentifier> { lock.withLock { seenThreads } }

    func reset(meeting: Meeting? = nil) {
        lock.withLock {
            seenBatches = []
            seenThreads = []
            self.meeting = meeting
        }
    }

    func attach(_ tables: ReadModelTables) { rows = tables["rows"] }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        let meet = lock.withLock {
            folded += 1
            seenThreads.insert(ObjectIdentifier(Thread.current))
            defer { met = true }
            return met ? nil : meeting
        }
        meet?.arrive()
    }

    func flush(in txn: borrowing Transaction) throws {
        let count = lock.withLock {
            defer { (folded, met) = (0, false) }
            return folded
        }
        guard let rows, count > 0 else { return }
        let key = Array("n".utf8)
        let stored = try txn.get(rows, key: key).map { $0.count == 8 ? Key.u64($0) : 0 } ?? 0
        try txn.put(rows, key: key, value: Key.u64(stored + count))
        lock.withLock { seenBatches.append(Int(count)) }
    }

    func discardPending() { lock.withLock { (folded, met) = (0, false) } }
}
