import Domain
import Testing

/// The close decision with the closer's time (issue 5 §2): pure, over what the application found in the log.
@Suite("Tickets: time at close")
struct TicketCloseTimeTests {
    let open = given(TicketDecider.self, [Fixture.opened()])

    @Test func aCloserWithTimeClosesAndNoReasonIsRecorded() throws {
        #expect(try open.when(.close(resolution: "Fixed", time: .logged), by: Fixture.tech) == [.closed(TicketClosed(resolution: "Fixed"))])
    }

    @Test func aMonitoringCloseNeedsNoTime() throws {
        #expect(try open.when(.close(resolution: "Auto-resolved", time: .automatic), by: Fixture.dispatcher) == [.closed(TicketClosed(resolution: "Auto-resolved"))])
    }

    @Test func aNoTimeReasonIsTrimmedAndRecorded() throws {
        let events = try open.when(.close(resolution: "Dup", time: .none(reason: "  duplicate of T-1000 ")), by: Fixture.tech)
        #expect(events == [.closed(TicketClosed(resolution: "Dup", noTimeReason: "duplicate of T-1000"))])
    }

    @Test("a blank no-time reason is refused", arguments: ["", "  ", "\n"])
    func blankReason(reason: String) throws {
        let error = try #require(open.refusal(of: .close(resolution: "Dup", time: .none(reason: reason)), by: Fixture.tech))
        #expect(error.code == .invalid)
        #expect(error.message.contains("reason for closing without time is empty"))
    }

    @Test func aCloseWithoutTimeOrReasonIsRefusedNamingTheFix() throws {
        let error = try #require(open.refusal(of: .close(resolution: "Fixed", time: .missing), by: Fixture.tech))
        #expect(error.code == .invalid)
        #expect(error.message == "alice logged no time on T-1001; close it with --time 30m (logged with the close) or --no-time --reason \"why no time\"")
    }

    @Test func theTicketRulesComeBeforeTheTimeRule() throws {
        let closed = given(TicketDecider.self, [Fixture.opened(), .closed(TicketClosed(resolution: "done"))])
        #expect(closed.refusal(of: .close(resolution: "again", time: .missing), by: Fixture.tech)?.code == .closed)
    }
}
