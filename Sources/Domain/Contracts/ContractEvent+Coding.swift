extension ContractEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        ContractCreated.descriptor, ContractAmended.descriptor, ContractEnded.descriptor,
    ]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .created: ContractCreated.descriptor
        case .amended: ContractAmended.descriptor
        case .ended: ContractEnded.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .created(let p): EventCodec.encode(p)
        case .amended(let p): EventCodec.encode(p)
        case .ended(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> ContractEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case ContractCreated.descriptor.type: return .created(try read(ContractCreated.self))
        case ContractAmended.descriptor.type: return .amended(try read(ContractAmended.self))
        case ContractEnded.descriptor.type: return .ended(try read(ContractEnded.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
