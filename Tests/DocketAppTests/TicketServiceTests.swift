import DocketApp
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct TicketServiceTests {
    @Test func numbersAreGaplessFromT1001() throws {
        let f = try ServiceFixture()
        let numbers = try (0..<3).map { _ in try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Printer"), as: "bob") }
        #expect(numbers.map(\.description) == ["T-1001", "T-1002", "T-1003"])
    }

    @Test func aRetriedOpenWithTheSameCommandIdReturnsTheSameTicket() throws {
        let f = try ServiceFixture()
        let first = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "VPN"), as: "bob", commandId: "mail-123")
        let again = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "VPN"), as: "bob", commandId: "mail-123")
        #expect(first == again)
        #expect(try f.app.tickets.ticketSummary(first).subject == "VPN")
        #expect(try f.models.queue.list(QueueFilter(), order: .newestFirst, limit: 10, in: f.store).count == 1)
    }

    @Test func openingForAnUnknownClientIsRefusedAndWritesNothing() throws {
        let f = try ServiceFixture()
        let head = try f.store.head().position
        #expect(throws: DomainError.self) { try f.app.tickets.openTicket(TicketIntake(client: "nope", subject: "x"), as: "bob") }
        #expect(try f.store.head().position == head)
    }

    @Test func anUnknownActorIsRefused() throws {
        let f = try ServiceFixture()
        do {
            try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "mallory")
            Issue.record("expected a refusal")
        } catch let error as DomainError {
            #expect(error.code == .notFound)
            #expect(error.message.contains("mallory"))
        }
    }

    @Test func billingCannotWorkTickets() throws {
        let f = try ServiceFixture()
        #expect(throws: DomainError.self) { try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bill") }
    }

    @Test func theQueueOrdersByPriorityThenAgeAndFollowsAssignment() throws {
        let f = try ServiceFixture()
        let low = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p4, subject: "Low"), as: "bob")
        f.clock.advance(milliseconds: 60_000)
        let urgentOld = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p1, subject: "Down"), as: "bob")
        f.clock.advance(milliseconds: 60_000)
        let urgentNew = try f.app.tickets.openTicket(TicketIntake(client: "globex", priority: .p1, subject: "Also down", assignee: "tia"), as: "dora")
        let queue = try f.models.queue.queue(QueueFilter(), limit: 10, in: f.store).map(\.number)
        #expect(queue == [urgentOld, urgentNew, low])
        #expect(try f.models.queue.queue(QueueFilter(assignee: "tia"), limit: 10, in: f.store).map(\.number) == [urgentNew])
        #expect(try f.models.queue.queue(QueueFilter(unassignedOnly: true), limit: 10, in: f.store).map(\.number) == [urgentOld, low])
        #expect(try f.models.queue.queue(QueueFilter(client: "globex"), limit: 10, in: f.store).map(\.number) == [urgentNew])
        try f.app.tickets.ticket(low, .setPriority(.p1), as: "bob")
        #expect(try f.models.queue.queue(QueueFilter(), limit: 10, in: f.store).map(\.number) == [low, urgentOld, urgentNew])
        try f.app.tickets.ticket(urgentOld, .close(resolution: "Rebooted the router", time: .none(reason: "no time in this test")), as: "bob")
        #expect(try f.models.queue.queue(QueueFilter(), limit: 10, in: f.store).map(\.number) == [low, urgentNew])
        #expect(try f.app.tickets.ticketSummary(urgentOld).status == .closed)
        #expect(try f.models.queue.list(QueueFilter(status: .closed), order: .newestFirst, limit: 10, in: f.store).map(\.number) == [urgentOld])
    }

    @Test func assigningToAnUnknownUserIsRefused() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bob")
        #expect(throws: DomainError.self) { try f.app.tickets.ticket(number, .assign(to: "ghost", user: nil), as: "dora") }
        try f.app.tickets.ticket(number, .assign(to: "tia", user: nil), as: "dora")
        #expect(try f.app.tickets.ticketSummary(number).assignee == "tia")
    }

    @Test func mergeMovesBothTicketsInOneTransaction() throws {
        let f = try ServiceFixture()
        let keep = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Email down"), as: "bob")
        let duplicate = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Outlook broken"), as: "bob")
        let head = try f.store.head().position
        try f.app.tickets.mergeTicket(duplicate, into: keep, as: "bob")
        #expect(try f.store.head().position == head + 2)
        #expect(try f.app.tickets.ticketSummary(duplicate).mergedInto == keep)
        #expect(try f.app.tickets.ticketSummary(keep).mergedFrom == [duplicate])
        #expect(throws: DomainError.self) { try f.app.tickets.ticket(duplicate, .comment("more", visibility: .public), as: "bob") }
        #expect(try f.app.tickets.ticketHistory(duplicate).count == 2, "the merged ticket's history stays readable")
    }

    @Test func workOnAClosedTicketIsRefusedUntilReopened() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "Done", time: .none(reason: "no time in this test")), as: "bob")
        #expect(throws: DomainError.self) { try f.app.tickets.ticket(number, .comment("late", visibility: .internal), as: "bob") }
        try f.app.tickets.ticket(number, .reopen(reason: "Came back"), as: "bob")
        #expect(try f.app.tickets.ticketSummary(number).status == .inProgress)
        try f.app.tickets.ticket(number, .comment("late", visibility: .internal), as: "bob")
        #expect(try f.app.tickets.ticketSummary(number).internalComments == 1)
    }

    @Test func replyFillsTheTemplatesPlaceholders() throws {
        let f = try ServiceFixture()
        try f.app.directory.template("password-reset", .add(name: "password-reset", subject: nil, body: "Hi {{contact.name}}, {{tech.name}} reset your password ({{ticket.number}}, {{client.name}})."), as: "dora")
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Locked out"), as: "bob")
        let text = try f.app.tickets.reply(number, template: "password-reset", as: "bob")
        #expect(text == "Hi Carla Client, Bob reset your password (\(number), Acme Dental).")
        #expect(try f.app.tickets.ticketSummary(number).publicComments == 1)
    }
}

@Suite struct CommandIdTests {
    @Test func aRetriedCommandReturnsWhatItDidFirstAndWritesNothing() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bob")
        let first = try f.app.tickets.ticket(number, .setPriority(.p1), as: "bob", commandId: "c-1")
        let head = try f.store.head().position
        // The retry asks for something else under the same id: it is a retry, not a new command.
        let retry = try f.app.tickets.ticket(number, .setPriority(.p4), as: "bob", commandId: "c-1")
        #expect(retry == first)
        #expect(try f.store.head().position == head)
        #expect(try f.app.tickets.ticketSummary(number).priority == .p1)
    }

    @Test func aRetriedCreateIsNotAnAlreadyExistsError() throws {
        let f = try ServiceFixture()
        let add = UserCommand.add(AddUser(login: "zoe", name: "Zoe", email: "zoe@msp.example", role: .tech))
        let first = try f.app.directory.user("zoe", add, as: "ann", commandId: "add-zoe")
        #expect(try f.app.directory.user("zoe", add, as: "ann", commandId: "add-zoe") == first)
        #expect(throws: DomainError.self) { try f.app.directory.user("zoe", add, as: "ann", commandId: "add-zoe-again") }
    }
}

@Suite struct QueueProjectionInputTests {
    /// An event of a type the queue does not fold changes none of the row's fields but its version, which counts
    /// every event on the stream as `ticket show` (and `--expect-version`) does.
    @Test func eventsOfOtherTypesOnATicketStreamChangeOnlyTheRowsVersion() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bob")
        let before = try #require(try f.app.tickets.list(QueueFilter(), limit: 10).first)
        try f.store.append(AppendRequest(stream: "ticket-\(number)", events: [NewEvent(type: "ticket.crm-synced", payload: Array("{}".utf8))], actor: "system"))
        var after = try #require(try f.app.tickets.list(QueueFilter(), limit: 10).first)
        #expect(after.version == before.version + 1)
        #expect(after.version == (try f.app.tickets.ticketHistory(number).last?.event.streamVersion))
        #expect(after.version == (try f.app.tickets.ticketSummary(number).version))
        after.version = before.version
        #expect(after == before)
    }

    @Test func aMalformedTicketEventIsRefusedAndNothingIsWritten() throws {
        let f = try ServiceFixture()
        let head = try f.store.head().position
        #expect(throws: (any Error).self) {
            try f.store.append(AppendRequest(stream: "ticket-T-1001", events: [NewEvent(type: "ticket.opened", payload: Array("{\"subject\":1}".utf8))], actor: "ann"))
        }
        #expect(try f.store.head().position == head)
    }
}

@Suite struct SharedStreamTests {
    @Test func anotherSubsystemsEventOnATicketStreamDoesNotBlockWork() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "bob")
        try f.store.append(AppendRequest(stream: "ticket-\(number)", events: [NewEvent(type: "ticket.crm-synced", payload: Array("{}".utf8))], actor: "system"))
        try f.app.tickets.ticket(number, .setPriority(.p1), as: "bob")
        #expect(try f.app.tickets.ticketSummary(number).priority == .p1)
        #expect(try f.store.version(of: "ticket-\(number)") == 3)
    }
}
