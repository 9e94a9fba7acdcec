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
