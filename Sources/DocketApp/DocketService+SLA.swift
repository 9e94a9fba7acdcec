import Foundation
import DocketTime
import Domain
import EventLog

extension DocketService {
    // MARK: - Calendars and policies

    /// Runs a calendar command as `actor`.
    @discardableResult
    public func calendar(_ id: String, _ command: CalendarCommand, as actor: String, commandId: String? = nil) throws -> [CalendarEvent] {
        try kernel.run(CalendarDecider.self, stream: StreamName.calendar(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A calendar (the built-in `24x7`, or a defined one), or a not-found error.
    public func calendar(_ id: String) throws -> CalendarState {
        if let builtIn = CalendarState.builtIn(id) { return builtIn }
        let (state, _) = try kernel.load(CalendarDecider.self, stream: StreamName.calendar(id))
        guard state.id != nil else {
            throw DomainError(.notFound, "unknown calendar \(id); list calendars with `docket calendar list`")
        }
        return state
    }

    /// Every defined calendar, in id order.
    public func calendars() throws -> [CalendarState] {
        try store.streams(prefix: "calendar-").map { try kernel.load(CalendarDecider.self, stream: $0.name).state }
    }

    /// Runs an SLA policy command as `actor`.
    @discardableResult
    public func slaPolicy(_ id: String, _ command: SLAPolicyCommand, as actor: String, commandId: String? = nil) throws -> [SLAPolicyEvent] {
        try kernel.run(SLAPolicyDecider.self, stream: StreamName.slaPolicy(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// An SLA policy, or a not-found error.
    public func slaPolicy(_ id: String) throws -> SLAPolicyState {
        let (state, _) = try kernel.load(SLAPolicyDecider.self, stream: StreamName.slaPolicy(id))
        guard state.id != nil else {
            throw DomainError(.notFound, "unknown SLA policy \(id); list policies with `docket sla-policy list`")
        }
        return state
    }

    /// Every SLA policy, in id order.
    public func slaPolicies() throws -> [SLAPolicyState] {
        try store.streams(prefix: "sla-policy-").map { try kernel.load(SLAPolicyDecider.self, stream: $0.name).state }
    }

    // MARK: - Starting a ticket's clock

    /// The SLA a ticket of `client` opened at `instant` with `priority` runs under: the contract in force
    /// then (the most recently started, when several are), its SLA policy's terms in force then, and the
    /// calendar those terms name, in force then — all frozen into the returned event. Nil when no contract
    /// with an SLA policy is in force. A contract naming a policy or calendar that does not exist is an
    /// error to fix, not a ticket to open silently without an SLA.
    public func slaStart(client: String, priority: Priority, at instant: Timestamp) throws -> TicketSLAStarted? {
        let inForce = try contracts(client: client).compactMap { contract -> (ContractState, ContractTerms)? in
            contract.terms(at: instant).map { (contract, $0) }
        }
        guard let (_, terms) = inForce.max(by: { $0.1.effectiveFrom < $1.1.effectiveFrom }), let policyId = terms.slaPolicy else {
            return nil
        }
        let policy = try slaPolicy(policyId)
        guard let (_, policyTerms) = policy.terms(at: instant) else {
            throw TicketSLAStarted.policyStartsLater(policyId, startsAt: policy.startsAt, ticketAt: instant)
        }
        return try TicketSLAStarted.resolve(policy: policy, calendar: try calendar(policyTerms.calendar), priority: priority, at: instant)
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
            case .assign(let login): command = .assign(to: login, user: try kernel.load(UserDecider.self, stream: StreamName.user(login)).state.snapshot)
            case .raisePriority:
                let index = Priority.allCases.firstIndex(of: ticket.priority) ?? 0
                command = index > 0 ? .setPriority(Priority.allCases[index - 1]) : nil
            }
            if let command, let decided = try? TicketDecider.decide(command, state: ticket, context: context) {
                ticket = decided.reduce(ticket, TicketDecider.evolve)
                events += decided.map { NewEvent(type: $0.eventType, schemaVersion: $0.schemaVersion, payload: $0.payload()) }
            }
        }
        events += try staffNotifications(for: due, on: number, assignee: ticket.assignee, now: now)
        return CommandKernel.Decision(
            appends: [AppendRequest(stream: stream, expectedVersion: .exact(version), events: events, actor: context.actor.login)],
            output: TickResult(ticket: number, events: due))
    }

    /// The emails `tick` queues for staff: a warning to the assignee, a breach to the assignee and every
    /// dispatcher, an escalation that notifies dispatchers to every dispatcher. Users without an email
    /// address, or deactivated, get none. Queued in the same append as the SLA events they announce.
    func staffNotifications(for due: [TicketSLAEvent], on number: TicketNumber, assignee: String?, now: Timestamp) throws -> [NewEvent] {
        let dispatchers = try users().filter { $0.role == .dispatcher && $0.isActive }.compactMap(\.login)
        let subject = (try? ticketSummary(number))?.subject ?? ""
        var sequence = 0
        var queued: [NewEvent] = []
        for event in due {
            let (reason, recipients, line): (OutboundReason, [String], String)
            switch event {
            case .warned(let w):
                (reason, recipients, line) = (.slaWarning, assignee.map { [$0] } ?? dispatchers, "the \(w.clock) clock reached \(w.percent)% of its target at \(w.dueAt.iso8601)")
            case .breached(let b):
                (reason, recipients, line) = (.slaBreach, (assignee.map { [$0] } ?? []) + dispatchers, "the \(b.clock) target was breached at \(b.dueAt.iso8601)")
            case .escalated(let e) where e.action == .notifyDispatchers:
                (reason, recipients, line) = (.escalation, dispatchers, "escalation rule \(e.rule) fired at \(e.dueAt.iso8601)")
            default:
                continue
            }
            for login in Set(recipients).sorted() {
                guard let user = try? user(login), user.isActive, user.email.contains("@") else { continue }
                sequence += 1
                var random = SystemRandomNumberGenerator()
                let messageId = "\(number).sla-\(sequence).\(String(random.next() & 0xFFFF_FFFF, radix: 16))@docket"
                let fullSubject = "[\(number)] SLA: \(line.split(separator: " ").prefix(4).joined(separator: " ")) — \(subject)"
                let body = "\(number) (\(subject)): \(line).\n\nSee `docket ticket show \(number)` for the clock, interval by interval.\n"
                let message = OutboundMessage(
                    from: configuration.supportAddress, to: user.email, toName: user.name, subject: fullSubject, date: now,
                    messageId: messageId, inReplyTo: nil, isAutomatic: true, ticket: number.description, body: body)
                let event = OutboxEvent.queued(TicketMailQueued(
                    messageId: messageId, reason: reason, to: [user.email], subject: fullSubject, inReplyTo: nil, message: message.rendered))
                queued.append(NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload()))
            }
        }
        return queued
    }
}
