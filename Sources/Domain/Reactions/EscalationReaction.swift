/// Carries out the escalations an SLA tick records (`ticket.escalated`) on a ticket still open: assign it to the
/// rule's user, or raise its priority one step. Notifying dispatchers is mail (``StaffMailReaction``). An escalation
/// the tick marked ``TicketEscalated/skipped`` (moot by the time it was noticed) does nothing. An action the ticket
/// refuses (an unknown user, already P1) is skipped.
public struct EscalationReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        let escalations = input.caused.compactMap { if case .ticketSLA(.escalated(let e)) = $0 { e } else { nil } }
        guard !escalations.isEmpty else { return .none }
        var ticket = state.ticket(history: try state.ticketHistory(), caused: input.caused).state
        var events: [TicketEvent] = []
        for escalation in escalations where !ticket.isClosed && escalation.skipped == nil {
            let command: TicketCommand?
            switch escalation.action {
            case .notifyDispatchers: command = nil
            case .assign(let login): command = .assign(to: login, user: (try? state.user(login))?.snapshot)
            case .raisePriority:
                let index = Priority.allCases.firstIndex(of: ticket.priority) ?? 0
                command = index > 0 ? .setPriority(Priority.allCases[index - 1]) : nil
            }
            if let command, let decided = try? TicketDecider.decide(command, state: ticket, context: input.context) {
                ticket = decided.reduce(ticket, TicketDecider.evolve)
                events += decided
            }
        }
        return ReactionOutput(events: events.map { .ticket($0) })
    }
}
