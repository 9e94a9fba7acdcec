import Foundation

extension NDJSONLine {
    /// The first path of `decode` and of `import`: a line exactly as `encode` writes it (its twelve fields in that
    /// order, no whitespace, strings without escapes, an event id of 36 hexadecimal digits and dashes), read straight
    /// from its bytes: no member list, no dictionary, no Foundation parsing of the event id, no copy of the line.
    /// The payload is checked as `JSONScanner.members` checks it, the whole line is UTF-8, and it nests no deeper
    /// than `JSONBounds.maxDepth`: so what it returns is what `decode` returns for the line. Nil for any other line:
    /// `decode` then reads it with `JSONScanner`, or `JSONSerialization`, with the same result or the precise error.
    public static func exact(_ line: UnsafeBufferPointer<UInt8>) -> Parsed? {
        var reader = ExactLineReader(bytes: line)
        return line.count <= maxLineBytes ? reader.read() : nil
    }
}

extension NDJSONLine {
    /// What the import checks of a line whose record `exactRecord` wrote: `stream` and `commandId` lie in the record's
    /// buffer.
    struct RecordFields {
        let position: UInt64
        let recordedAt: Timestamp
        let previous: Digest
        let hash: Digest
        let stream: Range<Int>
        let commandId: Range<Int>?
    }

    /// `exact` for an import: the line's event appended to `out` as the log stores it (`RecordCodec`'s body, then the
    /// line's hash), straight from the line's bytes, without making its strings or payload first. The bytes are those
    /// of `RecordCodec.encodeBody` for the event `exact` returns, followed by its hash. Nil (and `out` unchanged) for
    /// any line `exact` does not read, and for one with a field longer than a record holds (65,535 bytes).
    static func exactRecord(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> RecordFields? {
        guard line.count <= maxLineBytes else { return nil }
        var reader = ExactLineReader(bytes: line)
        guard let f = reader.fields() else { return nil }
        let short = Int(UInt16.max)
        guard f.stream.count <= short, f.type.count <= short, (f.commandId?.count ?? 0) <= short, f.actor.count <= short,
            f.payload.count <= Int(UInt32.max)
        else { return nil }
        // The record's bytes are written in place after `out`'s, grown once (eight appends of a few bytes each, through
        // the generic `append(contentsOf:)`, cost ~800 instructions a line).
        let size = RecordCodec.fixedBodySize + 4 * 2 + f.stream.count + f.type.count + (f.commandId?.count ?? 0)
            + f.actor.count + 4 + f.payload.count + 32
        let recordStart = out.count
        out.append(contentsOf: repeatElement(0, count: size))
        let (stream, commandId) = out.withUnsafeMutableBytes { buffer -> (Range<Int>, Range<Int>?) in
            var writer = InPlaceWriter(buffer: buffer, at: recordStart)
            writer.fixed(RecordCodec.format)
            writer.fixed(UInt64(f.streamVersion))
            writer.fixed(UInt64(bitPattern: f.recordedAt.millisecondsSinceEpoch))
            writer.fixed(UInt16(f.schemaVersion))
            writer.raw(f.eventId)
            let stream = writer.field(line, f.stream)
            _ = writer.field(line, f.type)
            let commandId = f.commandId.map { writer.field(line, $0) }
            if f.commandId == nil { writer.fixed(UInt16(0)) }
            _ = writer.field(line, f.actor)
            writer.fixed(UInt32(f.payload.count))
            writer.bytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line[f.payload])))
            writer.raw(f.hash)
            precondition(writer.at == recordStart + size, "a record's size is the sum of its fields")
            return (stream, commandId)
        }
        return RecordFields(
            position: UInt64(f.position), recordedAt: f.recordedAt, previous: f.previous, hash: f.hash, stream: stream,
            commandId: commandId)
    }
}

/// Writes a record's fields into room made for them, moving on (a struct: a nested function moving a captured offset
/// boxed it and checked exclusive access at every call).
private struct InPlaceWriter {
    let buffer: UnsafeMutableRawBufferPointer
    var at: Int

    mutating func fixed<T: FixedWidthInteger>(_ value: T) {
        buffer.storeBytes(of: value.littleEndian, toByteOffset: at, as: T.self)
        at += MemoryLayout<T>.size
    }

    /// A value's bytes as they lie in memory (a UUID's, a digest's).
    mutating func raw<T>(_ value: T) {
        let start = at
        withUnsafeBytes(of: value) { UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + $0.count)]).copyMemory(from: $0) }
        at += MemoryLayout<T>.size
    }

    mutating func bytes(_ source: UnsafeRawBufferPointer) {
        UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + source.count)]).copyMemory(from: source)
        at += source.count
    }

    /// A short field (its length in two bytes, then its bytes) taken from `line`; returns where its bytes went.
    mutating func field(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        fixed(UInt16(range.count))
        bytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line[range])))
        return (at - range.count)..<at
    }
}

/// The reader of `NDJSONLine.exact`, moving through the line field by field.
private struct ExactLineReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Where each field of the line lies, and the values read from it.
    struct Fields {
        var position: Int64
        var stream: Range<Int>
        var streamVersion: Int64
        var type: Range<Int>
        var schemaVersion: Int64
        var eventId: uuid_t
        var commandId: Range<Int>?
        var actor: Range<Int>
        var recordedAt: Timestamp
        var payload: Range<Int>
        var previous: Digest
        var hash: Digest
    }

    mutating func read() -> NDJSONLine.Parsed? {
        guard let f = fields() else { return nil }
        let event = RecordedEvent(
            position: UInt64(f.position), stream: text(f.stream), streamVersion: UInt64(f.streamVersion), type: text(f.type),
            schemaVersion: UInt16(f.schemaVersion), eventId: UUID(uuid: f.eventId), commandId: f.commandId.map(text),
            actor: text(f.actor), recordedAt: f.recordedAt, payload: Array(bytes[f.payload]), hash: f.hash)
        return NDJSONLine.Parsed(event: event, previousHash: f.previous)
    }

    /// The line's fields, checked as `exact` checks them; nil for any other line.
    mutating func fields() -> Fields? {
        guard take("{\"position\":"), let position = integer(max: Int64.max),
            take(",\"stream\":"), let stream = string(),
            take(",\"streamVersion\":"), let streamVersion = integer(max: Int64.max),
            take(",\"type\":"), let type = string(),
            take(",\"schemaVersion\":"), let schemaVersion = integer(max: Int64(UInt16.max)),
            take(",\"eventId\":"), let eventId = quoted(36).flatMap(uuid),
            take(",\"commandId\":")
        else { return nil }
        var commandId: Range<Int>?
        if !take("null") {
            guard let text = string() else { return nil }
            commandId = text
        }
        guard take(",\"actor\":"), let actor = string(),
            take(",\"recordedAt\":"),
            let recordedAt = string().flatMap({ Timestamp(iso8601UTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[$0]))) }),
            take(",\"payload\":"), i < bytes.count, bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")
        else { return nil }
        // The line is an object: its payload may nest one level less than a whole line.
        let payloadStart = i
        guard let payloadEnd = JSONScanner.valueEnd(bytes, from: i, maxDepth: JSONBounds.maxDepth - 1) else { return nil }
        i = payloadEnd
        guard take(",\"previousHash\":"), let previous = quoted(64).flatMap(digest),
            take(",\"hash\":"), let hash = quoted(64).flatMap(digest),
            take("}"), i == bytes.count, isUTF8
        else { return nil }
        return Fields(
            position: position, stream: stream, streamVersion: streamVersion, type: type, schemaVersion: schemaVersion,
            eventId: eventId, commandId: commandId, actor: actor, recordedAt: recordedAt, payload: payloadStart..<payloadEnd,
            previous: previous, hash: hash)
    }

    /// Moves past `literal` when the line goes on with it, compared eight bytes at a time (the last word overlapping
    /// the one before it) and inlined: byte by byte with a bounds check each, the dozen literals of a line were 4 % of
    /// an import's reading, and a `memcmp` call for each ~70 instructions.
    @inline(__always)
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard count <= bytes.count - i, let base = bytes.baseAddress else { return false }
        let line = UnsafeRawPointer(base + i), text = UnsafeRawPointer(literal.utf8Start)
        if count >= 8 {
            var k = 0
            while k + 8 < count {
                guard line.loadUnaligned(fromByteOffset: k, as: UInt64.self) == text.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                else { return false }
                k += 8
            }
            guard line.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == text.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            else { return false }
        } else {
            for k in 0..<count where line.load(fromByteOffset: k, as: UInt8.self) != text.load(fromByteOffset: k, as: UInt8.self) {
                return false
            }
        }
        i += count
        return true
    }

    /// The inside of a string without escapes or control characters (`JSONScanner.plainString`'s rule), looked at eight
    /// bytes at a time until a word holds a quote, a backslash or a control character (the test can flag a byte after
    /// the first that does, never one before it), then byte by byte from the first byte flagged.
    mutating func string() -> Range<Int>? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
        let start = i + 1
        var k = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while bytes.count - k >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let flagged = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)) & highs
            if flagged != 0 {
                // The lowest byte flagged is one (a borrow only flags bytes above it): the byte loop starts there.
                k += flagged.trailingZeroBitCount >> 3
                break
            }
            k += 8
        }
        while k < bytes.count {
            let byte = bytes[k]
            if byte == UInt8(ascii: "\"") {
                i = k + 1
                return start..<k
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            k += 1
        }
        return nil
    }

    /// The inside of a string of exactly `count` bytes, its quotes checked and nothing else: for the event id and the
    /// hashes, whose readers (`uuid`, `digest`) accept hexadecimal digits and dashes only, so the string is the one
    /// `string()` finds (no quote, backslash or control character inside) exactly when they read it. `string()` went over
    /// their 164 bytes a line before their readers did (some 400 instructions a line of an import).
    mutating func quoted(_ count: Int) -> Range<Int>? {
        guard bytes.count - i >= count + 2, bytes[i] == UInt8(ascii: "\""), bytes[i + 1 + count] == UInt8(ascii: "\"")
        else { return nil }
        defer { i += count + 2 }
        return (i + 1)..<(i + 1 + count)
    }

    /// Plain digits (1 to 18, no leading zero) of a value from 1 to `max` (`JSONScanner.plainInteger`'s rule).
    mutating func integer(max: Int64) -> Int64? {
        let start = i
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), i - start < 18 {
            value = value * 10 + Int64(bytes[i] - UInt8(ascii: "0"))
            i += 1
        }
        let count = i - start
        guard count >= 1, count == 1 || bytes[start] != UInt8(ascii: "0"), value >= 1, value <= max else { return nil }
        return value
    }

    func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }

    func digest(_ range: Range<Int>) -> Digest? { Digest(hexDigits: UnsafeBufferPointer(rebasing: bytes[range])) }

    /// `8-4-4-4-12` hexadecimal digits, as `UUID(uuidString:)` reads them: the dashes checked first, then the digits
    /// read eight at a time (`Digest.hexWord`; the groups of four two by two): a digit at a time through a table, this
    /// was ~400 instructions a line of an import.
    func uuid(_ range: Range<Int>) -> uuid_t? {
        guard range.count == 36, let base = bytes.baseAddress else { return nil }
        let text = UnsafeRawPointer(base + range.lowerBound)
        let dash = UInt8(ascii: "-")
        guard text.load(fromByteOffset: 8, as: UInt8.self) == dash, text.load(fromByteOffset: 13, as: UInt8.self) == dash,
            text.load(fromByteOffset: 18, as: UInt8.self) == dash, text.load(fromByteOffset: 23, as: UInt8.self) == dash
        else { return nil }
        func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        func half(_ offset: Int) -> UInt64 { UInt64(UInt32(littleEndian: text.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        guard let first = Digest.hexWord(word(0)), let second = Digest.hexWord(half(9) | half(14) << 32),
            let third = Digest.hexWord(half(19) | half(24) << 32), let fourth = Digest.hexWord(word(28))
        else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { out in
            out.storeBytes(of: first.littleEndian, toByteOffset: 0, as: UInt32.self)
            out.storeBytes(of: second.littleEndian, toByteOffset: 4, as: UInt32.self)
            out.storeBytes(of: third.littleEndian, toByteOffset: 8, as: UInt32.self)
            out.storeBytes(of: fourth.littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        return value
    }

    var isUTF8: Bool { JSONScanner.isUTF8(bytes) }
}
