import DocketTime

/// A calendar date in the business calendar's own time zone (proleptic Gregorian), written `YYYY-MM-DD`.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01: the date's position on a plain day line.
    public let daysSinceEpoch: Int64

    /// The date `year-month-day`; throws unless it is a real date in years 0001–9999.
    public init(year: Int, month: Int, day: Int) throws(BusinessCalendarError) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilCalendar.daysIn(month: month, year: year)
        else {
            throw BusinessCalendarError(.malformedDate, "date \(year)-\(month)-\(day) does not exist")
        }
        self.daysSinceEpoch = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`.
    public init(parsing text: String) throws(BusinessCalendarError) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else {
            throw BusinessCalendarError(
                .malformedDate, "date \"\(text)\" is not YYYY-MM-DD (for example \"2026-12-25\")")
        }
        do {
            try self.init(year: year, month: month, day: day)
        } catch {
            throw BusinessCalendarError(.malformedDate, "date \"\(text)\" does not exist")
        }
    }

    /// The date that is `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch: Int64) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Year, month (1–12) and day of month (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        CivilCalendar.date(fromDaysSinceEpoch: daysSinceEpoch)
    }

    /// The day of the week.
    public var weekday: Weekday { Weekday(daysSinceEpoch: daysSinceEpoch) }

    /// The date `count` days later (earlier when negative).
    public func adding(days count: Int64) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + count)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = components
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
