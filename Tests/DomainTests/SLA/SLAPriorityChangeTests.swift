import BusinessTime
import DocketTime
import Domain
import Testing

/// Rule 5 of `docs/sla.md` (issue 15, points 12 and 13): a breach stays a breach after a priority change, and
/// raising the urgency never moves a deadline later. Monday–Friday 09:00–17:00 America/New_York, January 2026 (EST).
@Suite("SLA priority changes")
struct SLAPriorityChangeTests {
    let at = SLAFixture.at

    // MARK: - A breach that happened stays a breach

    @Test func loweringThePriorityKeepsTheBreachAndReportsTheNewTargetSeparately() throws {
        // P1: response 1 h, breached at 10:00; lowered to P4 at 11:00, replied and closed at 12:00.
        let sla = clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.priority("P4", from: "P1"), "2026-01-12T11:00:00-05:00"),
                (SLAFixture.publicReply, "2026-01-12T11:30:00-05:00"),
                (SLAFixture.closed, "2026-01-12T12:00:00-05:00"),
            ])
        let status = sla.status(at: at("2026-01-12T13:00:00-05:00"))
        #expect(status.response.state == .breached, "the P1 response target was used up at 10:00")
        #expect(status.response.earlierBreachAt == at("2026-01-12T10:00:00-05:00"))
        #expect(status.response.targetState == .met, "the P4 target, counted from 11:00, was met")
        #expect(status.response.targetSince == at("2026-01-12T11:00:00-05:00"))
        #expect(status.response.targetSeconds == 8 * 3600)
        #expect(status.resolution.state == .met, "P1's 4 h were not used up before the change")
        #expect(status.resolution.earlierBreachAt == nil)
        #expect(sla.earlierBreaches(of: .response) == [at("2026-01-12T10:00:00-05:00")])
    }

    @Test func aBreachRecordedByTickStaysAfterThePriorityChange() {
        var sla = clock(SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")))
        sla.apply(TicketSLAEvent.breached(TicketSLABreached(clock: .response, dueAt: at("2026-01-12T10:00:00-05:00"))), at: at("2026-01-12T10:01:00-05:00"))
        sla.apply(SLAFixture.priority("P4", from: "P1"), at: at("2026-01-12T10:30:00-05:00"))
        let status = sla.status(at: at("2026-01-12T10:45:00-05:00"))
        #expect(status.response.state == .breached)
        #expect(status.response.targetState == .onTrack)
        #expect(sla.alarms().allSatisfy { !($0.clock == .response && $0.dueAt == at("2026-01-12T10:00:00-05:00")) },
            "the breach was recorded once: no alarm records it again")
    }

    @Test func aBreachWhilePausedStaysAfterThePriorityChange() {
        let sla = clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.waiting, "2026-01-12T10:30:00-05:00"),
                (SLAFixture.priority("P3", from: "P1"), "2026-01-12T11:00:00-05:00"),
            ])
        let status = sla.status(at: at("2026-01-12T11:00:00-05:00"))
        #expect(status.response.state == .breached)
        #expect(status.response.targetState == .paused)
        #expect(status.response.earlierBreachAt == at("2026-01-12T10:00:00-05:00"))
    }

    @Test func aPriorityChangeWithoutABreachChangesNothingElse() {
        let sla = clock(
            SLAFixture.started(priority: "P2", at: at("2026-01-12T09:00:00-05:00")),
            [(SLAFixture.priority("P3", from: "P2"), "2026-01-12T10:00:00-05:00")])
        let status = sla.status(at: at("2026-01-12T10:30:00-05:00"))
        #expect(status.response.state == .onTrack)
        #expect(status.response.state == status.response.targetState)
        #expect(status.response.earlierBreachAt == nil)
    }

    // MARK: - Raising the urgency never gives more time

    @Test func raisingAP4ThatUsed38Of40HoursKeepsFriday17() throws {
        // P4 (resolution 40 h) from Monday 12 January 09:00: 38 h used by Friday 16 January 15:00, due Friday 17:00.
        let started = SLAFixture.started(priority: "P4", at: at("2026-01-12T09:00:00-05:00"))
        let before = clock(started, [(SLAFixture.publicReply, "2026-01-12T10:00:00-05:00")])
        #expect(before.status(at: at("2026-01-16T15:00:00-05:00")).resolution.dueAt == at("2026-01-16T17:00:00-05:00"))
        let raised = clock(
            started,
            [
                (SLAFixture.publicReply, "2026-01-12T10:00:00-05:00"),
                (SLAFixture.priority("P1", from: "P4"), "2026-01-16T15:00:00-05:00"),
            ])
        let status = raised.status(at: at("2026-01-16T15:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-16T17:00:00-05:00"), "not Monday 11:00 (P1's 4 h from the change)")
        #expect(status.resolution.targetSeconds == 2 * 3600, "capped at what the P4 target had left")
        #expect(status.resolution.intervals.last?.reason == "priority P4→P1, earlier deadline kept")
        #expect(raised.alarms().last?.dueAt == at("2026-01-16T17:00:00-05:00"), "the breach alarm is at the old deadline")
    }

    @Test func raisingTakesTheNewTargetWhenItIsEarlier() {
        let sla = clock(
            SLAFixture.started(priority: "P4", at: at("2026-01-12T09:00:00-05:00")),
            [(SLAFixture.priority("P1", from: "P4"), "2026-01-12T10:00:00-05:00")])
        let status = sla.status(at: at("2026-01-12T10:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T14:00:00-05:00"), "4 h from the change")
        #expect(status.resolution.targetSeconds == 4 * 3600)
        #expect(status.resolution.intervals.last?.reason == "priority P4→P1")
    }

    @Test func raisingAPausedClockComparesTheTimeLeft() throws {
        // P3 resolution 16 h: 15 h used, paused, raised to P2 (8 h): 1 h left when it resumes.
        let sla = clock(
            SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.publicReply, "2026-01-12T09:30:00-05:00"),
                (SLAFixture.waiting, "2026-01-13T16:00:00-05:00"),
                (SLAFixture.priority("P2", from: "P3"), "2026-01-14T09:00:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-14T10:00:00-05:00"),
            ])
        #expect(sla.status(at: at("2026-01-14T10:00:00-05:00")).resolution.dueAt == at("2026-01-14T11:00:00-05:00"))
    }

    @Test func raisingABreachedClockKeepsItBreachedFromItsBreachInstant() {
        let sla = clock(
            SLAFixture.started(priority: "P2", at: at("2026-01-12T09:00:00-05:00")),
            [(SLAFixture.priority("P1", from: "P2"), "2026-01-12T12:00:00-05:00")])
        let status = sla.status(at: at("2026-01-12T12:30:00-05:00"))
        #expect(status.response.state == .breached, "P2's 2 h response ran out at 11:00")
        #expect(status.response.targetSeconds == 0)
        #expect(status.response.dueAt == at("2026-01-12T11:00:00-05:00"))
        #expect(status.response.earlierBreachAt == at("2026-01-12T11:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T16:00:00-05:00"), "P1's 4 h from the change: earlier than P2's")
    }
}
