import DocketTime
import Domain
import Testing

/// Who is on a ticket's mail thread (``MailThread``), its Cc on the client's mail, and the rules of `ticket cc`.
@Suite struct MailThreadTests {
    typealias State = ReactionTests.MemoryState

    static func mail(_ id: String, from: String, kind: String = "reply", to: [String] = ["help@msp.example"], cc: [String] = []) -> DocketEvent {
        .ticketMail(.received(TicketMailReceived(
            messageId: id, from: from, fromName: nil, subject: "Printer", text: "", kind: kind, attachments: [], to: to, cc: cc)))
    }

    func queued(_ caused: [DocketEvent], history: [DocketEvent]) throws -> [TicketMailQueued] {
        var state = State()
        state.history = history
        let input = ReactionInput(
            ticket: ReactionTests.number, caused: caused, context: ReactionTests.context, recordedAt: ReactionTests.now,
            supportAddress: "Help Desk <help@msp.example>", messageSeed: 7)
        return try TicketReactions.run(input, state: state).events.compactMap { if case .outbox(.queued(let mail)) = $0 { mail } else { nil } }
    }

    static let opening: [DocketEvent] = [
        .ticket(.opened(ReactionTests.opened)),
        mail("c1@acme.example", from: "carla@acme.example", kind: "new", cc: ["Dan@acme.example", "bob@msp.example", "help@msp.example", "Helpdesk@msp.example", "x@y.example\r\nBcc: z@evil.example"]),
    ]

    /// A reply and a resolution Cc the thread, less the support address (given with a display name), other addresses of
    /// its domain, users, the To and what cannot be written into a header; the acknowledgement goes to the requester
    /// alone.
    @Test func repliesAndResolutionsCcTheThreadTheAcknowledgementDoesNot() throws {
        let acknowledgement = try #require(try queued(Self.opening, history: []).first)
        #expect(acknowledgement.reason == .acknowledgement && acknowledgement.to == ["carla@acme.example"] && acknowledgement.cc == nil)
        #expect(!acknowledgement.message.contains("Cc:"))
        let reply = try #require(try queued([.ticket(.commented(TicketCommented(text: "On it.", visibility: .public)))], history: Self.opening).first)
        #expect(reply.to == ["carla@acme.example", "dan@acme.example"] && reply.cc == ["dan@acme.example"])
        #expect(reply.message.contains("\r\nCc: dan@acme.example\r\n"))
        #expect(reply.inReplyTo == "c1@acme.example")
        let resolution = try #require(try queued([.ticket(.closed(TicketClosed(resolution: "Fixed.")))], history: Self.opening).first)
        #expect(resolution.cc == ["dan@acme.example"])
        #expect(try queued([.ticket(.commented(TicketCommented(text: "Note", visibility: .internal)))], history: Self.opening).isEmpty)
    }

    /// A contact removed from the client (someone who left the company) who was on the thread gets no Cc, as they get
    /// no mail To them; the same address as a contact again does.
    @Test func aRemovedContactOnTheThreadGetsNoCc() throws {
        let reply: [DocketEvent] = [.ticket(.commented(TicketCommented(text: "On it.", visibility: .public)))]
        var state = State()
        state.history = Self.opening
        var acme = try state.client("acme")
        acme.contacts["acme-2"] = ContactDetails(name: "Dan", email: "Dan@acme.example")
        acme = ClientDecider.evolve(acme, .contactRemoved(ClientContactRemoved(contactId: "acme-2")))
        state.clients["acme"] = acme
        let input = ReactionInput(
            ticket: ReactionTests.number, caused: reply, context: ReactionTests.context, recordedAt: ReactionTests.now,
            supportAddress: "help@msp.example", messageSeed: 7)
        func cc() throws -> [String]? {
            try TicketReactions.run(input, state: state).events.compactMap { if case .outbox(.queued(let mail)) = $0 { mail.cc } else { nil } }.first ?? nil
        }
        #expect(try cc() == nil)
        state.clients["acme"]?.contacts["acme-3"] = ContactDetails(name: "Dan", email: "dan@acme.example")
        #expect(try cc() == ["dan@acme.example"])
    }

    /// An address taken off stays off whatever mail names it again, until it is put on by hand.
    @Test func anAddressTakenOffStaysOffUntilPutBack() throws {
        let staff: Set<String> = ["help@msp.example", "bob@msp.example"]
        var events = Self.opening + [.ticket(.participantRemoved(TicketParticipantRemoved(address: "dan@acme.example")))]
        #expect(!MailThread.addresses(events, staff: staff).contains("dan@acme.example"))
        events.append(Self.mail("c2@acme.example", from: "carla@acme.example", cc: ["dan@acme.example", "noc@isp.example"]))
        #expect(
            MailThread.addresses(events, staff: staff)
                == ["carla@acme.example", "help@msp.example", "bob@msp.example", "helpdesk@msp.example", "x@y.example\r\nbcc: z@evil.example", "noc@isp.example"])
        let reply: [DocketEvent] = [.ticket(.commented(TicketCommented(text: "On it.", visibility: .public)))]
        #expect(try queued(reply, history: events).first?.cc == ["noc@isp.example"])
        events.append(.ticket(.participantAdded(TicketParticipantAdded(address: "dan@acme.example"))))
        #expect(MailThread.addresses(events, staff: staff).last == "dan@acme.example")
        #expect(try queued(reply, history: events).first?.cc == ["noc@isp.example", "dan@acme.example"])
    }

    /// The thread of a ticket merged into this one is on this one's Cc too: the client's ISP that Erin had on Cc of the
    /// mail that opened T-1002 was Cc'd on nothing once T-1002 was merged into T-1001 (only Erin, its requester, was).
    /// Taken off T-1001, it stays off.
    @Test func theThreadOfATicketMergedInIsCcdToo() throws {
        let merged = TicketNumber("T-1002")!
        var opened = ReactionTests.opened
        (opened.number, opened.contact) = (merged, nil)
        let theirs: [DocketEvent] = [
            .ticket(.opened(opened)),
            Self.mail("e1@acme.example", from: "erin@acme.example", kind: "new", cc: ["noc@isp.example"]),
            .ticket(.merged(TicketMerged(into: ReactionTests.number))),
        ]
        var history = Self.opening + [.ticket(.mergeReceived(TicketMergeReceived(from: merged)))]
        var state = State()
        state.others[merged] = theirs
        func cc() throws -> [String]? {
            state.history = history
            let input = ReactionInput(
                ticket: ReactionTests.number, caused: [.ticket(.commented(TicketCommented(text: "On it.", visibility: .public)))],
                context: ReactionTests.context, recordedAt: ReactionTests.now, supportAddress: "help@msp.example", messageSeed: 7)
            return try TicketReactions.run(input, state: state).events.compactMap { if case .outbox(.queued(let mail)) = $0 { mail.cc } else { nil } }.first ?? nil
        }
        #expect(try cc() == ["erin@acme.example", "dan@acme.example", "noc@isp.example"])
        let staff: Set<String> = ["help@msp.example", "bob@msp.example"]
        #expect(MailThread.addresses(history, mergedIn: [theirs], staff: staff).last == "noc@isp.example")
        history.append(.ticket(.participantRemoved(TicketParticipantRemoved(address: "noc@isp.example"))))
        #expect(try cc() == ["erin@acme.example", "dan@acme.example"])
        #expect(!MailThread.addresses(history, mergedIn: [theirs], staff: staff).contains("noc@isp.example"))
    }

    static let state = TicketDecider.evolve(TicketDecider.initialState, .opened(ReactionTests.opened))

    /// `ticket cc remove` needs the address on the thread (not found otherwise) and works on a closed ticket; `cc add`
    /// refuses staff and a closed ticket, and writes nothing for an address on the thread already.
    @Test func theRulesOfTicketCc() throws {
        let thread: Set<String> = ["carla@acme.example", "noc@isp.example"]
        let closed = TicketDecider.evolve(Self.state, .closed(TicketClosed(resolution: "Done")))
        #expect(try TicketDecider.decide(.removeMailParticipant(" NOC@isp.example", thread: thread), state: closed, context: ReactionTests.context)
            == [.participantRemoved(TicketParticipantRemoved(address: "noc@isp.example"))])
        #expect(throws: DomainError.self) { try TicketDecider.decide(.removeMailParticipant("dan@acme.example", thread: thread), state: Self.state, context: ReactionTests.context) }
        do {
            _ = try TicketDecider.decide(.removeMailParticipant("dan@acme.example", thread: thread), state: Self.state, context: ReactionTests.context)
        } catch {
            #expect(error.code == .notFound)
        }
        let add = { (address: String, state: TicketState) throws(DomainError) -> [TicketEvent] in
            try TicketDecider.decide(
                .addMailParticipant(address, thread: thread, supportAddress: "help@msp.example", users: ["bob@contractor.example"]), state: state,
                context: ReactionTests.context)
        }
        #expect(try add("Dan@acme.example", Self.state) == [.participantAdded(TicketParticipantAdded(address: "dan@acme.example"))])
        #expect(try add("noc@isp.example", Self.state).isEmpty)
        for ours in ["help@msp.example", "helpdesk@msp.example", "bob@contractor.example"] {
            #expect(throws: DomainError.self, "\(ours)") { try add(ours, Self.state) }
        }
        #expect(throws: DomainError.self) { try add("dan@acme.example", closed) }
        let billing = DecisionContext(actor: Actor(login: "bill", role: .billing), now: ReactionTests.now)
        #expect(throws: DomainError.self) {
            try TicketDecider.decide(.removeMailParticipant("noc@isp.example", thread: thread), state: Self.state, context: billing)
        }
    }
}
