/// What client decisions need: identity, activity, settings and contacts (for duplicate e-mail checks).
public struct ClientState: Sendable, Equatable {
    /// The client's code; nil until registered.
    public var code: String?
    /// The display name.
    public var name: String
    /// False once deactivated.
    public var isActive: Bool
    /// Lower-case e-mail domains, sorted.
    public var domains: [String]
    /// IANA time zone.
    public var timeZone: String
    /// ISO 4217 currency code.
    public var currency: String
    /// Current contacts by id.
    public var contacts: [String: ContactDetails]
    /// The postal address invoices are addressed to, one line each; empty when none was given.
    public var billingAddress: [String] = []
    /// The client's tax (VAT) id, printed on its invoices; nil when none was given.
    public var taxId: String?
    /// The note staff see on each of the client's tickets (``ClientUpdated/staffNote``), if any.
    public var staffNote: String? = nil
    /// Ids of removed contacts: never given to another (a portal session, a ticket's contact, the mail thread name
    /// the id, and must not come to mean someone else).
    public var retiredContactIds: Set<String> = []
    /// The addresses of removed contacts, lowercased: someone who left the client's company gets none of its tickets'
    /// mail, not even a Cc as one who was on a ticket's mail thread (unless a contact now has the address again,
    /// ``isRetiredAddress(_:)``).
    public var retiredContactAddresses: Set<String> = []

    /// A state with every field given; streams start from ``ClientDecider/initialState``.
    public init(
        code: String? = nil, name: String = "", isActive: Bool = false, domains: [String] = [], timeZone: String = "",
        currency: String = "", contacts: [String: ContactDetails] = [:]
    ) {
        self.code = code
        self.name = name
        self.isActive = isActive
        self.domains = domains
        self.timeZone = timeZone
        self.currency = currency
        self.contacts = contacts
    }

    /// Whether `address` (lowercased) was a removed contact's and is no current contact's.
    public func isRetiredAddress(_ address: String) -> Bool {
        retiredContactAddresses.contains(address) && !contacts.values.contains { $0.email.lowercased() == address }
    }

    /// The id the next contact gets when none is given: `<code>-<n>`, the first free from the number of contacts the
    /// client has had, never a removed contact's (``retiredContactIds``).
    public func nextContactId() -> String {
        let code = code ?? ""
        var n = contacts.count + retiredContactIds.count + 1
        while contacts["\(code)-\(n)"] != nil || retiredContactIds.contains("\(code)-\(n)") { n += 1 }
        return "\(code)-\(n)"
    }

    /// Whether the mail `address` is in one of the client's domains (compared in lower case).
    public func hasDomain(of address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        return domains.contains(address[address.index(after: at)...].lowercased())
    }

    /// What tickets and contracts need to know about this client; nil until registered.
    public var snapshot: ClientSnapshot? {
        code.map { ClientSnapshot(code: $0, name: name, isActive: isActive, contactIDs: Set(contacts.keys)) }
    }
}

extension ClientDecider {
    /// Applies one event.
    public static func evolve(_ state: ClientState, _ event: ClientEvent) -> ClientState {
        var state = state
        switch event {
        case .registered(let e):
            state = ClientState(
                code: e.code, name: e.name, isActive: true, domains: e.domains, timeZone: e.timeZone,
                currency: e.currency)
        case .updated(let e):
            if let name = e.name { state.name = name }
            if let domains = e.domains { state.domains = domains }
            if let timeZone = e.timeZone { state.timeZone = timeZone }
            if let address = e.billingAddress { state.billingAddress = address }
            if let taxId = e.taxId { state.taxId = taxId.isEmpty ? nil : taxId }
            if let note = e.staffNote { state.staffNote = note.isEmpty ? nil : note }
        case .deactivated:
            state.isActive = false
        case .reactivated:
            state.isActive = true
        case .contactAdded(let e):
            state.contacts[e.contactId] = ContactDetails(
                name: e.name, email: e.email, phone: e.phone, unverified: e.unverified, billing: e.billing == true ? true : nil)
        case .contactUpdated(let e):
            state.contacts[e.contactId] = ContactDetails(name: e.name, email: e.email, phone: e.phone, billing: e.billing == true ? true : nil)
        case .contactRemoved(let e):
            if let email = state.contacts[e.contactId]?.email, !email.isEmpty { state.retiredContactAddresses.insert(email.lowercased()) }
            state.contacts[e.contactId] = nil
            state.retiredContactIds.insert(e.contactId)
        }
        return state
    }
}
