import DocketTime
import Domain
import Testing

/// The reactions whose follow-ups go on other streams: the email sender who becomes a contact, the time logged
/// with a close.
@Suite struct FollowUpReactionTests {
    typealias MemoryState = ReactionTests.MemoryState

    static let now = ReactionTests.now
    static let number = ReactionTests.number
    static let dispatcher = DecisionContext(actor: Actor(login: "dora", role: .dispatcher), now: now)

    static func emailOpening(contact: String? = nil) -> TicketOpened {
        TicketOpened(
            number: number, client: "acme", contact: contact, category: nil, priority: .p3, source: .email, subject: "Printer offline",
            description: "It is off.")
    }

    static func received(from: String, name: String?, kind: String = "new") -> DocketEvent {
        .ticketMail(.received(TicketMailReceived(
            messageId: "m1@acme.example", from: from, fromName: name, subject: "Printer offline", text: "It is off.", kind: kind, attachments: [])))
    }

    func input(_ caused: [DocketEvent], context: DecisionContext = dispatcher) -> ReactionInput {
        ReactionInput(ticket: Self.number, caused: caused, context: context, recordedAt: Self.now, supportAddress: "help@msp.example", messageSeed: 7)
    }

    var state: MemoryState {
        var state = MemoryState()
        state.clients["acme"]?.domains = ["acme.example"]
        return state
    }

    @Test func aSenderFromTheClientsDomainBecomesItsContactAndIsAcknowledgedByName() throws {
        let caused: [DocketEvent] = [.ticket(.opened(Self.emailOpening())), Self.received(from: "Pat.Lee@Acme.example", name: "Pat Lee")]
        let output = try TicketReactions.run(input(caused), state: state)
        #expect(output.elsewhere == [StreamFollowUp(stream: "client-acme", events: [
            .client(.contactAdded(ClientContactAdded(contactId: "acme-2", name: "Pat Lee", email: "pat.lee@acme.example", phone: nil, unverified: true)))
        ])])
        #expect(output.events.first { if case .ticket(.contactSet) = $0 { true } else { false } } == .ticket(.contactSet(TicketContactSet(contact: "acme-2"))))
        let ack = try #require(output.events.lazy.compactMap { if case .outbox(.queued(let mail)) = $0 { mail } else { nil } }.first)
        #expect(ack.to == ["pat.lee@acme.example"] && ack.message.contains("Hello Pat Lee,"))
    }

    @Test(arguments: [
        ("pat@elsewhere.example", nil as String?, "a sender outside the client's domains"),
        ("carla@acme.example", nil, "a sender who is a contact already"),
        ("pat@acme.example", "acme-1", "a ticket opened with a contact"),
    ])
    func noContactIsAdded(sender: String, contact: String?, why: String) throws {
        let caused: [DocketEvent] = [.ticket(.opened(Self.emailOpening(contact: contact))), Self.received(from: sender, name: nil)]
        let output = try TicketReactions.run(input(caused), state: state)
        #expect(output.elsewhere.isEmpty, "\(why)")
        #expect(!output.events.contains { if case .ticket(.contactSet) = $0 { true } else { false } }, "\(why)")
    }

    /// A contact the client removed (someone who left it) is not made its contact again by their mail: the reaction
    /// added them back, unverified, undoing the removal.
    @Test func aRemovedContactIsNotAddedBack() throws {
        var state = state
        state.clients["acme"] = ClientDecider.evolve(try #require(state.clients["acme"]), .contactRemoved(ClientContactRemoved(contactId: "acme-1")))
        let caused: [DocketEvent] = [.ticket(.opened(Self.emailOpening())), Self.received(from: "Carla@acme.example", name: "Carla")]
        let output = try TicketReactions.run(input(caused), state: state)
        #expect(output.elsewhere.isEmpty)
        #expect(!output.events.contains { if case .ticket(.contactSet) = $0 { true } else { false } })
    }

    /// The next id skips removed contacts' ids, as `client contact add` does: with acme-1 kept and acme-2 removed, the
    /// reaction tried acme-2, which the client refuses (an id is never given again), and so added no contact at all.
    @Test func aNewSendersIdIsNeverARemovedContacts() throws {
        var acme = try #require(state.clients["acme"])
        acme = ClientDecider.evolve(acme, .contactAdded(ClientContactAdded(contactId: "acme-2", name: "Dan", email: "dan@acme.example", phone: nil)))
        acme = ClientDecider.evolve(acme, .contactRemoved(ClientContactRemoved(contactId: "acme-2")))
        var state = state
        state.clients["acme"] = acme
        let caused: [DocketEvent] = [.ticket(.opened(Self.emailOpening())), Self.received(from: "pat@acme.example", name: "Pat")]
        let output = try TicketReactions.run(input(caused), state: state)
        #expect(output.elsewhere == [StreamFollowUp(stream: "client-acme", events: [
            .client(.contactAdded(ClientContactAdded(contactId: "acme-3", name: "Pat", email: "pat@acme.example", phone: nil, unverified: true)))
        ])])
        #expect(output.events.contains(.ticket(.contactSet(TicketContactSet(contact: "acme-3")))))
    }

    @Test func aTechMayNotAddContactsSoTheTicketStaysWithoutOne() throws {
        let tech = DecisionContext(actor: Actor(login: "bob", role: .tech), now: Self.now)
        let caused: [DocketEvent] = [.ticket(.opened(Self.emailOpening())), Self.received(from: "pat@acme.example", name: nil)]
        #expect(try SenderContactReaction().react(to: input(caused, context: tech), state: state) == .none)
    }

    @Test func aCloseWithTimeLogsTheEntryEndingAtTheClose() throws {
        var state = state
        state.history = [.ticket(.opened(ReactionTests.opened))]
        state.nextEntry = 12
        let close = TicketClosed(resolution: "Replaced the toner.", loggedTime: CloseTimeLog(minutes: 30, workType: "remote", note: "toner"))
        let output = try CloseTimeReaction().react(to: input([.ticket(.closed(close))], context: ReactionTests.context), state: state)
        let followUp = try #require(output.elsewhere.first)
        #expect(output.elsewhere.count == 1 && followUp.stream == "time-TE-12")
        guard case .time(.logged(let logged)) = try #require(followUp.events.first) else { Issue.record("not a time entry: \(followUp)"); return }
        #expect(logged.entryId == "TE-12" && logged.ticket == "T-1001" && logged.tech == "bob" && logged.minutes == 30)
        #expect(logged.workType == "remote" && logged.billable && logged.note == "toner")
        #expect(logged.startedAt == "2026-11-02T08:30:00.000Z")
    }

    @Test func aCloseWithoutTimeLogsNothingAndTimeOutOfRangeRefusesTheClose() throws {
        var state = state
        state.history = [.ticket(.opened(ReactionTests.opened))]
        let plain = TicketClosed(resolution: "Done.", noTimeReason: "Duplicate")
        #expect(try CloseTimeReaction().react(to: input([.ticket(.closed(plain))]), state: state) == .none)
        let tooLong = TicketClosed(resolution: "Done.", loggedTime: CloseTimeLog(minutes: 5_000, workType: "remote"))
        #expect(throws: DomainError.self) { try TicketReactions.run(input([.ticket(.closed(tooLong))], context: ReactionTests.context), state: state) }
    }
}
