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
/// batch (the other groups stop at their next chunk of events), and nothing of it is committed.
///
/// The groups are balanced by measured cost: each projection's fold is timed (CPU time of its thread) over the batch,
/// and the next batch deals the projections out, dearest first, to the group with the least cost so far (the first
/// batch deals them out evenly). A group folds the batch `chunk` events at a time, each of its projections over the
/// chunk in turn (timed per chunk), so models of one group that share a decode (`EventMemo`) find it. After the batch
/// each projection prepares its flush on the same thread (`prepareFlush`: the kit's tables settle and encode their
/// changed rows there), so the writer is left with the puts.
final class BulkFold {
    /// How many groups (threads) a batch is folded in; 1 folds every projection in turn, event by event, as appends do.
    let groups: Int
    /// How many events a group folds into one projection before the next projection of the group takes them (less than
    /// an `EventMemo` holds).
    static let chunk = 128
    /// CPU seconds each projection's fold took over the last batch, by name.
    private(set) var costs: [String: Double] = [:]

    init(groups: Int) { self.groups = max(1, groups) }

    /// Folds `events` into `projections` (each at the checkpoint just before the first event) without flushing them:
    /// the caller runs this inside `EventStore.applying`, which flushes them in `txn` after it, or drops what they kept
    /// when it throws.
    func fold(
        _ events: [RecordedEvent], into projections: [any Projection], store: EventStore, txn: borrowing Transaction
    ) throws {
        let plan = BulkFold.plan(
            costs: projections.map { costs[$0.name] }, pinned: projections.map { !$0.foldsInMemory }, groups: groups)
        guard plan.count > 1 else {
            for event in events {
                for projection in projections { try projection.apply(event, in: txn) }
            }
            return
        }
        let stop = StopFlag()
        let workers = plan.dropFirst().map { members in
            GroupFold(projections: members.map { projections[$0] }, events: events, environment: store.environment, stop: stop)
        }
        for worker in workers { worker.start() }
        var writerCosts: [Double] = []
        var writerError: (any Error)?
        do {
            writerCosts = try GroupFold.fold(plan[0].map { projections[$0] }, events, txn: txn, stop: stop)
        } catch {
            stop.raise()
            writerError = error
        }
        let outcomes = workers.map { $0.wait() }
        // The first failure that is not another group's stop, the writer's first.
        let failures = [writerError].compactMap { $0 } + outcomes.compactMap { $0.failure }
        if let failure = failures.first(where: { !($0 is GroupFold.Stopped) }) ?? failures.first { throw failure }
        for (members, spent) in zip(plan, [writerCosts] + outcomes.map { $0.costs }) {
            for (index, seconds) in zip(members, spent) { costs[projections[index].name] = seconds }
        }
    }

    /// The groups of a batch: the indexes of the projections each folds, the writer's first. `pinned` projections
    /// (those that write in `apply`) are the writer's; the others are dealt out dearest first (by `costs`, nil for
    /// not measured yet: then all weigh the same) to the group with the least cost so far, the lowest on a tie. No
    /// more groups than projections; a group may be empty only when it is the writer's.
    static func plan(costs: [Double?], pinned: [Bool], groups: Int) -> [[Int]] {
        let count = min(groups, max(1, costs.count))
        // Unmeasured projections weigh the same; a measured one never weighs nothing.
        let weight = costs.map { $0.map { max($0, 1e-9) } ?? 1 }
        var members = [[Int]](repeating: [], count: count)
        var load = [Double](repeating: 0, count: count)
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

/// Set when one group fails, so that the others stop early.
private final class StopFlag: @unchecked Sendable {
    // @unchecked Sendable: `raised` is only touched under `lock`.
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}

/// One group of a `BulkFold` folded on a thread of its own, in a read transaction.
private final class GroupFold: @unchecked Sendable {
    // @unchecked Sendable: the thread that makes it hands it to one new thread (`start`), which alone folds its
    // projections and sets `outcome`; the maker reads `outcome` only after `wait()` (the semaphore orders the two). The
    // projections are folded by no other thread during the batch, and flushed by the writer after `wait()`.
    struct Stopped: Error {}

    private let projections: [any Projection]
    private let events: [RecordedEvent]
    /// Let go of by the fold's thread before it signals (see `start`).
    private var environment: Environment?
    private let stop: StopFlag
    private let done = DispatchSemaphore(value: 0)
    private var outcome: (costs: [Double], failure: (any Error)?) = ([], nil)

    init(projections: [any Projection], events: [RecordedEvent], environment: Environment, stop: StopFlag) {
        (self.projections, self.events, self.environment, self.stop) = (projections, events, environment, stop)
    }

    func start() {
        let thread = Thread { [self] in
            do {
                guard let environment else { throw Stopped() }
                outcome.costs = try environment.read { txn in try GroupFold.fold(projections, events, txn: txn, stop: stop) }
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

    /// Waits for the fold to end: the CPU seconds of each projection, or why it failed.
    func wait() -> (costs: [Double], failure: (any Error)?) {
        done.wait()
        return outcome
    }

    /// Folds the events into the projections `BulkFold.chunk` events at a time (each projection over the chunk, in
    /// turn: the chunk stays in the cache, and models that share a decode find it in their `EventMemo`), then prepares
    /// each one's flush (`Projection.prepareFlush`); returns the CPU seconds of each. Stops when another group failed.
    static func fold(
        _ projections: [any Projection], _ events: [RecordedEvent], txn: borrowing Transaction, stop: StopFlag
    ) throws -> [Double] {
        var costs = [Double](repeating: 0, count: projections.count)
        try events.withUnsafeBufferPointer { events in
            var start = 0
            while start < events.count {
                if stop.isRaised { throw Stopped() }
                let end = min(events.count, start + BulkFold.chunk)
                for (index, projection) in projections.enumerated() {
                    let began = threadCPUSeconds()
                    for position in start..<end { try projection.apply(events[position], in: txn) }
                    costs[index] += threadCPUSeconds() - began
                }
                start = end
            }
        }
        for (index, projection) in projections.enumerated() {
            let began = threadCPUSeconds()
            try projection.prepareFlush()
            costs[index] += threadCPUSeconds() - began
        }
        return costs
    }

    /// The CPU time the calling thread has used, in seconds.
    private static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
