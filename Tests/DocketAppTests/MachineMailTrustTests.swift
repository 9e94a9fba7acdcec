import DocketApp
import Domain
import EventLog
import Foundation
import MailParser
import Testing

/// Machine mail (auto-replies, bounces) passes the same sender check as a reply and never puts its sender on a
/// ticket's thread: a stranger's fake auto-reply must not make their later replies trusted.
@Suite struct MachineMailTrustTests {
    let f: ServiceFixture
    let t1001 = TicketNumber(1001)!

    init() throws {
        f = try ServiceFixture()
    }

    func receive(_ raw: String, triage: String? = nil) throws -> MailOutcome {
        try f.app.intake.receiveMail(
            try ParsedMessage(parsing: Array(raw.utf8)), raw: Array(raw.utf8), policy: MailPolicy(triageClient: triage), as: "dora")
    }

    /// T-1001 for globex (the triage client here), opened by a sender no client knows.
    func strangersTicket() throws {
        let first = "From: alice@newco.example\r\nSubject: Need VPN access\r\nMessage-ID: <al1@newco.example>\r\n\r\nplease set up VPN\r\n"
        #expect(try receive(first, triage: "globex") == .opened(t1001))
    }

    static let mallorysReply =
        "From: mallory@evil.example\r\nSubject: Re: [T-1001] Need VPN access\r\nMessage-ID: <m2@evil.example>\r\nIn-Reply-To: <al1@newco.example>\r\n\r\nreply here\r\n"

    @Test func aStrangersAutoReplyIsDroppedAndTheirReplyStillOpensApart() throws {
        try strangersTicket()
        let autoReply = """
            From: mallory@evil.example\r
            Subject: Automatic reply: x\r
            Auto-Submitted: auto-replied\r
            Message-ID: <m1@evil.example>\r
            In-Reply-To: <al1@newco.example>\r
            \r
            x\r

            """
        let head = try f.store.head()
        #expect(try receive(autoReply) == .dropped(kind: "auto-reply"))
        #expect(try f.store.head() == head, "nothing written")
        #expect(try receive(Self.mallorysReply, triage: "globex") == .opened(TicketNumber(1002)!))
        try f.app.tickets.ticket(t1001, .comment("Your VPN password is hunter2", visibility: .public), as: "bob")
        let recipients = try f.models.outbox.all(in: f.store).filter { $0.ticket == t1001 }.flatMap(\.to)
        #expect(recipients.contains("alice@newco.example"))
        #expect(!recipients.contains("mallory@evil.example"), "the staff reply goes to the thread only")
    }

    @Test func anAutoReplyFromTheThreadIsStillNoted() throws {
        try strangersTicket()
        let outOfOffice = "From: alice@newco.example\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo@newco.example>\r\nIn-Reply-To: <al1@newco.example>\r\n\r\naway\r\n"
        #expect(try receive(outOfOffice) == .noted(t1001, kind: "auto-reply"))
    }

    /// A store written before the check may already hold a stranger's auto-reply on the thread: it trusts nobody.
    @Test func machineMailAlreadyOnTheThreadAddsNoOneToIt() throws {
        try strangersTicket()
        let stored = TicketMailEvent.received(
            TicketMailReceived(
                messageId: "m1@evil.example", from: "mallory@evil.example", fromName: nil, subject: "Automatic reply: x", text: "x",
                kind: "auto-reply", attachments: [], to: ["accomplice@evil.example"]))
        try f.store.append(
            AppendRequest(
                stream: StreamName.ticket(t1001), events: [NewEvent(type: stored.eventType, schemaVersion: stored.schemaVersion, payload: stored.payload())],
                actor: "dora"))
        #expect(try receive(Self.mallorysReply, triage: "globex") == .opened(TicketNumber(1002)!))
    }
}
