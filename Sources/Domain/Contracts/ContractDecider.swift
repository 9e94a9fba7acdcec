import DocketTime

/// The contract aggregate (stream `contract-<id>`): creation, dated amendments and the end.
public enum ContractDecider: Decider {
    public static let initialState = ContractState()

    /// Decides `command`. Needs ``Action/manageContracts``.
    ///
    /// An amendment records the complete terms of the new version: fields the command leaves nil are copied
    /// from the version in force at the amendment's `effectiveFrom`, and so are the billing terms' fields that
    /// partial terms leave out (``completedTerms(_:inForce:)``). An amendment that would change nothing
    /// at any instant returns no events.
    public static func decide(
        _ command: ContractCommand, state: ContractState, context: DecisionContext
    ) throws(DomainError) -> [ContractEvent] {
        try Permissions.require(.manageContracts, by: context.actor.role)
        switch command {
        case .create(let create):
            return try decideCreate(create, state: state)
        case .amend(let effectiveFrom, let slaPolicy, let givenTerms):
            let (id, _) = try requireExisting(state)
            let slaPolicy = try normalizedPolicy(slaPolicy)
            guard slaPolicy != nil || (givenTerms != nil && givenTerms != .null) else {
                throw DomainError(
                    .invalid, "nothing to amend in contract \(id); give a new SLA policy or billing terms")
            }
            try BillingDates.check(effectiveFrom, "contract \(id)'s amendment date")
            try requireAmendable(state, at: effectiveFrom)
            // Inside [start, end) some version is always in force.
            let current = state.terms(at: effectiveFrom)
            var billingTerms: JSONValue?
            if let givenTerms { billingTerms = try normalizedTerms(try completedTerms(givenTerms, inForce: current?.billingTerms)) }
            let newPolicy = slaPolicy ?? current?.slaPolicy
            let newTerms = billingTerms ?? current?.billingTerms
            guard newPolicy != current?.slaPolicy || newTerms != current?.billingTerms else { return [] }
            return [
                .amended(
                    ContractAmended(
                        amendment: state.nextAmendment, effectiveFrom: effectiveFrom, slaPolicy: newPolicy,
                        billingTerms: newTerms))
            ]
        case .end(let effectiveFrom, let billed):
            let (id, start) = try requireExisting(state)
            guard effectiveFrom > start else {
                throw DomainError(
                    .invalid, timed: "contract \(id) starts at \(time: start); it must end after it starts")
            }
            try BillingDates.check(effectiveFrom, "contract \(id)'s end")
            guard let end = state.endsAt else { return [.ended(ContractEnded(effectiveFrom: effectiveFrom))] }
            guard effectiveFrom != end else { return [] }
            // Moving the end changes what is billed from the earlier of the two ends to the later: a month in there that
            // a final invoice billed would change under it (fees dropped or added, work held back or let in).
            let (from, to) = (min(end, effectiveFrom), max(end, effectiveFrom))
            if let month = billed.first(where: { $0.start < to && from < $0.end }) {
                throw DomainError(
                    .conflict,
                    timed: "contract \(id)'s end cannot move from \(time: end) to \(time: effectiveFrom): final invoice \(month.invoice) billed \(month.period) "
                        + "under it, which the move would change; void \(month.invoice) first (`docket invoice void \(month.invoice) --reason …`), "
                        + "or move the end within months no final invoice billed")
            }
            return [.ended(ContractEnded(effectiveFrom: effectiveFrom, previousEnd: end))]
        }
    }

    /// Refuses an amendment effective at `effectiveFrom` of a contract that does not exist (not found), before its
    /// start (invalid) or at or after its end (conflict). The application checks it before completing partial terms,
    /// which need a version in force, so these refusals are the ones a user sees.
    public static func requireAmendable(_ state: ContractState, at effectiveFrom: Timestamp) throws(DomainError) {
        let (id, start) = try requireExisting(state)
        guard effectiveFrom >= start else {
            throw DomainError(
                .invalid,
                timed: "the amendment would take effect at \(time: effectiveFrom), before contract \(id) starts at \(time: start); "
                    + "use a date on or after the start")
        }
        if let end = state.endsAt, effectiveFrom >= end {
            throw DomainError(
                .conflict,
                timed: "contract \(id) ends at \(time: end); an amendment must take effect before the end, "
                    + "or create a new contract")
        }
    }

    // MARK: - Create

    private static func decideCreate(_ create: CreateContract, state: ContractState) throws(DomainError)
        -> [ContractEvent]
    {
        if let id = state.id {
            throw DomainError(.conflict, "contract \(id) already exists; amend it with `docket contract amend \(id)`")
        }
        let id = try Validate.slug(create.id, "contract id", length: 2...64)
        guard let client = create.clientSnapshot else {
            throw DomainError(.notFound, "unknown client \(create.client); list clients with `docket client list`")
        }
        guard client.code == create.client else {
            throw DomainError(
                .invalid, "the client snapshot is for \(client.code), not \(create.client); look the client up again")
        }
        guard client.isActive else {
            throw DomainError(
                .inactive,
                "client \(client.code) is deactivated; reactivate it with `docket client reactivate \(client.code)`")
        }
        let name = try Validate.name(create.name, "the contract name", fix: "give the contract a name")
        try BillingDates.check(create.effectiveFrom, "contract \(id)'s effective date")
        return [
            .created(
                ContractCreated(
                    id: id, client: client.code, name: name, effectiveFrom: create.effectiveFrom,
                    slaPolicy: try normalizedPolicy(create.slaPolicy),
                    billingTerms: try normalizedTerms(create.billingTerms)))
        ]
    }

    // MARK: - Helpers

    private static func normalizedPolicy(_ policy: String?) throws(DomainError) -> String? {
        guard let policy else { return nil }
        return try Validate.nonEmpty(policy, "the SLA policy reference", fix: "name an SLA policy or leave it out")
    }

    /// The complete terms an amendment gives. Terms with a `model` are complete and replace those in force; partial
    /// terms (no `model`) change only the fields they give — a field set to `null` is removed — and the rest is copied
    /// from `inForce`, the terms in force at the amendment (docs/billing.md, "Amending terms"). Nested objects
    /// (`rates`, `rounding`, `afterHours`, `block`, `retainer`) merge field by field the same way, at any depth;
    /// arrays and scalars replace. `null` stays `null`.
    public static func completedTerms(_ given: JSONValue, inForce: JSONValue?) throws(DomainError) -> JSONValue {
        guard case .object(let fields) = given, fields["model"] == nil else { return given }
        guard case .object(var merged)? = inForce else {
            throw DomainError(
                .invalid,
                "these billing terms are partial (no \"model\") but no terms are in force then to complete them; "
                    + "give complete terms with a model, currency and rates (docs/billing.md)")
        }
        // The tax rate can be given three ways; a new one replaces the one in force, however that was given.
        let taxRateKeys = ["taxBasisPoints", "taxRate", "taxRateMillionths"]
        if taxRateKeys.contains(where: { fields[$0] != nil }) {
            for key in taxRateKeys { merged[key] = nil }
        }
        return .object(mergedFields(fields, into: merged))
    }

    /// `base` with each field of `given` set: `null` removes it, an object merges into the object in `base` (or into
    /// nothing, losing its `null`s), anything else replaces it.
    private static func mergedFields(_ given: [String: JSONValue], into base: [String: JSONValue]) -> [String: JSONValue] {
        var result = base
        for (key, value) in given {
            switch (value, base[key]) {
            case (.null, _): result[key] = nil
            case (.object(let fields), .object(let inForce)?): result[key] = .object(mergedFields(fields, into: inForce))
            case (.object(let fields), _): result[key] = .object(mergedFields(fields, into: [:]))
            default: result[key] = value
            }
        }
        return result
    }

    /// JSON `null` counts as "no terms", so that a payload round-trips to the same value; other terms must be
    /// readable as ``BillingTerms`` (docs/billing.md), so that an invoice run never meets terms it cannot price, and
    /// follow the rules for new terms (``BillingTerms/requireNewTermsRules()``).
    private static func normalizedTerms(_ terms: JSONValue?) throws(DomainError) -> JSONValue? {
        guard let terms, terms != .null else { return nil }
        try BillingTerms(terms).requireNewTermsRules()
        return terms
    }

    private static func requireExisting(_ state: ContractState) throws(DomainError) -> (String, Timestamp) {
        guard let id = state.id, let start = state.startsAt else {
            throw DomainError(.notFound, "no such contract; list contracts with `docket contract list`")
        }
        return (id, start)
    }
}
