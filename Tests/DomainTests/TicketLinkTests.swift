import DocketTime
import Domain
import Testing

@Suite("Tickets: linked under a parent")
struct TicketLinkTests {
    static let context = DecisionContext(actor: Fixture.tech, now: Fixture.now)
    static let parent = TicketDecider.fold([Fixture.opened(Fixture.t1001)])
    static let child = TicketDecider.fold([Fixture.opened(Fixture.t1002)])
    static let linked = TicketEvent.linked(TicketLinked(parent: Fixture.t1001, child: Fixture.t1002))

    /// The same event goes on both streams; folded, the child names its parent and the parent lists its child. Linking
    /// again writes nothing; unlinking takes it out on both sides.
    @Test func aLinkIsOneEventOnBothStreams() throws {
        let decision = try TicketDecider.decideLink(child: Self.child, parent: Self.parent, context: Self.context)
        #expect(decision == TicketLinkDecision(child: [Self.linked], parent: [Self.linked]))
        let child = TicketDecider.fold([Fixture.opened(Fixture.t1002), Self.linked])
        let parent = TicketDecider.fold([Fixture.opened(Fixture.t1001), Self.linked])
        #expect(child.parent == Fixture.t1001 && child.children.isEmpty)
        #expect(parent.children == [Fixture.t1002] && parent.parent == nil)
        #expect(try TicketDecider.decideLink(child: child, parent: parent, context: Self.context).child.isEmpty, "linked already")
        let unlink = try TicketDecider.decideUnlink(child: child, parent: parent, context: Self.context)
        let unlinked = TicketEvent.unlinked(TicketUnlinked(parent: Fixture.t1001, child: Fixture.t1002))
        #expect(unlink == TicketLinkDecision(child: [unlinked], parent: [unlinked]))
        #expect(TicketDecider.evolve(parent, unlinked).children.isEmpty && TicketDecider.evolve(child, unlinked).parent == nil)
        #expect(try TicketDecider.decideUnlink(child: Self.child, parent: nil, context: Self.context).child.isEmpty, "under none")
    }

    /// One level, open tickets, not itself; each refusal names the fix.
    @Test func aLinkIsRefusedWhereItWouldNotHold() throws {
        func refused(_ child: TicketState, _ parent: TicketState) -> DomainError? {
            refusal { () throws(DomainError) in try TicketDecider.decideLink(child: child, parent: parent, context: Self.context) }
        }
        #expect(refused(Self.parent, Self.parent)?.code == .invalid)
        let closedParent = TicketDecider.fold([Fixture.opened(Fixture.t1001), .closed(TicketClosed(resolution: "done"))])
        #expect(refused(Self.child, closedParent)?.message == "cannot link under T-1001: it is closed; reopen it first with `docket ticket reopen T-1001`")
        let closedChild = TicketDecider.fold([Fixture.opened(Fixture.t1002), .closed(TicketClosed(resolution: "done"))])
        #expect(refused(closedChild, Self.parent)?.code == .closed)
        let underAnother = TicketDecider.fold([Fixture.opened(Fixture.t1002), .linked(TicketLinked(parent: Fixture.t1003, child: Fixture.t1002))])
        #expect(refused(underAnother, Self.parent)?.message == "T-1002 is linked under T-1003 already; take it out first with `docket ticket unlink T-1002`")
        let parentUnderAnother = TicketDecider.fold([Fixture.opened(Fixture.t1001), .linked(TicketLinked(parent: Fixture.t1003, child: Fixture.t1001))])
        #expect(refused(Self.child, parentUnderAnother)?.message.contains("link T-1002 under T-1003 instead (one level only)") == true)
        let withChildren = TicketDecider.fold([Fixture.opened(Fixture.t1002), .linked(TicketLinked(parent: Fixture.t1002, child: Fixture.t1003))])
        #expect(refused(withChildren, Self.parent)?.message.contains("link those under T-1001 instead") == true)
        #expect(refused(Self.child, TicketDecider.initialState)?.code == .notFound)
        let billing = DecisionContext(actor: Fixture.billing, now: Fixture.now)
        #expect(refusal { () throws(DomainError) in try TicketDecider.decideLink(child: Self.child, parent: Self.parent, context: billing) }?.code == .forbidden)
    }

    /// A linked ticket, or one with tickets under it, is not merged: the link would point at a ticket closed for good.
    @Test func aLinkedTicketIsNotMerged() throws {
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1003)])
        let child = TicketDecider.fold([Fixture.opened(Fixture.t1002), Self.linked])
        let parent = TicketDecider.fold([Fixture.opened(Fixture.t1001), Self.linked])
        for source in [child, parent] {
            let error = refusal { () throws(DomainError) in try TicketDecider.decideMerge(source: source, target: target, context: Self.context) }
            #expect(error?.code == .conflict && error?.message.contains("docket ticket unlink T-1002") == true, "\(String(describing: error))")
        }
    }
}
