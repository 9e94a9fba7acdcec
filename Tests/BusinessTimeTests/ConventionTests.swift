import BusinessTime
import DocketTime
import Testing

/// The conventions where business-time libraries disagree, pinned down (New York office hours, March 2026).
@Suite struct ConventionTests {
    let calendar: BusinessCalendar

    init() throws {
        calendar = try officeHours("America/New_York")
    }

    @Test func deadlineOnClosingTimeIsTheClosingInstant() throws {
        let mondayNine = try instant("2026-03-02T09:00:00-05:00")
        #expect(calendar.add(businessSeconds: 8 * 3600, to: mondayNine) == (try instant("2026-03-02T17:00:00-05:00")))
        #expect(calendar.add(businessMinutes: 40 * 60, to: mondayNine) == (try instant("2026-03-06T17:00:00-05:00")))
        // One second more spills into the next business day.
        #expect(
            calendar.add(businessSeconds: 8 * 3600 + 1, to: mondayNine) == (try instant("2026-03-03T09:00:01-05:00")))
    }

    @Test func addingZeroReturnsTheStartWhenOpen() throws {
        for text in ["2026-03-02T09:00:00-05:00", "2026-03-02T12:34:56.789-05:00", "2026-03-02T16:59:59.999-05:00"] {
            let start = try instant(text)
            #expect(calendar.add(businessSeconds: 0, to: start) == start)
        }
    }

    @Test func addingZeroOutsideHoursGivesTheNextOpening() throws {
        let cases = [
            ("2026-03-02T07:00:00-05:00", "2026-03-02T09:00:00-05:00"),  // before opening
            ("2026-03-02T17:00:00-05:00", "2026-03-03T09:00:00-05:00"),  // exactly at closing: closed
            ("2026-03-06T17:00:00-05:00", "2026-03-09T09:00:00-04:00"),  // Friday close, over a DST weekend
            ("2026-03-07T12:00:00-05:00", "2026-03-09T09:00:00-04:00"),  // Saturday
        ]
        for (start, opening) in cases {
            #expect(calendar.add(businessSeconds: 0, to: try instant(start)) == (try instant(opening)), "\(start)")
            #expect(calendar.nextOpening(atOrAfter: try instant(start)) == (try instant(opening)))
        }
    }

    @Test func slotsAreClosedAtTheirClosingTime() throws {
        #expect(calendar.isOpen(at: try instant("2026-03-02T09:00:00-05:00")))
        #expect(calendar.isOpen(at: try instant("2026-03-02T16:59:59.999-05:00")))
        #expect(!calendar.isOpen(at: try instant("2026-03-02T17:00:00-05:00")))
        #expect(!calendar.isOpen(at: try instant("2026-03-02T08:59:59.999-05:00")))
        #expect(!calendar.isOpen(at: try instant("2026-03-07T12:00:00-05:00")))
    }

    @Test func negativeAmountsCountAsZeroAndHugeOnesAreClamped() throws {
        let saturday = try instant("2026-03-07T12:00:00-05:00")
        #expect(calendar.add(businessSeconds: -3600, to: saturday) == calendar.add(businessSeconds: 0, to: saturday))
        let far = calendar.add(businessSeconds: .max, to: saturday)
        #expect(far == calendar.add(businessSeconds: BusinessCalendar.maximumBusinessSeconds, to: saturday))
        #expect(calendar.businessSeconds(from: saturday, to: far) == BusinessCalendar.maximumBusinessSeconds)
    }

    @Test func measuringBackwardsIsZero() throws {
        let a = try instant("2026-03-03T10:00:00-05:00")
        let b = try instant("2026-03-03T12:00:00-05:00")
        #expect(calendar.businessSeconds(from: a, to: b) == 7200)
        #expect(calendar.businessSeconds(from: b, to: a) == 0)
        #expect(calendar.businessSeconds(from: a, to: a) == 0)
        #expect(calendar.intervals(from: b, to: a).isEmpty)
    }

    @Test func businessSecondsRoundDown() throws {
        let a = try instant("2026-03-03T10:00:00.000-05:00")
        let b = try instant("2026-03-03T10:00:01.999-05:00")
        #expect(calendar.businessSeconds(from: a, to: b) == 1)
        #expect(calendar.businessMilliseconds(from: a, to: b) == 1999)
    }
}
