import DocketTime
import Domain
import Testing

@Suite("Tickets: opening and lifecycle")
struct TicketLifecycleTests {
    static func openCommand(
        client: String = "acme", snapshot: ClientSnapshot? = Fixture.acme, contact: String? = "c-1",
        subject: String = "  VPN down  "
    ) -> TicketCommand {
        .open(
            OpenTicket(
                number: Fixture.t1001, client: client, clientSnapshot: snapshot, contact: contact,
                category: " Network ",
                priority: "P2", source: .phone, subject: subject, description: "Since 9am"))
    }

    @Test func openRecordsTrimmedFieldsAndStartsNew() throws {
        let events = try given(TicketDecider.self).when(Self.openCommand(), by: Fixture.tech)
        #expect(
            events == [
                .opened(
                    TicketOpened(
                        number: Fixture.t1001, client: "acme", contact: "c-1", category: "Network", priority: "P2",
                        source: .phone, subject: "VPN down", description: "Since 9am"))
            ])
        let state = TicketDecider.fold(events)
        #expect(state.status == .new)
        #expect(state.number == Fixture.t1001)
        #expect(state.priority == .p2)
        #expect(state.contact == "c-1")
    }

    @Test func openUnknownClientIsRefused() throws {
        let error = try #require(given(TicketDecider.self).refusal(of: Self.openCommand(client: "acme", snapshot: nil)))
        #expect(error.code == .notFound)
        #expect(error.message == "unknown client acme; list clients with `docket client list`")
    }

    @Test func openForDeactivatedClientIsRefused() throws {
        var inactive = Fixture.acme
        inactive.isActive = false
        let error = try #require(given(TicketDecider.self).refusal(of: Self.openCommand(snapshot: inactive)))
        #expect(error.code == .inactive)
        #expect(error.message.contains("docket client reactivate acme"))
    }

    @Test func openWithContactOfAnotherClientIsRefused() throws {
        let error = try #require(given(TicketDecider.self).refusal(of: Self.openCommand(contact: "c-99")))
        #expect(error.code == .notFound)
        #expect(error.message == "unknown contact c-99 of client acme; list its contacts with `docket client show acme`")
    }

    @Test func openWithoutContactIsFine() throws {
        let events = try given(TicketDecider.self).when(Self.openCommand(contact: nil))
        guard case .opened(let opened) = try #require(events.first) else {
            Issue.record("expected ticket.opened")
            return
        }
        #expect(opened.contact == nil)
    }

    @Test func openWithBlankSubjectIsRefused() throws {
        let error = try #require(given(TicketDecider.self).refusal(of: Self.openCommand(subject: " \n ")))
        #expect(error.code == .invalid)
        #expect(error.message.contains("subject"))
    }

    @Test func openingAnExistingNumberIsAConflict() throws {
        let error = try #require(given(TicketDecider.self, [Fixture.opened()]).refusal(of: Self.openCommand()))
        #expect(error.code == .conflict)
        #expect(error.message.contains("T-1001 already exists"))
    }

    @Test func workOnATicketThatWasNeverOpenedIsNotFound() throws {
        let error = try #require(given(TicketDecider.self).refusal(of: .comment("hi", visibility: .public)))
        #expect(error.code == .notFound)
    }

    @Test func fullLifecycle() throws {
        var history = [Fixture.opened()]
        func run(_ command: TicketCommand) throws {
            history += try given(TicketDecider.self, history).when(command, by: Fixture.tech)
        }
        try run(.assign(to: "alice", user: Fixture.alice))
        try run(.setStatus(.inProgress))
        try run(.comment("Looking into it", visibility: .public))
        try run(.setStatus(.waitingOnClient))
        try run(.close(resolution: "  Replaced the router  ", time: .logged))
        #expect(TicketDecider.fold(history).status == .closed)
        try run(.reopen(reason: "   "))
        try run(.close(resolution: "Really fixed", time: .logged))

        #expect(
            history.map(\.eventType) == [
                "ticket.opened", "ticket.assigned", "ticket.status-changed", "ticket.commented",
                "ticket.status-changed",
                "ticket.closed", "ticket.reopened", "ticket.closed",
            ])
        #expect(history[5] == .closed(TicketClosed(resolution: "Replaced the router")))
        #expect(history[6] == .reopened(TicketReopened(reason: nil)))
        let state = TicketDecider.fold(history)
        #expect(state.status == .closed)
        #expect(state.assignee == "alice")
        #expect(state.mergedInto == nil)
    }

    @Test func statusDisplayNames() {
        #expect(TicketStatus.allCases.map(\.displayName) == ["New", "In progress", "Waiting on client", "Closed"])
    }

    // MARK: - Close and reopen

    @Test("close without a resolution note is refused", arguments: ["", "   ", "\n\t"])
    func closeWithoutNote(note: String) throws {
        let error = try #require(given(TicketDecider.self, [Fixture.opened()]).refusal(of: .close(resolution: note, time: .logged)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("resolution note is empty"))
        #expect(error.message.contains("docket ticket close T-1001 --resolution"))
    }

    @Test func closingAClosedTicketIsRefused() throws {
        let closed = [Fixture.opened(), .closed(TicketClosed(resolution: "done"))]
        let error = try #require(given(TicketDecider.self, closed).refusal(of: .close(resolution: "again", time: .logged)))
        #expect(error.code == .closed)
    }

    @Test func reopenGoesBackToInProgressWithReason() throws {
        let closed = [Fixture.opened(), .closed(TicketClosed(resolution: "done"))]
        let events = try given(TicketDecider.self, closed).when(.reopen(reason: " It broke again "))
        #expect(events == [.reopened(TicketReopened(reason: "It broke again"))])
        #expect(TicketDecider.fold(closed + events).status == .inProgress)
    }

    @Test func reopeningAnOpenTicketIsAConflict() throws {
        let error = try #require(given(TicketDecider.self, [Fixture.opened()]).refusal(of: .reopen(reason: nil)))
        #expect(error.code == .conflict)
        #expect(error.message.contains("not closed (status New)"))
    }

    @Test func closingThroughSetStatusIsRefused() throws {
        let error = try #require(given(TicketDecider.self, [Fixture.opened()]).refusal(of: .setStatus(.closed)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("docket ticket close T-1001"))
    }
}
