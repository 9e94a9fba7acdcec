import Domain
import EventLog

/// The live secret in a portal sign-in mail (docs/security.md, "Who reads what"): `portal.link-issued` keeps only the
/// link's hash, but the queued mail (`ticket.mail-queued`, reason `sign-in`) holds the link itself, with which anyone
/// could sign in as the contact while it is unused and fresh. Only an admin reads it as stored; the outbox's sender
/// reads the outbox itself, not the log.
public enum SignInSecrets {
    /// What stands in for the body of a sign-in mail hidden from its reader.
    public static let hidden = "[sign-in link hidden]"

    /// Whether a reader of `role` (nil: not a known, active user) may read sign-in links.
    public static func mayRead(_ role: Role?) -> Bool { role == .admin }

    /// `message` (a whole RFC 5322 message, CRLF line ends) with its body replaced by ``hidden``: the body of a
    /// sign-in mail is the link (quoted-printable, so the link's secret may be split by soft line breaks), and its
    /// headers say all else.
    public static func hidingBody(of message: String) -> String {
        guard let end = message.range(of: "\r\n\r\n") else { return hidden }
        return String(message[..<end.upperBound]) + hidden + "\r\n"
    }

    /// `event` as a reader of `role` may see it: a sign-in mail's message with its body hidden unless they may read
    /// sign-in links (``mayRead(_:)``); any other event as it is. Only the copy shown changes, never the log.
    public static func readable(_ event: RecordedEvent, by role: Role?) -> RecordedEvent {
        guard !mayRead(role), event.type == TicketMailQueued.descriptor.type,
            case .queued(var mail)? = try? OutboxEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload),
            mail.reason == .signIn
        else { return event }
        mail.message = hidingBody(of: mail.message)
        var shown = event
        shown.payload = OutboxEvent.queued(mail).payload()
        return shown
    }
}
