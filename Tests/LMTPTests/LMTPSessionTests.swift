import LMTP
import Testing

/// Drives a session with text lines and collects its replies.
private final class Conversation {
    var session = LMTPSession(configuration: .init(hostname: "docket.test", maxMessageBytes: 200, maxRecipients: 3))
    var delivered: [LMTPSession.Envelope] = []

    func send(_ lines: String...) -> [String] {
        var replies: [String] = []
        for line in lines { replies += collect(session.receive(line: Array(line.utf8))) }
        return replies
    }

    func finish(_ statuses: [LMTPSession.DeliveryStatus]) -> [String] {
        collect(session.delivered(statuses))
    }

    func collectStop() -> [String] { collect(session.stop()) }

    func collect(_ actions: [LMTPSession.Action]) -> [String] {
        actions.compactMap {
            switch $0 {
            case .reply(let line): return line
            case .deliver(let envelope):
                delivered.append(envelope)
                return nil
            case .close: return "<close>"
            }
        }
    }

    static func codes(_ replies: [String]) -> [String] { replies.map { String($0.prefix(3)) } }
}

@Suite("LMTP session (RFC 2033)")
struct LMTPSessionTests {
    @Test func aWholeDeliveryAnswersOncePerRecipient() throws {
        let c = Conversation()
        guard case .reply(let greeting) = c.session.greeting else { Issue.record("no greeting"); return }
        #expect(greeting.hasPrefix("220 docket.test"))
        let hello = c.send("LHLO mta.example")
        #expect(hello.first == "250-docket.test")
        #expect(hello.contains("250-PIPELINING"))
        #expect(hello.last == "250 SIZE 200")
        #expect(c.send("MAIL FROM:<alice@acme.example> SIZE=40", "RCPT TO:<support@msp.example>", "RCPT TO:<help@msp.example>", "DATA")
            == ["250 2.1.0 OK", "250 2.1.5 OK", "250 2.1.5 OK", "354 start mail input; end with <CRLF>.<CRLF>"])
        #expect(c.send("Subject: hi", "", "..leading dot", ".") == [])
        let envelope = try #require(c.delivered.first)
        #expect(envelope.sender == "alice@acme.example")
        #expect(envelope.recipients == ["support@msp.example", "help@msp.example"])
        #expect(envelope.message == Array("Subject: hi\r\n\r\n.leading dot\r\n".utf8), "dot-unstuffed, CRLF line ends")
        let replies = c.finish([.delivered("opened T-1001"), .tryLater("store unavailable")])
        #expect(replies == ["250 2.0.0 <support@msp.example> opened T-1001", "451 4.3.0 <help@msp.example> store unavailable"])
        #expect(c.send("QUIT") == ["221 2.0.0 docket.test closing", "<close>"])
        #expect(c.session.isClosed)
        #expect(c.send("NOOP") == [], "nothing after QUIT")
    }

    @Test func pipelinedCommandsAfterDataWaitForTheDelivery() {
        let c = Conversation()
        _ = c.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "body", ".")
        #expect(c.delivered.count == 1)
        #expect(c.delivered[0].sender == "", "the null sender")
        // The client pipelines the next transaction before the delivery finished: queued, answered after it, in order.
        #expect(c.send("MAIL FROM:<b@c>", "RCPT TO:<d@e>", "QUIT") == [])
        #expect(c.finish([.rejected("unreadable")]) == [
            "550 5.6.0 <a@b> unreadable", "250 2.1.0 OK", "250 2.1.5 OK", "221 2.0.0 docket.test closing", "<close>",
        ])
    }

    @Test func ordering() {
        let c = Conversation()
        #expect(Conversation.codes(c.send("MAIL FROM:<a@b>")) == ["503"], "LHLO first")
        #expect(Conversation.codes(c.send("HELO x", "EHLO x")) == ["500", "500"], "LMTP has LHLO only")
        #expect(Conversation.codes(c.send("LHLO")) == ["501"])
        _ = c.send("LHLO x")
        #expect(Conversation.codes(c.send("RCPT TO:<a@b>", "DATA")) == ["503", "503"])
        #expect(Conversation.codes(c.send("MAIL FROM:<a@b>", "MAIL FROM:<a@b>", "DATA")) == ["250", "503", "554"])
        #expect(Conversation.codes(c.send("RSET", "RCPT TO:<a@b>")) == ["250", "503"], "RSET drops the transaction")
        #expect(Conversation.codes(c.send("NOOP", "VRFY x", "BDAT 10")) == ["250", "252", "500"])
    }

    @Test func syntaxAndLimits() {
        let c = Conversation()
        _ = c.send("LHLO x")
        #expect(Conversation.codes(c.send("MAIL FROM:<a@b> SIZE=999")) == ["552"], "declared size over the limit")
        #expect(Conversation.codes(c.send("MAIL FROM a@b", "MAIL FROM:<a b>")) == ["501", "501"])
        #expect(Conversation.codes(c.send("MAIL FROM: <a@b>", "RCPT TO:<>", "RCPT TO: x@y")) == ["250", "501", "250"])
        #expect(Conversation.codes(c.send("RCPT TO:<2@y>", "RCPT TO:<3@y>", "RCPT TO:<4@y>")) == ["250", "250", "452"], "at most 3")
        #expect(Conversation.codes(c.send(String(repeating: "N", count: 600))) == ["500"], "command line too long")
    }

    @Test func anOversizedMessageIsRefusedPerRecipientAndNotDelivered() {
        let c = Conversation()
        _ = c.send("LHLO x", "MAIL FROM:<a@b>", "RCPT TO:<r1@x>", "RCPT TO:<r2@x>", "DATA")
        for _ in 0..<10 { _ = c.send(String(repeating: "x", count: 30)) }
        #expect(c.send(".") == ["552 5.3.4 <r1@x> message too big (at most 200 bytes)", "552 5.3.4 <r2@x> message too big (at most 200 bytes)"])
        #expect(c.delivered.isEmpty)
        #expect(Conversation.codes(c.send("MAIL FROM:<a@b>")) == ["250"], "the session goes on")
    }

    @Test func lineReaderSplitsCRLFAndLFAndBoundsLines() throws {
        var reader = LineReader(maxLineBytes: 8)
        #expect(try reader.lines(adding: Array("LHLO a\r\nNO".utf8)) == [Array("LHLO a".utf8)])
        #expect(!reader.isEmpty)
        #expect(try reader.lines(adding: Array("OP\n\r\n".utf8)) == [Array("NOOP".utf8), []])
        #expect(throws: LineReader.LineTooLong.self) { try reader.lines(adding: Array("0123456789".utf8)) }
    }

    // MARK: - Shutting down

    /// A server stopping ends an idle session at once with 421 4.3.2 (RFC 5321 §3.8, §4.2.3): before LHLO and
    /// between transactions alike.
    @Test func stoppingEndsAnIdleSessionWith421() {
        let fresh = Conversation()
        #expect(Conversation.codes(fresh.collectStop()) == ["421", "<cl"])
        #expect(fresh.session.isClosed)
        let idle = Conversation()
        _ = idle.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "body", ".")
        #expect(Conversation.codes(idle.finish([.delivered("ok")])) == ["250"])
        #expect(idle.collectStop() == ["421 4.3.2 docket.test shutting down, try again later", "<close>"])
        #expect(idle.send("MAIL FROM:<>") == [], "nothing after the close")
    }

    /// A transaction under way when the server stops goes on: the message is delivered and answered per recipient,
    /// then 421 and the close. A transaction begun but not yet in DATA (after MAIL FROM, RCPT TO) goes on too.
    @Test func stoppingLetsATransactionUnderWayFinish() {
        for stopAt in ["MAIL", "RCPT", "DATA", "body"] {
            let c = Conversation()
            var replies = c.send("LHLO x")
            for line in ["MAIL FROM:<>", "RCPT TO:<a@b>", "RCPT TO:<c@d>", "DATA", "body", "."] {
                replies = c.send(line)
                if line.hasPrefix(stopAt) { #expect(c.collectStop() == [], "\(stopAt): nothing said yet") }
            }
            #expect(replies == [], "\(stopAt)")
            #expect(c.delivered.count == 1, "\(stopAt)")
            #expect(Conversation.codes(c.finish([.delivered("ok"), .delivered("ok")])) == ["250", "250", "421", "<cl"], "\(stopAt)")
            #expect(c.session.isClosed)
        }
    }

    /// Commands pipelined after the message are answered 421 once its replies are out, but QUIT still gets 221.
    @Test func afterTheTransactionANewOneIsRefusedButQuitIsAnswered() {
        let c = Conversation()
        _ = c.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "body", ".")
        #expect(c.collectStop() == [])
        _ = c.send("MAIL FROM:<x@y>", "RCPT TO:<a@b>")
        #expect(Conversation.codes(c.finish([.delivered("ok")])) == ["250", "421", "<cl"])
        #expect(c.delivered.count == 1)
        let quitting = Conversation()
        _ = quitting.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "body", ".")
        _ = quitting.collectStop()
        _ = quitting.send("QUIT")
        #expect(Conversation.codes(quitting.finish([.delivered("ok")])) == ["250", "221", "<cl"])
    }

    /// The drain is over: a message still arriving is dropped, not delivered, and the session ends with 421; one
    /// being delivered is not cut (its replies come first).
    @Test func cuttingOffDropsAMessageStillArrivingButNotADelivery() {
        let c = Conversation()
        _ = c.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "half a message")
        #expect(c.collectStop() == [])
        #expect(Conversation.codes(c.collect(c.session.cutOff())) == ["421", "<cl"])
        #expect(c.send("rest", ".") == [])
        #expect(c.delivered.isEmpty, "nothing taken")
        let delivering = Conversation()
        _ = delivering.send("LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "body", ".")
        #expect(delivering.collect(delivering.session.cutOff()) == [])
        #expect(Conversation.codes(delivering.finish([.delivered("ok")])) == ["250"])
    }
}
