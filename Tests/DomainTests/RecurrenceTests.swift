import BusinessTime
import DocketTime
import Domain
import Foundation
import Testing

/// The occurrences of a recurring ticket schedule: every day, every workday, every N weeks, every N months on a day or
/// on the last day, read in the schedule's zone from its first date on.
@Suite struct RecurrenceTests {
    /// A date written in the test (a literal: a typo is a crash, not a silent pass).
    func date(_ text: String) -> LocalDate { try! LocalDate(parsing: text) }
    func instant(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    func recurrence(
        _ every: Recurrence.Every, weekday: Weekday? = nil, day: Int? = nil, lastDay: Bool? = nil, interval: Int? = nil,
        startsOn: String, timeZone: String = "UTC"
    ) throws -> Recurrence {
        Recurrence(
            every: every, weekday: weekday, day: day, lastDay: lastDay, interval: interval, at: try TimeOfDay(parsing: "08:00"),
            startsOn: date(startsOn), timeZone: timeZone)
    }

    @Test func everyDayAndEveryWorkday() throws {
        let daily = try recurrence(.day, startsOn: "2027-01-01")
        #expect(daily.next(after: instant("2027-01-01T09:00:00Z")) == date("2027-01-02"))
        #expect(daily.latest(atOrBefore: instant("2027-01-02T07:59:00Z")) == date("2027-01-01"))
        // 2027-01-08 is a Friday: a workday schedule skips the weekend both ways.
        let workdays = try recurrence(.workday, startsOn: "2027-01-01")
        #expect(workdays.next(after: instant("2027-01-08T09:00:00Z")) == date("2027-01-11"))
        #expect(workdays.latest(atOrBefore: instant("2027-01-10T12:00:00Z")) == date("2027-01-08"))
        #expect(!workdays.falls(on: date("2027-01-09")) && workdays.falls(on: date("2027-01-11")))
        #expect(workdays.text == "every workday (mon–fri) at 08:00 (UTC)")
    }

    @Test func everyOtherWeekCountsFromTheWeekOfTheFirstDate() throws {
        // Starts Wednesday 2027-01-06: its week's Monday (01-04) is before the start, so the first Monday is 01-18.
        let fortnightly = try recurrence(.week, weekday: .mon, interval: 2, startsOn: "2027-01-06")
        #expect(fortnightly.next(after: instant("2027-01-06T00:00:00Z")) == date("2027-01-18"))
        #expect(!fortnightly.falls(on: date("2027-01-11")) && !fortnightly.falls(on: date("2027-01-25")))
        #expect(fortnightly.next(after: instant("2027-01-18T08:00:00Z")) == date("2027-02-01"))
        // Ticks missed for three weeks find the latest occurrence, two weeks back.
        #expect(fortnightly.latest(atOrBefore: instant("2027-02-14T12:00:00Z")) == date("2027-02-01"))
        #expect(fortnightly.text == "every 2 weeks on mon at 08:00 (UTC)")
        // A Sunday start: the week is Monday to Sunday, so its own week's Monday is the week 0.
        let fromSunday = try recurrence(.week, weekday: .mon, interval: 2, startsOn: "2027-01-10")
        #expect(fromSunday.next(after: instant("2027-01-10T00:00:00Z")) == date("2027-01-18"))
    }

    @Test func quarterlyOnTheLastDayOfTheMonth() throws {
        let quarterly = try recurrence(.month, lastDay: true, interval: 3, startsOn: "2027-01-15")
        var occurrences: [LocalDate] = []
        var now = instant("2027-01-15T00:00:00Z")
        for _ in 0..<5 {
            let next = quarterly.next(after: now)
            occurrences.append(next)
            now = quarterly.instant(on: next)
        }
        #expect(occurrences == ["2027-01-31", "2027-04-30", "2027-07-31", "2027-10-31", "2028-01-31"].map(date))
        // Half a year without a tick: the latest occurrence is months back, and it is found.
        #expect(quarterly.latest(atOrBefore: instant("2027-07-30T12:00:00Z")) == date("2027-04-30"))
        #expect(quarterly.text == "every 3 months on the last day at 08:00 (UTC)")
        // The last day of a leap February.
        let monthEnd = try recurrence(.month, lastDay: true, startsOn: "2028-02-01")
        #expect(monthEnd.next(after: instant("2028-02-01T00:00:00Z")) == date("2028-02-29"))
    }

    @Test func aPayloadWithoutTheNewMembersReadsAndWritesAsBefore() throws {
        let json = #"{"at":"08:00","day":1,"every":"month","startsOn":"2026-12-05","timeZone":"America/New_York"}"#
        let decoded = try JSONDecoder().decode(Recurrence.self, from: Data(json.utf8))
        #expect(decoded.interval == nil && decoded.lastDay == nil && decoded.day == 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == json)
    }

    @Test func theDeciderRefusesOptionsThatDoNotFitTheRecurrence() throws {
        for (bad, message) in [
            (try recurrence(.day, interval: 2, startsOn: "2027-01-01"), "--interval is for --every week or month"),
            (try recurrence(.workday, weekday: .mon, startsOn: "2027-01-01"), "takes no --weekday or --day"),
            (try recurrence(.week, weekday: .mon, interval: 53, startsOn: "2027-01-01"), "every 1 to 52 weeks"),
            (try recurrence(.month, day: 1, interval: 13, startsOn: "2027-01-01"), "every 1 to 12 months"),
            (try recurrence(.month, day: 1, lastDay: true, startsOn: "2027-01-01"), "--day 1 to 28 (every month has it) or --day last"),
            (try recurrence(.month, startsOn: "2027-01-01"), "or --day last"),
        ] {
            #expect(throws: DomainError.self, "\(bad)") { try Self.define(bad) }
            do { _ = try Self.define(bad) } catch { #expect(error.message.contains(message), "\(error.message)") }
        }
        let once = try Self.define(try recurrence(.week, weekday: .mon, interval: 1, startsOn: "2027-01-01"))
        #expect(once.interval == nil, "every 1 week is written as every week")
    }

    static func define(_ recurrence: Recurrence) throws(DomainError) -> Recurrence {
        let schedule = ScheduleDefined(
            id: "acme-check", client: "acme", subject: "Check", description: nil, priority: .p3, category: nil, assignee: nil,
            recurrence: recurrence)
        let events = try ScheduleDecider.decide(
            .define(schedule, client: ClientSnapshot(code: "acme", name: "Acme", isActive: true)), state: ScheduleDecider.initialState,
            context: DecisionContext(actor: Actor(login: "ann", role: .admin), now: Timestamp(iso8601: "2027-01-01T00:00:00Z")!))
        guard case .defined(let defined) = events.first else { Issue.record("no event"); return recurrence }
        return defined.recurrence
    }
}
