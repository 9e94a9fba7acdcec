import DocketTime

/// Whether a queued message may still go when `docket outbox send` comes to it: mail to a client's contact who was
/// removed from the client after it was queued must not — someone who left the client's company gets none of its
/// tickets' mail (acknowledgement, reply, resolution, merge notice to the ticket's contact), also none queued before
/// they left, and no portal sign-in link they asked for before (it would not sign them in: the portal no longer knows
/// them). Nor may a sign-in link that expired while it waited (the mail system was down): it would not sign anyone in.
public enum MailCancellation {
    /// The reasons that write to the ticket's client (staff notices and sign-in links are not about the ticket's contact).
    public static let clientReasons: Set<OutboundReason> = [.acknowledgement, .reply, .resolution, .mergeNotice]

    /// The `mail.cancelled` for message `messageId` queued for `reason` to `contact` of `client` (for ticket mail, the
    /// ticket's contact; for a sign-in link, the contact who asked for it); nil when it may be sent.
    public static func decide(messageId: String, reason: OutboundReason, contact: String?, client: ClientState) -> MailCancelled? {
        guard clientReasons.contains(reason) || reason == .signIn, let contact, client.retiredContactIds.contains(contact) else { return nil }
        return MailCancelled(messageId: messageId, reason: "contact \(contact) was removed from client \(client.code ?? "")")
    }

    /// The `mail.cancelled` for the sign-in mail `messageId` carrying `link` when, at `now`, the link no longer works
    /// (``PortalDecider/linkLifetime`` after it was issued): a dead link is never sent, and its lifetime is never
    /// extended; the contact asks the portal for a new one. Nil while it still works.
    public static func expiredLink(messageId: String, link: PortalLinkIssued, now: Timestamp) -> MailCancelled? {
        guard now.millisecondsSinceEpoch >= link.expiresAt.millisecondsSinceEpoch else { return nil }
        return MailCancelled(
            messageId: messageId,
            // No instant in the words (people read them among times in their own zone): the link's `expiresAt` keeps it.
            reason: "the sign-in link expired (links work for \(PortalDecider.linkLifetime / 60_000) minutes) before it could be sent; "
                + "the contact can ask the portal for a new one")
    }
}
