import BusinessTime
import DocketTime
import Domain
import EventLog
import Testing

@testable import DocketApp

/// The queue row's fold (`TicketSummary.apply`), event by event.
@Suite struct TicketSummaryFoldTests {
    static let opened = TicketOpened(
        number: TicketNumber.first, client: "acme", contact: nil, category: nil, priority: .p3, source: .portal,
        subject: "VPN", description: "")

    /// Watchers added in any order are kept sorted, each once (as sorting the list after every addition kept them).
    @Test(arguments: [["dora", "bob", "zed", "bob", "ann"], ["ann", "bob", "dora", "zed"], ["zed", "dora", "bob", "ann", "zed"]])
    func watchersStaySortedAndUnique(_ logins: [String]) {
        var row = TicketSummary(opened: Self.opened, at: Timestamp(millisecondsSinceEpoch: 1_000), position: 1)
        for (offset, login) in logins.enumerated() {
            row.apply(.watcherAdded(TicketWatcherAdded(login: login)), at: Timestamp(millisecondsSinceEpoch: 2_000), position: UInt64(offset + 2))
        }
        #expect(row.watchers == Array(Set(logins)).sorted())
        row.apply(.watcherRemoved(TicketWatcherRemoved(login: "bob")), at: Timestamp(millisecondsSinceEpoch: 3_000), position: 99)
        #expect(row.watchers == Array(Set(logins).subtracting(["bob"])).sorted())
        #expect(row.updatedAt == 3_000 && row.updatedPosition == 99 && row.openedPosition == 1)
    }

    static let started = TicketSLAStarted(
        policy: "gold", policyAmendment: 0, calendarId: "ny-office", calendarAmendment: 0,
        calendar: try! BusinessCalendar(
            timeZone: "America/New_York",
            weeklyHours: WeeklyHours([try! BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri])),
        targets: [.p3: SLATarget(responseMinutes: 60, resolutionMinutes: 240)], warnAtPercent: [75], escalations: [], priority: .p3,
        startedAt: Timestamp(millisecondsSinceEpoch: 1_000))

    /// A ticket's change, read as it is kept (`apply(_:terms:at:position:)`): the ticket's own events fold as themselves,
    /// the first `ticket.sla-started` starts the clock with its terms' digest (and says so), a second one changes
    /// nothing, and a change of another subsystem leaves the row as it was.
    @Test func changesFoldAsTheirEvents() throws {
        let opened = TicketSummary(opened: Self.opened, at: Timestamp(millisecondsSinceEpoch: 1_000), position: 1)
        let terms = Digest(hex: String(repeating: "ab", count: 32)), other = Digest(hex: String(repeating: "cd", count: 32))
        let at = Timestamp(millisecondsSinceEpoch: 2_000)

        var row = opened
        let startedClock = row.apply(TicketChange.sla(.started(Self.started)), terms: terms, at: at, position: 2)
        #expect(startedClock)
        #expect(row.clock == SLAClock.start(Self.started) && row.slaTerms == terms && row.updatedPosition == 1)
        let clocked = row
        let startedAgain = row.apply(TicketChange.sla(.started(Self.started)), terms: other, at: at, position: 3)
        #expect(!startedAgain)
        #expect(row == clocked && row.slaTerms == terms)

        var direct = row
        let assigned = TicketEvent.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))
        let assignStarted = row.apply(TicketChange.ticket(assigned), terms: nil, at: at, position: 4)
        #expect(!assignStarted)
        direct.apply(assigned, at: at, position: 4)
        #expect(row == direct && row.clock == direct.clock && row.assignee == "bob")

        let breached = TicketSLAEvent.breached(TicketSLABreached(clock: .response, dueAt: at))
        var unclocked = opened
        let breachStarted = unclocked.apply(TicketChange.sla(breached), terms: terms, at: at, position: 5)
        #expect(!breachStarted)
        #expect(unclocked == opened && unclocked.clock == nil && unclocked.slaTerms == nil)

        let otherStarted = row.apply(TicketChange.other("ticket.from-the-future.v9"), terms: nil, at: at, position: 6)
        #expect(!otherStarted)
        #expect(row == direct && row.clock == direct.clock)
    }

    /// The queue's SLA is derived from the row's clock, read in place: none without a clock, the clock's `QueueSLA`
    /// with one — running (the response clock due first), then paused while waiting on the client.
    @Test func theQueueSLAIsTheClocks() throws {
        var row = TicketSummary(opened: Self.opened, at: Timestamp(millisecondsSinceEpoch: 1_000), position: 1)
        row.deriveQueueSLA()
        #expect(row.sla == nil)
        row.apply(TicketChange.sla(.started(Self.started)), terms: nil, at: Timestamp(millisecondsSinceEpoch: 2_000), position: 2)
        row.deriveQueueSLA()
        let running = try #require(row.sla)
        let clock = try #require(row.clock)
        #expect(running == QueueSLA(clock) && running.clock == .response && !running.paused)
        #expect(running.dueAt == clock.dueAt(.response)?.millisecondsSinceEpoch && clock.dueAt(.resolution) != clock.dueAt(.response))
        let waiting = TicketEvent.statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .new))
        row.apply(waiting, at: Timestamp(millisecondsSinceEpoch: 3_000), position: 3)
        #expect(row.sla == running, "derived once per row, not by each event")
        row.deriveQueueSLA()
        #expect(row.sla == QueueSLA(try #require(row.clock)) && row.sla?.paused == true && row.sla?.dueAt == nil)
    }
}
