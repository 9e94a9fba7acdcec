import Domain
import EventLog

extension TicketService {
    /// The events routing adds to a ticket being opened, decided on `state` (the ticket as its opening leaves it) and
    /// appended in the same transaction as the opening, so no crash can leave a ticket open but unrouted: an internal
    /// comment `Routed by rule …`, the assignment and the reply template. An action that cannot be carried out (an
    /// unknown user or template) is noted in an internal comment instead of failing the intake.
    func routingEvents(
        _ decision: RoutingDecision, state: TicketDecider.State, reply: ReplyValues, context: DecisionContext
    ) throws -> [TicketEvent] {
        var state = state
        var events: [TicketEvent] = []
        func add(_ command: TicketCommand) throws {
            let decided = try TicketDecider.decide(command, state: state, context: context)
            state = decided.reduce(state, TicketDecider.evolve)
            events += decided
        }
        let id = decision.rule.id
        try add(.comment("Routed by rule \(id): \(decision.reasons.joined(separator: "; ")). Actions: \(decision.actionsText).", visibility: .internal))
        if let login = decision.rule.actions.assign {
            do {
                try add(.assign(to: login, user: try directory.userSnapshot(login)))
            } catch {
                try add(.comment("Routing rule \(id) could not assign to \(login): \(error)", visibility: .internal))
            }
        }
        if let template = decision.rule.actions.replyTemplate {
            do {
                try add(.comment(try replyText(template: template, reply), visibility: .public))
            } catch {
                try add(.comment("Routing rule \(id) could not reply with template \(template): \(error)", visibility: .internal))
            }
        }
        return events
    }
}
