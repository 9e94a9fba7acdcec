extension UserEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        UserAdded.descriptor, UserRoleChanged.descriptor, UserDeactivated.descriptor, UserReactivated.descriptor,
        UserCostRateSet.descriptor, UserTimeZoneSet.descriptor,
    ]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .added: UserAdded.descriptor
        case .roleChanged: UserRoleChanged.descriptor
        case .deactivated: UserDeactivated.descriptor
        case .reactivated: UserReactivated.descriptor
        case .costRateSet: UserCostRateSet.descriptor
        case .timeZoneSet: UserTimeZoneSet.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .added(let p): EventCodec.encode(p)
        case .roleChanged(let p): EventCodec.encode(p)
        case .deactivated(let p): EventCodec.encode(p)
        case .reactivated(let p): EventCodec.encode(p)
        case .costRateSet(let p): EventCodec.encode(p)
        case .timeZoneSet(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> UserEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case UserAdded.descriptor.type: return .added(try read(UserAdded.self))
        case UserRoleChanged.descriptor.type: return .roleChanged(try read(UserRoleChanged.self))
        case UserDeactivated.descriptor.type: return .deactivated(try read(UserDeactivated.self))
        case UserReactivated.descriptor.type: return .reactivated(try read(UserReactivated.self))
        case UserCostRateSet.descriptor.type: return .costRateSet(try read(UserCostRateSet.self))
        case UserTimeZoneSet.descriptor.type: return .timeZoneSet(try read(UserTimeZoneSet.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
