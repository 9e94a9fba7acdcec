import Foundation
import Testing

@testable import EventLog

/// The record decoder's table of types and actors (`RecordNames`): a name read through it is the name written, however
/// often it comes back, on any thread, past the table's capacity and length limit; bytes that are not UTF-8 are still
/// refused.
@Suite struct RecordNamesTests {
    static func record(type: String, actor: String, stream: String = "ticket-T-1") -> [UInt8] {
        var body: [UInt8] = []
        RecordCodec.encodeBody(
            streamVersion: 1, recordedAt: Timestamp(millisecondsSinceEpoch: 5), schemaVersion: 1, eventId: UUID(),
            stream: stream, type: type, commandId: nil, actor: actor, payload: Array("{}".utf8), into: &body)
        return body + [UInt8](repeating: 0, count: 32)
    }

    static func decode(_ record: [UInt8]) throws -> RecordedEvent {
        try record.withUnsafeBytes { try RecordCodec.decode(position: 1, record: $0) }
    }

    @Test func namesReadBackAsWrittenEveryTime() throws {
        let types = ["ticket.opened", "ticket.status-changed", "ticket.sla-started", "ticket.commented", "t", "é.ünïcode.type"]
        let actors = ["ann", "tech00", "tech01", "a-login-much-longer-than-fifteen-bytes", String(repeating: "x", count: 200)]
        for _ in 0..<3 {
            for type in types {
                for actor in actors {
                    let event = try Self.decode(Self.record(type: type, actor: actor))
                    #expect(event.type == type)
                    #expect(event.actor == actor)
                    #expect(event.commandId == nil)
                }
            }
        }
    }

    @Test func moreNamesThanTheTableKeepStillReadBack() throws {
        for _ in 0..<2 {
            for index in 0..<(RecordNames.capacity + 50) {
                let event = try Self.decode(Self.record(type: "type.\(index)", actor: "actor-\(index)"))
                #expect(event.type == "type.\(index)")
                #expect(event.actor == "actor-\(index)")
            }
        }
    }

    @Test func bytesThatAreNotUTF8AreRefusedAfterAValidName() throws {
        _ = try Self.decode(Self.record(type: "ticket.opened", actor: "ann"))
        var record = Self.record(type: "ticket.opened", actor: "ann")
        // The type's bytes follow the fixed fields, the stream's length and bytes ("ticket-T-1"), and the type's length.
        let typeStart = RecordCodec.fixedBodySize + 2 + "ticket-T-1".utf8.count + 2
        record[typeStart] = 0xff
        #expect(throws: RecordCodec.Malformed.self) { try Self.decode(record) }
    }

    @Test func threadsEachReadTheirNames() async throws {
        let types = (0..<40).map { "category.event-\($0)-of-a-longer-name" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<20 {
                        for (index, type) in types.enumerated() {
                            let actor = "tech\((index + worker + round) % 7)"
                            let event = try Self.decode(Self.record(type: type, actor: actor))
                            #expect(event.type == type)
                            #expect(event.actor == actor)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
