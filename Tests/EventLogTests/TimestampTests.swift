import EventLog
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-03T14:00:00Z", "2026-11-03T14:00:00.000Z"),
        ("2026-11-03T14:00:00.5Z", "2026-11-03T14:00:00.500Z"),
        ("2026-11-03 15:30:00+01:30", "2026-11-03T14:00:00.000Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("2024-02-29T00:00:00-05:00", "2024-02-29T05:00:00.000Z"),
    ])
    func parsesAndPrintsRFC3339(input: String, printed: String) throws {
        #expect(try #require(Timestamp(iso8601: input)).iso8601 == printed)
    }

    @Test(arguments: ["", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-03T14:00:00", "2026-11-03T24:00:00Z", "yesterday"])
    func rejectsWhatIsNotATime(input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }

    @Test func agreesWithFoundationOverManyDays() throws {
        var ms: Int64 = -5_000_000_000_000
        while ms < 5_000_000_000_000 {
            let ours = Timestamp(millisecondsSinceEpoch: ms)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
            #expect(ours.iso8601.hasPrefix(expected))
            #expect(Timestamp(iso8601: ours.iso8601) == ours)
            ms += 86_400_000 * 97 + 3_723_456
        }
    }

    /// The text as it was built before it was written in place (padded parts joined), for every kind of instant: before
    /// and after the epoch, every millisecond width, the years 0 and 9999 at their ends, and years outside them.
    @Test func printsTheSameTextAsThePaddedParts() {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        func joined(_ ms: Int64) -> String {
            let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            let millis = Int(ms - seconds * 1000)
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let secondOfDay = Int(seconds - days * 86_400)
            let (year, month, day) = CivilCalendar.date(fromDaysSinceEpoch: days)
            return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
                + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
        }
        let yearZero: Int64 = -62_167_219_200_000
        let afterYear9999: Int64 = 253_402_300_800_000
        var instants: [Int64] = [0, -1, 1, 999, -999, 1_000, yearZero, yearZero - 1, afterYear9999 - 1, afterYear9999, .max / 4, .min / 4]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            instants.append(Int64(bitPattern: state) % 400_000_000_000_000)
        }
        for ms in instants {
            #expect(Timestamp(millisecondsSinceEpoch: ms).iso8601 == joined(ms), "\(ms)")
        }
    }
}
