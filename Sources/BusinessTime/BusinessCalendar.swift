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
    /// Holidays and replaced dates together (days since 1970-01-01), increasing, with their slots in `days`.
    var specialDays: [Int64] { storage.specialDays }
    /// Business milliseconds in a week without clock changes or special dates (never zero).
    var weeklyMilliseconds: Int64 { storage.weeklyMilliseconds }
    /// Every day's slots as bounds from local midnight, and each weekday's business milliseconds: what a walk reads
    /// (`IntervalWalker`), valid as long as the calendar.
    var days: DayTable { storage.days }

    /// The calendar's fields in one immutable object: a calendar is copied into every SLA clock and every walk
    /// (`IntervalWalker`), and a copy of one reference is one retain where a copy of the eight fields was eight
    /// (about 5 % of a rebuild's CPU).
    private final class Storage: @unchecked Sendable {
        // @unchecked Sendable: every field is set in `init` and only read after (`days` points into memory the
        // storage owns and frees in `deinit`).
        let timeZoneIdentifier: String
        let weeklyHours: WeeklyHours
        let holidays: [LocalDate]
        let replacementHours: [LocalDate: [BusinessSlot]]
        let zone: ZoneRules
        let specialDays: [Int64]
        let weeklyMilliseconds: Int64
        let days: DayTable

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
            self.weeklyMilliseconds = weeklyHours.nominalSecondsPerWeek * 1000
            self.days = DayTable(weekdays: (0..<7).map { weeklyHours.slots(weekdayIndex: $0) }, specialDays: special.map(\.slots))
        }

        deinit { days.deallocate() }
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

    /// The Monday-based index (0…6) of the weekday of `day` (days since 1970-01-01, a Thursday).
    static func weekdayIndex(_ day: Int64) -> Int { Int(((day % 7) + 7 + 3) % 7) }

    /// The first holiday or replaced day at or after `day` (`Int64.max` when none) and its place in `specialDays`.
    func nextSpecialDay(atOrAfter day: Int64) -> (day: Int64, index: Int) {
        let index = firstSpecialIndex(atOrAfter: day)
        return (index < specialDays.count ? specialDays[index] : Int64.max, index)
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

/// The slots of every kind of day a calendar has — each weekday's regular hours (Monday first), then each holiday or
/// replaced day's in `specialDays` order — as millisecond bounds from local midnight, and the business milliseconds of
/// each weekday, in memory its calendar owns: a walk reads a day's slots through it without retaining an array (a
/// day's slots were an array copied out of the calendar for each day walked).
struct DayTable {
    /// A slot `[open, close)` in milliseconds from local midnight.
    struct Slot {
        let open: Int64
        let close: Int64
    }

    private let slots: UnsafeMutableBufferPointer<Slot>
    /// `starts[kind]..<starts[kind + 1]` are the slots of weekday `kind` (0…6) or of special day `kind - 7`.
    private let starts: UnsafeMutableBufferPointer<Int>
    private let daily: UnsafeMutableBufferPointer<Int64>

    /// A table of `weekdays` (seven lists, Monday first) and `specialDays` (each special day's slots, in order).
    init(weekdays: [[BusinessSlot]], specialDays: [[BusinessSlot]]) {
        let kinds = weekdays + specialDays
        slots = .allocate(capacity: kinds.reduce(0) { $0 + $1.count })
        starts = .allocate(capacity: kinds.count + 1)
        daily = .allocate(capacity: 7)
        var count = 0
        for (kind, list) in kinds.enumerated() {
            starts.initializeElement(at: kind, to: count)
            for slot in list {
                slots.initializeElement(
                    at: count,
                    to: Slot(
                        open: Int64(slot.open.minutesSinceMidnight) * 60_000, close: Int64(slot.close.minutesSinceMidnight) * 60_000))
                count += 1
            }
        }
        starts.initializeElement(at: kinds.count, to: count)
        for (weekday, list) in weekdays.enumerated() {
            daily.initializeElement(at: weekday, to: list.reduce(0) { $0 + $1.nominalSeconds * 1000 })
        }
    }

    /// Frees the table (its owner's `deinit`; the elements are plain values).
    func deallocate() {
        slots.deallocate()
        starts.deallocate()
        daily.deallocate()
    }

    /// The slots of weekday `index` (Monday-based, 0…6) on a day that is not special.
    func weekday(_ index: Int) -> UnsafeBufferPointer<Slot> { kind(index) }

    /// The slots of the special day at `index` of `specialDays`.
    func special(_ index: Int) -> UnsafeBufferPointer<Slot> { kind(7 + index) }

    /// Business milliseconds of weekday `index` (Monday-based) on a day without a clock change that is not special.
    func dailyMilliseconds(_ index: Int) -> Int64 { daily[index] }

    /// Business milliseconds of a day of `slots` (without a clock change) from its midnight to `time` milliseconds
    /// after it.
    static func elapsed(_ slots: UnsafeBufferPointer<Slot>, at time: Int64) -> Int64 {
        var total: Int64 = 0
        for slot in slots where slot.open < time { total += min(slot.close, time) - slot.open }
        return total
    }

    /// Business milliseconds of a day of `slots` without a clock change.
    static func total(_ slots: UnsafeBufferPointer<Slot>) -> Int64 {
        var total: Int64 = 0
        for slot in slots { total += slot.close - slot.open }
        return total
    }

    private func kind(_ kind: Int) -> UnsafeBufferPointer<Slot> {
        UnsafeBufferPointer(rebasing: UnsafeBufferPointer(slots)[starts[kind]..<starts[kind + 1]])
    }
}
