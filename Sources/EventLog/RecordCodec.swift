import Crypto
import Foundation

/// The binary layout of an event in the `events` database (little-endian, format 1):
///
///     u8  format (1)      u64 stream version   i64 recorded-at (ms)   u16 schema version
///     16  event id        u16+bytes stream     u16+bytes type         u16+bytes command id (0 = none)
///     u16+bytes actor     u32+bytes payload    32  SHA-256 hash
///
/// Everything before the hash is the *body*; the hash is SHA-256(previous hash ‖ position as u64 BE ‖ body).
/// Written by hand because the scan must decode over a million events a second (see docs/architecture.md).
enum RecordCodec {
    static let format: UInt8 = 1
    static let fixedBodySize = 1 + 8 + 8 + 2 + 16

    /// Why bytes in the `events` database did not decode.
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// The body for a new event, appended to `out` (see the type's layout): `encodeBody(…, at:)` into room made at
    /// its end, so the layout is written in one place.
    static func encodeBody(
        streamVersion: UInt64, recordedAt: Timestamp, schemaVersion: UInt16, eventId: UUID,
        stream: String, type: String, commandId: String?, actor: String, payload: [UInt8], into out: inout [UInt8]
    ) {
        let size = bodySize(stream: stream, type: type, commandId: commandId, actor: actor, payload: payload)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: size))
        out.withUnsafeMutableBytes { bytes in
            _ = encodeBody(
                streamVersion: streamVersion, recordedAt: recordedAt, schemaVersion: schemaVersion, eventId: eventId,
                stream: stream, type: type, commandId: commandId, actor: actor, payload: payload,
                at: bytes.baseAddress.unsafelyUnwrapped + start)
        }
    }

    /// The bytes of the body `encodeBody(…, at:)` writes for these fields.
    static func bodySize(stream: String, type: String, commandId: String?, actor: String, payload: [UInt8]) -> Int {
        fixedBodySize + 4 * 2 + stream.utf8.count + type.utf8.count + (commandId?.utf8.count ?? 0) + actor.utf8.count + 4
            + payload.count
    }

    /// The body for a new event written at `body`, which has room for `bodySize` bytes of it; returns that size. The
    /// layout's one writer (appended a field at a time, each an `append(contentsOf:)`, it was ~1,600 instructions an
    /// event).
    static func encodeBody(
        streamVersion: UInt64, recordedAt: Timestamp, schemaVersion: UInt16, eventId: UUID,
        stream: String, type: String, commandId: String?, actor: String, payload: [UInt8], at body: UnsafeMutableRawPointer
    ) -> Int {
        var writer = BodyWriter(next: body)
        writer.put(format)
        writer.put(streamVersion)
        writer.put(UInt64(bitPattern: recordedAt.millisecondsSinceEpoch))
        writer.put(schemaVersion)
        withUnsafeBytes(of: eventId.uuid) { writer.put($0) }
        writer.short(stream)
        writer.short(type)
        writer.short(commandId ?? "")
        writer.short(actor)
        writer.put(UInt32(payload.count))
        payload.withUnsafeBytes { writer.put($0) }
        return writer.next - body
    }

    /// Stores a body's fields one after the other (little-endian, unaligned).
    private struct BodyWriter {
        var next: UnsafeMutableRawPointer

        @inline(__always) mutating func put<T: FixedWidthInteger>(_ value: T) {
            next.storeBytes(of: value.littleEndian, as: T.self)
            next += MemoryLayout<T>.size
        }

        @inline(__always) mutating func put(_ bytes: UnsafeRawBufferPointer) {
            if let base = bytes.baseAddress { next.copyMemory(from: base, byteCount: bytes.count) }
            next += bytes.count
        }

        /// A u16 length and the text's UTF-8.
        @inline(__always) mutating func short(_ text: String) {
            put(UInt16(text.utf8.count))
            let at = next
            let stored = text.utf8.withContiguousStorageIfAvailable { utf8 in
                if let base = utf8.baseAddress { at.copyMemory(from: base, byteCount: utf8.count) }
                return utf8.count
            }
            if let stored {
                next += stored
            } else {
                Array(text.utf8).withUnsafeBytes { put($0) }
            }
        }
    }

    /// The chained hash of a body at `position` after `previous`: SHA-256 of the previous hash, the position
    /// (8 bytes, big-endian) and the body. The first two go in as one 40-byte piece (each `update` costs ~250
    /// instructions besides the hashing, twice an event of an import).
    static func hash(previous: Digest, position: UInt64, body: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256()
        let head = (previous, position.bigEndian)
        withUnsafeBytes(of: head) { bytes in
            precondition(bytes.count == 40, "a digest and a position are 40 bytes")
            hasher.update(bufferPointer: bytes)
        }
        hasher.update(bufferPointer: body)
        return hasher.finalize().withUnsafeBytes { Digest($0) }
    }

    /// Splits a stored record into its body and stored hash, checking only the length.
    static func split(_ record: UnsafeRawBufferPointer) throws -> (body: UnsafeRawBufferPointer, hash: Digest) {
        guard record.count >= fixedBodySize + 32 else { throw Malformed(reason: "record is \(record.count) bytes, too short") }
        let body = UnsafeRawBufferPointer(rebasing: record[..<(record.count - 32)])
        let hash = Digest(UnsafeRawBufferPointer(rebasing: record[(record.count - 32)...]))
        return (body, hash)
    }

    /// Decodes a stored record at `position`.
    static func decode(position: UInt64, record: UnsafeRawBufferPointer) throws -> RecordedEvent {
        let (body, hash) = try split(record)
        // `split` checked that the fixed fields are there: they are read without a check each.
        guard body.load(as: UInt8.self) == format else { throw Malformed(reason: "unknown record format") }
        let streamVersion = UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
        let recordedAt = Int64(littleEndian: body.loadUnaligned(fromByteOffset: 9, as: Int64.self))
        let schemaVersion = UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 17, as: UInt16.self))
        let uuid = UUID(uuid: body.loadUnaligned(fromByteOffset: 19, as: uuid_t.self))
        var reader = Reader(bytes: body, offset: fixedBodySize)
        // Types and actors recur: each thread decodes each of them once (`RecordNames`).
        let names = RecordNames.ofThisThread()
        let stream = try reader.shortString()
        let type = try reader.name(names)
        let commandId = try reader.shortString()
        let actor = try reader.name(names)
        let payloadLength = Int(try reader.u32())
        let payload = try reader.bytes(payloadLength)
        guard reader.atEnd else { throw Malformed(reason: "\(body.count - reader.offset) stray bytes after the payload") }
        return RecordedEvent(
            position: position, stream: stream, streamVersion: streamVersion, type: type,
            schemaVersion: schemaVersion, eventId: uuid, commandId: commandId.isEmpty ? nil : commandId,
            actor: actor, recordedAt: Timestamp(millisecondsSinceEpoch: recordedAt), payload: Array(payload),
            hash: hash)
    }

    /// The stream name of a stored record, without decoding the rest.
    static func stream(of record: UnsafeRawBufferPointer) throws -> String {
        var reader = Reader(bytes: try split(record).body)
        try reader.skip(fixedBodySize)
        return try reader.shortString()
    }

    /// A bounds-checked little-endian reader. (A struct with mutating methods: a nested function moving a captured
    /// offset boxed it and checked exclusive access at every call, ~75 instructions each: 0.7k an event of an import.)
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        @inline(__always) mutating func skip(_ count: Int) throws {
            guard count <= bytes.count - offset else { throw Malformed(reason: "record truncated") }
            offset += count
        }

        @inline(__always) mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard size <= bytes.count - offset else { throw Malformed(reason: "record truncated") }
            defer { offset += size }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }

        @inline(__always) mutating func u16() throws -> UInt16 { try load(UInt16.self) }
        @inline(__always) mutating func u32() throws -> UInt32 { try load(UInt32.self) }

        @inline(__always) mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count <= bytes.count - offset else { throw Malformed(reason: "record truncated") }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        }

        @inline(__always) mutating func shortString() throws -> String {
            let count = Int(try u16())
            // An absent command id is empty: no string to make.
            if count == 0 { return "" }
            return try Reader.text(try bytes(count))
        }

        /// A short string that recurs (a type, an actor), through the thread's table of names when there is one.
        @inline(__always) mutating func name(_ names: UnsafeMutablePointer<RecordNames>?) throws -> String {
            let raw = try bytes(Int(try u16()))
            guard let names else { return try Reader.text(raw) }
            return try names.pointee.text(of: raw, decode: Reader.text)
        }

        /// The text of a field's bytes, which must be UTF-8, with one pass over them: a short one (a stream name such
        /// as `ticket-T-1001`: at most 15 bytes, kept inline in the string) made in place, which checks only that it is
        /// ASCII (a word test), any other validated once. (Checking for ASCII and then decoding went over the bytes
        /// twice, the second time validating them again.)
        static func text(_ raw: UnsafeRawBufferPointer) throws -> String {
            if raw.count <= 15, let source = raw.baseAddress, TextBytes.areASCII(raw) {
                return String(unsafeUninitializedCapacity: raw.count) { buffer in
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: raw.count)
                    return raw.count
                }
            }
            guard let text = String(validating: raw, as: UTF8.self) else { throw Malformed(reason: "text field is not UTF-8") }
            return text
        }
    }
}


/// Big-endian fixed-width keys, so LMDB's byte order is numeric order.
enum Key {
    static func u64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// The u64 at `offset`. Bytes short of 8 (a damaged value) read as zeros past their end, never past the buffer:
    /// callers that must tell check the length first, and `verify` reports the damage.
    static func u64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        guard offset >= 0, bytes.count - offset >= 8 else {
            var value: UInt64 = 0
            for index in offset..<max(offset, min(bytes.count, offset + 8)) where index >= 0 {
                value |= UInt64(bytes[index]) << (8 * (7 - UInt64(index - offset)))
            }
            return value
        }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    static func u64(_ bytes: [UInt8], at offset: Int = 0) -> UInt64 {
        bytes.withUnsafeBytes { u64($0, at: offset) }
    }

    static func pair(_ first: UInt64, _ second: UInt64) -> [UInt8] {
        u64(first) + u64(second)
    }
}

extension RecordCodec {
    /// The recorded-at time of a stored record, without decoding the rest.
    static func recordedAt(of record: UnsafeRawBufferPointer) throws -> Timestamp {
        guard record.count >= fixedBodySize + 32 else { throw Malformed(reason: "record too short") }
        let raw = UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 9, as: UInt64.self))
        return Timestamp(millisecondsSinceEpoch: Int64(bitPattern: raw))
    }
}
