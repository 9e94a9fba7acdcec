import Domain
import EventLog

/// One event of a ticket's stream: the ticket's own, or one another subsystem recorded on it.
public enum TicketChange: Sendable, Equatable {
    case ticket(TicketEvent)
    case alert(TicketAlertEvent)
    case mail(TicketMailEvent)
    /// Mail Docket queued to the client (`ticket.mail-queued`).
    case outbox(OutboxEvent)
    case sla(TicketSLAEvent)
    /// A type this Docket does not know (from a newer version): shown by its type name.
    case other(String)

    /// Reads a recorded event of a ticket stream.
    public init(_ recorded: RecordedEvent) throws {
        let (type, version, payload) = (recorded.type, recorded.schemaVersion, recorded.payload)
        if TicketEvent.catalog.contains(where: { $0.type == type }) {
            self = .ticket(try TicketEvent.decode(type: type, schemaVersion: version, payload: payload))
        } else if TicketSLAEvent.handles(type: type) {
            self = .sla(try TicketSLAEvent.decode(type: type, schemaVersion: version, payload: payload))
        } else if TicketAlertEvent.catalog.contains(where: { $0.type == type }) {
            self = .alert(try TicketAlertEvent.decode(type: type, schemaVersion: version, payload: payload))
        } else if TicketMailEvent.catalog.contains(where: { $0.type == type }) {
            self = .mail(try TicketMailEvent.decode(type: type, schemaVersion: version, payload: payload))
        } else if OutboxEvent.handles(type: type) {
            self = .outbox(try OutboxEvent.decode(type: type, schemaVersion: version, payload: payload))
        } else {
            self = .other("\(type).v\(version)")
        }
    }

    /// The ticket's own event, if this is one.
    public var ticketEvent: TicketEvent? {
        if case .ticket(let event) = self { return event }
        return nil
    }
}
