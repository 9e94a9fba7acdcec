import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// `EventStore.replay(through:…)`: a byte-identical prefix of the log in a new, read-only store.
@Suite struct ReplayTests {
    let folder = TemporaryFolder()

    /// 40 events over 5 streams, a multi-event append every 7th, command ids on most, one second apart.
    func filledStore(_ path: String) throws {
        let clock = ManualClock()
        let store = try EventStore(path: path, clock: clock, projections: [StreamCounts()])
        for i in 0..<30 {
            let count = i % 7 == 0 ? 3 : 1
            try store.append(sampleAppend("ticket-T-\(1000 + i % 5)", count: count, commandId: i % 3 == 0 ? nil : "cmd-\(i)"))
            clock.advance(milliseconds: 1000)
        }
    }

    func exportLines(_ store: EventStore) throws -> [String] {
        var lines: [String] = []
        try store.export { lines.append($0) }
        return lines
    }

    /// The file's bytes, to show a store was not touched.
    func fileDigest(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test(arguments: [1, 17, 40])
    func aReplayHoldsExactlyTheFirstEventsAndVerifies(position: Int) throws {
        let live = folder.child("live")
        try filledStore(live)
        let before = try fileDigest(live + "/data.mdb")
        let replay = folder.child("replay")
        let liveLines: [String]
        let result: ReplayResult
        do {
            let store = try EventStore(path: live, projections: [StreamCounts()])
            liveLines = try exportLines(store)
            #expect(liveLines.count == 40)
            result = try store.replay(
                through: UInt64(position), into: replay, projections: [StreamCounts()], batchSize: 6)
        }
        #expect(try fileDigest(live + "/data.mdb") == before)
        #expect(result.events == UInt64(position))
        #expect(result.marker.position == UInt64(position))

        let copy = try EventStore(path: replay, projections: [StreamCounts()])
        #expect(copy.isReadOnly)
        #expect(copy.replay == result.marker)
        #expect(try exportLines(copy) == Array(liveLines.prefix(position)))
        let report = try copy.verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(try copy.readModelDigests() == result.digests)
        #expect(result.digests.first?.checkpoint == UInt64(position))

        // The command index answers retries the same way in the copy.
        let original = try EventStore(path: live)
        for i in 0..<30 {
            let id = "cmd-\(i)"
            let expected = try original.result(ofCommand: id).flatMap { $0.positions.upperBound <= UInt64(position) ? $0 : nil }
            #expect(try copy.result(ofCommand: id) == expected, "\(id)")
        }
    }

    @Test func theReplayedReadModelEqualsOneBuiltIncrementallyOverTheSameEvents() throws {
        let live = folder.child("live")
        try filledStore(live)
        let store = try EventStore(path: live, projections: [StreamCounts()])
        let replayed = try store.replay(through: 22, into: folder.child("replay"), projections: [StreamCounts()], batchSize: 4)
        var text = ""
        try store.export { text += $0 }
        let prefix = text.split(separator: "\n").prefix(22).joined(separator: "\n")
        let imported = try EventStore(path: folder.child("imported"), projections: [StreamCounts()])
        try imported.importLog(Array(prefix.utf8), batchSize: 1)
        #expect(try imported.readModelDigests() == replayed.digests)
        #expect(try store.readModelDigests() != replayed.digests)
    }

    @Test func aReplayRefusesWrites() throws {
        let live = folder.child("live")
        try filledStore(live)
        _ = try EventStore(path: live, projections: [StreamCounts()])
            .replay(through: 10, into: folder.child("replay"), projections: [StreamCounts()])
        let copy = try EventStore(path: folder.child("replay"), projections: [StreamCounts()])
        let before = try fileDigest(folder.child("replay") + "/data.mdb")
        #expect(throws: EventLogError.self) { try copy.append(sampleAppend("ticket-T-9")) }
        #expect(throws: EventLogError.self) { try copy.rebuild("stream-counts") }
        do {
            try copy.append(sampleAppend("ticket-T-9"))
        } catch let error as EventLogError {
            #expect(error.code == .readOnly)
            #expect(error.message.contains("replay"))
        }
        #expect(try fileDigest(folder.child("replay") + "/data.mdb") == before)
    }

    @Test func aDamagedLogFailsTheReplayAndLeavesNoFolder() throws {
        let live = folder.child("live")
        try filledStore(live)
        let data = live + "/data.mdb"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: data)))
        let needle = Array("{\"n\":2}".utf8)
        let starts = (0...(bytes.count - needle.count)).filter { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        #expect(!starts.isEmpty)
        for start in starts { bytes[start + 5] ^= 0x01 }
        try Data(bytes).write(to: URL(fileURLWithPath: data))

        var options = Environment.Options()
        options.readOnly = true
        let store = try EventStore(path: live, options: options)
        let replay = folder.child("replay")
        #expect {
            try store.replay(through: 40, into: replay, projections: [StreamCounts()])
        } throws: { error in
            (error as? EventLogError)?.code == .corrupt && "\(error)".contains("position 3")
        }
        #expect(!FileManager.default.fileExists(atPath: replay))
    }

    @Test func aPositionOutsideTheLogOrAFullFolderIsRefused() throws {
        let live = folder.child("live")
        try filledStore(live)
        let store = try EventStore(path: live)
        #expect(throws: EventLogError.self) { try store.replay(through: 0, into: folder.child("a"), projections: []) }
        #expect(throws: EventLogError.self) { try store.replay(through: 41, into: folder.child("b"), projections: []) }
        let full = folder.child("full")
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: full + "/keep.txt"))
        #expect {
            try store.replay(through: 5, into: full, projections: [])
        } throws: { ($0 as? EventLogError)?.code == .storeNotEmpty }
        #expect(try FileManager.default.contentsOfDirectory(atPath: full) == ["keep.txt"])
    }

    @Test func aReadOnlyOpenWritesNothingAndNeedsAStore() throws {
        let live = folder.child("live")
        try filledStore(live)
        let before = try fileDigest(live + "/data.mdb")
        var options = Environment.Options()
        options.readOnly = true
        do {
            let store = try EventStore(path: live, options: options)
            #expect(try store.head().position == 40)
            #expect(throws: EventLogError.self) { try store.append(sampleAppend("ticket-T-1")) }
        }
        #expect(try fileDigest(live + "/data.mdb") == before)
        #expect(throws: (any Error).self) { try EventStore(path: folder.child("missing"), options: options) }
        #expect(!FileManager.default.fileExists(atPath: folder.child("missing")))
    }
}
