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

extension RoutingRulesEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<RoutingRulesEvent>] = [
        .init(RoutingRulesSet.self) { .set($0) },
    ]
}
