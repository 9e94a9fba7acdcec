import DocketTime
import Domain
import EventLog

/// What a technician fills in to open a ticket; the number and the client snapshot are Docket's to find.
public struct TicketIntake: Sendable, Equatable {
    public var client: String
    public var contact: String?
    public var category: String?
    public var priority: Priority
    public var source: TicketSource
    public var subject: String
    public var description: String
    /// Assign right away (in the same transaction) when given.
    public var assignee: String?

    public init(
        client: String, contact: String? = nil, category: String? = nil, priority: Priority = .p3,
        source: TicketSource = .phone, subject: String, description: String = "", assignee: String? = nil
    ) {
        self.client = client
        self.contact = contact
        self.category = category
        self.priority = priority
        self.source = source
        self.subject = subject
        self.description = description
        self.assignee = assignee
    }
}

/// Tickets: opening, commands on them, merging, closing with the closer's time, and reading them. Every ticket
/// append carries a ``ReactionCue``, so the command kernel adds the follow-ups (``TicketReactions``: SLA start,
/// routing, mail, escalation) in the same transaction. Uses the directory and billing (time).
public struct TicketService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService
    let billing: BillingService

    init(shared: ServiceContext, directory: DirectoryService, billing: BillingService) {
        self.shared = shared
        self.directory = directory
        self.billing = billing
    }

    /// Opens a ticket with the next number (T-1001, T-1002, … gapless per store) and returns the number.
    /// Two processes racing for a number both succeed: the loser of the race sees the stream exists and
    /// takes the next number. `also` adds other subsystems' events (mail, alerts) to the same append. `routing`'s
    /// actions (from `IntakeService.routeNewTicket`) are carried out by the ``RoutingReaction`` in the same append
    /// too, with the SLA start, the sender's contact (``SenderContactReaction``) and the acknowledgement.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func openTicket(
        _ intake: TicketIntake, as actor: String, commandId: String? = nil, routing: RoutingDecision? = nil,
        also: (TicketNumber) throws -> [NewEvent] = { _ in [] }
    ) throws -> TicketNumber {
        try openTicketOnce(intake, as: actor, commandId: commandId, routing: routing, also: also).number
    }

    /// ``openTicket(_:as:commandId:routing:also:)``, also telling whether this call opened the ticket (`isNew`) or
    /// found it opened under `commandId` already: by an earlier run, or by another process that ran the same command
    /// at the same time (two deliveries of one mail) and appended first.
    func openTicketOnce(
        _ intake: TicketIntake, as actor: String, commandId: String?, routing: RoutingDecision? = nil,
        also: (TicketNumber) throws -> [NewEvent] = { _ in [] }
    ) throws -> (number: TicketNumber, isNew: Bool) {
        if let commandId, let earlier = try store.result(ofCommand: commandId) {
            try kernel.requireSameRequest(earlier, commandId: commandId, actor: actor)
            return (try openedNumber(earlier), false)
        }
        let context = try context(for: actor)
        return try kernel.execute(commandId: commandId, actor: actor, replay: { (try openedNumber($0), false) }) {
            let decision = try openDecision(intake, context: context, commandId: commandId, routing: routing, also: also)
            return CommandKernel.Decision(appends: decision.appends, output: (decision.output, true), reacting: decision.reacting)
        }
    }

    /// What opening a ticket appends, without appending it: for callers that put several decisions in one
    /// transaction (a grouped alert notification). `numbersFrom` is the lowest number to take: a caller that already
    /// decided to open tickets in the same transaction passes one past the last it took.
    func openDecision(
        _ intake: TicketIntake, context: DecisionContext, commandId: String? = nil, routing: RoutingDecision? = nil,
        numbersFrom: Int = TicketNumber.first.value, also: (TicketNumber) throws -> [NewEvent] = { _ in [] }
    ) throws -> CommandKernel.Decision<TicketNumber> {
        let snapshot = try kernel.load(ClientDecider.self, stream: StreamName.client(intake.client)).state.snapshot
        guard let number = TicketNumber(try kernel.nextFree(from: max(numbersFrom, TicketNumber.first.value)) { StreamName.ticket("T-\($0)") }) else {
            throw DomainError(.invalid, "the ticket numbers are exhausted")
        }
        let open = OpenTicket(
            number: number, client: intake.client, clientSnapshot: snapshot, contact: intake.contact,
            category: intake.category, priority: intake.priority, source: intake.source, subject: intake.subject,
            description: intake.description)
        var events = try TicketDecider.decide(.open(open), state: TicketDecider.initialState, context: context)
        if let login = intake.assignee {
            let assign = TicketCommand.assign(to: login, user: try directory.userSnapshot(login))
            events += try TicketDecider.decide(assign, state: TicketDecider.fold(events), context: context)
        }
        var request = kernel.request(stream: StreamName.ticket(number), version: 0, events: events, context: context, commandId: commandId)
        request.events += try also(number)
        return CommandKernel.Decision(
            appends: [request], output: number,
            reacting: ReactionCue(context: context, routing: routing.map { [request.stream: $0] } ?? [:]))
    }

    /// The ticket a command id opened, from what it appended.
    private func openedNumber(_ earlier: AppendResult) throws -> TicketNumber {
        guard let number = TicketNumber(String(earlier.stream.dropFirst("ticket-".count))) else {
            throw EventLogError(.commandReused, "command id was already used for stream \(earlier.stream); use a new command id")
        }
        return number
    }

    /// Runs a ticket command on `number` as `actor`. Assign commands get the assignee looked up; a close gets the
    /// closer's time looked up (only a no-time reason is taken as given), so the time rule holds for every caller.
    /// To log time with the close use ``closeTicket(_:resolution:time:as:commandId:)``.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    /// With `expectedVersion`, the command runs only if the ticket's stream is still at that version (``StaleTicketVersion``
    /// otherwise, nothing written): checked on the state the kernel decides on, so a change that lands first is seen.
    public func ticket(
        _ number: TicketNumber, _ command: TicketCommand, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> [TicketEvent] {
        var command = command
        if case .assign(let login, _) = command { command = .assign(to: login, user: try directory.userSnapshot(login)) }
        try requireTicket(number)
        let context = try context(for: actor)
        if case .close(let resolution, let time, let silencingUntil) = command {
            if case .none = time {} else {
                command = .close(
                    resolution: resolution, time: try closingTime(on: number, by: context.actor.login), silencingAlertUntil: silencingUntil)
            }
        }
        return try runTicketCommand(number, command, context: context, commandId: commandId, expectedVersion: expectedVersion)
    }

    /// Assigns ticket `number` to `actor` only if it has no assignee or already is theirs (``TicketDecider/decideTake(user:state:context:)``):
    /// decided on the state the kernel appends against, so of two takes at once one wins and the other is refused
    /// (`taken`, naming the winner), and nothing is written for it. Returns the events (none when it already was theirs).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func take(_ number: TicketNumber, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil) throws -> [TicketEvent] {
        try requireTicket(number)
        let context = try context(for: actor)
        let user = try directory.userSnapshot(context.actor.login)
        let stream = StreamName.ticket(number)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: stream).events }
        ) {
            let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
            try StaleTicketVersion.check(number, expected: expectedVersion, actual: version)
            let events = try TicketDecider.decideTake(user: user, state: state, context: context)
            guard !events.isEmpty else { return CommandKernel.Decision(appends: [], output: []) }
            let request = kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId)
            return CommandKernel.Decision(appends: [request], output: events, reacting: ReactionCue(context: context))
        }
    }

    /// Merges `source` into `target`: both streams change in one transaction.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func mergeTicket(_ source: TicketNumber, into target: TicketNumber, as actor: String, commandId: String? = nil) throws {
        try requireTicket(source)
        try requireTicket(target)
        let context = try context(for: actor)
        try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { _ = try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: StreamName.ticket(source)) }
        ) {
            let (sourceState, sourceVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(source))
            let (targetState, targetVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(target))
            let decision = try TicketDecider.decideMerge(source: sourceState, target: targetState, context: context)
            return CommandKernel.Decision(
                appends: [
                    kernel.request(stream: StreamName.ticket(source), version: sourceVersion, events: decision.source, context: context, commandId: commandId),
                    kernel.request(stream: StreamName.ticket(target), version: targetVersion, events: decision.target, context: context, commandId: nil),
                ], output: (), reacting: ReactionCue(context: context))
        }
    }

    /// Replies publicly on `number` with template `name`, filling its placeholders (the ticket's subject, client and
    /// contact as its stream has them); returns the text sent. The template's subject, if it has one, is the reply
    /// mail's (``TicketCommented/mailSubject``).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func reply(
        _ number: TicketNumber, template name: String, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> String {
        let state = LogState(store: store, ticketStream: StreamName.ticket(number))
        let (ticket, subject) = state.ticket(history: try state.ticketHistory(), caused: [])
        guard ticket.exists else { throw unknownTicket(number) }
        let values = try ReplyPlaceholders.values(
            number: number, subject: subject, client: ticket.client, contact: ticket.contact, actor: actor, state: state)
        let reply = try ReplyPlaceholders.render(template: name, values, state: state)
        try self.ticket(
            number, .comment(reply.text, visibility: .public, mailSubject: reply.subject), as: actor, commandId: commandId,
            expectedVersion: expectedVersion)
        return reply.text
    }

    /// The ticket's summary folded from its stream in the log (the write side, as the queue read model folds it:
    /// the same row), or a not-found error. Intake decides threading and reopening from it.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func ticketSummary(_ number: TicketNumber) throws -> TicketSummary {
        var row: TicketSummary?
        for (recorded, change) in try ticketHistory(number) {
            switch change {
            case .ticket(.opened(let opened)): row = TicketSummary(opened: opened, at: recorded.recordedAt, position: recorded.position)
            case .ticket(let event): row?.apply(event, at: recorded.recordedAt, position: recorded.position)
            case .sla(let event): row?.apply(event, at: recorded.recordedAt)
            case .alert, .mail, .attachment, .outbox, .other: break
            }
            row?.version = recorded.streamVersion
        }
        guard let row else { throw unknownTicket(number) }
        return row.withQueueSLA()
    }

    /// Tickets matching `filter` in number order, newest first unless `order` says otherwise (the queue read model),
    /// at most `limit`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func list(_ filter: QueueFilter, order: TicketListOrder = .newestFirst, limit: Int) throws -> [TicketSummary] {
        try models.queue.list(filter, order: order, limit: limit, in: store)
    }

    /// Open tickets matching `filter` in work order (priority, SLA due time, age), at most `limit`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func queue(_ filter: QueueFilter, limit: Int) throws -> [TicketSummary] {
        try models.queue.queue(filter, limit: limit, in: store)
    }

    /// The ticket's whole history: every event of its stream with position, time and actor, read as the
    /// ticket's own events or as another subsystem's (alerts, SLA).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func ticketHistory(_ number: TicketNumber) throws -> [(event: RecordedEvent, change: TicketChange)] {
        try store.read(stream: StreamName.ticket(number)).map { recorded in (recorded, try TicketChange(recorded)) }
    }

    /// Runs a ticket command through the kernel (whose reactions add the mail it calls for: public replies,
    /// resolutions). A retried command id returns the ticket events it appended the first time.
    func runTicketCommand(
        _ number: TicketNumber, _ command: TicketCommand, context: DecisionContext, commandId: String?, expectedVersion: UInt64? = nil
    ) throws -> [TicketEvent] {
        let stream = StreamName.ticket(number)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: stream).events }
        ) {
            try commandDecision(number, command, context: context, commandId: commandId, expectedVersion: expectedVersion)
        }
    }

    /// What `command` on ticket `number` appends, without appending it (the kernel adds the reactions' follow-ups);
    /// no appends when the ticket is already as asked. With `expectedVersion`, a ticket at another version is refused
    /// (``StaleTicketVersion``).
    func commandDecision(
        _ number: TicketNumber, _ command: TicketCommand, context: DecisionContext, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> CommandKernel.Decision<[TicketEvent]> {
        let stream = StreamName.ticket(number)
        let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
        try StaleTicketVersion.check(number, expected: expectedVersion, actual: version)
        let events = try TicketDecider.decide(command, state: state, context: context)
        guard !events.isEmpty else { return CommandKernel.Decision(appends: [], output: []) }
        let request = kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId)
        return CommandKernel.Decision(appends: [request], output: events, reacting: ReactionCue(context: context))
    }

    func requireTicket(_ number: TicketNumber) throws {
        guard try store.version(of: StreamName.ticket(number)) > 0 else { throw unknownTicket(number) }
    }

    private func unknownTicket(_ number: TicketNumber) -> DomainError {
        DomainError(.notFound, "unknown ticket \(number); list tickets with `docket ticket list`")
    }
}
