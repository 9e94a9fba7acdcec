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

    /// Routes a ticket about to be opened (by mail, alert, the portal or a schedule): the matching rule's priority and
    /// category (or queue) go into `intake`, but for what the opener set itself (`openerSet`: a schedule's priority,
    /// category, assignee), which wins (``RoutingDecision/appliedActions``). Pass the result to
    /// ``TicketService/openTicket(_:as:commandId:routing:also:)`` (or `openDecision`), which appends its other actions
    /// with the opening.
    func routeNewTicket(
        _ intake: inout TicketIntake, alertLabels: [String: String] = [:], severity: String? = nil, openerSet: OpenerChoices = OpenerChoices()
    ) throws -> RoutingDecision? {
        let input = RoutingInput(
            client: intake.client, source: intake.source, category: intake.category, subject: intake.subject,
            body: intake.description, alertLabels: alertLabels, severity: severity)
        guard var decision = try route(input) else { return nil }
        decision.openerSet = openerSet
        let actions = decision.appliedActions
        if let priority = actions.priority { intake.priority = priority }
        if let category = actions.openingCategory { intake.category = category }
        return decision
    }
}
