extension TemplateEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        TemplateAdded.descriptor, TemplateUpdated.descriptor, TemplateRemoved.descriptor,
    ]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .added: TemplateAdded.descriptor
        case .updated: TemplateUpdated.descriptor
        case .removed: TemplateRemoved.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .added(let p): EventCodec.encode(p)
        case .updated(let p): EventCodec.encode(p)
        case .removed(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> TemplateEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case TemplateAdded.descriptor.type: return .added(try read(TemplateAdded.self))
        case TemplateUpdated.descriptor.type: return .updated(try read(TemplateUpdated.self))
        case TemplateRemoved.descriptor.type: return .removed(try read(TemplateRemoved.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
