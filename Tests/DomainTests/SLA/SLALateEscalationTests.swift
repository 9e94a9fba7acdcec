import BusinessTime
import DocketTime
import Domain
import Testing

/// A tick that runs late records each escalation at the instant it was due, but does not carry out an action that
/// what happened since made moot. New York office hours, Friday 9 January 2026 (EST, UTC−5).
@Suite("SLA late escalations")
struct SLALateEscalationTests {
    let at = SLAFixture.at

    /// P2 opened Friday 15:00 EST: `p2-to-dora` (90 untouched minutes) is due at 16:30 EST.
    func p2() -> TicketSLAStarted {
        SLAFixture.started(priority: "P2", at: at("2026-01-09T20:00:00Z"), escalations: SLAFixture.escalations)
    }

    /// The events a tick at `now` records, after `events` (each with its instant).
    func tick(_ started: TicketSLAStarted, _ events: [(TicketEvent, String)], now: String) -> [TicketEscalated] {
        let sla = clock(started, events)
        let history = events.map { (event: $0.0, at: at($0.1)) }
        return sla.dueEvents(at: at(now), history: history).compactMap {
            if case .escalated(let escalation) = $0 { escalation } else { nil }
        }
    }

    static let assignedToBob = TicketEvent.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))

    @Test func aReplyAfterTheDueInstantSkipsTheAssignmentButKeepsTheEscalation() throws {
        let escalations = tick(
            p2(), [(Self.assignedToBob, "2026-01-09T21:40:00Z"), (SLAFixture.publicReply, "2026-01-09T21:41:00Z")],
            now: "2026-01-09T21:45:00Z")
        let escalation = try #require(escalations.first)
        #expect(escalations.count == 1)
        #expect(escalation.rule == "p2-to-dora")
        #expect(escalation.dueAt == at("2026-01-09T21:30:00Z"), "recorded at the instant it was due")
        #expect(escalation.skipped == "the response clock was met (first public reply)")
        #expect(escalation.mootAt == at("2026-01-09T21:41:00Z"), "the instant is a field, not part of the text")
    }

    @Test func anAssignmentAfterTheDueInstantSkipsAnAssignAction() throws {
        let escalation = try #require(
            tick(p2(), [(Self.assignedToBob, "2026-01-09T21:40:00Z")], now: "2026-01-09T21:45:00Z").first)
        #expect(escalation.skipped == "the ticket was assigned to bob")
        #expect(escalation.mootAt == at("2026-01-09T21:40:00Z"))
    }

    @Test func anAssignmentBeforeTheDueInstantDoesNotSkipIt() throws {
        let escalation = try #require(
            tick(p2(), [(Self.assignedToBob, "2026-01-09T20:10:00Z")], now: "2026-01-09T21:45:00Z").first)
        #expect(escalation.skipped == nil, "the rule is for a ticket nobody answered, assigned or not")
        #expect(escalation.mootAt == nil)
    }

    @Test func aRaiseIsSkippedWhenTheTicketWasAnsweredOrItsPriorityChangedSince() throws {
        // P3 opened Friday 09:00 EST: `p3-raise` (180 untouched minutes) is due at 12:00 EST (17:00Z).
        let p3 = SLAFixture.started(priority: "P3", at: at("2026-01-09T14:00:00Z"), escalations: SLAFixture.escalations)
        let answered = try #require(tick(p3, [(SLAFixture.publicReply, "2026-01-09T17:05:00Z")], now: "2026-01-09T17:10:00Z").first)
        #expect(answered.rule == "p3-raise")
        #expect(answered.skipped?.hasPrefix("the response clock was met") == true)
        #expect(answered.mootAt == at("2026-01-09T17:05:00Z"))
        let lowered = try #require(
            tick(p3, [(SLAFixture.priority("P4", from: "P3"), "2026-01-09T17:05:00Z")], now: "2026-01-09T17:10:00Z").first)
        #expect(lowered.skipped?.contains("(priority P3→P4)") == true, "\(lowered.skipped ?? "nil")")
        let untouched = try #require(tick(p3, [], now: "2026-01-09T17:10:00Z").first)
        #expect(untouched.skipped == nil)
    }

    @Test func aSkippedEscalationIsStillRecorded() {
        var sla = clock(p2(), [(SLAFixture.publicReply, "2026-01-09T21:41:00Z")])
        for event in sla.dueEvents(at: at("2026-01-09T21:45:00Z"), history: [(SLAFixture.publicReply, at("2026-01-09T21:41:00Z"))]) {
            sla.apply(event, at: at("2026-01-09T21:45:00Z"))
        }
        #expect(sla.dueEvents(at: at("2026-01-09T21:45:00Z")).isEmpty, "a second tick records nothing")
    }
}
