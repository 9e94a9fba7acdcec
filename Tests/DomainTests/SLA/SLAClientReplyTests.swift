import BusinessTime
import DocketTime
import Domain
import Testing

/// Only the MSP's public reply meets the response clock: the client's own reply (a portal contact's, actor
/// `contact:<id>`) does not, whether its payload says so (`fromClient`) or only its actor does (older events).
@Suite("SLA client replies")
struct SLAClientReplyTests {
    let at = SLAFixture.at
    static let clientReply = TicketEvent.commented(TicketCommented(text: "Still down", visibility: .public, isFromClient: true))

    @Test func aClientsPublicReplyLeavesTheResponseClockRunning() {
        let started = SLAFixture.started(priority: "P2", at: at("2026-01-09T20:00:00Z"))
        let replied = clock(started, [(Self.clientReply, "2026-01-09T20:30:00Z")])
        #expect(!replied.response.isMet)
        #expect(replied.dueAt(.response) == at("2026-01-09T22:00:00Z"))
        let answered = clock(started, [(Self.clientReply, "2026-01-09T20:30:00Z"), (SLAFixture.publicReply, "2026-01-09T20:40:00Z")])
        #expect(answered.response.metAt == at("2026-01-09T20:40:00Z"))
    }

    @Test func aContactsCommentIsTheClientsInTheEventAndByItsActor() throws {
        let contact = DecisionContext(actor: Actor(login: "contact:acme-1", role: .tech), now: at("2026-01-09T20:30:00Z"))
        let opened = TicketState(number: TicketNumber("T-1001"), client: "acme", priority: "P2")
        let events = try TicketDecider.decide(.comment("Still down", visibility: .public), state: opened, context: contact)
        #expect(events == [Self.clientReply])
        let staff = DecisionContext(actor: Actor(login: "bob", role: .tech), now: at("2026-01-09T20:30:00Z"))
        #expect(try TicketDecider.decide(.comment("On it", visibility: .public), state: opened, context: staff).first == SLAFixture.publicReply)
        // An event recorded before `fromClient` existed is told by its actor.
        let old = TicketEvent.commented(TicketCommented(text: "Still down", visibility: .public))
        #expect(old.attributed(to: "contact:acme-1") == Self.clientReply)
        #expect(old.attributed(to: "bob") == old)
    }
}
