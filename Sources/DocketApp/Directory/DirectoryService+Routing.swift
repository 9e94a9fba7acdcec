import Domain
import EventLog

extension DirectoryService {
    // MARK: - The rules

    /// Replaces the routing rules with `rules` (validated; setting the same list again writes nothing).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func setRoutingRules(_ rules: [RoutingRule], as actor: String, commandId: String? = nil) throws -> [RoutingRulesEvent] {
        try kernel.run(RoutingRulesDecider.self, stream: StreamName.routingRules, command: .set(rules), context: context(for: actor), commandId: commandId).events
    }

    /// The routing rules in force (none until set).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func routingRules() throws -> RoutingRulesState {
        try kernel.load(RoutingRulesDecider.self, stream: StreamName.routingRules).state
    }

    /// The rule that would fire for `input` under the rules in force, without writing anything.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func route(_ input: RoutingInput) throws -> RoutingDecision? {
        try routingRules().matcher.firstMatch(for: input).map { RoutingDecision(rule: $0.rule, reasons: $0.reasons) }
    }
}
