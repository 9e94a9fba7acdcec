import EventLog
import Foundation
import TestSupport
import Testing

/// `importLog(chunks:)`: the export read as a stream of chunks, written batch by batch, and taken out again when a
/// later line is bad, so a failed import leaves the log as it found it.
@Suite struct StreamedImportTests {
    let folder = TemporaryFolder()

    /// The export lines of a store of `events` events on four streams, each with a command id.
    func exportLines(events: Int = 30) throws -> [String] {
        let store = try EventStore(path: folder.child("source"), clock: ManualClock(), projections: [StreamCounts()])
        for i in 0..<events {
            try store.append(
                AppendRequest(
                    stream: "ticket-T-\(1000 + i % 4)",
                    events: [NewEvent(type: "ticket.noted", payload: Array("{\"marker\":\"needle-\(String(format: "%04d", i))\"}".utf8))],
                    commandId: "cmd-\(i)", actor: "ann"))
        }
        var lines: [String] = []
        try store.export { lines.append($0) }
        return lines
    }

    /// Feeds `text` to the import `size` bytes at a time.
    func importChunked(_ text: String, into store: EventStore, size: Int, batchSize: Int = 4) throws -> Int {
        let bytes = Array(text.utf8)
        var offset = 0
        return try store.importLog(
            chunks: {
                guard offset < bytes.count else { return nil }
                defer { offset += size }
                return bytes[offset..<min(offset + size, bytes.count)]
            }, batchSize: batchSize)
    }

    @Test(arguments: [1, 7, 64, 1 << 20])
    func chunksOfAnySizeImportTheSameLog(size: Int) throws {
        let lines = try exportLines()
        // CRLF line ends, a blank line, and no newline after the last line.
        var text = lines.prefix(10).joined() + "\n" + lines.dropFirst(10).map { $0.replacingOccurrences(of: "\n", with: "\r\n") }.joined()
        text.removeLast()  // "\r\n" is one Character
        let store = try EventStore(path: folder.child("copy"), projections: [StreamCounts()])
        #expect(try importChunked(text, into: store, size: size) == 30)
        var again = ""
        try store.export { again += $0 }
        #expect(again == lines.joined())
        #expect(try store.verify().isClean)
        let source = try EventStore(path: folder.child("source"), projections: [StreamCounts()])
        #expect(try store.dump(projection: "stream-counts") == source.dump(projection: "stream-counts"))
    }

    /// Thousands of streams in one transaction (the import's table of them, `ImportStreams`, grows past its first
    /// 4,096 slots), a stream met again after many others and again in the next transaction: the same
    /// log, indexes and stream versions as the source.
    @Test func thousandsOfStreamsInOneTransactionImportTheSameLog() throws {
        let source = try EventStore(path: folder.child("many"), clock: ManualClock())
        var requests: [AppendRequest] = []
        for n in 0..<6_000 {
            requests.append(sampleAppend(n % 3 == 0 ? "ticket-T-\(n % 50)" : "time-\(n)", count: 1 + n % 2))
        }
        for chunk in stride(from: 0, to: requests.count, by: 500) { try source.append(Array(requests[chunk..<min(chunk + 500, requests.count)])) }
        var lines = ""
        try source.export { lines += $0 }
        let events = Int(try source.head().position)
        let store = try EventStore(path: folder.child("many-copy"))
        #expect(try importChunked(lines, into: store, size: 1 << 16, batchSize: events - 100) == events)
        var again = ""
        try store.export { again += $0 }
        #expect(again == lines)
        #expect(try store.verify().isClean)
        #expect(try store.streams().count == source.streams().count)
        #expect(try store.streams(prefix: "ticket-T-1").map(\.version) == source.streams(prefix: "ticket-T-1").map(\.version))
    }

    /// A bad line after several committed batches: one line error, and no event, stream or command of the import
    /// is left; the good file imports afterwards as into a new store.
    @Test(arguments: [
        ("altered payload", "line 23: hash does not match"),
        ("chain broken", "line 23: previousHash does not match"),
        ("line missing", "line 23: position 24 where 23 was expected"),
        ("version jump", "line 23: stream ticket-T-1002 jumps to version 7 (expected 6)"),
        ("truncated", "line 23: not valid JSON"),
    ])
    func aBadLineLateInTheFileLeavesTheLogAsItWas(damage: String, message: String) throws {
        let lines = try exportLines()
        var bad = lines
        switch damage {
        case "altered payload": bad[22] = bad[22].replacingOccurrences(of: "needle-0022", with: "needle-9999")
        case "chain broken": bad[22] = bad[22].replacingOccurrences(of: "\"previousHash\":\"", with: "\"previousHash\":\"00")
            .replacingOccurrences(of: #"("previousHash":"00[0-9a-f]{62})[0-9a-f]{2}"#, with: "$1", options: .regularExpression)
        case "line missing": bad.remove(at: 22)
        case "version jump": bad[22] = bad[22].replacingOccurrences(of: "\"streamVersion\":6", with: "\"streamVersion\":7")
        default: bad = Array(bad.prefix(23)); bad[22] = String(bad[22].prefix(40))
        }
        let store = try EventStore(path: folder.child("copy"), projections: [StreamCounts()])
        let emptyCounts = try store.dump(projection: "stream-counts")
        let error = try #require(throws: EventLogError.self) { try importChunked(bad.joined(), into: store, size: 100) }
        #expect(error.code == .importRejected)
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect(error.message.hasSuffix("nothing was imported"))
        #expect(!error.message.contains("\n"))
        #expect(try store.head().position == 0)
        #expect(try store.version(of: "ticket-T-1000") == 0)
        #expect(try store.result(ofCommand: "cmd-0") == nil)
        #expect(try store.read(from: 1, limit: 100).isEmpty)
        #expect(try store.dump(projection: "stream-counts") == emptyCounts)
        #expect(try importChunked(lines.joined(), into: store, size: 100) == 30)
        var again = ""
        try store.export { again += $0 }
        #expect(again == lines.joined())
        #expect(try store.verify().isClean)
    }

    /// A store holding the file's first events (an interrupted import) keeps exactly them when the rest fails.
    @Test func aFailedResumeKeepsTheEventsThatWereThere() throws {
        let lines = try exportLines()
        let store = try EventStore(path: folder.child("copy"), projections: [StreamCounts()])
        #expect(try importChunked(lines.prefix(6).joined(), into: store, size: 50) == 6)
        let before = try store.head()
        let counts = try store.dump(projection: "stream-counts")
        var bad = lines
        bad[19] = bad[19].replacingOccurrences(of: "needle-0019", with: "needle-9999")
        let error = try #require(throws: EventLogError.self) { try importChunked(bad.joined(), into: store, size: 50) }
        #expect(error.message.hasPrefix("line 20: hash"), "\(error.message)")
        #expect(try store.head() == before)
        #expect(try store.version(of: "ticket-T-1001") == 2)
        #expect(try store.result(ofCommand: "cmd-5")?.positions == 6...6)
        #expect(try store.result(ofCommand: "cmd-6") == nil)
        #expect(try store.dump(projection: "stream-counts") == counts)
        #expect(try store.verify().isClean)
        #expect(try importChunked(lines.joined(), into: store, size: 50) == 24)
        #expect(try store.verify().isClean)
    }
}
