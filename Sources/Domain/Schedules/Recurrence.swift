import BusinessTime
import DocketTime

/// When a schedule opens its ticket: every week on a weekday, or every month on a day (1 to 28, so every month has it),
/// at a wall-clock time in a time zone (the client's, frozen when the schedule is defined), from a first date on.
public struct Recurrence: Codable, Sendable, Equatable {
    /// How often.
    public enum Every: String, Codable, Sendable, CaseIterable { case week, month }

    public var every: Every
    /// With `week`: the day of the week.
    public var weekday: Weekday?
    /// With `month`: the day of the month, 1 to 28.
    public var day: Int?
    /// The wall-clock time, e.g. `08:00`.
    public var at: TimeOfDay
    /// The first date an occurrence may fall on.
    public var startsOn: LocalDate
    /// The IANA zone the dates and `at` are read in.
    public var timeZone: String

    /// A recurrence with the given fields (checked by ``ScheduleDecider``).
    public init(every: Every, weekday: Weekday? = nil, day: Int? = nil, at: TimeOfDay, startsOn: LocalDate, timeZone: String) {
        self.every = every
        self.weekday = weekday
        self.day = day
        self.at = at
        self.startsOn = startsOn
        self.timeZone = timeZone
    }

    private var zone: WallTimeZone { WallTimeZone(timeZone) ?? .utc }

    /// Whether an occurrence falls on `date`.
    public func falls(on date: LocalDate) -> Bool {
        guard date >= startsOn else { return false }
        switch every {
        case .week: return date.weekday == weekday
        case .month: return date.components.day == day
        }
    }

    /// The instant of the occurrence on `date`.
    public func instant(on date: LocalDate) -> Timestamp {
        zone.instant(reading: Timestamp(millisecondsSinceEpoch: date.daysSinceEpoch * 86_400_000 + Int64(at.minutesSinceMidnight) * 60_000))
    }

    /// The latest occurrence at or before `now`, if one is.
    public func latest(atOrBefore now: Timestamp) -> LocalDate? {
        var date = localDate(of: now)
        // A month holds every rule's day; 32 days back always reaches the one before today's.
        for _ in 0...32 {
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

    /// `every week on mon at 08:00 (America/New_York)`, `every month on day 1 at 07:30 (UTC)`.
    public var text: String {
        switch every {
        case .week: "every week on \(weekday?.rawValue ?? "?") at \(at) (\(timeZone))"
        case .month: "every month on day \(day ?? 0) at \(at) (\(timeZone))"
        }
    }
}
