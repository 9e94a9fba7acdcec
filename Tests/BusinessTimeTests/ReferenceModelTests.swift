import BusinessTime
import DocketTime
import Foundation
import Testing

/// `BusinessCalendar` against a deliberately naive model built on Foundation's `Calendar`: slot times come from
/// `Calendar.date(from:)` day by day, with no week skipping and no offset table. The slots stay clear of the
/// hours clocks change in, where the two would follow different DST rules.
@Suite struct ReferenceModelTests {
    struct NaiveCalendar {
        var calendar: Calendar
        var slots: [Weekday: [(open: Int, close: Int)]]
        var holidays: Set<String>

        init(zone: String, slots: [Weekday: [(open: Int, close: Int)]], holidays: Set<String>) throws {
            calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: zone))
            self.slots = slots
            self.holidays = holidays
        }

        func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

        /// The business intervals (seconds) of every local day from the one holding `start`, in order.
        func intervals(startingAt start: Int64) -> some Sequence<(Int64, Int64)> {
            let first = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(start - 86_400)))
            return (0...).lazy.flatMap { offset -> [(Int64, Int64)] in
                let day = calendar.date(byAdding: .day, value: offset, to: first)!
                let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
                let key = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
                if holidays.contains(key) { return [] }
                let weekday = Weekday.allCases[(parts.weekday! + 5) % 7]  // Foundation: 1 = Sunday
                return (slots[weekday] ?? []).map { slot in
                    func at(_ minutes: Int) -> Int64 {
                        var components = DateComponents(year: parts.year, month: parts.month, day: parts.day)
                        components.hour = minutes / 60
                        components.minute = minutes % 60
                        return seconds(calendar.date(from: components)!)
                    }
                    return (at(slot.open), at(slot.close))
                }
            }
        }

        func add(_ amount: Int64, to start: Int64) -> Int64 {
            var remaining = amount
            for (open, close) in intervals(startingAt: start) where close > start {
                let from = max(open, start)
                if close - from >= remaining { return from + remaining }
                remaining -= close - from
            }
            return start
        }

        func between(_ start: Int64, _ end: Int64) -> Int64 {
            var total: Int64 = 0
            for (open, close) in intervals(startingAt: start) {
                if open >= end { break }
                if close > start { total += min(close, end) - max(open, start) }
            }
            return total
        }
    }

    static let zones = [
        "America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata",
        "Pacific/Auckland",
    ]

    @Test(arguments: zones)
    func agreesWithNaiveModel(_ zone: String) throws {
        let split = [(open: 8 * 60, close: 12 * 60), (open: 13 * 60, close: 18 * 60)]
        let slots: [Weekday: [(open: Int, close: Int)]] = [
            .mon: split, .tue: split, .wed: split, .thu: split, .fri: [(open: 8 * 60, close: 16 * 60)],
            .sat: [(open: 10 * 60, close: 14 * 60)],
        ]
        let holidays: Set<String> = [
            "2026-01-01", "2026-04-03", "2026-05-01", "2026-12-25", "2027-01-01", "2027-03-26",
        ]
        let naive = try NaiveCalendar(zone: zone, slots: slots, holidays: holidays)
        var hours: [Weekday: [BusinessSlot]] = [:]
        for (day, list) in slots {
            hours[day] = try list.map {
                try BusinessSlot(
                    open: TimeOfDay(hour: $0.open / 60, minute: 0), close: TimeOfDay(hour: $0.close / 60, minute: 0))
            }
        }
        let calendar = try BusinessCalendar(
            timeZone: zone, weeklyHours: WeeklyHours(hours), holidays: holidays.map { try LocalDate(parsing: $0) })

        var generator = SeededGenerator(seed: 0xFEED)
        for _ in 0..<60 {
            let start = Int64.random(in: 1_767_225_600...1_798_761_600, using: &generator)  // during 2026
            // Up to 2000 business hours: long enough to cross both clock changes and skip weeks.
            let amount = Int64.random(in: 1...(2000 * 3600), using: &generator)
            let due = calendar.add(businessSeconds: amount, to: Timestamp(millisecondsSinceEpoch: start * 1000))
            let expected = naive.add(amount, to: start)
            #expect(due.millisecondsSinceEpoch == expected * 1000, "\(zone): \(start) + \(amount) s")

            let end = start + Int64.random(in: 0...(300 * 86_400), using: &generator)
            let measured = calendar.businessSeconds(
                from: Timestamp(millisecondsSinceEpoch: start * 1000), to: Timestamp(millisecondsSinceEpoch: end * 1000)
            )
            #expect(measured == naive.between(start, end), "\(zone): \(start) → \(end)")
        }
    }
}
