import BusinessTime
import Foundation
import Testing

@Suite struct ValidationTests {
    func code(_ body: () throws -> Void) -> BusinessCalendarError.Code? {
        do {
            try body()
            return nil
        } catch let error as BusinessCalendarError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test(arguments: ["9:00", "09:0", "0900", "24:01", "25:00", "12:60", "ab:cd", "", "09:00 ", "-1:00", "09.00"])
    func malformedTimes(_ text: String) {
        #expect(code { _ = try TimeOfDay(parsing: text) } == .malformedTime)
    }

    @Test func wellFormedTimes() throws {
        #expect(try TimeOfDay(parsing: "00:00") == .startOfDay)
        #expect(try TimeOfDay(parsing: "24:00") == .endOfDay)
        #expect(try TimeOfDay(parsing: "23:59").minutesSinceMidnight == 1439)
        #expect(try TimeOfDay(hour: 9, minute: 30).description == "09:30")
        #expect(code { _ = try TimeOfDay(hour: 24, minute: 30) } == .malformedTime)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-2-3", "26-12-25", "2026/12/25", "0000-01-01", ""])
    func malformedDates(_ text: String) {
        #expect(code { _ = try LocalDate(parsing: text) } == .malformedDate)
    }

    @Test func wellFormedDates() throws {
        #expect(try LocalDate(parsing: "2028-02-29").description == "2028-02-29")
        #expect(try LocalDate(parsing: "1970-01-01").daysSinceEpoch == 0)
        #expect(try LocalDate(parsing: "1970-01-01").weekday == .thu)
    }

    @Test func slotsMustOpenBeforeTheyClose() {
        #expect(code { _ = try BusinessSlot("17:00", "09:00") } == .emptySlot)
        #expect(code { _ = try BusinessSlot("09:00", "09:00") } == .emptySlot)
        #expect(code { _ = try BusinessSlot("22:00", "00:00") } == .emptySlot)
        #expect(code { _ = try BusinessSlot("24:00", "24:00") } == .emptySlot)
    }

    @Test func daySlotsMustBeOrderedAndDisjoint() throws {
        let morning = try BusinessSlot("09:00", "12:00")
        let lunchOverlap = try BusinessSlot("11:00", "13:00")
        let afternoon = try BusinessSlot("12:00", "17:00")
        #expect(code { _ = try WeeklyHours([.mon: [afternoon, morning]]) } == .unorderedSlots)
        #expect(code { _ = try WeeklyHours([.tue: [morning, lunchOverlap]]) } == .overlappingSlots)
        #expect(code { _ = try WeeklyHours([.wed: [morning, morning]]) } == .overlappingSlots)
        // Touching slots are fine.
        #expect(code { _ = try WeeklyHours([.thu: [morning, afternoon]]) } == nil)
        // Replacement hours are checked the same way.
        #expect(
            code {
                _ = try BusinessCalendar(
                    timeZone: "UTC", weeklyHours: .alwaysOpen,
                    replacementHours: [try LocalDate(parsing: "2026-12-24"): [afternoon, morning]])
            } == .unorderedSlots)
    }

    @Test(arguments: ["Mars/Olympus_Mons", "", "utc", "America/New York", "Europe/Berlin "])
    func unknownTimeZones(_ identifier: String) {
        #expect(code { _ = try BusinessCalendar(timeZone: identifier, weeklyHours: .alwaysOpen) } == .unknownTimeZone)
    }

    @Test func weekWithoutHoursIsRefused() {
        #expect(code { _ = try BusinessCalendar(timeZone: "UTC", weeklyHours: WeeklyHours([:])) } == .noBusinessHours)
    }

    @Test func holidayWithReplacementHoursIsRefused() throws {
        let date = try LocalDate(parsing: "2026-12-24")
        let error = #expect(throws: BusinessCalendarError.self) {
            _ = try BusinessCalendar(
                timeZone: "Europe/Berlin", weeklyHours: .alwaysOpen, holidays: [date],
                replacementHours: [date: [try BusinessSlot("09:00", "12:00")]])
        }
        #expect(error?.code == .conflictingDate)
        #expect(error?.message.contains("2026-12-24") == true)
    }

    @Test func repeatedHolidaysAreKeptOnce() throws {
        let date = try LocalDate(parsing: "2026-12-25")
        let calendar = try BusinessCalendar(
            timeZone: "UTC", weeklyHours: .alwaysOpen, holidays: [date, try LocalDate(parsing: "2026-01-01"), date])
        #expect(calendar.holidays.map(\.description) == ["2026-01-01", "2026-12-25"])
    }

    // MARK: - JSON

    func decode(_ json: String) throws -> BusinessCalendar {
        try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
    }

    @Test func malformedJSONGivesClearErrors() {
        let cases: [(String, BusinessCalendarError.Code, String)] = [
            (
                #"{"timeZone":"Nowhere/City","weeklyHours":{"mon":[{"open":"09:00","close":"17:00"}]}}"#,
                .unknownTimeZone, "Nowhere/City"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"monday":[{"open":"09:00","close":"17:00"}]}}"#,
                .unknownWeekday, "monday"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"mon":[{"open":"9am","close":"17:00"}]}}"#,
                .malformedTime, "9am"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"mon":[{"open":"13:00","close":"17:00"},{"open":"09:00","close":"12:00"}]}}"#,
                .unorderedSlots, "mon"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"mon":[{"open":"09:00","close":"13:00"},{"open":"12:00","close":"17:00"}]}}"#,
                .overlappingSlots, "09:00–13:00"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"mon":[{"open":"09:00","close":"17:00"}]},"holidays":["2026-12-32"]}"#,
                .malformedDate, "2026-12-32"
            ),
            (
                #"{"timeZone":"UTC","weeklyHours":{"mon":[{"open":"09:00","close":"17:00"}]},"replacementHours":{"24.12.2026":[]}}"#,
                .malformedDate, "24.12.2026"
            ),
            (#"{"timeZone":"UTC","weeklyHours":{"sat":[]}}"#, .noBusinessHours, "no slot"),
        ]
        for (json, expected, mention) in cases {
            let error = #expect(throws: BusinessCalendarError.self, "\(json)") { try decode(json) }
            #expect(error?.code == expected, "\(json)")
            #expect(error?.message.contains(mention) == true, "\(error?.message ?? "")")
        }
    }

    @Test func roundTripsThroughJSON() throws {
        let calendar = try officeHours(
            "Europe/Berlin", holidays: ["2026-12-25", "2026-12-26"],
            replacements: ["2026-12-24": [("09:00", "12:00")], "2026-12-19": [("10:00", "14:00"), ("15:00", "24:00")]])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // as Docket's event codec
        let data = try encoder.encode(calendar)
        let decoded = try JSONDecoder().decode(BusinessCalendar.self, from: data)
        #expect(decoded == calendar)
        #expect(try encoder.encode(decoded) == data)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains(#""timeZone":"Europe/Berlin""#))
        #expect(text.contains(#""holidays":["2026-12-25","2026-12-26"]"#))
        #expect(text.contains(#""2026-12-19":[{"close":"14:00","open":"10:00"},{"close":"24:00","open":"15:00"}]"#))
        #expect(text.contains(#""sun":[]"#))
        #expect(try encoder.encode(BusinessCalendar.twentyFourSeven).count > 0)
        #expect(
            try decode(String(decoding: try encoder.encode(BusinessCalendar.twentyFourSeven), as: UTF8.self))
                == .twentyFourSeven)
    }

    @Test func optionalPartsMayBeLeftOut() throws {
        let calendar = try decode(
            #"{"timeZone":"Asia/Kolkata","weeklyHours":{"fri":[{"open":"10:00","close":"18:30"}]}}"#)
        #expect(calendar.holidays.isEmpty)
        #expect(calendar.replacementHours.isEmpty)
        #expect(calendar.weeklyHours[.fri].map(\.description) == ["10:00–18:30"])
        #expect(calendar.weeklyHours[.mon].isEmpty)
    }
}
