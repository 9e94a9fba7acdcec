import DocketTime
import Domain
import Testing

/// Who is on a ticket's mail thread (``MailThread``) and its Cc on the client's mail.
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
}
