import Foundation
import Testing

@testable import EventLog

/// The record decoder's stream names and payloads: a short ASCII name is made in place, any other validated once, and
/// the payload copied whole; each reads back as written, and bytes that are not UTF-8 are refused whatever their length.
@Suite struct RecordTextTests {
    static func record(stream: String, payload: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        RecordCodec.encodeBody(
            streamVersion: 3, recordedAt: Timestamp(millisecondsSinceEpoch: 7), schemaVersion: 1, eventId: UUID(),
            stream: stream, type: "ticket.opened", commandId: nil, actor: "ann", payload: payload, into: &body)
        return body + [UInt8](repeating: 0, count: 32)
    }

    static func decode(_ record: [UInt8]) throws -> RecordedEvent {
        try record.withUnsafeBytes { try RecordCodec.decode(position: 9, record: $0) }
    }

    @Test func streamNamesAndPayloadsReadBackAsWritten() throws {
        var streams = ["", "t", "ticket-T-1001", "time-TE-123456", "billing-c000-x", "contract-c000-msa", "é", "tické-T-1"]
        // Every length around the 15 bytes a string keeps inline, and the 8-byte words of the ASCII test.
        for count in 0...33 {
            streams.append(String(repeating: "a", count: count))
            streams.append(String(repeating: "b", count: max(0, count - 2)) + "é")
            streams.append("é" + String(repeating: "c", count: max(0, count - 2)))
        }
        let payloads: [[UInt8]] = [[], Array("{}".utf8), Array(#"{"a":"é"}"#.utf8), [UInt8](repeating: 0x41, count: 5000)]
        for stream in streams {
            for payload in payloads {
                let event = try Self.decode(Self.record(stream: stream, payload: payload))
                #expect(event.stream == stream)
                #expect(Array(event.stream.utf8) == Array(stream.utf8))
                #expect(event.payload == payload)
                #expect(event.streamVersion == 3 && event.position == 9 && event.type == "ticket.opened" && event.actor == "ann")
            }
        }
    }

    @Test func streamNamesThatAreNotUTF8AreRefused() throws {
        for count in [1, 2, 7, 8, 9, 14, 15, 16, 17, 24, 40] {
            for spot in Set([0, count / 2, count - 1]) {
                for bad: [UInt8] in [[0xFF], [0xC3], [0x80]] {
                    var record = Self.record(stream: String(repeating: "s", count: count), payload: [])
                    // The stream's bytes follow the fixed fields and their u16 length.
                    record[RecordCodec.fixedBodySize + 2 + spot] = bad[0]
                    #expect(throws: RecordCodec.Malformed.self, "\(count) \(spot) \(bad)") { try Self.decode(record) }
                }
            }
        }
    }

    @Test func asciiTestSeesEveryHighBit() {
        for count in 0...40 {
            let ascii = [UInt8](repeating: 0x7F, count: count)
            #expect(ascii.withUnsafeBytes { TextBytes.areASCII($0) })
            for spot in 0..<count {
                var bytes = ascii
                bytes[spot] = 0x80
                #expect(!bytes.withUnsafeBytes { TextBytes.areASCII($0) }, "\(count) \(spot)")
            }
        }
    }
}
