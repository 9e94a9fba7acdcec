/// An instant in UTC with millisecond precision, as stored in the log.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// RFC 3339 in UTC: `2026-11-03T14:00:00.000Z`.
    public var description: String { iso8601 }

    /// RFC 3339 in UTC with milliseconds: `2026-11-03T14:00:00.000Z`.
    public var iso8601: String {
        let ms = millisecondsSinceEpoch
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilCalendar.date(fromDaysSinceEpoch: days)
        guard (0...9999).contains(year) else {
            return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
                + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
        }
        // The 24 bytes written in place: joining the padded parts made some twenty strings an instant (every row
        // with an instant in the binary row format formats it once, to check that it reads back).
        return String(unsafeUninitializedCapacity: 24) { text in
            func digits(_ value: Int, _ width: Int, at offset: Int) {
                var rest = value
                for index in (offset..<(offset + width)).reversed() {
                    text[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
            }
            digits(year, 4, at: 0)
            text[4] = UInt8(ascii: "-")
            digits(month, 2, at: 5)
            text[7] = UInt8(ascii: "-")
            digits(day, 2, at: 8)
            text[10] = UInt8(ascii: "T")
            digits(secondOfDay / 3600, 2, at: 11)
            text[13] = UInt8(ascii: ":")
            digits(secondOfDay / 60 % 60, 2, at: 14)
            text[16] = UInt8(ascii: ":")
            digits(secondOfDay % 60, 2, at: 17)
            text[19] = UInt8(ascii: ".")
            digits(millis, 3, at: 20)
            text[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Parses RFC 3339 (`2026-10-31T23:59:59Z`, `2026-10-31T23:59:59.5+01:00`; a space may stand for `T`),
    /// or nil when `text` is not such a time.
    public init?(iso8601 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Timestamp(iso8601UTF8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Parses RFC 3339 as ``init(iso8601:)`` does, from the text's UTF-8 bytes (a payload's, read in place).
    public init?(iso8601UTF8 bytes: UnsafeRawBufferPointer) {
        var scanner = DigitScanner(bytes)
        guard let year = scanner.number(digits: 4), scanner.take("-"),
            let month = scanner.number(digits: 2), scanner.take("-"),
            let day = scanner.number(digits: 2), scanner.take("T") || scanner.take("t") || scanner.take(" "),
            let hour = scanner.number(digits: 2), scanner.take(":"),
            let minute = scanner.number(digits: 2), scanner.take(":"),
            let second = scanner.number(digits: 2)
        else { return nil }
        var millis = 0
        if scanner.take(".") {
            var scale = 100
            var any = false
            while let digit = scanner.digit() {
                millis += digit * scale
                scale /= 10
                any = true
            }
            if !any { return nil }
        }
        var offsetSeconds = 0
        if scanner.take("Z") || scanner.take("z") {
        } else if let sign = scanner.sign() {
            guard let oh = scanner.number(digits: 2), scanner.take(":"), let om = scanner.number(digits: 2),
                oh < 24, om < 60
            else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard scanner.atEnd, (1...12).contains(month), day >= 1,
            day <= CivilCalendar.daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        self.init(millisecondsSinceEpoch: seconds * 1000 + Int64(millis))
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's `days_from_civil` and `civil_from_days`).
public enum CivilCalendar {
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func date(fromDaysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Reads fixed-width decimal fields and single ASCII characters.
private struct DigitScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func digit() -> Int? {
        guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - 0x30)
    }

    mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}

extension Timestamp {
    /// A time typed with `Z` or an offset: RFC 3339, whose seconds a person may leave out (`2026-11-01T00:00-05:00` is
    /// `2026-11-01T00:00:00-05:00`); nil for anything else, a time without a zone included.
    public static func typed(_ text: String) -> Timestamp? {
        if let exact = Timestamp(iso8601: text) { return exact }
        guard text.count > 16, let zone = text.dropFirst(16).first, zone == "Z" || zone == "+" || zone == "-" else { return nil }
        return Timestamp(iso8601: text.prefix(16) + ":00" + text.dropFirst(16))
    }

    /// A time typed without a zone, as what clocks read: a date (`2026-11-01`, its midnight) or a date and time
    /// (`2026-11-01 08:00`, `2026-11-01T08:00:00`), held as the instant at which a UTC clock reads it; nil for anything
    /// else. Whose clock it is (a client's, a tech's) is the caller's to say.
    public static func wallClockReading(_ text: String) -> Timestamp? {
        [text + ":00Z", text + "Z", text + "T00:00:00Z"].lazy.compactMap(Timestamp.init(iso8601:)).first
    }
}
