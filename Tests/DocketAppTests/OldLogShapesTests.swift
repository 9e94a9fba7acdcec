@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import MailParser
import TestSupport
import Testing

/// Logs written before the sender-contact and close-time reactions: the opening named the contact the command
/// added, and the command appended the close's time entry itself. Both shapes are read, and give the same rows as
/// the reactions' shapes.
@Suite struct OldLogShapesTests {
    func request(_ stream: String, _ events: [any DomainEvent], version: UInt64 = 0, actor: String = "dora") -> AppendRequest {
        AppendRequest(stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version), events: events.map { NewEvent($0) }, actor: actor)
    }

    @Test func anOldOpeningNamingItsNewContactAndAnOldCloseWithItsEntryReadAsTheNewShapes() throws {
        let f = try ServiceFixture()
        // Old shape, as the command wrote it: the contact, then the opening naming it, in one transaction.
        let number = TicketNumber("T-1001")!
        let clientVersion = try f.store.version(of: StreamName.client("acme"))
        let opened = TicketOpened(
            number: number, client: "acme", contact: "acme-2", category: nil, priority: .p3, source: .email, subject: "VPN down", description: "")
        let mail = TicketMailReceived(messageId: "old@acme.example", from: "pat@acme.example", fromName: "Pat", subject: "VPN down", text: "", kind: "new", attachments: [])
        try f.store.append([
            request(StreamName.client("acme"), [ClientEvent.contactAdded(ClientContactAdded(contactId: "acme-2", name: "Pat", email: "pat@acme.example", phone: nil, unverified: true))], version: clientVersion),
            request(StreamName.ticket(number), [TicketEvent.opened(opened), TicketMailEvent.received(mail)]),
        ])
        // The close with its entry, the entry first.
        try f.store.append([
            request(StreamName.timeEntry("TE-1"), [TimeEvent.logged(TimeLogged(
                entryId: "TE-1", ticket: "T-1001", tech: "tia", minutes: 30, workType: "remote", billable: true, startedAt: "2026-11-02T08:30:00.000Z", note: nil))], actor: "tia"),
            request(StreamName.ticket(number), [TicketEvent.closed(TicketClosed(resolution: "Fixed"))], version: 2, actor: "tia"),
        ])
        let row = try #require(try f.models.queue.summary(number, in: f.store))
        #expect(row.contact == "acme-2" && row.status == .closed)
        #expect(try f.app.tickets.ticketSummary(number) == row, "the write side's fold gives the queue's row")
        #expect(try f.app.billing.timeEntries(TimeFilter(ticket: "T-1001")).map(\.minutes) == [30])
        #expect(try f.app.billing.hasLoggedTime(on: number, by: "tia"))

        // The new shape from intake: the same contact on the row, the opening naming none.
        let raw = "From: Quinn <quinn@acme.example>\r\nTo: help@msp.example\r\nSubject: Printer\r\nMessage-ID: <new@acme.example>\r\n\r\nOff.\r\n"
        guard case .opened(let second) = try f.app.intake.receiveMail(
            try ParsedMessage(parsing: Array(raw.utf8)), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
        else { Issue.record("not opened"); return }
        #expect(try f.app.tickets.ticketSummary(second).contact == "acme-3")
        #expect(try f.models.queue.summary(second, in: f.store)?.contact == "acme-3")
        #expect(try f.app.directory.client("acme").contacts["acme-3"]?.email == "quinn@acme.example")
        let types = try f.store.read(stream: StreamName.ticket(second)).map(\.type)
        #expect(types.contains("ticket.contact-set"))
        let openedPayload = try #require(try f.store.read(stream: StreamName.ticket(second)).first)
        #expect(!String(decoding: openedPayload.payload, as: UTF8.self).contains("\"contact\""))

        let names = f.store.projectionNames
        let incremental = try names.map { try f.store.dump(projection: $0) }
        try f.store.rebuild(names, batchSize: 1)
        for (name, dump) in zip(names, incremental) { #expect(try f.store.dump(projection: name) == dump, "\(name) rebuilt") }
    }
}
