import BusinessTime
import DocketTime
import Domain
import Testing

/// Per-priority calendars: terms on New York office hours whose P1 is worked round the clock (`{P1: 24x7}`). Each
/// stretch counts with the calendar of the priority its clock is targeting, a deadline with the current priority's, and
/// rule 5 compares instants. Friday 9 January 2026, EST (UTC−5); P1 1 h/4 h, P3 4 h/16 h, P4 8 h/40 h.
@Suite("SLA per-priority calendars")
struct SLAPriorityCalendarTests {
    let at = SLAFixture.at

    static let p1RoundTheClock: [Priority: SLAFrozenCalendar] = [
        "P1": SLAFrozenCalendar(calendarId: "24x7", calendarAmendment: 0, calendar: .twentyFourSeven)
    ]

    func started(_ priority: Priority, _ instant: String, calendars: [Priority: SLAFrozenCalendar] = p1RoundTheClock) -> TicketSLAStarted {
        var started = SLAFixture.started(priority: priority, at: at(instant), escalations: SLAFixture.escalations)
        started.calendars = calendars
        return started
    }

    @Test func aP1OpenedFridayEveningIsDueThatEvening() {
        let sla = clock(started("P1", "2026-01-09T18:00:00-05:00"))
        let status = sla.status(at: at("2026-01-09T20:00:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-09T19:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-09T22:00:00-05:00"), "4 h round the clock, not Monday 13:00")
        #expect(status.resolution.usedSeconds == 2 * 3600 && status.resolution.state == .onTrack)
        #expect(status.response.state == .breached)
        // Alarms and escalations count on the same clock: 75 % of the resolution at 21:00, p1-untouched after 30 minutes.
        let alarms = sla.alarms()
        #expect(alarms.contains(SLAAlarm(clock: .resolution, kind: .warning(percent: 75), dueAt: at("2026-01-09T21:00:00-05:00"))))
        #expect(alarms.first == SLAAlarm(
            clock: .response, kind: .escalation(rule: "p1-untouched", action: .notifyDispatchers), dueAt: at("2026-01-09T18:30:00-05:00")))
        #expect(sla.nextAlarm == at("2026-01-09T18:30:00-05:00"))
    }

    @Test func aP4OnTheSameTermsCountsOfficeHours() {
        let status = clock(started("P4", "2026-01-09T18:00:00-05:00")).status(at: at("2026-01-09T18:00:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-12T17:00:00-05:00"), "8 h from Monday 09:00")
        #expect(status.resolution.dueAt == at("2026-01-16T17:00:00-05:00"), "40 h: the whole next week")
    }

    /// The docs' example: a P3 opened Friday 16:00 and raised to P1 at 16:30 is due when P1's target runs out counted
    /// round the clock from 16:30; the P3 office-hours deadlines (Monday) are later.
    @Test func raisingToAPriorityOnAnotherCalendarCountsItsTargetWithThatCalendar() throws {
        let sla = clock(started("P3", "2026-01-09T16:00:00-05:00"), [(SLAFixture.priority("P1", from: "P3"), "2026-01-09T16:30:00-05:00")])
        let status = sla.status(at: at("2026-01-09T17:15:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-09T17:30:00-05:00"), "P3 would have been Monday 12:00")
        #expect(status.resolution.dueAt == at("2026-01-09T20:30:00-05:00"))
        #expect(status.response.targetSeconds == 3600 && status.response.usedSeconds == 45 * 60 && status.response.state == .atRisk)
        let intervals = status.response.intervals
        #expect(intervals.map(\.reason) == ["opened", "priority P3→P1"])
        #expect(intervals.map(\.countedMilliseconds) == [30 * 60_000, 45 * 60_000], "office time before, round the clock after")
    }

    @Test func raisingKeepsTheOldDeadlineWhenItComesFirstAsAnInstant() throws {
        // P3 opened 13:00: its response (4 h of office hours) is due 17:00, before P1's hour from 16:30 (17:30).
        let sla = clock(started("P3", "2026-01-09T13:00:00-05:00"), [(SLAFixture.priority("P1", from: "P3"), "2026-01-09T16:30:00-05:00")])
        let status = sla.status(at: at("2026-01-09T16:30:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-09T17:00:00-05:00"))
        #expect(status.response.targetSeconds == 30 * 60, "the 30 minutes to 17:00, round the clock")
        #expect(try #require(status.response.intervals.last).reason == "priority P3→P1, earlier deadline kept")
        #expect(status.resolution.dueAt == at("2026-01-09T20:30:00-05:00"), "P3's 12 h 30 left run into next week")
    }

    @Test func loweringCountsTheNewTargetInOfficeHoursFromTheChange() throws {
        let sla = clock(started("P1", "2026-01-09T18:00:00-05:00"), [(SLAFixture.priority("P4", from: "P1"), "2026-01-09T18:20:00-05:00")])
        let status = sla.status(at: at("2026-01-10T12:00:00-05:00"))
        #expect(status.response.dueAt == at("2026-01-12T17:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-16T17:00:00-05:00"))
        #expect(status.response.usedSeconds == 0 && status.response.state == .onTrack, "Saturday counts nothing in office hours")
        #expect(status.response.intervals.map(\.countedMilliseconds) == [20 * 60_000, 0])
    }

    /// P1 at 18:00 (resolution due 22:00 round the clock), lowered to P4 at 21:50, raised back at 21:55: still due 22:00.
    /// The five minutes at P4 count nothing in office hours, but P1's deadline counts them round the clock.
    @Test func aRoundTripAcrossCalendarsKeepsTheFirstDeadline() throws {
        let sla = clock(
            started("P1", "2026-01-09T18:00:00-05:00"),
            [
                (SLAFixture.priority("P4", from: "P1"), "2026-01-09T21:50:00-05:00"),
                (SLAFixture.priority("P1", from: "P4"), "2026-01-09T21:55:00-05:00"),
            ])
        let status = sla.status(at: at("2026-01-09T21:56:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-09T22:00:00-05:00"), "not 4 h from 21:55")
        #expect(status.resolution.targetSeconds == 5 * 60)
        #expect(try #require(status.resolution.intervals.last).reason == "priority P4→P1, earlier deadline kept")
        #expect(status.resolution.intervals.map(\.countedMilliseconds) == [(3 * 60 + 50) * 60_000, 0, 60_000])
        #expect(status.response.state == .breached && status.response.targetSeconds == 0, "P1's hour ran out at 19:00")
    }

    /// A resolution clock met under P3 keeps its target through a change to P1; reopened, it counts with P3's calendar.
    @Test func aClockReopenedAfterAPriorityChangeCountsForTheTargetItHas() {
        let sla = clock(
            started("P3", "2026-01-09T16:00:00-05:00"),
            [
                (SLAFixture.publicReply, "2026-01-09T16:10:00-05:00"), (SLAFixture.closed, "2026-01-09T16:20:00-05:00"),
                (SLAFixture.priority("P1", from: "P3"), "2026-01-09T16:30:00-05:00"), (SLAFixture.reopened, "2026-01-09T18:00:00-05:00"),
            ])
        // 16 h of office hours, 20 minutes used: 15 h 40 from Monday 09:00 is Tuesday 16:40.
        #expect(sla.status(at: at("2026-01-09T18:00:00-05:00")).resolution.dueAt == at("2026-01-13T16:40:00-05:00"))
    }

    /// Terms whose priorities all count with one calendar give the clocks they always gave: histories that never reach P1
    /// fold to the same state and answers with or without `{P1: 24x7}` (which then changes only how rule 5 computes).
    @Test func prioritiesOnThePolicysCalendarFoldAsWithoutOverrides() {
        var random = SplitMix64(seed: 39)
        let priorities: [Priority] = ["P2", "P3", "P4"]
        for history in 0..<150 {
            var now = at("2026-01-09T08:00:00-05:00").millisecondsSinceEpoch + Int64(random.below(20 * 86_400)) * 1000
            var priority = priorities[random.below(3)]
            var plain = SLAClock.start(started(priority, "2026-01-01T00:00:00Z", calendars: [:]).starting(at: now))
            var split = SLAClock.start(started(priority, "2026-01-01T00:00:00Z").starting(at: now))
            for step in 0..<14 {
                now += Int64(random.below(2 * 86_400)) * 1000 + Int64(random.below(1000))
                let instant = Timestamp(millisecondsSinceEpoch: now)
                let events: [TicketEvent]
                switch random.below(7) {
                case 0: events = [SLAFixture.publicReply]
                case 1: events = [SLAFixture.waiting]
                case 2: events = [SLAFixture.backInProgress]
                case 3: events = [SLAFixture.closed]
                case 4: events = [SLAFixture.reopened]
                default:
                    let new = priorities[random.below(3)]
                    events = [SLAFixture.priority(new, from: priority)]
                    priority = new
                }
                for event in events {
                    plain.apply(event, at: instant)
                    split.apply(event, at: instant)
                }
                for due in plain.dueEvents(at: instant) {
                    plain.apply(due, at: instant)
                    split.apply(due, at: instant)
                }
                #expect(plain.progress == split.progress, "history \(history) step \(step)")
                #expect(plain.alarms() == split.alarms() && plain.nextAlarm == split.nextAlarm, "history \(history) step \(step)")
                #expect(plain.status(at: instant) == split.status(at: instant), "history \(history) step \(step)")
            }
        }
    }
}

extension TicketSLAStarted {
    /// These terms started at `milliseconds` since the epoch.
    fileprivate func starting(at milliseconds: Int64) -> TicketSLAStarted {
        var started = self
        started.startedAt = Timestamp(millisecondsSinceEpoch: milliseconds)
        return started
    }
}
