/// Carries out the escalations an SLA tick records (`ticket.escalated`) on a ticket still open: assign it to the
/// rule's user, or raise its priority one step. Notifying dispatchers is mail (``StaffMailReaction``), paging a channel
/// a page (``PageReaction``). An escalation
/// the tick marked ``TicketEscalated/skipped`` (moot by the time it was noticed) does nothing. An action the ticket
/// refuses (an unknown user, already P1) is not carried out, and an internal comment says why.
public struct EscalationReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        let escalations = input.caused.compactMap { if case .ticketSLA(.escalated(let e)) = $0 { e } else { nil } }
        guard !escalations.isEmpty else { return .none }
        var ticket = state.ticket(history: try state.ticketHistory(), caused: input.caused).state
        var events: [TicketEvent] = []
        func add(_ command: TicketCommand, marked mark: (TicketEvent) -> TicketEvent = { $0 }) throws {
            let decided = try TicketDecider.decide(command, state: ticket, context: input.context).map(mark)
            ticket = decided.reduce(ticket, TicketDecider.evolve)
            events += decided
        }
        for escalation in escalations where !ticket.isClosed && escalation.skipped == nil {
            let command: TicketCommand
            var mark: (TicketEvent) -> TicketEvent = { $0 }
            switch escalation.action {
            case .notifyDispatchers, .page: continue
            case .assign(let login):
                command = .assign(to: login, user: (try? state.user(login))?.snapshot)
                mark = { $0.assignment(byEscalationRule: escalation.rule) }
            case .raisePriority:
                let index = Priority.allCases.firstIndex(of: ticket.priority) ?? 0
                guard index > 0 else {
                    let note = "Escalation rule \(escalation.rule) could not raise the priority: the ticket is already \(ticket.priority)"
                    try add(.comment(note, visibility: .internal))
                    continue
                }
                command = .setPriority(Priority.allCases[index - 1])
            }
            do {
                try add(command, marked: mark)
            } catch {
                try add(.comment("Escalation rule \(escalation.rule) could not \(escalation.action): \(error)", visibility: .internal))
            }
        }
        return ReactionOutput(events: events.map { .ticket($0) })
    }
}
