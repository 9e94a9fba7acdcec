import DocketTime

/// Something that happened to a contact's portal access (stream `portal-<contact id>`, e.g. `portal-acme-1`).
public enum PortalEvent: Sendable, Equatable {
    /// See ``PortalLinkIssued``.
    case linkIssued(PortalLinkIssued)
    /// See ``PortalLinkUsed``.
    case linkUsed(PortalLinkUsed)
    /// See ``PortalSignedOut``.
    case signedOut(PortalSignedOut)
}

/// `portal.link-issued.v1`: a one-time sign-in link was made for a client's contact. Only SHA-256 of its secret is kept.
public struct PortalLinkIssued: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "portal", type: "portal.link-issued", schemaVersion: 1,
        summary: "A one-time portal sign-in link was issued to a client's contact; only SHA-256 of its secret is kept, and it expires.")
    /// The contact's client.
    public var client: String
    /// The contact's id.
    public var contact: String
    /// The address the link is mailed to.
    public var email: String
    /// SHA-256 of the link's secret, lower-case hex.
    public var linkHash: String
    /// When the link stops working (15 minutes after it was issued).
    public var expiresAt: Timestamp

    /// A payload with the given fields.
    public init(client: String, contact: String, email: String, linkHash: String, expiresAt: Timestamp) {
        self.client = client
        self.contact = contact
        self.email = email
        self.linkHash = linkHash
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey { case client, contact, email, linkHash, expiresAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        client = try c.decode(String.self, forKey: .client)
        contact = try c.decode(String.self, forKey: .contact)
        email = try c.decode(String.self, forKey: .email)
        linkHash = try c.decode(String.self, forKey: .linkHash)
        expiresAt = try c.decodeTimestamp(forKey: .expiresAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(client, forKey: .client)
        try c.encode(contact, forKey: .contact)
        try c.encode(email, forKey: .email)
        try c.encode(linkHash, forKey: .linkHash)
        try c.encode(timestamp: expiresAt, forKey: .expiresAt)
    }
}

/// `portal.link-used.v1`: a sign-in link was followed (it never works again) and opened a portal session.
public struct PortalLinkUsed: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "portal", type: "portal.link-used", schemaVersion: 1,
        summary: "A sign-in link was followed, once: it opened a portal session, of which only SHA-256 of its cookie is kept.")
    /// The link's hash.
    public var linkHash: String
    /// SHA-256 of the session cookie's secret, lower-case hex.
    public var sessionHash: String
    /// When the session ends unless signed out before.
    public var sessionExpiresAt: Timestamp

    /// A payload with the given fields.
    public init(linkHash: String, sessionHash: String, sessionExpiresAt: Timestamp) {
        self.linkHash = linkHash
        self.sessionHash = sessionHash
        self.sessionExpiresAt = sessionExpiresAt
    }

    private enum CodingKeys: String, CodingKey { case linkHash, sessionHash, sessionExpiresAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkHash = try c.decode(String.self, forKey: .linkHash)
        sessionHash = try c.decode(String.self, forKey: .sessionHash)
        sessionExpiresAt = try c.decodeTimestamp(forKey: .sessionExpiresAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(linkHash, forKey: .linkHash)
        try c.encode(sessionHash, forKey: .sessionHash)
        try c.encode(timestamp: sessionExpiresAt, forKey: .sessionExpiresAt)
    }
}

/// `portal.signed-out.v1`: a portal session was ended by its contact.
public struct PortalSignedOut: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "portal", type: "portal.signed-out", schemaVersion: 1,
        summary: "A portal session was signed out: its cookie no longer works.")
    /// The session's hash.
    public var sessionHash: String

    /// A payload with the given hash.
    public init(sessionHash: String) {
        self.sessionHash = sessionHash
    }
}

extension PortalEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<PortalEvent>] = [
        .init(PortalLinkIssued.self) { .linkIssued($0) },
        .init(PortalLinkUsed.self) { .linkUsed($0) },
        .init(PortalSignedOut.self) { .signedOut($0) },
    ]
}
