/// Whether a queued message may still go when `docket outbox send` comes to it: a client message (acknowledgement,
/// reply, resolution, merge notice) to a ticket whose contact was removed from the client after it was queued must not — someone
/// who left the client's company gets none of its tickets' mail, also none queued before they left.
public enum MailCancellation {
    /// The reasons that write to the ticket's client (staff notices and sign-in links are not about the contact).
    public static let clientReasons: Set<OutboundReason> = [.acknowledgement, .reply, .resolution, .mergeNotice]

    /// The `mail.cancelled` for message `messageId` queued for `reason` on a ticket of `client` whose contact is
    /// `ticketContact`; nil when it may be sent.
    public static func decide(messageId: String, reason: OutboundReason, ticketContact: String?, client: ClientState) -> MailCancelled? {
        guard clientReasons.contains(reason), let contact = ticketContact, client.retiredContactIds.contains(contact) else { return nil }
        return MailCancelled(messageId: messageId, reason: "contact \(contact) was removed from client \(client.code ?? "")")
    }
}
