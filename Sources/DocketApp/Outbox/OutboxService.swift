import DocketTime
import Domain
import EventLog
import Foundation

/// Client and staff mail: what ticket events call for (acknowledgements, replies, resolution notices, SLA
/// notices), queued as `ticket.mail-queued` in the caller's append, and the delivery of what is queued. Uses the
/// directory (contacts and users).
public struct OutboxService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService

    init(shared: ServiceContext, directory: DirectoryService) {
        self.shared = shared
        self.directory = directory
    }
}

// MARK: - Queueing

extension OutboxService {
    /// The acknowledgement for a ticket being opened by `events` (the opening append, with any `ticket.mail-received`
    /// that opened it), then a reply for each public comment in it (a routing rule's reply template), to add to the
    /// same append; empty when the ticket has no contact email to write to.
    func queuedMail(opening number: TicketNumber, with events: [NewEvent], context: DecisionContext) throws -> [NewEvent] {
        var opened: TicketOpened?
        var replies: [String] = []
        var received: [TicketMailReceived] = []
        for event in events {
            if event.type == TicketOpened.descriptor.type,
                case .opened(let payload) = try TicketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
            {
                opened = payload
            } else if event.type == TicketCommented.descriptor.type,
                case .commented(let comment) = try TicketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload),
                comment.visibility == .public
            {
                replies.append(comment.text)
            } else if event.type == TicketMailReceived.descriptor.type,
                case .received(let mail) = try TicketMailEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
            {
                received.append(mail)
            }
        }
        guard let opened, let recipient = try recipient(client: opened.client, contact: opened.contact, received: received) else { return [] }
        let body = """
            Hello\(recipient.name.map { " " + $0 } ?? ""),

            We have received your request and opened ticket \(number):

                \(opened.subject)

            We will be in touch. To add anything, reply to this email and keep [\(number)] in the subject.
            """
        let thread = MailThread(recipient: recipient, lastClientMessage: received.last { $0.kind == "new" || $0.kind == "reply" }?.messageId, queued: 0)
        return [queuedEvent(number, subject: opened.subject, reason: .acknowledgement, body: body, thread: thread, sequence: 1, now: context.now)]
            + replies.enumerated().map { index, text in
                queuedEvent(
                    number, subject: opened.subject, reason: .reply, body: replyBody(text, number: number, subject: opened.subject), thread: thread,
                    sequence: index + 2, now: context.now)
            }
    }

    /// The replies and resolution notices that ticket events (just decided on `number`) call for, to add to the same append.
    func queuedMail(after events: [TicketEvent], on number: TicketNumber, context: DecisionContext) throws -> [NewEvent] {
        let triggers: [(OutboundReason, String)] = events.compactMap { event in
            switch event {
            case .commented(let comment) where comment.visibility == .public: (.reply, comment.text)
            case .closed(let closed): (.resolution, closed.resolution)
            default: nil
            }
        }
        guard !triggers.isEmpty, let summary = try models.queue.summary(number, in: store) else { return [] }
        var received: [TicketMailReceived] = []
        var queued = 0
        for recorded in try store.read(stream: StreamName.ticket(number)) {
            if recorded.type == TicketMailReceived.descriptor.type,
                case .received(let mail) = try TicketMailEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            {
                received.append(mail)
            } else if recorded.type == TicketMailQueued.descriptor.type {
                queued += 1
            }
        }
        guard let recipient = try recipient(client: summary.client, contact: summary.contact, received: received) else { return [] }
        let thread = MailThread(recipient: recipient, lastClientMessage: received.last { $0.kind == "new" || $0.kind == "reply" }?.messageId, queued: queued)
        return triggers.enumerated().map { index, trigger in
            let (reason, text) = trigger
            let body: String =
                switch reason {
                case .resolution:
                    """
                    Hello\(recipient.name.map { " " + $0 } ?? ""),

                    Ticket \(number) (\(summary.subject)) has been resolved:

                    \(text)

                    If the problem is not solved, reply to this email within 7 days and the ticket will be reopened.
                    """
                default: replyBody(text, number: number, subject: summary.subject)
                }
            return queuedEvent(number, subject: summary.subject, reason: reason, body: body, thread: thread, sequence: queued + index + 1, now: context.now)
        }
    }

    /// Who client mail for a ticket goes to: its contact's address, else the sender of the last email that
    /// opened or joined it; nil when there is neither.
    private func recipient(client code: String, contact: String?, received: [TicketMailReceived]) throws -> (address: String, name: String?)? {
        if let contact, let details = (try? directory.client(code))?.contacts[contact], !details.email.isEmpty {
            return (details.email, details.name.isEmpty ? nil : details.name)
        }
        let usable: (String) -> Bool = { address in
            address.contains("@") && !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        }
        if let mail = received.last(where: { ($0.kind == "new" || $0.kind == "reply") && usable($0.from) }) {
            return (mail.from, mail.fromName)
        }
        return nil
    }

    /// A public comment as the body of the mail that carries it to the client.
    private func replyBody(_ text: String, number: TicketNumber, subject: String) -> String {
        text + "\n\n-- \n\(number): \(subject)\nReply to this email to answer; keep [\(number)] in the subject.\n"
    }

    private func queuedEvent(
        _ number: TicketNumber, subject: String, reason: OutboundReason, body: String, thread: MailThread, sequence: Int, now: Timestamp
    ) -> NewEvent {
        var random = SystemRandomNumberGenerator()
        let nonce = String(random.next() & 0xFFFF_FFFF, radix: 16)
        let messageId = "\(number).\(sequence).\(String(repeating: "0", count: max(0, 8 - nonce.count)) + nonce)@docket"
        let fullSubject = (reason == .reply ? "Re: " : "") + "[\(number)] \(subject)"
        let message = OutboundMessage(
            from: configuration.supportAddress, to: thread.recipient.address, toName: thread.recipient.name,
            subject: fullSubject, date: now, messageId: messageId, inReplyTo: thread.lastClientMessage,
            isAutomatic: reason == .acknowledgement, ticket: number.description, body: body)
        let event = OutboxEvent.queued(TicketMailQueued(
            messageId: messageId, reason: reason, to: [thread.recipient.address], subject: fullSubject,
            inReplyTo: thread.lastClientMessage, message: message.rendered))
        return NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())
    }
}

/// What the next message on a ticket needs from its history.
private struct MailThread {
    var recipient: (address: String, name: String?)
    var lastClientMessage: String?
    var queued: Int
}

// MARK: - Reading

extension OutboxService {
    /// Every message queued, oldest first.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func messages() throws -> [OutboxEntry] { try models.outbox.all(in: store) }

    /// The queued message `messageId`, nil when none.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func message(_ messageId: String) throws -> OutboxEntry? { try models.outbox.entry(messageId, in: store) }
}

// MARK: - Staff notifications

extension OutboxService {
    /// The emails `tick` queues for staff: a warning to the assignee, a breach to the assignee and every
    /// dispatcher, an escalation that notifies dispatchers to every dispatcher. Users without an email
    /// address, or deactivated, get none. Queued in the same append as the SLA events they announce.
    func staffNotifications(for due: [TicketSLAEvent], on number: TicketNumber, assignee: String?, now: Timestamp) throws -> [NewEvent] {
        let dispatchers = try directory.users().filter { $0.role == .dispatcher && $0.isActive }.compactMap(\.login)
        let subject = (try? models.queue.summary(number, in: store))?.subject ?? ""
        var sequence = 0
        var queued: [NewEvent] = []
        for event in due {
            let (reason, recipients, line): (OutboundReason, [String], String)
            switch event {
            case .warned(let w):
                (reason, recipients, line) = (.slaWarning, assignee.map { [$0] } ?? dispatchers, "the \(w.clock) clock reached \(w.percent)% of its target at \(w.dueAt.iso8601)")
            case .breached(let b):
                (reason, recipients, line) = (.slaBreach, (assignee.map { [$0] } ?? []) + dispatchers, "the \(b.clock) target was breached at \(b.dueAt.iso8601)")
            case .escalated(let e) where e.action == .notifyDispatchers:
                (reason, recipients, line) = (.escalation, dispatchers, "escalation rule \(e.rule) fired at \(e.dueAt.iso8601)")
            default:
                continue
            }
            for login in Set(recipients).sorted() {
                guard let user = try? directory.user(login), user.isActive, user.email.contains("@") else { continue }
                sequence += 1
                var random = SystemRandomNumberGenerator()
                let messageId = "\(number).sla-\(sequence).\(String(random.next() & 0xFFFF_FFFF, radix: 16))@docket"
                let fullSubject = "[\(number)] SLA: \(line.split(separator: " ").prefix(4).joined(separator: " ")) — \(subject)"
                let body = "\(number) (\(subject)): \(line).\n\nSee `docket ticket show \(number)` for the clock, interval by interval.\n"
                let message = OutboundMessage(
                    from: configuration.supportAddress, to: user.email, toName: user.name, subject: fullSubject, date: now,
                    messageId: messageId, inReplyTo: nil, isAutomatic: true, ticket: number.description, body: body)
                let event = OutboxEvent.queued(TicketMailQueued(
                    messageId: messageId, reason: reason, to: [user.email], subject: fullSubject, inReplyTo: nil, message: message.rendered))
                queued.append(NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload()))
            }
        }
        return queued
    }
}

// MARK: - Sending

/// What a mail transport said about one message.
public enum DeliveryOutcome: Sendable, Equatable {
    case accepted
    /// The transport's exit status (nil when it could not run) and first stderr line.
    case failed(exitStatus: Int?, error: String)
}

/// Hands a complete message to a mail system.
public protocol MailTransport: Sendable {
    /// How the events name it, e.g. `sendmail /usr/sbin/sendmail`.
    var name: String { get }
    /// Delivers `message` (CRLF line ends) to the recipients in its headers.
    func deliver(_ message: String) -> DeliveryOutcome
}

/// The sendmail interface (Postfix, Exim, msmtp, …): `PATH -t -i` with the message on stdin, LF line ends.
public struct SendmailTransport: MailTransport {
    public let path: String
    public var name: String { "sendmail \(path)" }

    public init(path: String) { self.path = path }

    @available(*, noasync, message: "waits for the sendmail process")
    public func deliver(_ message: String) -> DeliveryOutcome {
        // A transport that exits without reading its input must fail this attempt, not kill Docket.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", "-i"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .failed(exitStatus: nil, error: "could not run \(path): \(error)")
        }
        let bytes = Data(message.replacingOccurrences(of: "\r\n", with: "\n").utf8)
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: bytes)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = Int(process.terminationStatus)
        if process.terminationReason == .exit, status == 0 { return .accepted }
        let firstLine = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let reason = process.terminationReason == .uncaughtSignal ? "killed by signal \(status)" : firstLine
        return .failed(exitStatus: process.terminationReason == .exit ? status : nil, error: reason.isEmpty ? "no message" : reason)
    }
}

/// What `sendOutbox` did with one pending message.
public struct OutboxDelivery: Sendable, Equatable {
    public var messageId: String
    /// Nil for a portal sign-in link.
    public var ticket: TicketNumber?
    public var attempt: Int
    public var outcome: DeliveryOutcome
}

extension OutboxService {
    /// Hands each queued or failed message to `transport`, oldest first, recording `mail.sent` or
    /// `mail.send-failed` (stream `mail-<Message-ID>`, command id `mail-send:<Message-ID>:<attempt>`) right
    /// after each attempt and before the next message. Sent messages are never offered again.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func sendOutbox(via transport: some MailTransport, as actor: String) throws -> [OutboxDelivery] {
        let context = try context(for: actor)
        var deliveries: [OutboxDelivery] = []
        for pending in try models.outbox.all(in: store) where pending.isPending {
            // Re-read: another run may have sent it since the list was taken.
            guard let entry = try models.outbox.entry(pending.messageId, in: store), entry.isPending else { continue }
            let stream = "mail-" + entry.messageId
            let version = try store.version(of: stream)
            let attempt = Int(version) + 1
            let commandId = "mail-send:\(entry.messageId):\(attempt)"
            if try store.result(ofCommand: commandId) != nil { continue }
            let outcome = transport.deliver(entry.message)
            let event: OutboxEvent =
                switch outcome {
                case .accepted: .sent(MailSent(messageId: entry.messageId, attempt: attempt, transport: transport.name))
                case .failed(let status, let error):
                    .sendFailed(MailSendFailed(messageId: entry.messageId, attempt: attempt, transport: transport.name, exitStatus: status, error: error))
                }
            try store.append(AppendRequest(
                stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version),
                events: [NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())],
                commandId: commandId, actor: context.actor.login))
            deliveries.append(OutboxDelivery(messageId: entry.messageId, ticket: entry.ticket, attempt: attempt, outcome: outcome))
        }
        return deliveries
    }
}
