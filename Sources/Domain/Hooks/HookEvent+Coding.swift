extension HookEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [HookCreated.descriptor, HookRotated.descriptor]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .created: HookCreated.descriptor
        case .rotated: HookRotated.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .created(let p): EventCodec.encode(p)
        case .rotated(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> HookEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case HookCreated.descriptor.type: return .created(try read(HookCreated.self))
        case HookRotated.descriptor.type: return .rotated(try read(HookRotated.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
