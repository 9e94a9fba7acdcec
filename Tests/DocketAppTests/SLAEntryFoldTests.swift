import BusinessTime
import DocketTime
import Domain
import EventLog
import Testing

@testable import DocketApp

/// The sla row's fold (`SLAProjection.SLAEntry.apply`), change by change, against the clock's own fold.
@Suite struct SLAEntryFoldTests {
    static let opened = SLARow(
        number: TicketNumber.first, client: "acme", assignee: nil, openedAt: 1_000, isOpen: true, clock: nil)

    /// A `ticket.opened` makes a row without a clock, keyed by the stream's number; any other change makes none.
    @Test func anOpeningMakesARow() throws {
        let second = try #require(TicketNumber(2))
        let opening = TicketChange.ticket(.opened(TicketSummaryFoldTests.opened))
        let entry = try #require(SLAProjection.SLAEntry(opening: opening, number: second, at: Timestamp(millisecondsSinceEpoch: 7)))
        #expect(entry.row == SLARow(number: second, client: "acme", assignee: nil, openedAt: 7, isOpen: true, clock: nil))
        #expect(entry.terms == nil)
        let others: [TicketChange] = [
            .ticket(.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))),
            .sla(.started(TicketSummaryFoldTests.started)), .other("ticket.opened.v9"),
        ]
        for change in others { #expect(SLAProjection.SLAEntry(opening: change, number: second, at: Timestamp(millisecondsSinceEpoch: 7)) == nil) }
    }

    /// The first `ticket.sla-started` starts the clock with its terms' digest (and says so), a second one changes
    /// nothing, ticket and SLA events move the clock as `SLAClock.apply` does and set the assignee and open flag,
    /// an SLA event before any start and a change of another subsystem change nothing.
    @Test func changesFoldAsTheClockAndTheRow() {
        let terms = Digest(hex: String(repeating: "ab", count: 32)), other = Digest(hex: String(repeating: "cd", count: 32))
        let started = TicketSummaryFoldTests.started
        func at(_ minutes: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_000 + minutes * 60_000) }

        let breached = TicketSLAEvent.breached(TicketSLABreached(clock: .response, dueAt: at(5)))
        var unclocked = SLAProjection.SLAEntry(row: Self.opened, terms: nil)
        let breachStarted = unclocked.apply(.sla(breached), terms: terms, at: at(5))
        #expect(!breachStarted)
        #expect(unclocked.row == Self.opened && unclocked.terms == nil)

        var entry = SLAProjection.SLAEntry(row: Self.opened, terms: nil)
        let clockStarted = entry.apply(.sla(.started(started)), terms: terms, at: at(0))
        #expect(clockStarted)
        #expect(entry.row.clock == SLAClock.start(started) && entry.terms == terms)
        let startedAgain = entry.apply(.sla(.started(started)), terms: other, at: at(1))
        #expect(!startedAgain)
        #expect(entry.row.clock == SLAClock.start(started) && entry.terms == terms)

        var clock = SLAClock.start(started)
        let events: [(TicketChange, Int64)] = [
            (.ticket(.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))), 2),
            (.ticket(.statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .new))), 20),
            (.ticket(.statusChanged(TicketStatusChanged(status: .inProgress, previousStatus: .waitingOnClient))), 600),
            (.sla(breached), 601),
            (.ticket(.unassigned(TicketUnassigned(previousAssignee: "bob"))), 602),
            (.ticket(.closed(TicketClosed(resolution: "fixed", noTimeReason: nil))), 9_000),
            (.other("ticket.from-the-future.v9"), 9_001),
            (.ticket(.reopened(TicketReopened(reason: "again"))), 9_002),
        ]
        for (change, minutes) in events {
            let starting = entry.apply(change, terms: nil, at: at(minutes))
            #expect(!starting)
            switch change {
            case .ticket(let event): clock.apply(event, at: at(minutes))
            case .sla(let event): clock.apply(event, at: at(minutes))
            default: break
            }
            #expect(entry.row.clock == clock, "after \(change)")
            switch minutes {
            case 2..<602: #expect(entry.row.assignee == "bob")
            default: #expect(entry.row.assignee == nil)
            }
            #expect(entry.row.isOpen == (minutes < 9_000 || minutes >= 9_002), "after \(change)")
        }
        #expect(clock.recorded.count == 1 && !clock.reached.isEmpty, "the history moved the clock")
    }
}
