/// Makes the sender of an email that opens a ticket a contact of the ticket's client when their address is in one of
/// the client's domains but is no contact yet: `client.contact-added` (the next free id `<code>-<n>`, marked
/// unverified until staff confirm) on the client's stream, and `ticket.contact-set` naming it on the ticket, in the
/// same transaction as the opening; never an address the client removed from its contacts. An actor who may not add
/// contacts, or a client that refuses them (deactivated), leaves the ticket without a contact.
public struct SenderContactReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        guard let opened = input.opening, opened.source == .email, opened.contact == nil,
            let mail = input.caused.lazy.compactMap({ if case .ticketMail(.received(let mail)) = $0, mail.kind == "new" { mail } else { nil } }).first,
            let at = mail.from.lastIndex(of: "@"), let client = try? state.client(opened.client), let code = client.code
        else { return .none }
        let address = mail.from.lowercased()
        let domain = String(mail.from[mail.from.index(after: at)...]).lowercased()
        // A removed contact (someone who left the client) is not made a contact again by their mail.
        guard client.domains.contains(domain), !client.contacts.values.contains(where: { $0.email.lowercased() == address }),
            !client.isRetiredAddress(address)
        else { return .none }
        let id = client.nextContactId()
        // A display name from the mail, made one line (a contact's name is); else the address's local part.
        let name = DisplayName.fromOutside(mail.fromName) ?? OneLine.flattened(String(mail.from.prefix { $0 != "@" }))
        let details = ContactDetails(name: name, email: address, unverified: true)
        guard let added = try? ClientDecider.decide(.addContact(id: id, details), state: client, context: input.context) else { return .none }
        return ReactionOutput(
            events: [.ticket(.contactSet(TicketContactSet(contact: id)))],
            elsewhere: [StreamFollowUp(stream: StreamName.client(code), events: added.map { .client($0) })])
    }
}
