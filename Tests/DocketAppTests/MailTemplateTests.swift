import DocketApp
import Domain
import EventLog
import MailParser
import TestSupport
import Testing

/// The bodies of the mail Docket sends itself are templates: shipped defaults until a store holds its own.
@Suite struct MailTemplateTests {
    func acknowledgement(_ f: ServiceFixture, _ number: TicketNumber) throws -> String {
        try #require(try f.models.outbox.all(in: f.store).first { $0.ticket == number && $0.reason == .acknowledgement }).message
    }

    @Test func withoutAStoredTemplateTheDefaultIsSent() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline"), as: "bob")
        let message = try acknowledgement(f, number)
        #expect(message.contains("Hello Carla Client,"))
        #expect(message.contains("We have received your request and opened ticket T-1001:"))
        #expect(try f.app.directory.template("mail-acknowledgement").body == MailTemplate.acknowledgement.defaultBody)
        #expect(try f.app.directory.templates().isEmpty, "a default is not a stored template")
    }

    /// The resolution mail said "reply to this email within 7 days" whatever `intake email --reopen-days` a store
    /// runs with (the window is intake's, unknown at the close): it promises no number of days now.
    @Test func theDefaultResolutionPromisesNoReopenWindow() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "VPN down"), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "Restarted the gateway", time: .none(reason: "no time in this test")), as: "bob")
        let resolution = try #require(try f.models.outbox.all(in: f.store).first { $0.reason == .resolution })
        let body = try #require(try ParsedMessage(parsing: Array(resolution.message.utf8)).textBody)
        #expect(body.contains("reply to this email and we will take it up again"))
        #expect(!body.contains("days"), "no reopen window the close cannot know")
    }

    @Test func anEditedAcknowledgementIsSentAndEarlierMailKeepsItsText() throws {
        let f = try ServiceFixture()
        let before = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline"), as: "bob")
        let events = try f.app.directory.template(
            "mail-acknowledgement", .update(subject: nil, body: "Dear {{recipient.name}}, {{ticket.number}} ({{ticket.subject}}) is with {{client.name}}'s team."),
            as: "dora")
        #expect(events.count == 1, "updating a mail template on its default stores it")
        let after = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "VPN down"), as: "bob")
        #expect(try acknowledgement(f, after).contains("Dear Carla Client, T-1002 (VPN down) is with Acme Dental's team."))
        #expect(try acknowledgement(f, before).contains("We have received your request"), "the queued event keeps the text in force then")

        try f.app.directory.template("mail-acknowledgement", .remove, as: "dora")
        let reverted = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Mail"), as: "bob")
        #expect(try acknowledgement(f, reverted).contains("We have received your request"), "removing it goes back to the default")
    }

    @Test func anEditedResolutionTemplateIsSentWithTheClose() throws {
        let f = try ServiceFixture()
        try f.app.directory.template("mail-resolution", .update(subject: nil, body: "Done: {{resolution.text}}"), as: "dora")
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Toner"), as: "bob")
        try f.app.tickets.closeTicket(number, resolution: "Replaced the toner.", time: .none(reason: "warranty"), as: "bob")
        let resolution = try #require(try f.models.outbox.all(in: f.store).first { $0.reason == .resolution })
        #expect(resolution.message.contains("Done: Replaced the toner."))
    }

    @Test func aMailTemplateRefusesASubjectAndPlaceholdersItCannotFill() throws {
        let f = try ServiceFixture()
        #expect(throws: DomainError.self) {
            try f.app.directory.template("mail-reply", .update(subject: "Re: x", body: "{{reply.text}}"), as: "dora")
        }
        let unknown = #expect(throws: DomainError.self) {
            try f.app.directory.template("mail-acknowledgement", .update(subject: nil, body: "{{reply.text}}"), as: "dora")
        }
        #expect(unknown?.message.contains("unknown placeholder {{reply.text}}") == true)
        #expect(throws: DomainError.self) {
            try f.app.directory.template("ack", .add(name: "ack", subject: nil, body: "{{greeting}}"), as: "dora")
        }
        #expect(try f.store.streams(prefix: "template-").isEmpty, "nothing written")
    }
}
