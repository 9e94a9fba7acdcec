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
}
