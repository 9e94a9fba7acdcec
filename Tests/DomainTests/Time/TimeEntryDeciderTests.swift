import DocketTime
import Domain
import Testing

@Suite("Time entries: logging, correcting, voiding")
struct TimeEntryDeciderTests {
    static let openTicket = TicketDecider.fold([Fixture.opened()])
    static let closedTicket = TicketDecider.fold([Fixture.opened(), .closed(TicketClosed(resolution: "done"))])
    static let mergedTicket = TicketDecider.fold([
        Fixture.opened(), .merged(TicketMerged(into: Fixture.t1002)),
    ])

    static func log(_ minutes: Int = 45, ticket: TicketState = openTicket) -> TimeEntryCommand {
        .log(LogTime(entryId: "TE-1", ticket: Fixture.t1001, minutes: minutes, workType: "remote", note: "  "), ticketState: ticket)
    }

    static let logged = TimeEvent.logged(TimeLogged(
        entryId: "TE-1", ticket: "T-1001", tech: "alice", minutes: 45, workType: "remote", billable: true,
        startedAt: "2026-10-20T14:00:00.000Z", note: nil))
    let entry = given(TimeEntryDecider.self, [logged])
    let voided = given(TimeEntryDecider.self, [logged, .voided(TimeVoided(reason: "dup"))])

    /// Logging the entry a `time.logged` logs (`log(TimeEntryState(logged:))`, a read model's fast path) leaves that
    /// entry, not voided and with no position, and answers whether it differs from the entry before, as applying the
    /// event does.
    @Test func loggingTheEntryOfAnEventAppliesIt() {
        guard case .logged(let e) = Self.logged else { return }
        let logged = TimeEntryState(
            entryId: e.entryId, ticket: e.ticket, tech: e.tech, minutes: e.minutes, workType: e.workType, billable: e.billable,
            startedAt: e.startedAt, note: e.note, voided: false)
        #expect(TimeEntryState(logged: e) == logged)
        var positioned = logged
        positioned.position = 9
        var voided = logged
        voided.voided = true
        var other = e
        other.minutes = 50
        other.note = "again"
        for before in [TimeEntryState.none, logged, positioned, voided] {
            for event in [e, other] {
                let expected = TimeEntryState(
                    entryId: event.entryId, ticket: event.ticket, tech: event.tech, minutes: event.minutes, workType: event.workType,
                    billable: event.billable, startedAt: event.startedAt, note: event.note, voided: false)
                var state = before
                #expect(state.log(TimeEntryState(logged: event)) == (before != expected), "\(before) \(event)")
                #expect(state == expected)
                var viaEvent = before
                #expect(viaEvent.apply(.logged(event)) == (before != expected))
                #expect(viaEvent == expected)
            }
        }
    }

    /// Without a start the work was just done: 45 minutes logged now started 45 minutes ago and ends now.
    @Test func loggingRecordsTheActorAsTechAndWorkEndingNow() throws {
        let events = try given(TimeEntryDecider.self).when(Self.log(), by: Fixture.tech)
        let start = Timestamp(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch - 45 * 60_000)
        #expect(events == [.logged(TimeLogged(
            entryId: "TE-1", ticket: "T-1001", tech: "alice", minutes: 45, workType: "remote", billable: true,
            startedAt: start.iso8601, note: nil))])
    }

    @Test(arguments: [(Role.tech, true), (.dispatcher, true), (.admin, true), (.billing, false)])
    func whoMayLog(role: Role, allowed: Bool) {
        let error = given(TimeEntryDecider.self).refusal(of: Self.log(), by: Fixture.actor(role))
        #expect((error == nil) == allowed, "\(role)")
        if !allowed { #expect(error?.code == .forbidden) }
    }

    @Test(arguments: [(0, false), (-5, false), (1, true), (1440, true), (1441, false)])
    func minutesBounds(minutes: Int, allowed: Bool) {
        let error = given(TimeEntryDecider.self).refusal(of: Self.log(minutes), by: Fixture.tech)
        #expect((error == nil) == allowed, "\(minutes)")
        if !allowed { #expect(error?.code == .invalid) }
    }

    @Test func unknownAndMergedTicketsAreRefusedButClosedOnesAreNot() {
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(ticket: TicketDecider.initialState))?.code == .notFound)
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(ticket: Self.mergedTicket))?.code == .merged)
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(ticket: Self.closedTicket)) == nil)
    }

    @Test(arguments: [
        (Actor(login: "alice", role: .tech), true), (Actor(login: "zoe", role: .tech), false),
        (Fixture.dispatcher, true), (Fixture.admin, true), (Fixture.billing, true),
    ])
    func whoMayCorrectAndVoid(actor: Actor, allowed: Bool) {
        let correct = entry.refusal(of: .correct(TimeCorrection(minutes: 30, reason: "typo")), by: actor)
        let void = entry.refusal(of: .void(reason: "dup"), by: actor)
        #expect((correct == nil) == allowed, "\(actor)")
        #expect((void == nil) == allowed, "\(actor)")
        if !allowed { #expect(correct?.code == .forbidden && void?.code == .forbidden) }
    }

    @Test func aReasonIsRequired() {
        #expect(entry.refusal(of: .correct(TimeCorrection(minutes: 30, reason: " ")))?.code == .invalid)
        #expect(entry.refusal(of: .void(reason: ""))?.code == .invalid)
    }

    @Test func aCorrectionMustChangeSomethingAndStayInBounds() {
        #expect(entry.refusal(of: .correct(TimeCorrection(reason: "why")))?.code == .invalid)
        #expect(entry.refusal(of: .correct(TimeCorrection(minutes: 2000, reason: "why")))?.code == .invalid)
    }

    @Test func aVoidedEntryCannotBeCorrectedOrVoidedAgain() {
        #expect(voided.refusal(of: .correct(TimeCorrection(minutes: 30, reason: "typo")))?.code == .conflict)
        #expect(voided.refusal(of: .void(reason: "again"))?.code == .conflict)
    }

    /// Time is logged once it is worked: work given a start that would end after now (past 5 minutes of clock skew) is
    /// refused, logged or corrected, naming when it would end; a timer's or a close's work, which ends now, is not, nor
    /// a log without a start (it starts now, the documented default).
    @Test func workThatEndsAfterNowIsRefused() throws {
        let now = Fixture.now.millisecondsSinceEpoch
        func log(startingIn minutes: Int64, for length: Int) -> TimeEntryCommand {
            .log(
                LogTime(
                    entryId: "TE-1", ticket: Fixture.t1001, minutes: length, workType: "remote",
                    startedAt: Timestamp(millisecondsSinceEpoch: now + minutes * 60_000)),
                ticketState: Self.openTicket)
        }
        let future = given(TimeEntryDecider.self).refusal(of: log(startingIn: 33 * 24 * 60, for: 120), by: Fixture.tech)
        #expect(future?.code == .invalid)
        #expect(future?.message.contains("after now") == true && future?.message.contains("--at") == true, "\(future?.message ?? "")")
        #expect(given(TimeEntryDecider.self).refusal(of: log(startingIn: -60, for: 66), by: Fixture.tech)?.code == .invalid)
        #expect(given(TimeEntryDecider.self).refusal(of: log(startingIn: -60, for: 65), by: Fixture.tech) == nil, "5 minutes of clock skew")
        #expect(given(TimeEntryDecider.self).refusal(of: log(startingIn: -45, for: 45), by: Fixture.tech) == nil, "work that ends now")
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(), by: Fixture.tech) == nil, "no start: the work starts now")

        let later = Timestamp(millisecondsSinceEpoch: now + 2 * 86_400_000)
        let moved = entry.refusal(of: .correct(TimeCorrection(startedAt: later, reason: "wrong day")))
        #expect(moved?.code == .invalid && moved?.message.contains("TE-1") == true)
        let longer = given(TimeEntryDecider.self, [Self.logged(startedAt: Timestamp(millisecondsSinceEpoch: now - 60 * 60_000))])
        #expect(longer.refusal(of: .correct(TimeCorrection(minutes: 90, reason: "longer")))?.code == .invalid)
        #expect(longer.refusal(of: .correct(TimeCorrection(minutes: 60, reason: "exact"))) == nil)
        let ahead = given(TimeEntryDecider.self, [Self.logged(startedAt: later)])
        #expect(ahead.refusal(of: .correct(TimeCorrection(note: "kept", reason: "a note only"))) == nil, "fields that do not move the work")
    }

    /// `logged` starting at `start`.
    static func logged(startedAt start: Timestamp) -> TimeEvent {
        guard case .logged(var e) = logged else { return logged }
        e.startedAt = start.iso8601
        return .logged(e)
    }

    @Test func unknownEntryIsNotFound() {
        #expect(given(TimeEntryDecider.self).refusal(of: .void(reason: "x"))?.code == .notFound)
    }

    @Test func theStateIsTheFoldOfCorrections() throws {
        let correction = try entry.when(.correct(TimeCorrection(minutes: 30, billable: false, reason: "typo")))
        let state = TimeEntryDecider.fold([Self.logged] + correction)
        #expect(state.minutes == 30 && !state.billable && state.workType == "remote" && !state.voided)
        #expect(TimeEntryDecider.fold([Self.logged] + correction + [.voided(TimeVoided(reason: "x"))]).voided)
    }

    /// A correction to values the entry already has decides nothing (the CLI says "nothing to change"); a correction
    /// that changes some fields records only those.
    @Test func aCorrectionToTheValuesTheEntryHasChangesNothing() throws {
        let start = try #require(Timestamp(iso8601: "2026-10-20T14:00:00Z"))
        #expect(try entry.when(.correct(TimeCorrection(minutes: 45, reason: "no change"))).isEmpty)
        #expect(try entry.when(.correct(TimeCorrection(workType: "REMOTE", reason: "no change"))).isEmpty)
        #expect(try entry.when(.correct(TimeCorrection(minutes: 45, workType: "remote", billable: true, startedAt: start, reason: "same"))).isEmpty)
        let noted = given(TimeEntryDecider.self, [Self.logged, .corrected(TimeCorrected(note: "VPN", reason: "note"))])
        #expect(try noted.when(.correct(TimeCorrection(note: " VPN ", reason: "same note"))).isEmpty)
        let some = try entry.when(.correct(TimeCorrection(minutes: 45, workType: "onsite", reason: "site visit")))
        #expect(some == [.corrected(TimeCorrected(workType: "onsite", reason: "site visit"))])
        #expect(voided.refusal(of: .correct(TimeCorrection(minutes: 45, reason: "same")))?.code == .conflict, "a voided entry is still refused")
    }
}

@Suite("Timers")
struct TimerDeciderTests {
    let start = TimerCommand.start(ticket: Fixture.t1001, workType: "onsite", ticketState: TicketDecider.fold([Fixture.opened()]))

    @Test func startThenStopRoundsUpTheElapsedMinutes() throws {
        let started = try given(TimerDecider.self).when(start, by: Fixture.tech)
        guard case .timerStarted(let running) = started.first else { Issue.record("no start"); return }
        let later = Timestamp(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + 40 * 60_000 + 1)
        #expect(TimerDecider.elapsedMinutes(running, now: later) == 41)
        #expect(TimerDecider.elapsedMinutes(running, now: Timestamp(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + 41 * 60_000)) == 41)
        #expect(TimerDecider.fold(started).running == running)
    }

    /// A stop with the clock behind the timer's start, or at the very instant, logs nothing (it logged a minute): it is
    /// refused, pointing at `--minutes` and `time cancel`; `--minutes` beyond the time since the start is refused too.
    @Test func aStopBeforeOrAtTheStartIsRefused() throws {
        let started = try given(TimerDecider.self).when(start, by: Fixture.tech)
        guard case .timerStarted(let running) = started.first else { Issue.record("no start"); return }
        func stop(_ command: TimerCommand = .stop(entryId: "TE-1"), after milliseconds: Int64) -> DomainError? {
            let now = Timestamp(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + milliseconds)
            return refusal { () throws(DomainError) in
                _ = try TimerDecider.decide(command, state: TimerDecider.fold(started), context: DecisionContext(actor: Fixture.tech, now: now))
            }
        }
        let behind = stop(after: -60_000)
        #expect(behind?.code == .invalid)
        #expect(behind?.message.contains("is behind the start") == true && behind?.message.contains("--minutes") == true, "\(behind?.message ?? "")")
        let same = stop(after: 0)
        #expect(same?.code == .invalid)
        #expect(same?.message.contains("no time has elapsed") == true && same?.message.contains("docket time cancel") == true, "\(same?.message ?? "")")
        #expect(stop(after: 1) == nil, "a millisecond is a minute, rounded up")
        #expect(TimerDecider.elapsedMinutes(running, now: Fixture.now) == nil)
        let tooMuch = stop(.stop(entryId: "TE-1", minutes: 30), after: 10 * 60_000)
        #expect(tooMuch?.code == .invalid && tooMuch?.message.contains("at most the time worked") == true, "\(tooMuch?.message ?? "")")
        #expect(stop(.stop(entryId: "TE-1", minutes: 15), after: 10 * 60_000) == nil, "within the clock skew")
        #expect(stop(.stop(entryId: "TE-1", minutes: 10), after: -60_000) == nil, "the time worked, given, is taken with the clock behind")
    }

    @Test func aSecondStartIsRefusedAndStopWithoutTimerIsRefused() throws {
        let started = try given(TimerDecider.self).when(start, by: Fixture.tech)
        #expect(given(TimerDecider.self, started).refusal(of: start, by: Fixture.tech)?.code == .conflict)
        #expect(given(TimerDecider.self).refusal(of: .stop(entryId: "TE-1"), by: Fixture.tech)?.code == .conflict)
        let stopped = started + [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 3))]
        #expect(given(TimerDecider.self, stopped).refusal(of: start, by: Fixture.tech) == nil)
    }

    @Test func cancelDiscardsTheRunningTimerWithoutAnEntry() throws {
        let started = try given(TimerDecider.self).when(start, by: Fixture.tech)
        let cancelled = try given(TimerDecider.self, started).when(.cancel(reason: "  Wrong ticket "), by: Fixture.tech)
        #expect(cancelled == [.timerCancelled(TimerCancelled(ticket: "T-1001", reason: "Wrong ticket"))])
        #expect(try given(TimerDecider.self, started).when(.cancel(reason: " "), by: Fixture.tech)
            == [.timerCancelled(TimerCancelled(ticket: "T-1001", reason: nil))])
        #expect(TimerDecider.fold(started + cancelled).running == nil)
        #expect(given(TimerDecider.self, started + cancelled).refusal(of: start, by: Fixture.tech) == nil, "a new timer after the cancel")
        let again = given(TimerDecider.self, started + cancelled).refusal(of: .cancel(reason: nil), by: Fixture.tech)
        #expect(again?.code == .conflict && again?.message.contains("no timer is running") == true)
        #expect(given(TimerDecider.self, started).refusal(of: .cancel(reason: nil), by: Fixture.actor(.billing))?.code == .forbidden)
        #expect(given(TimerDecider.self, started).refusal(of: start, by: Fixture.tech)?.message.contains("docket time cancel") == true)
    }

    @Test func aStoppedTimerLogsOnTheTicketItsTicketWasMergedInto() throws {
        let t1003 = Fixture.t1002.next
        let states: [TicketNumber: TicketState] = [
            Fixture.t1001: TicketState(number: Fixture.t1001, status: .closed, mergedInto: Fixture.t1002),
            Fixture.t1002: TicketState(number: Fixture.t1002, status: .closed, mergedInto: t1003),
            t1003: TicketState(number: t1003, status: .inProgress),
        ]
        let load = { (number: TicketNumber) in states[number] ?? TicketDecider.initialState }
        #expect(try TimerDecider.loggingTicket(for: Fixture.t1001, ticket: load) == t1003, "merges are followed to the end")
        #expect(try TimerDecider.loggingTicket(for: t1003, ticket: load) == t1003, "an unmerged ticket is its own")
        let loop: [TicketNumber: TicketState] = [
            Fixture.t1001: TicketState(number: Fixture.t1001, mergedInto: Fixture.t1002),
            Fixture.t1002: TicketState(number: Fixture.t1002, mergedInto: Fixture.t1001),
        ]
        let error = #expect(throws: DomainError.self) { try TimerDecider.loggingTicket(for: Fixture.t1001) { loop[$0]! } }
        #expect(error?.message.contains("docket time cancel") == true)
    }
}

@Suite("Durations")
struct TimeDurationTests {
    @Test(arguments: [
        ("45m", 45), ("1h30m", 90), ("1.5h", 90), ("90", 90), ("2h", 120), ("1.25h", 75), ("0.5h", 30), (".5h", 30),
        ("1H", 60), (" 15m ", 15), ("1.1h", 66),
    ])
    func parses(text: String, minutes: Int) throws {
        #expect(try TimeDuration.parse(text) == minutes)
    }

    @Test(arguments: ["", "abc", "1.01h", "1.5", "h", "m", "1h30", "30m1h", "1.5m", "-5m", "1h1.5m", "1,5h", "1234567"])
    func refuses(text: String) {
        let error = refusal { () throws(DomainError) in try TimeDuration.parse(text) }
        #expect(error?.code == .invalid, "\(text)")
        #expect(error?.message.contains("\"\(text)\"") == true && error?.message.contains("1h30m") == true)
    }

    /// Minutes of 60 or more after hours are a typo more likely than a way of writing more hours: refused, with the two
    /// ways to write what was meant; alone they are fine.
    @Test func minutesAfterHoursStayUnderAnHour() throws {
        let error = refusal { () throws(DomainError) in try TimeDuration.parse("1h90m") }
        #expect(error?.code == .invalid)
        #expect(error?.message == "duration \"1h90m\" has 90 minutes after the hours; write them under 60 (2h30m) or all in minutes (150)")
        #expect(refusal { () throws(DomainError) in try TimeDuration.parse("2h60m") }?.code == .invalid)
        #expect(try TimeDuration.parse("1h59m") == 119)
        #expect(try TimeDuration.parse("90m") == 90)
    }
}
