import BusinessTime
import DocketTime
import Domain
import Testing

/// Alarms: the threshold instants `docket tick` records. New York office hours, Monday 12 January 2026 (EST).
@Suite("SLA alarms")
struct SLAAlarmTests {
    let at = SLAFixture.at

    /// P1: response 1 h, resolution 4 h, warnings at 75 % and 90 %, the three fixture escalation rules.
    var p1: TicketSLAStarted {
        SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00"), escalations: SLAFixture.escalations)
    }

    func describe(_ alarms: [SLAAlarm]) -> [String] {
        alarms.map { alarm in
            let local = Timestamp(millisecondsSinceEpoch: alarm.dueAt.millisecondsSinceEpoch - 5 * 3_600_000).iso8601
            let time = String(local.dropFirst(11).prefix(5))
            switch alarm.kind {
            case .warning(let percent): return "\(time) \(alarm.clock) \(percent)%"
            case .breach: return "\(time) \(alarm.clock) breach"
            case .escalation(let rule, _): return "\(time) escalation \(rule)"
            }
        }
    }

    @Test func alarmsHaveExactInstantsInOrder() {
        let sla = clock(p1)
        #expect(
            describe(sla.alarms()) == [
                "09:30 escalation p1-untouched",
                "09:45 response 75%",
                "09:54 response 90%",
                "10:00 response breach",
                "10:30 escalation p2-to-dora",
                "12:00 resolution 75%",
                "12:36 resolution 90%",
                "13:00 resolution breach",
            ])
        #expect(sla.nextAlarm == at("2026-01-12T09:30:00-05:00"))
        let escalation = sla.alarms()[0]
        #expect(
            escalation.event
                == .escalated(
                    TicketEscalated(
                        rule: "p1-untouched", dueAt: at("2026-01-12T09:30:00-05:00"), action: .notifyDispatchers)))
    }

    @Test func recordedEventsRemoveTheirAlarm() {
        var sla = clock(p1)
        for alarm in sla.alarms().prefix(2) { sla.apply(alarm.event, at: at("2026-01-12T09:50:00-05:00")) }
        #expect(sla.nextAlarm == at("2026-01-12T09:54:00-05:00"))
        #expect(describe(sla.alarms()).count == 6)
        // A recorded event for another instant is a different threshold: it does not remove the alarm.
        sla.apply(
            .warned(TicketSLAWarned(clock: .response, percent: 90, dueAt: at("2026-01-12T09:55:00-05:00"))),
            at: at("2026-01-12T09:56:00-05:00"))
        #expect(sla.nextAlarm == at("2026-01-12T09:54:00-05:00"))
    }

    static let overtaken = "the response clock was breached"

    @Test func tickingTwiceOrLateRecordsEachThresholdOnceAtItsInstant() {
        var sla = clock(p1)
        let tick = at("2026-01-12T10:05:00-05:00")
        let due = sla.dueEvents(at: tick)
        #expect(
            due == [
                .escalated(
                    TicketEscalated(
                        rule: "p1-untouched", dueAt: at("2026-01-12T09:30:00-05:00"), action: .notifyDispatchers)),
                // Overtaken by the breach this tick records too: recorded, not sent.
                .warned(
                    TicketSLAWarned(
                        clock: .response, percent: 75, dueAt: at("2026-01-12T09:45:00-05:00"), skipped: Self.overtaken,
                        breachedAt: at("2026-01-12T10:00:00-05:00"))),
                .warned(
                    TicketSLAWarned(
                        clock: .response, percent: 90, dueAt: at("2026-01-12T09:54:00-05:00"), skipped: Self.overtaken,
                        breachedAt: at("2026-01-12T10:00:00-05:00"))),
                .breached(TicketSLABreached(clock: .response, dueAt: at("2026-01-12T10:00:00-05:00"))),
            ])
        for event in due { sla.apply(event, at: tick) }
        #expect(sla.dueEvents(at: tick).isEmpty, "a second tick finds nothing")
        #expect(sla.nextAlarm == at("2026-01-12T10:30:00-05:00"))
    }

    @Test func thresholdsCrossedBeforeAPauseAreStillDueAfterIt() {
        // Nobody ticked; the ticket went to Waiting on client at 11:00.
        var sla = clock(p1, [(SLAFixture.waiting, "2026-01-12T11:00:00-05:00")])
        #expect(
            describe(sla.alarms()) == [
                "09:30 escalation p1-untouched",
                "09:45 response 75%",
                "09:54 response 90%",
                "10:00 response breach",
                "10:30 escalation p2-to-dora",
            ], "a paused clock has no future alarms, but crossed thresholds stay due")
        for event in sla.dueEvents(at: at("2026-01-12T11:05:00-05:00")) {
            sla.apply(event, at: at("2026-01-12T11:05:00-05:00"))
        }
        #expect(sla.alarms().isEmpty)
        // Resumed Tuesday 09:00: 2 business hours banked, the resolution's 75 % (3 h) is one hour away.
        sla.apply(SLAFixture.backInProgress, at: at("2026-01-13T09:00:00-05:00"))
        #expect(
            describe(sla.alarms()).prefix(3) == [
                "10:00 resolution 75%", "10:36 resolution 90%", "11:00 resolution breach",
            ])
        #expect(sla.nextAlarm == at("2026-01-13T10:00:00-05:00"))
    }

    @Test func closingLateStillLeavesTheBreachToRecord() {
        let sla = clock(
            p1,
            [(SLAFixture.publicReply, "2026-01-12T09:10:00-05:00"), (SLAFixture.closed, "2026-01-12T14:00:00-05:00")])
        #expect(
            describe(sla.alarms()) == ["12:00 resolution 75%", "12:36 resolution 90%", "13:00 resolution breach"])
        #expect(sla.status(at: at("2026-01-12T15:00:00-05:00")).resolution.state == .breached, "met after due")
    }

    @Test func escalationsWatchTheCurrentPriorityAndStopWithTheResponse() {
        // P3: only p3-raise (180 minutes) applies.
        let p3 = clock(
            SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00"), escalations: SLAFixture.escalations)
        )
        #expect(describe(p3.alarms()).filter { $0.contains("escalation") } == ["12:00 escalation p3-raise"])
        // Raised to P2 at 10:00: p3-raise no longer applies; p2-to-dora counts 90 minutes from the change.
        let raised = clock(
            SLAFixture.started(
                priority: "P3", at: at("2026-01-12T09:00:00-05:00"), escalations: SLAFixture.escalations),
            [(SLAFixture.priority("P2", from: "P3"), "2026-01-12T10:00:00-05:00")])
        #expect(describe(raised.alarms()).filter { $0.contains("escalation") } == ["11:30 escalation p2-to-dora"])
        // Replied: no escalation any more.
        let replied = clock(p1, [(SLAFixture.publicReply, "2026-01-12T09:20:00-05:00")])
        #expect(describe(replied.alarms()).filter { $0.contains("escalation") || $0.contains("response") }.isEmpty)
    }

    @Test func alarmsAcrossTheWeekend() {
        let sla = clock(SLAFixture.started(priority: "P1", at: at("2026-01-09T16:00:00-05:00")))
        #expect(
            sla.alarms().filter { $0.clock == .resolution }.map(\.dueAt) == [
                at("2026-01-12T11:00:00-05:00"), at("2026-01-12T11:36:00-05:00"), at("2026-01-12T12:00:00-05:00"),
            ])
        #expect(
            sla.alarms().filter { $0.clock == .response }.map(\.dueAt) == [
                at("2026-01-09T16:45:00-05:00"), at("2026-01-09T16:54:00-05:00"), at("2026-01-09T17:00:00-05:00"),
            ], "the breach is the closing instant")
    }

    @Test func alarmsOfAPriorityChangeStartAfresh() {
        var sla = clock(SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")))
        let early = sla.dueEvents(at: at("2026-01-12T12:10:00-05:00"))
        #expect(
            early == [.warned(TicketSLAWarned(clock: .response, percent: 75, dueAt: at("2026-01-12T12:00:00-05:00")))])
        for event in early { sla.apply(event, at: at("2026-01-12T12:10:00-05:00")) }
        sla.apply(SLAFixture.priority("P2", from: "P3"), at: at("2026-01-12T12:30:00-05:00"))
        // P2 response: 2 hours from 12:30 would be 14:30, later than P3's 13:00, so the target is the 30 minutes
        // P3 had left (rule 5) → 75 % at 12:52:30, 90 % at 12:57, breach at 13:00.
        #expect(
            sla.alarms().filter { $0.clock == .response }.map(\.dueAt) == [
                at("2026-01-12T12:52:30-05:00"), at("2026-01-12T12:57:00-05:00"), at("2026-01-12T13:00:00-05:00"),
            ])
        // Lowered instead, the new target counts from the change: P4's 8 hours.
        var lowered = clock(SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")))
        for event in early { lowered.apply(event, at: at("2026-01-12T12:10:00-05:00")) }
        lowered.apply(SLAFixture.priority("P4", from: "P3"), at: at("2026-01-12T12:30:00-05:00"))
        #expect(lowered.alarms().filter { $0.clock == .response }.last?.dueAt == at("2026-01-13T12:30:00-05:00"))
    }
}
