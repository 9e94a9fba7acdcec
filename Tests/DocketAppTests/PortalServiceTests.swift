@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import MailParser
import TestSupport
import Testing

/// The client portal's service: sign-in links through the outbox, sessions, and a contact's view of and work on their
/// client's tickets only, all as events with the contact as actor.
@Suite struct PortalServiceTests {
    /// The fixture plus a Globex contact, and the link token of the sign-in mail queued for `email`.
    func fixture() throws -> ServiceFixture {
        let f = try ServiceFixture()
        try f.app.directory.addContact(to: "globex", ContactDetails(name: "Gus Globex", email: "gus@globex.example"), as: "dora")
        return f
    }

    /// Requests a link for `email` and returns the token from the mail's body.
    func link(_ f: ServiceFixture, _ email: String) throws -> String {
        let queued = try f.app.portal.requestLink(email: email, baseURL: "https://portal.example/portal")
        let first = try #require(queued.first)
        let entry = try #require(try f.app.outbox.message(first.messageId))
        let body = try #require(try ParsedMessage(parsing: Array(entry.message.utf8)).textBody)
        let start = try #require(body.range(of: "https://portal.example/portal/link/"))
        return String(body[start.upperBound...].prefix { !$0.isWhitespace })
    }

    func signIn(_ f: ServiceFixture, _ email: String) throws -> PortalService.SignedIn {
        let cookie = try f.app.portal.redeem(link: try link(f, email))
        return try #require(try f.app.portal.session(cookie))
    }

    @Test func aLinkIsQueuedInTheOutboxAndTheLogKeepsOnlyItsHashOnThePortalStream() throws {
        let f = try fixture()
        let queued = try f.app.portal.requestLink(email: " Carla@ACME.example ", baseURL: "https://portal.example/portal")
        #expect(queued.map(\.contact) == ["acme-1"])
        let entry = try #require(try f.app.outbox.messages().first { $0.reason == .signIn })
        #expect(entry.ticket == nil)
        #expect(entry.to == ["carla@acme.example"])
        #expect(!entry.message.contains("X-Docket-Ticket"))
        let events = try f.store.read(stream: StreamName.portal("acme-1"))
        #expect(events.map(\.type) == ["portal.link-issued", "ticket.mail-queued"])
        #expect(events.allSatisfy { $0.actor == "contact:acme-1" })
        let token = try link(f, "carla@acme.example")
        let secret = String(token.split(separator: ".").last ?? "")
        let issued = try #require(try f.store.read(stream: StreamName.portal("acme-1")).last { $0.type == "portal.link-issued" })
        #expect(!String(decoding: issued.payload, as: UTF8.self).contains(secret))
        #expect(String(decoding: issued.payload, as: UTF8.self).contains(PortalService.hash(secret)))
    }

    @Test func theSignInMailIsTheDefaultTemplateUntilAStoredOneReplacesIt() throws {
        let f = try fixture()
        _ = try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://portal.example/portal")
        let first = try #require(try f.app.outbox.messages().first { $0.reason == .signIn })
        let body = try #require(try ParsedMessage(parsing: Array(first.message.utf8)).textBody)
        #expect(body.hasPrefix("Hello Carla Client,\n\nFollow this link to sign in to the support portal:\n\n    https://portal.example/portal/link/acme-1."))
        #expect(body.contains("It works once, for 15 minutes. If you did not ask for it, ignore this email."))

        try f.app.directory.template(
            "mail-sign-in", .update(subject: nil, body: "{{greeting}} of {{client.name}}: {{portal.link}}"), as: "dora")
        _ = try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://p")
        let second = try #require(try f.app.outbox.messages().first { $0.reason == .signIn && $0.message.contains("https://p/link/") })
        let text = try #require(try ParsedMessage(parsing: Array(second.message.utf8)).textBody)
        #expect(text.hasPrefix("Hello Carla Client of Acme Dental: https://p/link/acme-1."), "\(text)")
        #expect(throws: DomainError.self, "a sign-in mail is about no ticket") {
            try f.app.directory.template("mail-sign-in", .update(subject: nil, body: "{{ticket.number}}"), as: "dora")
        }
    }

    @Test func unknownAndUnverifiedAddressesQueueNothing() throws {
        let f = try fixture()
        try f.app.directory.addContact(to: "acme", ContactDetails(name: "Who", email: "who@acme.example", unverified: true), as: "dora")
        let head = try f.store.head().position
        #expect(try f.app.portal.requestLink(email: "nobody@acme.example", baseURL: "https://p").isEmpty)
        #expect(try f.app.portal.requestLink(email: "who@acme.example", baseURL: "https://p").isEmpty)
        #expect(try f.app.portal.requestLink(email: "not an address", baseURL: "https://p").isEmpty)
        #expect(try f.store.head().position == head)
    }

    @Test func theSixthLinkInAnHourIsNotSent() throws {
        let f = try fixture()
        for _ in 0..<5 { #expect(try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://p").count == 1) }
        #expect(try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://p").isEmpty)
        f.clock.advance(milliseconds: 3_600_001)
        #expect(try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://p").count == 1)
    }

    @Test func aLinkOpensOneSessionOnceAndSignOutEndsIt() throws {
        let f = try fixture()
        let token = try link(f, "carla@acme.example")
        let cookie = try f.app.portal.redeem(link: token)
        let signedIn = try #require(try f.app.portal.session(cookie))
        #expect(signedIn.contact == "acme-1" && signedIn.client == "acme" && signedIn.name == "Carla Client")
        #expect(throws: DomainError.self) { try f.app.portal.redeem(link: token) }
        #expect(try f.app.portal.session(cookie.replacingOccurrences(of: "acme-1.", with: "globex-1.")) == nil)
        #expect(try f.app.portal.session("acme-1." + String(repeating: "0", count: 64)) == nil)
        #expect(try f.app.portal.session("garbage") == nil)
        try f.app.portal.signOut(signedIn)
        #expect(try f.app.portal.session(cookie) == nil)
    }

    @Test func deactivatingTheClientEndsItsSessionsForGoodAndReactivationNeedsANewSignIn() throws {
        let f = try fixture()
        let cookie = try f.app.portal.redeem(link: try link(f, "carla@acme.example"))
        #expect(try f.app.portal.session(cookie) != nil)
        f.clock.advance(milliseconds: 60_000)
        try f.app.directory.client("acme", .deactivate, as: "dora")
        #expect(try f.app.portal.session(cookie) == nil)
        f.clock.advance(milliseconds: 60_000)
        try f.app.directory.client("acme", .reactivate, as: "dora")
        #expect(try f.app.portal.session(cookie) == nil, "reactivation must not revive a session opened before the deactivation")
        f.clock.advance(milliseconds: 60_000)
        let again = try f.app.portal.redeem(link: try link(f, "carla@acme.example"))
        #expect(try f.app.portal.session(again)?.contact == "acme-1")
        let globex = try signIn(f, "gus@globex.example")
        #expect(globex.client == "globex", "another client's deactivation history is not this one's")
    }

    @Test func anExpiredLinkIsRefused() throws {
        let f = try fixture()
        let token = try link(f, "carla@acme.example")
        f.clock.advance(milliseconds: PortalDecider.linkLifetime + 1)
        #expect(throws: DomainError.self) { try f.app.portal.redeem(link: token) }
    }

    /// The portal lists a client's tickets newest first, so its cap keeps the recent ones: the list said "newest
    /// first" and gave the oldest first, and a client with more than 200 tickets never saw this week's.
    @Test func aContactsTicketsAreListedNewestFirst() throws {
        let f = try fixture()
        let opened = try ["Printer", "VPN", "Laptop"].map {
            try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: $0, description: "-"), as: "bob")
        }
        let carla = try signIn(f, "carla@acme.example")
        #expect(try f.app.portal.clientTickets(for: carla).map(\.number) == opened.reversed())
        #expect(try f.app.portal.clientTickets(for: carla, limit: 2).map(\.number) == [opened[2], opened[1]])
    }

    @Test func aContactSeesTheirClientsTicketsWithPublicRepliesOnly() throws {
        let f = try fixture()
        let mine = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline", description: "It blinks"), as: "bob")
        try f.app.tickets.ticket(mine, .comment("Driver reinstalled", visibility: .public), as: "bob")
        try f.app.tickets.ticket(mine, .comment("client is difficult", visibility: .internal), as: "bob")
        let theirs = try f.app.tickets.openTicket(TicketIntake(client: "globex", subject: "Globex secret"), as: "bob")
        let carla = try signIn(f, "carla@acme.example")
        #expect(try f.app.portal.clientTickets(for: carla).map(\.number) == [mine])
        let shown = try f.app.portal.ticket(mine, for: carla)
        #expect(shown.entries.map(\.text) == ["It blinks", "Driver reinstalled"])
        // A ticket opened by phone: the tech wrote its description.
        #expect(shown.entries.map(\.author) == ["Bob", "Bob"])
        #expect(shown.entries.map(\.fromClient) == [false, false])
        let head = try f.store.head().position
        for attempt in [theirs, TicketNumber(9_999)!] {
            #expect(throws: DomainError.self) { try f.app.portal.ticket(attempt, for: carla) }
            #expect(throws: DomainError.self) { try f.app.portal.reply(attempt, text: "hi", for: carla) }
        }
        #expect(try f.store.head().position == head)
    }

    @Test func aReplyAndANewTicketAreEventsWithTheContactAsActor() throws {
        let f = try fixture()
        let carla = try signIn(f, "carla@acme.example")
        let number = try f.app.portal.openTicket(
            PortalTicketForm(subject: "VPN down", description: "Since 9am", category: "Network", priority: .p2), for: carla)
        let summary = try f.app.tickets.ticketSummary(number)
        #expect(summary.client == "acme" && summary.contact == "acme-1" && summary.source == .portal && summary.priority == .p2)
        #expect(summary.category == "Network")
        try f.app.portal.reply(number, text: "Still down", for: carla)
        let history = try f.app.tickets.ticketHistory(number)
        #expect(history.filter { $0.event.type.hasPrefix("ticket.") && $0.event.type != "ticket.mail-queued" }.allSatisfy { $0.event.actor == "contact:acme-1" })
        let shown = try f.app.portal.ticket(number, for: carla)
        #expect(shown.entries.map(\.text) == ["Since 9am", "Still down"])
        #expect(shown.entries.map(\.author) == ["Carla Client", "Carla Client"] && shown.entries.allSatisfy(\.fromClient))
        // The acknowledgement goes to the contact; their own reply is not mailed back to them.
        #expect(try f.app.outbox.messages().filter { $0.ticket == number }.map(\.reason) == [.acknowledgement])
    }

    @Test func aPortalTicketIsRoutedByTheRulesLikeMailAndAlerts() throws {
        let f = try fixture()
        try f.app.directory.setRoutingRules([
            RoutingRule(id: "mail-only", match: RoutingConditions(source: [.email]), actions: RoutingActions(priority: .p4)),
            RoutingRule(
                id: "portal-outage", match: RoutingConditions(client: ["acme"], source: [.portal], subjectContains: ["outage"]),
                actions: RoutingActions(priority: .p1, category: "network", assign: "bob")),
        ], as: "dora")
        let carla = try signIn(f, "carla@acme.example")
        let routed = try f.app.portal.openTicket(PortalTicketForm(subject: "Internet outage", description: "Nothing loads", priority: .p3), for: carla)
        let summary = try f.app.tickets.ticketSummary(routed)
        #expect(summary.priority == .p1 && summary.category == "network" && summary.assignee == "bob" && summary.source == .portal)
        let history = try f.app.tickets.ticketHistory(routed)
        #expect(history.contains { if case .ticket(.commented(let note)) = $0.change { note.visibility == .internal && note.text.contains("portal-outage") } else { false } })
        // The rule's note never reaches the contact; a ticket no rule matches opens as typed.
        #expect(try f.app.portal.ticket(routed, for: carla).entries.map(\.text) == ["Nothing loads"])
        let plain = try f.app.portal.openTicket(PortalTicketForm(subject: "Printer", description: "jams", priority: .p3), for: carla)
        let typed = try f.app.tickets.ticketSummary(plain)
        #expect(typed.priority == .p3 && typed.assignee == nil && typed.category == nil)
    }

    @Test func aReplyOnATicketWaitingOnTheClientPutsItBackInProgressAndAClosedOneIsRefused() throws {
        let f = try fixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline"), as: "bob")
        try f.app.tickets.ticket(number, .setStatus(.waitingOnClient), as: "bob")
        let carla = try signIn(f, "carla@acme.example")
        try f.app.portal.reply(number, text: "Here is the model number", for: carla)
        #expect(try f.app.tickets.ticketSummary(number).status == .inProgress)
        try f.app.tickets.closeTicket(number, resolution: "Replaced toner", time: .none(reason: "warranty"), as: "bob")
        let head = try f.store.head().position
        #expect(throws: DomainError.self) { try f.app.portal.reply(number, text: "one more thing", for: carla) }
        #expect(try f.store.head().position == head)
    }

    @Test func aNewTicketOutsideTheAllowedPrioritiesOrTooLongIsRefusedAndNothingWritten() throws {
        let f = try fixture()
        let carla = try signIn(f, "carla@acme.example")
        let head = try f.store.head().position
        #expect(throws: DomainError.self) { try f.app.portal.openTicket(PortalTicketForm(subject: "x", description: "", priority: .p1), for: carla) }
        #expect(throws: DomainError.self) {
            try f.app.portal.openTicket(PortalTicketForm(subject: String(repeating: "x", count: 201), description: ""), for: carla)
        }
        #expect(throws: DomainError.self) { try f.app.portal.openTicket(PortalTicketForm(subject: "", description: "d"), for: carla) }
        #expect(try f.store.head().position == head)
    }
}
