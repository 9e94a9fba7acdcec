import DocketTime
import Domain
import Testing

@Suite("Tickets: due dates")
struct TicketDueDateTests {
    let open = given(TicketDecider.self, [Fixture.opened()])
    let friday = Timestamp(iso8601: "2026-11-06T17:00:00Z")!
    let monday = Timestamp(iso8601: "2026-11-09T17:00:00Z")!

    @Test func aDispatcherSetsADueDate() throws {
        #expect(
            try open.when(.setDueDate(friday), by: Fixture.dispatcher)
                == [.dueDateSet(TicketDueDateSet(dueAt: friday, previousDueAt: nil))])
    }

    @Test func movingAndClearingKeepThePreviousDate() throws {
        let due = given(TicketDecider.self, [Fixture.opened(), .dueDateSet(TicketDueDateSet(dueAt: friday, previousDueAt: nil))])
        #expect(try due.when(.setDueDate(monday)) == [.dueDateSet(TicketDueDateSet(dueAt: monday, previousDueAt: friday))])
        #expect(try due.when(.setDueDate(nil)) == [.dueDateSet(TicketDueDateSet(dueAt: nil, previousDueAt: friday))])
        #expect(try due.when(.setDueDate(friday)).isEmpty, "the same date again changes nothing")
        #expect(try open.when(.setDueDate(nil)).isEmpty, "clearing no date changes nothing")
    }

    @Test(arguments: [Role.tech, .billing]) func onlyDispatchersAndAdminsSetDueDates(_ role: Role) throws {
        let error = try #require(open.refusal(of: .setDueDate(friday), by: Fixture.actor(role)))
        #expect(error.code == .forbidden)
        // A tech works tickets but may not schedule them; billing may not work tickets at all.
        #expect(error.message.contains(role == .tech ? "set due dates" : "work tickets"), "\(error.message)")
    }

    /// A typo in the year (`0026-11-06`) sorted the ticket first in the queue's DUE column, for ever.
    @Test func aDueDateOutsideTheYears2000To2199IsRefused() throws {
        for text in ["0026-11-06T17:00:00Z", "2226-11-06T17:00:00Z"] {
            let error = try #require(open.refusal(of: .setDueDate(Timestamp(iso8601: text)!), by: Fixture.dispatcher))
            #expect(error.code == .invalid)
            #expect(error.message.contains("due date") && error.message.contains("is out of range: due dates run from 2000-01-01 to 2199-12-31"), "\(error.message)")
        }
    }

    @Test func aClosedTicketTakesNoDueDate() throws {
        let closed = given(TicketDecider.self, [Fixture.opened(), .closed(TicketClosed(resolution: "Done"))])
        #expect(closed.refusal(of: .setDueDate(friday), by: Fixture.dispatcher)?.code == .closed)
    }

    @Test func theStateKeepsTheDueDate() {
        let state = TicketDecider.fold([Fixture.opened(), .dueDateSet(TicketDueDateSet(dueAt: friday, previousDueAt: nil))])
        #expect(state.dueAt == friday)
    }
}
