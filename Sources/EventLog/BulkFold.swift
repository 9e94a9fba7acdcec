import Foundation
import LMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fold of a bulk path — `rebuild`, the catch-up of models behind the head (first open after a format change,
/// `import`) and the copy of a `replay` — over one batch of decoded events, with the models split into groups folded
/// at the same time, one thread each, and one writer.
///
/// The thread that holds the write transaction folds the first group in it; every other group folds on a thread of
/// its own, in a read transaction of the same environment, which sees what the earlier batches committed — exactly
/// what the write transaction sees of the models, since a bulk batch writes no model row before its flush. Only
/// projections that fold in memory (`Projection.foldsInMemory`: they keep every change until `flush` and read their
/// own changes back from memory) may fold on a read transaction; the others stay in the writer's group. When every
/// group is done the caller flushes the projections in the write transaction, moves the checkpoints and commits:
/// the rows are the ones the event-by-event fold writes, whatever the grouping. A failure in any group fails the
/// batch (the other groups stop at their next chunk of events), and nothing of it is committed. `fold` does all of
/// this for one batch; `start` and `finish` apart let a pipelined fold (`EventStore.pipelinedBatches`) start the next
/// batch's groups before this one is flushed, when every projection seals its batches (`canPipeline`).
///
/// The groups are balanced by measured cost: every `timedEvery`-th batch (the first among them) each projection's fold
/// is timed (CPU time of its thread) over the batch, and the batches after it deal the projections out, dearest first,
/// to the group with the least cost so far (the first batch deals them out evenly). A timed batch is folded `chunk`
/// events at a time, each projection of the group over the chunk in turn (timed per chunk); the others event by event,
/// each event into every projection of the group: handing an event to a projection copies it out of the batch (a
/// retain and a release of each of its strings and of its payload, contended when two groups do it to the same
/// event), so once per event and group rather than once per event and projection. Either way models of one group that
/// share a decode (`EventMemo`) find it. After the batch each projection prepares its flush on the same thread
/// (`prepareFlush`: the kit's tables settle and encode their changed rows there), so the writer is left with the puts.
final class BulkFold {
    /// How many groups (threads) a batch is folded in; 1 folds every projection in turn, event by event, as appends do.
    let groups: Int
    /// How many events a group folds into one projection before the next projection of the group takes them (less than
    /// an `EventMemo` holds).
    static let chunk = 128
    /// One batch in this many is timed per projection (see above).
    static let timedEvery = 8
    /// CPU seconds each projection's fold took over the last timed batch, by name.
    private(set) var costs: [String: Double] = [:]
    /// CPU seconds the writer's thread spends on a batch besides its group's fold (flushing, committing) while the
    /// other groups fold the next batch (a pipelined fold: `EventStore.pipelinedBatches`); the plan gives the writer's group
    /// that much less to fold. 0 when the batches are not pipelined.
    var writerCost: Double = 0
    /// The batches folded so far.
    private var batches = 0

    init(groups: Int) { self.groups = max(1, groups) }

    /// A batch whose fold has started (`start`): the groups after the writer's fold it on threads of their own, the
    /// writer's is folded by `finish`.
    final class Batch {
        let events: [RecordedEvent]
        fileprivate let projections: [any Projection]
        fileprivate let plan: [[Int]]
        fileprivate let workers: [GroupFold]
        fileprivate let stop: StopFlag
        fileprivate let timed: Bool
        /// Whether it is folded in more than one group: then `finish` leaves every projection's flush prepared (sealed).
        var grouped: Bool { plan.count > 1 }

        fileprivate init(
            events: [RecordedEvent], projections: [any Projection], plan: [[Int]], workers: [GroupFold], stop: StopFlag, timed: Bool
        ) {
            (self.events, self.projections, self.plan, self.workers, self.stop, self.timed) = (events, projections, plan, workers, stop, timed)
        }
    }

    /// Whether the batches of a fold of `projections` may be pipelined (`EventStore.pipelinedBatches`): they are folded
    /// in more than one group, and every one folds in memory and seals its batches (`Projection.sealsBatches`).
    func canPipeline(_ projections: [any Projection]) -> Bool {
        groups > 1 && projections.count > 1 && projections.allSatisfy { $0.foldsInMemory && $0.sealsBatches }
    }

    /// Folds `events` into `projections` (each at the checkpoint just before the first event) without flushing them:
    /// the caller runs this inside `EventStore.applying`, which flushes them in `txn` after it, or drops what they kept
    /// when it throws.
    func fold(
        _ events: [RecordedEvent], into projections: [any Projection], store: EventStore, txn: borrowing Transaction
    ) throws {
        try finish(start(events, into: projections, store: store), txn: txn)
    }

    /// Starts the fold of `events` into `projections`: the groups after the writer's start folding at once, each on a
    /// thread of its own in a read transaction begun now (it sees what is committed now, and each projection reads
    /// back what it sealed last: `Projection.sealsBatches`). `finish` must follow, or `cancel`.
    func start(_ events: [RecordedEvent], into projections: [any Projection], store: EventStore) -> Batch {
        let plan = BulkFold.plan(
            costs: projections.map { costs[$0.name] }, pinned: projections.map { !$0.foldsInMemory }, groups: groups,
            writerLoad: writerCost)
        let timed = plan.count > 1 && batches % BulkFold.timedEvery == 0
        if plan.count > 1 { batches += 1 }
        let stop = StopFlag()
        let workers = plan.dropFirst().map { members in
            GroupFold(
                projections: members.map { projections[$0] }, events: events, environment: store.environment, stop: stop, timed: timed)
        }
        for worker in workers { worker.start() }
        return Batch(events: events, projections: projections, plan: plan, workers: workers, stop: stop, timed: timed)
    }

    /// Folds the writer's group of `batch` in `txn` and waits for the other groups; throws the first failure of any.
    /// With more than one group every projection has prepared (sealed) its flush when it returns.
    func finish(_ batch: Batch, txn: borrowing Transaction) throws {
        let (events, projections, plan, stop, timed) = (batch.events, batch.projections, batch.plan, batch.stop, batch.timed)
        guard plan.count > 1 else {
            let routing = EventRouting(projections)
            for event in events { try routing.fold(event, into: projections, txn: txn) }
            return
        }
        var writerCosts: [Double]?
        var writerError: (any Error)?
        do {
            writerCosts = try GroupFold.fold(plan[0].map { projections[$0] }, events, txn: txn, stop: stop, timed: timed)
        } catch {
            stop.raise()
            writerError = error
        }
        let outcomes = batch.workers.map { $0.wait() }
        // The first failure that is not another group's stop, the writer's first.
        let failures = [writerError].compactMap { $0 } + outcomes.compactMap { $0.failure }
        if let failure = failures.first(where: { !($0 is GroupFold.Stopped) }) ?? failures.first { throw failure }
        for (members, spent) in zip(plan, [writerCosts] + outcomes.map { $0.costs }) {
            guard let spent else { continue }
            for (index, seconds) in zip(members, spent) { costs[projections[index].name] = seconds }
        }
    }

    /// Stops the groups of a batch that will not be finished, and waits for them.
    func cancel(_ batch: Batch) {
        batch.stop.raise()
        for worker in batch.workers { _ = worker.wait() }
    }

    /// The groups of a batch: the indexes of the projections each folds, the writer's first. `pinned` projections
    /// (those that write in `apply`) are the writer's; the others are dealt out dearest first (by `costs`, nil for
    /// not measured yet: then all weigh the same) to the group with the least cost so far, the lowest on a tie; the
    /// writer's group starts with `writerLoad`. No more groups than projections; a group may be empty only when it is
    /// the writer's.
    static func plan(costs: [Double?], pinned: [Bool], groups: Int, writerLoad: Double = 0) -> [[Int]] {
        let count = min(groups, max(1, costs.count))
        // Unmeasured projections weigh the same; a measured one never weighs nothing.
        let weight = costs.map { $0.map { max($0, 1e-9) } ?? 1 }
        var members = [[Int]](repeating: [], count: count)
        var load = [Double](repeating: 0, count: count)
        load[0] = writerLoad
        for index in costs.indices where pinned[index] {
            members[0].append(index)
            load[0] += weight[index]
        }
        let dealt = costs.indices.filter { !pinned[$0] }.sorted { weight[$0] > weight[$1] || (weight[$0] == weight[$1] && $0 < $1) }
        for index in dealt {
            let lightest = load.indices.min { load[$0] < load[$1] || (load[$0] == load[$1] && $0 < $1) } ?? 0
            members[lightest].append(index)
            load[lightest] += weight[index]
        }
        let groups = [members[0]] + members.dropFirst().filter { !$0.isEmpty }
        return groups.map { $0.sorted() }
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

/// Set when one group fails, so that the others stop early.
final class StopFlag: @unchecked Sendable {
    // @unchecked Sendable: `raised` is only touched under `lock`.
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}

/// One group of a `BulkFold` folded on a thread of its own, in a read transaction.
final class GroupFold: @unchecked Sendable {
    // @unchecked Sendable: the thread that makes it hands it to one new thread (`start`), which alone folds its
    // projections and sets `outcome`; the maker reads `outcome` only after `wait()` (the semaphore orders the two). The
    // projections are folded by no other thread during the batch, and flushed by the writer after `wait()`.
    struct Stopped: Error {}

    private let projections: [any Projection]
    private let events: [RecordedEvent]
    /// Let go of by the fold's thread before it signals (see `start`).
    private var environment: Environment?
    private let stop: StopFlag
    /// Whether each projection's fold is timed (`BulkFold.timedEvery`).
    private let timed: Bool
    private let done = DispatchSemaphore(value: 0)
    private var outcome: (costs: [Double]?, failure: (any Error)?) = (nil, nil)

    init(projections: [any Projection], events: [RecordedEvent], environment: Environment, stop: StopFlag, timed: Bool) {
        (self.projections, self.events, self.environment, self.stop, self.timed) = (projections, events, environment, stop, timed)
    }

    func start() {
        let thread = Thread { [self] in
            do {
                guard let environment else { throw Stopped() }
                outcome.costs = try environment.read { txn in
                    try GroupFold.fold(projections, events, txn: txn, stop: stop, timed: timed)
                }
            } catch {
                stop.raise()
                outcome.failure = error
            }
            // The thread (and this object, which it holds) may outlive `wait()` by a moment: were the environment still
            // held then, a store closed as soon as its caller returns (a replay's) would stay open, and opening its
            // folder again at once would be refused as a second open in this process.
            environment = nil
            done.signal()
        }
        // The decoders recurse; a thread gets the main thread's usual stack, not a small default.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the fold to end: the CPU seconds of each projection (nil when not timed), or why it failed.
    func wait() -> (costs: [Double]?, failure: (any Error)?) {
        done.wait()
        return outcome
    }

    /// Folds the events into the projections, then prepares each one's flush (`Projection.prepareFlush`); checks
    /// every `BulkFold.chunk` events whether another group failed, and stops if so. `timed`: each projection folds a
    /// chunk in turn, timed, and the CPU seconds of each are returned; else each event goes into every projection
    /// before the next event (one copy of it) and nil is returned.
    static func fold(
        _ projections: [any Projection], _ events: [RecordedEvent], txn: borrowing Transaction, stop: StopFlag, timed: Bool
    ) throws -> [Double]? {
        var costs = [Double](repeating: 0, count: projections.count)
        let routing = EventRouting(projections)
        // The group's projections held in a value of this function for the batch (up to 8; a larger group is folded
        // through its array): a call through the array retained and released the projection around it, two atomics
        // per event and model (the 1M rebuild took 2.6 % longer that way).
        let held: InlineArray<8, (any Projection)?> = InlineArray { index in index < projections.count ? projections[index] : nil }
        let holdsAll = projections.count <= held.count
        var start = 0
        while start < events.count {
            if stop.isRaised { throw Stopped() }
            let end = min(events.count, start + BulkFold.chunk)
            if timed {
                // Each event routed once, not once per projection.
                let targets = (start..<end).map { routing.projections(for: events[$0]) }
                for (index, projection) in projections.enumerated() {
                    let began = threadCPUSeconds()
                    let bit: UInt64 = 1 << index
                    for position in start..<end where targets[position - start] & bit != 0 {
                        try projection.apply(events[position], in: txn)
                    }
                    costs[index] += threadCPUSeconds() - began
                }
            } else if holdsAll {
                for position in start..<end {
                    let event = events[position]
                    var targets = routing.projections(for: event)
                    while targets != 0 {
                        try held[targets.trailingZeroBitCount]!.apply(event, in: txn)
                        targets &= targets - 1
                    }
                }
            } else {
                for position in start..<end {
                    try routing.fold(events[position], into: projections, txn: txn)
                }
            }
            start = end
        }
        for (index, projection) in projections.enumerated() {
            let began = timed ? threadCPUSeconds() : 0
            try projection.prepareFlush()
            if timed { costs[index] += threadCPUSeconds() - began }
        }
        return timed ? costs : nil
    }

    /// The CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
