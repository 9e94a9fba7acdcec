import BusinessTime
import DocketTime
import Testing

/// America/New_York 2026: clocks go 02:00 → 03:00 on Sunday 8 March and 02:00 → 01:00 on Sunday 1 November.
/// Europe/Berlin 2026: 02:00 → 03:00 on Sunday 29 March and 03:00 → 02:00 on Sunday 25 October (01:00 UTC both).
@Suite struct DaylightSavingTests {
    struct DayLength: Sendable, CustomTestStringConvertible {
        var zone: String
        var date: String
        var seconds: Int64
        var testDescription: String { "\(zone) \(date)" }
    }

    /// A 00:00–24:00 slot holds the hours the day really has.
    @Test(arguments: [
        DayLength(zone: "America/New_York", date: "2026-03-08", seconds: 23 * 3600),
        DayLength(zone: "America/New_York", date: "2026-11-01", seconds: 25 * 3600),
        DayLength(zone: "America/New_York", date: "2026-07-01", seconds: 24 * 3600),
        DayLength(zone: "Europe/Berlin", date: "2026-03-29", seconds: 23 * 3600),
        DayLength(zone: "Europe/Berlin", date: "2026-10-25", seconds: 25 * 3600),
        DayLength(zone: "Europe/Berlin", date: "2026-01-15", seconds: 24 * 3600),
        DayLength(zone: "America/Sao_Paulo", date: "2015-10-17", seconds: 24 * 3600),  // clocks went forward at its end
        DayLength(zone: "America/Sao_Paulo", date: "2015-10-18", seconds: 23 * 3600),  // …so this day starts at 01:00
        DayLength(zone: "Australia/Lord_Howe", date: "2026-04-05", seconds: 24 * 3600 + 1800),  // set back 30 min
    ])
    func roundTheClockDayHasItsRealLength(_ day: DayLength) throws {
        let calendar = try roundTheClock(day.zone)
        let date = try LocalDate(parsing: day.date)
        let start = calendar.instant(on: date, at: .startOfDay)
        let end = calendar.instant(on: date, at: .endOfDay)
        let seconds = calendar.businessSeconds(from: start, to: end)
        #expect(seconds == day.seconds)
        #expect(calendar.intervals(from: start, to: end).map(\.date) == [date])
        #expect(calendar.add(businessSeconds: seconds, to: start) == end)
    }

    @Test func newYorkSpringForwardMidnightToMidnight() throws {
        let calendar = try roundTheClock("America/New_York")
        let sunday = try LocalDate(parsing: "2026-03-08")
        let midnight = calendar.instant(on: sunday, at: .startOfDay)
        #expect(midnight == (try instant("2026-03-08T05:00:00Z")))
        #expect(calendar.instant(on: sunday, at: .endOfDay) == (try instant("2026-03-09T04:00:00Z")))
        // Business time is real time in a round-the-clock calendar, whatever the clock does.
        #expect(calendar.add(businessSeconds: 48 * 3600, to: midnight) == midnight.adding(seconds: 48 * 3600))
    }

    @Test func berlinFallBackRoundTheClockAddsRealTime() throws {
        let calendar = try roundTheClock("Europe/Berlin")
        let saturdayNoon = try instant("2026-10-24T12:00:00+02:00")
        #expect(
            calendar.add(businessSeconds: 24 * 3600, to: saturdayNoon) == (try instant("2026-10-25T11:00:00+01:00")))
        #expect(calendar.businessSeconds(from: saturdayNoon, to: try instant("2026-10-25T12:00:00+01:00")) == 25 * 3600)
    }

    @Test func officeHoursAcrossNewYorkSpringForwardWeekend() throws {
        let calendar = try officeHours("America/New_York")
        let fridayFour = try instant("2026-03-06T16:00:00-05:00")
        #expect(calendar.add(businessSeconds: 2 * 3600, to: fridayFour) == (try instant("2026-03-09T10:00:00-04:00")))
        #expect(calendar.businessSeconds(from: fridayFour, to: try instant("2026-03-09T10:00:00-04:00")) == 7200)
        // The Monday still has eight hours.
        let monday = calendar.intervals(
            from: try instant("2026-03-09T00:00:00-04:00"), to: try instant("2026-03-10T00:00:00-04:00"))
        #expect(monday.map(\.milliseconds) == [8 * 3_600_000])
        #expect(monday.first?.start == (try instant("2026-03-09T13:00:00Z")))
    }

    @Test func officeHoursAcrossNewYorkFallBackWeekend() throws {
        let calendar = try officeHours("America/New_York")
        let fridayFour = try instant("2026-10-30T16:00:00-04:00")
        #expect(calendar.add(businessSeconds: 2 * 3600, to: fridayFour) == (try instant("2026-11-02T10:00:00-05:00")))
        #expect(calendar.add(businessSeconds: 9 * 3600, to: fridayFour) == (try instant("2026-11-02T17:00:00-05:00")))
        #expect(calendar.add(businessSeconds: 10 * 3600, to: fridayFour) == (try instant("2026-11-03T10:00:00-05:00")))
    }

    @Test func berlinSundayOfficeHoursOnBothChangeDays() throws {
        let sunday = [("09:00", "17:00")]
        let calendar = try makeCalendar("Europe/Berlin", [.sun: sunday])
        let spring = calendar.intervals(
            from: try instant("2026-03-28T00:00:00Z"), to: try instant("2026-03-30T00:00:00Z"))
        #expect(spring.map(\.start) == [try instant("2026-03-29T07:00:00Z")])
        #expect(spring.map(\.end) == [try instant("2026-03-29T15:00:00Z")])
        let autumn = calendar.intervals(
            from: try instant("2026-10-24T00:00:00Z"), to: try instant("2026-10-26T00:00:00Z"))
        #expect(autumn.map(\.start) == [try instant("2026-10-25T08:00:00Z")])
        #expect(autumn.map(\.end) == [try instant("2026-10-25T16:00:00Z")])
        // Saturday 16:00 CEST + 8 business hours: the whole Sunday, ending at its close.
        #expect(
            calendar.add(businessSeconds: 8 * 3600, to: try instant("2026-10-24T16:00:00+02:00"))
                == (try instant("2026-10-25T17:00:00+01:00")))
    }

    // MARK: - Slots that touch the changed hour

    @Test func springForwardSlotsAreReadByTheRules() throws {
        let sundaySlots: [(String, String, String, String)] = [
            // open, close, expected start, expected end (UTC)
            ("01:00", "03:00", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"),  // 1 h really passes
            ("02:00", "02:30", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"),  // both ends move forward one hour
            ("01:30", "02:30", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"),  // 01:30 EST to 03:30 EDT
        ]
        for (open, close, start, end) in sundaySlots {
            let calendar = try makeCalendar("America/New_York", [.sun: [(open, close)]])
            let intervals = calendar.intervals(
                from: try instant("2026-03-08T00:00:00Z"), to: try instant("2026-03-09T00:00:00Z"))
            #expect(intervals.map(\.start) == [try instant(start)], "\(open)–\(close)")
            #expect(intervals.map(\.end) == [try instant(end)], "\(open)–\(close)")
        }
        let skipped = try makeCalendar("America/New_York", [.sun: [("02:30", "03:15")]])
        #expect(
            skipped.businessSeconds(from: try instant("2026-03-08T00:00:00Z"), to: try instant("2026-03-09T00:00:00Z"))
                == 0)
    }

    @Test func fallBackSlotsOpenAndCloseAtTheFirstOccurrence() throws {
        let sundaySlots: [(String, String, Int64)] = [
            ("01:00", "02:00", 2 * 3600),  // 01:00 EDT to 02:00 EST: the repeated hour is inside
            ("01:30", "03:00", 9000),  // 01:30 EDT to 03:00 EST
            ("00:00", "01:30", 5400),  // closes at the first 01:30
            ("01:00", "01:30", 1800),
        ]
        for (open, close, seconds) in sundaySlots {
            let calendar = try makeCalendar("America/New_York", [.sun: [(open, close)]])
            let total = calendar.businessSeconds(
                from: try instant("2026-11-01T00:00:00Z"), to: try instant("2026-11-02T00:00:00Z"))
            #expect(total == seconds, "\(open)–\(close)")
        }
        let early = try makeCalendar("America/New_York", [.sun: [("01:00", "01:30")]])
        #expect(early.isOpen(at: try instant("2026-11-01T01:15:00-04:00")))
        #expect(!early.isOpen(at: try instant("2026-11-01T01:15:00-05:00")))  // the second 01:15
        #expect(early.localDate(containing: try instant("2026-11-01T01:15:00-05:00")).description == "2026-11-01")
    }

    @Test func nonexistentAndRepeatedLocalTimes() throws {
        let newYork = try roundTheClock("America/New_York")
        let berlin = try roundTheClock("Europe/Berlin")
        let cases: [(BusinessCalendar, String, String, String)] = [
            (newYork, "2026-03-08", "02:30", "2026-03-08T03:30:00-04:00"),
            (newYork, "2026-03-08", "02:00", "2026-03-08T03:00:00-04:00"),
            (newYork, "2026-03-08", "03:00", "2026-03-08T03:00:00-04:00"),
            (newYork, "2026-11-01", "01:30", "2026-11-01T01:30:00-04:00"),
            (newYork, "2026-11-01", "02:00", "2026-11-01T02:00:00-05:00"),
            (berlin, "2026-03-29", "02:30", "2026-03-29T03:30:00+02:00"),
            (berlin, "2026-10-25", "02:30", "2026-10-25T02:30:00+02:00"),
            (berlin, "2026-10-25", "03:00", "2026-10-25T03:00:00+01:00"),
        ]
        for (calendar, date, time, expected) in cases {
            let resolved = calendar.instant(on: try LocalDate(parsing: date), at: try TimeOfDay(parsing: time))
            #expect(resolved == (try instant(expected)), "\(calendar.timeZoneIdentifier) \(date) \(time)")
        }
    }

    @Test func nextOpeningAfterSpringForwardNight() throws {
        // wh-11's setting in New York: Sunday 09:00–17:00, asked from different sides of the change.
        let calendar = try makeCalendar("America/New_York", [.sun: [("09:00", "17:00")]])
        for start in ["2026-03-08T00:00:00-05:00", "2026-03-08T01:59:59-05:00", "2026-03-08T03:00:00-04:00"] {
            #expect(
                calendar.add(businessSeconds: 0, to: try instant(start)) == (try instant("2026-03-08T09:00:00-04:00")))
        }
    }
}
