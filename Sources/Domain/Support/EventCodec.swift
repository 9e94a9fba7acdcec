import DocketTime
import Foundation

/// Why stored bytes could not be read back as an event.
public struct EventDecodingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of failure.
    public enum Reason: Hashable, Sendable {
        /// No event of this type exists in the catalogue.
        case unknownType
        /// The type exists but not in this schema version.
        case unsupportedVersion
        /// The payload does not match the type's schema.
        case malformedPayload(String)
    }

    /// The persisted type string.
    public var type: String
    /// The persisted schema version.
    public var schemaVersion: UInt16
    /// What went wrong.
    public var reason: Reason

    /// A decoding failure.
    public init(type: String, schemaVersion: UInt16, reason: Reason) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unknownType:
            "unknown event type \(type).v\(schemaVersion); this Docket is older than the log, upgrade it"
        case .unsupportedVersion:
            "event \(type) has no schema version \(schemaVersion); this Docket is older than the log, upgrade it"
        case .malformedPayload(let detail):
            "payload of \(type).v\(schemaVersion) is malformed (\(detail)); check the export or the producer"
        }
    }
}

/// The canonical JSON encoding used for every payload.
enum EventCodec {
    /// Sorted keys and unescaped slashes: the same value always gives the same bytes.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Payloads hold only strings, integers, booleans, arrays and objects: encoding cannot fail.
            preconditionFailure("encoding \(type(of: value)) failed: \(error)")
        }
    }

    /// Decodes `payload` as `P` after checking the schema version.
    static func decode<P: EventPayload>(_: P.Type, type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> P {
        guard schemaVersion == P.descriptor.schemaVersion else {
            throw EventDecodingError(type: type, schemaVersion: schemaVersion, reason: .unsupportedVersion)
        }
        do {
            return try JSONDecoder().decode(P.self, from: Data(payload))
        } catch {
            throw EventDecodingError(
                type: type, schemaVersion: schemaVersion, reason: .malformedPayload(Self.describe(error)))
        }
    }

    /// The error for a type string that no case matches.
    static func unknown(type: String, schemaVersion: UInt16) -> EventDecodingError {
        EventDecodingError(type: type, schemaVersion: schemaVersion, reason: .unknownType)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            let at = context.codingPath.isEmpty ? "" : " at \(path(context.codingPath))"
            return context.debugDescription + at
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

// MARK: - Timestamps as RFC 3339 strings

extension KeyedEncodingContainer {
    /// Writes `timestamp` as RFC 3339 text (`2026-11-03T14:00:00.000Z`).
    mutating func encode(timestamp: Timestamp, forKey key: Key) throws {
        try encode(timestamp.iso8601, forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// Reads an RFC 3339 time.
    func decodeTimestamp(forKey key: Key) throws -> Timestamp {
        let text = try decode(String.self, forKey: key)
        guard let timestamp = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\"\(text)\" is not an RFC 3339 time")
        }
        return timestamp
    }
}
