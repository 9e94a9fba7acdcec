import BusinessTime
import DocketTime
import Domain
import Testing

@Suite("Business calendars as events")
struct CalendarDeciderTests {
    static let defined = CalendarEvent.defined(
        CalendarDefined(
            id: "ny-office", name: "New York office", effectiveFrom: Fixture.date(1, 1), calendar: SLAFixture.newYork))

    let calendar = given(CalendarDecider.self, [defined])

    @Test func defineRecordsTheOriginalHours() throws {
        let events = try given(CalendarDecider.self).when(
            .define(
                DefineCalendar(
                    id: "ny-office", name: "  New York office ", effectiveFrom: Fixture.date(1, 1),
                    calendar: SLAFixture.newYork)),
            by: Fixture.billing)
        #expect(events == [Self.defined])
        let state = CalendarDecider.fold(events)
        #expect(state.id == "ny-office")
        let (amendment, hours) = try #require(state.calendar(at: Fixture.date(6, 1)))
        #expect(amendment == 0)
        #expect(hours == SLAFixture.newYork)
        #expect(state.calendar(at: Fixture.date(12, 31, year: 2025)) == nil, "nothing before the start")
    }

    @Test("only billing and admin may define or amend calendars", arguments: Role.allCases)
    func permissions(role: Role) {
        let define = given(CalendarDecider.self).refusal(
            of: .define(
                DefineCalendar(id: "x-cal", name: "X", effectiveFrom: Fixture.now, calendar: SLAFixture.newYork)),
            by: Fixture.actor(role))
        let amend = calendar.refusal(
            of: .amend(effectiveFrom: Fixture.date(2, 1), calendar: SLAFixture.berlin), by: Fixture.actor(role))
        let allowed = role == .billing || role == .admin
        #expect((define?.code == .forbidden) == !allowed)
        #expect((amend?.code == .forbidden) == !allowed)
        if !allowed {
            #expect(
                define?.message
                    == "role \(role) cannot change contracts; ask someone with role billing or admin to do it")
        }
    }

    @Test func defineRefusals() throws {
        func define(_ id: String, name: String = "N") -> DomainError? {
            given(CalendarDecider.self).refusal(
                of: .define(
                    DefineCalendar(id: id, name: name, effectiveFrom: Fixture.now, calendar: SLAFixture.newYork)))
        }
        let reserved = try #require(define("24x7"))
        #expect(reserved.code == .invalid)
        #expect(reserved.message == "calendar id 24x7 is built in (round the clock, UTC); choose another id")
        #expect(define("NY Office")?.code == .invalid)
        #expect(define("ny", name: "  ")?.code == .invalid)
        let twice = calendar.refusal(
            of: .define(
                DefineCalendar(id: "ny-office", name: "N", effectiveFrom: Fixture.now, calendar: SLAFixture.berlin)))
        #expect(twice?.code == .conflict)
    }

    @Test func amendRefusalsAndNoOps() throws {
        let missing = given(CalendarDecider.self).refusal(
            of: .amend(effectiveFrom: Fixture.now, calendar: SLAFixture.berlin))
        #expect(missing?.code == .notFound)
        let early = calendar.refusal(
            of: .amend(effectiveFrom: Fixture.date(12, 1, year: 2025), calendar: SLAFixture.berlin))
        #expect(early?.code == .invalid)
        #expect(try calendar.when(.amend(effectiveFrom: Fixture.date(5, 1), calendar: SLAFixture.newYork)).isEmpty)
    }

    /// Defined Jan 1 (New York); amendment 1 effective Mar 1 (Berlin); amendment 2, recorded later, effective
    /// Feb 1 (New York with holidays); amendment 3 effective Mar 1 again (round the clock).
    @Test func calendarAtTimeWithOutOfOrderEffectiveDates() throws {
        var history = [Self.defined]
        func amend(_ date: Timestamp, _ hours: BusinessCalendar) throws {
            history += try given(CalendarDecider.self, history).when(.amend(effectiveFrom: date, calendar: hours))
        }
        try amend(Fixture.date(3, 1), SLAFixture.berlin)
        try amend(Fixture.date(2, 1), SLAFixture.newYorkWithHolidays)
        #expect(
            history.last
                == .amended(
                    CalendarAmended(
                        amendment: 2, effectiveFrom: Fixture.date(2, 1), calendar: SLAFixture.newYorkWithHolidays)))
        var state = CalendarDecider.fold(history)
        #expect(state.calendar(at: Fixture.date(1, 1))?.amendment == 0, "the start instant is included")
        #expect(state.calendar(at: Fixture.date(1, 31))?.amendment == 0)
        #expect(state.calendar(at: Fixture.date(2, 15))?.amendment == 2, "recorded later, effective earlier")
        #expect(state.calendar(at: Fixture.date(2, 15))?.calendar == SLAFixture.newYorkWithHolidays)
        #expect(state.calendar(at: Fixture.date(3, 15))?.amendment == 1)
        #expect(state.calendar(at: Fixture.date(3, 15))?.calendar == SLAFixture.berlin)

        try amend(Fixture.date(3, 1), SLAFixture.roundTheClock("America/New_York"))
        state = CalendarDecider.fold(history)
        #expect(state.calendar(at: Fixture.date(3, 15))?.amendment == 3, "same instant: the later amendment wins")
        #expect(state.calendar(at: Fixture.date(2, 15))?.amendment == 2)
    }

    @Test func theBuiltIn24x7CalendarAlwaysResolves() throws {
        let builtIn = try #require(CalendarState.builtIn("24x7"))
        for instant in [
            Timestamp(millisecondsSinceEpoch: -86_400_000_000), Fixture.now, Fixture.date(1, 1, year: 2400),
        ] {
            let (amendment, hours) = try #require(builtIn.calendar(at: instant))
            #expect(amendment == 0)
            #expect(hours == .twentyFourSeven)
        }
        #expect(CalendarState.builtIn("ny-office") == nil)
    }
}
