import BusinessTime
import DocketTime
import Domain
import Foundation
import Testing

/// The SLA clock rules, on a Monday–Friday 09:00–17:00 America/New_York calendar (EST, UTC−5, in January 2026)
/// unless said otherwise. Friday 9 January 2026, Monday 12 January 2026.
@Suite("SLA clock")
struct SLAClockTests {
    let at = SLAFixture.at

    // MARK: - Rule 1: start and business time

    @Test func fridayAfternoonTicketIsDueMondayNoon() throws {
        let opened = at("2026-01-09T16:00:00-05:00")
        let sla = clock(SLAFixture.started(priority: "P1", at: opened))
        let status = sla.status(at: opened)
        #expect(status.resolution.dueAt == at("2026-01-12T12:00:00-05:00"), "4 business hours: Fri 16–17, Mon 9–12")
        #expect(status.response.dueAt == at("2026-01-09T17:00:00-05:00"), "1 business hour: the closing instant")
        #expect(status.dueAt == status.response.dueAt, "the earliest due of the two clocks")
        #expect(status.resolution.state == .onTrack)
        #expect(status.resolution.targetSeconds == 4 * 3600)
        #expect(status.resolution.remainingSeconds == 4 * 3600)
        // Line by line, with the frozen calendar.
        let lines = sla.calendar.intervals(from: opened, to: try #require(status.resolution.dueAt))
        #expect(lines.map(\.milliseconds) == [3_600_000, 3 * 3_600_000])
        #expect(lines.map(\.date.description) == ["2026-01-09", "2026-01-12"])
        // Over the weekend nothing counts.
        let saturday = sla.status(at: at("2026-01-10T12:00:00-05:00"))
        #expect(saturday.resolution.usedSeconds == 3600)
        #expect(saturday.resolution.dueAt == status.resolution.dueAt)
    }

    // MARK: - Rule 3: waiting on client pauses both clocks

    @Test func aPauseOverTheWeekendHoldsNoBusinessTime() throws {
        let started = SLAFixture.started(priority: "P2", at: at("2026-01-09T14:00:00-05:00"))
        let plain = clock(started)
        let paused = clock(
            started,
            [
                (SLAFixture.waiting, "2026-01-09T17:30:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-11T12:00:00-05:00"),
            ])
        let monday = at("2026-01-12T10:00:00-05:00")
        #expect(paused.status(at: monday).resolution.dueAt == plain.status(at: monday).resolution.dueAt)
        #expect(paused.status(at: monday).resolution.dueAt == at("2026-01-12T14:00:00-05:00"), "Fri 14–17, Mon 9–14")
        #expect(paused.resolution.intervals.map(\.reason) == ["opened", "waiting on client", "resumed"])
        #expect(paused.resolution.intervals.map(\.mode) == [.running, .paused, .running])
        #expect(paused.resolution.intervals.map(\.countedMilliseconds) == [3 * 3_600_000, 0, nil])
        let whilePaused = clock(started, [(SLAFixture.waiting, "2026-01-09T17:30:00-05:00")])
            .status(at: at("2026-01-10T09:00:00-05:00"))
        #expect(whilePaused.resolution.state == .paused)
        #expect(whilePaused.response.state == .breached, "2 business hours used: breached even while paused")
        #expect(whilePaused.resolution.dueAt == nil)
        #expect(whilePaused.dueAt == nil)
    }

    @Test func resumingShiftsTheDueTimeByExactlyThePausedBusinessTime() throws {
        let started = SLAFixture.started(priority: "P2", at: at("2026-01-09T14:00:00-05:00"))
        let pause = at("2026-01-09T16:00:00-05:00")
        let resume = at("2026-01-12T11:00:00-05:00")
        let plain = clock(started).status(at: resume)
        let paused = clock(
            started,
            [
                (SLAFixture.waiting, "2026-01-09T16:00:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-12T11:00:00-05:00"),
            ]
        ).status(at: resume)
        let before = try #require(plain.resolution.dueAt)
        let after = try #require(paused.resolution.dueAt)
        #expect(before == at("2026-01-12T14:00:00-05:00"))
        #expect(after == at("2026-01-12T17:00:00-05:00"))
        let pausedBusiness = started.calendar.businessSeconds(from: pause, to: resume)
        #expect(pausedBusiness == 3 * 3600, "Fri 16–17 and Mon 9–11")
        #expect(started.calendar.businessSeconds(from: before, to: after) == pausedBusiness)
        #expect(paused.resolution.usedSeconds == 2 * 3600)
        #expect(paused.resolution.intervals.map(\.countedMilliseconds) == [2 * 3_600_000, 0, 0])
    }

    // MARK: - Rule 2: the response

    @Test func responseIsMetByTheFirstPublicCommentNotAnInternalOne() throws {
        let started = SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00"))
        let noted = clock(started, [(SLAFixture.internalNote, "2026-01-12T10:00:00-05:00")])
        #expect(noted.response.metAt == nil)
        #expect(noted.status(at: at("2026-01-12T10:30:00-05:00")).response.state == .onTrack)

        let replied = clock(
            started,
            [
                (SLAFixture.internalNote, "2026-01-12T10:00:00-05:00"),
                (SLAFixture.publicReply, "2026-01-12T11:00:00-05:00"),
                (SLAFixture.publicReply, "2026-01-12T12:00:00-05:00"),
            ])
        #expect(replied.response.metAt == at("2026-01-12T11:00:00-05:00"), "the first public comment")
        let later = replied.status(at: at("2026-01-12T15:00:00-05:00"))
        #expect(later.response.state == .met)
        #expect(later.response.usedSeconds == 2 * 3600)
        #expect(later.response.remainingSeconds == 2 * 3600)
        #expect(later.response.dueAt == nil)
        #expect(later.resolution.state == .onTrack, "the resolution clock keeps running")
        #expect(later.dueAt == later.resolution.dueAt)
        #expect(replied.response.intervals.map(\.reason) == ["opened", "first public reply"])
    }

    @Test func aReplyWhileWaitingOnClientMeetsTheResponse() {
        let sla = clock(
            SLAFixture.started(at: at("2026-01-12T09:00:00-05:00")),
            [(SLAFixture.waiting, "2026-01-12T10:00:00-05:00"), (SLAFixture.publicReply, "2026-01-12T11:00:00-05:00")])
        #expect(sla.response.metAt == at("2026-01-12T11:00:00-05:00"))
        #expect(sla.response.bankedSeconds == 3600, "the paused hour does not count")
        #expect(sla.resolution.isPaused)
    }

    @Test func closingWithoutAReplyMeetsTheResponseLate() {
        let sla = clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [(SLAFixture.closed, "2026-01-12T11:00:00-05:00")])
        let status = sla.status(at: at("2026-01-13T09:00:00-05:00"))
        #expect(sla.response.metAt == at("2026-01-12T11:00:00-05:00"))
        #expect(status.response.state == .breached, "met after its 1-hour target")
        #expect(status.response.remainingSeconds == -3600)
        #expect(status.resolution.state == .met)
        #expect(sla.response.intervals.last?.reason == "closed")
    }

    // MARK: - Rule 4: close, merge and reopen

    @Test func closeMeetsTheResolutionAndReopenResumesWithBankedTime() throws {
        let started = SLAFixture.started(priority: "P2", at: at("2026-01-12T09:00:00-05:00"))
        let closed = clock(
            started,
            [(SLAFixture.publicReply, "2026-01-12T09:30:00-05:00"), (SLAFixture.closed, "2026-01-12T12:00:00-05:00")])
        let afterClose = closed.status(at: at("2026-01-13T09:30:00-05:00"))
        #expect(afterClose.resolution.state == .met)
        #expect(afterClose.resolution.usedSeconds == 3 * 3600)
        #expect(afterClose.resolution.metAt == at("2026-01-12T12:00:00-05:00"))
        #expect(afterClose.dueAt == nil)

        var reopened = closed
        reopened.apply(SLAFixture.reopened, at: at("2026-01-13T10:00:00-05:00"))
        #expect(reopened.resolution.metAt == nil)
        #expect(reopened.resolution.bankedSeconds == 3 * 3600, "banked time is kept")
        let status = reopened.status(at: at("2026-01-13T11:00:00-05:00"))
        #expect(status.resolution.dueAt == at("2026-01-13T15:00:00-05:00"), "5 hours left from Tue 10:00")
        #expect(status.resolution.usedSeconds == 4 * 3600)
        #expect(status.resolution.state == .onTrack)
        #expect(status.response.state == .met, "the response stays met")
        #expect(reopened.resolution.intervals.map(\.reason) == ["opened", "closed", "reopened"])
        #expect(reopened.resolution.intervals.map(\.mode) == [.running, .met, .running])
    }

    @Test func mergeMeetsBothClocks() {
        let sla = clock(
            SLAFixture.started(at: at("2026-01-12T09:00:00-05:00")),
            [(.merged(TicketMerged(into: Fixture.t1002)), "2026-01-12T10:00:00-05:00")])
        #expect(sla.isClosed)
        #expect(sla.response.metAt == at("2026-01-12T10:00:00-05:00"))
        #expect(sla.resolution.metAt == at("2026-01-12T10:00:00-05:00"))
        #expect(sla.resolution.intervals.last?.reason == "merged")
        #expect(sla.alarms().isEmpty)
    }

    @Test func reopenResumesAClockThatWasPausedWhenClosed() {
        let sla = clock(
            SLAFixture.started(at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.waiting, "2026-01-12T10:00:00-05:00"),
                (SLAFixture.closed, "2026-01-12T12:00:00-05:00"),
                (SLAFixture.reopened, "2026-01-12T13:00:00-05:00"),
            ])
        #expect(sla.resolution.bankedSeconds == 3600)
        #expect(sla.resolution.runningSince == at("2026-01-12T13:00:00-05:00"))
        #expect(!sla.isWaitingOnClient)
        #expect(sla.response.isMet, "the close met the response")
    }

    // MARK: - Rule 5: a priority change re-targets from that moment

    @Test func priorityChangeRetargetsFromTheChangeInstant() throws {
        let started = SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00"))
        let sla = clock(started, [(SLAFixture.priority("P1", from: "P3"), "2026-01-12T11:00:00-05:00")])
        #expect(sla.priority == "P1")
        let status = sla.status(at: at("2026-01-12T11:30:00-05:00"))
        #expect(status.priority == "P1")
        #expect(status.response.targetSeconds == 3600)
        #expect(status.response.usedSeconds == 1800, "banked reset to 0 at the change")
        #expect(status.response.dueAt == at("2026-01-12T12:00:00-05:00"), "1 hour from the change")
        #expect(status.resolution.dueAt == at("2026-01-12T15:00:00-05:00"), "4 hours from the change")
        #expect(status.response.state == .onTrack)
        // The time used before the change stays visible.
        let lines = status.resolution.intervals
        #expect(lines.map(\.reason) == ["opened", "priority P3→P1"])
        #expect(lines.map(\.targetSeconds) == [16 * 3600, 4 * 3600])
        #expect(lines.map(\.countedMilliseconds) == [2 * 3_600_000, 1_800_000])
        #expect(lines[0].end == at("2026-01-12T11:00:00-05:00"))
    }

    @Test func priorityChangeLeavesMetClocksAndPausedOnesPaused() throws {
        let sla = clock(
            SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.publicReply, "2026-01-12T10:00:00-05:00"),
                (SLAFixture.waiting, "2026-01-12T10:30:00-05:00"),
                (SLAFixture.priority("P2", from: "P3"), "2026-01-12T11:00:00-05:00"),
            ])
        #expect(sla.response.targetSeconds == 4 * 3600, "met: keeps its target")
        #expect(sla.response.intervals.count == 2)
        #expect(sla.resolution.targetSeconds == 8 * 3600)
        #expect(sla.resolution.bankedMilliseconds == 0)
        #expect(sla.resolution.isPaused)
        #expect(sla.resolution.intervals.map(\.mode) == [.running, .paused, .paused])
        var resumed = sla
        resumed.apply(SLAFixture.backInProgress, at: at("2026-01-12T13:00:00-05:00"))
        #expect(resumed.status(at: at("2026-01-12T13:00:00-05:00")).resolution.dueAt == at("2026-01-13T13:00:00-05:00"))
    }

    // MARK: - Status at instants

    static let thresholdCases: [(instant: String, state: SLAState, used: Int64)] = [
        ("2026-01-12T09:00:00-05:00", .onTrack, 0),
        ("2026-01-12T11:59:59-05:00", .onTrack, 10_799),
        ("2026-01-12T12:00:00-05:00", .atRisk, 10_800),
        ("2026-01-12T12:59:59-05:00", .atRisk, 14_399),
        ("2026-01-12T13:00:00-05:00", .breached, 14_400),
        ("2026-01-12T17:30:00-05:00", .breached, 28_800),
    ]

    @Test(
        "response status around its warning and due instants (P3: 4 h, first warning 75 % = 3 h)",
        arguments: thresholdCases)
    func statusAroundThresholds(instant: String, state: SLAState, used: Int64) {
        let sla = clock(SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00")))
        let status = sla.status(at: at(instant)).response
        #expect(status.state == state)
        #expect(status.usedSeconds == used)
        #expect(status.remainingSeconds == 4 * 3600 - used)
        #expect(status.dueAt == at("2026-01-12T13:00:00-05:00"))
    }

    @Test func aBreachFromAnEarlierStretchKeepsItsDueInstant() {
        let sla = clock(
            SLAFixture.started(priority: "P1", at: at("2026-01-12T09:00:00-05:00")),
            [
                (SLAFixture.waiting, "2026-01-12T11:00:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-12T12:00:00-05:00"),
            ])
        let status = sla.status(at: at("2026-01-12T12:30:00-05:00"))
        #expect(status.response.state == .breached)
        #expect(status.response.dueAt == at("2026-01-12T10:00:00-05:00"))
        #expect(status.response.usedSeconds == 2 * 3600 + 1800)
    }

    @Test func noWarningPercentagesMeansNeverAtRisk() {
        let sla = clock(SLAFixture.started(priority: "P3", at: at("2026-01-12T09:00:00-05:00"), warnAtPercent: []))
        #expect(sla.status(at: at("2026-01-12T12:59:00-05:00")).response.state == .onTrack)
    }

    // MARK: - Other calendars

    @Test func aHolidayHoldsNoBusinessTime() {
        // Monday 19 January 2026 is a holiday of this calendar.
        let sla = clock(
            SLAFixture.started(
                calendar: SLAFixture.newYorkWithHolidays, priority: "P1", at: at("2026-01-16T16:00:00-05:00")))
        #expect(sla.status(at: at("2026-01-16T16:00:00-05:00")).resolution.dueAt == at("2026-01-20T12:00:00-05:00"))
    }

    @Test func roundTheClock24x7() throws {
        let policy = SLAPolicyDecider.fold([
            .defined(
                SLAPolicyDefined(
                    id: "basic", name: "Basic", effectiveFrom: Fixture.date(1, 1),
                    terms: SLATerms(calendar: "24x7", targets: SLAFixture.targets)))
        ])
        let opened = at("2026-01-10T22:00:00Z")  // a Saturday evening
        let started = try TicketSLAStarted.resolve(
            policy: policy, calendar: try #require(CalendarState.builtIn("24x7")), priority: "P1", at: opened)
        #expect(started.calendar == .twentyFourSeven)
        #expect(started.calendarId == "24x7")
        #expect(started.calendarAmendment == 0)
        let sla = clock(
            started,
            [(SLAFixture.waiting, "2026-01-10T22:30:00Z"), (SLAFixture.backInProgress, "2026-01-10T23:00:00Z")])
        let status = sla.status(at: at("2026-01-10T23:00:00Z"))
        #expect(status.response.dueAt == at("2026-01-10T23:30:00Z"))
        #expect(status.resolution.dueAt == at("2026-01-11T02:30:00Z"))
    }

    @Test func berlinOfficeHoursAcrossTheSpringForwardWeekend() {
        // Friday 27 March 2026 16:00 CET (UTC+1); clocks go forward Sunday 29 March; Monday is CEST (UTC+2).
        let sla = clock(
            SLAFixture.started(
                calendar: SLAFixture.berlin, calendarId: "berlin", priority: "P1", at: at("2026-03-27T16:00:00+01:00")))
        let status = sla.status(at: at("2026-03-27T16:00:00+01:00"))
        #expect(status.resolution.dueAt == at("2026-03-30T12:00:00+02:00"))
        #expect(status.resolution.dueAt == at("2026-03-30T10:00:00Z"), "a fixed UTC+1 offset would say 11:00Z")
    }

    @Test func berlinRoundTheClockCountsTheShortDayAsItIs() {
        let targets = SLAFixture.targets.merging(["P1": SLAFixture.target(60, 24 * 60)]) { $1 }
        let opened = at("2026-03-28T12:00:00+01:00")
        let sla = clock(
            SLAFixture.started(
                calendar: SLAFixture.roundTheClock("Europe/Berlin"), calendarId: "berlin-24", priority: "P1",
                at: opened,
                targets: targets))
        #expect(sla.status(at: opened).resolution.dueAt == at("2026-03-29T13:00:00+02:00"), "24 real hours later")
        let sundayNoon = sla.status(at: at("2026-03-29T12:00:00+02:00"))
        #expect(sundayNoon.resolution.usedSeconds == 23 * 3600, "the night of the change lasts an hour less")
        #expect(sundayNoon.resolution.state == .atRisk)
    }

    // MARK: - Replay and JSON

    @Test func replayStartsAtTheFirstSLAStart() throws {
        let started = SLAFixture.started(priority: "P2", at: at("2026-01-12T09:00:00-05:00"))
        let events: [(event: DocketEvent, at: Timestamp)] = [
            (.ticket(Fixture.opened(priority: "P2")), at("2026-01-12T09:00:00-05:00")),
            (.ticketSLA(.started(started)), at("2026-01-12T09:00:00-05:00")),
            (.ticket(SLAFixture.publicReply), at("2026-01-12T09:45:00-05:00")),
            (
                .ticketSLA(
                    .warned(TicketSLAWarned(clock: .resolution, percent: 75, dueAt: at("2026-01-12T15:00:00-05:00")))),
                at("2026-01-12T15:01:00-05:00")
            ),
            (
                .ticketSLA(.started(SLAFixture.started(priority: "P1", at: at("2026-01-12T16:00:00-05:00")))),
                at("2026-01-12T16:00:00-05:00")
            ),
        ]
        let sla = try #require(SLAClock.replay(events))
        #expect(sla.started == started, "a second start changes nothing")
        #expect(sla.response.metAt == at("2026-01-12T09:45:00-05:00"))
        #expect(sla.recorded.count == 1)
        #expect(SLAClock.replay(events.filter { if case .ticket = $0.event { true } else { false } }) == nil)
    }

    @Test func clockJSONIsCanonicalAndRoundTrips() throws {
        var sla = clock(
            SLAFixture.started(
                calendar: SLAFixture.newYorkWithHolidays, priority: "P1", at: at("2026-01-12T09:00:00-05:00"),
                escalations: SLAFixture.escalations),
            [
                (SLAFixture.waiting, "2026-01-12T11:00:00-05:00"),
                (SLAFixture.backInProgress, "2026-01-12T11:30:00.250-05:00"),
                (SLAFixture.priority("P2", from: "P1"), "2026-01-12T12:00:00-05:00"),
            ])
        sla.apply(
            .escalated(
                TicketEscalated(
                    rule: "p1-untouched", dueAt: at("2026-01-12T09:30:00-05:00"), action: .notifyDispatchers)),
            at: at("2026-01-12T12:00:01-05:00"))
        let bytes = sla.canonicalJSON()
        let decoded = try JSONDecoderForTests.decode(SLAClock.self, from: bytes)
        #expect(decoded == sla)
        #expect(decoded.canonicalJSON() == bytes)
        #expect(decoded.alarms() == sla.alarms())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""runningSince":"2026-01-12T17:00:00.000Z""#), "times are RFC 3339 strings")
    }
}

/// A plain `JSONDecoder` (the read model's reader).
enum JSONDecoderForTests {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
