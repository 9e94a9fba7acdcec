import Domain
import EventLog

extension DirectoryService {
    /// Creates a contract for an existing client.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func createContract(_ create: CreateContract, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        var command = create
        command.clientSnapshot = try? client(create.client).snapshot
        if let terms = create.billingTerms, let client = try? client(create.client) {
            try requireClientCurrency(terms, client: create.client, currency: client.currency)
        }
        try requireKnownReferences(slaPolicy: create.slaPolicy, terms: create.billingTerms)
        return try contract(create.id, .create(command), as: actor, commandId: commandId)
    }

    /// Runs a contract command as `actor`. An unknown contract, or an amendment outside the contract's
    /// time, is refused before partial terms are completed (they need a version in force to complete).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func contract(_ id: String, _ command: ContractCommand, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        let existing = try kernel.load(ContractDecider.self, stream: StreamName.contract(id)).state
        if case .create = command {
        } else if existing.id == nil {
            throw DomainError(.notFound, "unknown contract \(id); list contracts with `docket contract list`")
        }
        if case .amend(let effectiveFrom, let slaPolicy, let given) = command {
            // An amendment of a contract not in force then is refused as such before partial terms, which need a
            // version in force, are completed.
            try ContractDecider.requireAmendable(existing, at: effectiveFrom)
            // Partial terms are completed as the decider will complete them, so the checks see the whole version.
            let terms = try given.map { try ContractDecider.completedTerms($0, inForce: existing.terms(at: effectiveFrom)?.billingTerms) }
            if let terms, let client = try? client(existing.client) {
                try requireClientCurrency(terms, client: existing.client, currency: client.currency)
            }
            try requireKnownReferences(slaPolicy: slaPolicy, terms: terms)
        }
        return try kernel.run(ContractDecider.self, stream: StreamName.contract(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A contract's state with every version of its terms, or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func contract(_ id: String) throws -> ContractState {
        let (state, _) = try kernel.load(ContractDecider.self, stream: StreamName.contract(id))
        guard state.id != nil else {
            throw DomainError(.notFound, "unknown contract \(id); list contracts with `docket contract list`")
        }
        return state
    }

    /// Every contract, optionally only one client's, in id order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func contracts(client: String? = nil) throws -> [ContractState] { try LogState(store: store).contracts(of: client) }

    /// A contract may name only SLA policies and calendars that exist: one that does not would make every ticket
    /// opened for the client fail (or, from intake, open without an SLA).
    private func requireKnownReferences(slaPolicy: String?, terms: JSONValue?) throws {
        if let policyId = slaPolicy, !policyId.isEmpty {
            guard let policy = try? self.slaPolicy(policyId) else {
                throw DomainError(
                    .notFound,
                    "unknown SLA policy \(policyId); define it first (`docket sla-policy define \(policyId) …`) or name one of `docket sla-policy list`")
            }
            for version in policy.versions {
                for id in [version.terms.calendar] + Priority.allCases.compactMap({ version.terms.calendars[$0] })
                where (try? calendar(id)) == nil {
                    throw DomainError(
                        .notFound, "SLA policy \(policyId) uses calendar \(id), which does not exist; define it with `docket calendar define`")
                }
            }
        }
        if let terms, terms != .null, let billing = try? BillingTerms(terms), let calendar = billing.afterHours?.calendar,
            (try? self.calendar(calendar)) == nil
        {
            throw DomainError(
                .notFound,
                "unknown calendar \(calendar) in billingTerms.afterHours; define it first (`docket calendar define \(calendar) …`) or name one of `docket calendar list`")
        }
    }

    /// Invoices go out in the client's currency: terms in another currency are refused (terms that cannot be read
    /// are left to the decider, which names the field).
    private func requireClientCurrency(_ terms: JSONValue, client: String, currency: String) throws {
        guard terms != .null, let billing = try? BillingTerms(terms), billing.currency != currency else { return }
        throw DomainError(
            .invalid,
            "the terms are in \(billing.currency) but client \(client) is billed in \(currency); write the terms in \(currency)")
    }
}
