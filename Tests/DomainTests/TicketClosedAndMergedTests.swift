import DocketTime
import Domain
import Testing

@Suite("Tickets: merge, and no work on closed or merged tickets")
struct TicketClosedAndMergedTests {
    /// Every kind of work, which closed and merged tickets refuse.
    static let work: [TicketCommand] = [
        .assign(to: "alice", user: Fixture.alice),
        .unassign,
        .setPriority("P1"),
        .setCategory("Printers"),
        .addWatcher("dana"),
        .removeWatcher("dana"),
        .comment("hello", visibility: .public),
        .replyByMail("hello", messageId: "b1@msp.example"),
        .setStatus(.inProgress),
        .merge(into: Fixture.t1003, target: TicketDecider.fold([Fixture.opened(Fixture.t1003)])),
        .receiveMerge(from: Fixture.t1003),
    ]

    static let closed: [TicketEvent] = [Fixture.opened(), .closed(TicketClosed(resolution: "done"))]
    static let merged: [TicketEvent] = [Fixture.opened(), .merged(TicketMerged(into: Fixture.t1002))]

    @Test("work on a closed ticket is refused with a hint to reopen", arguments: work)
    func workOnClosed(command: TicketCommand) throws {
        let error = try #require(given(TicketDecider.self, Self.closed).refusal(of: command))
        #expect(error.code == .closed)
        #expect(error.message == "ticket T-1001 is closed; reopen it first with `docket ticket reopen T-1001`")
    }

    @Test("work on a merged ticket is refused with a pointer to the target", arguments: work)
    func workOnMerged(command: TicketCommand) throws {
        let error = try #require(given(TicketDecider.self, Self.merged).refusal(of: command))
        #expect(error.code == .merged)
        #expect(error.message == "ticket T-1001 was merged into T-1002; work on T-1002 instead")
    }

    @Test func mergedTicketCannotBeReopenedOrClosed() throws {
        let scenario = given(TicketDecider.self, Self.merged)
        let reopen = try #require(scenario.refusal(of: .reopen(reason: "oops")))
        #expect(reopen.code == .merged)
        #expect(reopen.message.contains("cannot be reopened"))
        #expect(scenario.refusal(of: .close(resolution: "x", time: .logged))?.code == .merged)
    }

    @Test func mergedTicketIsClosedLike() {
        let state = TicketDecider.fold(Self.merged)
        #expect(state.status == .closed)
        #expect(state.mergedInto == Fixture.t1002)
        #expect(state.isClosed)
    }

    // MARK: - Merge

    @Test func mergeDecidesBothSides() throws {
        let source = TicketDecider.fold([Fixture.opened(Fixture.t1001)])
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1002)])
        let decision = try TicketDecider.decideMerge(
            source: source, target: target, context: DecisionContext(actor: Fixture.dispatcher, now: Fixture.now))
        #expect(decision.source == [.merged(TicketMerged(into: Fixture.t1002))])
        #expect(decision.target == [.mergeReceived(TicketMergeReceived(from: Fixture.t1001))])
        // The target stays workable.
        let targetAfter = TicketDecider.fold([Fixture.opened(Fixture.t1002)] + decision.target)
        #expect(targetAfter.status == .new)
        #expect(!targetAfter.isClosed)
    }

    @Test func mergeIntoItselfIsRefused() throws {
        let scenario = given(TicketDecider.self, [Fixture.opened()])
        let error = try #require(scenario.refusal(of: .merge(into: Fixture.t1001, target: scenario.state)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("into itself"))
    }

    @Test func mergeIntoAClosedTicketIsRefused() throws {
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1002), .closed(TicketClosed(resolution: "done"))])
        let error = try #require(
            given(TicketDecider.self, [Fixture.opened()]).refusal(of: .merge(into: Fixture.t1002, target: target)))
        #expect(error.code == .closed)
        #expect(error.message.contains("cannot merge into T-1002: it is closed"))
    }

    @Test func mergeIntoAMergedTicketIsRefused() throws {
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1002), .merged(TicketMerged(into: Fixture.t1003))])
        let error = try #require(
            given(TicketDecider.self, [Fixture.opened()]).refusal(of: .merge(into: Fixture.t1002, target: target)))
        #expect(error.code == .merged)
        #expect(error.message.contains("merge into T-1003 instead"))
    }

    @Test func mergeAcrossClientsIsRefusedNamingBoth() throws {
        guard case .opened(var globex) = Fixture.opened(Fixture.t1002) else { return }
        globex.client = "globex"
        let target = TicketDecider.fold([.opened(globex)])
        let error = try #require(
            given(TicketDecider.self, [Fixture.opened()]).refusal(of: .merge(into: Fixture.t1002, target: target)))
        #expect(error.code == .conflict)
        #expect(error.message.contains("T-1001 (client acme) into T-1002 (client globex)"))
        #expect(error.message.contains("never merged"))
    }

    @Test func mergeIntoAMissingTicketIsRefused() throws {
        let error = try #require(
            given(TicketDecider.self, [Fixture.opened()])
                .refusal(of: .merge(into: Fixture.t1002, target: TicketDecider.initialState)))
        #expect(error.code == .notFound)
        #expect(error.message.contains("T-1002 does not exist"))
    }

    @Test func mergeWithTheWrongTargetStateIsRefused() throws {
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1003)])
        let error = try #require(
            given(TicketDecider.self, [Fixture.opened()]).refusal(of: .merge(into: Fixture.t1002, target: target)))
        #expect(error.code == .invalid)
    }

    @Test func decideMergeRefusesAClosedTargetWithoutProducingEvents() throws {
        let source = TicketDecider.fold([Fixture.opened(Fixture.t1001)])
        let target = TicketDecider.fold([Fixture.opened(Fixture.t1002), .closed(TicketClosed(resolution: "done"))])
        let error = refusal { () throws(DomainError) in
            try TicketDecider.decideMerge(
                source: source, target: target, context: DecisionContext(actor: Fixture.tech, now: Fixture.now))
        }
        #expect(error?.code == .closed)
    }
}

extension TicketCommand: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .open: "open"
        case .assign: "assign"
        case .unassign: "unassign"
        case .setPriority: "setPriority"
        case .setCategory: "setCategory"
        case .addWatcher: "addWatcher"
        case .removeWatcher: "removeWatcher"
        case .comment: "comment"
        case .replyByMail: "replyByMail"
        case .setStatus: "setStatus"
        case .merge: "merge"
        case .receiveMerge: "receiveMerge"
        case .close: "close"
        case .reopen: "reopen"
        case .setDueDate: "setDueDate"
        case .addMailParticipant: "addMailParticipant"
        case .removeMailParticipant: "removeMailParticipant"
        case .remindClient: "remindClient"
        case .rate: "rate"
        }
    }
}
