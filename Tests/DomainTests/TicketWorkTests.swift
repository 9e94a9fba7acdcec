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
        #expect(
            try open.when(.comment(" Rebooted ", visibility: visibility))
                == [.commented(TicketCommented(text: "Rebooted", visibility: visibility))])
    }

    @Test func emptyCommentIsRefused() throws {
        #expect(open.refusal(of: .comment("   ", visibility: .internal))?.code == .invalid)
    }
}
