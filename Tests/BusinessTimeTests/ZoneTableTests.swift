import DocketTime
import Foundation
import Testing

@testable import BusinessTime

/// The precomputed offset table must say what Foundation says at every instant.
@Suite struct ZoneTableTests {
    @Test(arguments: [
        "America/New_York", "Europe/Berlin", "Europe/Moscow", "Pacific/Apia", "America/Sao_Paulo",
        "Australia/Lord_Howe", "Asia/Kolkata", "Africa/Casablanca", "Etc/UTC",
    ])
    func tableMatchesFoundation(_ identifier: String) throws {
        let rules = try #require(ZoneRules.named(identifier))
        let zone = try #require(TimeZone(identifier: identifier))
        func foundation(_ second: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second))))
        }
        // Every transition: the old offset just before, the new one at it.
        let table = rules.table
        for (index, change) in table.transitions.enumerated() {
            #expect(foundation(change - 1) == table.offsets[index], "\(identifier) before \(change)")
            #expect(foundation(change) == table.offsets[index + 1], "\(identifier) at \(change)")
        }
        // And a sample every 7 hours from 1950 to 2060.
        var second: Int64 = -631_152_000
        while second < 2_840_140_800 {
            #expect(rules.offset(at: second) == foundation(second))
            second += 7 * 3600
        }
        // Beyond the table, each question goes to Foundation.
        let late: Int64 = 14_000_000_000
        #expect(rules.offset(at: late) == foundation(late))
    }

    @Test func apiaSkippedAWholeDay() throws {
        // Samoa moved across the date line: Friday 2011-12-30 never happened there.
        let calendar = try roundTheClock("Pacific/Apia")
        let missing = try LocalDate(parsing: "2011-12-30")
        let start = calendar.instant(on: missing, at: .startOfDay)
        #expect(calendar.businessSeconds(from: start, to: calendar.instant(on: missing, at: .endOfDay)) == 0)
        #expect(
            calendar.instant(on: missing.adding(days: -1), at: .endOfDay)
                == calendar.instant(on: missing.adding(days: 1), at: .startOfDay))
        let thursdayNoon = try instant("2011-12-29T12:00:00-10:00")
        #expect(calendar.localDate(containing: thursdayNoon.adding(seconds: 86_400)).description == "2011-12-31")
    }

    @Test func datesBeyondTheTableStillWork() throws {
        let calendar = try officeHours("Europe/Berlin")
        // 2401: outside the precomputed table, answered day by day from Foundation.
        let monday = try instant("2401-07-02T09:00:00+02:00")
        #expect(try LocalDate(parsing: "2401-07-02").weekday == .mon)
        #expect(calendar.add(businessSeconds: 9 * 3600, to: monday) == (try instant("2401-07-03T10:00:00+02:00")))
        #expect(calendar.businessSeconds(from: monday, to: try instant("2401-07-09T09:00:00+02:00")) == 40 * 3600)
        let old = try instant("1890-06-02T09:00:00Z")
        #expect(BusinessCalendar.twentyFourSeven.add(businessSeconds: 60, to: old) == old.adding(seconds: 60))
    }
}
