/// The regular opening hours: for each weekday, a list of slots in increasing order (empty = closed all day).
///
/// JSON: `{"mon": [{"open": "09:00", "close": "17:00"}], …, "sun": []}`; a missing weekday is closed.
public struct WeeklyHours: Hashable, Sendable {
    /// Slots per weekday, Monday first.
    private let days: [[BusinessSlot]]

    /// Weekly hours from `slots` (missing weekdays are closed); throws if a day's slots are out of order or overlap.
    public init(_ slots: [Weekday: [BusinessSlot]]) throws(BusinessCalendarError) {
        for day in Weekday.allCases {
            try BusinessSlot.validateDay(slots[day] ?? [], label: day.rawValue)
        }
        self.days = Weekday.allCases.map { slots[$0] ?? [] }
    }

    /// The same `slots` on each of `weekdays`, closed on the others (say, 09:00–17:00 Monday to Friday).
    public init(_ slots: [BusinessSlot], on weekdays: Set<Weekday>) throws(BusinessCalendarError) {
        var table: [Weekday: [BusinessSlot]] = [:]
        for day in weekdays { table[day] = slots }
        try self.init(table)
    }

    /// `00:00`–`24:00` every day.
    public static let alwaysOpen = WeeklyHours(
        uncheckedDays: Array(
            repeating: [BusinessSlot(uncheckedOpen: .startOfDay, close: .endOfDay)], count: 7))

    private init(uncheckedDays days: [[BusinessSlot]]) {
        self.days = days
    }

    /// The slots of `weekday`, earliest first.
    public subscript(weekday: Weekday) -> [BusinessSlot] { days[weekday.index] }

    /// The slots of the weekday with Monday-based `index` (0…6).
    func slots(weekdayIndex index: Int) -> [BusinessSlot] { days[index] }

    /// Business time in a week without clock changes or special dates.
    public var nominalSecondsPerWeek: Int64 {
        days.reduce(0) { total, slots in slots.reduce(total) { $0 + $1.nominalSeconds } }
    }
}

extension WeeklyHours: Codable {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: [BusinessSlot]].self)
        var table: [Weekday: [BusinessSlot]] = [:]
        for (key, slots) in raw {
            guard let day = Weekday(rawValue: key) else {
                throw BusinessCalendarError(
                    .unknownWeekday,
                    "weekly hours key \"\(key)\" is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
            }
            table[day] = slots
        }
        try self.init(table)
    }

    public func encode(to encoder: any Encoder) throws {
        var raw: [String: [BusinessSlot]] = [:]
        for day in Weekday.allCases { raw[day.rawValue] = self[day] }
        var container = encoder.singleValueContainer()
        try container.encode(raw)
    }
}
