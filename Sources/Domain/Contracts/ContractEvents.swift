import DocketTime

/// Something that happened to a contract (stream `contract-<id>`).
public enum ContractEvent: Sendable, Equatable {
    /// See ``ContractCreated``.
    case created(ContractCreated)
    /// See ``ContractAmended``.
    case amended(ContractAmended)
    /// See ``ContractEnded``.
    case ended(ContractEnded)
}

/// `contract.created.v1`: the contract and its original terms (amendment 0).
public struct ContractCreated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "contract", type: "contract.created", schemaVersion: 1,
        summary: "A contract was created for a client; its original terms (amendment 0) take effect at effectiveFrom.")
    /// The contract's id.
    public var id: String
    /// The client's code.
    public var client: String
    /// The display name.
    public var name: String
    /// When the original terms take effect.
    public var effectiveFrom: Timestamp
    /// SLA policy reference, if any.
    public var slaPolicy: String?
    /// Free-form billing terms, if any.
    public var billingTerms: JSONValue?

    /// A payload with the given fields.
    public init(
        id: String, client: String, name: String, effectiveFrom: Timestamp, slaPolicy: String?, billingTerms: JSONValue?
    ) {
        self.id = id
        self.client = client
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.slaPolicy = slaPolicy
        self.billingTerms = billingTerms
    }

    private enum CodingKeys: String, CodingKey { case id, client, name, effectiveFrom, slaPolicy, billingTerms }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        client = try c.decode(String.self, forKey: .client)
        name = try c.decode(String.self, forKey: .name)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        slaPolicy = try c.decodeIfPresent(String.self, forKey: .slaPolicy)
        billingTerms = try c.decodeIfPresent(JSONValue.self, forKey: .billingTerms)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(client, forKey: .client)
        try c.encode(name, forKey: .name)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encodeIfPresent(slaPolicy, forKey: .slaPolicy)
        try c.encodeIfPresent(billingTerms, forKey: .billingTerms)
    }
}

/// `contract.amended.v1`: a complete new version of the terms, in force from `effectiveFrom`.
public struct ContractAmended: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "contract", type: "contract.amended", schemaVersion: 1,
        summary: "A new version of the terms (complete, numbered 1, 2, …) takes effect at effectiveFrom.")
    /// 1 for the first amendment, then 2, 3, … in recording order.
    public var amendment: Int
    /// When this version takes effect (may be earlier than versions recorded before it).
    public var effectiveFrom: Timestamp
    /// SLA policy reference of this version, if any.
    public var slaPolicy: String?
    /// Billing terms of this version, if any.
    public var billingTerms: JSONValue?

    /// A payload with the given fields.
    public init(amendment: Int, effectiveFrom: Timestamp, slaPolicy: String?, billingTerms: JSONValue?) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.slaPolicy = slaPolicy
        self.billingTerms = billingTerms
    }

    private enum CodingKeys: String, CodingKey { case amendment, effectiveFrom, slaPolicy, billingTerms }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amendment = try c.decode(Int.self, forKey: .amendment)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        slaPolicy = try c.decodeIfPresent(String.self, forKey: .slaPolicy)
        billingTerms = try c.decodeIfPresent(JSONValue.self, forKey: .billingTerms)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amendment, forKey: .amendment)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encodeIfPresent(slaPolicy, forKey: .slaPolicy)
        try c.encodeIfPresent(billingTerms, forKey: .billingTerms)
    }
}

/// `contract.ended.v1`: no terms are in force from `effectiveFrom` on. A later one moves the end (the contract's end is
/// the latest recorded); the earlier stays in the log.
public struct ContractEnded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "contract", type: "contract.ended", schemaVersion: 1,
        summary: "The contract ends: no terms are in force from effectiveFrom on (a later one moves the end).")
    /// The first instant without terms.
    public var effectiveFrom: Timestamp
    /// The end this one moves, when the contract had one already; absent on a contract's first end.
    public var previousEnd: Timestamp?

    /// A payload with the given fields.
    public init(effectiveFrom: Timestamp, previousEnd: Timestamp? = nil) {
        self.effectiveFrom = effectiveFrom
        self.previousEnd = previousEnd
    }

    private enum CodingKeys: String, CodingKey { case effectiveFrom, previousEnd }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        previousEnd = c.contains(.previousEnd) ? try c.decodeTimestamp(forKey: .previousEnd) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        if let previousEnd { try c.encode(timestamp: previousEnd, forKey: .previousEnd) }
    }
}

extension ContractEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<ContractEvent>] = [
        .init(ContractCreated.self) { .created($0) },
        .init(ContractAmended.self) { .amended($0) },
        .init(ContractEnded.self) { .ended($0) },
    ]
}
