import DocketTime
import Domain
import EventLog
import Foundation
import Hooks

/// Client and staff mail: reading what is queued and delivering it. What ticket events call for (acknowledgements,
/// replies, resolution notices, SLA notices) is queued by the ``ClientMailReaction`` and ``StaffMailReaction`` in the
/// same append as the events, with bodies from the ``MailTemplate``s in force. Uses no other service.
public struct OutboxService: Sendable, FeatureService {
    let shared: ServiceContext

    init(shared: ServiceContext) { self.shared = shared }
}

// MARK: - Reading

extension OutboxService {
    /// Every message queued, oldest first.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func messages() throws -> [OutboxEntry] { try models.outbox.all(in: store) }

    /// The queued message `messageId`, nil when none.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func message(_ messageId: String) throws -> OutboxEntry? { try models.outbox.entry(messageId, in: store) }

    /// The messages queued on ticket `number` that will not reach their recipient: given up after
    /// ``OutboxEntry/attemptLimit`` failed attempts (`undeliverable`, which `outbox retry` queues again), or cancelled.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func undelivered(on number: TicketNumber) throws -> [OutboxEntry] {
        try models.outbox.entries(of: number, in: store).filter { $0.status == .undeliverable || $0.status == .cancelled }
    }
}

// MARK: - Retrying

extension OutboxService {
    /// Queues the undeliverable message `messageId` again with a fresh set of attempts (`mail.requeued` on its stream
    /// `mail-<Message-ID>`), for the next `outbox send`. Admins only; a message that was sent, bounced, cancelled or is
    /// still pending is refused (``OutboxEntry/requeue()``); an unknown one is not found. Returns the entry as it is now.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func retry(_ messageId: String, as actor: String, commandId: String? = nil) throws -> OutboxEntry {
        let context = try context(for: actor)
        guard context.actor.role == .admin else {
            throw DomainError(.forbidden, "only an admin may retry undeliverable mail; \(context.actor) is not: ask an admin")
        }
        let lookup = { () throws -> OutboxEntry in
            guard let entry = try models.outbox.entry(messageId, in: store) else {
                throw DomainError(.notFound, "no queued message \(messageId); list them with `docket outbox list`")
            }
            return entry
        }
        return try kernel.execute(commandId: commandId, actor: context.actor.login, replay: { _ in try lookup() }) {
            let entry = try lookup()
            let event = OutboxEvent.requeued(try entry.requeue())
            let stream = "mail-" + entry.messageId
            let version = try store.version(of: stream)
            let request = AppendRequest(
                stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version),
                events: [NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())],
                commandId: commandId, actor: context.actor.login)
            var decision = CommandKernel.Decision(appends: [request], output: entry)
            decision.finish = { _ in try lookup() }
            return decision
        }
    }
}

// MARK: - Sending

/// What a mail transport said about one message.
public enum DeliveryOutcome: Sendable, Equatable {
    case accepted
    /// The transport's exit status (nil when it could not run) and first stderr line.
    case failed(exitStatus: Int?, error: String)
    /// Not handed to the transport, and never will be: its recipient may no longer be mailed (``MailCancellation``).
    case cancelled(reason: String)
    /// The receiver refused it for good (a notification channel's HTTP 4xx other than 408 and 429): undeliverable at
    /// once, not retried.
    case refused(error: String)
}

/// Hands a complete message to a mail system.
public protocol MailTransport: Sendable {
    /// How the events name it, e.g. `sendmail /usr/sbin/sendmail`.
    var name: String { get }
    /// Delivers `message` (CRLF line ends) to the recipients in its headers.
    func deliver(_ message: String) -> DeliveryOutcome
}

/// The sendmail interface (Postfix, Exim, msmtp, …): `PATH -t -i -f SENDER` with the message on stdin, LF line ends.
/// The envelope sender is the message's From address (the support address it was queued with), so the mail system's
/// bounces come back to intake, which notes them on the ticket and marks the message `bounced`; without `-f` they
/// went to the account running `outbox send` (root@host), and a bounced reply was never seen.
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
        process.arguments = ["-t", "-i"] + (Self.envelopeSender(of: message).map { ["-f", $0] } ?? [])
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

extension SendmailTransport {
    /// The address of the `From:` header of `message` (ours: `From: support@msp.example`, or with a display name
    /// `From: Name <support@msp.example>`); nil when it has none, or an address sendmail could read as an option.
    static func envelopeSender(of message: String) -> String? {
        // "\r\n" is one Character: split the line ends as the transport writes them, LF.
        for header in message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if header.isEmpty { return nil }
            guard header.lowercased().hasPrefix("from:") else { continue }
            var value = header.dropFirst("from:".count).trimmingCharacters(in: .whitespaces)
            if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
                value = String(value[value.index(after: open)..<close])
            }
            guard value.contains("@"), !value.hasPrefix("-"), !value.contains(where: { $0.isWhitespace }) else { return nil }
            return value
        }
        return nil
    }
}

/// What `sendOutbox` did with one pending message.
public struct OutboxDelivery: Sendable, Equatable {
    public var messageId: String
    /// Nil for a portal sign-in link.
    public var ticket: TicketNumber?
    /// The attempt this was (for a cancelled message, the attempt it would have been).
    public var attempt: Int
    public var outcome: DeliveryOutcome
    /// Whether it was cancelled because its sign-in link expired before it could be sent (the contact asks for a new one).
    public var linkExpired = false
}

extension OutboxService {
    /// Hands each queued message, and each failed one whose wait is over (``OutboxEntry/isDue(at:)``), to
    /// `transport`, oldest first, recording `mail.sent` or `mail.send-failed` (stream `mail-<Message-ID>`, command id
    /// `mail-send:<Message-ID>:<attempt>`) right after each attempt and before the next message. Sent messages are
    /// never offered again, nor are ones given up after ``OutboxEntry/attemptLimit`` failed attempts. A client message
    /// whose ticket's contact was removed since it was queued, and a sign-in link that expired (at the clock's `now`)
    /// before it could be sent, are not handed over: `mail.cancelled` records why (``MailCancellation``), on the same
    /// stream and command id.
    ///
    /// A page (reason ``OutboundReason/page``) goes to its notification channel through `pages` instead: its JSON body
    /// POSTed to the channel's URL, signed with the channel's secret (opened with the store's key file, `pages.key`) at
    /// the clock's time (``PageSender``). Without `pages`, pages wait for a run that has it.
    ///
    /// `keepGoing` is asked before each message: once it says no (the server is stopping), the run ends there, every
    /// attempt made so far recorded.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func sendOutbox(
        via transport: some MailTransport, pages: PageSender? = nil, as actor: String, while keepGoing: () -> Bool = { true }
    ) throws -> [OutboxDelivery] {
        let context = try context(for: actor)
        var deliveries: [OutboxDelivery] = []
        let now = context.now.millisecondsSinceEpoch
        for pending in try models.outbox.all(in: store) where pending.isDue(at: now) {
            guard keepGoing() else { break }
            // Re-read: another run may have sent it since the list was taken.
            guard let entry = try models.outbox.entry(pending.messageId, in: store), entry.isDue(at: now) else { continue }
            let stream = "mail-" + entry.messageId
            let version = try store.version(of: stream)
            // Not the stream's version: an admin's `mail.requeued` is on it too.
            let attempt = entry.attempts + 1
            let commandId = CommandIds.mailSent(entry.messageId, attempt: attempt)
            if try store.result(ofCommand: commandId) != nil { continue }
            let outcome: DeliveryOutcome
            let cancellation: (event: MailCancelled, linkExpired: Bool)?
            let transportName: String
            if entry.reason == .page {
                guard let pages else { continue }
                cancellation = nil
                (transportName, outcome) = try page(entry, via: pages, at: context.now)
            } else {
                cancellation = try self.cancellation(of: entry, at: context.now)
                transportName = transport.name
                outcome = cancellation.map { DeliveryOutcome.cancelled(reason: $0.event.reason) } ?? transport.deliver(entry.message)
            }
            let event: OutboxEvent =
                switch outcome {
                case .accepted: .sent(MailSent(messageId: entry.messageId, attempt: attempt, transport: transportName))
                case .failed(let status, let error):
                    .sendFailed(MailSendFailed(messageId: entry.messageId, attempt: attempt, transport: transportName, exitStatus: status, error: error))
                case .refused(let error):
                    .sendFailed(MailSendFailed(messageId: entry.messageId, attempt: attempt, transport: transportName, exitStatus: nil, error: error, final: true))
                case .cancelled(let reason): .cancelled(MailCancelled(messageId: entry.messageId, reason: reason))
                }
            try store.append(AppendRequest(
                stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version),
                events: [NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())],
                commandId: commandId, actor: context.actor.login))
            deliveries.append(OutboxDelivery(
                messageId: entry.messageId, ticket: entry.ticket, attempt: attempt, outcome: outcome, linkExpired: cancellation?.linkExpired ?? false))
        }
        return deliveries
    }

    /// Posts the page `entry` to its channel (`entry.to[0]`) with `pages`, signed at `now`: the transport's name for
    /// the events and what happened. A channel removed since is cancelled; a key file that is missing or not the one
    /// the secret (or the sealed URL) was sealed under fails the attempt (retried: restore the file, or rotate the
    /// channel, or add it again).
    private func page(_ entry: OutboxEntry, via pages: PageSender, at now: Timestamp) throws -> (String, DeliveryOutcome) {
        let name = entry.to.first ?? ""
        let (channel, _) = try kernel.load(NotifyDecider.self, stream: StreamName.notifyChannel(name))
        let transportName = "webhook \(name)"
        guard channel.isActive, let sealed = channel.secret else {
            return (transportName, .cancelled(reason: "notification channel \(name) was removed"))
        }
        let secret: String
        let url: String
        do {
            let key = try pages.key()
            guard key.keyId == sealed.keyId else {
                return (transportName, .failed(exitStatus: nil, error: "channel \(name)'s secret was sealed under key \(sealed.keyId), not this store's \(key.keyId); restore that key file or `docket notify rotate \(name)`"))
            }
            secret = try key.open(sealed.sealed)
            if let sealedURL = channel.sealedURL {
                guard key.keyId == sealedURL.keyId else {
                    return (transportName, .failed(exitStatus: nil, error: "channel \(name)'s URL was sealed under key \(sealedURL.keyId), not this store's \(key.keyId); restore that key file, or remove the channel and add it again"))
                }
                url = try key.open(sealedURL.sealed)
            } else {
                url = channel.url
            }
        } catch {
            return (transportName, .failed(exitStatus: nil, error: "cannot open channel \(name)'s secret or URL: \(error)"))
        }
        let body = entry.message
        let signature = HookSignature.sign(Array(body.utf8), secret: secret, timestamp: now.millisecondsSinceEpoch / 1000)
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("User-Agent", "Docket"), ("Docket-Delivery", entry.messageId), (HookSignature.header, signature),
        ]
        // The error recorded names the URL's scheme and host only: its path may be the receiver's secret.
        return (transportName, PageSender.outcome(of: pages.transport.post(url: url, body: body, headers: headers), url: NotifyDecider.displayURL(url)))
    }

    /// Whether `entry` must not be sent at `now` (``MailCancellation``), from its ticket (or, for a sign-in link, the
    /// portal stream it was queued on) and client as the log has them; `linkExpired` when it is a sign-in link past its
    /// expiry.
    private func cancellation(of entry: OutboxEntry, at now: Timestamp) throws -> (event: MailCancelled, linkExpired: Bool)? {
        if entry.reason == .signIn { return try signInCancellation(of: entry, at: now) }
        guard let number = entry.ticket, MailCancellation.clientReasons.contains(entry.reason) else { return nil }
        let (ticket, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(number))
        guard !ticket.client.isEmpty else { return nil }
        let (client, _) = try kernel.load(ClientDecider.self, stream: StreamName.client(ticket.client))
        return MailCancellation.decide(messageId: entry.messageId, reason: entry.reason, contact: ticket.contact, client: client)
            .map { ($0, false) }
    }

    /// A sign-in link's contact and client are on the `portal-<contact>` stream its mail was queued on, with the link
    /// itself (`portal.link-issued`, the event just before the mail's, in the same append) and so its expiry.
    private func signInCancellation(of entry: OutboxEntry, at now: Timestamp) throws -> (event: MailCancelled, linkExpired: Bool)? {
        guard let queued = try store.event(at: entry.position), queued.stream.hasPrefix("portal-") else { return nil }
        let (portal, _) = try kernel.load(PortalDecider.self, stream: queued.stream)
        guard let code = portal.client, let contact = portal.contact else { return nil }
        let (client, _) = try kernel.load(ClientDecider.self, stream: StreamName.client(code))
        if let removed = MailCancellation.decide(messageId: entry.messageId, reason: entry.reason, contact: contact, client: client) {
            return (removed, false)
        }
        guard entry.position > 1, let issued = try store.event(at: entry.position - 1), issued.stream == queued.stream,
            case .linkIssued(let link) = try PortalEvent.decode(type: issued.type, schemaVersion: issued.schemaVersion, payload: issued.payload)
        else { return nil }
        return MailCancellation.expiredLink(messageId: entry.messageId, link: link, now: now).map { ($0, true) }
    }
}
