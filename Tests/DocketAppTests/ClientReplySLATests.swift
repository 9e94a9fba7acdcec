@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import MailParser
import TestSupport
import Testing

/// Only the MSP answers the client: a portal contact's reply and a client's mail leave the response clock running, in
/// the `sla` and `queue` models, in the ticket's summary and for `tick`; a staff member's public reply meets it. Old
/// stores' portal replies (no `fromClient` in the payload) are told by their actor.
@Suite struct ClientReplySLATests {
    /// The fixture with a 24x7 policy (P3: response 4 h) on acme's contract, and a P3 ticket carla (acme-1) opened at
    /// 09:00 in the portal.
    func fixture() throws -> (ServiceFixture, TicketNumber, PortalService.SignedIn) {
        let f = try ServiceFixture()
        let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
        let targets: [Priority: SLATarget] = [
            .p1: SLATarget(responseMinutes: 60, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 120, resolutionMinutes: 480),
            .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 960), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 2400),
        ]
        try f.app.directory.slaPolicy(
            "gold", .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: start, terms: SLATerms(calendar: "24x7", targets: targets))),
            as: "bill")
        try f.app.directory.createContract(
            CreateContract(id: "acme-2026", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: start, slaPolicy: "gold"), as: "bill")
        let link = try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://portal.example/portal")
        let first = try #require(link.first)
        let entry = try #require(try f.app.outbox.message(first.messageId))
        let body = try #require(try ParsedMessage(parsing: Array(entry.message.utf8)).textBody)
        let at = try #require(body.range(of: "https://portal.example/portal/link/"))
        let carla = try #require(try f.app.portal.session(try f.app.portal.redeem(link: String(body[at.upperBound...].prefix { !$0.isWhitespace }))))
        let number = try f.app.portal.openTicket(PortalTicketForm(subject: "VPN down", description: "Since 9am", priority: .p3), for: carla)
        return (f, number, carla)
    }

    /// Whether ticket `number`'s response clock is met, as the `sla` model, the `queue` model and the ticket's summary
    /// folded from the log (the write side) each say.
    func responseMet(_ f: ServiceFixture, _ number: TicketNumber) throws -> [Bool] {
        let sla = try #require(try f.app.sla.clock(of: number))
        let queued = try #require(try f.app.tickets.list(QueueFilter(), limit: 100).first { $0.number == number })
        let summary = try f.app.tickets.ticketSummary(number)
        return [sla.response.isMet, queued.sla?.clock == .resolution, summary.sla?.clock == .resolution]
    }

    @Test func aPortalContactsReplyLeavesTheResponseClockRunningAndAStaffReplyMeetsIt() throws {
        let (f, number, carla) = try fixture()
        f.clock.advance(milliseconds: 30 * 60_000)
        try f.app.portal.reply(number, text: "Still down, please hurry", for: carla)
        let replied = try #require(try f.app.tickets.ticketHistory(number).compactMap { entry -> TicketCommented? in
            if case .ticket(.commented(let comment)) = entry.change { comment } else { nil }
        }.last)
        #expect(replied.isFromClient && replied.visibility == .public)
        #expect(try responseMet(f, number) == [false, false, false])
        // Due at 13:00 (4 h from 09:00): tick at 13:05 records the breach the client's reply did not prevent.
        f.clock.advance(milliseconds: 275 * 60_000)
        let ticked = try f.app.sla.tick(as: "dora")
        #expect(ticked.first?.events.contains(.breached(TicketSLABreached(clock: .response, dueAt: Timestamp(iso8601: "2026-11-02T13:00:00Z")!))) == true)
        try f.app.tickets.ticket(number, .comment("Rebooted the concentrator", visibility: .public), as: "bob")
        #expect(try responseMet(f, number) == [true, true, true])
    }

    @Test func aClientsMailReplyLeavesTheResponseClockRunning() throws {
        let (f, number, _) = try fixture()
        f.clock.advance(milliseconds: 30 * 60_000)
        let raw = "From: Carla Client <carla@acme.example>\r\nTo: help@msp.example\r\nSubject: Re: [\(number)] VPN down\r\nMessage-ID: <r1@acme.example>\r\n\r\nStill down.\r\n"
        let outcome = try f.app.intake.receiveMail(try ParsedMessage(parsing: Array(raw.utf8)), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
        #expect(outcome == .reply(number))
        #expect(try responseMet(f, number) == [false, false, false])
    }

    /// A portal reply recorded before `fromClient` existed: the payload says nothing, the actor `contact:acme-1` does.
    @Test func anOldStoresPortalReplyIsToldByItsActor() throws {
        let (f, number, _) = try fixture()
        f.clock.advance(milliseconds: 30 * 60_000)
        let old = TicketEvent.commented(TicketCommented(text: "Still down", visibility: .public))
        let version = try #require(try f.store.read(stream: StreamName.ticket(number)).last?.streamVersion)
        try f.store.append([
            AppendRequest(
                stream: StreamName.ticket(number), expectedVersion: .exact(version),
                events: [NewEvent(type: old.eventType, schemaVersion: old.schemaVersion, payload: old.payload())], actor: "contact:acme-1")
        ])
        #expect(try f.store.read(stream: StreamName.ticket(number)).last.map { !String(decoding: $0.payload, as: UTF8.self).contains("fromClient") } == true)
        #expect(try responseMet(f, number) == [false, false, false])
        // The same comment by a technician meets it.
        try f.store.append([
            AppendRequest(
                stream: StreamName.ticket(number), expectedVersion: .exact(version + 1),
                events: [NewEvent(type: old.eventType, schemaVersion: old.schemaVersion, payload: old.payload())], actor: "bob")
        ])
        #expect(try responseMet(f, number) == [true, true, true])
    }
}
