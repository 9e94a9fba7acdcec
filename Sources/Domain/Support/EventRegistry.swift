/// One event type's declaration: its payload type (which names the type string, schema version and meaning in its
/// ``EventPayload/descriptor``) and the case of its family that carries it. A family lists one line per type in
/// ``RegisteredEventFamily/registrations``; the catalogue, decoding and encoding follow from that list, and the
/// schema checks from the catalogue.
public struct EventRegistration<Family: Sendable>: Sendable {
    /// The type's catalogue entry.
    public let descriptor: EventDescriptor
    let read: @Sendable (_ type: String, _ schemaVersion: UInt16, _ payload: [UInt8]) throws -> Family

    /// Registers payload `P`, carried by `wrap`'s case.
    public init<P: EventPayload>(_: P.Type, _ wrap: @escaping @Sendable (P) -> Family) {
        descriptor = P.descriptor
        read = { type, schemaVersion, payload in
            wrap(try EventCodec.decode(P.self, type: type, schemaVersion: schemaVersion, payload: payload))
        }
    }
}

/// An event family: an enum each of whose cases carries exactly one registered payload.
public protocol RegisteredEventFamily: DomainEvent {
    /// One line per event type, in catalogue order.
    static var registrations: [EventRegistration<Self>] { get }
}

extension RegisteredEventFamily {
    public static var catalog: [EventDescriptor] { registrations.map(\.descriptor) }

    /// Whether `type` is one of this family's types (families share stream categories: `ticket.` has five).
    public static func handles(type: String) -> Bool { registrations.contains { $0.descriptor.type == type } }

    /// The payload this case carries.
    public var carriedPayload: any EventPayload {
        guard let payload = Mirror(reflecting: self).children.first?.value as? any EventPayload else {
            // Every case of a registered family carries one payload (EventCodingTests round-trips a sample of each).
            preconditionFailure("\(Self.self) has a case without an event payload")
        }
        return payload
    }

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor { type(of: carriedPayload).descriptor }
    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }
    public func payload() -> [UInt8] { EventCodec.encode(carriedPayload) }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> Self {
        guard let registration = registrations.first(where: { $0.descriptor.type == type }) else {
            throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
        return try registration.read(type, schemaVersion, payload)
    }
}
