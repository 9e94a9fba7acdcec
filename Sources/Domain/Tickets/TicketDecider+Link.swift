/// The events of one link or unlink: the same event for both tickets' streams, appended in one transaction; empty when
/// the link is already as asked.
public struct TicketLinkDecision: Sendable, Equatable {
    /// For the child ticket's stream.
    public var child: [TicketEvent]
    /// For the parent ticket's stream.
    public var parent: [TicketEvent]

    /// A decision with the given events.
    public init(child: [TicketEvent], parent: [TicketEvent]) {
        self.child = child
        self.parent = parent
    }
}

extension TicketDecider {
    /// Decides linking `child` under `parent` (both as folded from their streams): one cause, many tickets, and the
    /// parent's close closes the children still open. One level only: a parent is never linked under another, a
    /// ticket under a parent never gets children of its own. Both must be open; tickets of different clients may be
    /// linked (an outage reaches many clients; each child's client still hears only about its own ticket).
    public static func decideLink(child: TicketState, parent: TicketState, context: DecisionContext) throws(DomainError) -> TicketLinkDecision {
        try Permissions.require(.workTickets, by: context.actor.role)
        let childNumber = try requireWorkable(child)
        let parentNumber = try requireExisting(parent)
        guard parentNumber != childNumber else {
            throw DomainError(.invalid, "cannot link \(childNumber) under itself; give the ticket of the cause with --parent")
        }
        if let further = parent.mergedInto {
            throw DomainError(.merged, "cannot link under \(parentNumber): it was merged into \(further); link under \(further) instead")
        }
        guard parent.status != .closed else {
            throw DomainError(.closed, "cannot link under \(parentNumber): it is closed; reopen it first with `docket ticket reopen \(parentNumber)`")
        }
        if child.parent == parentNumber { return TicketLinkDecision(child: [], parent: []) }
        if let current = child.parent {
            throw DomainError(
                .conflict, "\(childNumber) is linked under \(current) already; take it out first with `docket ticket unlink \(childNumber)`")
        }
        if let grandparent = parent.parent {
            throw DomainError(
                .conflict, "\(parentNumber) is itself linked under \(grandparent): link \(childNumber) under \(grandparent) instead (one level only)")
        }
        guard child.children.isEmpty else {
            throw DomainError(
                .conflict,
                "\(childNumber) has tickets linked under it (\(child.children.map(\.description).joined(separator: ", "))): link those under \(parentNumber) instead (one level only)")
        }
        let event = TicketEvent.linked(TicketLinked(parent: parentNumber, child: childNumber))
        return TicketLinkDecision(child: [event], parent: [event])
    }

    /// Decides taking `child` out from under its parent (`parent`, as folded from its stream); nothing when it is under
    /// none. A closed child may be taken out (its history keeps that it was closed with the parent).
    public static func decideUnlink(child: TicketState, parent: TicketState?, context: DecisionContext) throws(DomainError) -> TicketLinkDecision {
        try Permissions.require(.workTickets, by: context.actor.role)
        let childNumber = try requireExisting(child)
        guard let parentNumber = child.parent else { return TicketLinkDecision(child: [], parent: []) }
        guard parent?.number == parentNumber else {
            throw DomainError(.invalid, "the parent state is not \(parentNumber)'s; read the parent ticket again")
        }
        let event = TicketEvent.unlinked(TicketUnlinked(parent: parentNumber, child: childNumber))
        return TicketLinkDecision(child: [event], parent: [event])
    }
}
