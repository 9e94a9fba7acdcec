@testable import DocketApp
import DocketTime
@testable import Domain
import EventLog
import Foundation
import MailParser
import TestSupport
import Testing

/// Outbound mail: what gets queued, what the message looks like, and delivery through a transport.
@Suite struct OutboxTests {
    /// A transport that records what it was given and answers from a script of outcomes.
    final class FakeTransport: MailTransport, @unchecked Sendable {
        // @unchecked Sendable: tests call it from one task.
        let name = "fake"
        var outcomes: [DeliveryOutcome]
        var delivered: [String] = []
        init(_ outcomes: [DeliveryOutcome]) { self.outcomes = outcomes }
        func deliver(_ message: String) -> DeliveryOutcome {
            delivered.append(message)
            return outcomes.isEmpty ? .accepted : outcomes.removeFirst()
        }
    }

    func outbox(_ f: ServiceFixture) throws -> [OutboxEntry] { try f.models.outbox.all(in: f.store) }

    func parse(_ message: String) throws -> ParsedMessage { try ParsedMessage(parsing: Array(message.utf8)) }

    func header(_ name: String, in message: ParsedMessage) -> String? {
        message.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// sendmail's envelope sender is the message's From address, so bounces come back to the support address.
    @Test func theEnvelopeSenderIsTheFromAddress() {
        let body = "\r\nFrom: not-a-header@example.com\r\n"
        #expect(SendmailTransport.envelopeSender(of: "From: help@msp.example\r\nTo: a@b.example\r\n" + body) == "help@msp.example")
        #expect(SendmailTransport.envelopeSender(of: "To: a@b.example\r\nfrom: Help Desk <help@msp.example>\r\n" + body) == "help@msp.example")
        #expect(SendmailTransport.envelopeSender(of: "To: a@b.example\r\n" + body) == nil, "the body's From is not a header")
        #expect(SendmailTransport.envelopeSender(of: "From: -oQ/tmp@x\r\n" + body) == nil, "never an option")
        #expect(SendmailTransport.envelopeSender(of: "From: support\r\n" + body) == nil, "not an address")
    }

    @Test func openingATicketWithAContactQueuesACompleteAcknowledgement() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline"), as: "bob")
        let entries = try outbox(f)
        try #require(entries.count == 1)
        let entry = entries[0]
        #expect(entry.reason == .acknowledgement)
        #expect(entry.to == ["carla@acme.example"])
        #expect(entry.status == .queued)
        #expect(entry.ticket == number)
        #expect(entry.messageId.hasPrefix("T-1001.1.") && entry.messageId.hasSuffix("@docket"))
        #expect(entry.message.contains("\r\n\r\n"))
        #expect(!entry.message.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let parsed = try parse(entry.message)
        #expect(parsed.subject == "[T-1001] Printer offline")
        #expect(parsed.messageId == entry.messageId)
        #expect(parsed.from.first?.address == "support@localhost.localdomain")
        #expect(parsed.to.first?.address == "carla@acme.example")
        #expect(parsed.to.first?.name == "Carla Client")
        #expect(parsed.date == Timestamp(iso8601: "2026-11-02T09:00:00Z")?.millisecondsSinceEpoch)
        #expect(header("Date", in: parsed) == "Mon, 2 Nov 2026 09:00:00 +0000")
        #expect(header("MIME-Version", in: parsed) == "1.0")
        #expect(header("Content-Type", in: parsed) == "text/plain; charset=utf-8")
        #expect(header("Content-Transfer-Encoding", in: parsed) == "quoted-printable")
        #expect(header("Auto-Submitted", in: parsed) == "auto-generated", "RFC 3834: automatic, and the answer to no message")
        #expect(parsed.inReplyTo.isEmpty, "nothing to answer: the ticket was not opened by email")
        #expect(parsed.textBody?.contains("opened ticket T-1001") == true)
        // The queued event sits in the same append as the opening.
        let history = try f.app.tickets.ticketHistory(number)
        let opened = try #require(history.first { $0.event.type == "ticket.opened" })
        let queued = try #require(history.first { $0.event.type == "ticket.mail-queued" })
        #expect(opened.event.recordedAt == queued.event.recordedAt)
    }

    @Test func publicCommentsAndClosingQueueMailButInternalNotesDoNot() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "VPN down"), as: "bob")
        try f.app.tickets.ticket(number, .comment("Checking the logs", visibility: .internal), as: "bob")
        #expect(try outbox(f).count == 1, "an internal note writes to nobody")
        try f.app.tickets.ticket(number, .comment("We restarted the VPN gateway; please try again.", visibility: .public), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "Restarted the gateway", time: .none(reason: "no time in this test")), as: "bob")
        let entries = try outbox(f)
        #expect(entries.map(\.reason) == [.acknowledgement, .reply, .resolution])
        #expect(entries.map(\.subject) == ["[T-1001] VPN down", "Re: [T-1001] VPN down", "[T-1001] VPN down"])
        #expect(Set(entries.map(\.messageId)).count == 3)
        #expect(entries[1].messageId.hasPrefix("T-1001.2."))
        #expect(entries[2].messageId.hasPrefix("T-1001.3."))
        let reply = try parse(entries[1].message)
        #expect(reply.textBody?.hasPrefix("We restarted the VPN gateway; please try again.") == true)
        let resolution = try parse(entries[2].message)
        #expect(resolution.textBody?.contains("Restarted the gateway") == true)
        // A retried command (same id) queues nothing more.
        try f.app.tickets.ticket(number, .reopen(reason: nil), as: "bob", commandId: "c1")
        try f.app.tickets.ticket(number, .comment("Again", visibility: .public), as: "bob", commandId: "c2")
        let events = try f.app.tickets.ticket(number, .comment("Again", visibility: .public), as: "bob", commandId: "c2")
        #expect(events.count == 1, "a retry returns the ticket's own events")
        #expect(try outbox(f).count == 4)
    }

    @Test func ticketsWithoutAContactEmailQueueNothing() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "globex", subject: "Phone call"), as: "bob")
        try f.app.tickets.ticket(number, .comment("Called back", visibility: .public), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "done", time: .none(reason: "no time in this test")), as: "bob")
        #expect(try outbox(f).isEmpty)
    }

    /// A contact removed from the client (they left the company) gets no more of its tickets' mail: it used to fall
    /// back to the last mail they sent, so a staff reply with an office password went to them.
    @Test func aRemovedContactGetsNoMoreMail() throws {
        let f = try ServiceFixture()
        let raw = "From: Carla Client <carla@acme.example>\r\nTo: help@msp.example\r\nSubject: VPN down\r\nMessage-ID: <vpn@acme.example>\r\n\r\nIt is down.\r\n"
        let outcome = try f.app.intake.receiveMail(try parse(raw), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
        guard case .opened(let number) = outcome else { Issue.record("\(outcome)"); return }
        #expect(try outbox(f).map(\.to) == [["carla@acme.example"]])
        try f.app.directory.client("acme", .removeContact(id: try #require(try f.app.tickets.ticketSummary(number).contact)), as: "dora")
        try f.app.tickets.ticket(number, .comment("Here is the new VPN password", visibility: .public), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "done", time: .none(reason: "no time in this test")), as: "bob")
        #expect(try outbox(f).count == 1, "nothing queued after the removal")
    }

    /// Client mail goes to the requester (who opened the ticket by mail) and answers their own last message, not to
    /// whoever replied last — a colleague on Cc, or a technician whose answer to an SLA notice threaded onto the
    /// ticket; and staff notices' recipients are not on the client's thread.
    @Test func clientMailGoesToTheRequesterAndStaffNoticesAreNotOnTheThread() throws {
        let f = try ServiceFixture()
        let raw = "From: Jane Doe <jane@globex.example>\r\nTo: help@msp.example\r\nSubject: Printer offline\r\nMessage-ID: <p1@globex.example>\r\n\r\nBroken.\r\n"
        guard case .opened(let number) = try f.app.intake.receiveMail(try parse(raw), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora") else {
            Issue.record("not opened")
            return
        }
        let colleague = "From: Gus <gus@globex.example>\r\nSubject: Re: Printer offline\r\nMessage-ID: <p2@globex.example>\r\nIn-Reply-To: <p1@globex.example>\r\n\r\nMine too.\r\n"
        #expect(try f.app.intake.receiveMail(try parse(colleague), raw: Array(colleague.utf8), policy: MailPolicy(), as: "dora") == .reply(number))
        try f.app.tickets.ticket(number, .comment("Which floor?", visibility: .public), as: "bob")
        let reply = try #require(try outbox(f).last)
        #expect(reply.to.first == "jane@globex.example", "the requester, not the last replier")
        #expect(reply.cc?.contains("gus@globex.example") == true, "who replied is on the thread, so on Cc")
        #expect(try parse(reply.message).inReplyTo == ["p1@globex.example"], "answering the requester's own message")
        // A staff notice queued on the ticket does not put its recipient on the client's thread.
        let notice = OutboxEvent.queued(TicketMailQueued(
            messageId: "sla-1@docket", reason: .slaWarning, to: ["bob@msp.example"], subject: "SLA", inReplyTo: nil, message: "x"))
        try f.store.append(AppendRequest(stream: StreamName.ticket(number), events: [NewEvent(notice)], actor: "bob"))
        #expect(try f.app.intake.isTrustedReplySender("bob@msp.example", on: number) == false)
        #expect(try f.app.intake.isTrustedReplySender("gus@globex.example", on: number))
    }

    @Test func mailThreadsToTheClientsLastMessageAndRepliesToOursThreadBack() throws {
        let f = try ServiceFixture()
        let raw = "From: Jane Doe <jane@globex.example>\r\nTo: help@msp.example\r\nSubject: Printer offline\r\nMessage-ID: <first@globex.example>\r\n\r\nIt is broken.\r\n"
        let outcome = try f.app.intake.receiveMail(try parse(raw), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
        guard case .opened(let number) = outcome else { Issue.record("\(outcome)"); return }
        let ack = try #require(try outbox(f).first)
        #expect(ack.to == ["jane@globex.example"], "no contact: the sender of the email is answered")
        let parsedAck = try parse(ack.message)
        #expect(parsedAck.inReplyTo == ["first@globex.example"])
        #expect(parsedAck.references == ["first@globex.example"])
        #expect(parsedAck.to.first?.name == "Jane Doe")
        try f.app.tickets.ticket(number, .comment("Which printer?", visibility: .public), as: "bob")
        let reply = try #require(try outbox(f).last)
        let answer = "From: jane@globex.example\r\nSubject: Re: Printer offline\r\nMessage-ID: <second@globex.example>\r\nIn-Reply-To: <\(reply.messageId)>\r\n\r\nThe one on floor 2.\r\n"
        let threaded = try f.app.intake.receiveMail(try parse(answer), raw: Array(answer.utf8), policy: MailPolicy(), as: "dora")
        #expect(threaded == .reply(number))
        // Our own message delivered back to intake (a loop) is not taken as a client's.
        let echoed = try f.app.intake.receiveMail(try parse(reply.message), raw: Array(reply.message.utf8), policy: MailPolicy(), as: "dora")
        #expect(echoed == .duplicate(number))
        try f.app.tickets.ticket(number, .comment("Fixed", visibility: .public), as: "bob")
        #expect(try parse(try #require(try outbox(f).last).message).inReplyTo == ["second@globex.example"])
    }

    /// RFC 5322 §3.6.4: a reply's References is the parent's References (else its In-Reply-To) and the parent's
    /// Message-ID. Ours held only the client's last Message-ID, so mail programs broke the thread.
    @Test func repliesCarryTheWholeThreadInReferences() throws {
        let f = try ServiceFixture()
        let raw = "From: Jane Doe <jane@globex.example>\r\nSubject: Printer offline\r\nMessage-ID: <m1@globex.example>\r\n\r\nBroken.\r\n"
        guard case .opened(let number) = try f.app.intake.receiveMail(try parse(raw), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora") else {
            Issue.record("not opened")
            return
        }
        let ack = try #require(try outbox(f).first)
        let answer = """
            From: jane@globex.example\r\nSubject: Re: [\(number)] Printer offline\r\nMessage-ID: <m2@globex.example>\r\n\
            In-Reply-To: <\(ack.messageId)>\r\nReferences: <m1@globex.example>\r\n <\(ack.messageId)>\r\n\r\nFloor 2.\r\n
            """
        #expect(try f.app.intake.receiveMail(try parse(answer), raw: Array(answer.utf8), policy: MailPolicy(), as: "dora") == .reply(number))
        try f.app.tickets.ticket(number, .comment("Which printer?", visibility: .public), as: "bob")
        let reply = try parse(try #require(try outbox(f).last).message)
        #expect(reply.inReplyTo == ["m2@globex.example"])
        #expect(reply.references == ["m1@globex.example", ack.messageId, "m2@globex.example"])
        // A client whose mail program sends only In-Reply-To: that id, then theirs.
        let short = "From: jane@globex.example\r\nSubject: Re: [\(number)] x\r\nMessage-ID: <m3@globex.example>\r\nIn-Reply-To: <m2@globex.example>\r\n\r\nOK\r\n"
        #expect(try f.app.intake.receiveMail(try parse(short), raw: Array(short.utf8), policy: MailPolicy(), as: "dora") == .reply(number))
        try f.app.tickets.ticket(number, .comment("Done", visibility: .public), as: "bob")
        #expect(try parse(try #require(try outbox(f).last).message).references == ["m2@globex.example", "m3@globex.example"])
    }

    @Test func aLongThreadKeepsItsRootAndItsLastReferences() {
        let thread = (1...30).map { "m\($0)@x.example" }
        let chain = OutboundMessage.referencesChain(parentReferences: thread, parent: "last@x.example")
        #expect(chain == ["m1@x.example"] + (23...30).map { "m\($0)@x.example" } + ["last@x.example"])
        #expect(OutboundMessage.referencesChain(parentReferences: ["a@x", "b@x", "a@x"], parent: "b@x") == ["a@x", "b@x"])
        let message = OutboundMessage(
            from: "s@msp.example", to: "j@x.example", toName: nil, subject: "s", date: Timestamp(millisecondsSinceEpoch: 0), messageId: "o@docket",
            inReplyTo: "last@x.example", isAutomatic: false, ticket: "T-1", body: "b", references: chain)
        let lines = message.rendered.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 }, "one Message-ID a line")
        #expect(lines.contains("References: <m1@x.example>"))
    }

    /// RFC 3834 section 5: an automatic message answering one is `auto-replied`, one answering none (an SLA notice to
    /// staff, a sign-in link, the acknowledgement of a phoned-in ticket) `auto-generated`; every automatic message said
    /// auto-replied. A person's message has no such header.
    @Test func automaticMessagesSayWhetherTheyAnswerOne() {
        func header(inReplyTo: String?, automatic: Bool) -> String? {
            let message = OutboundMessage(
                from: "s@msp.example", to: "j@x.example", toName: nil, subject: "s", date: Timestamp(millisecondsSinceEpoch: 0),
                messageId: "o@docket", inReplyTo: inReplyTo, isAutomatic: automatic, ticket: "T-1", body: "b")
            return message.rendered.components(separatedBy: "\r\n").first { $0.hasPrefix("Auto-Submitted:") }
        }
        #expect(header(inReplyTo: "m@x.example", automatic: true) == "Auto-Submitted: auto-replied")
        #expect(header(inReplyTo: nil, automatic: true) == "Auto-Submitted: auto-generated")
        #expect(header(inReplyTo: "m@x.example", automatic: false) == nil)
    }

    @Test func nonASCIISubjectsAndBodiesAreEncodedAndParseBack() throws {
        let f = try ServiceFixture()
        let subject = "Imprimante hors ligne — « étage 2 » 日本語のテキストがとても長い場合でも正しく折り返されること"
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: subject), as: "bob")
        let long = String(repeating: "Ça marche = très bien. ", count: 12) + "\nfin  "
        try f.app.tickets.ticket(number, .comment(long, visibility: .public), as: "bob")
        let entries = try outbox(f)
        for line in entries[1].message.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "line too long: \(line)")
            #expect(line.allSatisfy { $0.isASCII })
        }
        #expect(entries[1].message.contains("Subject: =?UTF-8?B?"))
        let parsed = try parse(entries[1].message)
        #expect(parsed.subject == "Re: [T-1001] " + subject)
        #expect(parsed.textBody?.hasPrefix(long.trimmingCharacters(in: .whitespacesAndNewlines)) == true, "\(parsed.textBody ?? "")")
    }

    @Test func quotedPrintableKeepsLinesShortAndEncodesWhatItMust() {
        let encoded = OutboundMessage.quotedPrintable("a=b \nx\t\n" + String(repeating: "é", count: 40))
        #expect(encoded.hasPrefix("a=3Db=20\r\nx=09\r\n"))
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(OutboundMessage.rfc5322Date(Timestamp(millisecondsSinceEpoch: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(OutboundMessage.mailbox(name: "Doe, Jane", address: "j@x.example") == "\"Doe, Jane\" <j@x.example>")
    }

    @Test func theSupportAddressIsConfiguredWhenItIsSafe() {
        #expect(DocketConfiguration().supportAddress == "support@localhost.localdomain")
        #expect(DocketConfiguration(supportAddress: " help@msp.example ").supportAddress == "help@msp.example")
        #expect(DocketConfiguration(supportAddress: "a@b.example\r\nBcc: x@evil.example").supportAddress == "support@localhost.localdomain")
        #expect(DocketConfiguration(supportAddress: "nobody").supportAddress == "support@localhost.localdomain")
        // One mailbox, its name encoded as the header needs; address lists, spaces and raw 8-bit names never reach it.
        #expect(DocketConfiguration(supportAddress: "Help Desk <help@msp.example>").supportAddress == "Help Desk <help@msp.example>")
        #expect(DocketConfiguration(supportAddress: "\"Süpport Désk\" <help@msp.example>").supportAddress
            == "=?UTF-8?B?U8O8cHBvcnQgRMOpc2s=?= <help@msp.example>")
        for bad in ["support at msp.example", "Süpport <help@msp.example>, victim@other.example", "a@b", "<a@b.example", "a@@b.example"] {
            #expect(DocketConfiguration.problem(supportAddress: bad) != nil, "\(bad)")
            #expect(DocketConfiguration(supportAddress: bad).supportAddress == "support@localhost.localdomain", "\(bad)")
        }
        #expect(DocketConfiguration.problem(supportAddress: "help@msp.example") == nil)
    }

    /// A run of spaces never makes a folded line of only white space (which ends the headers for some parsers), and
    /// ASCII text that looks like an encoded-word is encoded, so the client's mail program shows what Docket stored.
    @Test func subjectsFoldWithoutBlankLinesAndEncodedWordLookalikesAreEncoded() {
        let spaced = OutboundMessage.headerText("Printer" + String(repeating: " ", count: 200) + "offline", nameLength: 9)
        #expect(spaced == "Printer offline")
        let long = OutboundMessage.headerText(String(repeating: "word   ", count: 40), nameLength: 9)
        #expect(long.components(separatedBy: "\r\n").allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0.utf8.count <= 78 })
        #expect(OutboundMessage.headerText("=?UTF-8?B?SGk=?= there", nameLength: 9).hasPrefix("=?UTF-8?B?PT9VVEYtOD9CP1NHaz0/PSB0aGVyZQ==?="))
    }

    /// A long display name (a contact's, a user's) is encoded and folded: no header line over 78 characters.
    @Test func longDisplayNamesAreFoldedIntoShortLines() throws {
        for name in [String(repeating: "Ä", count: 600), String(repeating: "word ", count: 300)] {
            let header = "To: " + OutboundMessage.mailbox(name: name, address: "long@acme.example")
            let lines = header.components(separatedBy: "\r\n")
            #expect(lines.count > 1)
            #expect(lines.dropLast().allSatisfy { $0.utf8.count <= 78 }, "\(lines.map(\.utf8.count))")
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        }
    }

    /// The service writes the From address it was given, whatever the process environment says.
    @Test func queuedMailIsFromTheConfiguredAddress() throws {
        let base = try ServiceFixture()
        let service = DocketApplication(
            store: base.store, models: base.models, clock: base.clock, configuration: DocketConfiguration(supportAddress: "help@msp.example"))
        try service.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Printer offline"), as: "bob")
        let entry = try #require(try base.models.outbox.all(in: base.store).first)
        #expect(try parse(entry.message).from.first?.address == "help@msp.example")
    }

    @Test func sendingRecordsEachAttemptRetriesFailuresAndNeverSendsTwice() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Backup"), as: "bob")
        try f.app.tickets.ticket(number, .comment("Running it now", visibility: .public), as: "bob")
        let transport = FakeTransport([.accepted, .failed(exitStatus: 75, error: "sendmail: queue file write error")])
        let first = try f.app.outbox.sendOutbox(via: transport, as: "dora")
        #expect(first.map(\.attempt) == [1, 1])
        #expect(first.map(\.outcome) == [.accepted, .failed(exitStatus: 75, error: "sendmail: queue file write error")])
        var entries = try outbox(f)
        #expect(entries.map(\.status) == [.sent, .failed])
        #expect(entries[1].lastError == "exit 75: sendmail: queue file write error")
        #expect(entries[1].attempts == 1)
        #expect(transport.delivered == entries.map(\.message))
        let second = try f.app.outbox.sendOutbox(via: transport, as: "dora")
        #expect(second.map(\.messageId) == [entries[1].messageId], "only the failed one is tried again")
        #expect(second.map(\.attempt) == [2])
        entries = try outbox(f)
        #expect(entries.map(\.status) == [.sent, .sent])
        #expect(try f.app.outbox.sendOutbox(via: transport, as: "dora").isEmpty, "nothing is sent twice")
        #expect(transport.delivered.count == 3)
        let attempts = try f.store.read(stream: "mail-" + entries[1].messageId).map(\.type)
        #expect(attempts == ["mail.send-failed", "mail.sent"])
    }

    /// A message the mail system keeps refusing is tried again at once, then after 1, 2, 4 … minutes (at most 4 hours),
    /// and given up after 12 failed attempts as `undeliverable`: it added a `mail.send-failed` every time cron ran the
    /// send, for ever.
    @Test func aRefusedMessageWaitsLongerEachTimeAndIsGivenUpAfterTwelveAttempts() throws {
        let f = try ServiceFixture()
        try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Backup"), as: "bob")
        let refusing = FakeTransport(Array(repeating: .failed(exitStatus: 67, error: "no such user"), count: 20))
        var tried: [Int] = []
        for _ in 0..<(16 * 60) {  // cron, every minute for 16 hours
            tried += try f.app.outbox.sendOutbox(via: refusing, as: "dora").map(\.attempt)
            f.clock.advance(milliseconds: 60_000)
        }
        #expect(tried == Array(1...12), "twelve attempts in all, not one a minute")
        let entry = try #require(try outbox(f).first)
        #expect(entry.status == .undeliverable && entry.attempts == 12)
        #expect(!entry.isPending)
        #expect((1...12).map(OutboxEntry.retryDelayMinutes(afterAttempts:)) == [0, 1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240])
        #expect(try f.store.read(stream: "mail-" + entry.messageId).count == 12)
        f.clock.advance(milliseconds: 86_400_000)
        #expect(try f.app.outbox.sendOutbox(via: refusing, as: "dora").isEmpty, "never tried again")
    }

    /// A contact removed from the client got no new mail, but a message queued to them before the removal was still
    /// delivered by the next `outbox send`. It is cancelled now (`mail.cancelled`, with the reason), never handed to
    /// the transport, and a rebuild from the log gives the same.
    @Test func mailQueuedBeforeItsContactWasRemovedIsCancelledNotSent() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "VPN down"), as: "bob")
        try f.app.tickets.ticket(number, .comment("The new VPN password is on its way", visibility: .public), as: "bob")
        try f.app.directory.addContact(to: "acme", ContactDetails(name: "Dan", email: "dan@acme.example"), as: "dora")
        try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-2", subject: "Printer"), as: "bob")
        try f.app.directory.client("acme", .removeContact(id: "acme-1"), as: "dora")
        let transport = FakeTransport([])
        let deliveries = try f.app.outbox.sendOutbox(via: transport, as: "dora")
        let reason = "contact acme-1 was removed from client acme"
        #expect(deliveries.map(\.outcome) == [.cancelled(reason: reason), .cancelled(reason: reason), .accepted])
        #expect(transport.delivered.count == 1, "only the remaining contact's mail is handed to sendmail")
        let entries = try outbox(f)
        #expect(entries.map(\.status) == [.cancelled, .cancelled, .sent])
        #expect(entries.prefix(2).allSatisfy { $0.cancelReason == reason && !$0.isPending })
        #expect(try f.store.read(stream: "mail-" + entries[0].messageId).map(\.type) == ["mail.cancelled"])
        #expect(try f.app.outbox.sendOutbox(via: transport, as: "dora").isEmpty, "never offered again")
        #expect(try f.app.outbox.undelivered(on: number).map(\.status) == [.cancelled, .cancelled])
        try f.store.rebuild("outbox")
        #expect(try outbox(f) == entries, "the decision replays from the log")
    }

    /// A portal sign-in link queued to a contact who was then removed from the client was still sent by the next
    /// `outbox send` (the cancellation looked only at ticket mail): someone who left the company got a link the portal
    /// no longer honours. It is cancelled now like their ticket mail; another contact's link still goes.
    @Test func aSignInLinkQueuedBeforeItsContactWasRemovedIsCancelledNotSent() throws {
        let f = try ServiceFixture()
        try f.app.directory.addContact(to: "acme", ContactDetails(name: "Dan", email: "dan@acme.example"), as: "dora")
        let carla = try #require(try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://portal.example/portal").first)
        let dan = try #require(try f.app.portal.requestLink(email: "dan@acme.example", baseURL: "https://portal.example/portal").first)
        try f.app.directory.client("acme", .removeContact(id: "acme-1"), as: "dora")
        let transport = FakeTransport([])
        let deliveries = try f.app.outbox.sendOutbox(via: transport, as: "dora")
        let reason = "contact acme-1 was removed from client acme"
        #expect(deliveries.map(\.messageId) == [carla.messageId, dan.messageId])
        #expect(deliveries.map(\.outcome) == [.cancelled(reason: reason), .accepted])
        #expect(transport.delivered.count == 1 && transport.delivered[0].contains("dan@acme.example"), "only Dan's link is handed to sendmail")
        #expect(try f.app.outbox.message(carla.messageId)?.status == .cancelled)
        #expect(try f.store.read(stream: "mail-" + carla.messageId).map(\.type) == ["mail.cancelled"])
        #expect(try f.app.outbox.sendOutbox(via: transport, as: "dora").isEmpty, "never offered again")
    }

    /// A sign-in link works for 15 minutes; when sendmail was down and the next `outbox send` ran later, the contact
    /// was mailed a dead link. It is cancelled now (`mail.cancelled` with the expiry in its reason, never offered
    /// again) and the delivery says the link expired, while a link still inside its 15 minutes goes. Its lifetime is
    /// never extended: the link itself still expires at its time.
    @Test func aSignInLinkThatExpiredBeforeItCouldBeSentIsCancelledNotSent() throws {
        let f = try ServiceFixture()
        try f.app.directory.addContact(to: "acme", ContactDetails(name: "Dan", email: "dan@acme.example"), as: "dora")
        let carla = try #require(try f.app.portal.requestLink(email: "carla@acme.example", baseURL: "https://portal.example/portal").first)
        f.clock.advance(milliseconds: 10 * 60_000)  // 09:10
        let dan = try #require(try f.app.portal.requestLink(email: "dan@acme.example", baseURL: "https://portal.example/portal").first)
        f.clock.advance(milliseconds: 5 * 60_000)  // 09:15: Carla's link has just expired, Dan's has 10 minutes left
        let transport = FakeTransport([])
        let deliveries = try f.app.outbox.sendOutbox(via: transport, as: "dora")
        // No instant in the words: people read them among times in their own zone (the link's `expiresAt` keeps it).
        let reason = "the sign-in link expired (links work for 15 minutes) before it could be sent; "
            + "the contact can ask the portal for a new one"
        #expect(deliveries.map(\.messageId) == [carla.messageId, dan.messageId])
        #expect(deliveries.map(\.outcome) == [.cancelled(reason: reason), .accepted])
        #expect(deliveries.map(\.linkExpired) == [true, false])
        #expect(transport.delivered.count == 1 && transport.delivered[0].contains("dan@acme.example"), "only Dan's link is handed to sendmail")
        let entry = try #require(try f.app.outbox.message(carla.messageId))
        #expect(entry.status == .cancelled && entry.cancelReason == reason)
        #expect(try f.store.read(stream: "mail-" + carla.messageId).map(\.type) == ["mail.cancelled"])
        #expect(try f.app.outbox.sendOutbox(via: transport, as: "dora").isEmpty, "never offered again")
    }

    /// After 12 failed attempts a message was `undeliverable` for good, visible only in `outbox list`. The ticket
    /// lists it now, and an admin can queue it again (`mail.requeued`) for a fresh set of attempts; a sent message
    /// is refused.
    @Test func anAdminRetriesAnUndeliverableMessageWithAFreshSetOfAttempts() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Backup"), as: "bob")
        let refusing = FakeTransport(Array(repeating: .failed(exitStatus: 67, error: "no such user"), count: 12))
        for _ in 0..<12 {
            _ = try f.app.outbox.sendOutbox(via: refusing, as: "dora")
            f.clock.advance(milliseconds: 4 * 3_600_000)
        }
        let given = try #require(try outbox(f).first)
        #expect(given.status == .undeliverable)
        #expect(try f.app.outbox.undelivered(on: number).map(\.messageId) == [given.messageId])
        #expect(throws: DomainError.self) { try f.app.outbox.retry(given.messageId, as: "dora") }
        let retried = try f.app.outbox.retry("<\(given.messageId)>", as: "ann", commandId: "retry-1")
        #expect(retried.status == .queued && retried.attemptsSinceRequeue == 0)
        #expect(try f.app.outbox.retry(given.messageId, as: "ann", commandId: "retry-1").status == .queued, "the same command id writes nothing")
        #expect(try f.store.read(stream: "mail-" + given.messageId).filter { $0.type == "mail.requeued" }.count == 1)
        #expect(try f.app.outbox.undelivered(on: number).isEmpty)
        // It fails once more (attempt 13), waits as a first failure does, and is sent on the next try.
        let flaky = FakeTransport([.failed(exitStatus: 75, error: "try later"), .accepted])
        #expect(try f.app.outbox.sendOutbox(via: flaky, as: "dora").map(\.attempt) == [13])
        #expect(try outbox(f).first?.status == .failed, "one failure after a retry is not the end")
        #expect(try f.app.outbox.sendOutbox(via: flaky, as: "dora").map(\.outcome) == [.accepted])
        let sent = try #require(try outbox(f).first)
        #expect(sent.status == .sent && sent.attempts == 14)
        let refusal = try #require(throws: DomainError.self) { try f.app.outbox.retry(sent.messageId, as: "ann") }
        #expect(refusal.message.contains("was sent"))
        #expect(throws: DomainError.self) { try f.app.outbox.retry("nobody@docket", as: "ann") }
        try f.store.rebuild("outbox")
        #expect(try outbox(f).first == sent)
    }

    /// When T-1001 was merged into T-1002, T-1001's requester got nothing more: public replies and the resolution on
    /// T-1002 reached only T-1002's requester. They are told of the merge now, and copied on T-1002's mail.
    @Test func aMergedTicketsRequesterIsToldAndKeptInformedOnTheTarget() throws {
        let f = try ServiceFixture()
        let first = "From: Jane Doe <jane@globex.example>\r\nSubject: VPN down\r\nMessage-ID: <a1@globex.example>\r\n\r\nDown.\r\n"
        let second = "From: Gus <gus@globex.example>\r\nSubject: No VPN\r\nMessage-ID: <b1@globex.example>\r\n\r\nNo VPN.\r\n"
        guard case .opened(let merged) = try f.app.intake.receiveMail(try parse(first), raw: Array(first.utf8), policy: MailPolicy(), as: "dora"),
            case .opened(let target) = try f.app.intake.receiveMail(try parse(second), raw: Array(second.utf8), policy: MailPolicy(), as: "dora")
        else {
            Issue.record("not opened")
            return
        }
        try f.app.tickets.mergeTicket(merged, into: target, as: "bob")
        let notice = try #require(try outbox(f).last)
        #expect(notice.reason == .mergeNotice && notice.ticket == merged && notice.to == ["jane@globex.example"])
        let parsedNotice = try parse(notice.message)
        #expect(parsedNotice.subject == "[\(merged)] VPN down")
        #expect(parsedNotice.inReplyTo == ["a1@globex.example"])
        #expect(parsedNotice.textBody?.contains("is the same matter as ticket \(target).\nWe have merged the two") == true)

        try f.app.tickets.ticket(target, .comment("We are restarting the VPN gateway", visibility: .public), as: "bob")
        try f.app.tickets.ticket(target, .close(resolution: "Gateway restarted", time: .none(reason: "no time in this test")), as: "bob")
        let onTarget = try outbox(f).filter { $0.ticket == target && $0.reason != .acknowledgement }
        #expect(onTarget.map(\.reason) == [.reply, .resolution])
        for entry in onTarget {
            #expect(entry.to == ["gus@globex.example", "jane@globex.example"])
            let parsed = try parse(entry.message)
            #expect(parsed.to.map(\.address) == ["gus@globex.example"])
            #expect(parsed.cc.map(\.address) == ["jane@globex.example"])
            #expect(parsed.cc.first?.name == "Jane Doe")
        }
        // Her answer to T-1002's mail lands on T-1002.
        let answer = "From: jane@globex.example\r\nSubject: Re: x\r\nMessage-ID: <a2@globex.example>\r\nIn-Reply-To: <\(onTarget[0].messageId)>\r\n\r\nThanks\r\n"
        #expect(try f.app.intake.receiveMail(try parse(answer), raw: Array(answer.utf8), policy: MailPolicy(), as: "dora") == .reopened(target))
    }

    /// A merged ticket's requester who is then removed from the client gets neither the queued merge notice nor the
    /// target's later mail.
    @Test func aRemovedContactOfAMergedTicketGetsNothingMore() throws {
        let f = try ServiceFixture()
        try f.app.directory.addContact(to: "acme", ContactDetails(name: "Dan", email: "dan@acme.example"), as: "dora")
        let merged = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "VPN down"), as: "bob")
        let target = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-2", subject: "No VPN"), as: "bob")
        try f.app.tickets.mergeTicket(merged, into: target, as: "bob")
        try f.app.directory.client("acme", .removeContact(id: "acme-1"), as: "dora")
        try f.app.tickets.ticket(target, .comment("Restarting the gateway", visibility: .public), as: "bob")
        _ = try f.app.outbox.sendOutbox(via: FakeTransport([]), as: "dora")
        let statuses = try outbox(f).map { "\($0.ticket?.description ?? "") \($0.reason.rawValue) \($0.to.joined(separator: ",")) \($0.status.rawValue)" }
        #expect(statuses == [
            "\(merged) acknowledgement carla@acme.example cancelled", "\(target) acknowledgement dan@acme.example sent",
            "\(merged) merge-notice carla@acme.example cancelled", "\(target) reply dan@acme.example sent",
        ])
    }

    @Test func theOutboxRebuildsFromTheLog() throws {
        let f = try ServiceFixture()
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", contact: "acme-1", subject: "Rebuild"), as: "bob")
        try f.app.tickets.ticket(number, .close(resolution: "ok", time: .none(reason: "no time in this test")), as: "bob")
        _ = try f.app.outbox.sendOutbox(via: FakeTransport([.failed(exitStatus: 1, error: "x")]), as: "dora")
        let before = try outbox(f)
        try f.store.rebuild("outbox")
        #expect(try outbox(f) == before)
    }
}
