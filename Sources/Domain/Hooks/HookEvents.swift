import DocketTime

/// Something that happened to a webhook source (stream `hook-<source>`).
public enum HookEvent: Sendable, Equatable {
    /// See ``HookCreated``.
    case created(HookCreated)
    /// See ``HookRotated``.
    case rotated(HookRotated)
}

/// What a webhook source delivers, and so which route and which authentication it uses.
public enum HookFormat: String, Sendable, Codable, CaseIterable {
    /// Prometheus Alertmanager's webhook (v4), `POST /hooks/alertmanager/<source>`, bearer or basic auth.
    case alertmanager
    /// Docket's generic alert shape from an RMM, `POST /hooks/alerts/<source>`, HMAC-SHA256 signature.
    case generic
    /// A raw RFC 5322 message, `POST /hooks/mail/<source>`, bearer or basic auth.
    case mail
}

/// A webhook secret as the log keeps it: sealed (AES-GCM) under the server's hook key, never in clear.
public struct SealedHookSecret: Sendable, Equatable, Codable {
    /// The first 16 hex digits of SHA-256 of the hook key that sealed it (which key file opens it).
    public var keyId: String
    /// Nonce ‖ ciphertext ‖ tag, base64.
    public var sealed: String
    /// The first 16 hex digits of SHA-256 of the secret, to tell secrets apart in `docket hook list`.
    public var fingerprint: String

    /// A sealed secret with the given parts.
    public init(keyId: String, sealed: String, fingerprint: String) {
        self.keyId = keyId
        self.sealed = sealed
        self.fingerprint = fingerprint
    }
}

/// `hook.created.v1`: a webhook source was set up; its secret is kept sealed under the server's hook key.
public struct HookCreated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "hook", type: "hook.created", schemaVersion: 1,
        summary: "A webhook source was created: its format, the user it acts as, and its secret sealed under the server's hook key.")
    /// The source's name (the stream is `hook-<source>`, the URL ends in it).
    public var source: String
    /// What it delivers.
    public var format: HookFormat
    /// The Docket user its deliveries act as (checked active, with their role, at each delivery).
    public var actsAs: String
    /// The client for deliveries that name none (alerts) or senders no client knows (mail).
    public var defaultClient: String?
    /// The secret, sealed.
    public var secret: SealedHookSecret

    /// A payload with the given fields.
    public init(source: String, format: HookFormat, actsAs: String, defaultClient: String?, secret: SealedHookSecret) {
        self.source = source
        self.format = format
        self.actsAs = actsAs
        self.defaultClient = defaultClient
        self.secret = secret
    }
}

/// `hook.rotated.v1`: the source has a new secret; the previous one is still accepted until `previousValidUntil`.
public struct HookRotated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "hook", type: "hook.rotated", schemaVersion: 1,
        summary: "A webhook source got a new secret; the previous one is accepted until previousValidUntil, if given, and no longer after.")
    /// The new secret, sealed.
    public var secret: SealedHookSecret
    /// Until when the previous secret is still accepted (a grace period for the sender's switch); absent: not at all.
    public var previousValidUntil: Timestamp?

    /// A payload with the given fields.
    public init(secret: SealedHookSecret, previousValidUntil: Timestamp?) {
        self.secret = secret
        self.previousValidUntil = previousValidUntil
    }

    private enum CodingKeys: String, CodingKey {
        case secret, previousValidUntil
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secret = try c.decode(SealedHookSecret.self, forKey: .secret)
        previousValidUntil = c.contains(.previousValidUntil) ? try c.decodeTimestamp(forKey: .previousValidUntil) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secret, forKey: .secret)
        if let previousValidUntil { try c.encode(timestamp: previousValidUntil, forKey: .previousValidUntil) }
    }
}

extension HookEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<HookEvent>] = [
        .init(HookCreated.self) { .created($0) },
        .init(HookRotated.self) { .rotated($0) },
    ]
}
