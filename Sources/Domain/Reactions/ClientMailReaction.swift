import DocketTime

/// Queues the client's mail (`ticket.mail-queued`, the whole message in the event): the acknowledgement of a ticket
/// being opened, a reply with each public comment, a resolution notice with the close, a notice to the requester
/// of a ticket merged into another, and the follow-up policy's reminder of a ticket waiting on the client. It goes to the ticket's contact, else to the sender of the email that opened the
/// ticket, else to the last one that joined it; a ticket with none of them gets none. The requesters of tickets merged
/// into it get its mail too, as Cc (merges are within one client), and so do the addresses on its mail thread and on
/// theirs (``MailThread/addresses(_:mergedIn:staff:)``) for replies and the resolution, other than the MSP's own (``MailThread/isOurs(_:supportAddress:users:)``)
/// and removed contacts' (``ClientState/isRetiredAddress(_:)``).
/// It answers (In-Reply-To) the recipient's own last message, its References that message's thread and the message
/// (RFC 5322 §3.6.4).
/// The acknowledgement, which nobody decides to send, goes only to a known address — the contact's, or one in the
/// client's domains: a stranger's mail on the triage client is not acknowledged, since its From is anyone's to forge
/// and the acknowledgement would carry the stranger's subject and name from the MSP's own address to a victim.
/// Bodies are the mail templates in force (``MailTemplate``).
public struct ClientMailReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        // Each mail: its template, its reason, its own placeholders and the subject a reply template gave it.
        let triggers: [(MailTemplate, OutboundReason, [String: String], String?)] = input.causedTicketEvents.compactMap { event in
            switch event {
            case .opened: (.acknowledgement, .acknowledgement, [:], nil)
            // A technician's own email recorded as their reply: the client has it already.
            case .commented(let comment) where comment.visibility == .public && comment.mailMessageId == nil:
                (.reply, .reply, ["reply.text": comment.text], comment.mailSubject)
            case .closed(let closed): (.resolution, .resolution, ["resolution.text": closed.resolution], nil)
            case .merged(let merged): (.mergeNotice, .mergeNotice, ["merge.into": merged.into.description], nil)
            case .followUpSent: (.followUp, .followUp, [:], nil)
            default: nil
            }
        }
        guard !triggers.isEmpty else { return .none }
        let history = input.opening == nil ? try state.ticketHistory() : []
        let (ticket, subject) = state.ticket(history: history, caused: input.caused)
        let received = (history + input.caused).compactMap { if case .ticketMail(.received(let mail)) = $0 { mail } else { nil } }
        let queued = history.filter { if case .outbox(.queued) = $0 { true } else { false } }.count
        let client = try? state.client(ticket.client)
        // The requesters of tickets merged into this one are kept informed here, as Cc (or To when it has none).
        let own = Self.recipient(client: client, contact: ticket.contact, received: received)
        var everyone = own.map { [$0] } ?? []
        var merged = Self.mergedIn(history + input.caused)
        var mergedHistories: [[DocketEvent]] = []
        var index = 0
        while index < merged.count {  // also the tickets merged into those, in merge order
            let theirs = try state.ticketHistory(of: merged[index])
            mergedHistories.append(theirs)
            index += 1
            merged += Self.mergedIn(theirs).filter { !merged.contains($0) }
            let mails = theirs.compactMap { if case .ticketMail(.received(let mail)) = $0 { mail } else { nil } }
            let contact = state.ticket(history: theirs, caused: []).state.contact
            if let requester = Self.recipient(client: client, contact: contact, received: mails),
                !everyone.contains(where: { $0.address.lowercased() == requester.address.lowercased() })
            {
                everyone.append(requester)
            }
        }
        guard let recipient = everyone.first else { return .none }
        let requesters = everyone.dropFirst().map { Mailbox(address: $0.address, name: $0.name) }
        let known = own != nil && Self.isKnown(recipient.address, client: client, contact: ticket.contact)
        let sending = triggers.filter { $0.1 != .acknowledgement || known }
        guard !sending.isEmpty else { return .none }
        // The ticket's mail thread is on Cc of what a person writes to the client (replies, the resolution): whom the
        // client or a technician brought into the conversation, such as the client's ISP.
        var participants: [Mailbox] = []
        if sending.contains(where: { Self.copiesThread.contains($0.1) }) {
            let support = Self.address(of: input.supportAddress).lowercased()
            let users = Set(try state.users().map { $0.email.lowercased() })
            let named = Set(everyone.map { $0.address.lowercased() })
            participants = MailThread.addresses(history + input.caused, mergedIn: mergedHistories, staff: users.union([support]))
                .filter { Self.isUsable($0) && !named.contains($0) && !MailThread.isOurs($0, supportAddress: support, users: users) }
                .filter { client?.isRetiredAddress($0) != true }
                .map { Mailbox(address: $0, name: nil) }
        }
        let fromRecipient = received.last { ($0.kind == "new" || $0.kind == "reply") && $0.from.lowercased() == recipient.address.lowercased() }
        let parent = fromRecipient ?? received.last { $0.kind == "new" || $0.kind == "reply" }
        let inReplyTo = parent?.messageId
        let references = parent.map { OutboundMessage.referencesChain(parentReferences: $0.references ?? [], parent: $0.messageId) } ?? []
        var ids = MessageIds(seed: input.messageSeed)
        let number = input.ticket
        var common = [
            "ticket.number": number.description, "ticket.subject": subject, "client.name": client?.name ?? ticket.client,
            "recipient.name": recipient.name ?? "", "greeting": "Hello" + (recipient.name.map { " " + $0 } ?? ""),
        ]
        var events: [DocketEvent] = []
        for (index, (template, reason, values, ownSubject)) in sending.enumerated() {
            common.merge(values) { $1 }
            let cc = requesters + (Self.copiesThread.contains(reason) ? participants : [])
            var body = try template.render(stored: try state.storedTemplate(template.name), values: common)
            if reason == .resolution, let survey = try Self.survey(input: input, state: state, ticket: ticket, client: client, recipient: own) {
                events.append(.ticket(.surveySent(survey.sent)))
                body += survey.block
            }
            let messageId = "\(number).\(queued + index + 1).\(ids.next(padded: true))@docket"
            let fullSubject = Self.subject(number: number, ticketSubject: subject, reason: reason, templateSubject: ownSubject)
            let message = OutboundMessage(
                from: input.supportAddress, to: recipient.address, toName: recipient.name, subject: fullSubject, date: input.context.now,
                messageId: messageId, inReplyTo: inReplyTo, isAutomatic: reason == .acknowledgement, ticket: number.description, body: body,
                references: references, cc: cc)
            events.append(.outbox(.queued(TicketMailQueued(
                messageId: messageId, reason: reason, to: [recipient.address] + cc.map(\.address), subject: fullSubject, inReplyTo: inReplyTo,
                message: message.rendered, cc: cc.isEmpty ? nil : cc.map(\.address)))))
        }
        return ReactionOutput(events: events)
    }

    /// The survey a resolution mail carries (the `ticket.survey-sent` and the block of links put after the template's
    /// body, which a store's own `mail-resolution` cannot leave out), or nil: no secret was given, the survey is off for
    /// the store or the ticket's client (``SurveySettings/linkBase(client:)``), or the mail does not go To the ticket's
    /// contact (who the rating is from: a ticket without a contact, or mail to a requester, gets no links).
    static func survey(
        input: ReactionInput, state: any ReactionState, ticket: TicketState, client: ClientState?, recipient: (address: String, name: String?)?
    ) throws -> (sent: TicketSurveySent, block: String)? {
        guard let secret = input.surveySecret, ticket.closes > 0, let contact = ticket.contact,
            let details = client?.contacts[contact], let recipient, recipient.address.lowercased() == details.email.lowercased()
        else { return nil }
        let settings = try state.surveySettings(client: ticket.client)
        guard let base = settings.store.linkBase(client: settings.client) else { return nil }
        let token = "\(input.ticket).\(ticket.closes).\(secret.secret)"
        let link = { (rating: SatisfactionRating) in "\(base)/portal/rate/\(token)/\(rating.rawValue)" }
        let sent = TicketSurveySent(
            close: ticket.closes, contact: contact, linkHash: secret.hash,
            expiresAt: Timestamp(millisecondsSinceEpoch: input.context.now.millisecondsSinceEpoch + Satisfaction.linkLifetime))
        let block = """


            How did we do? One click tells us (you can add a comment on the page it opens):
            Good: \(link(.good))
            Okay: \(link(.okay))
            Bad:  \(link(.bad))
            The links work for 30 days.
            """
        return (sent, block)
    }

    /// The subject of a mail about ticket `number`: `[T-1042] <ticket subject>`, `Re: ` before it for a reply. A reply
    /// written with a template that has a subject carries that instead, the token put in front of it (after a leading
    /// `Re:`): `[T-1042] Password reset`, `Re: [T-1042] Printer offline`; as it is when it has the token already. The
    /// token is what the client's answer is threaded by.
    static func subject(number: TicketNumber, ticketSubject: String, reason: OutboundReason, templateSubject: String?) -> String {
        let token = "[\(number)]"
        guard let templateSubject else { return (reason == .reply ? "Re: " : "") + "\(token) \(ticketSubject)" }
        if templateSubject.contains(token) { return templateSubject }
        if templateSubject.prefix(3).lowercased() == "re:" {
            return "Re: \(token) " + templateSubject.dropFirst(3).drop { $0 == " " }
        }
        return "\(token) \(templateSubject)"
    }

    /// The mail that goes to the ticket's mail thread on Cc as well (``MailThread``): what a person writes to the
    /// client, and the reminder that asks for what they wrote about. Not the acknowledgement, which nobody decides to send (those on the opening mail's To and Cc have that
    /// mail already, and whoever forges a client's From would choose whom the MSP writes to), nor a merge notice, which
    /// is about the requester's own request.
    static let copiesThread: Set<OutboundReason> = [.reply, .resolution, .followUp]

    /// The address of a mailbox as written in a header: `support@msp.example`, or `Help Desk <support@msp.example>`.
    static func address(of mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else { return mailbox }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    /// Who client mail goes to: the contact's address, else the sender of the email that opened the ticket, else of
    /// the last one that joined it; nil when there is none, and when the ticket's contact was removed from the client (someone who left
    /// the client's company must not go on getting its tickets' replies, which fell back to their last mail).
    static func recipient(client: ClientState?, contact: String?, received: [TicketMailReceived]) -> (address: String, name: String?)? {
        if let contact, let details = client?.contacts[contact], !details.email.isEmpty {
            return (details.email, details.name.isEmpty ? nil : details.name)
        }
        if let contact, client?.retiredContactIds.contains(contact) == true { return nil }
        let usable = Self.isUsable
        // The requester (who opened the ticket by mail), else whoever last replied: not the last replier first, who
        // may be a colleague on Cc — or a technician whose answer to a staff notice threaded as a reply.
        let requester = received.first { $0.kind == "new" && usable($0.from) } ?? received.last { $0.kind == "reply" && usable($0.from) }
        if let mail = requester {
            return (mail.from, DisplayName.fromOutside(mail.fromName))  // older events kept the name as it came
        }
        return nil
    }

    /// Whether `address` can be written into a header as it is: it has an `@`, and no white space or control
    /// character (a line break would start a header of the sender's choosing).
    static func isUsable(_ address: String) -> Bool {
        address.contains("@") && !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    /// The tickets merged into the one whose events are `events`, in merge order.
    static func mergedIn(_ events: [DocketEvent]) -> [TicketNumber] {
        events.compactMap { if case .ticket(.mergeReceived(let merge)) = $0 { merge.from } else { nil } }
    }

    /// Whether `address` is one the MSP knows for this client: the ticket's contact's, or in one of the client's
    /// domains.
    static func isKnown(_ address: String, client: ClientState?, contact: String?) -> Bool {
        guard let client else { return false }
        if let contact, client.contacts[contact]?.email.lowercased() == address.lowercased() { return true }
        return client.hasDomain(of: address)
    }
}

/// The random part of queued messages' Message-IDs: 32 bits in hex, drawn from a seed (SplitMix64), so that a
/// reaction given the same seed writes the same IDs.
struct MessageIds {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next value in lower-case hex; `padded` to 8 digits.
    mutating func next(padded: Bool) -> String {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let hex = String((z ^ (z >> 31)) & 0xFFFF_FFFF, radix: 16)
        return padded ? String(repeating: "0", count: 8 - hex.count) + hex : hex
    }
}
