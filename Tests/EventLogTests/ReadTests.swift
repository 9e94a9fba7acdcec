import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct ReadTests {
    let folder = TemporaryFolder()

    @Test func streamsReadForwardAndBackwardFromAVersion() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("s-1", count: 5))
        try store.append(sampleAppend("s-2", count: 2))
        #expect(try store.read(stream: "s-1", from: 2, limit: 2).map(\.streamVersion) == [2, 3])
        #expect(try store.read(stream: "s-1", from: .max, direction: .backward, limit: 3).map(\.streamVersion) == [5, 4, 3])
        #expect(try store.read(stream: "s-1", from: 2, direction: .backward).map(\.streamVersion) == [2, 1])
        #expect(try store.read(stream: "s-1", from: 9).isEmpty)
        #expect(try store.read(stream: "nope").isEmpty)
    }

    @Test func theWholeLogReadsFromAPositionAcrossBatches() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        for i in 0..<10 { try store.append(sampleAppend("s-\(i % 3)")) }
        var seen: [UInt64] = []
        try store.scan(from: 4, batchSize: 3) { event in
            seen.append(event.position)
            return true
        }
        #expect(seen == Array(4...10))
        #expect(try store.read(from: 8, limit: 5).map(\.position) == [8, 9, 10])
        var stopped: [UInt64] = []
        try store.scan(batchSize: 2) { event in
            stopped.append(event.position)
            return event.position < 3
        }
        #expect(stopped == [1, 2, 3])
    }

    @Test func positionAtOrBeforeATimeIsFoundByBinarySearch() throws {
        let clock = ManualClock("2026-10-01T00:00:00Z")
        let store = try EventStore(path: folder.child("store"), clock: clock)
        for _ in 0..<20 {
            try store.append(sampleAppend("s-1"))
            clock.advance(milliseconds: 3_600_000)
        }
        // Event n was recorded at n-1 hours after midnight.
        #expect(try store.position(atOrBefore: Timestamp(iso8601: "2026-10-01T05:30:00Z")!) == 6)
        #expect(try store.position(atOrBefore: Timestamp(iso8601: "2026-10-01T05:00:00Z")!) == 6)
        #expect(try store.position(atOrBefore: Timestamp(iso8601: "2026-09-30T23:00:00Z")!) == 0)
        #expect(try store.position(atOrBefore: Timestamp(iso8601: "2027-01-01T00:00:00Z")!) == 20)
    }

    @Test func headAndStreamsListing() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        #expect(try store.head().position == 0)
        try store.append(sampleAppend("b-1", count: 2))
        try store.append(sampleAppend("a-1"))
        let listing = try store.streams()
        #expect(listing.map(\.name) == ["a-1", "b-1"])
        #expect(listing.map(\.version) == [1, 2])
        #expect(try store.streams(prefix: "b-").map(\.name) == ["b-1"])
        #expect(try store.streams(prefix: "c-").isEmpty)
        #expect(try store.head().hash == store.event(at: 3)?.hash)
    }
}
