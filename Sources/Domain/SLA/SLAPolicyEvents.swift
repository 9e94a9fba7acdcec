import DocketTime

/// Something that happened to an SLA policy (stream `sla-policy-<id>`).
public enum SLAPolicyEvent: Sendable, Equatable {
    /// See ``SLAPolicyDefined``.
    case defined(SLAPolicyDefined)
    /// See ``SLAPolicyAmended``.
    case amended(SLAPolicyAmended)
}

/// `sla-policy.defined.v1`: an SLA policy and its original terms (amendment 0).
public struct SLAPolicyDefined: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "sla-policy", type: "sla-policy.defined", schemaVersion: 1,
        summary: "An SLA policy was defined; its original terms (amendment 0) take effect at effectiveFrom.")
    /// The policy's id, e.g. `gold` (what contracts name in `slaPolicy`).
    public var id: String
    /// The display name.
    public var name: String
    /// When the original terms take effect.
    public var effectiveFrom: Timestamp
    /// Calendar, targets, warning thresholds and escalations.
    public var terms: SLATerms

    /// A payload with the given fields.
    public init(id: String, name: String, effectiveFrom: Timestamp, terms: SLATerms) {
        self.id = id
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }

    private enum CodingKeys: String, CodingKey { case id, name, effectiveFrom, terms }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        terms = try c.decode(SLATerms.self, forKey: .terms)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encode(terms, forKey: .terms)
    }
}

/// `sla-policy.amended.v1`: a complete new version of the terms, in force from `effectiveFrom`.
public struct SLAPolicyAmended: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "sla-policy", type: "sla-policy.amended", schemaVersion: 1,
        summary: "A new version of the SLA terms (complete, numbered 1, 2, …) takes effect at effectiveFrom.")
    /// 1 for the first amendment, then 2, 3, … in recording order.
    public var amendment: Int
    /// When this version takes effect (may be earlier than versions recorded before it).
    public var effectiveFrom: Timestamp
    /// The complete terms of this version.
    public var terms: SLATerms

    /// A payload with the given fields.
    public init(amendment: Int, effectiveFrom: Timestamp, terms: SLATerms) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }

    private enum CodingKeys: String, CodingKey { case amendment, effectiveFrom, terms }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amendment = try c.decode(Int.self, forKey: .amendment)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        terms = try c.decode(SLATerms.self, forKey: .terms)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amendment, forKey: .amendment)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encode(terms, forKey: .terms)
    }
}

extension SLAPolicyEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<SLAPolicyEvent>] = [
        .init(SLAPolicyDefined.self) { .defined($0) },
        .init(SLAPolicyAmended.self) { .amended($0) },
    ]
}
