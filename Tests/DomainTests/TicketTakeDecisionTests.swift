import DocketTime
import Domain
import Testing

/// `TicketDecider.decideTake`: a tech takes a ticket only if nobody else has it.
@Suite("Tickets: taking one")
struct TicketTakeDecisionTests {
    let context = DecisionContext(actor: Fixture.tech, now: Fixture.now)

    func take(_ history: [TicketEvent]) throws(DomainError) -> [TicketEvent] {
        try TicketDecider.decideTake(user: Fixture.alice, state: TicketDecider.fold(history), context: context)
    }

    @Test func anUnassignedTicketIsTakenAndOnesOwnIsLeftAsItIs() throws {
        #expect(try take([Fixture.opened()]) == [.assigned(TicketAssigned(assignee: "alice", previousAssignee: nil))])
        #expect(try take([Fixture.opened(), .assigned(TicketAssigned(assignee: "alice", previousAssignee: nil))]).isEmpty)
    }

    @Test func anotherUsersTicketIsRefusedNamingThemAndTheFix() throws {
        let error = try #require(refusal { () throws(DomainError) in
            try take([Fixture.opened(), .assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))])
        })
        #expect(error.code == .taken)
        #expect(error.message == "T-1001 is already bob's; ask bob, or reassign it with `docket ticket assign T-1001 --to alice`")
    }

    @Test func aClosedTicketOrABillingUserIsRefusedAsAnAssignmentIs() throws {
        let closed = try #require(refusal { () throws(DomainError) in
            try take([Fixture.opened(), .closed(TicketClosed(resolution: "done"))])
        })
        #expect(closed.code == .closed)
        let billing = try #require(refusal { () throws(DomainError) in
            try TicketDecider.decideTake(
                user: UserSnapshot(login: "bill", name: "Bill", role: .billing, isActive: true), state: TicketDecider.fold([Fixture.opened()]),
                context: DecisionContext(actor: Fixture.billing, now: Fixture.now))
        })
        #expect(billing.code == .forbidden)
    }
}
