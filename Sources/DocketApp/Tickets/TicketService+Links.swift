import Domain
import EventLog

extension TicketService {
    /// Links `child` under `parent` (``TicketDecider/decideLink(child:parent:context:)``): both streams change in one
    /// transaction. Returns the child's events: empty when it was linked under `parent` already.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func linkTicket(_ child: TicketNumber, under parent: TicketNumber, as actor: String, commandId: String? = nil) throws -> [TicketEvent] {
        try requireTicket(child)
        try requireTicket(parent)
        let context = try context(for: actor)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: StreamName.ticket(child)).events }
        ) {
            let (childState, childVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(child))
            let (parentState, parentVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(parent))
            let decision = try TicketDecider.decideLink(child: childState, parent: parentState, context: context)
            return linkDecision(decision, child: (child, childVersion), parent: (parent, parentVersion), context: context, commandId: commandId)
        }
    }

    /// Takes `child` out from under its parent, on both streams in one transaction. Returns the child's events (its
    /// `ticket.unlinked` names the parent): none when it was under none.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func unlinkTicket(_ child: TicketNumber, as actor: String, commandId: String? = nil) throws -> [TicketEvent] {
        try requireTicket(child)
        let context = try context(for: actor)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: StreamName.ticket(child)).events }
        ) {
            let (childState, childVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(child))
            guard let parent = childState.parent else { return CommandKernel.Decision(appends: [], output: []) }
            let (parentState, parentVersion) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(parent))
            let decision = try TicketDecider.decideUnlink(child: childState, parent: parentState, context: context)
            return linkDecision(decision, child: (child, childVersion), parent: (parent, parentVersion), context: context, commandId: commandId)
        }
    }

    /// Posts `text` as a public comment on `parent` and on every ticket still open under it, in one transaction: one
    /// update about an outage reaches each client on its own ticket (its reply mail, to its own contact). Returns the
    /// children it went to (on a retried command id too).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func commentWithChildren(
        _ parent: TicketNumber, _ text: String, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> [TicketNumber] {
        try requireTicket(parent)
        let context = try context(for: actor)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try childrenFollowing($0, parent: parent, type: TicketCommented.descriptor.type) }
        ) {
            let decision = try commandDecision(parent, .comment(text, visibility: .public), context: context, commandId: commandId, expectedVersion: expectedVersion)
            let (state, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(parent))
            var decisions: [CommandKernel.Decision<[TicketEvent]>] = []
            var children: [TicketNumber] = []
            for child in state.children where try !kernel.load(TicketDecider.self, stream: StreamName.ticket(child)).state.isClosed {
                decisions.append(try commandDecision(child, .comment(text, visibility: .public), context: context))
                children.append(child)
            }
            return CommandKernel.Decision(
                appends: decision.appends + decisions.flatMap(\.appends), output: children,
                reacting: decisions.reduce(decision.reacting) { cue, child in cue?.merged(with: child.reacting) ?? child.reacting })
        }
    }

    /// The children of `parent` that an event of `type` went to in the same transaction as the append `earlier` made
    /// on `parent`'s stream: their events follow its own (same instant, same actor).
    func childrenFollowing(_ earlier: AppendResult, parent: TicketNumber, type: String, where matches: (RecordedEvent) -> Bool = { _ in true }) throws -> [TicketNumber] {
        let (state, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(parent))
        guard !state.children.isEmpty, let own = try store.read(from: earlier.positions.upperBound, limit: 1).first else { return [] }
        let after = try store.read(from: earlier.positions.upperBound + 1, limit: 8 * state.children.count + 16)
        return after.prefix { $0.recordedAt == own.recordedAt && $0.actor == own.actor }.compactMap { recorded in
            guard recorded.type == type, let child = TicketNumber(stream: recorded.stream), state.children.contains(child), matches(recorded) else { return nil }
            return child
        }
    }

    /// The appends of a link decision: the child's stream (with the command id) and the parent's, each at the version
    /// it was read at.
    private func linkDecision(
        _ decision: TicketLinkDecision, child: (number: TicketNumber, version: UInt64), parent: (number: TicketNumber, version: UInt64),
        context: DecisionContext, commandId: String?
    ) -> CommandKernel.Decision<[TicketEvent]> {
        guard !decision.child.isEmpty else { return CommandKernel.Decision(appends: [], output: []) }
        return CommandKernel.Decision(
            appends: [
                kernel.request(stream: StreamName.ticket(child.number), version: child.version, events: decision.child, context: context, commandId: commandId),
                kernel.request(stream: StreamName.ticket(parent.number), version: parent.version, events: decision.parent, context: context, commandId: nil),
            ], output: decision.child)
    }

    /// The closes of `parent`'s children still open, as it closes with `resolution`: each its own `ticket.closed`
    /// (the parent's resolution, word for word: a child's client never reads another ticket's number, which may be another
    /// client's; no time: `closed with its parent T-1001`), whose resolution mail goes to its own client as for any close.
    /// Children closed or merged already are left as they are.
    func childCloses(of parent: TicketNumber, resolution: String, context: DecisionContext) throws -> (decisions: [CommandKernel.Decision<[TicketEvent]>], closed: [TicketNumber]) {
        let (state, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(parent))
        var decisions: [CommandKernel.Decision<[TicketEvent]>] = []
        var closed: [TicketNumber] = []
        for child in state.children {
            let (childState, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(child))
            guard !childState.isClosed else { continue }
            decisions.append(
                try commandDecision(
                    child, .close(resolution: resolution, time: .none(reason: "closed with its parent \(parent)")),
                    context: context))
            closed.append(child)
        }
        return (decisions, closed)
    }
}
