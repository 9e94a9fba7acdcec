import DocketTime
import Domain
import EventLog

/// What the follow-up policy did to one ticket on a `tick`.
public struct FollowUpResult: Sendable, Equatable {
    /// The ticket.
    public let ticket: TicketNumber
    /// What was due, and done.
    public let due: FollowUpDue
}

/// What the follow-up policy will do to a ticket waiting on the client (`ticket show`'s `follow-up:` line).
public struct TicketFollowUp: Sendable, Equatable {
    /// Its times.
    public let plan: FollowUpPlan
    /// The client whose own policy it is; nil: the store's.
    public let client: String?
}

extension TicketService {
    /// What the follow-up policy in force for `ticket`'s client will do to it, from its `history`; nil when it is not
    /// waiting on the client or no policy follows it up.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUp(of ticket: TicketSummary, history: [(event: RecordedEvent, change: TicketChange)]) throws -> TicketFollowUp? {
        guard ticket.status == .waitingOnClient else { return nil }
        let (policy, clientsOwn) = try directory.followUpPolicyInForce(for: ticket.client)
        let events = history.compactMap { recorded, change -> (event: TicketEvent, at: Timestamp)? in
            if case .ticket(let event) = change { (event, recorded.recordedAt) } else { nil }
        }
        return FollowUpPlan.of(history: events, policy: policy).map { TicketFollowUp(plan: $0, client: clientsOwn ? ticket.client : nil) }
    }

    /// Carries out the follow-up policy (``DirectoryService/followUpPolicy(for:)``: the client's own, else the store's)
    /// on every ticket waiting on the client:
    /// reminds the client once (`ticket.follow-up-sent`, whose mail the ``ClientMailReaction`` queues) and closes the
    /// ticket when it has waited as long as the policy allows (`ticket.closed`, no time: the reason says why; the
    /// resolution mail goes as for any close). Each ticket in its own transaction, as `actor` (who must work
    /// tickets: `tick` checks). Safe to run twice: a reminder is sent once a wait, a closed ticket waits no more.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUpWaitingTickets(as actor: String) throws -> [FollowUpResult] {
        guard try directory.followUpPolicy().isOn || !(try directory.clientFollowUpPolicies().isEmpty) else { return [] }
        let context = try context(for: actor)
        let waiting = try models.queue.queue(QueueFilter(status: .waitingOnClient), limit: Int.max, in: store)
        var policies: [String: FollowUpPolicy] = [:]
        var results: [FollowUpResult] = []
        for row in waiting {
            let number = row.number
            let policy = try policies[row.client] ?? directory.followUpPolicy(for: row.client)
            policies[row.client] = policy
            guard policy.isOn else { continue }
            let stream = StreamName.ticket(number)
            let done = try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in nil }) { () -> CommandKernel.Decision<FollowUpResult?> in
                let history = try store.read(stream: stream).compactMap { recorded -> (event: TicketEvent, at: Timestamp)? in
                    if case .ticket(let event) = try TicketChange(recorded) { (event, recorded.recordedAt) } else { nil }
                }
                switch FollowUpDue.at(context.now, history: history, policy: policy) {
                case nil:
                    return CommandKernel.Decision(appends: [], output: nil)
                case .remind(let since, let due)?:
                    let decision = try commandDecision(number, .remindClient(TicketFollowUpSent(waitingSince: since, dueAt: due)), context: context)
                    return CommandKernel.Decision(
                        appends: decision.appends, output: FollowUpResult(ticket: number, due: .remind(waitingSince: since, dueAt: due)),
                        reacting: decision.reacting)
                case .close(let since, let due, let minutes)?:
                    let resolution = FollowUpDue.resolution(waitedMinutes: minutes)
                    let decision = try commandDecision(
                        number, .close(resolution: resolution, time: .none(reason: "closed by the follow-up policy")), context: context)
                    return CommandKernel.Decision(
                        appends: decision.appends, output: FollowUpResult(ticket: number, due: .close(waitingSince: since, dueAt: due, waitedMinutes: minutes)),
                        reacting: decision.reacting)
                }
            }
            if let done { results.append(done) }
        }
        return results
    }
}
