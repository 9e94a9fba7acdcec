import Foundation
import Testing

@testable import EventLog

/// `RecordCodec.encodeBody(…, at:)` (an append's, in place) writes the layout of format 1, the bytes of
/// `encodeBody(…, into:)` and of the fields one at a time as documented (the reference below), of `bodySize` bytes,
/// whatever the lengths: empty and absent command ids, non-ASCII names, long payloads, small and large strings.
@Suite struct RecordBodyTests {
    /// Format 1 written the plain way: each field appended in turn, little-endian.
    static func reference(
        streamVersion: UInt64, recordedAt: Int64, schemaVersion: UInt16, eventId: UUID, stream: String, type: String,
        commandId: String?, actor: String, payload: [UInt8]
    ) -> [UInt8] {
        var out: [UInt8] = [1]
        func integer<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        integer(streamVersion)
        integer(recordedAt)
        integer(schemaVersion)
        withUnsafeBytes(of: eventId.uuid) { out += $0 }
        for text in [stream, type, commandId ?? "", actor] {
            integer(UInt16(text.utf8.count))
            out += Array(text.utf8)
        }
        integer(UInt32(payload.count))
        return out + payload
    }

    @Test func bodiesAreTheFieldsOfFormatOneInTurn() throws {
        var random = SystemRandomNumberGenerator()
        let names = ["", "t", "ticket-T-1042", "bench-19999", "é", "tické-T-1", String(repeating: "s", count: 200)]
        let payloadSizes = [0, 2, 300, 2048, 70_000]
        var encoded = 0
        for round in 0..<400 {
            let stream = names.randomElement(using: &random)!
            let type = names.randomElement(using: &random)!
            let commandId = round % 3 == 0 ? nil : names.randomElement(using: &random)!
            let actor = names.randomElement(using: &random)!
            let payload = (0..<payloadSizes.randomElement(using: &random)!).map { _ in UInt8.random(in: 0...255, using: &random) }
            let (version, at, schema) = (UInt64.random(in: 0...UInt64.max, using: &random), Int64.random(in: Int64.min...Int64.max, using: &random), UInt16.random(in: 0...UInt16.max, using: &random))
            let id = UUID()
            var appended = (0..<(round % 5)).map { UInt8($0) }
            let prefix = appended
            RecordCodec.encodeBody(
                streamVersion: version, recordedAt: Timestamp(millisecondsSinceEpoch: at), schemaVersion: schema, eventId: id,
                stream: stream, type: type, commandId: commandId, actor: actor, payload: payload, into: &appended)
            let size = RecordCodec.bodySize(stream: stream, type: type, commandId: commandId, actor: actor, payload: payload)
            // Room past the body, filled: nothing is written there.
            var inPlace = [UInt8](repeating: 0xEE, count: size + 64)
            let written = inPlace.withUnsafeMutableBytes { buffer in
                RecordCodec.encodeBody(
                    streamVersion: version, recordedAt: Timestamp(millisecondsSinceEpoch: at), schemaVersion: schema,
                    eventId: id, stream: stream, type: type, commandId: commandId, actor: actor, payload: payload,
                    at: buffer.baseAddress!)
            }
            let expected = Self.reference(
                streamVersion: version, recordedAt: at, schemaVersion: schema, eventId: id, stream: stream, type: type,
                commandId: commandId, actor: actor, payload: payload)
            #expect(written == size && size == expected.count)
            #expect(Array(inPlace[..<size]) == expected, "stream \(stream.utf8.count) B, payload \(payload.count) B")
            #expect(inPlace[size...].allSatisfy { $0 == 0xEE })
            #expect(appended == prefix + expected)
            encoded += 1
        }
        #expect(encoded == 400)
    }
}

/// The hash chain is the documented formula, computed here the plain way in one piece: `hash(n) = SHA-256(hash(n-1) ‖
/// n as u64 big-endian ‖ body(n))` (docs/architecture.md). `RecordCodec.hash` feeds it in pieces; a change to the
/// pieces must not change a digest, or every store written before it would fail `verify`.
@Suite struct RecordHashTests {
    @Test func theChainedHashIsSHA256OfThePreviousHashThePositionAndTheBody() throws {
        var random = SystemRandomNumberGenerator()
        var previous = Digest.zero
        for position: UInt64 in [1, 2, 255, 256, 65_537, 1 << 40, UInt64.max] {
            let body = (0..<Int.random(in: 0...3_000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var plain = previous.bytes
            plain += [56, 48, 40, 32, 24, 16, 8, 0].map { UInt8(truncatingIfNeeded: position >> UInt64($0)) }
            plain += body
            let expected = plain.withUnsafeBytes { Digest.sha256($0) }
            let hashed = body.withUnsafeBytes { RecordCodec.hash(previous: previous, position: position, body: $0) }
            #expect(hashed == expected, "position \(position)")
            previous = hashed
        }
    }
}
