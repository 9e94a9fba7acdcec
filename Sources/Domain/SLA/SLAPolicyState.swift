import DocketTime

/// One version of an SLA policy's terms.
public struct SLAPolicyVersion: Sendable, Equatable {
    /// Which event set this version: 0 for `sla-policy.defined`, n for amendment n.
    public var amendment: Int
    /// When this version takes effect.
    public var effectiveFrom: Timestamp
    /// The complete terms.
    public var terms: SLATerms

    /// A version of the terms.
    public init(amendment: Int, effectiveFrom: Timestamp, terms: SLATerms) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }
}

/// What SLA policy decisions (and SLA starts) need: identity and every version of the terms.
public struct SLAPolicyState: Sendable, Equatable {
    /// The policy's id; nil until defined.
    public var id: String?
    /// The display name.
    public var name: String
    /// Every version, in recording order (amendment 0 first).
    public var versions: [SLAPolicyVersion]

    /// A state with every field given; streams start from ``SLAPolicyDecider/initialState``.
    public init(id: String? = nil, name: String = "", versions: [SLAPolicyVersion] = []) {
        self.id = id
        self.name = name
        self.versions = versions
    }

    /// When the original terms take effect.
    public var startsAt: Timestamp? { versions.first?.effectiveFrom }

    /// The number the next amendment gets.
    public var nextAmendment: Int { (versions.map(\.amendment).max() ?? 0) + 1 }

    /// The version in force at `instant`, or nil before the first one.
    ///
    /// Rule (as for contracts): among the versions whose `effectiveFrom` is at or before `instant`, the one with
    /// the greatest `effectiveFrom`; between versions with the same `effectiveFrom`, the higher amendment number
    /// (recorded later) wins.
    public func version(at instant: Timestamp) -> SLAPolicyVersion? {
        versionInForce(versions, at: instant, effectiveFrom: \.effectiveFrom, amendment: \.amendment)
    }

    /// The amendment number and terms in force at `instant` (see ``version(at:)``), or nil before the first one.
    public func terms(at instant: Timestamp) -> (amendment: Int, terms: SLATerms)? {
        version(at: instant).map { ($0.amendment, $0.terms) }
    }

    /// The ids of the escalation rules that page notification channel `channel` in the terms in force at `instant` or
    /// in terms taking effect after it, in rule order (each once); none when only superseded terms page it.
    public func escalations(paging channel: String, from instant: Timestamp) -> [String] {
        let later = Set(versions.map(\.effectiveFrom).filter { $0 > instant }).sorted()
        var ids: [String] = []
        for version in ([instant] + later).compactMap(version(at:)) {
            for rule in version.terms.escalations where rule.action.pagedChannel == channel && !ids.contains(rule.id) {
                ids.append(rule.id)
            }
        }
        return ids
    }
}

extension SLAPolicyDecider {
    /// Applies one event.
    public static func evolve(_ state: SLAPolicyState, _ event: SLAPolicyEvent) -> SLAPolicyState {
        var state = state
        switch event {
        case .defined(let e):
            state = SLAPolicyState(
                id: e.id, name: e.name,
                versions: [SLAPolicyVersion(amendment: 0, effectiveFrom: e.effectiveFrom, terms: e.terms)])
        case .amended(let e):
            state.versions.append(
                SLAPolicyVersion(amendment: e.amendment, effectiveFrom: e.effectiveFrom, terms: e.terms))
        }
        return state
    }
}
