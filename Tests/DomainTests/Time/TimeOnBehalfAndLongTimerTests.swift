import DocketTime
import Domain
import Testing

@Suite("Time entries: logging for another tech, and timers left running")
struct TimeOnBehalfAndLongTimerTests {
    static let ticket = TicketDecider.fold([Fixture.opened()])
    static let bob = UserSnapshot(login: "bob", name: "Bob", role: .tech, isActive: true)

    static func log(for login: String?, snapshot: UserSnapshot?) -> TimeEntryCommand {
        .log(
            LogTime(entryId: "TE-1", ticket: Fixture.t1001, minutes: 30, workType: "onsite", forLogin: login, forTech: snapshot),
            ticketState: ticket)
    }

    @Test func aDispatcherLogsTimeForATech() throws {
        let events = try given(TimeEntryDecider.self).when(Self.log(for: "bob", snapshot: Self.bob), by: Fixture.actor(.dispatcher))
        guard case .logged(let logged) = events.first else { Issue.record("nothing logged"); return }
        #expect(logged.tech == "bob")
    }

    @Test func aTechCannotLogForSomeoneElseButMayNameThemselves() throws {
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(for: "bob", snapshot: Self.bob), by: Fixture.tech)?.code == .forbidden)
        let own = try given(TimeEntryDecider.self).when(Self.log(for: Fixture.tech.login, snapshot: nil), by: Fixture.tech)
        guard case .logged(let logged) = own.first else { Issue.record("nothing logged"); return }
        #expect(logged.tech == Fixture.tech.login)
    }

    @Test(arguments: [
        (nil as UserSnapshot?, DomainError.Code.notFound),
        (UserSnapshot(login: "bob", name: "Bob", role: .tech, isActive: false), .inactive),
        (UserSnapshot(login: "bob", name: "Bob", role: .billing, isActive: true), .invalid),
    ])
    func theTechMustBeAnActiveUserWhoWorksTickets(snapshot: UserSnapshot?, code: DomainError.Code) {
        #expect(given(TimeEntryDecider.self).refusal(of: Self.log(for: "bob", snapshot: snapshot), by: Fixture.admin)?.code == code)
    }

    static let running = [TimeEvent.timerStarted(TimerStarted(ticket: "T-1001", workType: "remote", startedAt: Fixture.now.iso8601))]

    static func context(hoursLater hours: Int64) -> DecisionContext {
        DecisionContext(actor: Fixture.tech, now: Timestamp(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + hours * 3_600_000))
    }

    @Test func aTimerLeftRunningPastADayAsksForTheTimeWorked() throws {
        let state = TimerDecider.fold(Self.running)
        let error = try #require(throws: DomainError.self) {
            try TimerDecider.decide(.stop(entryId: "TE-1"), state: state, context: Self.context(hoursLater: 30))
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("has run 30h0m") && error.message.contains("docket time stop --minutes"))
        let stopped = try TimerDecider.decide(.stop(entryId: "TE-1", minutes: 450), state: state, context: Self.context(hoursLater: 30))
        #expect(stopped == [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 450))])
        #expect(throws: DomainError.self) {
            try TimerDecider.decide(.stop(entryId: "TE-1", minutes: 1_441), state: state, context: Self.context(hoursLater: 30))
        }
    }

    @Test func aTimerWithinAWorkingDayStopsAtTheElapsedTime() throws {
        let stopped = try TimerDecider.decide(.stop(entryId: "TE-1"), state: TimerDecider.fold(Self.running), context: Self.context(hoursLater: 2))
        #expect(stopped == [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 120))])
        let workingDay = try TimerDecider.decide(.stop(entryId: "TE-1"), state: TimerDecider.fold(Self.running), context: Self.context(hoursLater: 8))
        #expect(workingDay == [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 480))], "8h is a working day, not more")
    }

    /// A timer that has run longer than a working day was most likely forgotten: its elapsed time is not logged unless
    /// the tech says what to log (the minutes worked, or the whole elapsed time). It logged up to 24 h silently.
    @Test func aTimerPastAWorkingDayIsNotBilledSilently() throws {
        let state = TimerDecider.fold(Self.running)
        #expect(TimerDecider.overdueAfterMinutes == 480)
        let error = try #require(throws: DomainError.self) {
            try TimerDecider.decide(.stop(entryId: "TE-1"), state: state, context: Self.context(hoursLater: 9))
        }
        #expect(error.code == .conflict)
        #expect(
            error.message == "the timer on T-1001 has run 9h, longer than a working day (8h), so nothing was logged: give the time worked "
                + "(`docket time stop --minutes 7h30m`), log all of it (`docket time stop --elapsed`), or discard it (`docket time cancel`)")
        let all = try TimerDecider.decide(.stop(entryId: "TE-1", wholeElapsed: true), state: state, context: Self.context(hoursLater: 9))
        #expect(all == [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 540))])
        let worked = try TimerDecider.decide(.stop(entryId: "TE-1", minutes: 300), state: state, context: Self.context(hoursLater: 9))
        #expect(worked == [.timerStopped(TimerStopped(entryId: "TE-1", minutes: 300))])
        #expect(TimerDecider.isOverdue(try #require(state.running), now: Self.context(hoursLater: 9).now))
        #expect(!TimerDecider.isOverdue(try #require(state.running), now: Self.context(hoursLater: 8).now))
        #expect(throws: DomainError.self, "past a day, all of it does not fit one entry") {
            try TimerDecider.decide(.stop(entryId: "TE-1", wholeElapsed: true), state: state, context: Self.context(hoursLater: 30))
        }
    }
}
