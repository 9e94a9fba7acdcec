import Foundation
import LMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fold of a bulk path — `rebuild`, the catch-up of models behind the head (first open after a format change,
/// `import`) and the copy of a `replay` — over one batch of decoded events, on `threads` threads, one of them the
/// writer's (the thread that holds the write transaction).
///
/// Each projection's fold of the batch is a task: the projection folds the batch's events it is interested in
/// (`EventRouting`, worked out once per batch), then prepares its flush (`Projection.prepareFlush`: the kit's tables
/// settle and encode their changed rows), on the thread that took the task. The other threads start taking tasks at
/// once (`start`), each in a read transaction of the same environment, which sees what the earlier batches committed —
/// exactly what the write transaction sees of the models, since a bulk batch writes no model row before its flush; the
/// writer takes tasks too when it comes to the batch (`finish`), then waits for the tasks the others hold. Only
/// projections that fold in memory (`Projection.foldsInMemory`: they keep every change until `flush` and read their own
/// changes back from memory) may fold on a read transaction; the others are the writer's tasks. When every task is
/// done the caller flushes the projections in the write transaction, moves the checkpoints and commits: the rows are the
/// ones the event-by-event fold writes, whoever folded what. A failure in any task fails the batch (the others stop at
/// their next chunk of events), and nothing of it is committed. `fold` does all of this for one batch; `start` and
/// `finish` apart let a pipelined fold (`EventStore.pipelinedBatches`) start the next batch's tasks before this one is
/// flushed, when every projection seals its batches (`canPipeline`): the other threads then fold while the writer
/// writes and commits, and the writer takes what is left when it comes.
///
/// The tasks are taken dearest first, by each projection's CPU time over the batch before (every task is timed: two
/// clock reads), so the small ones come last and the threads end a batch close together. The tasks were once dealt
/// out in fixed groups planned from timings of one batch in eight: the plan could not follow the cost of a model from
/// one part of the log to the next, and left the writer with its group on top of its writing — a 1M rebuild had the
/// other core idle 12-22 % of the time; taking tasks, 10-13 %, and 5-6 % less wall time.
final class BulkFold {
    /// How many threads fold a batch; 1 folds every projection in turn, event by event, as appends do.
    let threads: Int
    /// How many events a task folds between two looks at whether another task failed.
    static let chunk = 128
    /// CPU seconds each projection's fold took over the last batch it folded, by name.
    private(set) var costs: [String: Double] = [:]

    init(threads: Int) { self.threads = max(1, threads) }

    /// A batch whose fold has started (`start`): the threads after the writer's take its tasks, the writer joins them
    /// in `finish`.
    final class Batch {
        let events: [RecordedEvent]
        fileprivate let projections: [any Projection]
        /// The batch's tasks, nil when it is folded event by event on the writer's thread alone.
        fileprivate let tasks: FoldTasks?
        fileprivate let helpers: [TaskThread]
        /// Whether it is folded as tasks: then `finish` leaves every projection's flush prepared (sealed).
        var tasked: Bool { tasks != nil }

        fileprivate init(events: [RecordedEvent], projections: [any Projection], tasks: FoldTasks?, helpers: [TaskThread]) {
            (self.events, self.projections, self.tasks, self.helpers) = (events, projections, tasks, helpers)
        }
    }

    /// Whether the batches of a fold of `projections` may be pipelined (`EventStore.pipelinedBatches`): they are folded
    /// as tasks on more than one thread, and every one folds in memory and seals its batches (`Projection.sealsBatches`).
    func canPipeline(_ projections: [any Projection]) -> Bool {
        threads > 1 && projections.count > 1 && projections.allSatisfy { $0.foldsInMemory && $0.sealsBatches }
    }

    /// Folds `events` into `projections` (each at the checkpoint just before the first event) without flushing them:
    /// the caller runs this inside `EventStore.applying`, which flushes them in `txn` after it, or drops what they kept
    /// when it throws.
    func fold(
        _ events: [RecordedEvent], into projections: [any Projection], store: EventStore, txn: borrowing Transaction
    ) throws {
        try finish(start(events, into: projections, store: store), txn: txn)
    }

    /// Starts the fold of `events` into `projections`: with more than one thread and projection, the threads after the
    /// writer's start taking its tasks at once, each in a read transaction begun now (it sees what is committed now, and
    /// each projection reads back what it sealed last: `Projection.sealsBatches`). `finish` must follow, or `cancel`.
    ///
    /// `upcoming` is the batch after this one being read, when there is one: the first thread other than the writer's
    /// to find no task left of this batch prepares that one's events (`Projection.prepare`, once they are read),
    /// instead of standing idle while the writer ends its last task and flushes: in a 1M rebuild the cores were idle
    /// ~15 % of the time, mostly then. The next batch's tasks then start with their events prepared.
    func start(
        _ events: [RecordedEvent], into projections: [any Projection], store: EventStore, upcoming: BatchPrefetch? = nil
    ) -> Batch {
        guard threads > 1, projections.count > 1 else {
            return Batch(events: events, projections: projections, tasks: nil, helpers: [])
        }
        let tasks = FoldTasks(
            events: events, projections: projections, order: BulkFold.order(costs: projections.map { costs[$0.name] }),
            upcoming: upcoming)
        let shared = projections.filter(\.foldsInMemory).count
        let helpers = (0..<min(threads - 1, shared)).map { _ in TaskThread(tasks: tasks, environment: store.environment) }
        for helper in helpers { helper.start() }
        return Batch(events: events, projections: projections, tasks: tasks, helpers: helpers)
    }

    /// Takes the tasks of `batch` left (the writer's own first) in `txn`, waits for the other threads' and throws the
    /// first failure of any. Folded as tasks, every projection has prepared (sealed) its flush when it returns.
    func finish(_ batch: Batch, txn: borrowing Transaction) throws {
        guard let tasks = batch.tasks else {
            let routing = EventRouting(batch.projections)
            for event in batch.events { try routing.fold(event, into: batch.projections, txn: txn) }
            return
        }
        tasks.work(writer: true, txn: txn)
        for helper in batch.helpers { helper.wait() }
        if let failure = tasks.failure { throw failure }
        for (projection, seconds) in zip(batch.projections, tasks.costs) { costs[projection.name] = seconds }
    }

    /// Stops the tasks of a batch that will not be finished, and waits for the threads holding them.
    func cancel(_ batch: Batch) {
        guard let tasks = batch.tasks else { return }
        tasks.stop.raise()
        for helper in batch.helpers { helper.wait() }
    }

    /// The order the tasks are taken in: the indexes of the projections, dearest first by `costs` (nil for not measured
    /// yet: it weighs the same as every other not measured, 1 s, so they go first, in their order), the lowest on a tie.
    static func order(costs: [Double?]) -> [Int] {
        let weight = costs.map { $0 ?? 1 }
        return costs.indices.sorted { weight[$0] > weight[$1] || (weight[$0] == weight[$1] && $0 < $1) }
    }
}

/// Which of a fold's projections each event goes to: those whose `Projection.interest` includes it (any event for a
/// projection without one), as a bit mask (bit i: `projections[i]`), worked out once per event from the interests'
/// stream prefixes and type sets gathered when the fold starts. A projection is called for the events it may change
/// its model for only: a call copied the event (its strings and payload retained and released), and the `alerts`,
/// `mail` and `outbox` models pass over nearly every event of a log, `time` over all but its own streams'.
struct EventRouting {
    /// The projections that take events of any stream.
    private var anyStream: UInt64 = 0
    /// Each stream prefix the interests name, with the projections that take it, and its first 8 bytes as a
    /// little-endian word with the mask of the bytes it has (most prefixes are that short: compared in one step).
    private var prefixes: [(prefix: StaticString, head: UInt64, mask: UInt64, projections: UInt64)] = []
    /// The projections that take events of any type.
    private var anyType: UInt64 = 0
    /// The type sets the interests name, and the projection of each (`typeProjections`, in the same order).
    private var typeSets: [EventTypes] = []
    private var typeProjections: [UInt64] = []

    init(_ projections: [any Projection]) {
        // More projections than bits: each takes every event (no model of Docket's comes near).
        guard projections.count <= 64 else {
            (anyStream, anyType) = (.max, .max)
            return
        }
        for (index, projection) in projections.enumerated() {
            let bit: UInt64 = 1 << index
            let interest = projection.interest
            if let named = interest?.streamPrefixes, !named.isEmpty {
                for prefix in named {
                    if let at = prefixes.firstIndex(where: { $0.prefix.description == prefix.description }) {
                        prefixes[at].projections |= bit
                    } else {
                        let count = prefix.utf8CodeUnitCount
                        let head = EventRouting.head(UnsafeRawBufferPointer(start: prefix.utf8Start, count: count))
                        prefixes.append((prefix, head, count >= 8 ? .max : (1 << UInt64(count * 8)) - 1, bit))
                    }
                }
            } else {
                anyStream |= bit
            }
            if let types = interest?.types {
                typeSets.append(types)
                typeProjections.append(bit)
            } else {
                anyType |= bit
            }
        }
    }

    /// The first 8 bytes of `bytes` as a little-endian word (zeros past its end).
    private static func head(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        if bytes.count >= 8 { return UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)) }
        var word: UInt64 = 0
        for index in 0..<bytes.count { word |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << UInt64(index * 8) }
        return word
    }

    /// Applies `event` to the projections it goes to, in their order (`projections` the ones this routing was made for).
    func fold(_ event: RecordedEvent, into projections: [any Projection], txn: borrowing Transaction) throws {
        var targets = self.projections(for: event)
        while targets != 0 {
            try projections[targets.trailingZeroBitCount].apply(event, in: txn)
            targets &= targets - 1
        }
    }

    /// The projections `event` goes to.
    func projections(for event: RecordedEvent) -> UInt64 {
        var streams = anyStream
        if !prefixes.isEmpty {
            streams |= event.stream.utf8.withContiguousStorageIfAvailable { stream -> UInt64 in
                // A prefix of n bytes matches when the stream has n bytes or more, its first 8 (or n) are the prefix's,
                // and for a prefix of more than 8 bytes the rest are too.
                let head = EventRouting.head(UnsafeRawBufferPointer(stream))
                var taking: UInt64 = 0
                for index in prefixes.indices where head & prefixes[index].mask == prefixes[index].head {
                    let count = prefixes[index].prefix.utf8CodeUnitCount
                    guard stream.count >= count,
                        count <= 8 || memcmp(stream.baseAddress! + 8, prefixes[index].prefix.utf8Start + 8, count - 8) == 0
                    else { continue }
                    taking |= prefixes[index].projections
                }
                return taking
            } ?? prefixes.reduce(0) { event.stream.hasPrefix($1.prefix.description) ? $0 | $1.projections : $0 }
        }
        guard streams != 0 else { return 0 }
        var types = anyType
        for index in typeSets.indices where streams & typeProjections[index] != 0 && typeSets[index].contains(event.type) {
            types |= typeProjections[index]
        }
        return streams & types
    }
}

/// Set when one task of a batch fails, so that the others stop early.
final class StopFlag: @unchecked Sendable {
    // @unchecked Sendable: `raised` is only touched under `lock`.
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}

/// The tasks of one batch (`BulkFold`): each projection's fold of it, taken one at a time by the threads, in `order`
/// except that the writer's thread takes the projections that do not fold in memory first, and only it takes those.
final class FoldTasks: @unchecked Sendable {
    // @unchecked Sendable: `taken`, `writerTaken`, `routed`, `spent`, `failed` and `upcomingTaken` are only touched
    // under `lock`; a projection is folded by the one thread that took its task, and flushed by the writer after every
    // task is done.
    struct Stopped: Error {}

    let events: [RecordedEvent]
    let projections: [any Projection]
    let stop = StopFlag()
    /// The projections' indexes in the order the tasks are taken; those that do not fold in memory in `writerOnly`.
    private let order: [Int]
    private let writerOnly: [Int]
    private let lock = NSLock()
    private var taken = 0
    private var writerTaken = 0
    private var routed: [UInt64]?
    private var spent: [Double]
    private var failed: (any Error)?
    /// The batch after this one, prepared by the first thread other than the writer's to run out of tasks
    /// (`prepareUpcoming`); `upcomingTaken` once one has taken it.
    private let upcoming: BatchPrefetch?
    private var upcomingTaken = false

    init(events: [RecordedEvent], projections: [any Projection], order: [Int], upcoming: BatchPrefetch? = nil) {
        (self.events, self.projections, self.upcoming) = (events, projections, upcoming)
        self.order = order.filter { projections[$0].foldsInMemory }
        writerOnly = order.filter { !projections[$0].foldsInMemory }
        spent = [Double](repeating: 0, count: projections.count)
    }

    /// The CPU seconds of each projection's task (in the projections' order), once every task is done.
    var costs: [Double] { lock.withLock { spent } }

    /// The first failure of a task that is not a stop after another's failure, nil when none failed.
    var failure: (any Error)? { lock.withLock { failed } }

    /// Takes tasks and folds them, in `txn`, until none is left or one failed; `writer`: the thread of the write
    /// transaction, which alone takes the projections that do not fold in memory.
    func work(writer: Bool, txn: borrowing Transaction) {
        let targets = self.targets()
        while let index = take(writer: writer) {
            let began = FoldTasks.threadCPUSeconds()
            do {
                try fold(projections[index], bit: 1 << UInt64(index), targets: targets, txn: txn)
            } catch {
                fail(error)
                return
            }
            let seconds = FoldTasks.threadCPUSeconds() - began
            lock.withLock { spent[index] = seconds }
        }
    }

    /// Has every projection prepare the upcoming batch's events (`Projection.prepare`), once, when they are read and
    /// no task failed or was stopped: called by a thread other than the writer's once it has no task left, after it has said so
    /// (the writer does not wait for this).
    func prepareUpcoming() {
        guard let upcoming, lock.withLock({ () -> Bool in
            defer { upcomingTaken = true }
            return !upcomingTaken && failed == nil && !stop.isRaised
        }), let events = upcoming.eventsWhenRead() else { return }
        for projection in projections { projection.prepare(events) }
    }

    /// Records a failure (the first that is not a `Stopped` is kept) and stops the other tasks.
    func fail(_ error: any Error) {
        stop.raise()
        lock.withLock { if failed == nil || failed is Stopped { failed = error } }
    }

    /// The projections each event goes to (bit i: `projections[i]`), worked out once per batch by the first thread to
    /// ask (the others wait on the lock); then each thread has every projection prepare the batch (`Projection.prepare`)
    /// outside the lock, so that all of them share a preparation under way (`TicketChanges.prepare`: the batch after a
    /// fold's is begun by `prepareUpcoming`) rather than one waiting for it while holding the lock the others wait on.
    private func targets() -> [UInt64] {
        let made = lock.withLock {
            if let routed { return routed }
            let routing = EventRouting(projections)
            let made = InPlace.each(of: events) { events in (0..<events.count).map { InPlace.route(events[$0], routing) } }
            routed = made
            return made
        }
        for projection in projections { projection.prepare(events) }
        return made
    }

    /// The next task for this thread, nil when none is left for it or a task failed.
    private func take(writer: Bool) -> Int? {
        lock.withLock {
            guard failed == nil else { return nil }
            if writer, writerTaken < writerOnly.count {
                defer { writerTaken += 1 }
                return writerOnly[writerTaken]
            }
            guard taken < order.count else { return nil }
            defer { taken += 1 }
            return order[taken]
        }
    }

    /// Folds the events routed to `projection` (`bit`) into it, looking every `BulkFold.chunk` events whether another
    /// task failed, then prepares its flush.
    private func fold(_ projection: any Projection, bit: UInt64, targets: [UInt64], txn: borrowing Transaction) throws {
        try InPlace.each(of: events) { events in
            var start = 0
            while start < events.count {
                if stop.isRaised { throw Stopped() }
                let end = min(events.count, start + BulkFold.chunk)
                for position in start..<end where targets[position] & bit != 0 {
                    try InPlace.apply(events[position], to: projection, txn: txn)
                }
                start = end
            }
        }
        try projection.prepareFlush()
    }

    /// The CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// A batch's event seen through a type that cannot be copied, so that a task hands each event to its model where it
/// lies in the batch. Passed from an array (or any memory the compiler cannot prove unchanged during the call), a
/// `RecordedEvent` argument is copied first — a retain and a release of its payload and of each string longer than 15
/// bytes, the type's shared by every event of that type — even to a `borrowing` parameter (seen in the assembly, with
/// an `UnsafeBufferPointer` or a `Span` too); a stored property of a borrowed non-copyable value is passed in place.
/// With every model's task copying the events it takes, on two threads at once, `swift_retain` was 15 % of a 1M
/// rebuild's samples; 5.5 % once they are passed in place, and the rebuild 7 % faster.
private struct InPlace: ~Copyable {
    let event: RecordedEvent

    /// Runs `body` over `events` seen in place (the same memory: a struct of one stored property has its layout).
    static func each<T>(of events: [RecordedEvent], _ body: (UnsafeBufferPointer<InPlace>) throws -> T) rethrows -> T {
        try events.withUnsafeBufferPointer { buffer in try buffer.withMemoryRebound(to: InPlace.self) { try body($0) } }
    }

    @inline(__always)
    static func apply(_ slot: borrowing InPlace, to projection: any Projection, txn: borrowing Transaction) throws {
        try projection.apply(slot.event, in: txn)
    }

    @inline(__always) static func route(_ slot: borrowing InPlace, _ routing: EventRouting) -> UInt64 {
        routing.projections(for: slot.event)
    }

    @inline(__always) static func visit(_ slot: borrowing InPlace, _ body: (borrowing RecordedEvent) throws -> Void) rethrows {
        try body(slot.event)
    }
}

extension Array where Element == RecordedEvent {
    /// Calls `body` with each event where it lies in the array (those at `range`, all by default), in order: passed
    /// from an array, an event is otherwise copied first (see `InPlace`).
    public func forEachInPlace(in range: Range<Int>? = nil, _ body: (borrowing RecordedEvent) throws -> Void) rethrows {
        try InPlace.each(of: self) { events in
            for index in range ?? events.indices { try InPlace.visit(events[index], body) }
        }
    }
}

/// A thread of a `BulkFold` other than the writer's (a kept one, `WorkerThreads`), taking tasks of one batch in a read
/// transaction.
final class TaskThread: @unchecked Sendable {
    // @unchecked Sendable: the thread that makes it hands it to one new thread (`start`), which alone reads and lets go
    // of `environment`; the maker only waits (`wait`), and only once (`waited`, its own).
    private let tasks: FoldTasks
    /// Let go of by the fold's thread before it signals (see `start`).
    private var environment: Environment?
    private let done = DispatchSemaphore(value: 0)
    private var waited = false

    init(tasks: FoldTasks, environment: Environment) { (self.tasks, self.environment) = (tasks, environment) }

    func start() {
        WorkerThreads.shared.run { [self] in
            do {
                guard let environment else { throw FoldTasks.Stopped() }
                try environment.read { txn in tasks.work(writer: false, txn: txn) }
            } catch {
                tasks.fail(error)
            }
            // The thread (and this object, which it holds) may outlive `wait()` by a moment: were the environment still
            // held then, a store closed as soon as its caller returns (a replay's) would stay open, and opening its
            // folder again at once would be refused as a second open in this process.
            environment = nil
            done.signal()
            // No task of its batch is left: while the writer ends its own, the next batch's events are prepared.
            tasks.prepareUpcoming()
        }
    }

    /// Waits for the thread to take no more tasks and let go of the environment (once; later calls return at once).
    func wait() {
        guard !waited else { return }
        done.wait()
        waited = true
    }
}
