import DocketTime

/// What a user asks of an SLA policy (stream `sla-policy-<id>`). Terms change only through new, dated events.
public enum SLAPolicyCommand: Sendable, Equatable {
    /// Define a policy.
    case define(DefineSLAPolicy)
    /// Add a complete version of the terms, in force from `effectiveFrom`.
    case amend(effectiveFrom: Timestamp, terms: SLATerms)
}

/// The input of ``SLAPolicyCommand/define(_:)``.
public struct DefineSLAPolicy: Sendable, Equatable {
    /// 2 to 64 lower-case letters, digits and dashes, e.g. `gold`.
    public var id: String
    /// The display name.
    public var name: String
    /// When the original terms take effect.
    public var effectiveFrom: Timestamp
    /// Calendar, targets, warning thresholds and escalations.
    public var terms: SLATerms

    /// The input to define a policy.
    public init(id: String, name: String, effectiveFrom: Timestamp, terms: SLATerms) {
        self.id = id
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }
}
