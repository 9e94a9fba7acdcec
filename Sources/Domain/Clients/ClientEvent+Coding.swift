extension ClientEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        ClientRegistered.descriptor, ClientUpdated.descriptor, ClientDeactivated.descriptor,
        ClientReactivated.descriptor, ClientContactAdded.descriptor, ClientContactUpdated.descriptor,
        ClientContactRemoved.descriptor,
    ]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .registered: ClientRegistered.descriptor
        case .updated: ClientUpdated.descriptor
        case .deactivated: ClientDeactivated.descriptor
        case .reactivated: ClientReactivated.descriptor
        case .contactAdded: ClientContactAdded.descriptor
        case .contactUpdated: ClientContactUpdated.descriptor
        case .contactRemoved: ClientContactRemoved.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .registered(let p): EventCodec.encode(p)
        case .updated(let p): EventCodec.encode(p)
        case .deactivated(let p): EventCodec.encode(p)
        case .reactivated(let p): EventCodec.encode(p)
        case .contactAdded(let p): EventCodec.encode(p)
        case .contactUpdated(let p): EventCodec.encode(p)
        case .contactRemoved(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> ClientEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case ClientRegistered.descriptor.type: return .registered(try read(ClientRegistered.self))
        case ClientUpdated.descriptor.type: return .updated(try read(ClientUpdated.self))
        case ClientDeactivated.descriptor.type: return .deactivated(try read(ClientDeactivated.self))
        case ClientReactivated.descriptor.type: return .reactivated(try read(ClientReactivated.self))
        case ClientContactAdded.descriptor.type: return .contactAdded(try read(ClientContactAdded.self))
        case ClientContactUpdated.descriptor.type: return .contactUpdated(try read(ClientContactUpdated.self))
        case ClientContactRemoved.descriptor.type: return .contactRemoved(try read(ClientContactRemoved.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
