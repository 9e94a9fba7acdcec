@testable import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

@Suite struct ProjectionTests {
    let folder = TemporaryFolder()

    @Test func streamCountsFollowAppendsInTheSameTransaction() throws {
        let counts = StreamCounts()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [counts])
        try store.append(sampleAppend("ticket-T-1", count: 2))
        try store.append(sampleAppend("ticket-T-2"))
        try store.append(AppendRequest(stream: "client-acme", events: [sampleEvent(1, type: "client.registered")], actor: "ann"))
        let (categories, types) = try counts.read(from: store)
        #expect(categories.map(\.name) == ["client", "ticket"])
        #expect(categories.map(\.events) == [1, 3])
        #expect(categories.map(\.streams) == [1, 2])
        #expect(types.map(\.name) == ["client.registered", "test.happened"])
        #expect(try store.checkpoint(of: "stream-counts") == 4)
    }

    @Test func aRefusedAppendLeavesTheModelUntouched() throws {
        let counts = StreamCounts()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [counts])
        try store.append(sampleAppend("ticket-T-1"))
        let before = try store.dump(projection: "stream-counts")
        _ = try? store.append([sampleAppend("ticket-T-2"), sampleAppend("ticket-T-1", expected: .noStream)])
        #expect(try store.dump(projection: "stream-counts") == before)
    }

    /// A stream's category is what `split` on the first `-` gives, whatever the name (the fold takes a shortcut
    /// for names that do not start with a dash).
    @Test func aStreamsCategoryIsThePartBeforeTheFirstDash() {
        for stream in ["ticket-T-1042", "client-acme", "user", "", "-", "--x-y", "-lead", "a-", "a--b", "tïcket-é-1"] {
            let expected = stream.split(separator: "-", maxSplits: 1).first.map(String.init) ?? stream
            #expect(StreamCounts.category(of: stream) == expected, "\(stream)")
        }
        #expect(StreamCounts.category(of: "ticket-T-1042") == "ticket")
    }

    @Test func aRebuildIsByteIdenticalToTheIncrementalModel() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [StreamCounts()])
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let stream = ["ticket", "client", "user"].randomElement(using: &generator)! + "-\(Int.random(in: 1...40, using: &generator))"
            try store.append(AppendRequest(stream: stream, events: [sampleEvent(1, type: ["a.b", "c.d", "e.f"].randomElement(using: &generator)!)], actor: "ann"))
        }
        let incremental = try store.dump(projection: "stream-counts")
        var progressCalls = 0
        try store.rebuild("stream-counts", batchSize: 64) { _, _ in progressCalls += 1 }
        #expect(try store.dump(projection: "stream-counts") == incremental)
        #expect(progressCalls == 5)
        #expect(try store.checkpoint(of: "stream-counts") == 300)
    }

    @Test func aProjectionAddedLaterCatchesUp() throws {
        let path = folder.child("store")
        do {
            let store = try EventStore(path: path, clock: ManualClock())
            for i in 0..<25 { try store.append(sampleAppend("ticket-T-\(i)")) }
        }
        let counts = StreamCounts()
        let store = try EventStore(path: path, clock: ManualClock(), projections: [counts])
        #expect(try store.checkpoint(of: "stream-counts") == 0)
        // An append while the model is behind does not apply to it out of order.
        try store.append(sampleAppend("ticket-T-99"))
        #expect(try store.checkpoint(of: "stream-counts") == 0)
        #expect(try store.catchUpProjections() == ["stream-counts"])
        #expect(try counts.read(from: store).categories.first?.streams == 26)
        #expect(try store.checkpoint(of: "stream-counts") == 26)
    }

    /// A read model whose rows change format gets a new checkpoint key and new databases: a store written with the
    /// old format starts the new one at 0 and catches it up; the old checkpoint and databases are then stale, and
    /// `dropStaleReadModels` deletes them (freeing their slots).
    @Test func aNewCheckpointKeyRebuildsAModelWhoseFormatChanged() throws {
        let path = folder.child("store")
        do {
            let store = try EventStore(path: path, clock: ManualClock(), projections: [EventCounter(format: 1)])
            for i in 0..<7 { try store.append(sampleAppend("ticket-T-\(i)")) }
            #expect(try store.checkpoint(of: "counter") == 7)
        }
        let counter = EventCounter(format: 2)
        let store = try EventStore(path: path, clock: ManualClock(), projections: [counter])
        #expect(try store.checkpoint(of: "counter") == 0, "format 2 has its own checkpoint")
        #expect(try store.catchUpProjections() == ["counter"])
        #expect(try store.checkpoint(of: "counter") == 7)
        #expect(try store.dump(projection: "counter") == [Array("rm.counter2.rows".utf8), Array("n".utf8), [2, 7]])
        try store.rebuild("counter")
        #expect(try store.dump(projection: "counter") == [Array("rm.counter2.rows".utf8), Array("n".utf8), [2, 7]])
        let stale = try store.staleReadModels()
        #expect(stale.databases == ["rm.counter.rows"] && stale.checkpoints == ["counter"])
        #expect(try store.dropStaleReadModels() == ["rm.counter.rows"])
        let after = try store.staleReadModels()
        #expect(after.databases.isEmpty && after.checkpoints.isEmpty)
        #expect(try store.dump(projection: "counter") == [Array("rm.counter2.rows".utf8), Array("n".utf8), [2, 7]])
        #expect(try store.checkpoint(of: "counter") == 7)
    }

    /// Models at the same checkpoint catch up together, in one scan of the log (one progress label for the group),
    /// and a rebuild of several models in one scan gives the bytes each gets alone.
    @Test func modelsAtOneCheckpointCatchUpAndRebuildInOneScan() throws {
        let path = folder.child("store")
        do {
            let store = try EventStore(path: path, clock: ManualClock())
            for i in 0..<25 { try store.append(sampleAppend("ticket-T-\(i % 4)")) }
        }
        let store = try EventStore(path: path, clock: ManualClock(), projections: [StreamCounts(), EventCounter(format: 2)])
        var labels: Set<String> = []
        #expect(try store.catchUpProjections { label, _, _ in labels.insert(label) } == ["stream-counts", "counter"])
        #expect(labels == ["stream-counts, counter"])
        let (counts, counter) = (try store.dump(projection: "stream-counts"), try store.dump(projection: "counter"))
        #expect(counter == [Array("rm.counter2.rows".utf8), Array("n".utf8), [2, 25]])
        var batches = 0
        try store.rebuild(["stream-counts", "counter"], batchSize: 10) { _, _ in batches += 1 }
        #expect(batches == 3)
        #expect(try store.dump(projection: "stream-counts") == counts && store.dump(projection: "counter") == counter)
        #expect(try store.checkpoint(of: "stream-counts") == 25 && store.checkpoint(of: "counter") == 25)
    }

    @Test func anUnknownReadModelIsNamedInTheError() throws {
        let store = try EventStore(path: folder.child("store"), projections: [StreamCounts()])
        do {
            try store.rebuild("queue-typo")
            Issue.record("expected an error")
        } catch let error as EventLogError {
            #expect(error.message.contains("queue-typo"))
            #expect(error.message.contains("stream-counts"))
        }
    }
}

extension ProjectionTests {
    /// A bulk fold's tasks are taken dearest first by each model's last cost; a model not measured yet weighs 1 s (so
    /// they all go first, in their order), and a tie goes to the lower index.
    @Test func aBulkFoldTakesTheDearestTasksFirst() {
        #expect(BulkFold.order(costs: [nil, nil, nil, nil]) == [0, 1, 2, 3])
        #expect(BulkFold.order(costs: [0.003, 0.024, 0.001, 0.013, 0.006]) == [1, 3, 4, 0, 2])
        #expect(BulkFold.order(costs: [0.5, nil, 2]) == [2, 1, 0])
        #expect(BulkFold.order(costs: [0.002, 0.002, 0.001]) == [0, 1, 2])
        #expect(BulkFold.order(costs: []) == [])
    }

    /// A model that writes in `apply` (the counter) folds in the write transaction while one that folds in memory
    /// folds on another thread, in a read transaction: rebuilt on 1, 2 or 4 threads, in batches, the bytes are the
    /// appends' (a write in a read transaction would fail).
    @Test func aModelThatWritesInApplyFoldsInTheWriteTransaction() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [EventCounter(format: 2), StreamCounts()])
        for n in 0..<40 { try store.append(sampleAppend("ticket-T-\(n % 7)", count: 1 + n % 3)) }
        let incremental = try store.projectionNames.map { try store.dump(projection: $0) }
        for threads in [1, 2, 4] {
            store.foldThreads = threads
            try store.rebuild(store.projectionNames, batchSize: 9)
            #expect(try store.projectionNames.map { try store.dump(projection: $0) } == incremental, "\(threads) threads")
        }
    }
}

extension ProjectionTests {
    /// A bulk fold on two threads times every model's task on every batch (the figures the next batch orders its tasks
    /// by), the one that writes in `apply` as well; folded event by event on one thread, it times nothing.
    @Test func aBulkFoldTimesEveryTaskOfEveryBatch() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [EventCounter(format: 2), StreamCounts()])
        for n in 0..<4 { try store.append(sampleAppend("ticket-T-\(n % 3)", count: 3)) }
        var events: [RecordedEvent] = []
        try store.scan { events.append($0); return true }
        for threads in [1, 2] {
            let fold = BulkFold(threads: threads)
            for batch in 0..<4 {
                let slice = Array(events[(batch * 3)..<(batch * 3 + 3)])
                try store.environment.write { txn in
                    try store.applying(store.projections, txn: txn) { try fold.fold(slice, into: store.projections, store: store, txn: txn) }
                }
                #expect(Set(fold.costs.keys) == (threads == 1 ? [] : ["counter", "stream-counts"]), "batch \(batch) on \(threads) threads")
                #expect(fold.costs.values.allSatisfy { $0 >= 0 })
            }
        }
    }
}

/// SplitMix64: a small seeded generator so random histories are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Counts events; format 1 and 2 differ in their row bytes, so format 2 has its own checkpoint and database.
private final class EventCounter: Projection {
    let name = "counter"
    let format: Int
    let tables = ["rows"]
    private var rows: Database?

    init(format: Int) { self.format = format }

    func attach(_ tables: ReadModelTables) { rows = tables["rows"] }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let rows else { return }
        let key = Array("n".utf8)
        let count = try txn.get(rows, key: key).map { $0[$0.count - 1] } ?? 0
        try txn.put(rows, key: key, value: format == 1 ? [count + 1] : [UInt8(format), count + 1])
    }
}

extension ProjectionTests {
    /// Every model's task of a batch is taken by one thread or another, whichever comes first: rebuilt on two and on three
    /// threads with 6 and 18 models, in batches, every model holds what the appends left.
    @Test(arguments: [6, 18])
    func everyTaskOfABatchIsFoldedOnceWhicheverThreadTakesIt(models: Int) throws {
        let counters = (0..<models).map { MemoryCounter(name: "counter-\($0)", everyNth: UInt64(1 + $0 % 3)) }
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: counters)
        for n in 0..<60 { try store.append(sampleAppend("ticket-T-\(n % 7)", count: 1 + n % 3)) }
        let incremental = try store.projectionNames.map { try store.dump(projection: $0) }
        for threads in [2, 3] {
            store.foldThreads = threads
            try store.rebuild(store.projectionNames, batchSize: 11)
            #expect(try store.projectionNames.map { try store.dump(projection: $0) } == incremental, "\(threads) threads")
        }
    }
}

/// Counts the events whose stream version is a multiple of `everyNth`, in memory until `flush` (sealed batch by batch,
/// as the kit's tables do), so that a bulk fold may fold it on any thread.
private final class MemoryCounter: Projection {
    let name: String
    let tables = ["rows"]
    let foldsInMemory = true
    let sealsBatches = true
    private let everyNth: UInt64
    private var rows: Database?
    private var pending: UInt8 = 0
    private var unwritten: [UInt8] = []
    private let lock = NSLock()

    init(name: String, everyNth: UInt64) { (self.name, self.everyNth) = (name, everyNth) }

    func attach(_ tables: ReadModelTables) { rows = tables["rows"] }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if event.streamVersion % everyNth == 0 { pending &+= 1 }
    }

    func prepareFlush() throws {
        let sealed = pending
        pending = 0
        lock.withLock { unwritten.append(sealed) }
    }

    func flush(in txn: borrowing Transaction) throws {
        guard let rows else { return }
        // The oldest sealed batch, else (an append: nothing sealed) what this transaction counted.
        let counted: UInt8
        if let sealed = lock.withLock({ unwritten.isEmpty ? nil : unwritten.removeFirst() }) {
            counted = sealed
        } else {
            counted = pending
            pending = 0
        }
        let key = Array("n".utf8)
        let stored = try txn.get(rows, key: key).map { $0[0] } ?? 0
        try txn.put(rows, key: key, value: [stored &+ counted])
    }

    func discardPending() {
        pending = 0
        lock.withLock { unwritten.removeAll() }
    }
}

extension ProjectionTests {
    /// A bulk fold on two threads has every projection prepare each batch (`Projection.prepare`), with the batch's
    /// events, before any projection folds it — once for each thread that takes its tasks, each before it takes them (a
    /// preparation under way is shared: `TicketChanges.prepare`); folded on one thread, nothing is prepared.
    @Test func aBulkFoldPreparesEachBatchBeforeItsTasks() throws {
        let recorders = (0..<3).map { PrepareRecorder(name: "recorder-\($0)") }
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: recorders)
        for n in 0..<30 { try store.append(sampleAppend("ticket-T-\(n % 4)", count: 1)) }
        let batches = [1...10, 11...20, 21...30] as [ClosedRange<UInt64>]
        for threads in [1, 2] {
            store.foldThreads = threads
            for recorder in recorders { recorder.reset() }
            try store.rebuild(store.projectionNames, batchSize: 10)
            let expected = threads == 1
                ? batches.flatMap { $0.map { "apply \($0)" } }
                : batches.flatMap { ["prepare \($0.lowerBound)-\($0.upperBound)"] + $0.map { "apply \($0)" } }
            for recorder in recorders {
                // A later call of a thread that comes to the batch after another (the writer, often once the other
                // thread has folded it all) is left out: the first call of each batch comes before its events.
                var prepared: Set<String> = []
                let first = recorder.log.filter { !$0.hasPrefix("prepare") || prepared.insert($0).inserted }
                #expect(first == expected, "\(recorder.name) on \(threads) threads")
                let calls = Dictionary(grouping: recorder.log.filter { $0.hasPrefix("prepare") }, by: { $0 }).mapValues(\.count)
                #expect(calls.values.allSatisfy { $0 <= threads }, "\(recorder.name): at most one call per thread, \(calls)")
            }
        }
    }
}

extension ProjectionTests {
    /// In a pipelined bulk fold, a thread that has no task left of a batch prepares the next batch's events while another
    /// still folds its task: here the task that folds the batch's last event waits until the next batch is prepared,
    /// which no task of its own batch can do. Folded on three threads (the waiting task may be any thread's, the
    /// writer's included), every model then holds what the appends left.
    @Test func aThreadOutOfTasksPreparesTheNextBatch() throws {
        let waiting = WaitsForThePreparationOfTheNextBatch(name: "waits", lastOfBatch: 10)
        let counters = (0..<3).map { MemoryCounter(name: "counter-\($0)", everyNth: 1) }
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [waiting] + counters)
        for n in 0..<30 { try store.append(sampleAppend("ticket-T-\(n % 4)", count: 1)) }
        let incremental = try counters.map { try store.dump(projection: $0.name) }
        store.foldThreads = 3
        waiting.arm()
        try store.rebuild(store.projectionNames, batchSize: 10)
        #expect(waiting.sawTheNextBatchPrepared, "the task holding position 10 waited 10 s for batch 11-20 to be prepared")
        #expect(try counters.map { try store.dump(projection: $0.name) } == incremental)
    }
}

/// Folds in memory and seals its batches (so a fold of it is pipelined), and once armed (the appends made), when it
/// folds position `lastOfBatch` waits (10 s at most) until it is asked to prepare the batch that begins after it.
private final class WaitsForThePreparationOfTheNextBatch: Projection, @unchecked Sendable {
    // @unchecked Sendable: `armed`, `prepared` and `saw` are only touched under `condition`.
    let name: String
    let tables: [String] = []
    let foldsInMemory = true
    let sealsBatches = true
    private let lastOfBatch: UInt64
    private let condition = NSCondition()
    private var prepared: Set<UInt64> = []
    private var saw = false
    private var armed = false

    init(name: String, lastOfBatch: UInt64) { (self.name, self.lastOfBatch) = (name, lastOfBatch) }

    func arm() { condition.withLock { armed = true } }

    var sawTheNextBatchPrepared: Bool { condition.withLock { saw } }

    func attach(_ tables: ReadModelTables) {}

    func prepare(_ events: [RecordedEvent]) {
        condition.withLock {
            if let first = events.first?.position { prepared.insert(first) }
            condition.broadcast()
        }
    }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.position == lastOfBatch else { return }
        condition.withLock {
            guard armed else { return }
            let deadline = Date().addingTimeInterval(10)
            while !prepared.contains(lastOfBatch + 1), condition.wait(until: deadline) {}
            saw = prepared.contains(lastOfBatch + 1)
        }
    }

    func prepareFlush() throws {}
    func flush(in txn: borrowing Transaction) throws {}
    func discardPending() {}
}

/// Notes, in order, each batch it is asked to prepare (its first and last positions) and each event it folds; keeps
/// nothing else, and folds in memory so that any thread may take its task.
private final class PrepareRecorder: Projection, @unchecked Sendable {
    // @unchecked Sendable: `entries` is only touched under `lock`.
    let name: String
    let tables: [String] = []
    let foldsInMemory = true
    private let lock = NSLock()
    private var entries: [String] = []

    init(name: String) { self.name = name }

    var log: [String] { lock.withLock { entries } }
    func reset() { lock.withLock { entries = [] } }

    func attach(_ tables: ReadModelTables) {}

    func prepare(_ events: [RecordedEvent]) {
        let range = "\(events.first?.position ?? 0)-\(events.last?.position ?? 0)"
        lock.withLock { entries.append("prepare \(range)") }
    }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        lock.withLock { entries.append("apply \(event.position)") }
    }
}
