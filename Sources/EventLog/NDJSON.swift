import Foundation

/// The export line format: one JSON object per event with every envelope field (schemas/export-line.schema.json).
/// Field order is fixed, the payload is written byte for byte as stored, so export → import → export is identical.
public enum NDJSONLine {
    /// The longest line an import or a bulk append accepts (an event with a large mail body fits easily).
    public static let maxLineBytes = 16 << 20

    /// One export line for `event` (without the trailing newline). `previous` is the hash of the event before it.
    public static func encode(_ event: RecordedEvent, previous: Digest) -> String {
        var out = "{\"position\":\(event.position),\"stream\":"
        appendQuoted(event.stream, to: &out)
        out += ",\"streamVersion\":\(event.streamVersion),\"type\":"
        appendQuoted(event.type, to: &out)
        out += ",\"schemaVersion\":\(event.schemaVersion),\"eventId\":\"\(event.eventId.uuidString.lowercased())\",\"commandId\":"
        if let commandId = event.commandId { appendQuoted(commandId, to: &out) } else { out += "null" }
        out += ",\"actor\":"
        appendQuoted(event.actor, to: &out)
        out += ",\"recordedAt\":\"\(event.recordedAt.iso8601)\",\"payload\":"
        out += event.payloadText
        out += ",\"previousHash\":\"\(previous.hex)\",\"hash\":\"\(event.hash.hex)\"}"
        return out
    }

    /// The value of a JSON number that is a whole number (not a boolean, not a fraction).
    private static func wholeNumber(_ number: NSNumber) -> Int64? {
        let kind = String(cString: number.objCType)
        guard kind != "c", kind != "B", kind != "d", kind != "f" else { return nil }
        return number.int64Value
    }

    /// A JSON string literal for `text`.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// A parsed export line, checked field by field.
    public struct Parsed: Sendable, Equatable {
        public let event: RecordedEvent
        public let previousHash: Digest
    }

    /// Why a line did not parse.
    public struct Malformed: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Parses one export line: as `encode` writes it (`exact`), else with `JSONScanner` (`scan`), else with
    /// `JSONSerialization` (`parse`, which names what is wrong).
    public static func decode(_ line: [UInt8]) throws -> Parsed {
        guard line.count <= maxLineBytes else { throw Malformed(reason: "the line is longer than \(maxLineBytes) bytes") }
        if let parsed = line.withUnsafeBufferPointer(exact) { return parsed }
        guard JSONBounds.depth(of: line) <= JSONBounds.maxDepth else {
            throw Malformed(reason: "the line nests deeper than \(JSONBounds.maxDepth) levels")
        }
        if let parsed = scan(line) { return parsed }
        return try parse(line)
    }

    /// The slow path of `decode`: the line through `JSONSerialization`, with an error naming what is wrong.
    static func parse(_ line: [UInt8]) throws -> Parsed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line), options: [])
        } catch {
            throw Malformed(reason: "not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw Malformed(reason: "not a JSON object") }
        let known: Set<String> = [
            "position", "stream", "streamVersion", "type", "schemaVersion", "eventId", "commandId", "actor",
            "recordedAt", "payload", "previousHash", "hash",
        ]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw Malformed(reason: "unknown field '\(unknown)'")
        }
        func string(_ key: String) throws -> String {
            guard let value = fields[key] as? String else { throw Malformed(reason: "field '\(key)' must be a string") }
            return value
        }
        func integer(_ key: String, max: UInt64) throws -> UInt64 {
            guard let number = (fields[key] as? NSNumber).flatMap(wholeNumber), number >= 1, UInt64(number) <= max else {
                throw Malformed(reason: "field '\(key)' must be a whole number from 1 to \(max)")
            }
            return UInt64(number)
        }
        guard let eventId = UUID(uuidString: try string("eventId")) else {
            throw Malformed(reason: "field 'eventId' must be a UUID")
        }
        guard let recordedAt = Timestamp(iso8601: try string("recordedAt")) else {
            throw Malformed(reason: "field 'recordedAt' must be an RFC 3339 time")
        }
        guard let previous = Digest(hex: try string("previousHash")), let hash = Digest(hex: try string("hash")) else {
            throw Malformed(reason: "fields 'previousHash' and 'hash' must be 64 hexadecimal digits")
        }
        let commandId: String?
        switch fields["commandId"] {
        case nil, is NSNull: commandId = nil
        case let text as String: commandId = text
        default: throw Malformed(reason: "field 'commandId' must be a string or null")
        }
        guard fields["payload"] is [String: Any] || fields["payload"] is [Any],
            let payload = RawJSON.member("payload", of: line)
        else { throw Malformed(reason: "field 'payload' must be a JSON object or array") }
        let event = RecordedEvent(
            position: try integer("position", max: UInt64(Int64.max)), stream: try string("stream"),
            streamVersion: try integer("streamVersion", max: UInt64(Int64.max)), type: try string("type"),
            schemaVersion: UInt16(try integer("schemaVersion", max: UInt64(UInt16.max))), eventId: eventId,
            commandId: commandId, actor: try string("actor"), recordedAt: recordedAt, payload: payload, hash: hash)
        return Parsed(event: event, previousHash: previous)
    }
}

extension NDJSONLine {
    /// The fast path of `decode`: a line as `encode` writes it, read with `JSONScanner` (no Foundation objects).
    /// Nil for anything it is not sure of (escapes in a string, a field missing or of another kind, an unknown
    /// field): `decode` then parses the line with `JSONSerialization`, giving the same result or the precise error.
    static func scan(_ line: [UInt8]) -> Parsed? {
        guard let members = JSONScanner.members(line), members.count == 11 || members.count == 12 else { return nil }
        var fields: [String: Range<Int>] = [:]
        for member in members { fields[member.key] = member.value }
        func string(_ key: String) -> String? { fields[key].flatMap { JSONScanner.plainString(line, $0) } }
        func integer(_ key: String, max: Int64) -> Int64? {
            fields[key].flatMap { JSONScanner.plainInteger(line, $0) }.flatMap { (1...max).contains($0) ? $0 : nil }
        }
        var commandId: String?
        if let range = fields["commandId"], !line[range].elementsEqual("null".utf8) {
            guard let text = JSONScanner.plainString(line, range) else { return nil }
            commandId = text
        } else if fields["commandId"] == nil, members.count == 12 {
            return nil
        }
        guard let payloadRange = fields["payload"],
            line[payloadRange.lowerBound] == UInt8(ascii: "{") || line[payloadRange.lowerBound] == UInt8(ascii: "["),
            let position = integer("position", max: Int64.max), let streamVersion = integer("streamVersion", max: Int64.max),
            let schemaVersion = integer("schemaVersion", max: Int64(UInt16.max)),
            let stream = string("stream"), let type = string("type"), let actor = string("actor"),
            let eventId = string("eventId").flatMap(UUID.init(uuidString:)),
            let recordedAt = string("recordedAt").flatMap(Timestamp.init(iso8601:)),
            let previous = string("previousHash").flatMap(Digest.init(hex:)), let hash = string("hash").flatMap(Digest.init(hex:))
        else { return nil }
        let event = RecordedEvent(
            position: UInt64(position), stream: stream, streamVersion: UInt64(streamVersion), type: type,
            schemaVersion: UInt16(schemaVersion), eventId: eventId, commandId: commandId, actor: actor,
            recordedAt: recordedAt, payload: Array(line[payloadRange]), hash: hash)
        return Parsed(event: event, previousHash: previous)
    }
}

/// Finds the raw bytes of a top-level member of a JSON object, so a payload is imported byte for byte.
/// The text must already be known to be valid JSON.
enum RawJSON {
    static func member(_ name: String, of text: [UInt8]) -> [UInt8]? {
        var i = 0
        skipSpace(text, &i)
        guard i < text.count, text[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while i < text.count {
            skipSpace(text, &i)
            guard i < text.count, text[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i
            skipString(text, &i)
            let key = text[(keyStart + 1)..<(i - 1)]
            skipSpace(text, &i)
            guard i < text.count, text[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace(text, &i)
            let valueStart = i
            skipValue(text, &i)
            if key.elementsEqual(name.utf8) { return Array(text[valueStart..<i]) }
            skipSpace(text, &i)
            guard i < text.count, text[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        return nil
    }

    private static func skipSpace(_ text: [UInt8], _ i: inout Int) {
        while i < text.count, [0x20, 0x09, 0x0a, 0x0d].contains(text[i]) { i += 1 }
    }

    /// From an opening quote to just past the closing one.
    private static func skipString(_ text: [UInt8], _ i: inout Int) {
        i += 1
        while i < text.count {
            if text[i] == UInt8(ascii: "\\") {
                i += 2
            } else if text[i] == UInt8(ascii: "\"") {
                i += 1
                return
            } else {
                i += 1
            }
        }
    }

    private static func skipValue(_ text: [UInt8], _ i: inout Int) {
        var depth = 0
        while i < text.count {
            switch text[i] {
            case UInt8(ascii: "\""):
                skipString(text, &i)
                if depth == 0 { return }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return }
                depth -= 1
                if depth == 0 {
                    i += 1
                    return
                }
            case UInt8(ascii: ","):
                if depth == 0 { return }
            default:
                break
            }
            i += 1
        }
    }
}
