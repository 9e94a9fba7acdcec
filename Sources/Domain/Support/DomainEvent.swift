/// An aggregate's event enum as the log sees it: a fixed type string, a schema version and a JSON payload.
///
/// Type strings are written out by hand (`ticket.opened`), never derived from Swift names, so that renaming
/// a Swift type cannot break replay.
public protocol DomainEvent: Sendable, Equatable {
    /// The stable persisted type, e.g. `ticket.opened`.
    var eventType: String { get }
    /// The payload's schema version (the `1` of `ticket.opened.v1`).
    var schemaVersion: UInt16 { get }
    /// Canonical JSON (sorted keys, unescaped slashes, RFC 3339 times, no floating point).
    func payload() -> [UInt8]
    /// Reads an event back from its type, version and payload; throws ``EventDecodingError`` when unknown or malformed.
    static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> Self
    /// Every (type, version) this enum reads and writes.
    static var catalog: [EventDescriptor] { get }
}

/// One event payload struct: Codable, with its catalogue entry.
public protocol EventPayload: Codable, Sendable, Equatable {
    /// The type string, version and meaning of this payload.
    static var descriptor: EventDescriptor { get }
}

/// A catalogue entry: which stream category an event lives in, its type, version and meaning.
public struct EventDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// The stream category, e.g. `ticket` for `ticket-T-1042`.
    public var category: String
    /// The persisted type, e.g. `ticket.opened`.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: UInt16
    /// One line: what the event means.
    public var summary: String

    /// A catalogue entry.
    public init(category: String, type: String, schemaVersion: UInt16, summary: String) {
        self.category = category
        self.type = type
        self.schemaVersion = schemaVersion
        self.summary = summary
    }

    /// `ticket.opened.v1`.
    public var qualifiedName: String { "\(type).v\(schemaVersion)" }

    /// The payload's JSON Schema file name under `schemas/events/`: `ticket.opened.v1.schema.json`.
    public var schemaFileName: String { qualifiedName + ".schema.json" }

    public var description: String { qualifiedName }
}
