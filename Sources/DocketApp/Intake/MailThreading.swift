import Domain
import EventLog
import MailParser

// Which ticket an email belongs to, and whether its sender may add to that ticket.

extension IntakeService {
    /// The first of `ids` (usable ones only) that Docket received or sent, with its ticket: the `mail` and
    /// `outbox` read models.
    func ticketByMessageId(_ ids: [String]) throws -> (ticket: TicketNumber, messageId: String)? {
        for id in ids where IntakeService.isUsableMessageId(id) {
            if let number = try models.mail.ticket(forMessageId: id, in: store) ?? models.outbox.ticket(forMessageId: id, in: store) {
                return (number, id)
            }
        }
        return nil
    }

    /// The Message-IDs a message threads by, in the order tried: In-Reply-To, References (newest first), and for
    /// machine mail the original's Message-ID inside a report (``ParsedMessage/reportedMessageIds``).
    static func threadingIds(_ message: ParsedMessage, isMachineMail: Bool) -> [String] {
        message.inReplyTo + message.references.reversed() + (isMachineMail ? message.reportedMessageIds : [])
    }

    /// The ticket a `[T-1042]` subject token names, trusted only when that ticket belongs to `client` (nil: any
    /// client's, for a user's proven mail).
    func ticketBySubjectToken(_ subject: String?, client: String?) throws -> TicketNumber? {
        guard let subject else { return nil }
        var rest = Substring(subject)
        while let open = rest.firstIndex(of: "[") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "]") else { break }
            if let number = TicketNumber(String(rest[..<close]).trimmingCharacters(in: .whitespaces)),
                let summary = try models.queue.summary(number, in: store), client == nil || summary.client == client
            {
                return number
            }
        }
        return nil
    }

    /// Whether a reply from `address` threaded by Message-ID onto `number` is trusted: the address is one of the
    /// ticket's client's contacts (so also its contact), or in one of the client's domains, or was on the thread
    /// (From, To or Cc of a message received on it, a To or Cc a technician's proven email reply was sent to, or a
    /// recipient of one we sent). A contact the client removed (someone who left it) is trusted by none of these.
    func isTrustedReplySender(_ address: String, on number: TicketNumber) throws -> Bool {
        let lower = address.lowercased()
        guard !lower.isEmpty, let summary = try models.queue.summary(number, in: store) else { return false }
        let client = try directory.client(summary.client)
        if client.isRetiredAddress(lower) { return false }
        if client.contacts.values.contains(where: { $0.email.lowercased() == lower }) { return true }
        if client.hasDomain(of: lower) { return true }
        return try threadAddresses(number).contains(lower)
    }

    /// The addresses on ticket `number`'s mail thread (``threadAddresses(_:)``) other than the support address,
    /// sorted: who may answer its mail by Message-ID and land on it, besides any other address of the client's
    /// contacts and domains, and who is Cc'd on its public mail (`ticket show`, docs/intake.md).
    public func mailThread(_ number: TicketNumber) throws -> [String] {
        var addresses = try threadAddresses(number)
        addresses.remove(configuration.supportMailAddress.lowercased())
        return addresses.sorted()
    }

    /// Every address on a ticket's mail thread, lowercased (``MailThread/addresses(_:mergedIn:staff:)``, read from the
    /// ticket's stream and those of the tickets merged into it): senders, To and Cc of a person's mail received on it,
    /// recipients of ours to the client, the participants a technician's proven email reply brought in (other than the
    /// support address and users' addresses: a user's mail is staff's while they are active, and a deactivated user's
    /// is anyone's) and those put on by hand, less those taken off this ticket.
    func threadAddresses(_ number: TicketNumber) throws -> Set<String> {
        let events = try threadEvents(number)
        var merged = Self.mergedIn(events)
        var mergedEvents: [[DocketEvent]] = []
        var index = 0
        while index < merged.count {  // also the tickets merged into those, in merge order (as the mail reaction reads them)
            let theirs = try threadEvents(merged[index])
            index += 1
            mergedEvents.append(theirs)
            merged += Self.mergedIn(theirs).filter { !merged.contains($0) && $0 != number }
        }
        return Set(MailThread.addresses(events, mergedIn: mergedEvents, staff: try staffAddresses()))
    }

    /// The events of ticket `number` that ``MailThread`` reads, and its merges received.
    private func threadEvents(_ number: TicketNumber) throws -> [DocketEvent] {
        let stream = StreamName.ticket(number)
        var events: [DocketEvent] = []
        var next: UInt64 = 1
        while true {
            let page = try store.read(stream: stream, from: next, limit: 500)
            for event in page where Self.threadTypes.contains(event.type) {
                events.append(try DocketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload))
            }
            guard let last = page.last, page.count == 500 else { break }
            next = last.streamVersion + 1
        }
        return events
    }

    /// The tickets merged into the one whose events are `events`, in merge order.
    private static func mergedIn(_ events: [DocketEvent]) -> [TicketNumber] {
        events.compactMap { if case .ticket(.mergeReceived(let merge)) = $0 { merge.from } else { nil } }
    }

    /// The event types ``MailThread`` reads, and the merges that bring other tickets' threads in; the rest of a
    /// ticket's stream is not decoded.
    private static let threadTypes: Set<String> = [
        TicketMailReceived.descriptor.type, TicketCommented.descriptor.type, TicketMailQueued.descriptor.type,
        TicketParticipantAdded.descriptor.type, TicketParticipantRemoved.descriptor.type, TicketMergeReceived.descriptor.type,
    ]

    /// The support address and every user's address, lowercased: staff, never a participant of a client's thread.
    func staffAddresses() throws -> Set<String> {
        Set(try directory.users().map { $0.email.lowercased() } + [configuration.supportMailAddress.lowercased()])
    }

    /// The `ticket.mail-bounced` events for a bounce filed as `reportId`: one for each message of ours (queued on
    /// any ticket) that the report names by In-Reply-To, References or the original's Message-ID inside it, and that
    /// was sent: a message still waiting in the outbox cannot have bounced (a forged report would stop it forever).
    /// A report naming only messages handed to the transport whose delivery `outbox send` has not recorded yet is
    /// refused for now (``DomainError/Code/tryLater``): a local mail server bounces an unknown mailbox at once, and its
    /// report arrived before the `mail.sent` it follows and was dropped. The mail server keeps it and tries again.
    func bounceEvents(_ message: ParsedMessage, reportId: String, rule: MachineMailRule) throws -> [NewEvent] {
        var ours: [String] = []
        var unrecorded: [String] = []
        for id in IntakeService.threadingIds(message, isMachineMail: true) where IntakeService.isUsableMessageId(id) {
            guard let entry = try models.outbox.entry(id, in: store) else { continue }
            if entry.sentAt != nil {
                if !ours.contains(entry.messageId) { ours.append(entry.messageId) }
            } else if entry.status == .queued || entry.status == .failed {
                unrecorded.append(entry.messageId)
            }
        }
        if ours.isEmpty, let pending = unrecorded.first {
            throw DomainError(
                .tryLater,
                "a delivery report about \(pending), whose sending is not recorded yet (`outbox send` may be running); the mail server should deliver it again later")
        }
        return ours.map { id in
            let event = OutboxEvent.bounced(TicketMailBounced(messageId: id, reportMessageId: reportId, rule: rule.rawValue))
            return NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())
        }
    }
}
