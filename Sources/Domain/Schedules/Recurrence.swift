import BusinessTime
import DocketTime

/// When a schedule opens its ticket: every day, every workday (Monday to Friday), every N weeks on a weekday, or every N
/// months on a day (1 to 28, so every month has it, or the month's last day), at a wall-clock time in a time zone (the
/// client's, frozen when the schedule is defined), from a first date on.
///
/// An interval counts from `startsOn`: every 2 weeks means the weeks (Monday to Sunday) 0, 2, 4 … after the week of
/// `startsOn`; every 3 months the months 0, 3, 6 … after the month of `startsOn`. `interval` and `lastDay` are left out
/// of the payload when they are not used, so schedules defined before them read and encode as they did.
public struct Recurrence: Codable, Sendable, Equatable {
    /// How often.
    public enum Every: String, Codable, Sendable, CaseIterable { case day, workday, week, month }

    public var every: Every
    /// With `week`: the day of the week.
    public var weekday: Weekday?
    /// With `month`: the day of the month, 1 to 28 (nil with `lastDay`).
    public var day: Int?
    /// With `month`: true for the last day of each month.
    public var lastDay: Bool?
    /// With `week` or `month`: every that many weeks or months (nil for 1).
    public var interval: Int?
    /// The wall-clock time, e.g. `08:00`.
    public var at: TimeOfDay
    /// The first date an occurrence may fall on.
    public var startsOn: LocalDate
    /// The IANA zone the dates and `at` are read in.
    public var timeZone: String

    /// A recurrence with the given fields (checked by ``ScheduleDecider``).
    public init(
        every: Every, weekday: Weekday? = nil, day: Int? = nil, lastDay: Bool? = nil, interval: Int? = nil, at: TimeOfDay,
        startsOn: LocalDate, timeZone: String
    ) {
        self.every = every
        self.weekday = weekday
        self.day = day
        self.lastDay = lastDay
        self.interval = interval
        self.at = at
        self.startsOn = startsOn
        self.timeZone = timeZone
    }

    private var zone: WallTimeZone { WallTimeZone(timeZone) ?? .utc }

    /// Whether an occurrence falls on `date`.
    public func falls(on date: LocalDate) -> Bool {
        guard date >= startsOn else { return false }
        let step = interval ?? 1
        switch every {
        case .day:
            return true
        case .workday:
            return date.weekday != .sat && date.weekday != .sun
        case .week:
            return date.weekday == weekday && (Self.monday(of: date) - Self.monday(of: startsOn)) / 7 % Int64(step) == 0
        case .month:
            let (year, month, dayOfMonth) = date.components
            let start = startsOn.components
            guard ((year - start.year) * 12 + month - start.month) % step == 0 else { return false }
            if lastDay == true { return date.adding(days: 1).components.month != month }
            return dayOfMonth == day
        }
    }

    /// The days since 1970-01-01 of the Monday of `date`'s week.
    private static func monday(of date: LocalDate) -> Int64 {
        // 1970-01-01 was a Thursday: shift so that Mondays are multiples of 7.
        let shifted = date.daysSinceEpoch + 3
        return shifted - ((shifted % 7) + 7) % 7 - 3
    }

    /// The most days an occurrence can lie behind the previous one.
    private var longestGap: Int {
        let step = interval ?? 1
        switch every {
        case .day, .workday: return 3
        case .week: return 7 * step
        case .month: return 31 * step + 3
        }
    }

    /// The instant of the occurrence on `date`.
    public func instant(on date: LocalDate) -> Timestamp {
        zone.instant(reading: Timestamp(millisecondsSinceEpoch: date.daysSinceEpoch * 86_400_000 + Int64(at.minutesSinceMidnight) * 60_000))
    }

    /// The latest occurrence at or before `now`, if one is.
    public func latest(atOrBefore now: Timestamp) -> LocalDate? {
        var date = localDate(of: now)
        // One gap and a day back always reaches the occurrence before today's.
        for _ in 0...(longestGap + 1) {
            if date < startsOn { return nil }
            if falls(on: date), instant(on: date) <= now { return date }
            date = date.adding(days: -1)
        }
        return nil
    }

    /// The first occurrence after `now`.
    public func next(after now: Timestamp) -> LocalDate {
        var date = max(localDate(of: now), startsOn)
        while !(falls(on: date) && instant(on: date) > now) { date = date.adding(days: 1) }
        return date
    }

    private func localDate(of instant: Timestamp) -> LocalDate {
        let reading = zone.reading(at: instant).millisecondsSinceEpoch
        return LocalDate(daysSinceEpoch: reading >= 0 ? reading / 86_400_000 : (reading - 86_399_999) / 86_400_000)
    }

    /// `every week on mon at 08:00 (America/New_York)`, `every 3 months on the last day at 07:30 (UTC)`,
    /// `every workday at 08:30 (Europe/Paris)`.
    public var text: String {
        let step = interval ?? 1
        let when = "at \(at) (\(timeZone))"
        switch every {
        case .day: return "every day \(when)"
        case .workday: return "every workday (mon–fri) \(when)"
        case .week:
            return "every \(step == 1 ? "week" : "\(step) weeks") on \(weekday?.rawValue ?? "?") \(when)"
        case .month:
            let on = lastDay == true ? "the last day" : "day \(day ?? 0)"
            return "every \(step == 1 ? "month" : "\(step) months") on \(on) \(when)"
        }
    }
}
