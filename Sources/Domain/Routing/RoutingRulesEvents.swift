/// Something that happened to the routing rules (stream `routing-rules`).
public enum RoutingRulesEvent: Sendable, Equatable {
    /// See ``RoutingRulesSet``.
    case set(RoutingRulesSet)
}

/// `routing.rules-set.v1`: the complete, ordered list of routing rules; it replaces the list before it.
public struct RoutingRulesSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "routing", type: "routing.rules-set", schemaVersion: 1,
        summary: "The complete, ordered list of routing rules was set; it replaces the previous list (first match wins).")
    /// The rules, in the order they are tried.
    public var rules: [RoutingRule]

    /// A payload with the given rules.
    public init(rules: [RoutingRule]) { self.rules = rules }
}

extension RoutingRulesEvent: DomainEvent {
    public static let catalog: [EventDescriptor] = [RoutingRulesSet.descriptor]

    public var eventType: String { RoutingRulesSet.descriptor.type }
    public var schemaVersion: UInt16 { RoutingRulesSet.descriptor.schemaVersion }

    public func payload() -> [UInt8] {
        switch self {
        case .set(let p): EventCodec.encode(p)
        }
    }

    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> RoutingRulesEvent {
        guard type == RoutingRulesSet.descriptor.type else {
            throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
        return .set(try EventCodec.decode(RoutingRulesSet.self, type: type, schemaVersion: schemaVersion, payload: payload))
    }
}
