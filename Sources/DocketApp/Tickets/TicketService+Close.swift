import DocketTime
import Domain
import EventLog

/// How a person closing a ticket accounts for their time on it.
public enum CloseTime: Sendable, Equatable {
    /// Log this much of the closer's time on the ticket, in the same transaction as the close.
    case log(minutes: Int, workType: String, billable: Bool = true, note: String? = nil)
    /// Close without the closer's time, for this reason (recorded as `noTimeReason` on `ticket.closed`).
    case none(reason: String)
    /// No time given with the close: the closer must already have a time entry on the ticket that is not voided.
    case alreadyLogged
}

/// What ``TicketService/closeTicket(_:resolution:time:as:commandId:)`` did.
public struct TicketCloseResult: Sendable, Equatable {
    /// The ticket's events (empty never: a refused close throws).
    public var events: [TicketEvent]
    /// The entry logged with the close (``CloseTime/log(minutes:workType:billable:note:)``); nil otherwise, and on
    /// a retried command id.
    public var entryId: String?
}

extension TicketService {
    /// Closes a ticket as `actor`, who must account for their time on it: a non-voided entry already logged on the
    /// ticket, time logged now (the entry and the close are appended in one transaction, so neither exists without
    /// the other), or a reason for closing without time. A refused close writes nothing.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func closeTicket(
        _ number: TicketNumber, resolution: String, time: CloseTime, as actor: String, commandId: String? = nil
    ) throws -> TicketCloseResult {
        try requireTicket(number)
        let context = try context(for: actor)
        let closing: ClosingTime
        switch time {
        case .none(let reason): closing = .none(reason: reason)
        case .alreadyLogged: closing = try closingTime(on: number, by: context.actor.login)
        case .log: closing = .logged
        }
        guard case .log(let minutes, let workType, let billable, let note) = time,
            try commandId.flatMap({ try store.result(ofCommand: $0) }) == nil
        else {
            let events = try runTicketCommand(number, .close(resolution: resolution, time: closing), context: context, commandId: commandId)
            return TicketCloseResult(events: events, entryId: nil)
        }
        let stream = StreamName.ticket(number)
        var events: [TicketEvent] = []
        // The entry goes first so that a fold of the log sees the closer's time before the close.
        let entryId = try billing.allocatingEntry(commandId: commandId, reacting: ReactionCue(context: context)) { entryId in
            let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
            events = try TicketDecider.decide(.close(resolution: resolution, time: closing), state: state, context: context)
            // The work ends at the close: it started `minutes` before it.
            let startedAt = Timestamp(millisecondsSinceEpoch: context.now.millisecondsSinceEpoch - Int64(minutes) * 60_000)
            let log = TimeLogRequest(
                ticket: number, minutes: minutes, workType: workType, billable: billable, startedAt: startedAt, note: note)
            let entry = try billing.decideLog(log, entryId: entryId, context: context)
            let close = kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId)
            return [kernel.request(stream: StreamName.timeEntry(entryId), version: 0, events: entry, context: context, commandId: nil), close]
        }
        return TicketCloseResult(events: events, entryId: entryId)
    }

    /// What the log says about the closer's time: ``ClosingTime/logged`` or ``ClosingTime/missing``.
    func closingTime(on number: TicketNumber, by login: String) throws -> ClosingTime {
        try billing.hasLoggedTime(on: number, by: login) ? .logged : .missing
    }
}
