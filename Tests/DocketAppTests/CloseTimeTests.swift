import AlertIntake
import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import Testing

/// Issue 5 §2: whoever closes a ticket accounts for their time on it.
@Suite("Time capture at close")
struct CloseTimeTests {
    func open(_ f: ServiceFixture) throws -> TicketNumber {
        try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "VPN down"), as: "bob")
    }

    func closedEvents(_ f: ServiceFixture, _ number: TicketNumber) throws -> [(RecordedEvent, TicketClosed)] {
        try f.app.tickets.ticketHistory(number).compactMap { recorded, change in
            guard case .ticket(.closed(let closed)) = change else { return nil }
            return (recorded, closed)
        }
    }

    @Test func aCloseWithoutTheClosersTimeIsRefusedAndWritesNothing() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        let head = try f.store.head().position
        let error = try #require(throws: DomainError.self) {
            try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .alreadyLogged, as: "bob")
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("bob logged no time on \(number)"))
        #expect(error.message.contains("--time 30m") && error.message.contains("--no-time --reason"))
        // The generic command path keeps the rule: a claim of logged time is checked, not trusted.
        #expect(throws: DomainError.self) { try f.app.tickets.ticket(number, .close(resolution: "Fixed", time: .logged), as: "bob") }
        #expect(throws: DomainError.self) { try f.app.tickets.ticket(number, .close(resolution: "Fixed", time: .automatic), as: "bob") }
        #expect(try f.store.head().position == head)
        #expect(try f.app.tickets.ticketSummary(number).isOpen)
    }

    @Test func timeGivenWithTheCloseIsLoggedInTheSameTransaction() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        let head = try f.store.head().position
        let result = try f.app.tickets.closeTicket(
            number, resolution: "Replaced the router", time: .log(minutes: 30, workType: "onsite", billable: false, note: "swap"),
            as: "tia")
        #expect(result.entryId == "TE-1")
        // The close carries the time; the close-time reaction logged the entry from it, before the close.
        #expect(result.events == [.closed(TicketClosed(
            resolution: "Replaced the router", loggedTime: CloseTimeLog(minutes: 30, workType: "onsite", billable: false, note: "swap")))])
        let written = try f.store.read(from: head + 1, limit: 10)
        #expect(written.map(\.type) == ["time.logged", "ticket.closed"])
        #expect(Set(written.map(\.recordedAt)).count == 1, "one transaction, one recorded-at")
        let entry = try #require(try f.app.billing.timeEntries(TimeFilter(ticket: number.description)).first)
        #expect(entry.tech == "tia")
        #expect(entry.minutes == 30)
        #expect(entry.workType == "onsite")
        #expect(entry.billable == false)
        #expect(entry.note == "swap")
        #expect(try f.app.tickets.ticketSummary(number).isOpen == false)
    }

    @Test func aRefusedCloseWithTimeLogsNoTime() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .none(reason: "duplicate"), as: "bob")
        let head = try f.store.head().position
        #expect(throws: DomainError.self) {
            try f.app.tickets.closeTicket(number, resolution: "Again", time: .log(minutes: 30, workType: "remote"), as: "bob")
        }
        #expect(throws: DomainError.self) {
            let other = try open(f)
            try f.app.tickets.closeTicket(other, resolution: "Fixed", time: .log(minutes: 0, workType: "remote"), as: "bob")
        }
        #expect(try f.app.billing.timeEntries(TimeFilter()).isEmpty)
        #expect(try f.store.head().position == head + 1, "only the second ticket's opening")
    }

    @Test func aNoTimeReasonIsRecordedOnTheClose() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        #expect(throws: DomainError.self) { try f.app.tickets.closeTicket(number, resolution: "Dup", time: .none(reason: "  "), as: "bob") }
        try f.app.tickets.closeTicket(number, resolution: "Dup", time: .none(reason: " Duplicate of T-1000 "), as: "bob")
        let closes = try closedEvents(f, number)
        #expect(closes.map(\.1) == [TicketClosed(resolution: "Dup", noTimeReason: "Duplicate of T-1000")])
        #expect(String(decoding: closes[0].0.payload, as: UTF8.self) == #"{"noTimeReason":"Duplicate of T-1000","resolution":"Dup"}"#)
    }

    @Test func aCloserWhoLoggedTimeClosesWithoutFlagsAndTheFieldStaysAbsent() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        try f.app.billing.logTime(TimeLogRequest(ticket: number, minutes: 45, workType: "remote"), as: "bob")
        #expect(try f.app.billing.hasLoggedTime(on: number, by: "bob"))
        try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .alreadyLogged, as: "bob")
        let closes = try closedEvents(f, number)
        #expect(String(decoding: closes[0].0.payload, as: UTF8.self) == #"{"resolution":"Fixed"}"#)
    }

    @Test func anotherTechsTimeOrAVoidedEntryDoesNotCount() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        try f.app.billing.logTime(TimeLogRequest(ticket: number, minutes: 45, workType: "remote"), as: "tia")
        let own = try f.app.billing.logTime(TimeLogRequest(ticket: number, minutes: 10, workType: "remote"), as: "bob")
        try f.app.billing.voidTime(own, reason: "wrong ticket", as: "bob")
        #expect(try f.app.billing.hasLoggedTime(on: number, by: "bob") == false)
        #expect(throws: DomainError.self) { try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .alreadyLogged, as: "bob") }
        try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .alreadyLogged, as: "tia")
    }

    @Test func aRetriedCloseWithTimeWritesNothingMore() throws {
        let f = try ServiceFixture()
        let number = try open(f)
        let first = try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .log(minutes: 20, workType: "remote"), as: "bob", commandId: "c-1")
        let head = try f.store.head().position
        let again = try f.app.tickets.closeTicket(number, resolution: "Fixed", time: .log(minutes: 20, workType: "remote"), as: "bob", commandId: "c-1")
        #expect(again.events == first.events)
        #expect(try f.store.head().position == head)
        #expect(try f.app.billing.timeEntries(TimeFilter()).count == 1)
    }

    @Test func alertAutoResolveStillClosesWithoutTime() throws {
        let f = try ServiceFixture()
        let firing = #"{"client":"acme","device":"fs01","check":"backup","severity":"critical","status":"firing","id":"job-17","message":"Backup failed"}"#
        let policy = AlertPolicy()
        let opened = try f.app.intake.receiveAlerts(try AlertParser.parse(Array(firing.utf8), format: .generic), policy: policy, as: "dora")
        guard case .opened(let number) = try #require(opened.first) else { Issue.record("not opened: \(opened)"); return }
        let resolved = firing.replacingOccurrences(of: "firing", with: "resolved")
        let outcome = try f.app.intake.receiveAlerts(try AlertParser.parse(Array(resolved.utf8), format: .generic), policy: policy, as: "dora")
        #expect(outcome == [.autoResolved(number)])
        #expect(try f.app.tickets.ticketSummary(number).isOpen == false)
        #expect(try closedEvents(f, number).map(\.1.noTimeReason) == [nil])
    }

    // MARK: - The report

    @Test func theReportListsClosesWithoutTheClosersTime() throws {
        let f = try ServiceFixture()
        let logged = try open(f)  // T-1001: bob logged time, then closed: not listed
        try f.app.billing.logTime(TimeLogRequest(ticket: logged, minutes: 30, workType: "remote"), as: "bob")
        try f.app.tickets.closeTicket(logged, resolution: "Fixed", time: .alreadyLogged, as: "bob")
        let withTime = try open(f)  // T-1002: time given with the close: not listed
        try f.app.tickets.closeTicket(withTime, resolution: "Fixed", time: .log(minutes: 15, workType: "remote"), as: "bob")
        let noTime = try open(f)  // T-1003: tia worked it, bob closed without time: listed, the ticket has time
        try f.app.billing.logTime(TimeLogRequest(ticket: noTime, minutes: 30, workType: "remote"), as: "tia")
        f.clock.advance(milliseconds: 60_000)
        try f.app.tickets.closeTicket(noTime, resolution: "Dup", time: .none(reason: "duplicate"), as: "bob")
        let voided = try open(f)  // T-1004: tia's only entry voided after the close: still not listed (judged at the close)
        let entry = try f.app.billing.logTime(TimeLogRequest(ticket: voided, minutes: 30, workType: "remote"), as: "tia")
        try f.app.tickets.closeTicket(voided, resolution: "Fixed", time: .alreadyLogged, as: "tia")
        try f.app.billing.voidTime(entry, reason: "wrong ticket", as: "tia")
        let globex = try f.app.tickets.openTicket(TicketIntake(client: "globex", subject: "Printer"), as: "tia")  // T-1005
        try f.app.tickets.closeTicket(globex, resolution: "Self-healed", time: .none(reason: "nothing to do"), as: "tia")
        let firing = #"{"client":"acme","check":"disk","severity":"warning","status":"firing","id":"d-1","message":"Disk 90%"}"#
        _ = try f.app.intake.receiveAlerts(try AlertParser.parse(Array(firing.utf8), format: .generic), policy: AlertPolicy(), as: "dora")
        let resolved = firing.replacingOccurrences(of: "firing", with: "resolved")
        _ = try f.app.intake.receiveAlerts(try AlertParser.parse(Array(resolved.utf8), format: .generic), policy: AlertPolicy(), as: "dora")

        let period = ClosedWithoutTimeFilter(from: Timestamp(iso8601: "2026-11-01T00:00:00Z")!, to: Timestamp(iso8601: "2026-12-01T00:00:00Z")!)
        let lines = try f.app.billing.closedWithoutTimeReport(period)
        #expect(lines.map(\.ticket) == ["T-1003", "T-1005", "T-1006"])
        #expect(lines[0] == ClosedWithoutTimeLine(
            ticket: "T-1003", client: "acme", closedAt: "2026-11-02T09:01:00.000Z", closedBy: "bob", reason: "duplicate",
            systemClose: false, ticketHasTime: true))
        #expect(lines[1].ticketHasTime == false && lines[1].client == "globex" && lines[1].closedBy == "tia")
        #expect(lines[2].systemClose && lines[2].reason == nil && lines[2].closedBy == "dora")

        var byBob = period
        byBob.tech = "bob"
        #expect(try f.app.billing.closedWithoutTimeReport(byBob).map(\.ticket) == ["T-1003"])
        var globexOnly = period
        globexOnly.client = "globex"
        #expect(try f.app.billing.closedWithoutTimeReport(globexOnly).map(\.ticket) == ["T-1005"])
        let before = ClosedWithoutTimeFilter(from: Timestamp(iso8601: "2026-10-01T00:00:00Z")!, to: Timestamp(iso8601: "2026-11-02T09:00:30Z")!)
        #expect(try f.app.billing.closedWithoutTimeReport(before).isEmpty, "T-1003 was closed after the period")
    }
}
