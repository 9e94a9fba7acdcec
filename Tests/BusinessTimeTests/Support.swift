import BusinessTime
import DocketTime
import Testing

/// Parses an RFC 3339 instant, failing the test if it is malformed.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Timestamp {
    try #require(Timestamp(iso8601: text), "not an RFC 3339 time: \(text)", sourceLocation: sourceLocation)
}

/// A calendar from compact literals: `["mon": [("09:00", "17:00")]]`.
func makeCalendar(
    _ zone: String,
    _ weekly: [Weekday: [(String, String)]],
    holidays: [String] = [],
    replacements: [String: [(String, String)]] = [:]
) throws -> BusinessCalendar {
    var hours: [Weekday: [BusinessSlot]] = [:]
    for (day, pairs) in weekly { hours[day] = try pairs.map { try BusinessSlot($0.0, $0.1) } }
    var replaced: [LocalDate: [BusinessSlot]] = [:]
    for (date, pairs) in replacements {
        replaced[try LocalDate(parsing: date)] = try pairs.map { try BusinessSlot($0.0, $0.1) }
    }
    return try BusinessCalendar(
        timeZone: zone, weeklyHours: WeeklyHours(hours), holidays: holidays.map { try LocalDate(parsing: $0) },
        replacementHours: replaced)
}

/// 09:00–17:00 Monday to Friday.
func officeHours(_ zone: String, holidays: [String] = [], replacements: [String: [(String, String)]] = [:]) throws
    -> BusinessCalendar
{
    let day = [("09:00", "17:00")]
    return try makeCalendar(
        zone, [.mon: day, .tue: day, .wed: day, .thu: day, .fri: day], holidays: holidays, replacements: replacements)
}

/// 00:00–24:00 every day in `zone`: business time is real time, whatever the clock changes.
func roundTheClock(_ zone: String) throws -> BusinessCalendar {
    try BusinessCalendar(timeZone: zone, weeklyHours: .alwaysOpen)
}

extension Timestamp {
    func adding(seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + seconds * 1000)
    }
}

/// SplitMix64: a small seeded generator, so property tests replay the same cases.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
