extension TicketEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [
        TicketOpened.descriptor, TicketAssigned.descriptor, TicketUnassigned.descriptor,
        TicketPriorityChanged.descriptor, TicketCategoryChanged.descriptor, TicketWatcherAdded.descriptor,
        TicketWatcherRemoved.descriptor, TicketCommented.descriptor, TicketStatusChanged.descriptor,
        TicketMerged.descriptor, TicketMergeReceived.descriptor, TicketClosed.descriptor, TicketReopened.descriptor,
    ]

    /// The catalogue entry of this case.
    public var descriptor: EventDescriptor {
        switch self {
        case .opened: TicketOpened.descriptor
        case .assigned: TicketAssigned.descriptor
        case .unassigned: TicketUnassigned.descriptor
        case .priorityChanged: TicketPriorityChanged.descriptor
        case .categoryChanged: TicketCategoryChanged.descriptor
        case .watcherAdded: TicketWatcherAdded.descriptor
        case .watcherRemoved: TicketWatcherRemoved.descriptor
        case .commented: TicketCommented.descriptor
        case .statusChanged: TicketStatusChanged.descriptor
        case .merged: TicketMerged.descriptor
        case .mergeReceived: TicketMergeReceived.descriptor
        case .closed: TicketClosed.descriptor
        case .reopened: TicketReopened.descriptor
        }
    }

    public var eventType: String { descriptor.type }
    public var schemaVersion: UInt16 { descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .opened(let p): EventCodec.encode(p)
        case .assigned(let p): EventCodec.encode(p)
        case .unassigned(let p): EventCodec.encode(p)
        case .priorityChanged(let p): EventCodec.encode(p)
        case .categoryChanged(let p): EventCodec.encode(p)
        case .watcherAdded(let p): EventCodec.encode(p)
        case .watcherRemoved(let p): EventCodec.encode(p)
        case .commented(let p): EventCodec.encode(p)
        case .statusChanged(let p): EventCodec.encode(p)
        case .merged(let p): EventCodec.encode(p)
        case .mergeReceived(let p): EventCodec.encode(p)
        case .closed(let p): EventCodec.encode(p)
        case .reopened(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> TicketEvent {
        func read<P: EventPayload>(_ kind: P.Type) throws -> P {
            try EventCodec.decode(kind, type: type, schemaVersion: schemaVersion, payload: payload)
        }
        switch type {
        case TicketOpened.descriptor.type: return .opened(try read(TicketOpened.self))
        case TicketAssigned.descriptor.type: return .assigned(try read(TicketAssigned.self))
        case TicketUnassigned.descriptor.type: return .unassigned(try read(TicketUnassigned.self))
        case TicketPriorityChanged.descriptor.type: return .priorityChanged(try read(TicketPriorityChanged.self))
        case TicketCategoryChanged.descriptor.type: return .categoryChanged(try read(TicketCategoryChanged.self))
        case TicketWatcherAdded.descriptor.type: return .watcherAdded(try read(TicketWatcherAdded.self))
        case TicketWatcherRemoved.descriptor.type: return .watcherRemoved(try read(TicketWatcherRemoved.self))
        case TicketCommented.descriptor.type: return .commented(try read(TicketCommented.self))
        case TicketStatusChanged.descriptor.type: return .statusChanged(try read(TicketStatusChanged.self))
        case TicketMerged.descriptor.type: return .merged(try read(TicketMerged.self))
        case TicketMergeReceived.descriptor.type: return .mergeReceived(try read(TicketMergeReceived.self))
        case TicketClosed.descriptor.type: return .closed(try read(TicketClosed.self))
        case TicketReopened.descriptor.type: return .reopened(try read(TicketReopened.self))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
