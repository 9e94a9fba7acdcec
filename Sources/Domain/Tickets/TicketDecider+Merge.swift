/// The events of one merge: the source's `ticket.merged` and the target's `ticket.merge-received`.
/// Append both in one transaction, each to its own stream.
public struct TicketMergeDecision: Sendable, Equatable {
    /// For the merged ticket's stream.
    public var source: [TicketEvent]
    /// For the target ticket's stream.
    public var target: [TicketEvent]
}

extension TicketDecider {
    /// Decides both sides of merging `source` into `target` (both as folded from their streams).
    public static func decideMerge(
        source: TicketState, target: TicketState, context: DecisionContext
    ) throws(DomainError) -> TicketMergeDecision {
        let into = try requireExisting(target)
        let sourceEvents = try decide(.merge(into: into, target: target), state: source, context: context)
        let from = try requireExisting(source)
        let targetEvents = try decide(.receiveMerge(from: from), state: target, context: context)
        return TicketMergeDecision(source: sourceEvents, target: targetEvents)
    }

    /// The source side: refuses merging into itself, into a missing, closed or merged ticket, or another client's.
    static func decideMerge(
        into: TicketNumber, target: TicketState, source: TicketState
    ) throws(DomainError) -> [TicketEvent] {
        let number = try requireWorkable(source)
        // A linked ticket's link would point at a closed-for-good ticket: the parent's close would skip it, or close
        // nothing for its children.
        if let parent = source.parent {
            throw DomainError(
                .conflict, "\(number) is linked under \(parent); take it out first with `docket ticket unlink \(number)`, then merge")
        }
        if let child = source.children.first {
            throw DomainError(
                .conflict,
                "\(number) has tickets linked under it (\(source.children.map(\.description).joined(separator: ", "))); take them out first with `docket ticket unlink \(child)`, then merge")
        }
        guard into != number else {
            throw DomainError(.invalid, "cannot merge \(number) into itself; pick another ticket")
        }
        guard let targetNumber = target.number else {
            throw DomainError(.notFound, "ticket \(into) does not exist; list tickets with `docket ticket list`")
        }
        guard targetNumber == into else {
            throw DomainError(
                .invalid, "the target state is for \(targetNumber), not \(into); read the target ticket again")
        }
        if let further = target.mergedInto {
            throw DomainError(
                .merged, "cannot merge into \(into): it was merged into \(further); merge into \(further) instead")
        }
        guard target.status != .closed else {
            throw DomainError(
                .closed, "cannot merge into \(into): it is closed; reopen it first with `docket ticket reopen \(into)`")
        }
        // A merged ticket's mail and alerts follow it to the target: across clients, one client's work (and its
        // senders' replies) would land on another's ticket.
        guard target.client == source.client else {
            throw DomainError(
                .conflict,
                "cannot merge \(number) (client \(source.client)) into \(into) (client \(target.client)): tickets of different clients are never merged; merge into a ticket of \(source.client)")
        }
        return [.merged(TicketMerged(into: into))]
    }
}
