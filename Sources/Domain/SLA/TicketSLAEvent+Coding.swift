extension TicketSLAEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        TicketSLAStarted.descriptor, TicketSLAWarned.descriptor, TicketSLABreached.descriptor,
        TicketEscalated.descriptor,
    ]

    /// Whether `type` is one of this enum's types (they share the `ticket` category with ``TicketEvent``).
    public static func handles(type: String) -> Bool {
        catalog.contains { $0.type == type }
    }

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .started: TicketSLAStarted.descriptor
        case .warned: TicketSLAWarned.descriptor
        case .breached: TicketSLABreached.descriptor
        case .escalated: TicketEscalated.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .started(let p): EventCodec.encode(p)
        case .warned(let p): EventCodec.encode(p)
        case .breached(let p): EventCodec.encode(p)
        case .escalated(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> TicketSLAEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case TicketSLAStarted.descriptor.type: return .started(try read(TicketSLAStarted.self))
        case TicketSLAWarned.descriptor.type: return .warned(try read(TicketSLAWarned.self))
        case TicketSLABreached.descriptor.type: return .breached(try read(TicketSLABreached.self))
        case TicketEscalated.descriptor.type: return .escalated(try read(TicketEscalated.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
