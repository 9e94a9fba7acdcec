/// The rule that fired for a new ticket, and why.
public struct RoutingDecision: Sendable, Equatable {
    /// The first rule whose conditions all held.
    public var rule: RoutingRule
    /// One line per condition that held.
    public var reasons: [String]
    /// What the ticket's opener set itself (a schedule's priority, category or assignee): the rule's action for the
    /// same field gives way to it (``appliedActions``).
    public var openerSet: OpenerChoices

    /// A decision for `rule`; `openerSet` is what the opener set itself, which wins over the rule's actions.
    public init(rule: RoutingRule, reasons: [String], openerSet: OpenerChoices = OpenerChoices()) {
        self.rule = rule
        self.reasons = reasons
        self.openerSet = openerSet
    }

    /// The one precedence between an opener and a rule: the rule's actions, but for each field the opener set itself
    /// (priority; category, which a rule's `queue` also sets; assignee), which keeps the opener's value. The reply
    /// template is the rule's alone.
    public var appliedActions: RoutingActions {
        var actions = rule.actions
        if openerSet.priority != nil { actions.priority = nil }
        if openerSet.category != nil {
            actions.category = nil
            actions.queue = nil
        }
        if openerSet.assignee != nil { actions.assign = nil }
        return actions
    }

    /// `priority P1, category network, assign dora, reply template ack` (or `no actions`): the actions that apply,
    /// then what the opener kept over the rule, e.g. `; kept as opened: assign bob (the rule's dora)`.
    public var actionsText: String {
        let a = appliedActions
        var parts: [String] = []
        if let priority = a.priority { parts.append("priority \(priority)") }
        if let category = a.category { parts.append("category \(category)") }
        if let queue = a.queue { parts.append("queue \(queue) (as category)") }
        if let login = a.assign { parts.append("assign \(login)") }
        if let template = a.replyTemplate { parts.append("reply template \(template)") }
        let applied = parts.isEmpty ? "no actions" : parts.joined(separator: ", ")
        let ruled = rule.actions
        var kept: [String] = []
        if let mine = openerSet.priority, let theirs = ruled.priority { kept.append("priority \(mine) (the rule's \(theirs))") }
        if let mine = openerSet.category, let theirs = ruled.openingCategory { kept.append("category \(mine) (the rule's \(theirs))") }
        if let mine = openerSet.assignee, let theirs = ruled.assign { kept.append("assign \(mine) (the rule's \(theirs))") }
        return kept.isEmpty ? applied : applied + "; kept as opened: " + kept.joined(separator: ", ")
    }
}

/// What the opener of a ticket set itself, field by field (nil: left to the routing rules): a schedule's priority,
/// category and assignee (`docket schedule add --priority/--category/--assign`). Each wins over a rule's action for
/// the same field (``RoutingDecision/appliedActions``).
public struct OpenerChoices: Sendable, Equatable {
    /// The priority the opener chose.
    public var priority: Priority?
    /// The category the opener chose (a rule's `category` or `queue` gives way to it).
    public var category: String?
    /// The user the opener assigns the ticket to.
    public var assignee: String?

    /// Choices with the given fields; none by default (mail, alerts and the portal: the rule's actions all apply).
    public init(priority: Priority? = nil, category: String? = nil, assignee: String? = nil) {
        self.priority = priority
        self.category = category
        self.assignee = assignee
    }
}
