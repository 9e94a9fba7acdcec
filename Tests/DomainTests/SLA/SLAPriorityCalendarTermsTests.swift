import BusinessTime
import DocketTime
import Domain
import Foundation
import Testing

/// Per-priority calendars in an SLA policy's terms (`calendars: {P1: 24x7}`) and their freezing into
/// `ticket.sla-started`.
@Suite("SLA per-priority calendars: terms and freezing")
struct SLAPriorityCalendarTermsTests {
    @Test func aPrioritysCalendarIsValidatedAsThePolicysIs() throws {
        let bad = SLATerms(calendar: "ny-office", calendars: ["P1": "Night Desk"], targets: SLAFixture.targets)
        let refused = try #require(
            given(SLAPolicyDecider.self).refusal(of: .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Fixture.now, terms: bad))))
        #expect(refused.code == .invalid)
        #expect(
            refused.message
                == "calendar \"Night Desk\" (of P1) is not a calendar id; name a calendar (lower-case letters, digits and dashes) or use 24x7")
        // A priority given the policy's own calendar has none of its own.
        let same = try SLAPolicyDecider.validate(
            SLATerms(calendar: "ny-office", calendars: ["P1": "24x7", "P3": "ny-office"], targets: SLAFixture.targets))
        #expect(same.calendars == ["P1": "24x7"])
        #expect(same.calendar(for: "P1") == "24x7" && same.calendar(for: "P3") == "ny-office")
    }

    @Test func termsWriteTheirCalendarsOnlyWhenAPriorityHasOne() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = String(decoding: try encoder.encode(SLAFixture.goldTerms), as: UTF8.self)
        #expect(!plain.contains("calendars"), "terms without per-priority calendars have the bytes they always had")
        var split = SLAFixture.goldTerms
        split.calendars = ["P1": "24x7"]
        let text = String(decoding: try encoder.encode(split), as: UTF8.self)
        #expect(text.hasPrefix(#"{"calendar":"ny-office","calendars":{"P1":"24x7"},"escalations":"#))
        #expect(try JSONDecoder().decode(SLATerms.self, from: Data(text.utf8)) == split)
        let unknown = text.replacingOccurrences(of: #"{"P1":"24x7"}"#, with: #"{"P5":"24x7"}"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLATerms.self, from: Data(unknown.utf8)) }
    }

    /// `ticket.sla-started` freezes each priority's own calendar with the amendment in force at the opening; a start
    /// without any has no `calendars` member, and old payloads decode to none.
    @Test func theStartFreezesEachPrioritysCalendar() throws {
        let office = CalendarDecider.fold([
            .defined(CalendarDefined(id: "ny-office", name: "NY", effectiveFrom: Fixture.date(1, 1), calendar: SLAFixture.newYork))
        ])
        let desk = CalendarDecider.fold([
            .defined(CalendarDefined(id: "p1-desk", name: "P1 desk", effectiveFrom: Fixture.date(1, 1), calendar: SLAFixture.roundTheClock("America/New_York"))),
            .amended(CalendarAmended(amendment: 1, effectiveFrom: Fixture.date(6, 1), calendar: SLAFixture.berlin)),
        ])
        var terms = SLAFixture.goldTerms
        terms.calendars = ["P1": "p1-desk", "P2": "24x7"]
        let policy = SLAPolicyDecider.fold([.defined(SLAPolicyDefined(id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1), terms: terms))])
        let started = try TicketSLAStarted.resolve(
            policy: policy, calendar: office, calendars: ["p1-desk": desk], priority: "P3", at: Fixture.date(7, 1))
        #expect(started.calendars == [
            "P1": SLAFrozenCalendar(calendarId: "p1-desk", calendarAmendment: 1, calendar: SLAFixture.berlin),
            "P2": SLAFrozenCalendar(calendarId: "24x7", calendarAmendment: 0, calendar: .twentyFourSeven),
        ])
        #expect(started.calendar(for: "P3") == SLAFixture.newYork && started.calendarId(for: "P1") == "p1-desk")
        let payload = TicketSLAEvent.started(started).payload()
        #expect(try TicketSLAEvent.decode(type: "ticket.sla-started", schemaVersion: 1, payload: payload) == .started(started))
        #expect(String(decoding: payload, as: UTF8.self).contains(#""calendars":{"P1":{"calendar":{"#))

        let missing = refusal { () throws(DomainError) in
            try TicketSLAStarted.resolve(policy: policy, calendar: office, priority: "P3", at: Fixture.date(7, 1))
        }
        #expect(missing?.message == "SLA policy gold counts P1 time with calendar p1-desk, which was not looked up; look up calendar p1-desk")
        let late = CalendarDecider.fold([
            .defined(CalendarDefined(id: "p1-desk", name: "P1 desk", effectiveFrom: Fixture.date(8, 1), calendar: SLAFixture.berlin))
        ])
        let early = refusal { () throws(DomainError) in
            try TicketSLAStarted.resolve(policy: policy, calendar: office, calendars: ["p1-desk": late], priority: "P3", at: Fixture.date(7, 1))
        }
        #expect(early?.code == .conflict)
        #expect(early?.message.hasPrefix("calendar p1-desk starts at 2026-08-01T00:00:00.000Z, after this ticket's start") == true)

        let plain = try TicketSLAStarted.resolve(policy: SLAPolicyDecider.fold([
            .defined(SLAPolicyDefined(id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1), terms: SLAFixture.goldTerms))
        ]), calendar: office, priority: "P3", at: Fixture.date(7, 1))
        #expect(plain.calendars.isEmpty && !String(decoding: TicketSLAEvent.started(plain).payload(), as: UTF8.self).contains("calendars"))
    }
}
