/// A local wall-clock time with minute precision, from `00:00` to `24:00` (the end of the day).
///
/// Written `HH:MM` in JSON. `24:00` is only useful as a closing time.
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes since local midnight, `0...1440`.
    public let minutesSinceMidnight: Int

    /// Midnight at the start of the day.
    public static let startOfDay = TimeOfDay(uncheckedMinutes: 0)
    /// `24:00`: midnight at the end of the day (the start of the next one).
    public static let endOfDay = TimeOfDay(uncheckedMinutes: 1440)

    /// The time `hour:minute`; throws unless `0 <= hour <= 23` and `0 <= minute <= 59`, or it is exactly `24:00`.
    public init(hour: Int, minute: Int) throws(BusinessCalendarError) {
        guard (0...23).contains(hour) && (0...59).contains(minute) || (hour == 24 && minute == 0) else {
            throw BusinessCalendarError(
                .malformedTime,
                "time \(hour):\(minute) is out of range; use 00:00 to 23:59, or 24:00 for the end of the day")
        }
        self.minutesSinceMidnight = hour * 60 + minute
    }

    /// Parses `HH:MM` (two digits each, `24:00` allowed).
    public init(parsing text: String) throws(BusinessCalendarError) {
        let bytes = Array(text.utf8)
        func digit(_ index: Int) -> Int? {
            let byte = bytes[index]
            return (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
        }
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
            let h1 = digit(0), let h2 = digit(1), let m1 = digit(3), let m2 = digit(4)
        else {
            throw BusinessCalendarError(
                .malformedTime, "time \"\(text)\" is not HH:MM (for example \"09:00\" or \"24:00\")")
        }
        let hour = h1 * 10 + h2
        let minute = m1 * 10 + m2
        guard hour <= 23 && minute <= 59 || (hour == 24 && minute == 0) else {
            throw BusinessCalendarError(
                .malformedTime, "time \"\(text)\" is out of range; use 00:00 to 23:59, or 24:00 for the end of the day")
        }
        self.minutesSinceMidnight = hour * 60 + minute
    }

    init(uncheckedMinutes minutes: Int) {
        self.minutesSinceMidnight = minutes
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }

    /// `HH:MM`, for example `09:00` or `24:00`.
    public var description: String {
        let hour = minutesSinceMidnight / 60
        let minute = minutesSinceMidnight % 60
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }
}

extension TimeOfDay: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
