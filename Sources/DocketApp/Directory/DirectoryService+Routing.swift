import Domain
import EventLog

/// The rule that fired for a new ticket, and why.
public struct RoutingDecision: Sendable, Equatable {
    /// The first rule whose conditions all held.
    public var rule: RoutingRule
    /// One line per condition that held.
    public var reasons: [String]

    /// A decision for `rule`.
    public init(rule: RoutingRule, reasons: [String]) {
        self.rule = rule
        self.reasons = reasons
    }

    /// `priority P1, category network, assign dora, reply template ack` (or `no actions`).
    public var actionsText: String {
        let a = rule.actions
        var parts: [String] = []
        if let priority = a.priority { parts.append("priority \(priority)") }
        if let category = a.category { parts.append("category \(category)") }
        if let queue = a.queue { parts.append("queue \(queue) (as category)") }
        if let login = a.assign { parts.append("assign \(login)") }
        if let template = a.replyTemplate { parts.append("reply template \(template)") }
        return parts.isEmpty ? "no actions" : parts.joined(separator: ", ")
    }
}

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
