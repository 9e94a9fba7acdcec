/// What a user asks of the routing rules (stream `routing-rules`).
public enum RoutingRulesCommand: Sendable, Equatable {
    /// Replace the whole ordered list.
    case set([RoutingRule])
}

/// What decisions need: the list in force and how many times it was set.
public struct RoutingRulesState: Sendable, Equatable {
    /// The rules in force (empty until first set).
    public var rules: [RoutingRule]
    /// How many `routing.rules-set` events the stream holds.
    public var revision: Int

    /// A state with the given fields; streams start from ``RoutingRulesDecider/initialState``.
    public init(rules: [RoutingRule] = [], revision: Int = 0) {
        self.rules = rules
        self.revision = revision
    }

    /// The matcher over the rules in force.
    public var matcher: RoutingRules { RoutingRules(rules) }
}

/// The routing-rules aggregate: one stream, each event the complete list. Setting rules is dispatch work
/// and needs ``Action/manageRoutingRules`` (roles dispatcher and admin).
public enum RoutingRulesDecider: Decider {
    public static let initialState = RoutingRulesState()

    /// Checks the rules with ``RoutingRuleValidation/validate(_:)``; setting the list already in force returns no events.
    public static func decide(
        _ command: RoutingRulesCommand, state: RoutingRulesState, context: DecisionContext
    ) throws(DomainError) -> [RoutingRulesEvent] {
        try Permissions.require(.manageRoutingRules, by: context.actor.role)
        switch command {
        case .set(let rules):
            let rules = try RoutingRuleValidation.validate(rules)
            guard state.revision == 0 || rules != state.rules else { return [] }
            return [.set(RoutingRulesSet(rules: rules))]
        }
    }

    /// Applies one event: the list it carries replaces the one before.
    public static func evolve(_ state: RoutingRulesState, _ event: RoutingRulesEvent) -> RoutingRulesState {
        switch event {
        case .set(let e): RoutingRulesState(rules: e.rules, revision: state.revision + 1)
        }
    }
}
