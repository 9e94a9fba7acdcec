import DocketTime

/// One version of a contract's terms.
public struct ContractTerms: Sendable, Equatable {
    /// Which event set this version: 0 for `contract.created`, n for amendment n.
    public var amendment: Int
    /// When this version takes effect.
    public var effectiveFrom: Timestamp
    /// SLA policy reference, if any.
    public var slaPolicy: String?
    /// Free-form billing terms, if any.
    public var billingTerms: JSONValue?

    /// A version of the terms.
    public init(amendment: Int, effectiveFrom: Timestamp, slaPolicy: String?, billingTerms: JSONValue?) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.slaPolicy = slaPolicy
        self.billingTerms = billingTerms
    }
}

/// What contract decisions need: identity, every version of the terms, and the end.
public struct ContractState: Sendable, Equatable {
    /// The contract's id; nil until created.
    public var id: String?
    /// The client's code.
    public var client: String
    /// The display name.
    public var name: String
    /// Every version, in recording order (amendment 0 first).
    public var versions: [ContractTerms]
    /// The first instant without terms, once ended.
    public var endsAt: Timestamp?

    /// A state with every field given; streams start from ``ContractDecider/initialState``.
    public init(
        id: String? = nil, client: String = "", name: String = "", versions: [ContractTerms] = [],
        endsAt: Timestamp? = nil
    ) {
        self.id = id
        self.client = client
        self.name = name
        self.versions = versions
        self.endsAt = endsAt
    }

    /// When the original terms take effect.
    public var startsAt: Timestamp? { versions.first?.effectiveFrom }

    /// The number the next amendment gets.
    public var nextAmendment: Int { (versions.map(\.amendment).max() ?? 0) + 1 }

    /// The terms in force at `instant`, or nil before the start and from the end on.
    ///
    /// Rule: among the versions whose `effectiveFrom` is at or before `instant`, the one with the greatest
    /// `effectiveFrom` is in force; between versions with the same `effectiveFrom`, the higher amendment
    /// number (the one recorded later) wins. Recording order does not matter otherwise: an amendment recorded
    /// later but effective earlier replaces older versions for the instants from its `effectiveFrom` until the
    /// next version's `effectiveFrom`, and leaves versions effective after it untouched. Each version is
    /// complete, so history never needs to be merged field by field.
    public func terms(at instant: Timestamp) -> ContractTerms? {
        if let endsAt, instant >= endsAt { return nil }
        return versionInForce(versions, at: instant, effectiveFrom: \.effectiveFrom, amendment: \.amendment)
    }
}

extension ContractDecider {
    /// Applies one event.
    public static func evolve(_ state: ContractState, _ event: ContractEvent) -> ContractState {
        var state = state
        switch event {
        case .created(let e):
            state = ContractState(
                id: e.id, client: e.client, name: e.name,
                versions: [
                    ContractTerms(
                        amendment: 0, effectiveFrom: e.effectiveFrom, slaPolicy: e.slaPolicy,
                        billingTerms: e.billingTerms)
                ])
        case .amended(let e):
            state.versions.append(
                ContractTerms(
                    amendment: e.amendment, effectiveFrom: e.effectiveFrom, slaPolicy: e.slaPolicy,
                    billingTerms: e.billingTerms))
        case .ended(let e):
            state.endsAt = e.effectiveFrom
        }
        return state
    }
}
