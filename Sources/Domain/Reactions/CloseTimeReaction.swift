/// Logs the time a closer gave with the close (``TicketClosed/loggedTime``) as a time entry of theirs on the ticket:
/// `time.logged` on a new stream `time-TE-<n>` (the next free number), in the same transaction as the close, so
/// neither exists without the other. The work ends at the close: it started `minutes` before it. Time the entry
/// rules refuse (minutes out of range, a blank work type) refuses the whole close.
public struct CloseTimeReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        let logs = input.causedTicketEvents.compactMap { if case .closed(let closed) = $0 { closed.loggedTime } else { nil } }
        guard !logs.isEmpty else { return .none }
        let ticket = state.ticket(history: try state.ticketHistory(), caused: input.caused).state
        var elsewhere: [StreamFollowUp] = []
        var number = try state.nextTimeEntryNumber()
        for log in logs {
            let entryId = "TE-\(number)"
            number += 1
            // No start: time logged without one is work just done, ending now (``LogTime/startedAt``).
            let entry = LogTime(
                entryId: entryId, ticket: input.ticket, minutes: log.minutes, workType: log.workType, billable: log.billable, note: log.note)
            let events = try TimeEntryDecider.decide(.log(entry, ticketState: ticket), state: TimeEntryDecider.initialState, context: input.context)
            elsewhere.append(StreamFollowUp(stream: StreamName.timeEntry(entryId), events: events.map { .time($0) }))
        }
        return ReactionOutput(elsewhere: elsewhere)
    }
}
