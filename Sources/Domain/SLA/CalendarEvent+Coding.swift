extension CalendarEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [CalendarDefined.descriptor, CalendarAmended.descriptor]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .defined: CalendarDefined.descriptor
        case .amended: CalendarAmended.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .defined(let p): EventCodec.encode(p)
        case .amended(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> CalendarEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case CalendarDefined.descriptor.type: return .defined(try read(CalendarDefined.self))
        case CalendarAmended.descriptor.type: return .amended(try read(CalendarAmended.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
