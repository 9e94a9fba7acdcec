/// JSON: `{"timeZone": "Europe/Berlin", "weeklyHours": {"mon": [{"open": "09:00", "close": "17:00"}], …},
/// "holidays": ["2026-12-25"], "replacementHours": {"2026-12-24": [{"open": "09:00", "close": "12:00"}]}}`.
///
/// `holidays` and `replacementHours` may be left out. Decoding validates like `init` and throws
/// `BusinessCalendarError` for malformed input.
extension BusinessCalendar: Codable {
    private enum CodingKeys: String, CodingKey {
        case timeZone, weeklyHours, holidays, replacementHours
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let identifier = try container.decode(String.self, forKey: .timeZone)
        let weeklyHours = try container.decode(WeeklyHours.self, forKey: .weeklyHours)
        let holidays = try container.decodeIfPresent([LocalDate].self, forKey: .holidays) ?? []
        let rawReplacements =
            try container.decodeIfPresent([String: [BusinessSlot]].self, forKey: .replacementHours) ?? [:]
        var replacements: [LocalDate: [BusinessSlot]] = [:]
        for (text, slots) in rawReplacements {
            replacements[try LocalDate(parsing: text)] = slots
        }
        try self.init(
            timeZone: identifier, weeklyHours: weeklyHours, holidays: holidays, replacementHours: replacements)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZoneIdentifier, forKey: .timeZone)
        try container.encode(weeklyHours, forKey: .weeklyHours)
        try container.encode(holidays, forKey: .holidays)
        var rawReplacements: [String: [BusinessSlot]] = [:]
        for (date, slots) in replacementHours { rawReplacements[date.description] = slots }
        try container.encode(rawReplacements, forKey: .replacementHours)
    }
}
