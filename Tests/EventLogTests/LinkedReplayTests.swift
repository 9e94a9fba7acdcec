import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// `EventStore.linkedReplay(through:…)`: a replay holding only the read models, reading the live log through its
/// position. Every log read gives what a standalone replay of the same position gives, however much the live store
/// appended after it; a live store gone, rolled back or replaced is refused with one line naming the fix.
@Suite struct LinkedReplayTests {
    let folder = TemporaryFolder()
    var live: String { folder.child("live") }

    /// Every way the log is read, each answered as text so two stores can be compared.
    enum ReadPath: String, CaseIterable, Sendable {
        case head, streamVersions, streamReads, streams, commands, eventAt, readFrom, scan, scanRaw, positionAtOrBefore
        case verify, export, readModels, verifyReadModels
    }

    /// Where the replay is cut: exactly at a month end (the snapshot's file, in place), between two month ends (a
    /// snapshot and a tail), and inside a three-event append (a command cut in two).
    enum Cut: String, CaseIterable, Sendable { case monthEnd, betweenMonthEnds, insideAnAppend }

    static let streams = (0..<5).map { "ticket-T-\(1000 + $0)" } + ["invoice-I-1", "invoice-I-2"]
    static let commands = (0..<60).map { "cmd-\($0)" }

    /// Appends `range`: one every ten days (about a month end every third append), to five ticket streams (the two
    /// invoice streams from the 40th on), three events every 7th, a command id on two in three.
    func append(_ range: Range<Int>, to store: EventStore, clock: ManualClock) throws {
        for i in range {
            let stream = i >= 40 && i % 2 == 0 ? "invoice-I-\(1 + i % 4 / 2)" : "ticket-T-\(1000 + i % 5)"
            try store.append(sampleAppend(stream, count: i % 7 == 0 ? 3 : 1, commandId: i % 3 == 0 ? nil : "cmd-\(i)"))
            clock.advance(milliseconds: 10 * 86_400_000)
        }
    }

    /// The live store with 40 appends and its month-end snapshots; returns the clock and the position `cut` chooses.
    func makeLive(cut: Cut) throws -> (ManualClock, UInt64) {
        let clock = ManualClock("2026-01-03T09:00:00Z")
        let store = try EventStore(path: live, clock: clock, projections: [StreamCounts()])
        try append(0..<40, to: store, clock: clock)
        _ = try store.takeSnapshots(projections: [StreamCounts()], scratch: folder.child("scratch"))
        let ends = try store.monthEnds(after: 0, through: store.head().position)
        try #require(ends.count >= 6)
        switch cut {
        case .monthEnd: return (clock, ends[3].position)
        case .betweenMonthEnds: return (clock, ends[3].position + 1)
        case .insideAnAppend:
            // Append 7 is three events with the command id `cmd-7`: the replay sees its first two.
            let first = try #require(try store.result(ofCommand: "cmd-7")).positions.lowerBound
            return (clock, first + 1)
        }
    }

    /// What `store` answers on `path`.
    static func answer(_ path: ReadPath, _ store: EventStore, scratch: String) throws -> String {
        func line(_ event: RecordedEvent) -> String { "\(event.position) \(event.stream)@\(event.streamVersion) \(event.hash.hex)" }
        switch path {
        case .head:
            let head = try store.head()
            return "\(head.position) \(head.hash.hex) \(head.recordedAt.iso8601)"
        case .streamVersions:
            return try streams.map { "\($0)=\(try store.version(of: $0))" }.joined(separator: " ")
        case .streamReads:
            return try streams.map { stream in
                let all = try store.read(stream: stream).map(line)
                let newest = try store.read(stream: stream, from: .max, direction: .backward, limit: 2).map(line)
                let middle = try store.read(stream: stream, from: 2, limit: 2).map(line)
                return (all + ["|"] + newest + ["|"] + middle).joined(separator: "\n")
            }.joined(separator: "\n")
        case .streams:
            let all = try store.streams().map { "\($0.name)=\($0.version)" }
            let tickets = try store.streams(prefix: "ticket-").map { "\($0.name)=\($0.version)" }
            return (all + ["|"] + tickets).joined(separator: " ")
        case .commands:
            return try commands.map { id in
                guard let result = try store.result(ofCommand: id) else { return "\(id) -" }
                return "\(id) \(result.stream) \(result.positions) \(result.streamVersion) \(result.isRetry)"
            }.joined(separator: "\n")
        case .eventAt:
            return try (1...200).map { try store.event(at: $0).map(line) ?? "-" }.joined(separator: "\n")
        case .readFrom:
            return try (store.read(limit: 1_000) + store.read(from: 5, limit: 4)).map(line).joined(separator: "\n")
        case .scan:
            var lines: [String] = []
            try store.scan(from: 2, batchSize: 7) { event in
                lines.append(line(event))
                return true
            }
            return lines.joined(separator: "\n")
        case .scanRaw:
            var lines: [String] = []
            try store.scanRaw(batchSize: 7) { view in
                lines.append("\(view.position) \(String(decoding: view.stream, as: UTF8.self)) \(String(decoding: view.payload, as: UTF8.self))")
                return true
            }
            return lines.joined(separator: "\n")
        case .positionAtOrBefore:
            let instants = (0..<60).map { Timestamp(millisecondsSinceEpoch: 1_767_430_800_000 + Int64($0) * 9 * 86_400_000) }
            return try (instants + [Timestamp(millisecondsSinceEpoch: .max / 2)]).map { String(try store.position(atOrBefore: $0)) }
                .joined(separator: " ")
        case .verify:
            let report = try store.verify()
            return "\(report.eventsChecked) \(report.streamsChecked) \(report.head) \(report.problems)"
        case .export:
            var lines: [String] = []
            try store.export { lines.append($0) }
            return lines.joined()
        case .readModels:
            return "\(try store.readModelDigests())"
        case .verifyReadModels:
            let (log, models) = try store.verify(readModelsRebuiltIn: scratch, fresh: [StreamCounts()])
            return "\(log.eventsChecked) \(log.head) \(log.problems) \(models)"
        }
    }

    @Test(arguments: ReadPath.allCases, Cut.allCases)
    func aLinkedReplaySeesNothingTheLiveStoreAppendsAfterItsPosition(path: ReadPath, cut: Cut) throws {
        let (clock, position) = try makeLive(cut: cut)
        let standalone = folder.child("standalone")
        let linked = folder.child("linked")
        do {
            let store = try EventStore(path: live, clock: clock, projections: [StreamCounts()])
            _ = try store.replay(through: position, into: standalone, projections: [StreamCounts()])
            let result = try store.linkedReplay(through: position, into: linked, projections: [StreamCounts()], batchSize: 4)
            #expect(result.marker.isLinked && result.marker.position == position)
            #expect((result.marker.link?.snapshot != nil) == (cut == .monthEnd), "the snapshot's file is used exactly at its position")
            #expect(!FileManager.default.fileExists(atPath: linked + "/snapshots"))
            // After the position: more events on the same streams, new streams, new command ids, a retried one.
            try append(40..<60, to: store, clock: clock)
            try store.append(sampleAppend("ticket-T-1003", commandId: "cmd-8"))

            let replay = try EventStore(path: linked, projections: [StreamCounts()], linkedTo: store)
            let reference = try EventStore(path: standalone, projections: [StreamCounts()])
            #expect(replay.isReadOnly)
            let seen = try Self.answer(path, replay, scratch: folder.child("scratch-linked"))
            #expect(seen == (try Self.answer(path, reference, scratch: folder.child("scratch-standalone"))))
            #expect(seen != (try Self.answer(path, store, scratch: folder.child("scratch-live"))), "the live store moved on")
            #expect(try replay.readModelDigests() == result.digests)
        }
        // Opened on its own (the live store closed), it opens the live store read-only and answers the same.
        let replay = try EventStore(path: linked, projections: [StreamCounts()])
        let reference = try EventStore(path: standalone, projections: [StreamCounts()])
        #expect(try Self.answer(path, replay, scratch: folder.child("s1")) == (try Self.answer(path, reference, scratch: folder.child("s2"))))
    }

    @Test func aLinkedReplayAtAMonthEndIsTheSnapshotsFileAndOutlivesTheSnapshot() throws {
        let (_, position) = try makeLive(cut: .monthEnd)
        let linked = folder.child("linked")
        let standalone = folder.child("standalone")
        let month: String
        do {
            let store = try EventStore(path: live, projections: [StreamCounts()])
            let result = try store.linkedReplay(through: position, into: linked, projections: [StreamCounts()])
            month = try #require(result.snapshot?.month)
            #expect(result.marker.link?.snapshot == month)
            #expect(result.snapshotsTaken.isEmpty)
            _ = try store.replay(through: position, into: standalone, projections: [StreamCounts()], snapshots: false)
            let file = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int }
            #expect(try file(linked + "/data.mdb") == file(store.snapshotsFolder + "/" + month + "/data.mdb"), "a hard link, not a copy")
            // Removing (or retaking) the snapshot leaves the replay's file as it was.
            try FileManager.default.removeItem(atPath: store.snapshotsFolder)
        }
        let replay = try EventStore(path: linked, projections: [StreamCounts()])
        let reference = try EventStore(path: standalone, projections: [StreamCounts()])
        #expect(try replay.dump(projection: "stream-counts") == reference.dump(projection: "stream-counts"))
        #expect(try replay.readModelDigests() == reference.readModelDigests())
        #expect(try replay.verify().isClean)
    }

    /// How the live store changed under the linked replay.
    enum Breakage: String, CaseIterable, Sendable { case moved, rolledBack, replaced }

    @Test(arguments: Breakage.allCases)
    func aLinkedReplayWhoseLiveStoreChangedRefusesToOpen(breakage: Breakage) throws {
        let (clock, position) = try makeLive(cut: .betweenMonthEnds)
        let earlier = folder.child("earlier")
        let other = folder.child("other")
        let linked = folder.child("linked")
        do {
            let store = try EventStore(path: live, clock: clock, projections: [StreamCounts()])
            _ = try store.backup(to: earlier)  // at 40 appends: the position is inside it
            _ = try store.linkedReplay(through: position, into: linked, projections: [StreamCounts()])
            try append(40..<45, to: store, clock: clock)
            let otherStore = try EventStore(path: other, clock: ManualClock("2026-01-03T09:00:01Z"), projections: [StreamCounts()])
            try append(0..<45, to: otherStore, clock: ManualClock())
        }
        try FileManager.default.removeItem(atPath: earlier + "/" + BackupManifest.fileName)
        let data = live + "/data.mdb"
        switch breakage {
        case .moved:
            try FileManager.default.moveItem(atPath: live, toPath: folder.child("moved"))
        case .rolledBack:
            // Restored from a backup taken before the position.
            let short = folder.child("short")
            do {
                let store = try EventStore(path: earlier)
                _ = try store.replay(through: position - 1, into: short, projections: [])
            }
            try FileManager.default.removeItem(atPath: short + "/" + ReplayMarker.fileName)
            try FileManager.default.removeItem(atPath: data)
            try FileManager.default.copyItem(atPath: short + "/data.mdb", toPath: data)
        case .replaced:
            try FileManager.default.removeItem(atPath: data)
            try FileManager.default.copyItem(atPath: other + "/data.mdb", toPath: data)
        }
        let error = try #require(throws: EventLogError.self) { try EventStore(path: linked, projections: [StreamCounts()]) }
        #expect(error.code == .replayUnlinked)
        #expect(!error.message.contains("\n"))
        #expect(error.message.contains("make it again from the live store") && error.message.contains("--standalone"), "\(error.message)")
        switch breakage {
        case .moved: #expect(error.message.contains("which is gone"), "\(error.message)")
        case .rolledBack: #expect(error.message.contains("rolled back"), "\(error.message)")
        case .replaced: #expect(error.message.contains("is not the one replayed"), "\(error.message)")
        }
    }

    @Test func aLinkedReplayIsReadOnlyHoldsNoLogAndNeedsItsOwnLiveStore() throws {
        let (clock, position) = try makeLive(cut: .betweenMonthEnds)
        let linked = folder.child("linked")
        let store = try EventStore(path: live, clock: clock, projections: [StreamCounts()])
        let result = try store.linkedReplay(through: position, into: linked, projections: [StreamCounts()])
        #expect(result.marker.source == FileSystemPath.resolved(live))
        #expect(result.marker.summary.hasSuffix(", linked to it"))
        let otherFolder = folder.child("other")
        let other = try EventStore(path: otherFolder, projections: [])
        let wrong = try #require(throws: EventLogError.self) {
            try EventStore(path: linked, projections: [StreamCounts()], linkedTo: other)
        }
        #expect(wrong.code == .replayUnlinked)
        // The folder holds no log database: a docket that predates linked replays cannot misread it as an empty log.
        do {
            var options = Environment.Options()
            options.readOnly = true
            let names = try Environment(path: linked, options: options).databaseNames()
            #expect(!names.contains("events") && !names.contains("streams") && names.contains("checkpoints"))
        }
        let replay = try EventStore(path: linked, projections: [StreamCounts()], linkedTo: store)
        #expect(try replay.head().position == position)
        #expect(throws: EventLogError.self) { try replay.append(sampleAppend("ticket-T-1000")) }
        let backup = try #require(throws: EventLogError.self) { try replay.backup(to: folder.child("backup")) }
        #expect(backup.message.contains("holds no log of its own"), "\(backup.message)")
        #expect(throws: EventLogError.self) { try replay.linkedReplay(through: 1, into: folder.child("again"), projections: [StreamCounts()]) }
        // A standalone copy of a linked replay is a copy of the live log through its position.
        let copy = try replay.replay(through: position, into: folder.child("copy"), projections: [StreamCounts()])
        #expect(copy.digests == result.digests)
    }

    @Test func aReplayMarkerOfAFormatNotKnownIsRefused() throws {
        let (_, position) = try makeLive(cut: .betweenMonthEnds)
        let linked = folder.child("linked")
        do {
            let store = try EventStore(path: live, projections: [StreamCounts()])
            _ = try store.linkedReplay(through: position, into: linked, projections: [StreamCounts()])
        }
        let file = linked + "/" + ReplayMarker.fileName
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\"format\":\"docket-replay 2\""))
        try text.replacingOccurrences(of: "docket-replay 2", with: "docket-replay 3").write(toFile: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: EventLogError.self) { try EventStore(path: linked, projections: [StreamCounts()]) }
        #expect(error.message.contains("made by a newer docket"), "\(error.message)")
    }
}

/// The resolved form of a path, as a linked replay records its live store.
enum FileSystemPath {
    static func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
}
