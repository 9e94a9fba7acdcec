extension TokenEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [TokenCreated.descriptor, TokenRevoked.descriptor]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .created: TokenCreated.descriptor
        case .revoked: TokenRevoked.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .created(let p): EventCodec.encode(p)
        case .revoked(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> TokenEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case TokenCreated.descriptor.type: return .created(try read(TokenCreated.self))
        case TokenRevoked.descriptor.type: return .revoked(try read(TokenRevoked.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
