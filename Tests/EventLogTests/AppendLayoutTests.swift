@testable import EventLog
import Foundation
import TestSupport
import Testing

/// A bulk append's batches laid out ahead of their transactions (`AppendPlanner`, `EventStore.commit(_:sync:)`): the
/// log they write is the one the ordinary path writes, byte for byte, and a layout that no longer holds when its
/// transaction comes is never written.
@Suite struct AppendLayoutTests {
    let folder = TemporaryFolder()

    /// An event with an id made from `n`, so two stores can be given the very same events.
    private func event(_ n: Int) -> NewEvent {
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: UInt64(n).bigEndian) { bytes.replaceSubrange(8..<16, with: $0) }
        let id = bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
        return NewEvent(type: "test.happened", payload: Array("{\"n\":\(n)}".utf8), eventId: id)
    }

    private func request(_ stream: String, _ first: Int, count: Int, expected: ExpectedVersion = .any, commandId: String? = nil)
        -> AppendRequest
    {
        AppendRequest(
            stream: stream, expectedVersion: expected, events: (first..<(first + count)).map(event), commandId: commandId,
            actor: "ann")
    }

    /// Batches mixing new and existing streams, a stream twice in one batch, command ids and expected versions.
    private var batches: [[AppendRequest]] {
        [
            [request("s-1", 0, count: 3), request("s-2", 3, count: 1, commandId: "c-1"), request("s-1", 4, count: 2)],
            [request("s-0", 6, count: 2, expected: .exact(1)), request("s-3", 8, count: 1, expected: .noStream)],
            [request("s-2", 9, count: 4, commandId: "c-2"), request("s-4", 13, count: 1), request("s-1", 14, count: 1, expected: .exact(5))],
        ]
    }

    private func log(of store: EventStore) throws -> [String] {
        var lines: [String] = []
        try store.export { lines.append($0) }
        return lines
    }

    /// Every batch laid out and written as laid out, and the log, results and indexes are those of the ordinary path.
    @Test func laidOutBatchesWriteTheLogTheOrdinaryPathWrites() throws {
        let ordinary = try EventStore(path: folder.child("ordinary"), clock: ManualClock())
        let planned = try EventStore(path: folder.child("planned"), clock: ManualClock())
        for store in [ordinary, planned] { try store.append(request("s-0", 100, count: 1)) }
        let plain = BulkCommits(store: ordinary) { _ in }
        let commits = BulkCommits(store: planned) { _ in }
        var laid: [PlannedBatch] = []
        for requests in batches {
            // The planner runs ahead: every batch laid out before the first is committed.
            laid.append(commits.plan(requests))
        }
        for (requests, batch) in zip(batches, laid) {
            #expect(batch.layout != nil)
            let expected = try plain.append(requests)
            #expect(try commits.append(batch) == expected)
        }
        try plain.finish()
        try commits.finish()
        #expect(try log(of: planned) == log(of: ordinary))
        #expect(try planned.head() == ordinary.head())
        #expect(try planned.verify().isClean)
        #expect(try planned.append(request("s-2", 200, count: 1, commandId: "c-1")).isRetry)
    }

    /// The `stream-counts` model after laid-out batches is the one the ordinary path folds event by event: each batch's
    /// events are counted as it is laid out (`AppendLayout.tally`) — new streams once, runs of one type, categories
    /// plain, non-ASCII and without a dash — and added in its transaction instead of folded there again.
    @Test func laidOutBatchesCountStreamsAndTypesAsTheOrdinaryPathDoes() throws {
        func typed(_ stream: String, _ first: Int, types: [String]) -> AppendRequest {
            AppendRequest(
                stream: stream, expectedVersion: .any,
                events: types.enumerated().map { offset, type in
                    let plain = event(first + offset)
                    return NewEvent(type: type, payload: plain.payload, eventId: plain.eventId)
                }, actor: "ann")
        }
        let batches = [
            [typed("s-1", 0, types: ["a.x", "a.x", "b.y"]), typed("été-2", 3, types: ["b.y"]), typed("plain", 4, types: ["a.x"])],
            [typed("s-1", 5, types: ["b.y", "a.x"]), typed("t-9", 7, types: ["c.z", "c.z"]), typed("été-2", 9, types: ["a.x"])],
        ]
        let ordinaryCounts = StreamCounts(), plannedCounts = StreamCounts()
        let ordinary = try EventStore(path: folder.child("ordinary"), clock: ManualClock(), projections: [ordinaryCounts])
        let planned = try EventStore(path: folder.child("planned"), clock: ManualClock(), projections: [plannedCounts])
        let plain = BulkCommits(store: ordinary) { _ in }
        let commits = BulkCommits(store: planned) { _ in }
        let laid = batches.map { commits.plan($0) }
        let tally = try #require(laid.first?.layout?.tally)
        #expect(tally.types.sorted().map { String(decoding: $0.name, as: UTF8.self) } == ["a.x", "b.y"])
        #expect(tally.categories.sorted().map { $0.counts.streams } == [1, 1, 1], "plain, s and été: one new stream each")
        for (requests, batch) in zip(batches, laid) {
            try plain.append(requests)
            try commits.append(batch)
        }
        try plain.finish()
        try commits.finish()
        let counted = try plannedCounts.read(from: planned)
        #expect(counted.categories == (try ordinaryCounts.read(from: ordinary)).categories)
        #expect(counted.types == (try ordinaryCounts.read(from: ordinary)).types)
        #expect(counted.types.map(\.events) == [5, 3, 2])
        #expect(counted.categories.first { $0.name == "s" }.map { ($0.events, $0.streams) } ?? (0, 0) == (5, 1))
        #expect(try planned.verify().isClean)
    }

    /// Another writer appends between a batch's layout and its transaction: the layout is not written, the batch is
    /// appended the ordinary way after the other writer's event, the ones laid out after it too, and once they are
    /// committed the planner reads the store again and lays out the next.
    @Test func aLayoutThatNoLongerHoldsIsAppendedTheOrdinaryWay() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        let commits = BulkCommits(store: store) { _ in }
        let first = commits.plan([request("s-1", 0, count: 2)])
        let second = commits.plan([request("s-1", 2, count: 1), request("s-2", 3, count: 1)])
        try store.append(request("s-1", 50, count: 1))
        #expect(try commits.append(first).map(\.positions) == [2...3])
        #expect(try commits.append(second).map(\.positions) == [4...4, 5...5])
        #expect(try store.read(stream: "s-1").map(\.position) == [1, 2, 3, 4])
        let third = commits.plan([request("s-2", 4, count: 1)])
        #expect(third.layout?.after == (try store.head()))
        #expect(try commits.append(third).map(\.positions) == [6...6])
        try commits.finish()
        #expect(try store.verify().isClean)
    }

    /// A committed batch is let go by the planning thread at its next `plan`, not by the committing thread: the planner
    /// holds the batches committed since it last planned, and no more.
    @Test func committedBatchesAreLetGoWhenTheNextIsPlanned() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        let commits = BulkCommits(store: store) { _ in }
        let planner = try #require(commits.planner)
        let first = commits.plan([request("s-1", 0, count: 2)])
        let second = commits.plan([request("s-2", 2, count: 1)])
        #expect(planner.retiredCount == 0)
        try commits.append(first)
        try commits.append(second)
        #expect(planner.retiredCount == 2)
        let third = commits.plan([request("s-1", 3, count: 1)])
        #expect(planner.retiredCount == 0)
        try commits.append(third)
        #expect(planner.retiredCount == 1)
        // A batch appended without a plan is the caller's.
        try commits.append([request("s-3", 4, count: 1)])
        #expect(planner.retiredCount == 1)
        try commits.finish()
        #expect(try store.head().position == 5)
    }

    /// What only the ordinary path can answer is left to it: a wrong expected version (its error, nothing written), a
    /// command id already used (the first append's result), the same command id twice in a batch.
    @Test func refusalsAndRetriesAreLeftToTheOrdinaryPath() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        let commits = BulkCommits(store: store) { _ in }
        try commits.append(commits.plan([request("s-1", 0, count: 2, commandId: "c-1")]))

        let wrong = commits.plan([request("s-1", 2, count: 1, expected: .exact(7))])
        #expect(wrong.layout == nil)
        #expect(throws: WrongExpectedVersion.self) { try commits.append(wrong) }
        #expect(try store.head().position == 2)

        let retry = commits.plan([request("s-1", 3, count: 2, commandId: "c-1")])
        #expect(retry.layout == nil)
        #expect(try commits.append(retry) == [AppendResult(stream: "s-1", positions: 1...2, streamVersion: 2, isRetry: true)])

        let twice = commits.plan([request("s-2", 5, count: 1, commandId: "c-2"), request("s-2", 6, count: 1, commandId: "c-2")])
        #expect(twice.layout == nil)
        let results = try commits.append(twice)
        #expect(results.map(\.isRetry) == [false, true])
        #expect(results.map(\.positions) == [3...3, 3...3])

        let after = commits.plan([request("s-3", 7, count: 1)])
        #expect(after.layout != nil, "once the batches left to the ordinary path are committed, the planner lays out again")
        try commits.append(after)
        try commits.finish()
        #expect(try store.head().position == 4)
        #expect(try store.verify().isClean)
    }
}
