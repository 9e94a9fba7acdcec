/// Something that happened to a client (stream `client-<code>`).
public enum ClientEvent: Sendable, Equatable {
    /// See ``ClientRegistered``.
    case registered(ClientRegistered)
    /// See ``ClientUpdated``.
    case updated(ClientUpdated)
    /// See ``ClientDeactivated``.
    case deactivated(ClientDeactivated)
    /// See ``ClientReactivated``.
    case reactivated(ClientReactivated)
    /// See ``ClientContactAdded``.
    case contactAdded(ClientContactAdded)
    /// See ``ClientContactUpdated``.
    case contactUpdated(ClientContactUpdated)
    /// See ``ClientContactRemoved``.
    case contactRemoved(ClientContactRemoved)
}

/// `client.registered.v1`.
public struct ClientRegistered: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.registered", schemaVersion: 1, summary: "A client was registered (active).")
    /// The client's code.
    public var code: String
    /// The display name.
    public var name: String
    /// Lower-case e-mail domains, sorted.
    public var domains: [String]
    /// IANA time zone.
    public var timeZone: String
    /// ISO 4217 currency code.
    public var currency: String

    /// A payload with the given fields.
    public init(code: String, name: String, domains: [String], timeZone: String, currency: String) {
        self.code = code
        self.name = name
        self.domains = domains
        self.timeZone = timeZone
        self.currency = currency
    }
}

/// `client.updated.v1`: only the fields that changed are present.
public struct ClientUpdated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.updated", schemaVersion: 1,
        summary: "A client's name, e-mail domains, time zone, billing details and/or staff note changed; only changed fields are present.")
    /// The new name, when it changed.
    public var name: String?
    /// The new complete list of domains (sorted), when it changed.
    public var domains: [String]?
    /// The new time zone, when it changed.
    public var timeZone: String?
    /// The new postal address invoices are addressed to, one line each, when it changed; empty when it was removed.
    public var billingAddress: [String]?
    /// The new tax (VAT) id, when it changed; empty when it was removed.
    public var taxId: String?
    /// The new note every member of staff sees on each of the client's tickets (`On credit hold: no billable work
    /// without Bill's OK`), when it changed; empty when it was removed. Never shown to the client.
    public var staffNote: String?

    /// A payload with the given fields.
    public init(
        name: String? = nil, domains: [String]? = nil, timeZone: String? = nil, billingAddress: [String]? = nil, taxId: String? = nil,
        staffNote: String? = nil
    ) {
        self.name = name
        self.domains = domains
        self.timeZone = timeZone
        self.billingAddress = billingAddress
        self.taxId = taxId
        self.staffNote = staffNote
    }
}

/// `client.deactivated.v1`: no new tickets for this client.
public struct ClientDeactivated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.deactivated", schemaVersion: 1,
        summary: "The client was deactivated: no new tickets, contracts or contact changes.")
    /// The payload (it has no fields).
    public init() {}
}

/// `client.reactivated.v1`.
public struct ClientReactivated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.reactivated", schemaVersion: 1, summary: "The client was reactivated.")
    /// The payload (it has no fields).
    public init() {}
}

/// `client.contact-added.v1`.
public struct ClientContactAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.contact-added", schemaVersion: 1,
        summary: "A contact was added to the client.")
    /// The contact's id within the client.
    public var contactId: String
    /// The contact's name.
    public var name: String
    /// The contact's lower-cased e-mail address.
    public var email: String
    /// The contact's phone number, if any.
    public var phone: String?
    /// True when Docket created the contact from an email sent from the client's domain (not yet confirmed).
    public var unverified: Bool?
    /// True for a billing contact (sees the client's invoices in the portal); absent means not.
    public var billing: Bool?

    /// A payload with the given fields.
    public init(contactId: String, name: String, email: String, phone: String?, unverified: Bool? = nil, billing: Bool? = nil) {
        self.contactId = contactId
        self.name = name
        self.email = email
        self.phone = phone
        self.unverified = unverified
        self.billing = billing
    }
}

/// `client.contact-updated.v1`: the contact's complete new details.
public struct ClientContactUpdated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.contact-updated", schemaVersion: 1,
        summary: "A contact's details were replaced (the payload holds the complete new details).")
    /// The contact's id within the client.
    public var contactId: String
    /// The contact's name.
    public var name: String
    /// The contact's lower-cased e-mail address.
    public var email: String
    /// The contact's phone number; absent means none.
    public var phone: String?
    /// True for a billing contact (sees the client's invoices in the portal); absent means not (events written before
    /// the field existed were of contacts that could not be billing contacts).
    public var billing: Bool?

    /// A payload with the given fields.
    public init(contactId: String, name: String, email: String, phone: String?, billing: Bool? = nil) {
        self.contactId = contactId
        self.name = name
        self.email = email
        self.phone = phone
        self.billing = billing
    }
}

/// `client.contact-removed.v1`.
public struct ClientContactRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "client", type: "client.contact-removed", schemaVersion: 1,
        summary: "A contact was removed from the client.")
    /// The removed contact's id.
    public var contactId: String

    /// A payload with the given fields.
    public init(contactId: String) { self.contactId = contactId }
}

extension ClientEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<ClientEvent>] = [
        .init(ClientRegistered.self) { .registered($0) },
        .init(ClientUpdated.self) { .updated($0) },
        .init(ClientDeactivated.self) { .deactivated($0) },
        .init(ClientReactivated.self) { .reactivated($0) },
        .init(ClientContactAdded.self) { .contactAdded($0) },
        .init(ClientContactUpdated.self) { .contactUpdated($0) },
        .init(ClientContactRemoved.self) { .contactRemoved($0) },
    ]
}
