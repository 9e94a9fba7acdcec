import BusinessTime
import DocketTime
import Domain
import Testing

/// The worked example of `docs/sla.md`, step by step.
@Suite("SLA docs example")
struct SLADocExampleTests {
    let at = SLAFixture.at

    @Test func theWorkedExample() throws {
        let rule = EscalationRule(
            id: "p2-to-dora", priorities: ["P1", "P2"], untouchedMinutes: 90, action: .assign(login: "dora"))
        var sla = SLAClock.start(
            SLAFixture.started(priority: "P2", at: at("2026-01-09T15:00:00-05:00"), escalations: [rule]))

        var status = sla.status(at: at("2026-01-09T15:00:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-09T17:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T15:00:00-05:00"))
        #expect(sla.nextAlarm == at("2026-01-09T16:30:00-05:00"), "response 75 % and the escalation, both at 16:30")
        #expect(
            sla.alarms().map(\.description) == [
                "2026-01-09T21:30:00.000Z response 75%", "2026-01-09T21:30:00.000Z escalation p2-to-dora",
                "2026-01-09T21:48:00.000Z response 90%", "2026-01-09T22:00:00.000Z response breach",
                "2026-01-12T18:00:00.000Z resolution 75%", "2026-01-12T19:12:00.000Z resolution 90%",
                "2026-01-12T20:00:00.000Z resolution breach",
            ])

        sla.apply(SLAFixture.publicReply, at: at("2026-01-09T16:00:00-05:00"))
        #expect(sla.status(at: at("2026-01-09T16:00:00-05:00")).response.state == .met)
        #expect(sla.alarms().allSatisfy { $0.clock == .resolution }, "the reply removed the response alarms")
        #expect(sla.response.bankedSeconds == 3600)

        sla.apply(SLAFixture.waiting, at: at("2026-01-09T16:30:00-05:00"))
        #expect(sla.resolution.bankedSeconds == 5400)
        #expect(sla.status(at: at("2026-01-10T12:00:00-05:00")).resolution.state == .paused)

        sla.apply(SLAFixture.backInProgress, at: at("2026-01-12T10:00:00-05:00"))
        status = sla.status(at: at("2026-01-12T10:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T16:30:00-05:00"))
        #expect(sla.nextAlarm == at("2026-01-12T14:30:00-05:00"), "resolution 75 % = 6 h")

        sla.apply(SLAFixture.priority("P1", from: "P2"), at: at("2026-01-12T11:00:00-05:00"))
        status = sla.status(at: at("2026-01-12T12:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-12T15:00:00-05:00"))
        #expect(status.resolution.usedSeconds == 3600)
        #expect(status.resolution.remainingSeconds == 3 * 3600)
        #expect(status.resolution.state == .onTrack)
        #expect(
            sla.alarms().map(\.dueAt) == [
                at("2026-01-12T14:00:00-05:00"), at("2026-01-12T14:36:00-05:00"), at("2026-01-12T15:00:00-05:00"),
            ])

        sla.apply(SLAFixture.closed, at: at("2026-01-12T13:30:00-05:00"))
        status = sla.status(at: at("2026-01-12T14:00:00-05:00"))
        #expect(status.resolution.state == .met)
        #expect(status.resolution.usedSeconds == 9000)
        #expect(status.dueAt == nil)
        #expect(sla.alarms().isEmpty)

        let lines = sla.resolution.intervals
        #expect(lines.map(\.reason) == ["opened", "waiting on client", "resumed", "priority P2→P1", "closed"])
        #expect(lines.map(\.mode) == [.running, .paused, .running, .running, .met])
        #expect(lines.map(\.countedMilliseconds) == [5_400_000, 0, 3_600_000, 9_000_000, nil])
        #expect(lines.map(\.targetSeconds) == [28_800, 28_800, 28_800, 14_400, 14_400])
        #expect(
            sla.calendar.businessSeconds(from: at("2026-01-09T16:30:00-05:00"), to: at("2026-01-12T10:00:00-05:00"))
                == 5400, "business time not counted while waiting")
    }
}
