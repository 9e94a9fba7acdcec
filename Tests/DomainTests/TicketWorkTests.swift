import DocketTime
import Domain
import Testing

@Suite("Tickets: assignment, fields, watchers, comments")
struct TicketWorkTests {
    let open = given(TicketDecider.self, [Fixture.opened()])
    let assignedToAlice = given(
        TicketDecider.self, [Fixture.opened(), .assigned(TicketAssigned(assignee: "alice", previousAssignee: nil))])

    @Test func assignRecordsNoPreviousAssignee() throws {
        #expect(
            try open.when(.assign(to: "alice", user: Fixture.alice))
                == [.assigned(TicketAssigned(assignee: "alice", previousAssignee: nil))])
    }

    @Test func reassignKeepsPreviousAssignee() throws {
        let events = try assignedToAlice.when(.assign(to: "bob", user: Fixture.bob))
        #expect(events == [.assigned(TicketAssigned(assignee: "bob", previousAssignee: "alice"))])
    }

    @Test func assigningTheSameUserAgainIsANoOp() throws {
        #expect(try assignedToAlice.when(.assign(to: "alice", user: Fixture.alice)).isEmpty)
    }

    @Test func assigningAnUnknownUserIsRefused() throws {
        let error = try #require(open.refusal(of: .assign(to: "zed", user: nil)))
        #expect(error.code == .notFound)
        #expect(error.message == "unknown user zed; list users with `docket user list`")
    }

    @Test func assigningADeactivatedUserIsRefused() throws {
        var gone = Fixture.bob
        gone.isActive = false
        let error = try #require(open.refusal(of: .assign(to: "bob", user: gone)))
        #expect(error.code == .inactive)
        #expect(error.message.contains("bob is deactivated"))
    }

    @Test func assigningABillingUserIsRefused() throws {
        let biller = UserSnapshot(login: "bill", name: "Bill", role: .billing, isActive: true)
        let error = try #require(open.refusal(of: .assign(to: "bill", user: biller)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("role billing, which cannot work tickets"))
    }

    @Test func unassignRecordsWhoWasRemovedAndIsANoOpWhenNobodyIs() throws {
        #expect(try assignedToAlice.when(.unassign) == [.unassigned(TicketUnassigned(previousAssignee: "alice"))])
        #expect(try open.when(.unassign).isEmpty)
        let state = TicketDecider.fold([
            Fixture.opened(), .assigned(TicketAssigned(assignee: "alice", previousAssignee: nil)),
            .unassigned(TicketUnassigned(previousAssignee: "alice")),
        ])
        #expect(state.assignee == nil)
    }

    @Test func priorityChangesAndSamePriorityIsANoOp() throws {
        #expect(
            try open.when(.setPriority("P1"))
                == [.priorityChanged(TicketPriorityChanged(priority: "P1", previousPriority: "P3"))])
        #expect(try open.when(.setPriority("P3")).isEmpty)
    }

    @Test func categoryChangesTrimmedAndSameCategoryIsANoOp() throws {
        #expect(
            try open.when(.setCategory(" Hardware "))
                == [.categoryChanged(TicketCategoryChanged(category: "Hardware", previousCategory: "Network"))])
        #expect(try open.when(.setCategory("Network")).isEmpty)
        #expect(open.refusal(of: .setCategory("  "))?.code == .invalid)
    }

    @Test func statusChangesAndSameStatusIsANoOp() throws {
        #expect(
            try open.when(.setStatus(.waitingOnClient))
                == [.statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .new))])
        #expect(try open.when(.setStatus(.new)).isEmpty)
    }

    @Test func watchersAreASetOfValidLogins() throws {
        let added = try open.when(.addWatcher("dana"))
        #expect(added == [.watcherAdded(TicketWatcherAdded(login: "dana"))])
        let watched = given(TicketDecider.self, [Fixture.opened()] + added)
        #expect(watched.state.watchers == ["dana"])
        #expect(try watched.when(.addWatcher("dana")).isEmpty)
        #expect(try watched.when(.removeWatcher("dana")) == [.watcherRemoved(TicketWatcherRemoved(login: "dana"))])
        #expect(try open.when(.removeWatcher("dana")).isEmpty)
        #expect(open.refusal(of: .addWatcher("Not A Login"))?.code == .invalid)
    }

    @Test("comments keep their visibility", arguments: CommentVisibility.allCases)
    func comment(visibility: CommentVisibility) throws {
        let events = try open.when(.comment(" Rebooted ", visibility: visibility))
        #expect(events.first == .commented(TicketCommented(text: "Rebooted", visibility: visibility)))
    }

    static let toInProgress = TicketEvent.statusChanged(TicketStatusChanged(status: .inProgress, previousStatus: .new))

    /// Work starting on a New ticket moves it to In progress: a staff public reply (typed or by mail) does, with the
    /// comment; an internal note or a client contact's reply does not, nor anything on a ticket in another status. It
    /// stayed New through replies and logged time.
    @Test func aStaffPublicReplyMovesANewTicketToInProgress() throws {
        #expect(try open.when(.comment("On it", visibility: .public), by: Fixture.tech) == [
            .commented(TicketCommented(text: "On it", visibility: .public)), Self.toInProgress,
        ])
        #expect(try open.when(.replyByMail("On it", messageId: "m1@msp.example"), by: Fixture.tech) == [
            .commented(TicketCommented(text: "On it", visibility: .public, mailMessageId: "m1@msp.example")), Self.toInProgress,
        ])
        #expect(try open.when(.comment("note", visibility: .internal), by: Fixture.tech).count == 1)
        let contact = Actor(login: "contact:c-1", role: .tech)
        #expect(try open.when(.comment("still down", visibility: .public), by: contact).count == 1)
        for status in [TicketStatus.inProgress, .waitingOnClient] {
            let moved = given(TicketDecider.self, [Fixture.opened(), .statusChanged(TicketStatusChanged(status: status, previousStatus: .new))])
            #expect(try moved.when(.comment("On it", visibility: .public), by: Fixture.tech).count == 1, "\(status) stays")
        }
    }

    @Test func workStartedMovesOnlyANewTicket() {
        #expect(TicketDecider.workStarted(on: TicketDecider.fold([Fixture.opened()])) == [Self.toInProgress])
        #expect(TicketDecider.workStarted(on: TicketDecider.initialState).isEmpty, "no ticket")
        for status in [TicketStatus.inProgress, .waitingOnClient] {
            let state = TicketDecider.fold([Fixture.opened(), .statusChanged(TicketStatusChanged(status: status, previousStatus: .new))])
            #expect(TicketDecider.workStarted(on: state).isEmpty, "\(status)")
        }
        let closed = TicketDecider.fold([Fixture.opened(), .closed(TicketClosed(resolution: "done", noTimeReason: "dup", loggedTime: nil))])
        #expect(TicketDecider.workStarted(on: closed).isEmpty)
    }

    @Test func emptyCommentIsRefused() throws {
        #expect(open.refusal(of: .comment("   ", visibility: .internal))?.code == .invalid)
    }
}
