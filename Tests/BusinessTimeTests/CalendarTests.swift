import BusinessTime
import DocketTime
import Testing

/// Holidays, replacement hours, starts outside hours, nights and weekends.
@Suite struct CalendarTests {
    /// Berlin office hours with Christmas: Thursday 24 December 2026 closes at 12:00, Friday 25 is a holiday,
    /// and Saturday 19 December opens 10:00–14:00 for an extra shift.
    func christmas() throws -> BusinessCalendar {
        try officeHours(
            "Europe/Berlin", holidays: ["2026-12-25"],
            replacements: ["2026-12-24": [("09:00", "12:00")], "2026-12-19": [("10:00", "14:00")]])
    }

    @Test func shortenedDayThenHolidayThenWeekend() throws {
        let calendar = try christmas()
        let thursdayEleven = try instant("2026-12-24T11:00:00+01:00")
        #expect(calendar.add(businessSeconds: 3600, to: thursdayEleven) == (try instant("2026-12-24T12:00:00+01:00")))
        #expect(calendar.add(businessSeconds: 7200, to: thursdayEleven) == (try instant("2026-12-28T10:00:00+01:00")))
        #expect(!calendar.isOpen(at: try instant("2026-12-24T13:00:00+01:00")))
        #expect(!calendar.isOpen(at: try instant("2026-12-25T10:00:00+01:00")))
        #expect(
            calendar.nextOpening(atOrAfter: try instant("2026-12-24T12:00:00+01:00"))
                == (try instant("2026-12-28T09:00:00+01:00")))
    }

    @Test func extraSaturdayHours() throws {
        let calendar = try christmas()
        let fridayFour = try instant("2026-12-18T16:00:00+01:00")
        #expect(calendar.add(businessSeconds: 3 * 3600, to: fridayFour) == (try instant("2026-12-19T12:00:00+01:00")))
        #expect(calendar.add(businessSeconds: 5 * 3600, to: fridayFour) == (try instant("2026-12-19T14:00:00+01:00")))
        #expect(calendar.add(businessSeconds: 6 * 3600, to: fridayFour) == (try instant("2026-12-21T10:00:00+01:00")))
        // The next Saturday is a plain one again.
        #expect(!calendar.isOpen(at: try instant("2026-12-26T11:00:00+01:00")))
    }

    @Test func christmasWeekTotal() throws {
        let calendar = try christmas()
        let week = calendar.intervals(
            from: try instant("2026-12-21T00:00:00+01:00"), to: try instant("2026-12-28T00:00:00+01:00"))
        #expect(week.map(\.date.description) == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"])
        #expect(week.map(\.milliseconds) == [8, 8, 8, 3].map { $0 * 3_600_000 })
        #expect(
            calendar.businessSeconds(
                from: try instant("2026-12-21T00:00:00+01:00"), to: try instant("2026-12-28T00:00:00+01:00"))
                == 27 * 3600)
    }

    @Test func emptyReplacementClosesTheDay() throws {
        let calendar = try officeHours("Europe/Berlin", replacements: ["2026-12-31": []])
        #expect(
            calendar.add(businessSeconds: 3600, to: try instant("2026-12-31T10:00:00+01:00"))
                == (try instant("2027-01-01T10:00:00+01:00")))
    }

    @Test func startOutsideHours() throws {
        let calendar = try officeHours("America/New_York")
        let cases = [
            ("2026-03-02T07:00:00-05:00", "2026-03-02T10:00:00-05:00"),  // before opening
            ("2026-03-02T18:00:00-05:00", "2026-03-03T10:00:00-05:00"),  // after close
            ("2026-03-02T17:00:00-05:00", "2026-03-03T10:00:00-05:00"),  // exactly at close
            ("2026-02-28T12:00:00-05:00", "2026-03-02T10:00:00-05:00"),  // Saturday
            ("2026-03-01T23:59:59-05:00", "2026-03-02T10:00:00-05:00"),  // Sunday night
        ]
        for (start, due) in cases {
            #expect(calendar.add(businessSeconds: 3600, to: try instant(start)) == (try instant(due)), "\(start)")
        }
    }

    @Test func acrossNightsAndWeekends() throws {
        let calendar = try officeHours("America/New_York")
        let wednesdayOne = try instant("2026-03-04T13:00:00-05:00")
        // Five business days later is the same time next Wednesday (the weekend changed the clocks).
        #expect(
            calendar.add(businessSeconds: 5 * 8 * 3600, to: wednesdayOne) == (try instant("2026-03-11T13:00:00-04:00")))
        #expect(calendar.add(businessSeconds: 4 * 3600, to: wednesdayOne) == (try instant("2026-03-04T17:00:00-05:00")))
        #expect(calendar.add(businessSeconds: 5 * 3600, to: wednesdayOne) == (try instant("2026-03-05T10:00:00-05:00")))
        #expect(
            calendar.add(businessSeconds: 20 * 3600, to: wednesdayOne) == (try instant("2026-03-06T17:00:00-05:00")))
        #expect(
            calendar.add(businessSeconds: 20 * 3600 + 1, to: wednesdayOne) == (try instant("2026-03-09T09:00:01-04:00"))
        )
        // Night shift: 22:00–24:00 and 00:00–06:00 every day reads as one stretch across midnight.
        let night = try makeCalendar(
            "UTC",
            Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [("00:00", "06:00"), ("22:00", "24:00")]) }))
        #expect(
            night.add(businessSeconds: 3 * 3600, to: try instant("2026-03-04T23:00:00Z"))
                == (try instant("2026-03-05T02:00:00Z")))
    }

    @Test func severalSlotsADay() throws {
        let split = [("08:00", "12:00"), ("13:00", "17:30")]
        let calendar = try makeCalendar("Asia/Tokyo", [.mon: split, .tue: split])
        let mondayEleven = try instant("2026-03-02T11:00:00+09:00")
        #expect(calendar.add(businessMinutes: 60, to: mondayEleven) == (try instant("2026-03-02T12:00:00+09:00")))
        #expect(calendar.add(businessMinutes: 61, to: mondayEleven) == (try instant("2026-03-02T13:01:00+09:00")))
        #expect(
            calendar.add(businessMinutes: 60 + 270 + 1, to: mondayEleven) == (try instant("2026-03-03T08:01:00+09:00")))
        #expect(!calendar.isOpen(at: try instant("2026-03-02T12:30:00+09:00")))
        let day = calendar.intervals(
            from: try instant("2026-03-02T00:00:00+09:00"), to: try instant("2026-03-03T00:00:00+09:00"))
        #expect(day.count == 2)
    }

    @Test func longAmountsSkipWeeksButCountHolidaysAndClockChanges() throws {
        // 1000 business hours = 125 days of 8 hours; starting Monday 2026-01-05 09:00 in New York, with two holidays.
        let calendar = try officeHours("America/New_York", holidays: ["2026-01-19", "2026-05-25"])
        let start = try instant("2026-01-05T09:00:00-05:00")
        let due = calendar.add(businessSeconds: 1000 * 3600, to: start)
        // 125 business days from 5 Jan, skipping MLK day and Memorial Day, end on Tue 30 Jun 2026 at 17:00 EDT.
        #expect(due == (try instant("2026-06-30T17:00:00-04:00")))
        #expect(calendar.businessSeconds(from: start, to: due) == 1000 * 3600)
        let listed = calendar.intervals(from: start, to: due)
        #expect(listed.count == 125)
        #expect(listed.allSatisfy { $0.milliseconds == 8 * 3_600_000 })
    }

    @Test func twentyFourSevenIsRealTime() throws {
        let calendar = BusinessCalendar.twentyFourSeven
        let start = try instant("2026-03-08T01:23:45.678Z")
        #expect(calendar.add(businessSeconds: 1_000_000, to: start) == start.adding(seconds: 1_000_000))
        #expect(calendar.businessSeconds(from: start, to: start.adding(seconds: 86_400 * 400)) == 86_400 * 400)
        #expect(calendar.isOpen(at: start))
        #expect(calendar.timeZoneIdentifier == "UTC")
        #expect(calendar == (try BusinessCalendar(timeZone: "UTC", weeklyHours: .alwaysOpen)))
    }

    @Test func localDateOfAnInstant() throws {
        let calendar = try officeHours("Pacific/Auckland")
        #expect(calendar.localDate(containing: try instant("2026-03-02T11:30:00Z")).description == "2026-03-03")
        #expect(try LocalDate(parsing: "2026-03-03").weekday == .tue)
    }
}

/// The example of docs/business-time.md, so the documentation cannot drift from the code.
@Suite struct DocumentationExampleTests {
    @Test func example() throws {
        let calendar = try BusinessCalendar(
            timeZone: "America/New_York",
            weeklyHours: WeeklyHours([try BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri]),
            holidays: [try LocalDate(parsing: "2026-12-25")],
            replacementHours: [try LocalDate(parsing: "2026-12-24"): [try BusinessSlot("09:00", "13:00")]])
        let opened = try instant("2026-03-06T16:00:00-05:00")
        let mondayTen = try instant("2026-03-09T10:00:00-04:00")
        #expect(calendar.add(businessSeconds: 2 * 3600, to: opened) == (try instant("2026-03-09T14:00:00Z")))
        #expect(calendar.add(businessMinutes: 60, to: opened) == (try instant("2026-03-06T17:00:00-05:00")))
        #expect(calendar.businessSeconds(from: opened, to: mondayTen) == 7200)
        #expect(calendar.isOpen(at: opened))
        #expect(
            calendar.nextOpening(atOrAfter: try instant("2026-03-07T12:00:00-05:00"))
                == (try instant("2026-03-09T09:00:00-04:00")))
        let lines = calendar.intervals(from: opened, to: mondayTen)
        #expect(lines.map(\.date.description) == ["2026-03-06", "2026-03-09"])
        #expect(lines.map(\.start) == [opened, try instant("2026-03-09T09:00:00-04:00")])
        #expect(lines.map(\.end) == [try instant("2026-03-06T17:00:00-05:00"), mondayTen])
        #expect(
            calendar.instant(on: try LocalDate(parsing: "2026-03-08"), at: try TimeOfDay(parsing: "02:30"))
                == (try instant("2026-03-08T03:30:00-04:00")))
    }
}
