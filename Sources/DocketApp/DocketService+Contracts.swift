import Domain
import EventLog

extension DocketService {
    /// Creates a contract for an existing client.
    @discardableResult
    public func createContract(_ create: CreateContract, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        var command = create
        command.clientSnapshot = try? client(create.client).snapshot
        if let terms = create.billingTerms, let client = try? client(create.client) {
            try requireClientCurrency(terms, client: create.client, currency: client.currency)
        }
        return try contract(create.id, .create(command), as: actor, commandId: commandId)
    }

    /// Runs a contract command (amend, end) as `actor`.
    @discardableResult
    public func contract(_ id: String, _ command: ContractCommand, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        if case .amend(_, _, let terms?) = command {
            let existing = try runner.load(ContractDecider.self, stream: StreamName.contract(id)).state
            if existing.id != nil, let client = try? client(existing.client) {
                try requireClientCurrency(terms, client: existing.client, currency: client.currency)
            }
        }
        return try runner.run(ContractDecider.self, stream: StreamName.contract(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A contract's state with every version of its terms, or a not-found error.
    public func contract(_ id: String) throws -> ContractState {
        let (state, _) = try runner.load(ContractDecider.self, stream: StreamName.contract(id))
        guard state.id != nil else {
            throw DomainError(.notFound, "unknown contract \(id); list contracts with `docket contract list`")
        }
        return state
    }

    /// Every contract, optionally only one client's, in id order.
    public func contracts(client: String? = nil) throws -> [ContractState] {
        try store.streams(prefix: "contract-").map { try runner.load(ContractDecider.self, stream: $0.name).state }
            .filter { client == nil || $0.client == client }
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
