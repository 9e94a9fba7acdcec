import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

@Suite struct IntegrityTests {
    let folder = TemporaryFolder()

    func filledStore(_ path: String, events: Int = 30) throws {
        let store = try EventStore(path: path, clock: ManualClock(), projections: [StreamCounts()])
        for i in 0..<events {
            try store.append(
                AppendRequest(
                    stream: "ticket-T-\(1000 + i % 4)",
                    events: [NewEvent(type: "ticket.noted", payload: Array("{\"marker\":\"needle-\(String(format: "%04d", i))\"}".utf8))],
                    commandId: "cmd-\(i)", actor: "ann"))
        }
    }

    @Test func aSoundStoreVerifiesClean() throws {
        let path = folder.child("store")
        try filledStore(path)
        let store = try EventStore(path: path, projections: [StreamCounts()])
        let report = try store.verify(progressEvery: 7)
        #expect(report.isClean, "\(report.problems)")
        #expect(report.eventsChecked == 30)
        #expect(report.streamsChecked == 4)
    }

    @Test func aStoreWhoseCreationWasCutShortIsCompletedNotRefused() throws {
        // A process killed while it created the store's databases (one write transaction each) left some of them.
        let path = folder.child("store")
        do {
            let environment = try Environment(path: path)
            _ = try environment.openDatabase(named: "events")
            _ = try environment.openDatabase(named: "streams")
        }
        try filledStore(path, events: 5)
        let report = try EventStore(path: path, projections: [StreamCounts()]).verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(report.eventsChecked == 5)
    }

    @Test func aLogDatabaseMissingFromAStoreWithEventsIsRefused() throws {
        // What a damaged name in the catalogue looks like to LMDB: a store with events and no `commands` database.
        let path = folder.child("store")
        do {
            let environment = try Environment(path: path)
            let events = try environment.openDatabase(named: "events")
            try environment.write { txn in try txn.put(events, key: [0, 0, 0, 0, 0, 0, 0, 1], value: [1]) }
        }
        #expect {
            try EventStore(path: path)
        } throws: { error in
            (error as? EventLogError)?.message.contains("its catalogue has no database 'streams'") == true
        }
        #expect(try Environment(path: path).databaseNames() == ["events"], "the refused open created databases")
    }

    @Test func aFlippedPayloadByteIsCaughtAtItsPosition() throws {
        let path = folder.child("store")
        try filledStore(path)
        try flipByte(in: path + "/data.mdb", after: "needle-0017")
        let store = try EventStore(path: path)
        let report = try store.verify()
        #expect(!report.isClean)
        #expect(report.firstBadPosition == 18)
    }

    @Test func aFlippedByteInAStoredHashIsCaughtAtItsPosition() throws {
        let path = folder.child("store")
        try filledStore(path, events: 5)
        let hash = try #require(try EventStore(path: path).event(at: 3)).hash
        try flipByte(in: path + "/data.mdb", after: String(decoding: hash.bytes, as: UTF8.self), bytes: hash.bytes)
        let report = try EventStore(path: path).verify()
        #expect(report.firstBadPosition == 3)
    }

    /// Flips one bit of the byte at `offsetInMarker` in every copy of `marker` in the file. LMDB copies
    /// pages on write, so stale copies of a record may sit in free pages; flipping all of them is sure to
    /// hit the live one.
    func flipByte(in file: String, after marker: String, offsetInMarker: Int? = nil, bytes raw: [UInt8]? = nil) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = raw ?? Array(marker.utf8)
        let starts = (0...(bytes.count - needle.count)).filter { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        #expect(!starts.isEmpty, "marker \(marker) not found in the data file")
        for start in starts { bytes[start + (offsetInMarker ?? needle.count - 1)] ^= 0x01 }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    @Test func exportThenImportReproducesTheSameHashesAndText() throws {
        let path = folder.child("store")
        try filledStore(path)
        let original = try EventStore(path: path, projections: [StreamCounts()])
        var exported = ""
        try original.export { exported += $0 }
        let copy = try EventStore(path: folder.child("copy"), projections: [StreamCounts()])
        #expect(try copy.importLog(Array(exported.utf8), batchSize: 7) == 30)
        #expect(try copy.head() == original.head())
        var again = ""
        try copy.export { again += $0 }
        #expect(again == exported)
        #expect(try copy.verify().isClean)
        #expect(try copy.dump(projection: "stream-counts") == original.dump(projection: "stream-counts"))
        let retry = try copy.append(sampleAppend("ticket-T-1003", commandId: "cmd-3"))
        #expect(retry.isRetry, "the command index must come across with the import")
    }

    @Test(arguments: [
        (2, "{not json", "line 2: not valid JSON"),
        (3, #"{"position":3}"#, "line 3: field"),
    ])
    func aMalformedLineFailsWithItsNumberAndImportsNothing(line: Int, replacement: String, message: String) throws {
        let path = folder.child("store")
        try filledStore(path, events: 5)
        let original = try EventStore(path: path)
        var lines: [String] = []
        try original.export { lines.append($0) }
        lines[line - 1] = replacement + "\n"
        let copy = try EventStore(path: folder.child("copy"))
        do {
            try copy.importLog(Array(lines.joined().utf8))
            Issue.record("expected the import to fail")
        } catch let error as EventLogError {
            #expect(error.code == .importRejected)
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
        #expect(try copy.head().position == 0)
    }

    @Test func anAlteredPayloadInAnExportIsRejectedByTheHash() throws {
        let path = folder.child("store")
        try filledStore(path, events: 5)
        let original = try EventStore(path: path)
        var text = ""
        try original.export { text += $0 }
        text = text.replacingOccurrences(of: "needle-0003", with: "needle-9999")
        let copy = try EventStore(path: folder.child("copy"))
        do {
            try copy.importLog(Array(text.utf8))
            Issue.record("expected the import to fail")
        } catch let error as EventLogError {
            #expect(error.message.hasPrefix("line 4: hash"))
        }
        #expect(try copy.head().position == 0)
    }

    @Test func importIntoAStoreHoldingOtherEventsIsRefused() throws {
        let path = folder.child("store")
        try filledStore(path, events: 2)
        let other = folder.child("other")
        try filledStore(other, events: 3)
        var text = ""
        try EventStore(path: other).export { text += $0 }
        let store = try EventStore(path: path)
        // Same streams and payloads, but other event ids and times: not a prefix of the file byte for byte.
        let error = try #require(throws: EventLogError.self) { try store.importLog(Array(text.utf8)) }
        #expect(error.code == .storeNotEmpty)
        #expect(error.message.contains("position 1 differs"))
        #expect(try store.head().position == 2)
    }

    @Test func anInterruptedImportResumesAfterTheEventsAlreadyIn() throws {
        let path = folder.child("store")
        try filledStore(path, events: 12)
        let original = try EventStore(path: path, projections: [StreamCounts()])
        var lines: [String] = []
        try original.export { lines.append($0) }
        let copy = try EventStore(path: folder.child("copy"), projections: [StreamCounts()])
        #expect(try copy.importLog(Array(lines.prefix(5).joined().utf8)) == 5)
        var resumedAfter: UInt64?
        #expect(try copy.importLog(Array(lines.joined().utf8), batchSize: 4) { resumedAfter = $0 } == 7)
        #expect(resumedAfter == 5)
        #expect(try copy.head() == original.head())
        var again = ""
        try copy.export { again += $0 }
        #expect(again == lines.joined())
        #expect(try copy.verify().isClean)
        #expect(try copy.dump(projection: "stream-counts") == original.dump(projection: "stream-counts"))
        #expect(try copy.importLog(Array(lines.joined().utf8)) == 0, "a finished import run again writes nothing")
        let longer = try #require(throws: EventLogError.self) { try copy.importLog(Array(lines.prefix(3).joined().utf8)) }
        #expect(longer.message.contains("more than the file's 3"))
    }

    @Test func backupIsAVerifiableCopyAndRefusesANonEmptyDestination() throws {
        let path = folder.child("store")
        try filledStore(path)
        let store = try EventStore(path: path)
        try store.backup(to: folder.child("backup"))
        let copy = try EventStore(path: folder.child("backup"))
        #expect(try copy.head() == store.head())
        #expect(try copy.verify().isClean)
        #expect(throws: EventLogError.self) { try store.backup(to: folder.child("backup")) }
    }
}
