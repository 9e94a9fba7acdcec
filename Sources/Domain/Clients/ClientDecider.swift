/// The client aggregate (stream `client-<code>`): registration, settings, activity and contacts.
public enum ClientDecider: Decider {
    public static let initialState = ClientState()

    /// Decides `command`. Needs ``Action/manageClients``. A deactivated client accepts only reactivation.
    public static func decide(
        _ command: ClientCommand, state: ClientState, context: DecisionContext
    ) throws(DomainError) -> [ClientEvent] {
        try Permissions.require(.manageClients, by: context.actor.role)
        switch command {
        case .register(let register):
            return try decideRegister(register, state: state)
        case .update(let name, let domains, let timeZone, let address, let taxId, let note):
            let code = try requireActive(state)
            guard name != nil || domains != nil || timeZone != nil || address != nil || taxId != nil || note != nil else {
                throw DomainError(
                    .invalid,
                    "nothing to update for client \(code); give a new name, e-mail domains, time zone, billing address, tax id or staff note")
            }
            var update = ClientUpdated()
            if let name {
                let name = try Validate.name(name, "the client name", fix: "give the client a name")
                if name != state.name { update.name = name }
            }
            if let domains {
                let domains = try normalizedDomains(domains)
                if domains != state.domains { update.domains = domains }
            }
            if let timeZone {
                let timeZone = try Validate.timeZone(timeZone)
                if timeZone != state.timeZone { update.timeZone = timeZone }
            }
            if let address {
                let address = try billingAddress(address)
                if address != state.billingAddress { update.billingAddress = address }
            }
            if let taxId {
                let taxId = try Self.taxId(taxId)
                if taxId != (state.taxId ?? "") { update.taxId = taxId }
            }
            if let note {
                let note = try Self.staffNote(note)
                if note != (state.staffNote ?? "") { update.staffNote = note }
            }
            guard update != ClientUpdated() else { return [] }
            return [.updated(update)]
        case .deactivate:
            _ = try requireExisting(state)
            return state.isActive ? [.deactivated(ClientDeactivated())] : []
        case .reactivate:
            _ = try requireExisting(state)
            return state.isActive ? [] : [.reactivated(ClientReactivated())]
        case .addContact(let id, let details):
            let code = try requireActive(state)
            let id = try Validate.slug(id, "contact id", length: 1...32)
            guard state.contacts[id] == nil else {
                throw DomainError(
                    .conflict,
                    "client \(code) already has a contact \(id); update it with `docket client contact update \(code) \(id)`"
                )
            }
            guard !state.retiredContactIds.contains(id) else {
                throw DomainError(
                    .conflict, "contact id \(id) belonged to a removed contact of client \(code) and is never given again; choose another id")
            }
            let contact = try validated(details, id: id, in: state, code: code)
            return [
                .contactAdded(
                    ClientContactAdded(
                        contactId: id, name: contact.name, email: contact.email, phone: contact.phone,
                        unverified: details.unverified == true ? true : nil, billing: contact.billing))
            ]
        case .updateContact(let id, let details):
            let code = try requireActive(state)
            guard let current = state.contacts[id] else { throw missingContact(id, code) }
            let contact = try validated(details, id: id, in: state, code: code)
            guard contact != current else { return [] }
            return [
                .contactUpdated(
                    ClientContactUpdated(contactId: id, name: contact.name, email: contact.email, phone: contact.phone, billing: contact.billing))
            ]
        case .removeContact(let id):
            let code = try requireActive(state)
            guard state.contacts[id] != nil else { throw missingContact(id, code) }
            return [.contactRemoved(ClientContactRemoved(contactId: id))]
        }
    }

    // MARK: - Register

    private static func decideRegister(_ register: RegisterClient, state: ClientState) throws(DomainError)
        -> [ClientEvent]
    {
        if let code = state.code {
            throw DomainError(.conflict, "client \(code) already exists; change it with `docket client update \(code)`")
        }
        let code = try Validate.slug(register.code, "client code", length: 2...32)
        let name = try Validate.name(register.name, "the client name", fix: "give the client a name")
        return [
            .registered(
                ClientRegistered(
                    code: code, name: name, domains: try normalizedDomains(register.domains),
                    timeZone: try Validate.timeZone(register.timeZone),
                    currency: try Validate.currency(register.currency)))
        ]
    }

    // MARK: - Domains across clients

    /// Refuses a registration or an update of client `code` that gives it an e-mail domain another **active** client
    /// has: intake takes new mail from the domain for one client only (docs/intake.md, step 3), so the second client
    /// would never get it, or take the first's. A deactivated client's domain may be given to another client, which
    /// then gets its mail; reactivating the former client while another active client has one of its domains is
    /// refused the same way. `state` is the client's own state, `others` every client's (the client's own is skipped);
    /// domains that are not valid are left to ``decide(_:state:context:)``, which names them.
    public static func requireDomainsFree(
        _ command: ClientCommand, code: String, state: ClientState, others: [ClientState]
    ) throws(DomainError) {
        let given: [String]
        switch command {
        case .register(let register): given = register.domains
        case .update(_, let domains?, _, _, _, _): given = domains
        case .reactivate where !state.isActive: given = state.domains
        default: return
        }
        for text in given {
            guard let domain = try? Validate.domain(text),
                let owner = others.first(where: { $0.code != code && $0.isActive && $0.domains.contains(domain) })?.code
            else { continue }
            if case .reactivate = command {
                throw DomainError(
                    .conflict,
                    "client \(code)'s e-mail domain \(domain) is client \(owner)'s now, and its new mail opens \(owner)'s tickets; "
                        + "to reactivate \(code), take the domain off \(owner) first (`docket client update \(owner) --domain …` with the "
                        + "domains it keeps), then give it back to whichever client it belongs to")
            }
            throw DomainError(
                .conflict,
                "the e-mail domain \(domain) is client \(owner)'s already, and its new mail opens \(owner)'s tickets; "
                    + "leave it out for \(code), or take it off \(owner) first (`docket client update \(owner) --domain …` with the domains it keeps)")
        }
    }

    /// Refuses adding or updating a contact of client `code` with an e-mail address that is a contact of another
    /// **active** client: intake opens the address's mail for the first such client by code only, and the portal signs
    /// it in to one client, so the second would never hear from that contact. Reactivating a client one of whose
    /// contacts' addresses another active client has taken since is refused the same way. `state` is the client's own
    /// state, `others` every client's (the client's own is skipped); an address that is not valid is left to
    /// ``decide(_:state:context:)``.
    public static func requireContactAddressFree(
        _ command: ClientCommand, code: String, state: ClientState, others: [ClientState]
    ) throws(DomainError) {
        let addresses: [(id: String?, email: String)]
        switch command {
        case .addContact(_, let given), .updateContact(_, let given): addresses = [(nil, given.email)]
        case .reactivate where !state.isActive: addresses = state.contacts.sorted { $0.key < $1.key }.map { ($0.key, $0.value.email) }
        default: return
        }
        for address in addresses {
            guard let email = try? Validate.email(address.email) else { continue }
            for other in others where other.code != code && other.isActive {
                guard let owner = other.code,
                    let contact = other.contacts.sorted(by: { $0.key < $1.key }).first(where: { $0.value.email.lowercased() == email })?.key
                else { continue }
                if let id = address.id {
                    throw DomainError(
                        .conflict,
                        "client \(code)'s contact \(id) (\(email)) is client \(owner)'s contact \(contact) now, and mail and portal sign-ins "
                            + "from one address belong to one client; to reactivate \(code), remove it from \(owner) first "
                            + "(`docket client contact remove \(owner) \(contact)`)")
                }
                throw DomainError(
                    .conflict,
                    "\(email) is client \(owner)'s contact \(contact) already, and mail and portal sign-ins from one address belong to one client; "
                        + "give \(code)'s contact another address, or remove it from \(owner) first (`docket client contact remove \(owner) \(contact)`)")
            }
        }
    }

    // MARK: - Billing details

    /// Most lines a billing address may have: a name line, a street, a second street line, a city line, a region, a
    /// country.
    public static let billingAddressLines = 6

    /// The address's lines, trimmed, blank ones left out; none at all removes the address. Each line is at most 100
    /// characters with no control character, and there are at most ``billingAddressLines``.
    private static func billingAddress(_ lines: [String]) throws(DomainError) -> [String] {
        var address: [String] = []
        for line in lines {
            guard let line = Validate.optional(line) else { continue }
            if let code = OneLine.firstControl(in: line) {
                throw DomainError(
                    .invalid, "a billing address line holds a control character (\(code)); give each line as its own --billing-address")
            }
            guard line.count <= 100 else {
                throw DomainError(.invalid, "billing address line \"\(line.prefix(20))…\" is longer than 100 characters; split it in two lines")
            }
            address.append(line)
        }
        guard address.count <= billingAddressLines else {
            throw DomainError(
                .invalid, "a billing address has at most \(billingAddressLines) lines, not \(address.count); join some of them")
        }
        return address
    }

    /// The tax id trimmed (empty removes it): 2 to 32 letters, digits, spaces, `-`, `.` and `/` (`FR40303265045`,
    /// `DE 123 456 789`, `12-3456789`).
    private static func taxId(_ text: String) throws(DomainError) -> String {
        guard let taxId = Validate.optional(text) else { return "" }
        guard (2...32).contains(taxId.count),
            taxId.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || " -./".unicodeScalars.contains($0)) })
        else {
            throw DomainError(
                .invalid, "tax id \"\(taxId)\" is not valid; give 2 to 32 letters, digits, spaces, '-', '.' or '/', as on the client's registration (FR40303265045)")
        }
        return taxId
    }

    /// The longest staff note, in characters: a line or two on a screen, not a document.
    public static let longestStaffNote = 500

    /// A staff note trimmed, empty to remove it; one line of at most ``longestStaffNote`` characters.
    private static func staffNote(_ text: String) throws(DomainError) -> String {
        guard let note = Validate.optional(text) else { return "" }
        guard !note.contains(where: \.isNewline) else {
            throw DomainError(.invalid, "the staff note has a line break; write it on one line (it is shown on one line above each ticket)")
        }
        guard note.count <= longestStaffNote else {
            throw DomainError(.invalid, "the staff note is \(note.count) characters; shorten it to \(longestStaffNote) or fewer (it is shown above each ticket)")
        }
        return note
    }

    // MARK: - Helpers

    /// Lower-cased, validated, without duplicates, sorted.
    private static func normalizedDomains(_ domains: [String]) throws(DomainError) -> [String] {
        var result = Set<String>()
        for domain in domains { result.insert(try Validate.domain(domain)) }
        return result.sorted()
    }

    /// Trimmed and validated details whose e-mail no other contact of the client uses.
    private static func validated(
        _ details: ContactDetails, id: String, in state: ClientState, code: String
    ) throws(DomainError) -> ContactDetails {
        let name = try Validate.name(details.name, "the contact name", fix: "give the contact a name")
        let email = try Validate.email(details.email)
        let phone = Validate.optional(details.phone)
        if let phone, phone.count > 40 || !phone.contains(where: \.isNumber) {
            throw DomainError(.invalid, "phone number \"\(phone)\" is not valid; write it like +33 1 23 45 67 89")
        }
        if let other = state.contacts.first(where: { $0.key != id && $0.value.email == email })?.key {
            throw DomainError(
                .conflict,
                "contact \(other) of client \(code) already has the e-mail \(email); update that contact instead")
        }
        return ContactDetails(name: name, email: email, phone: phone, billing: details.isBilling ? true : nil)
    }

    private static func missingContact(_ id: String, _ code: String) -> DomainError {
        DomainError(
            .notFound, "client \(code) has no contact \(id); list its contacts with `docket client show \(code)`")
    }

    private static func requireExisting(_ state: ClientState) throws(DomainError) -> String {
        guard let code = state.code else {
            throw DomainError(.notFound, "no such client; list clients with `docket client list`")
        }
        return code
    }

    private static func requireActive(_ state: ClientState) throws(DomainError) -> String {
        let code = try requireExisting(state)
        guard state.isActive else {
            throw DomainError(
                .inactive, "client \(code) is deactivated; reactivate it first with `docket client reactivate \(code)`")
        }
        return code
    }
}
