import Foundation
import DocketTime
import Domain
import EventLog

/// SLA clocks: the terms a new ticket starts under, the time-driven warnings, breaches and escalations (`tick`),
/// and the SLA report. Uses the directory (contracts, policies, calendars, users) and the outbox (staff mail).
public struct SLAService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService
    let outbox: OutboxService

    init(shared: ServiceContext, directory: DirectoryService, outbox: OutboxService) {
        self.shared = shared
        self.directory = directory
        self.outbox = outbox
    }

    // MARK: - Starting a ticket's clock

    /// The SLA a ticket of `client` opened at `instant` with `priority` runs under: the contract in force
    /// then (the most recently started, when several are), its SLA policy's terms in force then, and the
    /// calendar those terms name, in force then — all frozen into the returned event. Nil when no contract
    /// with an SLA policy is in force. A contract naming a policy or calendar that does not exist is an
    /// error to fix, not a ticket to open silently without an SLA.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaStart(client: String, priority: Priority, at instant: Timestamp) throws -> TicketSLAStarted? {
        let inForce = try directory.contracts(client: client).compactMap { contract -> (ContractState, ContractTerms)? in
            contract.terms(at: instant).map { (contract, $0) }
        }
        guard let (_, terms) = inForce.max(by: { $0.1.effectiveFrom < $1.1.effectiveFrom }), let policyId = terms.slaPolicy else {
            return nil
        }
        let policy = try directory.slaPolicy(policyId)
        guard let (_, policyTerms) = policy.terms(at: instant) else {
            throw TicketSLAStarted.policyStartsLater(policyId, startsAt: policy.startsAt, ticketAt: instant)
        }
        return try TicketSLAStarted.resolve(policy: policy, calendar: try directory.calendar(policyTerms.calendar), priority: priority, at: instant)
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
    /// due (not when this runs), and carries out escalation actions. Safe to run twice, or late: a recorded
    /// threshold is never recorded again.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func tick(as actor: String) throws -> [TickResult] {
        let context = try context(for: actor)
        let now = clock.now()
        var results: [TickResult] = []
        for number in try models.sla.alarmed(atOrBefore: now, in: store) {
            let tick = try kernel.execute(commandId: nil, replay: { _ in nil }) { try self.tick(number, now: now, context: context) }
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
        var ticket = TicketDecider.initialState
        for recorded in history {
            switch try TicketChange(recorded) {
            case .sla(.started(let started)): if clock == nil { clock = SLAClock.start(started) }
            case .sla(let event): clock?.apply(event, at: recorded.recordedAt)
            case .ticket(let event):
                clock?.apply(event, at: recorded.recordedAt)
                ticket = TicketDecider.evolve(ticket, event)
            case .alert, .mail, .outbox, .other: break
            }
        }
        guard let clock else { return nothing }
        let due = clock.dueEvents(at: now)
        guard !due.isEmpty else { return nothing }
        var events = due.map { NewEvent(type: $0.eventType, schemaVersion: $0.schemaVersion, payload: $0.payload()) }
        for case .escalated(let escalation) in due where !ticket.isClosed {
            let command: TicketCommand?
            switch escalation.action {
            case .notifyDispatchers: command = nil
            case .assign(let login): command = .assign(to: login, user: try directory.userSnapshot(login))
            case .raisePriority:
                let index = Priority.allCases.firstIndex(of: ticket.priority) ?? 0
                command = index > 0 ? .setPriority(Priority.allCases[index - 1]) : nil
            }
            if let command, let decided = try? TicketDecider.decide(command, state: ticket, context: context) {
                ticket = decided.reduce(ticket, TicketDecider.evolve)
                events += decided.map { NewEvent(type: $0.eventType, schemaVersion: $0.schemaVersion, payload: $0.payload()) }
            }
        }
        events += try outbox.staffNotifications(for: due, on: number, assignee: ticket.assignee, now: now)
        return CommandKernel.Decision(
            appends: [AppendRequest(stream: stream, expectedVersion: .exact(version), events: events, actor: context.actor.login)],
            output: TickResult(ticket: number, events: due))
    }
}
