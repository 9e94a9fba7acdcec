import DocketTime
import Domain
import Testing

/// ``EscalationReaction``: what an escalation recorded by `docket tick` does to the ticket.
@Suite struct EscalationReactionTests {
    typealias MemoryState = ReactionTests.MemoryState

    static let dueAt = Timestamp(iso8601: "2026-11-02T08:30:00Z")!

    func run(_ escalation: TicketEscalated, state: MemoryState = MemoryState()) throws -> [TicketEvent] {
        var state = state
        state.history = [.ticket(.opened(ReactionTests.opened))]
        let context = DecisionContext(actor: Actor(login: "dora", role: .dispatcher), now: ReactionTests.now)
        let input = ReactionInput(
            ticket: ReactionTests.number, caused: [.ticketSLA(.escalated(escalation))], context: context,
            recordedAt: ReactionTests.now, supportAddress: "help@msp.example", messageSeed: 7)
        return try EscalationReaction().react(to: input, state: state).events.compactMap {
            if case .ticket(let event) = $0 { event } else { nil }
        }
    }

    @Test func anEscalationIsCarriedOut() throws {
        let events = try run(TicketEscalated(rule: "p2-to-dora", dueAt: Self.dueAt, action: .assign(login: "dora")))
        #expect(events == [.assigned(TicketAssigned(assignee: "dora", previousAssignee: nil, escalationRule: "p2-to-dora"))])
        #expect(try run(TicketEscalated(rule: "p3-raise", dueAt: Self.dueAt, action: .raisePriority))
            == [.priorityChanged(TicketPriorityChanged(priority: .p2, previousPriority: .p3))])
    }

    @Test func aSkippedEscalationDoesNothing() throws {
        for action in [EscalationAction.assign(login: "dora"), .raisePriority, .notifyDispatchers] {
            let escalation = TicketEscalated(rule: "r1", dueAt: Self.dueAt, action: action, skipped: "the response clock was met")
            #expect(try run(escalation).isEmpty, "\(action)")
        }
    }

    @Test func aRefusedActionIsNotedOnTheTicket() throws {
        let events = try run(TicketEscalated(rule: "p2-to-zed", dueAt: Self.dueAt, action: .assign(login: "zed")))
        guard case .commented(let note) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one internal note, got \(events)")
            return
        }
        #expect(note.visibility == .internal)
        #expect(note.text.hasPrefix("Escalation rule p2-to-zed could not assign zed: "), "\(note.text)")
    }
}
