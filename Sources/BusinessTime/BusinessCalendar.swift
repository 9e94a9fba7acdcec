/// When business time runs: an IANA time zone, weekly hours, holidays and replacement hours for single dates.
///
/// The calendar is a value: build it once (it validates its input), then ask it pure questions such as
/// `add(businessSeconds:to:)` and `businessSeconds(from:to:)`. The model and conventions are described in
/// `docs/business-time.md`.
public struct BusinessCalendar: Sendable {
    /// The IANA zone whose wall clock the hours follow, such as `America/New_York`.
    public var timeZoneIdentifier: String { storage.timeZoneIdentifier }
    /// The regular hours of each weekday.
    public var weeklyHours: WeeklyHours { storage.weeklyHours }
    /// Local dates with no business time at all, increasing and without repeats.
    public var holidays: [LocalDate] { storage.holidays }
    /// Local dates whose hours replace the weekly ones (shortened hours, an extra Saturday).
    /// An empty list closes the day.
    public var replacementHours: [LocalDate: [BusinessSlot]] { storage.replacementHours }

    var zone: ZoneRules { storage.zone }
    /// Holidays and replaced dates together (days since 1970-01-01), increasing, with their slots in `specialSlots`.
    var specialDays: [Int64] { storage.specialDays }
    var specialSlots: [[BusinessSlot]] { storage.specialSlots }
    /// Business milliseconds in a week without clock changes or special dates (never zero).
    var weeklyMilliseconds: Int64 { storage.weeklyMilliseconds }
    /// Business milliseconds of each weekday (Monday first) on a day without a clock change that is not special.
    var dailyMilliseconds: [Int64] { storage.dailyMilliseconds }

    /// The calendar's fields in one immutable object: a calendar is copied into every SLA clock and every walk
    /// (`IntervalWalker`), and a copy of one reference is one retain where a copy of the eight fields was eight
    /// (about 5 % of a rebuild's CPU).
    private final class Storage: Sendable {
        let timeZoneIdentifier: String
        let weeklyHours: WeeklyHours
        let holidays: [LocalDate]
        let replacementHours: [LocalDate: [BusinessSlot]]
        let zone: ZoneRules
        let specialDays: [Int64]
        let specialSlots: [[BusinessSlot]]
        let weeklyMilliseconds: Int64
        let dailyMilliseconds: [Int64]
        /// The weekly hours' slots of each weekday, Monday first.
        let weekdaySlots: [[BusinessSlot]]

        init(
            zone: ZoneRules, identifier: String, weeklyHours: WeeklyHours, holidays: [LocalDate],
            replacementHours: [LocalDate: [BusinessSlot]]
        ) {
            self.zone = zone
            self.timeZoneIdentifier = identifier
            self.weeklyHours = weeklyHours
            self.holidays = holidays
            self.replacementHours = replacementHours
            var special: [(day: Int64, slots: [BusinessSlot])] = holidays.map { ($0.daysSinceEpoch, []) }
            special += replacementHours.map { ($0.key.daysSinceEpoch, $0.value) }
            special.sort { $0.day < $1.day }
            self.specialDays = special.map(\.day)
            self.specialSlots = special.map(\.slots)
            self.weeklyMilliseconds = weeklyHours.nominalSecondsPerWeek * 1000
            self.weekdaySlots = (0..<7).map { weeklyHours.slots(weekdayIndex: $0) }
            self.dailyMilliseconds = weekdaySlots.map { slots in slots.reduce(0) { $0 + $1.nominalSeconds * 1000 } }
        }
    }

    private let storage: Storage

    /// A calendar; throws `BusinessCalendarError` if the zone is unknown, the week has no business hours, a
    /// replacement day's slots are out of order or overlap, or a date is both a holiday and replaced.
    public init(
        timeZone identifier: String,
        weeklyHours: WeeklyHours,
        holidays: [LocalDate] = [],
        replacementHours: [LocalDate: [BusinessSlot]] = [:]
    ) throws(BusinessCalendarError) {
        guard let zone = ZoneRules.named(identifier) else {
            throw BusinessCalendarError(
                .unknownTimeZone,
                "time zone \"\(identifier)\" is not a known IANA identifier (such as \"Europe/Berlin\")")
        }
        guard weeklyHours.nominalSecondsPerWeek > 0 else {
            throw BusinessCalendarError(
                .noBusinessHours, "the weekly hours have no slot; give at least one weekday hours")
        }
        for (date, slots) in replacementHours {
            try BusinessSlot.validateDay(slots, label: date.description)
        }
        let uniqueHolidays = Array(Set(holidays)).sorted()
        if let clash = uniqueHolidays.first(where: { replacementHours[$0] != nil }) {
            throw BusinessCalendarError(
                .conflictingDate,
                "\(clash) is both a holiday and has replacement hours; keep one "
                    + "(an empty replacement list also closes the day)"
            )
        }
        self.init(
            zone: zone, identifier: identifier, weeklyHours: weeklyHours, holidays: uniqueHolidays,
            replacementHours: replacementHours)
    }

    private init(
        zone: ZoneRules, identifier: String, weeklyHours: WeeklyHours, holidays: [LocalDate],
        replacementHours: [LocalDate: [BusinessSlot]]
    ) {
        storage = Storage(
            zone: zone, identifier: identifier, weeklyHours: weeklyHours, holidays: holidays,
            replacementHours: replacementHours)
    }

    /// Round-the-clock business time: UTC, `00:00`–`24:00` every day, no holidays. Business time equals real time.
    public static let twentyFourSeven = BusinessCalendar(
        zone: .utc, identifier: "UTC", weeklyHours: .alwaysOpen, holidays: [], replacementHours: [:])

    /// The largest amount `add` honours: 100 years of round-the-clock time. Larger amounts are clamped to it, so a
    /// corrupt input cannot make the walk run for ever.
    public static let maximumBusinessSeconds: Int64 = 3_155_760_000

    // MARK: - Days

    /// The slots of local day `day` (days since 1970-01-01): its replacement hours, none on a holiday, else the
    /// weekly ones.
    func slots(forDay day: Int64) -> [BusinessSlot] {
        let specialDays = storage.specialDays
        if !specialDays.isEmpty {
            let index = firstSpecialIndex(atOrAfter: day)
            if index < specialDays.count && specialDays[index] == day { return storage.specialSlots[index] }
        }
        return weeklySlots(forDay: day)
    }

    /// The slots of `day`'s weekday (those of `day` when it is not a holiday or replaced day).
    func weeklySlots(forDay day: Int64) -> [BusinessSlot] {
        // Read from the storage's own list (a copy of the weekly hours and a weekday made for each day walked cost more
        // than the rest of a day's load).
        storage.weekdaySlots[Self.weekdayIndex(day)]
    }

    /// The Monday-based index (0…6) of the weekday of `day` (days since 1970-01-01, a Thursday).
    static func weekdayIndex(_ day: Int64) -> Int { Int(((day % 7) + 7 + 3) % 7) }

    /// The first holiday or replaced day at or after `day`, or `Int64.max`.
    func nextSpecialDay(atOrAfter day: Int64) -> Int64 {
        let index = firstSpecialIndex(atOrAfter: day)
        return index < specialDays.count ? specialDays[index] : Int64.max
    }

    private func firstSpecialIndex(atOrAfter day: Int64) -> Int {
        let specialDays = storage.specialDays
        var low = 0
        var high = specialDays.count
        while low < high {
            let middle = (low + high) / 2
            if specialDays[middle] < day { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension BusinessCalendar: Hashable {
    public static func == (lhs: BusinessCalendar, rhs: BusinessCalendar) -> Bool {
        lhs.timeZoneIdentifier == rhs.timeZoneIdentifier && lhs.weeklyHours == rhs.weeklyHours
            && lhs.holidays == rhs.holidays && lhs.replacementHours == rhs.replacementHours
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timeZoneIdentifier)
        hasher.combine(weeklyHours)
        hasher.combine(holidays)
        hasher.combine(replacementHours)
    }
}
