import Domain
import EventLog

/// One event of a ticket's stream: the ticket's own, or one another subsystem recorded on it.
public enum TicketChange: Sendable, Equatable {
    case ticket(TicketEvent)
    case alert(TicketAlertEvent)
    case mail(TicketMailEvent)
    /// A file added to the ticket (`ticket.attachment-added`).
    case attachment(TicketAttachmentEvent)
    /// Mail Docket queued to the client (`ticket.mail-queued`).
    case outbox(OutboxEvent)
    case sla(TicketSLAEvent)
    /// A type this Docket does not know (from a newer version): shown by its type name.
    case other(String)

    /// Reads a recorded event of a ticket stream (through ``DocketEvent``'s one dispatch); a comment is read with its
    /// author (``TicketEvent/attributed(to:)``), so a portal contact's reply is the client's in stores of every age.
    public init(_ recorded: RecordedEvent) throws {
        let (type, version, payload) = (recorded.type, recorded.schemaVersion, recorded.payload)
        let event: DocketEvent
        do {
            event = try DocketEvent.decode(type: type, schemaVersion: version, payload: payload)
        } catch let error as EventDecodingError where error.reason == .unknownType {
            self = .other("\(type).v\(version)")
            return
        }
        switch event {
        case .ticket(let e): self = .ticket(e.attributed(to: recorded.actor))
        case .ticketSLA(let e): self = .sla(e)
        case .ticketAlert(let e): self = .alert(e)
        case .ticketMail(let e): self = .mail(e)
        case .ticketAttachment(let e): self = .attachment(e)
        case .outbox(let e): self = .outbox(e)
        default: self = .other("\(type).v\(version)")
        }
    }

    /// The ticket's own event, if this is one.
    public var ticketEvent: TicketEvent? {
        if case .ticket(let event) = self { return event }
        return nil
    }
}
