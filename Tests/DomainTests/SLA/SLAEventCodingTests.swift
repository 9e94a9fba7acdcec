import BusinessTime
import DocketTime
import Domain
import Testing

@Suite("SLA event coding")
struct SLAEventCodingTests {
    @Test func typeStringsAreFixed() {
        #expect(
            TicketSLAEvent.catalog.map(\.qualifiedName) == [
                "ticket.sla-started.v1", "ticket.sla-warned.v1", "ticket.sla-breached.v1", "ticket.escalated.v1",
            ])
        #expect(CalendarEvent.catalog.map(\.qualifiedName) == ["calendar.defined.v1", "calendar.amended.v1"])
        #expect(SLAPolicyEvent.catalog.map(\.qualifiedName) == ["sla-policy.defined.v1", "sla-policy.amended.v1"])
        #expect(TicketSLAEvent.catalog.allSatisfy { $0.category == "ticket" })
        for entry in TicketSLAEvent.catalog + CalendarEvent.catalog + SLAPolicyEvent.catalog {
            #expect(EventCatalog.descriptor(type: entry.type, schemaVersion: 1) == entry)
        }
    }

    @Test func streamNames() {
        #expect(StreamName.calendar("ny-office") == "calendar-ny-office")
        #expect(StreamName.slaPolicy("gold") == "sla-policy-gold")
    }

    @Test func eachEnumDecodesItsOwnEvents() throws {
        for event in EventSamples.slaTickets {
            #expect(
                try TicketSLAEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
            #expect(
                try DocketEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload())
                    == .ticketSLA(event), "the ticket category dispatches SLA types to TicketSLAEvent")
            #expect(throws: EventDecodingError.self) {
                try TicketEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload())
            }
        }
        for event in EventSamples.calendars {
            #expect(
                try CalendarEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for event in EventSamples.slaPolicies {
            #expect(
                try SLAPolicyEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        let opened = Fixture.opened()
        #expect(
            try DocketEvent.decode(type: "ticket.opened", schemaVersion: 1, payload: opened.payload())
                == .ticket(opened))
    }

    @Test func payloadsAreCanonical() {
        let warned = TicketSLAEvent.warned(
            TicketSLAWarned(clock: .response, percent: 75, dueAt: Timestamp(millisecondsSinceEpoch: 1_793_000_000_123)))
        #expect(
            String(decoding: warned.payload(), as: UTF8.self)
                == #"{"clock":"response","dueAt":"2026-10-26T07:33:20.123Z","percent":75}"#)
        let escalated = TicketSLAEvent.escalated(
            TicketEscalated(rule: "p2-to-dora", dueAt: Fixture.date(1, 9), action: .assign(login: "dora")))
        #expect(
            String(decoding: escalated.payload(), as: UTF8.self)
                == #"{"action":{"kind":"assign","login":"dora"},"dueAt":"2026-01-09T00:00:00.000Z","rule":"p2-to-dora"}"#
        )
        let started = TicketSLAEvent.started(
            SLAFixture.started(calendar: .twentyFourSeven, calendarId: "24x7", priority: "P1", at: Fixture.date(1, 9)))
        let text = String(decoding: started.payload(), as: UTF8.self)
        #expect(
            text.contains(
                #""targets":{"P1":{"resolutionMinutes":240,"responseMinutes":60},"P2":{"resolutionMinutes":480,"responseMinutes":120},"#
            ), "targets are an object keyed P1 to P4")
        #expect(
            text.contains(
                #""calendar":{"holidays":[],"replacementHours":{},"timeZone":"UTC","weeklyHours":{"fri":[{"close":"24:00","open":"00:00"}]"#
            ))
        #expect(text.contains(#""startedAt":"2026-01-09T00:00:00.000Z""#))
    }

    @Test(
        "malformed SLA payloads are errors",
        arguments: [
            (type: "ticket.sla-warned", payload: #"{"clock":"lunch","percent":75,"dueAt":"2026-01-09T00:00:00.000Z"}"#),
            (type: "ticket.sla-breached", payload: #"{"clock":"response","dueAt":1767916800}"#),
            (
                type: "ticket.escalated",
                payload: #"{"rule":"x1","dueAt":"2026-01-09T00:00:00.000Z","action":{"kind":"assign"}}"#
            ),
            (
                type: "calendar.amended",
                payload:
                    #"{"amendment":1,"effectiveFrom":"2026-01-09T00:00:00.000Z","calendar":{"timeZone":"Mars/Olympus","weeklyHours":{}}}"#
            ),
            (
                type: "sla-policy.amended",
                payload:
                    #"{"amendment":1,"effectiveFrom":"2026-01-09T00:00:00.000Z","terms":{"calendar":"24x7","targets":{}}}"#
            ),
        ])
    func malformed(type: String, payload: String) throws {
        let error = try #require(throws: EventDecodingError.self) {
            try DocketEvent.decode(type: type, schemaVersion: 1, payload: Array(payload.utf8))
        }
        guard case .malformedPayload = error.reason else {
            Issue.record("expected malformedPayload, got \(error.reason)")
            return
        }
    }

    @Test func unknownSLATypeAndVersion() throws {
        let unknown = try #require(throws: EventDecodingError.self) {
            try DocketEvent.decode(type: "sla-policy.retired", schemaVersion: 1, payload: Array("{}".utf8))
        }
        #expect(unknown.reason == .unknownType)
        let version = try #require(throws: EventDecodingError.self) {
            try DocketEvent.decode(
                type: "ticket.sla-breached", schemaVersion: 2,
                payload: Array(#"{"clock":"response","dueAt":"2026-01-09T00:00:00.000Z"}"#.utf8))
        }
        #expect(version.reason == .unsupportedVersion)
    }

    @Test func resolveFreezesThePolicyAndCalendarInForce() throws {
        let calendar = CalendarDecider.fold([
            .defined(
                CalendarDefined(
                    id: "ny-office", name: "NY", effectiveFrom: Fixture.date(1, 1), calendar: SLAFixture.newYork)),
            .amended(
                CalendarAmended(
                    amendment: 1, effectiveFrom: Fixture.date(6, 1), calendar: SLAFixture.newYorkWithHolidays)),
        ])
        let policy = SLAPolicyDecider.fold([
            .defined(
                SLAPolicyDefined(
                    id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1), terms: SLAFixture.goldTerms)),
            .amended(
                SLAPolicyAmended(
                    amendment: 1, effectiveFrom: Fixture.date(3, 1),
                    terms: SLATerms(calendar: "ny-office", targets: SLAFixture.targets, warnAtPercent: [50]))),
        ])
        let february = try TicketSLAStarted.resolve(
            policy: policy, calendar: calendar, priority: "P2", at: Fixture.date(2, 1))
        #expect(february.policyAmendment == 0)
        #expect(february.calendarAmendment == 0)
        #expect(february.escalations == SLAFixture.escalations)
        #expect(february.calendar == SLAFixture.newYork)
        #expect(february.priority == "P2")
        #expect(february.startedAt == Fixture.date(2, 1))
        let july = try TicketSLAStarted.resolve(
            policy: policy, calendar: calendar, priority: "P1", at: Fixture.date(7, 1))
        #expect(july.policyAmendment == 1)
        #expect(july.warnAtPercent == [50])
        #expect(july.calendarAmendment == 1)
        #expect(july.calendar == SLAFixture.newYorkWithHolidays)

        let tooEarly = refusal { () throws(DomainError) in
            try TicketSLAStarted.resolve(
                policy: policy, calendar: calendar, priority: "P1", at: Fixture.date(6, 1, year: 2025))
        }
        #expect(tooEarly?.code == .notFound)
        // An amendment before a policy's start is refused, so the advice must not be to amend it earlier.
        let advice = tooEarly?.message ?? ""
        #expect(!advice.contains("amend it"), "\(advice)")
        #expect(advice.contains("starts at \(Fixture.date(1, 1))"), "\(advice)")
        #expect(advice.contains("define a policy under a new id with an earlier --effective"), "\(advice)")
        let calendarTooEarly = refusal { () throws(DomainError) in
            try TicketSLAStarted.resolve(
                policy: SLAPolicyDecider.fold([
                    .defined(SLAPolicyDefined(id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1, year: 2025), terms: SLAFixture.goldTerms))
                ]),
                calendar: calendar, priority: "P1", at: Fixture.date(6, 1, year: 2025))
        }
        #expect(calendarTooEarly?.code == .conflict, "the calendar exists: a clash (exit 6), not a missing one (4)")
        #expect(calendarTooEarly?.message.contains("amend it with an earlier") == false)
        #expect(calendarTooEarly?.message.contains("define a calendar under a new id") == true)
        let wrongCalendar = refusal { () throws(DomainError) in
            try TicketSLAStarted.resolve(
                policy: policy, calendar: .twentyFourSeven, priority: "P1", at: Fixture.date(7, 1))
        }
        #expect(wrongCalendar?.code == .invalid)
        #expect(
            wrongCalendar?.message
                == "SLA policy gold counts time with calendar ny-office, not 24x7; look up calendar ny-office")
    }

    @Test func laterAmendmentsDoNotReStampAStartedTicket() throws {
        let opened = SLAFixture.at("2026-01-12T09:00:00-05:00")
        let started = SLAFixture.started(priority: "P1", at: opened)
        // Whatever the policy or calendar say later, the event carries its own copy.
        let decoded = try TicketSLAEvent.decode(
            type: "ticket.sla-started", schemaVersion: 1, payload: TicketSLAEvent.started(started).payload())
        guard case .started(let frozen) = decoded else {
            Issue.record("expected ticket.sla-started")
            return
        }
        #expect(frozen.calendar == SLAFixture.newYork)
        #expect(
            SLAClock.start(frozen).status(at: opened).resolution.dueAt == SLAFixture.at("2026-01-12T13:00:00-05:00"))
    }
}
