@testable import EventLog
import Foundation
import TestSupport
import Testing

/// An import's records made straight from the export lines (`NDJSONLine.exactRecord`) and its hashes checked on
/// either thread (`LogImporter`'s share and `LogImportWriter`'s).
@Suite struct ImportRecordTests {
    let folder = TemporaryFolder()

    /// Export lines of events with and without command ids, text beyond ASCII, nested and empty payloads.
    func exportLines(events: Int = 30) throws -> [String] {
        let store = try EventStore(path: folder.child("source"), clock: ManualClock(), projections: [StreamCounts()])
        for i in 0..<events {
            let payload = i % 3 == 0 ? "{}" : "{\"marker\":\"needle-\(String(format: "%04d", i))\",\"nested\":[1,{\"ü\":\"ß€𝄞\"},null]}"
            try store.append(
                AppendRequest(
                    stream: i % 5 == 0 ? "ticket-Ü-\(1000 + i % 4)" : "ticket-T-\(1000 + i % 4)",
                    events: [NewEvent(type: i % 2 == 0 ? "ticket.noted" : "ticket.é", payload: Array(payload.utf8))],
                    commandId: i % 2 == 0 ? "cmd-\(i)" : nil, actor: i % 7 == 0 ? "ännä" : "ann"))
        }
        var lines: [String] = []
        try store.export { lines.append($0) }
        return lines
    }

    /// The record written from a line is `RecordCodec`'s body of the event `exact` reads, then its hash, after what
    /// the buffer held; the stream and command id it points at are the event's.
    @Test func aRecordFromALineIsTheEncodedEvent() throws {
        for line in try exportLines() {
            let bytes = Array(line.dropLast().utf8)
            let parsed = try #require(bytes.withUnsafeBufferPointer(NDJSONLine.exact))
            var expected: [UInt8] = [7, 7]
            RecordCodec.encodeBody(parsed.event, into: &expected)
            withUnsafeBytes(of: parsed.event.hash) { expected.append(contentsOf: $0) }
            var out: [UInt8] = [7, 7]
            let fields = try #require(bytes.withUnsafeBufferPointer { NDJSONLine.exactRecord($0, into: &out) })
            #expect(out == expected)
            #expect(String(decoding: out[fields.stream], as: UTF8.self) == parsed.event.stream)
            #expect(fields.commandId.map { String(decoding: out[$0], as: UTF8.self) } == parsed.event.commandId)
            #expect(fields.position == parsed.event.position)
            #expect(fields.recordedAt == parsed.event.recordedAt)
            #expect(fields.previous == parsed.previousHash)
            #expect(fields.hash == parsed.event.hash)
            let decoded = try out.withUnsafeBytes {
                try RecordCodec.decode(position: parsed.event.position, record: UnsafeRawBufferPointer(rebasing: $0[2...]))
            }
            #expect(decoded == parsed.event)
        }
    }

    /// A line `exact` does not read leaves the buffer as it was.
    @Test func aLineNotReadExactlyLeavesTheBufferAlone() throws {
        let line = try #require(try exportLines(events: 1).first)
        let spaced = Array(line.dropLast().replacingOccurrences(of: "\"stream\":", with: "\"stream\": ").utf8)
        var out: [UInt8] = [1, 2, 3]
        #expect(spaced.withUnsafeBufferPointer { NDJSONLine.exactRecord($0, into: &out) } == nil)
        #expect(out == [1, 2, 3])
    }

    /// The line reader looks at a string's bytes eight at a time: a quote, backslash or control character at any
    /// offset of a field ends or refuses it where the byte-by-byte reading did.
    @Test func aStringsEndAndItsEscapesAreFoundAtEveryOffset() throws {
        let line = try #require(try exportLines(events: 1).first).dropLast()
        for length in 1...40 {
            let actor = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            let plain = line.replacingOccurrences(of: "\"actor\":\"ännä\"", with: "\"actor\":\"\(actor)\"")
            let read = try #require(Array(plain.utf8).withUnsafeBufferPointer(NDJSONLine.exact), "length \(length)")
            #expect(read.event.actor == actor)
            for at in 0..<length {
                for (inserted, value) in [("\\u0041", "A"), ("\\\"", "\""), ("\t", nil)] as [(String, String?)] {
                    var characters = Array(actor)
                    characters.insert(contentsOf: inserted, at: at)
                    let text = line.replacingOccurrences(
                        of: "\"actor\":\"ännä\"", with: "\"actor\":\"\(String(characters))\"")
                    #expect(Array(text.utf8).withUnsafeBufferPointer(NDJSONLine.exact) == nil, "\(text)")
                    var out: [UInt8] = []
                    #expect(Array(text.utf8).withUnsafeBufferPointer { NDJSONLine.exactRecord($0, into: &out) } == nil)
                    if let value {
                        var expected = Array(actor)
                        expected.insert(contentsOf: value, at: at)
                        #expect(try NDJSONLine.decode(Array(text.utf8)).event.actor == String(expected))
                    }
                }
            }
        }
    }

    func importChunked(_ text: String, into store: EventStore, share: Int, batchSize: Int = 4) throws -> Int {
        let bytes = Array(text.utf8)
        var given = false
        return try store.importLog(
            chunks: {
                defer { given = true }
                return given ? nil : bytes[...]
            }, batchSize: batchSize, readerHashShare: share)
    }

    /// A hash is checked whichever thread hashes it: the reader (share 64), the writer (0), or each its part of every
    /// batch (32, batches of 4: the reader lines 21 and 22, the writer 23 and 24). A bad one names its line and leaves
    /// nothing imported; a stream version that jumps is named before the hash it also breaks.
    @Test(arguments: [0, 32, 64], [21, 22, 23, 24])
    func aBadHashIsFoundOnEitherThread(share: Int, line: Int) throws {
        let lines = try exportLines()
        let store = try EventStore(path: folder.child("copy-\(share)-\(line)"), projections: [StreamCounts()])
        var altered = lines
        altered[line - 1] = altered[line - 1].replacingOccurrences(of: "\"actor\":\"", with: "\"actor\":\"x")
        #expect(altered[line - 1] != lines[line - 1])
        let error = try #require(throws: EventLogError.self) { try importChunked(altered.joined(), into: store, share: share) }
        #expect(error.message == "line \(line): hash does not match the event's fields (altered line?); nothing was imported")
        #expect(try store.head().position == 0)
        #expect(try store.read(from: 1, limit: 100).isEmpty)

        var jump = lines
        let version = try NDJSONLine.decode(Array(lines[line - 1].dropLast().utf8)).event.streamVersion
        jump[line - 1] = jump[line - 1].replacingOccurrences(of: "\"streamVersion\":\(version)", with: "\"streamVersion\":\(version + 1)")
        let jumped = try #require(throws: EventLogError.self) { try importChunked(jump.joined(), into: store, share: share) }
        #expect(jumped.message.hasPrefix("line \(line): stream "), "\(jumped.message)")
        #expect(jumped.message.contains("jumps to version \(version + 1) (expected \(version))"), "\(jumped.message)")
        #expect(try store.head().position == 0)

        #expect(try importChunked(lines.joined(), into: store, share: share) == 30)
        var again = ""
        try store.export { again += $0 }
        #expect(again == lines.joined())
        #expect(try store.verify().isClean)
    }

    /// A type longer than a record's 65,535 bytes is refused with one line naming it (it stopped the process before).
    @Test func aTypeLongerThanARecordHoldsIsRefused() throws {
        var lines = try exportLines(events: 3)
        lines[1] = lines[1].replacingOccurrences(of: "\"type\":\"ticket.é\"", with: "\"type\":\"\(String(repeating: "x", count: 70_000))\"")
        let store = try EventStore(path: folder.child("copy"))
        let error = try #require(throws: EventLogError.self) { try importChunked(lines.joined(), into: store, share: 64) }
        #expect(error.message == "line 2: the type is longer than 65535 bytes; nothing was imported")
        #expect(try store.head().position == 0)
    }
}
