/// One LMTP conversation (RFC 2033) as a pure state machine: feed it the client's lines, send back what it answers,
/// and hand each finished message to delivery. It does no I/O, so a socket server, an inetd-style stdin/stdout
/// command and the tests drive the same code.
///
/// - Commands: `LHLO`, `MAIL FROM`, `RCPT TO`, `DATA`, `RSET`, `NOOP`, `VRFY`, `QUIT` (`HELO`/`EHLO` are refused:
///   LMTP has `LHLO` only).
/// - `DATA` ends at a line holding a single `.`; a leading `.` on any other line is removed (dot-unstuffing).
/// - After the message, LMTP answers **once per accepted recipient** (RFC 2033 §4.2): the caller delivers the message
///   (``Action/deliver(_:)``) and passes one ``DeliveryStatus`` per recipient to ``delivered(_:)``. A store that cannot
///   take the message answers `451` (try again later): the client keeps the mail, so it is never lost.
/// - PIPELINING: lines that arrive while a delivery is pending are queued and answered, in order, after it.
/// - Shutting down (RFC 5321 §3.8 and §4.2.3, `421`): ``stop()`` ends a session outside a transaction at once; a
///   transaction already begun (`MAIL FROM` given) goes on to its replies, and the next command is answered `421`
///   (`QUIT` still `221`). ``cutOff()`` ends it where it stands when the server cannot wait any longer: a message
///   not yet delivered is not taken, and the client keeps it and tries again.
public struct LMTPSession: Sendable {
    /// What the session needs to know about its server.
    public struct Configuration: Sendable {
        /// The name the server gives itself in its greeting and `LHLO` reply.
        public var hostname: String
        /// The largest message taken, in bytes (after dot-unstuffing, with CRLF line ends); larger ones get `552`.
        public var maxMessageBytes: Int
        /// The most recipients per message; more get `452` (RFC 5321 §4.5.3.1.8: the client sends the rest later).
        public var maxRecipients: Int
        /// The longest command line, in bytes (RFC 5321 §4.5.3.1.4: 512 with its CRLF).
        public var maxCommandBytes: Int

        /// A configuration with the given limits.
        public init(hostname: String, maxMessageBytes: Int = 25 * 1024 * 1024, maxRecipients: Int = 100, maxCommandBytes: Int = 512) {
            self.hostname = hostname
            self.maxMessageBytes = maxMessageBytes
            self.maxRecipients = maxRecipients
            self.maxCommandBytes = maxCommandBytes
        }
    }

    /// One message to deliver: the envelope and the message's bytes (CRLF line ends, dot-unstuffed).
    public struct Envelope: Sendable, Equatable {
        /// The `MAIL FROM` address; empty for the null sender (`<>`, bounces).
        public var sender: String
        /// The accepted `RCPT TO` addresses, in order.
        public var recipients: [String]
        /// The message.
        public var message: [UInt8]
    }

    /// What became of a message for one recipient.
    public enum DeliveryStatus: Sendable, Equatable {
        /// Taken for good: `250 2.0.0`.
        case delivered(String)
        /// Not taken now, the client should try again later: `451 4.3.0` (the store is unavailable).
        case tryLater(String)
        /// Never taken: `550 5.6.0` (the message can never be read); the client bounces it.
        case rejected(String)
        /// Never taken from this sender: `550 5.7.1` (delivery not authorized); the client bounces it, and the text
        /// reaches the sender in the bounce.
        case refusedSender(String)
    }

    /// What the caller must do.
    public enum Action: Sendable, Equatable {
        /// Send this line (without its CRLF) to the client.
        case reply(String)
        /// Deliver this message, then call ``LMTPSession/delivered(_:)`` with one status per recipient.
        case deliver(Envelope)
        /// Close the connection (after sending the replies before it).
        case close
    }

    private enum Phase: Sendable, Equatable {
        case start, ready, mail, recipients, data, delivering, closed
    }

    public let configuration: Configuration
    private var phase = Phase.start
    private var sender = ""
    private var recipients: [String] = []
    private var message: [UInt8] = []
    private var oversize = false
    private var queued: [[UInt8]] = []
    /// The server is shutting down (``stop()``): no new transaction.
    private var stopping = false

    /// A session that has not greeted yet.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The server's first line.
    public var greeting: Action { .reply("220 \(configuration.hostname) LMTP Docket ready") }

    /// True once the session ended (`QUIT`).
    public var isClosed: Bool { phase == .closed }

    /// True while a message is being read (the caller may then allow longer lines).
    public var isReadingData: Bool { phase == .data }

    /// True from `MAIL FROM` until the message's replies (or `RSET`): a transaction is open.
    public var isInTransaction: Bool {
        switch phase {
        case .mail, .recipients, .data, .delivering: true
        case .start, .ready, .closed: false
        }
    }

    /// The server is shutting down: outside a transaction the session ends now (`421 4.3.2`, then close); inside one,
    /// nothing yet: the transaction goes on, its replies are followed by `421 4.3.2` and the close, and a command
    /// received after them is answered `421` (``QUIT`` `221`).
    public mutating func stop() -> [Action] {
        stopping = true
        guard phase != .closed, !isInTransaction else { return [] }
        return shutDown()
    }

    /// The server stops now (its drain time is over): the session ends where it stands with `421 4.3.2`, a message
    /// not yet delivered not taken (the client keeps it and tries again later). Nothing while a delivery is pending:
    /// its replies come first.
    public mutating func cutOff() -> [Action] {
        guard phase != .closed, phase != .delivering else { return [] }
        resetTransaction()
        phase = .closed
        return [.reply("421 4.3.2 \(configuration.hostname) shutting down; the message was not taken, try again later"), .close]
    }

    private mutating func shutDown() -> [Action] {
        resetTransaction()
        phase = .closed
        return [.reply("421 4.3.2 \(configuration.hostname) shutting down, try again later"), .close]
    }

    /// Takes one line from the client, without its line end (CRLF or LF).
    public mutating func receive(line: some Collection<UInt8>) -> [Action] {
        switch phase {
        case .closed: return []
        case .delivering:
            queued.append(Array(line))
            return []
        case .data: return dataLine(Array(line))
        case .start, .ready, .mail, .recipients: return command(Array(line))
        }
    }

    /// The statuses of the pending delivery, one per recipient in the envelope's order; returns their replies and the
    /// answers to any lines that were queued meanwhile.
    public mutating func delivered(_ statuses: [DeliveryStatus]) -> [Action] {
        guard phase == .delivering else { return [] }
        var actions: [Action] = []
        for (index, recipient) in recipients.enumerated() {
            let status = index < statuses.count ? statuses[index] : .tryLater("no delivery status")
            func oneLine(_ text: String) -> String { String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 }.prefix(400)) }
            switch status {
            case .delivered(let text): actions.append(.reply("250 2.0.0 <\(recipient)> \(oneLine(text))"))
            case .tryLater(let text): actions.append(.reply("451 4.3.0 <\(recipient)> \(oneLine(text))"))
            case .rejected(let text): actions.append(.reply("550 5.6.0 <\(recipient)> \(oneLine(text))"))
            case .refusedSender(let text): actions.append(.reply("550 5.7.1 <\(recipient)> \(oneLine(text))"))
            }
        }
        resetTransaction()
        phase = .ready
        let pending = queued
        queued = []
        // Stopping with nothing pipelined after the message: say so now, rather than when the client next speaks.
        if stopping, pending.isEmpty { return actions + shutDown() }
        for line in pending { actions += receive(line: line) }
        return actions
    }

    // MARK: - Commands

    private mutating func command(_ line: [UInt8]) -> [Action] {
        guard line.count + 2 <= configuration.maxCommandBytes else { return [.reply("500 5.5.2 line too long")] }
        let text = String(decoding: line, as: UTF8.self)
        let verb = text.prefix { $0 != " " }.uppercased()
        let argument = text.dropFirst(verb.count).drop { $0 == " " }
        if stopping, !isInTransaction, verb != "QUIT" { return shutDown() }
        switch verb {
        case "LHLO":
            guard !argument.isEmpty else { return [.reply("501 5.5.4 LHLO needs a host name")] }
            resetTransaction()
            phase = .ready
            return [
                .reply("250-\(configuration.hostname)"), .reply("250-PIPELINING"), .reply("250-ENHANCEDSTATUSCODES"),
                .reply("250-8BITMIME"), .reply("250 SIZE \(configuration.maxMessageBytes)"),
            ]
        case "HELO", "EHLO": return [.reply("500 5.5.1 this is LMTP (RFC 2033): say LHLO")]
        case "MAIL": return mail(argument)
        case "RCPT": return recipient(argument)
        case "DATA":
            switch phase {
            case .recipients:
                phase = .data
                message = []
                oversize = false
                return [.reply("354 start mail input; end with <CRLF>.<CRLF>")]
            case .mail: return [.reply("554 5.5.1 no valid recipients")]
            default: return [.reply("503 5.5.1 MAIL FROM and RCPT TO first")]
            }
        case "RSET":
            resetTransaction()
            if phase != .start { phase = .ready }
            return [.reply("250 2.0.0 OK")]
        case "NOOP": return [.reply("250 2.0.0 OK")]
        case "VRFY": return [.reply("252 2.5.2 cannot verify, but will take the message")]
        case "QUIT":
            phase = .closed
            return [.reply("221 2.0.0 \(configuration.hostname) closing"), .close]
        default: return [.reply("500 5.5.2 command not recognised")]
        }
    }

    private mutating func mail(_ argument: Substring) -> [Action] {
        switch phase {
        case .start: return [.reply("503 5.5.1 say LHLO first")]
        case .mail, .recipients: return [.reply("503 5.5.1 nested MAIL command")]
        default: break
        }
        guard let (address, parameters) = LMTPSession.path(argument, keyword: "FROM:") else {
            return [.reply("501 5.5.4 syntax: MAIL FROM:<address>")]
        }
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.first?.uppercased() == "SIZE", pair.count == 2 {
                guard let size = Int(pair[1]) else { return [.reply("501 5.5.4 SIZE must be a number")] }
                if size > configuration.maxMessageBytes {
                    return [.reply("552 5.3.4 message too big (at most \(configuration.maxMessageBytes) bytes)")]
                }
            }
        }
        sender = address
        phase = .mail
        return [.reply("250 2.1.0 OK")]
    }

    private mutating func recipient(_ argument: Substring) -> [Action] {
        guard phase == .mail || phase == .recipients else { return [.reply("503 5.5.1 MAIL FROM first")] }
        guard let (address, _) = LMTPSession.path(argument, keyword: "TO:"), !address.isEmpty else {
            return [.reply("501 5.5.4 syntax: RCPT TO:<address>")]
        }
        guard recipients.count < configuration.maxRecipients else { return [.reply("452 4.5.3 too many recipients")] }
        recipients.append(address)
        phase = .recipients
        return [.reply("250 2.1.5 OK")]
    }

    /// `FROM:<a@b> SIZE=10` → (`a@b`, [`SIZE=10`]). Tolerates a space after the colon and a missing `<>` pair.
    static func path(_ argument: Substring, keyword: String) -> (String, [Substring])? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).drop { $0 == " " }
        let address: Substring
        let after: Substring
        if rest.first == "<" {
            guard let close = rest.firstIndex(of: ">") else { return nil }
            address = rest[rest.index(after: rest.startIndex)..<close]
            after = rest[rest.index(after: close)...]
        } else {
            address = rest.prefix { $0 != " " }
            after = rest.dropFirst(address.count)
        }
        guard !address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) else { return nil }
        return (String(address), after.split(separator: " "))
    }

    // MARK: - Data

    private mutating func dataLine(_ line: [UInt8]) -> [Action] {
        if line == [UInt8(ascii: ".")] {
            guard !oversize else {
                let replies = recipients.map {
                    Action.reply("552 5.3.4 <\($0)> message too big (at most \(configuration.maxMessageBytes) bytes)")
                }
                resetTransaction()
                phase = .ready
                return stopping ? replies + shutDown() : replies
            }
            phase = .delivering
            return [.deliver(Envelope(sender: sender, recipients: recipients, message: message))]
        }
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        if !oversize {
            if message.count + content.count + 2 > configuration.maxMessageBytes {
                oversize = true
                message = []
            } else {
                message += content
                message += [13, 10]
            }
        }
        return []
    }

    private mutating func resetTransaction() {
        sender = ""
        recipients = []
        message = []
        oversize = false
    }
}
