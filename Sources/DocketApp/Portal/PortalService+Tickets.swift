import DocketTime
import Domain
import EventLog
import Foundation

/// A ticket as a contact sees it in the portal: its summary and its public conversation, never internal notes.
public struct PortalTicket: Sendable, Equatable {
    /// One message of the conversation: the description, a public reply from the MSP, or the contact's own reply.
    public struct Entry: Sendable, Equatable {
        public var at: Timestamp
        /// Who wrote it, as the contact should read it (the technician's name, or the contact's).
        public var author: String
        /// True when a contact of the client wrote it (in the portal or by mail).
        public var fromClient: Bool
        public var text: String
        /// The files the contact added with it in the portal.
        public var attachments: [TicketAttachmentAdded] = []
    }

    public var summary: TicketSummary
    public var entries: [Entry]
    /// The contact's rating in force of the ticket's latest close (a later rating replaces an earlier one); nil when
    /// that close is not rated, or the ticket was never closed.
    public var rating: TicketRated? = nil
}

/// What a contact fills in to open a ticket in the portal.
public struct PortalTicketForm: Sendable, Equatable {
    public var subject: String
    public var description: String
    public var category: String?
    public var priority: Priority

    public init(subject: String, description: String, category: String? = nil, priority: Priority = .p3) {
        self.subject = subject
        self.description = description
        self.category = category
        self.priority = priority
    }
}

extension PortalService {
    /// The signed-in contact's client's tickets, newest first (at most `limit`); with `search`, only those whose
    /// subject, resolution note or category holds every word of it (``QueueFilter/search``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clientTickets(for signedIn: SignedIn, search: String? = nil, limit: Int = 200) throws -> [TicketSummary] {
        let words = search.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : String($0.prefix(200)) }
        return try tickets.list(QueueFilter(client: signedIn.client, search: words), limit: limit)
            .filter { PortalTenancy.maySee(ticketClient: $0.client, contactClient: signedIn.client) }
    }

    /// Ticket `number` with its public conversation. Another client's ticket and a missing one give the same
    /// ``DomainError/Code/notFound``, so numbers cannot be probed.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func ticket(_ number: TicketNumber, for signedIn: SignedIn) throws -> PortalTicket {
        let summary = try visibleSummary(number, for: signedIn)
        var entries: [PortalTicket.Entry] = []
        var names: [String: String] = [:]
        let client = try directory.client(signedIn.client)
        func author(_ actor: String) -> (String, Bool) {
            if actor.hasPrefix("contact:") {
                let id = String(actor.dropFirst("contact:".count))
                return (client.contacts[id]?.name ?? client.name, true)
            }
            if let name = names[actor] { return (name, false) }
            let name = (try? directory.user(actor).name).flatMap { $0.isEmpty ? nil : $0 } ?? "Support"
            names[actor] = name
            return (name, false)
        }
        var rating: TicketRated?
        for (recorded, change) in try tickets.ticketHistory(number) {
            if case .ticket(.closed) = change { rating = nil }
            if case .ticket(.rated(let rated)) = change { rating = rated }
            if case .attachment(.added(let file)) = change, Self.isShown(recorded), !entries.isEmpty {
                entries[entries.count - 1].attachments.append(file)
                continue
            }
            guard case .ticket(let event) = change, let shown = PortalTenancy.publicEvents([event]).first else { continue }
            switch shown {
            case .opened(let opened) where !opened.description.isEmpty:
                let contactName = (opened.contact ?? summary.contact).flatMap { client.contacts[$0]?.name }
                let (name, fromClient) = opened.source == .portal || opened.source == .email ? (contactName ?? client.name, true) : author(recorded.actor)
                entries.append(.init(at: recorded.recordedAt, author: name, fromClient: fromClient, text: opened.description))
            case .commented(let comment):
                let (name, fromClient) = author(recorded.actor)
                entries.append(.init(at: recorded.recordedAt, author: name, fromClient: fromClient, text: comment.text))
            default: continue
            }
        }
        return PortalTicket(summary: summary, entries: entries, rating: rating)
    }

    /// Adds the contact's public reply to ticket `number` (not mailed back to them); a ticket waiting on the client goes
    /// back to in progress in the same append, as with a reply by mail. A closed ticket is refused. `attachments` are
    /// checked against the limits and stored before the append, which records them (`ticket.attachment-added`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func reply(_ number: TicketNumber, text: String, attachments: [PortalUpload] = [], for signedIn: SignedIn) throws {
        _ = try visibleSummary(number, for: signedIn)
        guard text.utf8.count <= Self.maxTextBytes else {
            throw DomainError(.invalid, "the reply is over \(Self.maxTextBytes) bytes; shorten it")
        }
        if let problem = Self.uploadProblem(attachments) { throw DomainError(.invalid, problem) }
        let context = contactContext(signedIn.contact)
        if !attachments.isEmpty {
            // A reply the ticket refuses (closed, empty) is refused before any file is written.
            let (state, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(number))
            _ = try TicketDecider.decide(.comment(text, visibility: .public), state: state, context: context)
        }
        let files = try storedUploads(attachments)
        let stream = StreamName.ticket(number)
        try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in () }) {
            let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
            var events = try TicketDecider.decide(.comment(text, visibility: .public), state: state, context: context)
            if state.status == .waitingOnClient {
                events += try TicketDecider.decide(.setStatus(.inProgress), state: events.reduce(state, TicketDecider.evolve), context: context)
            }
            var request = kernel.request(stream: stream, version: version, events: events, context: context, commandId: nil)
            request.events += files
            return CommandKernel.Decision(appends: [request], output: ())
        }
    }

    /// Opens a ticket for the contact's client with the contact as its contact (source `portal`), routed by the routing
    /// rules like mail and alerts; the SLA, the acknowledgement mail and the number are as for any other ticket. `attachments` are checked against the limits and
    /// stored before the append, which records them after the opening (`ticket.attachment-added`). Returns the number.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func openTicket(_ form: PortalTicketForm, attachments: [PortalUpload] = [], for signedIn: SignedIn) throws -> TicketNumber {
        guard Self.allowedPriorities.contains(form.priority) else {
            let allowed = Self.allowedPriorities.map(\.rawValue).joined(separator: ", ")
            throw DomainError(.invalid, "priority \(form.priority) cannot be chosen in the portal; use one of \(allowed), or call us")
        }
        guard form.subject.utf8.count <= Self.maxSubjectBytes, !form.subject.contains(where: \.isNewline) else {
            throw DomainError(.invalid, "the subject must be one line of at most \(Self.maxSubjectBytes) bytes; shorten it")
        }
        guard form.description.utf8.count <= Self.maxTextBytes else {
            throw DomainError(.invalid, "the description is over \(Self.maxTextBytes) bytes; shorten it")
        }
        var intake = TicketIntake(
            client: signedIn.client, contact: signedIn.contact, category: form.category.flatMap { $0.isEmpty ? nil : $0 }, priority: form.priority,
            source: .portal, subject: form.subject, description: form.description)
        if let problem = Self.uploadProblem(attachments) { throw DomainError(.invalid, problem) }
        let context = contactContext(signedIn.contact)
        // Routing rules apply as to mail and alerts: a rule's priority (P1 included: it is the MSP's rule) and category
        // go into the opening; its note, assignment and template reply are appended with it.
        let routing = try directory.routeNewTicket(&intake)
        let files = try storedUploads(attachments)
        return try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in throw DomainError(.conflict, "unexpected retry") }) {
            try tickets.openDecision(intake, context: context, routing: routing, also: { _ in files })
        }
    }

    /// The ticket's summary when the contact's client may see it; the same not-found as a missing ticket otherwise.
    func visibleSummary(_ number: TicketNumber, for signedIn: SignedIn) throws -> TicketSummary {
        guard let summary = try models.queue.summary(number, in: store),
            PortalTenancy.maySee(ticketClient: summary.client, contactClient: signedIn.client)
        else { throw DomainError(.notFound, "there is no ticket \(number) for you; see your tickets") }
        return summary
    }
}
