import DocketTime
import Domain
import EventLog
import Foundation
import MailParser

/// What intake did with one email.
public enum MailOutcome: Sendable, Equatable {
    /// A new message (or a reply to a ticket closed too long ago) opened this ticket.
    case opened(TicketNumber)
    /// A reply was added to its open ticket.
    case reply(TicketNumber)
    /// A reply reopened its recently closed ticket.
    case reopened(TicketNumber)
    /// A bounce or auto-reply was recorded on the ticket it threads to (`bounce` or `auto-reply`); or a user's mail
    /// that is not taken as their reply (`unverified staff mail`: its From not proven; `staff mail`: addressed to no one of
    /// the client, the ticket is closed, or the user's role does not work tickets).
    case noted(TicketNumber, kind: String)
    /// A user's own mail on the ticket's thread, proven theirs by the mail server, was recorded as their public reply
    /// (`login`): it meets the response clock, and the client, who has the mail, is not sent a copy.
    case staffReply(TicketNumber, login: String)
    /// This Message-ID was received before: nothing written.
    case duplicate(TicketNumber)
    /// A bounce or auto-reply that threads to no ticket, or mail from our own support address or with a Message-ID
    /// Docket made (``MailLoop``): nothing written (`bounce`, `auto-reply` or `loop`).
    case dropped(kind: String)
}

/// How email intake behaves.
public struct MailPolicy: Sendable {
    /// The client for mail from senders no client knows; nil refuses them.
    public var triageClient: String?
    /// A reply within this long after its ticket closed reopens it; later ones open a new ticket.
    public var reopenWindowMilliseconds: Int64 = 7 * 86_400_000
    /// Where attachment bytes go, content-addressed (`<folder>/<first 2 hex>/<sha256>`); nil skips them.
    public var attachmentsFolder: String?

    public init(triageClient: String? = nil, attachmentsFolder: String? = nil) {
        self.triageClient = triageClient
        self.attachmentsFolder = attachmentsFolder
    }
}

/// Intake: email and monitoring alerts threaded onto tickets or opening them, with routing. Uses the directory
/// (senders, clients, routing rules) and tickets.
public struct IntakeService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService
    let tickets: TicketService

    init(shared: ServiceContext, directory: DirectoryService, tickets: TicketService) {
        self.shared = shared
        self.directory = directory
        self.tickets = tickets
    }
}

extension IntakeService {
    /// The Message-ID Docket files `message` under: its own, else (none, or one that is no usable key: over
    /// 190 bytes or holding control characters) one made from the raw bytes' SHA-256.
    public static func mailIdentity(_ message: ParsedMessage, raw: [UInt8]) -> String {
        if let id = message.messageId, isUsableMessageId(id) { return id }
        return "sha256-" + SHA256.hexDigest(raw) + "@docket.invalid"
    }

    /// Whether `id` can key the log and the `mail` read model: 1 to 190 bytes, no control characters.
    static func isUsableMessageId(_ id: String) -> Bool {
        let bytes = id.utf8
        return !bytes.isEmpty && bytes.count <= 190 && !bytes.contains { $0 < 0x20 || $0 == 0x7f }
    }

    /// Takes one email: threads it onto its ticket or opens one, as described in `docket intake email --help`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func receiveMail(_ message: ParsedMessage, raw: [UInt8], policy: MailPolicy, as actor: String) throws -> MailOutcome {
        let messageId = IntakeService.mailIdentity(message, raw: raw)
        if let earlier = try models.mail.ticket(forMessageId: messageId, in: store) ?? models.outbox.ticket(forMessageId: messageId, in: store) {
            return .duplicate(earlier)
        }
        let commandId = CommandIds.mailTaken(messageId)
        if let earlier = try store.result(ofCommand: commandId),
            let number = TicketNumber(String(earlier.stream.dropFirst("ticket-".count)))
        {
            return .duplicate(number)
        }
        let sender = message.from.first { $0.address != nil }
        let address = sender?.address ?? ""
        // Never answered, never a ticket: our own mail come back (a loop), or a forged From.
        if let reason = MailLoop.reason(from: address, messageId: message.messageId, supportAddress: configuration.supportMailAddress) {
            return dropped(messageId, from: address, kind: "loop", because: reason)
        }
        let classification = message.classification
        let kind: String =
            switch classification.kind {
            case .bounce: "bounce"
            case .autoReply: "auto-reply"
            case .personal: "reply"
            }
        let match = try matchSender(address)

        let byMessageId = try ticketByMessageId(IntakeService.threadingIds(message, isMachineMail: kind != "reply"))
        // A removed contact's subject token is no more trusted than a stranger's.
        let bySubject = try byMessageId == nil && match?.isRemovedContact != true
            ? match.flatMap { try ticketBySubjectToken(message.subject, client: $0.client) } : nil
        // A user's own mail on a ticket's thread (a technician answering the client, the support address on Cc) is
        // theirs to write, never the client's reply.
        if kind == "reply", let user = try activeUser(address),
            let outcome = try receiveStaffMail(
                message, messageId: messageId, sender: sender, user: user, threaded: byMessageId?.ticket, policy: policy, as: actor,
                commandId: commandId)
        {
            return outcome
        }
        // A person's reply by Message-ID passes the same sender check as the subject token; anyone else opens a
        // ticket of their own that names the referenced one.
        if kind == "reply", let referenced = byMessageId?.ticket, try !isTrustedReplySender(address, on: referenced) {
            let client = try clientFor(match, address: address, policy: policy)
            let description = Self.triaged(match, to: client, address: address) + """
                Refers to \(referenced) (its In-Reply-To or References name a message of that ticket), but \(address.isEmpty ? "the sender" : address) \
                is not its client's contact or domain, nor on its thread: opened apart.\n\n
                """ + (message.textBody ?? "")
            return try openMailTicket(
                message, messageId: messageId, client: client, contact: match?.client == client ? match?.contact : nil,
                description: description, sender: sender, policy: policy, as: actor, commandId: commandId)
        }
        // Machine mail is noted only from a sender a reply would be trusted from, or, for a bounce, when it names a
        // message of ours that was sent (only its recipients' mail systems saw that Message-ID); otherwise it is dropped.
        var bounced: [NewEvent] = []
        if classification.kind == .bounce, let rule = classification.rule { bounced = try bounceEvents(message, reportId: messageId, rule: rule) }
        if kind != "reply", let referenced = byMessageId?.ticket, bounced.isEmpty, try !isTrustedReplySender(address, on: referenced) {
            return dropped(
                messageId, from: address, kind: kind,
                because: "\(Self.article(kind)) on \(referenced) from a sender who is not its client's contact or domain, nor on its thread")
        }
        guard var number = byMessageId?.ticket ?? bySubject else {
            guard kind == "reply" else {
                return dropped(messageId, from: address, kind: kind, because: "\(Self.article(kind)) that names no message and no ticket of ours")
            }
            let client = try clientFor(match, address: address, policy: policy)
            // A sender from one of the client's domains becomes a contact (``SenderContactReaction``).
            return try openMailTicket(
                message, messageId: messageId, client: client, contact: match?.client == client ? match?.contact : nil,
                description: Self.triaged(match, to: client, address: address) + (message.textBody ?? ""), sender: sender, policy: policy,
                as: actor, commandId: commandId)
        }
        var summary = try tickets.ticketSummary(number)
        while let target = summary.mergedInto {
            number = target
            summary = try tickets.ticketSummary(target)
        }
        let stream = StreamName.ticket(number)
        guard kind == "reply" else {
            try storeAttachments(message, policy: policy)
            let events = [mailEvent(message, messageId: messageId, sender: sender, kind: kind)] + bounced
            let context = try context(for: actor)
            try store.append(AppendRequest(stream: stream, events: events, commandId: commandId, actor: context.actor.login))
            return .noted(number, kind: kind)
        }
        let now = clock.now().millisecondsSinceEpoch
        let command: TicketCommand?
        let outcome: MailOutcome
        switch summary.status {
        case .closed:
            guard now - summary.updatedAt <= policy.reopenWindowMilliseconds else {
                let description = "Follows \(number) (closed), to which this is a reply.\n\n" + (message.textBody ?? "")
                return try openMailTicket(
                    message, messageId: messageId, client: summary.client, contact: match?.client == summary.client ? match?.contact : summary.contact,
                    description: description, sender: sender, policy: policy, as: actor, commandId: commandId)
            }
            command = .reopen(reason: "client replied by email")
            outcome = .reopened(number)
        case .waitingOnClient:
            command = .setStatus(.inProgress)
            outcome = .reply(number)
        default:
            command = nil
            outcome = .reply(number)
        }
        let event = mailEvent(message, messageId: messageId, sender: sender, kind: "reply")
        let context = try context(for: actor)
        return try kernel.execute(commandId: commandId, actor: context.actor.login, replay: { _ in .duplicate(number) }) {
            let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
            let decided = try command.map { try TicketDecider.decide($0, state: state, context: context) } ?? []
            try storeAttachments(message, policy: policy)
            var request = kernel.request(stream: stream, version: version, events: decided, context: context, commandId: commandId)
            request.events.append(event)
            return CommandKernel.Decision(appends: [request], output: outcome, reacting: ReactionCue(context: context))
        }
    }

    /// `.dropped(kind:)`, told to the operator as a warning (the intake run's stderr, the server's log) with the
    /// message's identity, sender and `reason`: nothing is written for it, so that line is its only trace.
    private func dropped(_ messageId: String, from address: String, kind: String, because reason: String) -> MailOutcome {
        warnings?("dropped mail \(messageId) from \(address.isEmpty ? "no sender" : address): \(reason); nothing written")
        return .dropped(kind: kind)
    }

    /// `a bounce` or `an auto-reply`.
    private static func article(_ kind: String) -> String { kind == "bounce" ? "a bounce" : "an auto-reply" }

    /// The client (and contact) a sender belongs to: an exact contact address first, then the domain; whether that
    /// client is active; and whether the address, matched by its domain, was one of the client's contacts who was
    /// removed (``ClientState/isRetiredAddress(_:)``: someone who left the client's company).
    private func matchSender(_ address: String) throws -> SenderMatch? {
        let lower = address.lowercased()
        guard !lower.isEmpty else { return nil }
        let clients = try directory.clients().filter { $0.code != nil }
        for client in clients {
            if let contact = client.contacts.sorted(by: { $0.key < $1.key }).first(where: { $0.value.email.lowercased() == lower }) {
                return SenderMatch(client: client.code!, contact: contact.key, isActive: client.isActive)
            }
        }
        guard let at = lower.lastIndex(of: "@") else { return nil }
        let domain = String(lower[lower.index(after: at)...])
        // An active client's domain first: a deactivated client's may have been given to another since.
        if let client = clients.first(where: { $0.isActive && $0.domains.contains(domain) }) ?? clients.first(where: { $0.domains.contains(domain) }) {
            return SenderMatch(client: client.code!, contact: nil, isActive: client.isActive, isRemovedContact: client.isRetiredAddress(lower))
        }
        return nil
    }

    /// The client a new ticket from `address` opens for: the sender's, unless it is deactivated or the sender is a
    /// contact it removed; then (and for a sender no client knows) the triage client, else a not-found refusal (a
    /// transport bounces it: LMTP 550).
    private func clientFor(_ match: SenderMatch?, address: String, policy: MailPolicy) throws -> String {
        if let match {
            if match.isActive && !match.isRemovedContact { return match.client }
            if let triage = policy.triageClient { return try existingTriageClient(triage) }
            if match.isRemovedContact {
                throw DomainError(
                    .notFound,
                    "mail from \(address) is from a removed contact of client \(match.client) (someone who left it), and opens no ticket for it; add the address as a contact again (`docket client contact add \(match.client) --email \(address) …`) or pass --triage-client CODE to keep such mail")
            }
            throw DomainError(
                .notFound,
                "mail from \(address) is from client \(match.client), which is deactivated; reactivate it (`docket client reactivate \(match.client)`) or pass --triage-client CODE to keep its mail")
        }
        if let triage = policy.triageClient { return try existingTriageClient(triage) }
        throw DomainError(
            .notFound,
            "mail from \(address.isEmpty ? "an unknown sender" : address) matches no client's contact or domain; add the sender as a contact (`docket client contact add`), the domain to a client (`docket client update --domain`), or pass --triage-client CODE")
    }

    /// The first lines of the description of a ticket that mail from a former client (deactivated) or from a contact
    /// its client removed opens on the triage `client`: whose the mail is and why it is here, so the dispatcher
    /// triaging it need not work that out (the ticket read like any stranger's). Empty for any other ticket.
    private static func triaged(_ match: SenderMatch?, to client: String, address: String) -> String {
        guard let match, match.client != client else { return "" }
        if match.isRemovedContact {
            return "From \(address), a removed contact of client \(match.client) (someone who left it): opened on the triage client \(client), not for \(match.client).\n\n"
        }
        guard !match.isActive else { return "" }
        let who = match.contact.map { "client \(match.client)'s contact \($0) (\(address))" } ?? "\(address), of client \(match.client)'s domain"
        return "From \(who), but client \(match.client) is deactivated (a former client): opened on the triage client \(client), not for \(match.client).\n\n"
    }

    /// `code`, checked to name a client before anything (an attachment file) is written for a message.
    private func existingTriageClient(_ code: String) throws -> String {
        do {
            _ = try directory.client(code)
        } catch let error as DomainError where error.code == .notFound {
            throw DomainError(
                .notFound, "the triage client \(code) does not exist; pass an existing client's code to --triage-client (`docket client list`)")
        }
        return code
    }

    /// Opens a ticket for `message`: `.opened`, or `.duplicate` when another delivery of the same message (another
    /// process, at the same time) opened it first.
    private func openMailTicket(
        _ message: ParsedMessage, messageId: String, client: String, contact: String?, description: String, sender: MailAddress?,
        policy: MailPolicy, as actor: String, commandId: String
    ) throws -> MailOutcome {
        var intake = TicketIntake(
            client: client, contact: contact, priority: .p3, source: .email,
            subject: TicketSubject.fromIntake(message.subject ?? ""), description: description)
        let routing = try routeNewTicket(&intake)
        let event = mailEvent(message, messageId: messageId, sender: sender, kind: "new")
        // The attachments once the opening is decided (a refused one leaves no file behind), before it is appended.
        let opening = try tickets.openTicketOnce(intake, as: actor, commandId: commandId, routing: routing) { _ in
            try storeAttachments(message, policy: policy)
            return [event]
        }
        return opening.isNew ? .opened(opening.number) : .duplicate(opening.number)
    }

    /// The `ticket.mail-received` event for `message`, filed as `messageId`, of `kind` (`new`, `reply`, `staff`, …).
    func mailEvent(_ message: ParsedMessage, messageId: String, sender: MailAddress?, kind: String) -> NewEvent {
        let payload = TicketMailReceived(
            messageId: messageId, from: sender?.address ?? "", fromName: DisplayName.fromOutside(sender?.name),
            subject: message.subject ?? "", text: message.textBody ?? "", kind: kind,
            attachments: message.attachments.map {
                MailAttachmentRef(name: $0.filename ?? "", contentType: $0.contentType, size: $0.size, sha256: $0.sha256)
            },
            to: Self.addresses(message.to), cc: Self.addresses(message.cc), references: Self.thread(before: message))
        let event = TicketMailEvent.received(payload)
        return NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())
    }

    /// The Message-IDs of the thread before `message` (its References, else its In-Reply-To), usable ones only,
    /// trimmed as our References are (``OutboundMessage/trimmedThread(_:)``); nil when none.
    private static func thread(before message: ParsedMessage) -> [String]? {
        let ids = (message.references.isEmpty ? message.inReplyTo : message.references).filter(isUsableMessageId)
        return ids.isEmpty ? nil : OutboundMessage.trimmedThread(ids)
    }

    /// The addresses of `mailboxes`, or nil when none has one (the field is then left out of the event).
    private static func addresses(_ mailboxes: [MailAddress]) -> [String]? {
        let found = mailboxes.compactMap(\.address)
        return found.isEmpty ? nil : found
    }

    /// Writes each attachment's bytes to `<folder>/<first 2 hex>/<sha256>` (folders 0700, files 0600),
    /// skipping those already there.
    func storeAttachments(_ message: ParsedMessage, policy: MailPolicy) throws {
        guard let root = policy.attachmentsFolder, !message.attachments.isEmpty else { return }
        for attachment in message.attachments { try AttachmentFiles.write(attachment.bytes, sha256: attachment.sha256, in: root) }
    }
}

extension IntakeService {
    /// Keeps a message the parser refused (`error`) whole, so no email is ever lost: its raw bytes are stored
    /// content-addressed as `unparsed-message.eml` (`message/rfc822`) on a new ticket for the triage client,
    /// titled "Unreadable email received <date>", whose description names the parse error. The same bytes
    /// delivered again are a duplicate. Throws when the policy has no triage client (nothing is written).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func receiveUnparsedMail(_ raw: [UInt8], error: MailParseError, policy: MailPolicy, as actor: String) throws -> MailOutcome {
        guard let triage = policy.triageClient else {
            throw DomainError(.invalid, "\(error.message); pass --triage-client CODE to keep unreadable messages whole on a ticket for that client")
        }
        let hash = SHA256.hexDigest(raw)
        let messageId = "sha256-" + hash + "@docket.invalid"
        let commandId = CommandIds.mailTaken(messageId)
        if let earlier = try models.mail.ticket(forMessageId: messageId, in: store) { return .duplicate(earlier) }
        if let earlier = try store.result(ofCommand: commandId),
            let number = TicketNumber(String(earlier.stream.dropFirst("ticket-".count)))
        {
            return .duplicate(number)
        }
        let client = try existingTriageClient(triage)
        let stamp = clock.now().iso8601.prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
        let description = """
            Docket could not read this email: \(error.message) (\(error.code)).
            The message is kept whole, exactly as received (\(raw.count) bytes), as the attachment \
            unparsed-message.eml (message/rfc822, sha256 \(hash)).
            """
        let intake = TicketIntake(
            client: client, contact: nil, priority: .p3, source: .email, subject: "Unreadable email received \(stamp)",
            description: description)
        let payload = TicketMailReceived(
            messageId: messageId, from: "", fromName: nil, subject: "", text: "", kind: "new",
            attachments: [MailAttachmentRef(name: "unparsed-message.eml", contentType: "message/rfc822", size: raw.count, sha256: hash)])
        let mail = TicketMailEvent.received(payload)
        let event = NewEvent(type: mail.eventType, schemaVersion: mail.schemaVersion, payload: mail.payload())
        let opening = try tickets.openTicketOnce(intake, as: actor, commandId: commandId) { _ in
            if let root = policy.attachmentsFolder { try AttachmentFiles.write(raw, sha256: hash, in: root) }
            return [event]
        }
        return opening.isNew ? .opened(opening.number) : .duplicate(opening.number)
    }
}

/// Whom a mail's sender belongs to (``IntakeService`` `matchSender`).
private struct SenderMatch {
    /// The client's code.
    var client: String
    /// The contact the address is, when it is one.
    var contact: String?
    /// Whether the client is active.
    var isActive: Bool
    /// The address is in one of the client's domains and was a contact the client removed.
    var isRemovedContact = false
}
