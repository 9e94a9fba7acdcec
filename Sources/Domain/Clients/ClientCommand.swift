/// What a user asks of a client (stream `client-<code>`).
public enum ClientCommand: Sendable, Equatable {
    /// Register a new client.
    case register(RegisterClient)
    /// Change the name, e-mail domains, time zone and/or billing details; nil leaves a field as it is. `billingAddress`
    /// is the postal address an invoice is addressed to, one line each (empty: remove it); `taxId` the client's tax (VAT)
    /// id (empty: remove it).
    case update(name: String?, domains: [String]?, timeZone: String?, billingAddress: [String]? = nil, taxId: String? = nil, staffNote: String? = nil)
    /// Stop opening tickets for the client.
    case deactivate
    /// Undo a deactivation.
    case reactivate
    /// Add a contact under the id the application allocated (e.g. `c-17`) or the user gave.
    case addContact(id: String, ContactDetails)
    /// Replace a contact's details.
    case updateContact(id: String, ContactDetails)
    /// Remove a contact.
    case removeContact(id: String)
}

/// The input of ``ClientCommand/register(_:)``.
public struct RegisterClient: Sendable, Equatable {
    /// 2 to 32 lower-case letters, digits and dashes, e.g. `acme`.
    public var code: String
    /// The display name.
    public var name: String
    /// E-mail domains that route mail to this client, e.g. `acme.example`.
    public var domains: [String]
    /// An IANA time zone such as `Europe/Paris`.
    public var timeZone: String
    /// An ISO 4217 currency code such as `EUR`.
    public var currency: String

    /// The input to register a client.
    public init(code: String, name: String, domains: [String] = [], timeZone: String, currency: String) {
        self.code = code
        self.name = name
        self.domains = domains
        self.timeZone = timeZone
        self.currency = currency
    }
}

/// A contact's details, as given to add or update it.
public struct ContactDetails: Sendable, Equatable, Codable {
    /// The contact's name.
    public var name: String
    /// The contact's e-mail address, unique within the client.
    public var email: String
    /// The contact's phone number, if any.
    public var phone: String?
    /// True for a contact Docket created itself from an email sent from one of the client's domains:
    /// nobody has confirmed who they are yet. Nil (absent) means verified.
    public var unverified: Bool?
    /// True for a billing contact of the client: one who sees its invoices and credit notes in the portal. Nil
    /// (absent) means not.
    public var billing: Bool?

    /// A contact's details.
    public init(name: String, email: String, phone: String? = nil, unverified: Bool? = nil, billing: Bool? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.unverified = unverified
        self.billing = billing
    }

    /// Whether the contact is one of the client's billing contacts.
    public var isBilling: Bool { billing == true }
}
