import BusinessTime
import DocketTime
import Domain
import Testing

/// `nextAlarm` is what the sla model indexes every row by (`rm.sla8.alarms`, what `docket tick` walks): it must be the
/// instant of `alarms().first` for clocks in every state — running, paused, met, breached, re-targeted, with alarms
/// reached in finished stretches and some of them recorded.
@Suite("SLA next alarm, property")
struct SLANextAlarmPropertyTests {
    static let priorities: [Priority] = ["P1", "P2", "P3", "P4"]

    @Test(arguments: [SLAFixture.newYork, SLAFixture.newYorkWithHolidays, SLAFixture.berlin, SLAFixture.roundTheClock("UTC")])
    func nextAlarmIsTheFirstAlarm(calendar: BusinessCalendar) {
        Self.check(calendar: calendar)
    }

    /// The same with priorities on calendars of their own: P1 round the clock, P4 in Berlin's office hours.
    @Test(arguments: [SLAFixture.newYork, SLAFixture.newYorkWithHolidays])
    func nextAlarmIsTheFirstAlarmWithPerPriorityCalendars(calendar: BusinessCalendar) {
        Self.check(
            calendar: calendar,
            calendars: [
                "P1": SLAFrozenCalendar(calendarId: "24x7", calendarAmendment: 0, calendar: .twentyFourSeven),
                "P4": SLAFrozenCalendar(calendarId: "berlin", calendarAmendment: 0, calendar: SLAFixture.berlin),
            ])
    }

    static func check(calendar: BusinessCalendar, calendars: [Priority: SLAFrozenCalendar] = [:]) {
        var random = SplitMix64(seed: 2026_12_05)
        for history in 0..<120 {
            let start = SLAFixture.at("2026-01-09T08:00:00-05:00").millisecondsSinceEpoch + Int64(random.below(40 * 86_400)) * 1000
            var priority = Self.priorities[random.below(4)]
            var started = SLAFixture.started(
                calendar: calendar, priority: priority, at: Timestamp(millisecondsSinceEpoch: start), escalations: SLAFixture.escalations)
            started.calendars = calendars
            var clock = SLAClock.start(started)
            var now = start
            for step in 0..<12 {
                now += Int64(random.below(3 * 86_400)) * 1000 + Int64(random.below(1000))
                let instant = Timestamp(millisecondsSinceEpoch: now)
                switch random.below(8) {
                case 0: clock.apply(SLAFixture.publicReply, at: instant)
                case 1: clock.apply(SLAFixture.waiting, at: instant)
                case 2: clock.apply(SLAFixture.backInProgress, at: instant)
                case 3: clock.apply(SLAFixture.closed, at: instant)
                case 4: clock.apply(SLAFixture.reopened, at: instant)
                case 5:
                    let new = Self.priorities[random.below(4)]
                    clock.apply(SLAFixture.priority(new, from: priority), at: instant)
                    priority = new
                default:
                    // `docket tick`: the alarms due by now recorded, or only the first of them.
                    let due = clock.dueEvents(at: instant)
                    for event in random.below(2) == 0 ? due : Array(due.prefix(1)) { clock.apply(event, at: instant) }
                }
                #expect(clock.nextAlarm == clock.alarms().first?.dueAt, "history \(history) step \(step)")
            }
        }
    }
}
