import BusinessTime
import DocketTime
import Domain
import Testing

/// Rule 2: only a person's public reply meets the response clock. A routing rule's template reply is Docket's
/// (`isAutomatic`): a P1 nobody looked at stays unanswered, and its escalations still fire.
@Suite("SLA automatic replies")
struct SLAAutomaticReplyTests {
    let at = SLAFixture.at

    static let autoReply = TicketEvent.commented(TicketCommented(text: "We are on it.", visibility: .public, isAutomatic: true))

    @Test func anAutomaticReplyDoesNotMeetTheResponseButAPersonsDoes() {
        let p1 = SLAFixture.started(priority: "P1", at: at("2026-01-12T14:00:00Z"), escalations: SLAFixture.escalations)
        let routed = clock(p1, [(Self.autoReply, "2026-01-12T14:00:00Z")])
        let status = routed.status(at: at("2026-01-12T14:20:00Z"))
        #expect(status.response.metAt == nil)
        #expect(status.response.usedSeconds == 20 * 60)
        #expect(routed.nextAlarm == at("2026-01-12T14:30:00Z"), "p1-untouched still fires")
        let answered = clock(p1, [(Self.autoReply, "2026-01-12T14:00:00Z"), (SLAFixture.publicReply, "2026-01-12T14:20:00Z")])
        #expect(answered.status(at: at("2026-01-12T14:30:00Z")).response.metAt == at("2026-01-12T14:20:00Z"))
    }

    @Test func theFlagIsWrittenOnlyWhenSetSoOldCommentsKeepTheirBytes() throws {
        let person = DocketEvent.ticket(.commented(TicketCommented(text: "On it", visibility: .public)))
        #expect(String(decoding: person.payload(), as: UTF8.self) == #"{"text":"On it","visibility":"public"}"#)
        let automatic = DocketEvent.ticket(Self.autoReply)
        #expect(String(decoding: automatic.payload(), as: UTF8.self) == #"{"automatic":true,"text":"We are on it.","visibility":"public"}"#)
        #expect(try DocketEvent.decode(type: "ticket.commented", schemaVersion: 1, payload: automatic.payload()) == automatic)
    }
}
