import BusinessTime
import DocketTime
import Domain
import Testing

/// Rule 5, "raising the urgency never moves a deadline later", across several changes: a priority round trip
/// (P1 → P4 → P1) keeps the P1 deadline the ticket already had. Monday 12 January 2026, New York office hours (EST).
@Suite("SLA priority round trips")
struct SLAPriorityRoundTripTests {
    let at = SLAFixture.at

    /// P1 opened Monday 09:00: resolution 4 h, due 13:00. At 12:50 (3 h 50 used) lowered to P4, at 12:55 raised back.
    func roundTrip(_ events: [(TicketEvent, String)] = []) -> SLAClock {
        clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.priority("P4", from: "P1"), "2026-01-12T12:50:00-05:00"),
                (SLAFixture.priority("P1", from: "P4"), "2026-01-12T12:55:00-05:00"),
            ] + events)
    }

    @Test func raisingBackKeepsTheDeadlineTheTicketHadAtThatPriority() throws {
        let status = roundTrip().status(at: at("2026-01-12T12:56:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T13:00:00-05:00"), "not a fresh 4 h from 12:55 (16:55)")
        #expect(status.resolution.targetSeconds == 5 * 60)
        let last = try #require(status.resolution.intervals.last)
        #expect(last.reason == "priority P4→P1, earlier deadline kept")
    }

    @Test func aTargetUsedUpUnderTheLowerPriorityIsBreachedWhenRaisedBack() {
        // The P1 response (1 h) ran out at 10:00; P4 gave 8 h from 12:50; back at P1 it has nothing left.
        let status = roundTrip().status(at: at("2026-01-12T12:56:00-05:00"))
        #expect(status.response.state == .breached)
        #expect(status.response.targetSeconds == 0)
    }

    @Test func raisingToAPriorityTheTicketNeverHadTakesItsTargetAsBefore() {
        // P3 opened 09:00, lowered to P4 at 10:00, raised to P2 at 11:00: P2 was never held, so 8 h from 11:00
        // (capped only by P4's time left, which is longer).
        let sla = clock(
            SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.priority("P4", from: "P3"), "2026-01-12T10:00:00-05:00"),
                (SLAFixture.priority("P2", from: "P4"), "2026-01-12T11:00:00-05:00"),
            ])
        #expect(sla.status(at: at("2026-01-12T11:00:00-05:00")).resolution.targetSeconds == 8 * 3600)
    }

    @Test func timeWaitingOnTheClientDoesNotCountAgainstTheEarlierDeadline() {
        // P1 at 09:00; waiting on the client 10:00–14:00 (P1's resolution has 3 h left); P4 at 14:00, P1 at 14:30:
        // 3 h − 30 min = 2 h 30 left, due 17:00.
        let sla = clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.waiting, "2026-01-12T10:00:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-12T14:00:00-05:00"),
                (SLAFixture.priority("P4", from: "P1"), "2026-01-12T14:00:00-05:00"),
                (SLAFixture.priority("P1", from: "P4"), "2026-01-12T14:30:00-05:00"),
            ])
        #expect(sla.status(at: at("2026-01-12T14:30:00-05:00")).resolution.dueAt == at("2026-01-12T17:00:00-05:00"))
    }
}
