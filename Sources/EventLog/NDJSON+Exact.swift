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

/// The reader of `NDJSONLine.exact`, moving through the line field by field.
private struct ExactLineReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func read() -> NDJSONLine.Parsed? {
        guard take("{\"position\":"), let position = integer(max: Int64.max),
            take(",\"stream\":"), let stream = string(),
            take(",\"streamVersion\":"), let streamVersion = integer(max: Int64.max),
            take(",\"type\":"), let type = string(),
            take(",\"schemaVersion\":"), let schemaVersion = integer(max: Int64(UInt16.max)),
            take(",\"eventId\":"), let eventId = string().flatMap(uuid),
            take(",\"commandId\":")
        else { return nil }
        var commandId: Range<Int>?
        if !take("null") {
            guard let text = string() else { return nil }
            commandId = text
        }
        guard take(",\"actor\":"), let actor = string(),
            take(",\"recordedAt\":"), let recordedAt = string().flatMap({ Timestamp(iso8601: text($0)) }),
            take(",\"payload\":"), i < bytes.count, bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")
        else { return nil }
        // The line is an object: its payload may nest one level less than a whole line.
        let payloadStart = i
        guard let payloadEnd = JSONScanner.valueEnd(bytes, from: i, maxDepth: JSONBounds.maxDepth - 1) else { return nil }
        i = payloadEnd
        guard take(",\"previousHash\":"), let previous = string().flatMap(digest),
            take(",\"hash\":"), let hash = string().flatMap(digest),
            take("}"), i == bytes.count, isUTF8
        else { return nil }
        let event = RecordedEvent(
            position: UInt64(position), stream: text(stream), streamVersion: UInt64(streamVersion), type: text(type),
            schemaVersion: UInt16(schemaVersion), eventId: eventId, commandId: commandId.map(text), actor: text(actor),
            recordedAt: recordedAt, payload: Array(bytes[payloadStart..<payloadEnd]), hash: hash)
        return NDJSONLine.Parsed(event: event, previousHash: previous)
    }

    /// Moves past `literal` when the line goes on with it.
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        for k in 0..<count where bytes[i + k] != literal.utf8Start[k] { return false }
        i += count
        return true
    }

    /// The inside of a string without escapes or control characters (`JSONScanner.plainString`'s rule).
    mutating func string() -> Range<Int>? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var k = start
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

    /// `8-4-4-4-12` hexadecimal digits, as `UUID(uuidString:)` reads them.
    func uuid(_ range: Range<Int>) -> UUID? {
        guard range.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &value) { out -> Bool in
            var k = range.lowerBound
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard bytes[k] == UInt8(ascii: "-") else { return false }
                    k += 1
                }
                guard let high = Digest.nibble(bytes[k]), let low = Digest.nibble(bytes[k + 1]) else { return false }
                out[index] = high << 4 | low
                k += 2
            }
            return true
        }
        return ok ? UUID(uuid: value) : nil
    }

    var isUTF8: Bool { JSONScanner.isUTF8(bytes) }
}
