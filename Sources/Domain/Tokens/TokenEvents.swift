import DocketTime

/// Something that happened to an API token (stream `token-<id>`).
public enum TokenEvent: Sendable, Equatable {
    /// See ``TokenCreated``.
    case created(TokenCreated)
    /// See ``TokenRevoked``.
    case revoked(TokenRevoked)
}

/// `token.created.v1`: an API token for a user. Only a salted hash of the secret is kept; the secret itself is shown
/// once, to whoever created the token.
public struct TokenCreated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "token", type: "token.created", schemaVersion: 1,
        summary: "An API token was created for a user; it acts with that user's role. Only SHA-256(salt ‖ secret) is kept.")
    /// The token's id (the stream is `token-<id>`), the public part of the token.
    public var tokenId: String
    /// The login of the user the token acts as.
    public var user: String
    /// A label for the token, e.g. `laptop`.
    public var name: String
    /// The per-token salt, 16 random bytes in lower-case hex.
    public var salt: String
    /// SHA-256 of the salt's bytes followed by the secret's UTF-8 bytes, in lower-case hex.
    public var hash: String
    /// When the token stops working; absent: never.
    public var expiresAt: Timestamp?

    /// A payload with the given fields.
    public init(tokenId: String, user: String, name: String, salt: String, hash: String, expiresAt: Timestamp?) {
        self.tokenId = tokenId
        self.user = user
        self.name = name
        self.salt = salt
        self.hash = hash
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case tokenId, user, name, salt, hash, expiresAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokenId = try c.decode(String.self, forKey: .tokenId)
        user = try c.decode(String.self, forKey: .user)
        name = try c.decode(String.self, forKey: .name)
        salt = try c.decode(String.self, forKey: .salt)
        hash = try c.decode(String.self, forKey: .hash)
        expiresAt = c.contains(.expiresAt) ? try c.decodeTimestamp(forKey: .expiresAt) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokenId, forKey: .tokenId)
        try c.encode(user, forKey: .user)
        try c.encode(name, forKey: .name)
        try c.encode(salt, forKey: .salt)
        try c.encode(hash, forKey: .hash)
        if let expiresAt { try c.encode(timestamp: expiresAt, forKey: .expiresAt) }
    }
}

/// `token.revoked.v1`: the token no longer works, for good.
public struct TokenRevoked: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "token", type: "token.revoked", schemaVersion: 1,
        summary: "The API token was revoked: it no longer works, for good.")
    /// Why, when given.
    public var reason: String?

    /// A payload with the given reason.
    public init(reason: String?) {
        self.reason = reason
    }
}

extension TokenEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TokenEvent>] = [
        .init(TokenCreated.self) { .created($0) },
        .init(TokenRevoked.self) { .revoked($0) },
    ]
}
