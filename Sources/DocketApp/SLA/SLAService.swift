import Foundation
import DocketTime
import Domain
import EventLog

/// SLA clocks: the time-driven warnings, breaches and escalations (`tick`), reading the clocks, and the SLA report.
/// A new ticket's clock is started by the ``SLAStartReaction``; escalation actions and staff mail are reactions too.
/// Uses the directory.
public struct SLAService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService

    init(shared: ServiceContext, directory: DirectoryService) {
        self.shared = shared
        self.directory = directory
    }

    // MARK: - Reading the clocks

    /// The ticket's SLA clock as the `sla` read model holds it, nil when it runs under none.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clock(of number: TicketNumber) throws -> SLAClock? {
        try models.sla.row(number, in: store)?.clock
    }

    /// Up to `limit` rows of open tickets' clocks that `keep` accepts.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func openClocks(limit: Int, keep: (SLARow) -> Bool) throws -> [SLARow] {
        try models.sla.open(limit: limit, in: store, keep: keep)
    }

    // MARK: - Time-driven events

    /// What `tick` recorded on one ticket.
    public struct TickResult: Sendable, Equatable {
        public let ticket: TicketNumber
        public let events: [TicketSLAEvent]
    }

    /// Records every SLA warning, breach and escalation due at or before now, each at the instant it became
    /// due (not when this runs); the reactions carry out escalation actions and mail staff in the same append.
    /// Safe to run twice, or late: a recorded threshold is never recorded again. Needs ``Action/workTickets`` (the
    /// actions are the actor's), else nothing is written.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func tick(as actor: String) throws -> [TickResult] {
        let context = try context(for: actor)
        // Escalations assign tickets and raise their priority as the acting user: a role that may not work tickets
        // would record them and have every action refused. Refused before anything is written.
        guard Permissions.allows(context.actor.role, to: .workTickets) else {
            let roles = Permissions.list(Permissions.roles(allowedTo: .workTickets).map(\.rawValue))
            throw DomainError(
                .forbidden,
                "role \(context.actor.role) cannot run tick: its escalations assign tickets and raise their priority; run it "
                    + "as a user with role \(roles) (e.g. a dispatcher: DOCKET_USER=scheduler)")
        }
        let now = clock.now()
        var results: [TickResult] = []
        for number in try models.sla.alarmed(atOrBefore: now, in: store) {
            let tick = try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in nil }) { try self.tick(number, now: now, context: context) }
            if let tick { results.append(tick) }
        }
        return results
    }

    private func tick(_ number: TicketNumber, now: Timestamp, context: DecisionContext) throws -> CommandKernel.Decision<TickResult?> {
        let nothing = CommandKernel.Decision<TickResult?>(appends: [], output: nil)
        let stream = StreamName.ticket(number)
        let history = try store.read(stream: stream)
        guard let version = history.last?.streamVersion else { return nothing }
        var clock: SLAClock?
        var ticketEvents: [(event: TicketEvent, at: Timestamp)] = []
        for recorded in history {
            switch try TicketChange(recorded) {
            case .sla(.started(let started)): if clock == nil { clock = SLAClock.start(started) }
            case .sla(let event): clock?.apply(event, at: recorded.recordedAt)
            case .ticket(let event):
                clock?.apply(event, at: recorded.recordedAt)
                ticketEvents.append((event, recorded.recordedAt))
            case .alert, .mail, .attachment, .outbox, .other: break
            }
        }
        guard let clock else { return nothing }
        // An escalation due before something since made it moot is recorded with why its action is skipped.
        let due = clock.dueEvents(at: now, history: ticketEvents)
        guard !due.isEmpty else { return nothing }
        return CommandKernel.Decision(
            appends: [AppendRequest(stream: stream, expectedVersion: .exact(version), events: due.map(NewEvent.init), actor: context.actor.login)],
            output: TickResult(ticket: number, events: due), reacting: ReactionCue(context: context))
    }
}
