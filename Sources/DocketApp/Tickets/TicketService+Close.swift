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
    /// The entry logged with the close (``CloseTime/log(minutes:workType:billable:note:)``), on a retried command id
    /// too; nil otherwise.
    public var entryId: String? = nil
    /// The tickets linked under it that the close closed too (``TicketService/linkTicket(_:under:as:commandId:)``), in
    /// the order they were linked; on a retried command id too.
    public var closedChildren: [TicketNumber] = []

    /// Until when the close silenced the ticket's alert (`--silence-alert`), nil when it did not.
    public var alertSilencedUntil: Timestamp? {
        events.lazy.compactMap { if case .closed(let closed) = $0 { closed.alertSilencedUntil } else { nil } }.first
    }
}

extension TicketService {
    /// Closes a ticket as `actor`, who must account for their time on it: a non-voided entry already logged on the
    /// ticket, time logged now, or a reason for closing without time. Time logged now goes on `ticket.closed`, and the
    /// ``CloseTimeReaction`` appends it as a time entry in the same transaction, so neither exists without the other.
    /// A refused close writes nothing; so does one with an `expectedVersion` the ticket is no longer at, and one
    /// while the closer's timer runs on the ticket (its stop would log the same work again).
    ///
    /// `silencingAlertFor` (milliseconds, up to 30 days): the ticket's monitoring alert, if it still fires, is only
    /// noted on the closed ticket until then (``TicketClosed/alertSilencedUntil``); refused on a ticket no alert came to.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func closeTicket(
        _ number: TicketNumber, resolution: String, time: CloseTime, as actor: String, commandId: String? = nil,
        expectedVersion: UInt64? = nil, silencingAlertFor silence: Int64? = nil
    ) throws -> TicketCloseResult {
        try requireTicket(number)
        let context = try context(for: actor)
        if silence != nil, try !hasAlert(number) {
            throw DomainError(
                .invalid, "no monitoring alert came to \(number), so there is nothing to silence; close it without --silence-alert")
        }
        let silencingUntil = silence.map { Timestamp(millisecondsSinceEpoch: context.now.millisecondsSinceEpoch + $0) }
        let closing: ClosingTime
        switch time {
        case .none(let reason): closing = .none(reason: reason)
        case .alreadyLogged: closing = try closingTime(on: number, by: context.actor.login)
        case .log(let minutes, let workType, let billable, let note):
            closing = .logging(CloseTimeLog(minutes: minutes, workType: workType, billable: billable, note: note))
        }
        let stream = StreamName.ticket(number)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { earlier in
                let events = try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: earlier, stream: stream).events
                let loggedTime = events.contains { if case .closed(let closed) = $0 { closed.loggedTime != nil } else { false } }
                return TicketCloseResult(
                    events: events, entryId: loggedTime ? try entryLogged(with: earlier) : nil, closedChildren: try childrenClosed(with: earlier, parent: number))
            }
        ) {
            try billing.refuseCloseWhileTiming(number, by: context.actor.login)
            let decision = try commandDecision(
                number, .close(resolution: resolution, time: closing, silencingAlertUntil: silencingUntil), context: context, commandId: commandId,
                expectedVersion: expectedVersion)
            // The tickets linked under it close with it, in the same transaction.
            let children = try childCloses(of: number, resolution: resolution, context: context)
            var closed = CommandKernel.Decision(
                appends: decision.appends + children.decisions.flatMap(\.appends),
                output: TicketCloseResult(events: decision.output, closedChildren: children.closed),
                reacting: children.decisions.reduce(decision.reacting) { cue, child in cue?.merged(with: child.reacting) ?? child.reacting })
            closed.finish = { appended in
                let entry = appended.first { $0.stream.hasPrefix(StreamName.timeEntry("")) }
                return TicketCloseResult(
                    events: decision.output, entryId: entry.map { String($0.stream.dropFirst(StreamName.timeEntry("").count)) },
                    closedChildren: children.closed)
            }
            return closed
        }
    }

    /// The children closed by the close that appended `earlier` on `parent`'s stream (``childrenFollowing(_:parent:type:where:)``).
    func childrenClosed(with earlier: AppendResult, parent: TicketNumber) throws -> [TicketNumber] {
        let reason = "closed with its parent \(parent)"
        return try childrenFollowing(earlier, parent: parent, type: TicketClosed.descriptor.type) { recorded in
            if case .ticket(.closed(let closed)) = try? TicketChange(recorded) { closed.noTimeReason == reason } else { false }
        }
    }

    /// The time entry logged by the close that appended `earlier` (one with `loggedTime`): the reaction appends it in
    /// the same transaction just before the ticket's events (same instant, same actor), so it is the nearest entry
    /// before them.
    func entryLogged(with earlier: AppendResult) throws -> String? {
        let first = earlier.positions.lowerBound
        guard first > 1, let close = try store.read(from: first, limit: 1).first else { return nil }
        let start = first > 16 ? first - 16 : 1
        let before = try store.read(from: start, limit: Int(first - start))
        let entry = before.reversed().prefix { $0.recordedAt == close.recordedAt && $0.actor == close.actor }
            .first { $0.stream.hasPrefix(StreamName.timeEntry("")) }
        return entry.map { String($0.stream.dropFirst(StreamName.timeEntry("").count)) }
    }

    /// Whether a monitoring alert was ever delivered to ticket `number` (a `ticket.alert-received` on its stream).
    private func hasAlert(_ number: TicketNumber) throws -> Bool {
        var version: UInt64 = 1
        while true {
            let page = try store.read(stream: StreamName.ticket(number), from: version, direction: .forward, limit: 256)
            if page.contains(where: { $0.type == TicketAlertReceived.descriptor.type }) { return true }
            guard let last = page.last?.streamVersion, page.count == 256 else { return false }
            version = last + 1
        }
    }

    /// What the log says about the closer's time: ``ClosingTime/logged`` or ``ClosingTime/missing``.
    func closingTime(on number: TicketNumber, by login: String) throws -> ClosingTime {
        try billing.hasLoggedTime(on: number, by: login) ? .logged : .missing
    }
}
